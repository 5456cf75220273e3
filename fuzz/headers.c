/*
 * libFuzzer target: the response-header parser (src/headers.c) on arbitrary
 * bytes, as a hostile server could send them. Besides memory errors (ASan,
 * UBSan) it checks what the Lua layer relies on: every name is non-empty,
 * lower-case and free of ':' and line breaks; no value holds a line break;
 * looking one name up in the raw block (heygen_push_header, core.header) gives
 * the table's value, whatever the case of the name asked for.
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  size_t n;
  const char *s;
  if (!L) L = luaL_newstate();
  heygen_push_headers(L, (const char *)data, size);
  if (!lua_istable(L, -1)) abort();
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
