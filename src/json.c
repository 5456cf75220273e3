/*
 * JSON through Debian's lua-cjson, normalised for Lua:
 *  - JSON integers come back as Lua integers (cjson 2.1.0 yields floats),
 *  - null comes back as nil (never a sentinel in user data),
 *  - a table marked with json_array encodes as [] even when empty.
 * cjson is reached through `require "cjson"` and `cjson.new()`, so our
 * configuration never leaks into the user's own cjson instance. Without a
 * cjson module, Neovim's vim.json (lua-cjson built into the editor) serves,
 * with its own settings (precision, depth) and nulls asked to come as nil.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core_private.h"

#define ARRAY_MT "heygen.json.array"
#define MAX_DEPTH 1000

/* While cjson encodes, a marked empty array stands as a string ("\001heygen:[]N\001",
 * which cjson writes as "\u0001heygen:[]N\u0001") swapped for [] afterwards. N is
 * chosen so that no string of the value (key or value) holds the mark: then the
 * swap can only ever hit our own marks, never user data. */
typedef struct {
  char raw[32], encoded[48];
  size_t rawlen, enclen;
} array_mark;

enum { UV_DECODE = 1, UV_ENCODE = 2, UV_VIM = 3 };

static void normalise(lua_State *L, int idx, int depth);

/* Replace the value at the top of the stack by its normalised form. */
static void normalise_top(lua_State *L, int depth) {
  int t = lua_type(L, -1);
  if (t == LUA_TTABLE) {
    normalise(L, lua_gettop(L), depth + 1);
  } else if (t == LUA_TLIGHTUSERDATA && lua_touserdata(L, -1) == NULL) {
    lua_pop(L, 1);
    lua_pushnil(L);
#if HEYGEN_HAS_INTEGERS
  } else if (t == LUA_TNUMBER && !lua_isinteger(L, -1)) {
    lua_Number n = lua_tonumber(L, -1);
    /* 2^53: beyond it a double no longer says which integer was written. */
    if (n == floor(n) && fabs(n) <= 9007199254740992.0) {
      lua_pop(L, 1);
      lua_pushinteger(L, (lua_Integer)n);
    }
#endif
  }
}

static void normalise(lua_State *L, int idx, int depth) {
  if (depth > MAX_DEPTH) luaL_error(L, "JSON nesting deeper than %d", MAX_DEPTH);
  luaL_checkstack(L, 6, "JSON nesting");
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    int t = lua_type(L, -1);
    if (t == LUA_TTABLE) { /* normalised in place: nothing to store back */
      normalise(L, lua_gettop(L), depth + 1);
      lua_pop(L, 1);
    } else if (t == LUA_TLIGHTUSERDATA || t == LUA_TNUMBER) {
      normalise_top(L, depth);
      lua_pushvalue(L, -2);
      lua_insert(L, -2);
      lua_rawset(L, idx); /* assigning existing keys (or nil) is allowed during next */
    } else {
      lua_pop(L, 1);
    }
  }
}

static int json_decode(lua_State *L) {
  luaL_checkstring(L, 1);
  lua_settop(L, 1);
  lua_pushvalue(L, lua_upvalueindex(UV_DECODE));
  lua_pushvalue(L, 1);
  if (lua_pcall(L, 1, 1, 0) != 0) {
    luaL_pushfail(L);
    lua_insert(L, -2);
    return 2;
  }
  normalise_top(L, 0);
  return 1;
}

static int is_marked_array(lua_State *L, int idx) {
  int marked = 0;
  if (lua_getmetatable(L, idx)) {
    luaL_getmetatable(L, ARRAY_MT);
    marked = lua_rawequal(L, -1, -2);
    lua_pop(L, 2);
  }
  return marked;
}

static int is_empty(lua_State *L, int idx) {
  lua_pushnil(L);
  if (lua_next(L, idx)) {
    lua_pop(L, 2);
    return 0;
  }
  return 1;
}

/* Does the value at idx hold a marked empty array anywhere? */
static int needs_rewrite(lua_State *L, int idx, int depth) {
  int found = 0;
  if (lua_type(L, idx) != LUA_TTABLE) return 0;
  if (depth > MAX_DEPTH)
    luaL_error(L, "cannot encode: nesting deeper than %d (a cycle?)", MAX_DEPTH);
  if (is_marked_array(L, idx) && is_empty(L, idx)) return 1;
  luaL_checkstack(L, 6, "JSON nesting");
  lua_pushnil(L);
  while (!found && lua_next(L, idx)) {
    found = needs_rewrite(L, lua_gettop(L), depth + 1);
    lua_pop(L, 1);
  }
  if (found) lua_pop(L, 1);
  return found;
}

