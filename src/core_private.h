/* Internal interface between the pieces of heygen.core. */
#ifndef HEYGEN_CORE_PRIVATE_H
#define HEYGEN_CORE_PRIVATE_H

#include "compat.h"

#ifndef HEYGEN_VERSION
#define HEYGEN_VERSION "0.0.0"
#endif

/* Each registers its functions into the module table at the top of the stack. */
void heygen_http_open(lua_State *L);
void heygen_json_open(lua_State *L);
void heygen_crypto_open(lua_State *L);

/* The module entry point (also declared for C hosts in heygen.h). */
int luaopen_heygen_core(lua_State *L);

/* Push a table of the response headers in the raw block p[0..n) (status
 * lines skipped, names lower-cased, repeated names joined with ", "). */
void heygen_push_headers(lua_State *L, const char *p, size_t n);

/* Push p[0..end) lower-cased (ASCII). */
void heygen_push_lower(lua_State *L, const char *p, const char *end);

/* Push, for each of the count header names (lens[i] bytes, any case), its value
 * in the raw block p[0..n) as heygen_push_headers would have it in its table,
 * or nil: count values, found in one pass over the block. */
void heygen_push_header(lua_State *L, const char *p, size_t n, const char *const *names,
                        const size_t *lens, int count);

/* The first value of the header name (any case) in the raw block p[0..n),
 * trimmed: 1 with *v and *vlen set, or 0. No Lua state: libcurl callbacks use it. */
int heygen_find_header(const char *p, size_t n, const char *name, const char **v, size_t *vlen);

/* Where the Content-Range of the raw block says a 206's bytes start ("bytes
 * FIRST-LAST/TOTAL"), or -1 when it does not say so readably. */
long long heygen_range_start(const char *p, size_t n);

/* Monotonic clock in seconds. */
double heygen_now(void);

/* Sleep the whole thread for secs (signals do not cut it short). */
void heygen_sleep(double secs);

#endif
