/*
 * heygen_curl_ready: libcurl loaded (in a HEYGEN_CURL_DLOPEN build) and
 * globally initialised, once per process. See curl_api.h.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "curl_api.h"

#ifdef HEYGEN_CURL_DLOPEN
#include <dlfcn.h>

#ifndef HEYGEN_CURL_SONAME
#define HEYGEN_CURL_SONAME "libcurl.so.4"
#endif

struct heygen_curl_api heygen_curl;
#endif

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static char curl_problem[512]; /* empty: libcurl is ready */

#ifdef HEYGEN_CURL_DLOPEN
/* Fills heygen_curl from the library HEYGEN_LIBCURL names (a path or a
 * soname), else HEYGEN_CURL_SONAME; 0, with curl_problem set, if it cannot. */
static int load_functions(void) {
  const char *name = getenv("HEYGEN_LIBCURL");
  void *lib;
  if (!name || !*name) name = HEYGEN_CURL_SONAME;
  lib = dlopen(name, RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    snprintf(curl_problem, sizeof(curl_problem), "cannot load libcurl (%s): %s", name, dlerror());
    return 0;
  }
#define HEYGEN_CURL_RESOLVE(fn)                                        \
  if (!(*(void **)&heygen_curl.fn = dlsym(lib, "curl_" #fn))) {        \
    snprintf(curl_problem, sizeof(curl_problem),                       \
             "%s is not a usable libcurl: it has no curl_" #fn, name); \
    dlclose(lib);                                                      \
    return 0;                                                          \
  }
  HEYGEN_CURL_FUNCTIONS(HEYGEN_CURL_RESOLVE)
#undef HEYGEN_CURL_RESOLVE
  /* The library stays loaded for the life of the process, as a linked one would. */
  return 1;
}
#endif

static void make_ready(void) {
#ifdef HEYGEN_CURL_DLOPEN
  if (!load_functions()) return;
#endif
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
    snprintf(curl_problem, sizeof(curl_problem), "curl_global_init failed");
}

void heygen_curl_ready(lua_State *L) {
  pthread_once(&curl_once, make_ready);
  if (curl_problem[0]) luaL_error(L, "heygen.core: %s", curl_problem);
}