static int holds(const char *s, size_t n, const char *m, size_t mn) {
  size_t i;
  for (i = 0; i + mn <= n; i++)
    if (s[i] == m[0] && memcmp(s + i, m, mn) == 0) return 1;
  return 0;
}

/* Does any string (key or value) in the value at idx hold the mark? */
static int mentions(lua_State *L, int idx, const array_mark *mk, int depth) {
  int found = 0;
  if (lua_type(L, idx) == LUA_TSTRING) {
    size_t n;
    const char *s = lua_tolstring(L, idx, &n);
    return holds(s, n, mk->raw, mk->rawlen);
  }
  if (lua_type(L, idx) != LUA_TTABLE) return 0;
  if (depth > MAX_DEPTH) luaL_error(L, "cannot encode: nesting deeper than %d", MAX_DEPTH);
  luaL_checkstack(L, 4, "JSON nesting");
  lua_pushnil(L);
  while (!found && lua_next(L, idx)) {
    int top = lua_gettop(L);
    found = mentions(L, top - 1, mk, depth + 1) || mentions(L, top, mk, depth + 1);
    lua_pop(L, 1);
  }
  if (found) lua_pop(L, 1);
  return found;
}

static void choose_mark(lua_State *L, int idx, array_mark *mk) {
  int n = 0;
  do {
    mk->rawlen = (size_t)snprintf(mk->raw, sizeof mk->raw, "\001heygen:[]%d\001", n);
    mk->enclen =
        (size_t)snprintf(mk->encoded, sizeof mk->encoded, "\"\\u0001heygen:[]%d\\u0001\"", n);
    n++;
  } while (mentions(L, idx, mk, 0));
}

/* Push a copy of the value at idx with marked empty arrays replaced by the
 * mark. With vim.json (vim: the index of {null =, empty_dict =}, else 0), also
 * json_null by vim.NIL and an unmarked empty table by vim.empty_dict(): its
 * encoder writes [] for an empty table and nothing for a NULL. */
static void copy_with_marks(lua_State *L, int idx, int depth, const array_mark *mk, int vim) {
  if (lua_type(L, idx) != LUA_TTABLE) {
    if (vim && lua_type(L, idx) == LUA_TLIGHTUSERDATA && lua_touserdata(L, idx) == NULL)
      lua_getfield(L, vim, "null");
    else
      lua_pushvalue(L, idx);
    return;
  }
  if (depth > MAX_DEPTH) luaL_error(L, "cannot encode: nesting deeper than %d", MAX_DEPTH);
  if (mk && is_marked_array(L, idx) && is_empty(L, idx)) {
    lua_pushlstring(L, mk->raw, mk->rawlen);
    return;
  }
  if (vim && !is_marked_array(L, idx) && is_empty(L, idx)) {
    lua_getfield(L, vim, "empty_dict");
    lua_call(L, 0, 1);
    return;
  }
  luaL_checkstack(L, 8, "JSON nesting");
  lua_newtable(L);
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    lua_pushvalue(L, -2);                                      /* key */
    copy_with_marks(L, lua_gettop(L) - 1, depth + 1, mk, vim); /* copied value */
    lua_rawset(L, -5);
    lua_pop(L, 1);
  }
}

static void replace_marks(lua_State *L, const char *s, size_t len, const array_mark *mk) {
  luaL_Buffer b;
  size_t marklen = mk->enclen;
  luaL_buffinit(L, &b);
  while (len > 0) {
    const char *hit = NULL;
    size_t i;
    for (i = 0; i + marklen <= len; i++) {
      if (s[i] == '"' && memcmp(s + i, mk->encoded, marklen) == 0) {
        hit = s + i;
        break;
      }
    }
    if (!hit) {
      luaL_addlstring(&b, s, len);
      break;
    }
    luaL_addlstring(&b, s, (size_t)(hit - s));
    luaL_addlstring(&b, "[]", 2);
    len -= (size_t)(hit - s) + marklen;
    s = hit + marklen;
  }
  luaL_pushresult(&b);
}

static int json_encode(lua_State *L) {
  int rewrite, vim = lua_istable(L, lua_upvalueindex(UV_VIM)) ? lua_upvalueindex(UV_VIM) : 0;
  array_mark mk;
  luaL_checkany(L, 1);
  lua_settop(L, 1);
  rewrite = needs_rewrite(L, 1, 0);
  if (rewrite) choose_mark(L, 1, &mk);
  lua_pushvalue(L, lua_upvalueindex(UV_ENCODE));
  if (rewrite || vim)
    copy_with_marks(L, 1, 0, rewrite ? &mk : NULL, vim);
  else
    lua_pushvalue(L, 1);
  if (lua_pcall(L, 1, 1, 0) != 0) {
    luaL_pushfail(L);
    lua_insert(L, -2);
    return 2;
  }
  if (rewrite) {
    size_t len;
    const char *s = lua_tolstring(L, -1, &len);
    replace_marks(L, s, len, &mk);
  }
  return 1;
}

