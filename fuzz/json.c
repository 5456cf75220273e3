/*
 * libFuzzer target: JSON normalisation (src/json.c) on arbitrary bytes.
 * Each input is decoded through heygen.core's json_decode (cjson, then
 * integers and null normalised); tables are then marked as arrays depending
 * on the input's first byte and encoded again, which drives the empty-array
 * rewrite. Properties checked besides memory safety:
 *  - decode never leaves a light userdata (a null sentinel) in the result;
 *  - whatever encode produces decodes again.
 */
#include <lualib.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core_private.h"

int luaopen_cjson(lua_State *L); /* Debian's static lua-cjson */

static const char *CHECK =
    "local core, s = ...\n"
    "local mark_arrays = #s > 0 and s:byte(1) % 2 == 1\n"
    "local function walk(v, depth)\n"
    "  if type(v) == 'userdata' then error('null sentinel left in decoded data') end\n"
    "  if type(v) ~= 'table' or depth > 1100 then return end\n"
    "  for k, x in pairs(v) do walk(k, depth + 1); walk(x, depth + 1) end\n"
    "  if mark_arrays and next(v) == nil then core.json_array(v) end\n"
    "end\n"
    "local v = core.json_decode(s)\n"
    "walk(v, 0)\n"
    "local out = core.json_encode(v)\n"
    "if out and core.json_decode(out) == nil and out ~= 'null' then\n"
    "  error('encode produced what decode refuses: ' .. out:sub(1, 200))\n"
    "end\n";

static lua_State *L;
static int check_ref;

static lua_State *setup(void) {
  lua_State *s = luaL_newstate();
  luaL_openlibs(s);
  lua_getglobal(s, "package");
  lua_getfield(s, -1, "preload");
  lua_pushcfunction(s, luaopen_cjson);
  lua_setfield(s, -2, "cjson");
  lua_settop(s, 0);
  lua_newtable(s); /* the module table heygen_json_open fills */
  heygen_json_open(s);
  lua_setglobal(s, "core");
  if (luaL_loadstring(s, CHECK) != 0) {
    fprintf(stderr, "json fuzz: %s\n", lua_tostring(s, -1));
    abort();
  }
  check_ref = luaL_ref(s, LUA_REGISTRYINDEX);
  return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!L) L = setup();
  lua_rawgeti(L, LUA_REGISTRYINDEX, check_ref);
  lua_getglobal(L, "core");
  lua_pushlstring(L, (const char *)data, size);
  if (lua_pcall(L, 2, 0, 0) != 0) {
    const char *msg = lua_tostring(L, -1);
    /* nesting limits are documented errors, not bugs */
    if (!msg || !strstr(msg, "nesting")) {
      fprintf(stderr, "json fuzz: %s\n", msg ? msg : "(error object)");
      abort();
    }
  }
  lua_settop(L, 0);
  lua_gc(L, LUA_GCSTEP, 0);
  return 0;
}
