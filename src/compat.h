/* One source for Lua 5.1/LuaJIT through 5.4: the few API gaps we touch. */
#ifndef HEYGEN_COMPAT_H
#define HEYGEN_COMPAT_H

#include <lua.h>
#include <lauxlib.h>

#if LUA_VERSION_NUM < 504
#define lua_newuserdatauv(L, sz, nuv) lua_newuserdata((L), (sz))
#define luaL_pushfail(L) lua_pushnil(L)
#endif

#if LUA_VERSION_NUM < 502
/* Lua 5.1 headers: LuaJIT's, or PUC Lua 5.1's (not supported). Say so before
   including a header that PUC Lua 5.1 does not have. */
#if defined(__has_include)
#if !__has_include(<luajit.h>)
#error \
    "heygen-lua builds for Lua 5.4 or LuaJIT 2.1, not PUC Lua 5.1: build with Lua 5.4 (luarocks --lua-version 5.4 make ...), or point the 5.1 build at LuaJIT's headers (LUA_INCDIR=/usr/include/luajit-2.1)"
#endif
#endif
#include <luajit.h> /* LUAJIT_VERSION: lua.h alone does not say */
#define lua_rawlen(L, i) lua_objlen((L), (i))
#define lua_absindex(L, i) ((i) > 0 || (i) <= LUA_REGISTRYINDEX ? (i) : lua_gettop(L) + (i) + 1)
/* LuaJIT 2.1 ships luaL_setfuncs, luaL_testudata and luaL_setmetatable. */
#if !defined(LUAJIT_VERSION)
#error "Lua 5.1 without LuaJIT is not supported"
#endif
#endif

#if LUA_VERSION_NUM >= 503
#define HEYGEN_HAS_INTEGERS 1
#else
#define HEYGEN_HAS_INTEGERS 0
#endif

/* Push a new module table with the given functions. */
#define heygen_newlib(L, funcs) (lua_newtable(L), luaL_setfuncs((L), (funcs), 0))

#endif
