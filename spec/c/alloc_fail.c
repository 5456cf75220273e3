/*
 * heygen_test_alloc: a test-only module that makes one allocation of the Lua
 * state fail on purpose (spec/alloc_spec.lua). It wraps the state's allocator
 * (lua_getallocf/lua_setallocf, so blocks made before stay valid): after
 * fail(n), the n-th allocation that makes or grows a block while counting is
 * on fails (returns NULL), and so does the next one: Lua's retry of it after
 * an emergency collection, so the allocation fails as it does when memory is
 * out (a memory error is raised). Shrinking and freeing never fail. Lua 5.4
 * only (LuaJIT's allocator cannot be replaced). Linked -z nodelete: the
 * state's last frees, after lua_close unloads C modules, still come here.
 *
 *   local alloc = require "heygen_test_alloc"
 *   alloc.fail(3)       -- the 3rd allocation from now fails (nil: none)
 *   alloc.counting(b)   -- count only while b is true (default true)
 *   alloc.failed()      -- how many allocations were made to fail so far
 */
#include <lauxlib.h>
#include <lua.h>

typedef struct {
  lua_Alloc inner;
  void *inner_ud;
  long countdown; /* 0: nothing armed */
  int failing;    /* attempts still to fail once the countdown reached 0 */
  int counting;
  long failed;
} hook;

static hook H;

static void *hooked_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
  hook *h = ud;
  size_t old = ptr ? osize : 0; /* with ptr NULL, osize is the kind of object */
  if (h->counting && nsize > old) {
    if (h->countdown > 0 && --h->countdown == 0) {
      h->failing = 2;
      h->failed++;
    }
    if (h->failing > 0) {
      h->failing--;
      return NULL;
    }
  }
  return h->inner(h->inner_ud, ptr, osize, nsize);
}

static int t_fail(lua_State *L) {
  H.countdown = lua_isnoneornil(L, 1) ? 0 : (long)luaL_checkinteger(L, 1);
  H.failing = 0;
  return 0;
}

static int t_counting(lua_State *L) {
  H.counting = lua_toboolean(L, 1);
  return 0;
}

static int t_failed(lua_State *L) {
  lua_pushinteger(L, (lua_Integer)H.failed);
  return 1;
}

int luaopen_heygen_test_alloc(lua_State *L) {
  static const luaL_Reg funcs[] = {
      {"fail", t_fail}, {"counting", t_counting}, {"failed", t_failed}, {NULL, NULL}};
  void *ud;
  lua_Alloc f = lua_getallocf(L, &ud);
  if (f != hooked_alloc) { /* once per state */
    H.inner = f;
    H.inner_ud = ud;
    H.counting = 1;
    lua_setallocf(L, hooked_alloc, &H);
  }
  luaL_newlib(L, funcs);
  return 1;
}
