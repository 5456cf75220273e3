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
