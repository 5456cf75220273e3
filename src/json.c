/*
 * JSON through Debian's lua-cjson, normalised for Lua:
 *  - JSON integers come back as Lua integers (cjson 2.1.0 yields floats),
 *  - null comes back as nil (never a sentinel in user data),
 *  - a table marked with json_array encodes as [] even when empty.
 * cjson is reached through `require "cjson"` and `cjson.new()`, so our
 * configuration never leaks into the user's own cjson instance.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
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

enum { UV_DECODE = 1, UV_ENCODE = 2 };

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

/* ------------------------------------------------------------ fast decode
 *
 * Strict JSON straight into Lua values: each table is made once its entries
 * are parsed (so it is sized once, never rehashed), integers come out as
 * integers and null as nil, with no second pass. Anything it does not take
 * exactly as cjson plus normalise would (other escapes, control bytes, lone
 * surrogates, \u0000, numbers outside the JSON grammar or the C locale's
 * strtod, deep nesting, a full Lua stack, invalid input) makes it give up, and
 * cjson decodes the text instead: its results and error messages stay the
 * reference. */

#define CHUNK 32 /* entries held on the stack before they go into their table */

typedef struct {
  const char *p, *end;
} jreader;

static int jp_value(lua_State *L, jreader *j, int depth);

static void jp_space(jreader *j) {
  while (j->p < j->end && (*j->p == ' ' || *j->p == '\n' || *j->p == '\r' || *j->p == '\t')) j->p++;
}