static int json_array(lua_State *L) {
  if (lua_isnoneornil(L, 1)) {
    lua_settop(L, 0);
    lua_newtable(L);
  }
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_settop(L, 1);
  luaL_setmetatable(L, ARRAY_MT);
  return 1;
}

/* cjson_instance.<name>(arg) for configuration calls. */
static void cjson_config(lua_State *L, int inst, const char *name, int arg) {
  lua_getfield(L, inst, name);
  if (lua_isfunction(L, -1)) {
    lua_pushinteger(L, arg);
    lua_call(L, 1, 0);
  } else {
    lua_pop(L, 1);
  }
}

/* Neovim built without Debian's lua-cjson has no `cjson` module, but ships
 * lua-cjson as vim.json (decode, encode; no new(), nulls as vim.NIL unless
 * asked). Push a decode taking its options, or leave the stack as it was. */
static int vim_json_decode(lua_State *L) {
  lua_settop(L, 1);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_pushvalue(L, 1);
  lua_createtable(L, 0, 1); /* {luanil = {object = true, array = true}}: null -> nil */
  lua_createtable(L, 0, 2);
  lua_pushboolean(L, 1);
  lua_setfield(L, -2, "object");
  lua_pushboolean(L, 1);
  lua_setfield(L, -2, "array");
  lua_setfield(L, -2, "luanil");
  lua_call(L, 2, 1);
  return 1;
}

/* The cjson module (an instance of our own), or vim.json; raises when neither is there. */
static int push_json_instance(lua_State *L) {
  lua_getglobal(L, "require");
  lua_pushliteral(L, "cjson");
  if (lua_pcall(L, 1, 1, 0) == 0) {
    lua_getfield(L, -1, "_VERSION");
    lua_setfield(L, LUA_REGISTRYINDEX, "heygen.cjson_version");
    lua_getfield(L, -1, "new");
    lua_call(L, 0, 1); /* an instance of our own: its settings are ours alone */
    lua_remove(L, -2);
    return 1;
  }
  lua_getglobal(L, "vim");
  if (lua_istable(L, -1)) {
    lua_getfield(L, -1, "json");
    if (lua_istable(L, -1)) {
      lua_remove(L, -2); /* vim */
      lua_remove(L, -2); /* require's message */
      lua_pushliteral(L, "vim.json");
      lua_setfield(L, LUA_REGISTRYINDEX, "heygen.cjson_version");
      lua_createtable(L, 0, 2);
      lua_getfield(L, -2, "decode");
      lua_pushcclosure(L, vim_json_decode, 1);
      lua_setfield(L, -2, "decode");
      lua_getfield(L, -2, "encode");
      lua_setfield(L, -2, "encode");
      lua_createtable(L, 0, 2); /* what copy_with_marks swaps in */
      lua_getglobal(L, "vim");
      lua_getfield(L, -1, "NIL");
      lua_setfield(L, -3, "null");
      lua_getfield(L, -1, "empty_dict");
      lua_setfield(L, -3, "empty_dict");
      lua_pop(L, 1);
      lua_setfield(L, -2, "vim");
      lua_remove(L, -2);
      return 0;
    }
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  return luaL_error(L, "heygen.core: JSON needs lua-cjson (%s)", lua_tostring(L, -1));
}

void heygen_json_open(lua_State *L) {
  int mod = lua_gettop(L), inst;
  if (push_json_instance(L)) {
    inst = lua_gettop(L);
    cjson_config(L, inst, "encode_number_precision", 14);
    cjson_config(L, inst, "decode_max_depth", MAX_DEPTH);
    cjson_config(L, inst, "encode_max_depth", MAX_DEPTH);
  }
  inst = lua_gettop(L);

  lua_getfield(L, inst, "decode");
  lua_pushcclosure(L, json_decode, 1);
  lua_setfield(L, mod, "json_decode");
  lua_getfield(L, inst, "decode");
  lua_getfield(L, inst, "encode");
  lua_getfield(L, inst, "vim"); /* nil with cjson */
  lua_pushcclosure(L, json_encode, 3);
  lua_setfield(L, mod, "json_encode");
  lua_pushcfunction(L, json_array);
  lua_setfield(L, mod, "json_array");
  lua_pushlightuserdata(L, NULL);
  lua_setfield(L, mod, "json_null");

  luaL_newmetatable(L, ARRAY_MT);
  lua_pushliteral(L, ARRAY_MT);
  lua_setfield(L, -2, "__name");
  lua_setfield(L, mod, "json_array_mt");
  lua_settop(L, mod);
}
