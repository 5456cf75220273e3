/*
 * libcurl for heygen.core: linked, or loaded on first use.
 *
 * The module (heygen/core.so) links libcurl as any C module would. heygen-lua
 * is built with HEYGEN_CURL_DLOPEN: Debian's libcurl brings some thirty shared
 * libraries (TLS, Kerberos, LDAP, SSH, ...) whose loading and initialisation
 * take several milliseconds, which a script that never makes a request should
 * not pay at start-up. There, libcurl is dlopen'ed by the first call that
 * needs it (HEYGEN_LIBCURL, a path or a soname, picks another one), and the
 * curl_* names used by the core are redirected through a table of function
 * pointers filled from the loaded library.
 *
 * Every piece of the core includes this header instead of <curl/curl.h>.
 */
#ifndef HEYGEN_CURL_API_H
#define HEYGEN_CURL_API_H

#ifdef HEYGEN_CURL_DLOPEN
/* curl_easy_setopt & co. must stay plain names for the redirection below. */
#define CURL_DISABLE_TYPECHECK 1
#endif
#include <curl/curl.h>

#include "compat.h"

/*
 * Makes libcurl ready: loads it (HEYGEN_CURL_DLOPEN) and runs
 * curl_global_init, once per process, whichever lua_State asks first. Raises a
 * Lua error naming the library and the loader's reason when it cannot.
 */
void heygen_curl_ready(lua_State *L);

#ifdef HEYGEN_CURL_DLOPEN
/* The libcurl functions the core calls (curl_<name>). */
/* clang-format off */
#define HEYGEN_CURL_FUNCTIONS(X)                                                \
  X(global_init) X(version_info) X(free)                                        \
  X(easy_init) X(easy_setopt) X(easy_getinfo) X(easy_reset) X(easy_cleanup)     \
  X(easy_strerror) X(easy_pause)                                               \
  X(share_init) X(share_setopt) X(share_cleanup)                               \
  X(mime_init) X(mime_addpart) X(mime_data) X(mime_filedata) X(mime_filename)   \
  X(mime_name) X(mime_type) X(mime_free)                                        \
  X(multi_init) X(multi_setopt) X(multi_add_handle) X(multi_remove_handle)      \
  X(multi_socket_action) X(multi_timeout) X(multi_info_read)                   \
  X(multi_cleanup)                                                              \
  X(slist_append) X(slist_free_all)                                             \
  X(url) X(url_get) X(url_set) X(url_cleanup)
/* clang-format on */

struct heygen_curl_api {
#define HEYGEN_CURL_POINTER(name) __typeof__(curl_##name) *name;
  HEYGEN_CURL_FUNCTIONS(HEYGEN_CURL_POINTER)
#undef HEYGEN_CURL_POINTER
};

extern struct heygen_curl_api heygen_curl;

/* curl.h wraps these three in function-like macros that check the argument count. */
#undef curl_easy_setopt
#undef curl_easy_getinfo
#undef curl_multi_setopt
#undef curl_share_setopt

#define curl_global_init (*heygen_curl.global_init)
#define curl_version_info (*heygen_curl.version_info)
#define curl_free (*heygen_curl.free)
#define curl_easy_init (*heygen_curl.easy_init)
#define curl_easy_setopt (*heygen_curl.easy_setopt)
#define curl_easy_getinfo (*heygen_curl.easy_getinfo)
#define curl_easy_reset (*heygen_curl.easy_reset)
#define curl_easy_cleanup (*heygen_curl.easy_cleanup)
#define curl_easy_strerror (*heygen_curl.easy_strerror)
#define curl_easy_pause (*heygen_curl.easy_pause)
#define curl_share_init (*heygen_curl.share_init)
#define curl_share_setopt (*heygen_curl.share_setopt)
#define curl_share_cleanup (*heygen_curl.share_cleanup)
#define curl_mime_init (*heygen_curl.mime_init)
#define curl_mime_addpart (*heygen_curl.mime_addpart)
#define curl_mime_data (*heygen_curl.mime_data)
#define curl_mime_filedata (*heygen_curl.mime_filedata)
#define curl_mime_filename (*heygen_curl.mime_filename)
#define curl_mime_name (*heygen_curl.mime_name)
#define curl_mime_type (*heygen_curl.mime_type)
#define curl_mime_free (*heygen_curl.mime_free)
#define curl_multi_init (*heygen_curl.multi_init)
#define curl_multi_setopt (*heygen_curl.multi_setopt)
#define curl_multi_add_handle (*heygen_curl.multi_add_handle)
#define curl_multi_remove_handle (*heygen_curl.multi_remove_handle)
#define curl_multi_socket_action (*heygen_curl.multi_socket_action)
#define curl_multi_timeout (*heygen_curl.multi_timeout)
#define curl_multi_info_read (*heygen_curl.multi_info_read)
#define curl_multi_cleanup (*heygen_curl.multi_cleanup)
#define curl_slist_append (*heygen_curl.slist_append)
#define curl_slist_free_all (*heygen_curl.slist_free_all)
#define curl_url (*heygen_curl.url)
#define curl_url_get (*heygen_curl.url_get)
#define curl_url_set (*heygen_curl.url_set)
#define curl_url_cleanup (*heygen_curl.url_cleanup)
#endif

#endif
