/*
 * libFuzzer target: the response-header parser (src/headers.c) on arbitrary
 * bytes, as a hostile server could send them. Besides memory errors (ASan,
 * UBSan) it checks what the Lua layer relies on: every name is non-empty,
 * lower-case and free of ':' and line breaks; no value holds a line break.
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
    lua_pop(L, 1);
  }
  lua_settop(L, 0);
  lua_gc(L, LUA_GCSTEP, 0);
  return 0;
}
