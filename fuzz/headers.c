/*
 * libFuzzer target: the response-header parser (src/headers.c) on arbitrary
 * bytes, as a hostile server could send them. Besides memory errors (ASan,
 * UBSan) it checks what the Lua layer relies on: every name is non-empty,
 * lower-case and free of ':' and line breaks; no value holds a line break;
 * looking one name up in the raw block (heygen_push_header, core.header) gives
 * the table's value, whatever the case of the name asked for; and where a 206
 * starts (heygen_range_start) is read from the table's Content-Range: its
 * digits after "bytes", up to a '-'.
 */
#include <lualib.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core_private.h"

static lua_State *L;

static void fail(const char *what, const char *s, size_t n) {
  fprintf(stderr, "headers fuzz: %s: \"%.*s\"\n", what, (int)n, s);
  abort();
}

static void check_name(const char *s, size_t n) {
  size_t i;
  if (n == 0) fail("empty header name", s, n);
  for (i = 0; i < n; i++) {
    if (s[i] >= 'A' && s[i] <= 'Z') fail("upper-case header name", s, n);
    if (s[i] == ':' || s[i] == '\n') fail("':' or newline in a header name", s, n);
  }
}

static void check_value(const char *s, size_t n) {
  if (memchr(s, '\n', n)) fail("newline in a header value", s, n);
}

/* The start a Content-Range value says, read the slow way (or -1). */
static long long slow_range_start(const char *v, size_t n) {
  size_t i = 5;
  long long first = 0;
  int digits = 0;
  if (n < 6) return -1;
  for (i = 0; i < 5; i++)
    if ((v[i] | 0x20) != "bytes"[i]) return -1;
  while (i < n && v[i] == ' ') i++;
  for (; i < n && v[i] >= '0' && v[i] <= '9'; i++, digits++) {
    if (first >= (1LL << 59)) return -1;
    first = first * 10 + (v[i] - '0');
  }
  return digits > 0 && i < n && v[i] == '-' ? first : -1;
}

static void check_range_start(const uint8_t *data, size_t size) {
  long long got = heygen_range_start((const char *)data, size), want = -1;
  const char *v;
  size_t n;
  if (heygen_find_header((const char *)data, size, "Content-Range", &v, &n)) {
    lua_getfield(L, -1, "content-range"); /* the table's value starts with the first one's */
    if (!lua_isstring(L, -1) || lua_rawlen(L, -1) < n || memcmp(lua_tostring(L, -1), v, n) != 0)
      fail("the first Content-Range differs from the table's", v, n);
    lua_pop(L, 1);
    want = slow_range_start(v, n);
  }
  if (got != want) fail("heygen_range_start misreads", (const char *)data, size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  size_t n;
  const char *s;
  if (!L) L = luaL_newstate();
  heygen_push_headers(L, (const char *)data, size);
  if (!lua_istable(L, -1)) abort();
  check_range_start(data, size);
  lua_pushnil(L);
  while (lua_next(L, -2)) {
    if (lua_type(L, -2) != LUA_TSTRING || lua_type(L, -1) != LUA_TSTRING) abort();
    s = lua_tolstring(L, -2, &n);
    check_name(s, n);
    s = lua_tolstring(L, -1, &n);
    check_value(s, n);
    s = lua_tolstring(L, -2, &n);
    heygen_push_header(L, (const char *)data, size, &s, &n, 1);
    if (!lua_rawequal(L, -1, -2)) fail("the lookup differs from the table for", s, n);
    lua_pop(L, 1);
    if (n > 0 && s[0] >= 'a' && s[0] <= 'z') { /* and with the first letter upper-cased */
      char up[256];
      if (n <= sizeof(up)) {
        const char *names[3];
        size_t lens[3];
        memcpy(up, s, n);
        up[0] = (char)(up[0] - 32);
        /* with other names in the same pass: a missing one, then this one upper-cased */
        names[0] = "x-not-sent-by-anyone", lens[0] = 20;
        names[1] = up, lens[1] = n;
        names[2] = s, lens[2] = n;
        heygen_push_header(L, (const char *)data, size, names, lens, 3);
        if (!lua_rawequal(L, -2, -4)) fail("an upper-case lookup differs for", s, n);
        if (!lua_rawequal(L, -1, -4)) fail("a lookup among others differs for", s, n);
        lua_getfield(L, -6, names[0]); /* the table, below key, value and the three */
        if (!lua_rawequal(L, -1, -4)) fail("the other name's lookup differs", names[0], lens[0]);
        lua_pop(L, 4);
      }
    }
    lua_pop(L, 1);
  }
  lua_settop(L, 0);
  lua_gc(L, LUA_GCSTEP, 0);
  return 0;
}
