/*
 * heygen.core: mechanism only (HTTP transfers, JSON, clock). No HeyGen or fal
 * knowledge lives in C; the Lua layer owns every policy.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <time.h>

#include "core_private.h"
#include "curl_api.h"

double heygen_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int core_now(lua_State *L) {
  lua_pushnumber(L, heygen_now());
  return 1;
}

void heygen_sleep(double secs) {
  struct timespec req, rem;
  if (secs <= 0 || secs != secs) return;
  req.tv_sec = (time_t)secs;
  req.tv_nsec = (long)((secs - (double)req.tv_sec) * 1e9);
  while (nanosleep(&req, &rem) == -1 && errno == EINTR) req = rem;
}

static int core_sleep(lua_State *L) {
  heygen_sleep(luaL_checknumber(L, 1));
  return 0;
}

static int core_versions(lua_State *L) {
  const curl_version_info_data *v;
  heygen_curl_ready(L);
  v = curl_version_info(CURLVERSION_NOW);
  lua_newtable(L);
  lua_pushstring(L, HEYGEN_VERSION);
  lua_setfield(L, -2, "heygen");
#if defined(LUAJIT_VERSION)
  lua_pushstring(L, LUAJIT_VERSION);
#else
  lua_pushstring(L, LUA_RELEASE);
#endif
  lua_setfield(L, -2, "lua");
  lua_pushstring(L, v->version);
  lua_setfield(L, -2, "curl");
  lua_pushstring(L, v->ssl_version ? v->ssl_version : "none");
  lua_setfield(L, -2, "ssl");
  lua_pushboolean(L, (v->features & CURL_VERSION_HTTP2) != 0);
  lua_setfield(L, -2, "http2");
  /* Host names resolve in libcurl's resolver thread (AsynchDNS): never in step. */
  lua_pushboolean(L, (v->features & CURL_VERSION_ASYNCHDNS) != 0);
  lua_setfield(L, -2, "async_dns");
  if (v->age >= CURLVERSION_SEVENTH) { /* the CA bundle and directory libcurl was built with */
    lua_pushstring(L, v->cainfo);
    lua_setfield(L, -2, "ca_bundle");
    lua_pushstring(L, v->capath);
    lua_setfield(L, -2, "ca_path");
  }
  lua_getfield(L, LUA_REGISTRYINDEX, "heygen.cjson_version");
  lua_setfield(L, -2, "cjson");
  return 1;
}

static const luaL_Reg core_funcs[] = {
    {"now", core_now},
    {"sleep", core_sleep},
    {"versions", core_versions},
    {NULL, NULL},
};

/* libcurl is made ready by the first call that needs it (see curl_api.h). */
int luaopen_heygen_core(lua_State *L) {
  heygen_newlib(L, core_funcs);
  lua_pushstring(L, HEYGEN_VERSION);
  lua_setfield(L, -2, "VERSION");
  heygen_json_open(L);
  heygen_http_open(L);
  heygen_crypto_open(L);
  return 1;
}