static int hex4(const char *p, unsigned *out) {
  unsigned v = 0;
  int i;
  for (i = 0; i < 4; i++) {
    char c = p[i];
    v <<= 4;
    if (c >= '0' && c <= '9')
      v |= (unsigned)(c - '0');
    else if (c >= 'a' && c <= 'f')
      v |= (unsigned)(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F')
      v |= (unsigned)(c - 'A' + 10);
    else
      return 0;
  }
  *out = v;
  return 1;
}

/* A \u escape at j->p (after the backslash and u) as UTF-8 into b. */
static int jp_unicode(jreader *j, luaL_Buffer *b) {
  unsigned u, lo;
  char out[4];
  size_t n;
  if (j->end - j->p < 4 || !hex4(j->p, &u)) return 0;
  j->p += 4;
  if (u == 0 || (u >= 0xDC00 && u <= 0xDFFF)) return 0;
  if (u >= 0xD800 && u <= 0xDBFF) {
    if (j->end - j->p < 6 || j->p[0] != '\\' || j->p[1] != 'u' || !hex4(j->p + 2, &lo)) return 0;
    if (lo < 0xDC00 || lo > 0xDFFF) return 0;
    j->p += 6;
    u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
  }
  if (u < 0x80) {
    out[0] = (char)u;
    n = 1;
  } else if (u < 0x800) {
    out[0] = (char)(0xC0 | (u >> 6));
    out[1] = (char)(0x80 | (u & 0x3F));
    n = 2;
  } else if (u < 0x10000) {
    out[0] = (char)(0xE0 | (u >> 12));
    out[1] = (char)(0x80 | ((u >> 6) & 0x3F));
    out[2] = (char)(0x80 | (u & 0x3F));
    n = 3;
  } else {
    out[0] = (char)(0xF0 | (u >> 18));
    out[1] = (char)(0x80 | ((u >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((u >> 6) & 0x3F));
    out[3] = (char)(0x80 | (u & 0x3F));
    n = 4;
  }
  luaL_addlstring(b, out, n);
  return 1;
}

/* The one-letter escapes and what they stand for. */
static const char ESCAPE_FROM[] = "\"\\/bfnrt";
static const char ESCAPE_TO[] = "\"\\/\b\f\n\r\t";

/* Past the bytes a string holds as they are (up to a quote, backslash or control byte). */
static void jp_plain(jreader *j) {
  while (j->p < j->end) {
    unsigned char c = (unsigned char)*j->p;
    if (c == '"' || c == '\\' || c < 0x20) return;
    j->p++;
  }
}

/* The rest of a string with escapes, from s (its start) with j->p at the first backslash. */
static int jp_escaped(lua_State *L, jreader *j, const char *s) {
  luaL_Buffer b;
  if (!lua_checkstack(L, LUA_MINSTACK)) return 0;
  luaL_buffinit(L, &b);
  for (;;) {
    unsigned char c;
    luaL_addlstring(&b, s, (size_t)(j->p - s));
    if (j->p >= j->end) return 0;
    c = (unsigned char)*j->p++;
    if (c == '"') {
      luaL_pushresult(&b);
      return 1;
    }
    if (c < 0x20 || j->p >= j->end) return 0;
    c = (unsigned char)*j->p++; /* after a backslash */
    if (c == 'u') {
      if (!jp_unicode(j, &b)) return 0;
    } else {
      const char *hit = c ? strchr(ESCAPE_FROM, c) : NULL;
      if (!hit) return 0;
      luaL_addchar(&b, ESCAPE_TO[hit - ESCAPE_FROM]);
    }
    s = j->p;
    jp_plain(j);
  }
}

/* A string at j->p (its opening quote). */
static int jp_string(lua_State *L, jreader *j) {
  const char *s = ++j->p;
  jp_plain(j);
  if (j->p < j->end && *j->p == '"') {
    lua_pushlstring(L, s, (size_t)(j->p - s));
    j->p++;
    return 1;
  }
  return j->p < j->end && *j->p == '\\' ? jp_escaped(L, j, s) : 0;
}

static void push_double(lua_State *L, double d) {
#if HEYGEN_HAS_INTEGERS
  /* what normalise does to cjson's double */
  if (d == floor(d) && fabs(d) <= 9007199254740992.0) {
    lua_pushinteger(L, (lua_Integer)d);
    return;
  }
#endif
  lua_pushnumber(L, d);
}

static int digits(jreader *j) {
  const char *s = j->p;
  while (j->p < j->end && *j->p >= '0' && *j->p <= '9') j->p++;
  return j->p > s;
}

/* A number in the JSON grammar, as the double strtod makes of it. */
static int jp_number(lua_State *L, jreader *j) {
  const char *s = j->p;
  int is_int = 1;
  char tmp[64], *endp;
  double d;
  if (*j->p == '-') j->p++;
  if (j->p < j->end && *j->p == '0')
    j->p++;
  else if (!digits(j))
    return 0;
  if (j->p < j->end && *j->p == '.') {
    j->p++;
    if (!digits(j)) return 0;
    is_int = 0;
  }
  if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
    j->p++;
    if (j->p < j->end && (*j->p == '+' || *j->p == '-')) j->p++;
    if (!digits(j)) return 0;
    is_int = 0;
  }
  if (is_int && j->p - s <= 18) { /* exact in 64 bits; strtod rounds it the same way */
    const char *q = s;
    long long v = 0;
    int neg = *q == '-';
    if (neg) q++;
    for (; q < j->p; q++) v = v * 10 + (*q - '0');
    d = (double)v;
    push_double(L, neg ? -d : d); /* -0 stays -0.0 where there are no integers */
    return 1;
  }
  if ((size_t)(j->p - s) >= sizeof(tmp)) return 0;
  memcpy(tmp, s, (size_t)(j->p - s));
  tmp[j->p - s] = '\0';
  d = strtod(tmp, &endp);
  if (*endp != '\0' || isinf(d)) return 0; /* another locale's decimal point, or out of range */
  push_double(L, d);
  return 1;
}

static int jp_literal(lua_State *L, jreader *j, const char *word, size_t n, int kind) {
  if ((size_t)(j->end - j->p) < n || memcmp(j->p, word, n) != 0) return 0;
  j->p += n;
  if (kind < 0)
    lua_pushnil(L);
  else
    lua_pushboolean(L, kind);
  return 1;
}

/* The entries on the stack above t (an array's values, from index first)
 * into the table at t. */
static void flush_array(lua_State *L, int t, int first) {
  int i = first + (lua_gettop(L) - t) - 1;
  for (; i >= first; i--) lua_rawseti(L, t, i);
}

/* An object's key/value pairs above t into the table at t, in order (the
 * last of repeated keys wins; a null removes the key). */
static void flush_object(lua_State *L, int t) {
  int i, top = lua_gettop(L);
  for (i = t + 1; i < top; i += 2) {
    if (lua_isnil(L, i + 1)) {
      int absent;
      lua_pushvalue(L, i);
      lua_rawget(L, t);
      absent = lua_isnil(L, -1);
      lua_pop(L, 1);
      if (absent) continue;
    }
    lua_pushvalue(L, i);
    lua_pushvalue(L, i + 1);
    lua_rawset(L, t);
  }
  lua_settop(L, t);
}

/* An array or object at j->p: its entries go on the stack, then into a table
 * made for them (every CHUNK entries, into a table made then). */
static int jp_container(lua_State *L, jreader *j, int depth) {
  int object = *j->p == '{', base = lua_gettop(L), t = 0, n = 0, done = 0;
  char close = object ? '}' : ']';
  if (depth > MAX_DEPTH || !lua_checkstack(L, CHUNK * 2 + 4)) return 0;
  j->p++;
  jp_space(j);
  if (j->p < j->end && *j->p == close) {
    j->p++;
    lua_createtable(L, 0, 0);
    return 1;
  }
  for (;;) {
    jp_space(j);
    if (object) {
      if (j->p >= j->end || *j->p != '"' || !jp_string(L, j)) return 0;
      jp_space(j);
      if (j->p >= j->end || *j->p != ':') return 0;
      j->p++;
      jp_space(j);
    }
    if (!jp_value(L, j, depth + 1)) return 0;
    n++;
    if (n == CHUNK) { /* a long one: into its table now, the rest as it comes */
      if (!t) {
        lua_createtable(L, object ? 0 : CHUNK * 2, object ? CHUNK * 2 : 0);
        lua_insert(L, base + 1);
        t = base + 1;
      }
      if (object)
        flush_object(L, t);
      else
        flush_array(L, t, done + 1);
      done += n;
      n = 0;
      if (!lua_checkstack(L, CHUNK * 2 + 4)) return 0;
    }
    jp_space(j);
    if (j->p >= j->end) return 0;
    if (*j->p == ',') {
      j->p++;
      continue;
    }
    if (*j->p != close) return 0;
    j->p++;
    break;
  }
  if (!t) {
    lua_createtable(L, object ? 0 : n, object ? n : 0);
    lua_insert(L, base + 1);
    t = base + 1;
  }
  if (object)
    flush_object(L, t);
  else
    flush_array(L, t, done + 1);
  return 1;
}

static int jp_value(lua_State *L, jreader *j, int depth) {
  if (j->p >= j->end) return 0;
  switch (*j->p) {
    case '{':
    case '[':
      return jp_container(L, j, depth);
    case '"':
      return jp_string(L, j);
    case 't':
      return jp_literal(L, j, "true", 4, 1);
    case 'f':
      return jp_literal(L, j, "false", 5, 0);
    case 'n':
      return jp_literal(L, j, "null", 4, -1);
    default:
      return (*j->p == '-' || (*j->p >= '0' && *j->p <= '9')) && jp_number(L, j);
  }
}

/* Decode the string at index 1 onto the stack; 0 (stack as it was) when cjson must. */
static int fast_decode(lua_State *L) {
  size_t len;
  jreader j;
  j.p = lua_tolstring(L, 1, &len);
  j.end = j.p + len;
  jp_space(&j);
  if (jp_value(L, &j, 0)) {
    jp_space(&j);
    if (j.p == j.end) return 1;
  }
  lua_settop(L, 1);
  return 0;
}

static int json_decode(lua_State *L) {
  luaL_checkstring(L, 1);
  lua_settop(L, 1);
  if (fast_decode(L)) return 1;
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

/* Push a copy of the value at idx with marked empty arrays replaced by the mark. */
static void copy_with_marks(lua_State *L, int idx, int depth, const array_mark *mk) {
  if (lua_type(L, idx) != LUA_TTABLE) {
    lua_pushvalue(L, idx);
    return;
  }
  if (depth > MAX_DEPTH) luaL_error(L, "cannot encode: nesting deeper than %d", MAX_DEPTH);
  if (is_marked_array(L, idx) && is_empty(L, idx)) {
    lua_pushlstring(L, mk->raw, mk->rawlen);
    return;
  }
  luaL_checkstack(L, 8, "JSON nesting");
  lua_newtable(L);
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    lua_pushvalue(L, -2);                                 /* key */
    copy_with_marks(L, lua_gettop(L) - 1, depth + 1, mk); /* copied value */
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
  int rewrite;
  array_mark mk;
  luaL_checkany(L, 1);
  lua_settop(L, 1);
  rewrite = needs_rewrite(L, 1, 0);
  if (rewrite) choose_mark(L, 1, &mk);
  lua_pushvalue(L, lua_upvalueindex(UV_ENCODE));
  if (rewrite)
    copy_with_marks(L, 1, 0, &mk);
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

void heygen_json_open(lua_State *L) {
  int mod = lua_gettop(L), inst;
  lua_getglobal(L, "require");
  lua_pushliteral(L, "cjson");
  lua_call(L, 1, 1);
  lua_getfield(L, -1, "_VERSION");
  lua_setfield(L, LUA_REGISTRYINDEX, "heygen.cjson_version");
  lua_getfield(L, -1, "new");
  lua_call(L, 0, 1); /* an instance of our own: its settings are ours alone */
  inst = lua_gettop(L);
  cjson_config(L, inst, "encode_number_precision", 14);
  cjson_config(L, inst, "decode_max_depth", MAX_DEPTH);
  cjson_config(L, inst, "encode_max_depth", MAX_DEPTH);

  lua_getfield(L, inst, "decode");
  lua_pushcclosure(L, json_decode, 1);
  lua_setfield(L, mod, "json_decode");
  lua_getfield(L, inst, "decode");
  lua_getfield(L, inst, "encode");
  lua_pushcclosure(L, json_encode, 2);
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
