/*
 * heygen: the C entry points for programs that embed Lua.
 *
 * A host that wants the whole library, with no files on disk:
 *
 *     lua_State *L = luaL_newstate();
 *     luaL_openlibs(L);
 *     heygen_preload(L);   -- package.preload: heygen, heygen.*, heygen.core, cjson
 *     if (luaL_dostring(L, "local heygen = require 'heygen' ...") != LUA_OK) ...
 *
 * and links src/preload.c with the generated blob (the CMake object library
 * heygen_preload_obj), the core objects (heygen_core_obj), Debian's
 * liblua5.4-cjson and libcurl.
 *
 * A host that ships the Lua files itself (on package.path) needs only the core:
 *
 *     luaL_requiref(L, "heygen.core", luaopen_heygen_core, 0);
 *     lua_pop(L, 1);
 *
 * heygen.core is a plain Lua module: it never calls back into Lua from libcurl
 * and keeps no global Lua state, so several lua_States may each load it. Drive
 * transfers from the host's own loop with require("heygen").step(0).
 */
#ifndef HEYGEN_H
#define HEYGEN_H

#include <lua.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Opens heygen.core and leaves its module table on the stack (lua_CFunction). */
int luaopen_heygen_core(lua_State *L);

/*
 * Registers every embedded Lua module (heygen, heygen.client, ...), heygen.core
 * and cjson in package.preload, so require finds them before any file. Call it
 * after luaL_openlibs (it needs the package library). Pushes nothing; returns 0,
 * so it can also be called as a lua_CFunction.
 */
int heygen_preload(lua_State *L);

#ifdef __cplusplus
}
#endif

#endif
