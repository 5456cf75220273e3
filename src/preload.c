/*
 * heygen_preload: puts the embedded Lua layer, heygen.core and cjson into
 * package.preload. The blob C hosts link (heygen_preload_obj) carries source,
 * loaded as text only ("t"): bytecode would tie it to one Lua build. heygen-lua
 * links a blob of bytecode (heygen_preload_bytecode_obj), made at build time by
 * src/embed_bytecode.c linked with the same static liblua, loaded as binary
 * only ("b"); each entry says which it is.
 */
#include <lauxlib.h>
#include <lua-cjson.h>
#include <lua.h>

#include "heygen.h"
#include "heygen_embed.h"

/* Pushes package.preload. */
static void push_preload_table(lua_State *L) {
#if LUA_VERSION_NUM >= 502
  luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
#else
  lua_getglobal(L, "package");
  lua_getfield(L, -1, "preload");
  lua_remove(L, -2);
#endif
}

/*
 * The loader require calls for one embedded file, with the entry as upvalue.
 * A Lua file runs with the loader's arguments (the module name first), as a
 * file found on package.path would; any other file's value is its bytes.
 */
static int load_embedded(lua_State *L) {
  const struct heygen_embedded *e = lua_touserdata(L, lua_upvalueindex(1));
  const char *source = (const char *)e->bytes;
  int nargs = lua_gettop(L);
  int status;

  if (e->kind == HEYGEN_EMBED_BYTES) {
    lua_pushlstring(L, source, e->size);
    return 1;
  }
#if LUA_VERSION_NUM >= 502
  status = luaL_loadbufferx(L, source, e->size, e->chunkname,
                            e->kind == HEYGEN_EMBED_BYTECODE ? "b" : "t");
#else
  status = luaL_loadbuffer(L, source, e->size, e->chunkname);
#endif
  if (status != 0)
    return luaL_error(L, "error loading module '%s' from embedded file '%s':\n\t%s", e->module,
                      e->chunkname + 1, lua_tostring(L, -1));
  lua_insert(L, 1);
  lua_call(L, nargs, 1);
  return 1;
}

int heygen_preload(lua_State *L) {
  const struct heygen_embedded *e;

  push_preload_table(L);
  for (e = heygen_embedded; e->module != NULL; e++) {
    lua_pushlightuserdata(L, (void *)e);
    lua_pushcclosure(L, load_embedded, 1);
    lua_setfield(L, -2, e->module);
  }
  lua_pushcfunction(L, luaopen_heygen_core);
  lua_setfield(L, -2, "heygen.core");
  lua_pushcfunction(L, luaopen_cjson);
  lua_setfield(L, -2, "cjson");
  lua_pop(L, 1);
  return 0;
}
