/*
 * HTTP transfers on one libcurl multi handle.
 *
 * heygen.Multi owns a curl multi handle, a pool of easy handles and the
 * transfers in flight. heygen.Request is one transfer. libcurl's callbacks
 * only fill C buffers or write files: Lua is never called from inside
 * libcurl. perform() returns completion records and the Lua layer resumes
 * whoever waits for them.
 *
 * The curl multi handle is made by the first add (which also makes libcurl
 * ready, see curl_api.h): creating a heygen.Multi, as the scheduler does when
 * it is loaded, costs no libcurl.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core_private.h"
#include "curl_api.h"

#define MULTI_T "heygen.Multi"
#define REQUEST_T "heygen.Request"
#define RECORD_T "heygen.Record"
#define HEADER_LIST_T "heygen.HeaderList"
#define POOL_MAX 64

typedef struct {
  char *p;
  size_t n, cap;
} buffer;

typedef struct multi multi;

/* A request header list built once (core.header_list) and given to many
 * Multi:add calls as is: no copy per transfer. Counted: the transfers using it
 * and its userdata each hold it, and the last to let go frees it. */
typedef struct {
  struct curl_slist *list; /* its lines, then "Expect:" */
  int holders;
} shared_headers;

typedef enum { SINK_UNDECIDED, SINK_FILE, SINK_MEMORY } sink_mode;

typedef struct request {
  CURL *easy;   /* NULL once finished or cancelled */
  multi *owner; /* NULL once detached from its multi */
  lua_Integer id;
  struct curl_slist *headers;
  shared_headers *shared; /* a prepared list used as is (then headers is NULL) */
  curl_mime *mime;
  FILE *upload;      /* body_file */
  buffer body, head; /* response body (memory sink) and raw header lines */
  char *path;        /* stream a 2xx body here */
  FILE *fp;
  sink_mode sink;
  curl_off_t resume_from, file_bytes;
  int resumed, io_errno;
  int range_mismatch;              /* a 206 whose Content-Range does not start where we asked */
  int details;                     /* the record carries time, connects and byte counts */
  int too_large;                   /* the body passed max_body: the transfer was ended */
  curl_off_t max_body, body_bytes; /* the cap on the (decoded) body, 0: none; bytes so far */
  unsigned plain;                  /* a plain GET (see is_plain): the set-up generation, else 0 */
  int paused;                      /* its body waits for the next call's work budget */
  int timed_out;                   /* its timeout passed while the body came: ended by on_write */
  double timeout, deadline;        /* seconds; when it passes (heygen_now), 0: none */
  int nomem;                       /* a response buffer could not grow: the transfer was ended */
  int finished;     /* libcurl said it is done: its record waits in the multi's queue */
  int short_record; /* its full record could not be made (no memory): a short one */
  CURLcode result;  /* its final code, once finished */
  struct request *next_paused, *next_done;
  int anchor; /* its slot in the multi's anchor table (luaL_ref), LUA_NOREF when none */
  char errbuf[CURL_ERROR_SIZE];
} request;

/* A socket libcurl wants watched: events 1 = readable, 2 = writable, 3 = both, 0 = no more. */
typedef struct {
  curl_socket_t fd;
  int events;
} watch;

typedef struct {
  watch *p;
  int n, cap;
} watch_list;

struct multi {
  CURLM *m;        /* made by the first add; NULL before it and once closed */
  CURLSH *share;   /* TLS sessions shared by every transfer of this multi */
  int bundle_only; /* libcurl's default CA directory is dropped (see set_extra_options) */
  int closed;
  long host_max, total_max;
  lua_Integer next_id;
  int inflight_ref; /* registry ref: the anchor table, slot -> Request userdata */
  /* id -> request, open addressing (linear probes, backward-shift deletes). The
   * anchors are slots reused as transfers end, never new keys: a Lua table keyed
   * by ever-growing ids rehashed on nearly every add at 63 in flight. */
  request **byid;
  size_t byid_cap, byid_live;
  int running;
  CURL *pool[POOL_MAX];
  unsigned pool_plain[POOL_MAX]; /* still set up for a plain GET of this generation, or 0 */
  int npool;
  char *plain_ca[2];  /* cainfo and capath of the plain GETs' generation (NULL: none) */
  unsigned plain_gen; /* changes with them, so older plain handles are reset */
  char origin[256];   /* scheme://authority of the last URL curl_url accepted */
  size_t origin_len;
  /* curl's sockets and timer, as its callbacks said (on_socket, on_timer) */
  watch_list watched, changes; /* changes: kept for a host once it asked for fds() */
  int host_watches;
  double timer_at; /* when curl wants CURL_SOCKET_TIMEOUT acted on; < 0: never */
  struct pollfd *pfd;
  int pfd_cap, rr; /* rr: where the next pass over ready sockets starts */
  /* the work one perform or action may do (see work_begin) */
  int working, more; /* more: the budget ran out with work left */
  curl_off_t work_bytes, bytes_left;
  double work_secs, work_until;
  request *paused; /* transfers paused by the budget, resumed by the next call */
  /* finished transfers whose records are not yet delivered (FIFO): a record that
   * cannot be made for want of memory waits here for the next call */
  request *done, *done_last;
};

/* ---------------------------------------------------------------- buffers */

static int buffer_add(buffer *b, const char *p, size_t n) {
  if (b->n + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 1024;
    char *np;
    while (cap < b->n + n + 1) cap *= 2;
    np = realloc(b->p, cap);
    if (!np) return 0;
    b->p = np;
    b->cap = cap;
  }
  memcpy(b->p + b->n, p, n);
  b->n += n;
  b->p[b->n] = '\0';
  return 1;
}

static void buffer_free(buffer *b) {
  free(b->p);
  b->p = NULL;
  b->n = b->cap = 0;
}

/* ------------------------------------------------------ libcurl callbacks */

/* The file a 2xx body streams to, opened for appending or made empty. An
 * empty file is not truncated: on ext4 a truncated file is flushed to disk
 * by its close (auto_da_alloc), which held a frame 50 ms after a 100 MB
 * download into a file made by mkstemp. */
static FILE *open_body_file(const char *path, int append) {
  struct stat st;
  FILE *fp;
  int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : 0), 0666);
  if (fd < 0) return NULL;
  if (!append && (fstat(fd, &st) != 0 || (st.st_size > 0 && ftruncate(fd, 0) != 0))) {
    int e = errno;
    close(fd);
    errno = e;
    return NULL;
  }
  fp = fdopen(fd, append ? "ab" : "wb");
  if (!fp) {
    int e = errno;
    close(fd);
    errno = e;
  }
  return fp;
}

/* Choose where the body goes once the status is known: a 2xx streams to the
 * file (appending only on a 206 that starts where the ranged request asked; a
 * 200 is the whole file, written over what was there), anything else stays in
 * memory so the caller can read the error body. A 206 starting anywhere else
 * ends the transfer (range_mismatch): appended, it would corrupt the file. */
static int open_sink(request *r) {
  long code = 0;
  int append;
  curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &code);
  if (!r->path || code < 200 || code > 299) {
    r->sink = SINK_MEMORY;
    return 1;
  }
  if (code == 206 && heygen_range_start(r->head.p, r->head.n) != (long long)r->resume_from) {
    r->range_mismatch = 1;
    return 0;
  }
  append = r->resume_from > 0 && code == 206;
  r->fp = open_body_file(r->path, append);
  if (!r->fp) {
    r->io_errno = errno;
    return 0;
  }
  r->resumed = append;
  r->sink = SINK_FILE;
  return 1;
}

/* Has this call's work budget run out? Then the caller leaves the rest for
 * the next call, and timeout() says 0 meanwhile. */
static int work_spent(multi *mu) {
  if (mu->bytes_left > 0 && heygen_now() < mu->work_until) return 0;
  mu->more = 1;
  return 1;
}

static size_t on_write(char *data, size_t size, size_t nmemb, void *ud) {
  request *r = ud;
  multi *mu = r->owner;
  size_t n = size * nmemb;
  if (r->deadline > 0 && heygen_now() >= r->deadline) {
    /* libcurl's own check may not run for a transfer whose body is paused
     * and resumed by the work budget, call after call: the timeout bounds
     * the whole transfer here too */
    r->timed_out = 1;
    return 0;
  }
  if (mu && mu->working && work_spent(mu)) {
    /* libcurl keeps this chunk and stops reading the socket until resumed */
    if (!r->paused) {
      r->paused = 1;
      r->next_paused = mu->paused;
      mu->paused = r;
    }
    return CURL_WRITEFUNC_PAUSE;
  }
  if (mu) mu->bytes_left -= (curl_off_t)n;
  if (r->max_body > 0 && (curl_off_t)n > r->max_body - r->body_bytes) {
    r->too_large = 1; /* decoded bytes: a gzip bomb stops here too */
    return 0;
  }
  r->body_bytes += (curl_off_t)n;
  if (r->sink == SINK_UNDECIDED && !open_sink(r)) return 0;
  if (r->sink == SINK_FILE) {
    if (fwrite(data, 1, n, r->fp) != n) {
      r->io_errno = errno ? errno : EIO;
      return 0;
    }
    r->file_bytes += (curl_off_t)n;
    return n;
  }
  if (buffer_add(&r->body, data, n)) return n;
  r->nomem = 1;
  return 0;
}

static void watch_put(watch_list *w, curl_socket_t fd, int events, int append) {
  int i;
  if (!append)
    for (i = 0; i < w->n; i++)
      if (w->p[i].fd == fd) {
        if (events) {
          w->p[i].events = events;
        } else {
          w->p[i] = w->p[w->n - 1];
          w->n--;
        }
        return;
      }
  if (!events && !append) return;
  if (w->n == w->cap) {
    int cap = w->cap ? w->cap * 2 : 16;
    watch *np = realloc(w->p, (size_t)cap * sizeof(*np));
    if (!np) return; /* unwatched: the transfer ends by its timeout */
    w->p = np;
    w->cap = cap;
  }
  w->p[w->n].fd = fd;
  w->p[w->n++].events = events;
}

/* CURLMOPT_SOCKETFUNCTION: only recorded; perform polls the set, a host watches it. */
static int on_socket(CURL *e, curl_socket_t fd, int what, void *ud, void *sockp) {
  multi *mu = ud;
  int events = what == CURL_POLL_REMOVE ? 0 : what & (CURL_POLL_IN | CURL_POLL_OUT);
  (void)e;
  (void)sockp;
  watch_put(&mu->watched, fd, events, 0);
  if (mu->host_watches) watch_put(&mu->changes, fd, events, 1); /* in order: a reused fd too */
  return 0;
}

/* CURLMOPT_TIMERFUNCTION: when to act on CURL_SOCKET_TIMEOUT. */
static int on_timer(CURLM *m, long ms, void *ud) {
  multi *mu = ud;
  (void)m;
  mu->timer_at = ms < 0 ? -1 : heygen_now() + (double)ms / 1000.0;
  return 0;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *ud) {
  request *r = ud;
  size_t n = size * nmemb;
  /* A new status line (after 100 Continue or a redirect) starts a new block. */
  if (n >= 5 && memcmp(data, "HTTP/", 5) == 0) r->head.n = 0;
  if (buffer_add(&r->head, data, n)) return n;
  r->nomem = 1;
  return 0;
}

/* ---------------------------------------------------------------- helpers */

static multi *check_multi(lua_State *L, int idx) {
  multi *mu = luaL_checkudata(L, idx, MULTI_T);
  luaL_argcheck(L, !mu->closed, idx, "heygen.Multi is closed");
  return mu;
}

static double opt_number_field(lua_State *L, int t, const char *k, double dflt) {
  double v;
  lua_getfield(L, t, k);
  v = lua_isnil(L, -1) ? dflt : luaL_checknumber(L, -1);
  lua_pop(L, 1);
  return v;
}

static const char *opt_string_field(lua_State *L, int t, const char *k, size_t *len) {
  const char *s;
  lua_getfield(L, t, k);
  s = lua_isnil(L, -1) ? NULL : luaL_checklstring(L, -1, len);
  lua_pop(L, 1); /* the string stays alive: the options table references it */
  return s;
}

/* ------------------------------------------------------- Multi:add options */

/* Every option of Multi:add, once: X(name, kind). The kind says the Lua type
 * it must have and how it is kept in add_opts; the struct, the names checked,
 * and the reader below are all made from this table. A new option is a row
 * here, and what it does in set_extra_options (or wherever it acts). */
#define ADD_OPTIONS(X)        \
  X(url, STRING)              \
  X(method, STRING)           \
  X(headers, HEADERS)         \
  X(body, LSTRING)            \
  X(body_file, STRING)        \
  X(mime, TABLE)              \
  X(file, STRING)             \
  X(resume_from, NUMBER)      \
  X(follow, BOOLEAN)          \
  X(stall_timeout, NUMBER)    \
  X(accept_encoding, BOOLEAN) \
  X(cainfo, STRING)           \
  X(capath, STRING)           \
  X(details, BOOLEAN)         \
  X(timeout, NUMBER)          \
  X(connect_timeout, NUMBER)  \
  X(max_body, NUMBER)

/* How each kind is kept: strings stay alive while the options table is on the
 * stack (it holds them); a table option is only marked present. */
#define OPT_FIELD_STRING(n) const char *n;
#define OPT_FIELD_LSTRING(n) \
  const char *n;             \
  size_t n##_len;
#define OPT_FIELD_NUMBER(n) double n;
#define OPT_FIELD_BOOLEAN(n) int n;
#define OPT_FIELD_TABLE(n) int n;
#define OPT_FIELD_HEADERS(n) \
  int n;                     \
  shared_headers *n##_shared;
#define OPT_FIELD(n, kind) OPT_FIELD_##kind(n)

#define OPT_READ_STRING(o, n) (o)->n = lua_tostring(L, -1)
#define OPT_READ_LSTRING(o, n) (o)->n = lua_tolstring(L, -1, &(o)->n##_len)
#define OPT_READ_NUMBER(o, n) (o)->n = lua_tonumber(L, -1)
#define OPT_READ_BOOLEAN(o, n) (o)->n = lua_toboolean(L, -1)
#define OPT_READ_TABLE(o, n) (o)->n = 1
#define OPT_READ_HEADERS(o, n) \
  ((o)->n = 1,                 \
   (o)->n##_shared = lua_istable(L, -1) ? NULL : *(shared_headers **)lua_touserdata(L, -1))

#define OPT_TYPE_STRING LUA_TSTRING
#define OPT_TYPE_LSTRING LUA_TSTRING
#define OPT_TYPE_NUMBER LUA_TNUMBER
#define OPT_TYPE_BOOLEAN LUA_TBOOLEAN
#define OPT_TYPE_TABLE LUA_TTABLE
#define OPT_TYPE_HEADERS LUA_TTABLE /* or a heygen.HeaderList (see add_key_of) */

typedef struct {
  ADD_OPTIONS(OPT_FIELD)
} add_opts;

#define OPT_ENUM(n, kind) K_##n,
typedef enum { ADD_OPTIONS(OPT_ENUM) K_COUNT } add_key;

#define OPT_ROW(n, kind) {#n, sizeof(#n) - 1, OPT_TYPE_##kind},
static const struct {
  const char *name;
  size_t len;
  int type;
} ADD_KEYS[K_COUNT] = {ADD_OPTIONS(OPT_ROW)};

/* The option named by the key at -2, its value (at -1) type-checked: a
 * misspelt or unknown option, or one of the wrong type, is an error instead
 * of being ignored. */
static add_key add_key_of(lua_State *L) {
  size_t n;
  const char *k;
  int i;
  if (lua_type(L, -2) != LUA_TSTRING)
    luaL_error(L, "Multi:add: options are named fields (got a %s key)", luaL_typename(L, -2));
  k = lua_tolstring(L, -2, &n);
  for (i = 0; i < K_COUNT; i++)
    if (ADD_KEYS[i].len == n && memcmp(ADD_KEYS[i].name, k, n) == 0) break;
  if (i == K_COUNT) luaL_error(L, "Multi:add: unknown option '%s'", k);
  if (i == K_headers && luaL_testudata(L, -1, HEADER_LIST_T)) return K_headers;
  if (lua_type(L, -1) != ADD_KEYS[i].type)
    luaL_error(L, "Multi:add: option '%s' must be a %s (got %s)", k,
               lua_typename(L, ADD_KEYS[i].type), luaL_typename(L, -1));
  return (add_key)i;
}

#define OPT_CASE(n, kind)  \
  case K_##n:              \
    OPT_READ_##kind(o, n); \
    break;

/* The options of one Multi:add, read in one pass over its table. */
static void read_add_options(lua_State *L, int t, add_opts *o) {
  memset(o, 0, sizeof(*o));
  o->accept_encoding = 1;
  o->details = 1;
  lua_pushnil(L);
  while (lua_next(L, t)) {
    switch (add_key_of(L)) {
      ADD_OPTIONS(OPT_CASE)
      case K_COUNT:
        break;
    }
    lua_pop(L, 1);
  }
  if (!o->method) o->method = "GET";
  if (o->max_body < 0 || o->max_body != o->max_body)
    luaL_error(L, "Multi:add: option 'max_body' must be >= 0 (got %f)", o->max_body);
}

/* The headers and mime tables, checked before any handle is taken: once one
 * is, Multi:add raises no more (a raise would leave the handle to a Request
 * nothing anchors, past the close of its multi). */
static void check_add_tables(lua_State *L, int t, const add_opts *o) {
  if (o->headers && !o->headers_shared) {
    lua_getfield(L, t, "headers");
    lua_pushnil(L);
    while (lua_next(L, -2)) {
      int kt = lua_type(L, -2), vt = lua_type(L, -1);
      if (kt != LUA_TNUMBER && kt != LUA_TSTRING)
        luaL_error(L, "Multi:add: a header name must be a string (got %s)", lua_typename(L, kt));
      if (vt != LUA_TSTRING && vt != LUA_TNUMBER) {
        if (kt == LUA_TSTRING)
          luaL_error(L, "Multi:add: header '%s' must be a string (got %s)", lua_tostring(L, -2),
                     lua_typename(L, vt));
        luaL_error(L, "Multi:add: a header line must be a string (got %s)", lua_typename(L, vt));
      }
      lua_pop(L, 1);
    }
    lua_pop(L, 1);
  }
  if (o->mime) {
    static const char *const fields[] = {"name", "data", "file", "filename", "type"};
    int i, n, f;
    lua_getfield(L, t, "mime");
    n = (int)lua_rawlen(L, -1);
    for (i = 1; i <= n; i++) {
      lua_rawgeti(L, -1, i);
      if (!lua_istable(L, -1))
        luaL_error(L, "Multi:add: mime part %d must be a table (got %s)", i, luaL_typename(L, -1));
      for (f = 0; f < 5; f++) {
        lua_getfield(L, -1, fields[f]);
        if (!lua_isnil(L, -1) && lua_type(L, -1) != LUA_TSTRING && lua_type(L, -1) != LUA_TNUMBER)
          luaL_error(L, "Multi:add: mime part %d: '%s' must be a string (got %s)", i, fields[f],
                     luaL_typename(L, -1));
        lua_pop(L, 1);
      }
      lua_pop(L, 1);
    }
    lua_pop(L, 1);
  }
}

/* Release everything a finished or abandoned transfer holds, except the
 * response buffers (read by collect). Idempotent. */
static void shared_headers_release(shared_headers *h) {
  if (--h->holders > 0) return;
  curl_slist_free_all(h->list);
  free(h);
}

static void unlink_paused(multi *mu, request *r) {
  request **p = &mu->paused;
  while (*p && *p != r) p = &(*p)->next_paused;
  if (*p) *p = r->next_paused;
  r->next_paused = NULL;
  r->paused = 0;
}

static void request_release_transfer(request *r) {
  multi *mu = r->owner;
  if (r->paused && mu) unlink_paused(mu, r);
  if (r->easy) {
    if (mu && mu->m) curl_multi_remove_handle(mu->m, r->easy);
    if (r->plain) { /* nothing may point into this request once it is gone */
      curl_easy_setopt(r->easy, CURLOPT_ERRORBUFFER, NULL);
      curl_easy_setopt(r->easy, CURLOPT_HTTPHEADER, NULL);
      curl_easy_setopt(r->easy, CURLOPT_PRIVATE, NULL);
      curl_easy_setopt(r->easy, CURLOPT_WRITEDATA, NULL);
      curl_easy_setopt(r->easy, CURLOPT_HEADERDATA, NULL);
    } else {
      curl_easy_reset(r->easy);
    }
    if (mu && mu->npool < POOL_MAX) {
      mu->pool_plain[mu->npool] = r->plain;
      mu->pool[mu->npool++] = r->easy;
    } else {
      curl_easy_cleanup(r->easy);
    }
    r->easy = NULL;
  }
  if (r->headers) curl_slist_free_all(r->headers);
  r->headers = NULL;
  if (r->shared) shared_headers_release(r->shared);
  r->shared = NULL;
  if (r->mime) curl_mime_free(r->mime);
  r->mime = NULL;
  if (r->upload) fclose(r->upload);
  r->upload = NULL;
}

static void request_free_all(request *r) {
  request_release_transfer(r);
  if (r->fp) fclose(r->fp);
  r->fp = NULL;
  free(r->path);
  r->path = NULL;
  buffer_free(&r->body);
  buffer_free(&r->head);
}

static size_t byid_home(const multi *mu, lua_Integer id) {
  return (size_t)(((unsigned long long)id * 0x9E3779B97F4A7C15ULL) >> 17) & (mu->byid_cap - 1);
}

static void byid_put(multi *mu, request *r) {
  size_t i = byid_home(mu, r->id);
  while (mu->byid[i]) i = (i + 1) & (mu->byid_cap - 1);
  mu->byid[i] = r;
  mu->byid_live++;
}

/* Room for one more id (the table at most half full); 0: no memory. */
static int byid_reserve(multi *mu) {
  request **old = mu->byid;
  size_t i, cap = mu->byid_cap, bigger = cap ? cap * 2 : 64;
  if ((mu->byid_live + 1) * 2 <= cap) return 1;
  mu->byid = calloc(bigger, sizeof(*mu->byid));
  if (!mu->byid) {
    mu->byid = old;
    return 0;
  }
  mu->byid_cap = bigger;
  mu->byid_live = 0;
  for (i = 0; i < cap; i++)
    if (old[i]) byid_put(mu, old[i]);
  free(old);
  return 1;
}

/* Where id is (*found = 1), or the empty slot ending its probe run. */
static size_t byid_find(const multi *mu, lua_Integer id, int *found) {
  size_t i;
  *found = 0;
  if (!mu->byid_cap) return 0;
  for (i = byid_home(mu, id); mu->byid[i]; i = (i + 1) & (mu->byid_cap - 1))
    if (mu->byid[i]->id == id) {
      *found = 1;
      break;
    }
  return i;
}

static void byid_remove(multi *mu, lua_Integer id) {
  int found;
  size_t hole = byid_find(mu, id, &found), i, mask = mu->byid_cap - 1;
  if (!found) return;
  mu->byid[hole] = NULL;
  mu->byid_live--;
  /* backward shift: a later entry of the run moves into the hole unless its home
   * lies cyclically in (hole, i] */
  for (i = (hole + 1) & mask; mu->byid[i]; i = (i + 1) & mask) {
    size_t home = byid_home(mu, mu->byid[i]->id);
    if (((i - home) & mask) >= ((i - hole) & mask)) {
      mu->byid[hole] = mu->byid[i];
      mu->byid[i] = NULL;
      hole = i;
    }
  }
}

/* Anchor the Request userdata at value_idx and index it by its id. Raises only
 * for want of memory, with nothing changed. */
static void inflight_add(lua_State *L, multi *mu, request *r, int value_idx) {
  lua_rawgeti(L, LUA_REGISTRYINDEX, mu->inflight_ref);
  lua_pushvalue(L, value_idx);
  r->anchor = luaL_ref(L, -2);
  if (!byid_reserve(mu)) {
    luaL_unref(L, -1, r->anchor);
    r->anchor = LUA_NOREF;
    luaL_error(L, "out of memory adding a transfer");
  }
  lua_pop(L, 1);
  byid_put(mu, r);
}

/* Drop r's anchor and id (allocates nothing: its slot exists already). */
static void inflight_remove(lua_State *L, multi *mu, request *r) {
  byid_remove(mu, r->id);
  if (r->anchor == LUA_NOREF) return;
  lua_rawgeti(L, LUA_REGISTRYINDEX, mu->inflight_ref);
  luaL_unref(L, -1, r->anchor);
  lua_pop(L, 1);
  r->anchor = LUA_NOREF;
}

/* The request in flight with this id, or NULL. */
static request *inflight_get(multi *mu, lua_Integer id) {
  int found;
  size_t i = byid_find(mu, id, &found);
  return found ? mu->byid[i] : NULL;
}

/* Request headers come as a map {name = value} or a list {"Name: value"}. */
static int build_headers(lua_State *L, int t, const add_opts *o, request *r) {
  int with_range = r->path && r->resume_from > 0;
  if (o->headers_shared && !with_range) { /* as is: it ends with "Expect:" already */
    r->shared = o->headers_shared;
    r->shared->holders++;
    return 1;
  }
  if (o->headers_shared) { /* a copy, to which the Range line is added */
    const struct curl_slist *l;
    for (l = o->headers_shared->list; l; l = l->next) {
      struct curl_slist *n = curl_slist_append(r->headers, l->data);
      if (!n) return 0;
      r->headers = n;
    }
  } else if (o->headers) {
    int h;
    lua_getfield(L, t, "headers");
    h = lua_gettop(L);
    lua_pushnil(L);
    while (lua_next(L, h)) {
      const char *line;
      struct curl_slist *n;
      if (lua_type(L, -2) == LUA_TNUMBER) {
        line = luaL_checkstring(L, -1);
        n = curl_slist_append(r->headers, line);
      } else { /* "Name: value" made in C: nothing here allocates from the Lua state */
        size_t kl, vl;
        const char *k = lua_tolstring(L, -2, &kl), *v = lua_tolstring(L, -1, &vl);
        char small[256], *buf = kl + vl + 3 <= sizeof(small) ? small : malloc(kl + vl + 3);
        if (!buf) return 0;
        memcpy(buf, k, kl);
        memcpy(buf + kl, ": ", 2);
        memcpy(buf + kl + 2, v, vl + 1);
        n = curl_slist_append(r->headers, buf);
        if (buf != small) free(buf);
      }
      lua_pop(L, 1);
      if (!n) return 0;
      r->headers = n;
    }
    lua_pop(L, 1);
  }
  if (with_range) {
    char range[48];
    struct curl_slist *n;
    snprintf(range, sizeof(range), "Range: bytes=%" CURL_FORMAT_CURL_OFF_T "-", r->resume_from);
    if (!(n = curl_slist_append(r->headers, range))) return 0;
    r->headers = n;
  }
  /* We decide on 100-continue ourselves: never wait a second for it. */
  if (!o->headers_shared) r->headers = curl_slist_append(r->headers, "Expect:");
  return r->headers != NULL;
}

/* core.header_list(headers): headers as Multi:add takes them (a map or a list of
 * "Name: value"), made into a curl list once, for many transfers to share. */
static int header_list_new(lua_State *L) {
  shared_headers **ud, *h;
  add_opts o;
  request scratch;
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_settop(L, 1);
  heygen_curl_ready(L);     /* curl_slist_append: libcurl loaded (heygen-lua) on this first use */
  lua_createtable(L, 0, 1); /* check_add_tables' view: {headers = t} */
  lua_pushvalue(L, 1);
  lua_setfield(L, -2, "headers");
  memset(&o, 0, sizeof(o));
  o.headers = 1;
  check_add_tables(L, 2, &o); /* names and values: raises as Multi:add would */
  ud = lua_newuserdatauv(L, sizeof(*ud), 0);
  *ud = NULL;
  luaL_setmetatable(L, HEADER_LIST_T);
  h = malloc(sizeof(*h));
  if (!h) return luaL_error(L, "out of memory making a header list");
  memset(&scratch, 0, sizeof(scratch));
  if (!build_headers(L, 2, &o, &scratch)) {
    curl_slist_free_all(scratch.headers);
    free(h);
    return luaL_error(L, "out of memory making a header list");
  }
  h->list = scratch.headers;
  h->holders = 1;
  *ud = h;
  return 1;
}

static int header_list_gc(lua_State *L) {
  shared_headers **ud = luaL_checkudata(L, 1, HEADER_LIST_T);
  if (*ud) shared_headers_release(*ud);
  *ud = NULL;
  return 0;
}

static int header_list_tostring(lua_State *L) {
  shared_headers **ud = luaL_checkudata(L, 1, HEADER_LIST_T);
  int lines = 0;
  const struct curl_slist *l;
  for (l = *ud ? (*ud)->list : NULL; l; l = l->next) lines++;
  lua_pushfstring(L, HEADER_LIST_T " (%d lines)",
                  lines > 0 ? lines - 1 : 0); /* Expect: not counted */
  return 1;
}

static const char *build_mime(lua_State *L, int t, request *r) {
  int n, i, parts;
  lua_getfield(L, t, "mime");
  parts = lua_gettop(L);
  r->mime = curl_mime_init(r->easy);
  n = (int)lua_rawlen(L, parts);
  for (i = 1; i <= n; i++) {
    curl_mimepart *part = curl_mime_addpart(r->mime);
    size_t len;
    const char *s;
    lua_rawgeti(L, parts, i);
    luaL_checktype(L, -1, LUA_TTABLE);
    if ((s = opt_string_field(L, -1, "name", NULL))) curl_mime_name(part, s);
    if ((s = opt_string_field(L, -1, "data", &len))) curl_mime_data(part, s, len);
    if ((s = opt_string_field(L, -1, "file", NULL))) {
      if (curl_mime_filedata(part, s) != CURLE_OK) {
        lua_pop(L, 2);
        return "cannot read mime file part";
      }
    }
    if ((s = opt_string_field(L, -1, "filename", NULL))) curl_mime_filename(part, s);
    if ((s = opt_string_field(L, -1, "type", NULL))) curl_mime_type(part, s);
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  curl_easy_setopt(r->easy, CURLOPT_MIMEPOST, r->mime);
  return NULL;
}

/* Method and body. Returns an error message or NULL. */
static const char *set_method_body(lua_State *L, int t, const add_opts *o, request *r) {
  const char *method = o->method, *body = o->body, *body_file = o->body_file;
  size_t blen = o->body_len;
  CURL *e = r->easy;
  int is_get = strcmp(method, "GET") == 0, is_head = strcmp(method, "HEAD") == 0;
  int is_post = strcmp(method, "POST") == 0, is_put = strcmp(method, "PUT") == 0;

  if (is_head) curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
  if (body_file) {
    curl_off_t size;
    r->upload = fopen(body_file, "rb");
    if (!r->upload) return strerror(errno);
    if (fseeko(r->upload, 0, SEEK_END) != 0) return strerror(errno);
    size = (curl_off_t)ftello(r->upload);
    rewind(r->upload);
    curl_easy_setopt(e, CURLOPT_READDATA, r->upload);
    if (is_put) {
      curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
      curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, size);
    } else {
      curl_easy_setopt(e, CURLOPT_POST, 1L);
      curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, size);
      if (!is_post) curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
    }
    return NULL;
  }
  if (o->mime) {
    const char *err = build_mime(L, t, r);
    if (err) return err;
    if (!is_post) curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
    return NULL;
  }
  if (body || is_post) {
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)blen);
    curl_easy_setopt(e, CURLOPT_COPYPOSTFIELDS, body ? body : "");
    if (!is_post) curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
  } else if (!is_get && !is_head) {
    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
  }
  return NULL;
}

/* Length of the scheme://authority part at the start of url, 0 if none. */
static size_t origin_length(const char *url) {
  const char *p = strstr(url, "://");
  if (!p) return 0;
  p += 3;
  return (size_t)(p - url) + strcspn(p, "/?#");
}

/* After the authority, curl_url_set refuses only control bytes, space and DEL. */
static int clean_tail(const char *s) {
  for (; *s; s++)
    if ((unsigned char)*s <= 0x20 || (unsigned char)*s == 0x7f) return 0;
  return 1;
}

/* A full curl_url parse costs more than the rest of multi_add: a URL with the
 * origin of the last one accepted (every status poll of a client) only has
 * its tail checked. */
static int valid_url(multi *mu, const char *url) {
  size_t n = origin_length(url);
  CURLU *u;
  int ok;
  if (n > 0 && n == mu->origin_len && memcmp(url, mu->origin, n) == 0) return clean_tail(url + n);
  u = curl_url();
  ok = u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK;
  if (ok) {
    char *scheme = NULL;
    ok = curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
         (strcmp(scheme, "http") == 0 || strcmp(scheme, "https") == 0);
    curl_free(scheme);
  }
  curl_url_cleanup(u);
  if (ok && n > 0 && n < sizeof(mu->origin)) {
    memcpy(mu->origin, url, n);
    mu->origin_len = n;
  }
  return ok;
}

static long to_ms(double secs) { return secs > 0 ? (long)(secs * 1000.0 + 0.5) : 0L; }

/* -------------------------------------------------------------- Multi API */

static int multi_new(lua_State *L) {
  multi *mu;
  long host_max, total_max;
  double work_bytes, work_ms;
  lua_settop(L, 1);
  if (lua_isnil(L, 1)) {
    lua_newtable(L);
    lua_replace(L, 1);
  }
  luaL_checktype(L, 1, LUA_TTABLE);
  host_max = (long)opt_number_field(L, 1, "max_host_connections", 64);
  total_max = (long)opt_number_field(L, 1, "max_total_connections", 0);
  work_bytes = opt_number_field(L, 1, "work_bytes", 4 * 1024 * 1024);
  work_ms = opt_number_field(L, 1, "work_ms", 3); /* with what crosses it: under 4 ms a step */
  luaL_argcheck(L, work_bytes >= 1 && work_ms > 0, 1, "work_bytes and work_ms must be > 0");
  mu = lua_newuserdatauv(L, sizeof(*mu), 0);
  memset(mu, 0, sizeof(*mu));
  mu->timer_at = -1;
  mu->work_bytes = (curl_off_t)work_bytes;
  mu->work_secs = work_ms / 1000.0;
  mu->inflight_ref = LUA_NOREF;
  luaL_setmetatable(L, MULTI_T);
  mu->host_max = host_max;
  mu->total_max = total_max;
  lua_newtable(L);
  mu->inflight_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  return 1;
}

/* The curl multi handle, made (with libcurl ready) on first use. */
static CURLM *curl_multi_of(lua_State *L, multi *mu) {
  if (mu->m) return mu->m;
  heygen_curl_ready(L);
  mu->m = curl_multi_init();
  if (!mu->m) luaL_error(L, "curl_multi_init failed");
  curl_multi_setopt(mu->m, CURLMOPT_MAX_HOST_CONNECTIONS, mu->host_max);
  curl_multi_setopt(mu->m, CURLMOPT_MAX_TOTAL_CONNECTIONS, mu->total_max);
  curl_multi_setopt(mu->m, CURLMOPT_MAXCONNECTS, mu->host_max > 0 ? mu->host_max * 2 : 128L);
  curl_multi_setopt(mu->m, CURLMOPT_SOCKETFUNCTION, on_socket);
  curl_multi_setopt(mu->m, CURLMOPT_SOCKETDATA, (void *)mu);
  curl_multi_setopt(mu->m, CURLMOPT_TIMERFUNCTION, on_timer);
  curl_multi_setopt(mu->m, CURLMOPT_TIMERDATA, (void *)mu);
  /* Connections and the DNS cache are the multi's already; TLS sessions are
   * per easy handle unless shared, and a resumed session skips most of a
   * handshake. One thread: the share needs no lock functions. */
  mu->share = curl_share_init();
  if (mu->share) curl_share_setopt(mu->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
  {
    const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);
    mu->bundle_only = v->age >= CURLVERSION_SEVENTH && v->cainfo != NULL;
  }
  return mu->m;
}

/* A plain request is a GET with no body, no file, no redirects, no stall limit
 * and compressed answers accepted: every status poll. Its easy handle goes back
 * to the pool without curl_easy_reset, and the next plain request with the same
 * cainfo and capath (see plain_generation) sets only the options that differ. */
static int is_plain(const add_opts *o) {
  return strcmp(o->method, "GET") == 0 && !o->body && !o->body_file && !o->mime && !o->file &&
         !o->follow && o->stall_timeout <= 0 && o->accept_encoding;
}

static int same_string(const char *a, const char *b) {
  return a == b || (a && b && strcmp(a, b) == 0);
}

/* The set-up generation of a plain request: a new one when its CA options
 * differ from those of the plain requests before it. */
static unsigned plain_generation(const add_opts *o, multi *mu) {
  const char *ca[2];
  int i, changed = 0;
  ca[0] = o->cainfo;
  ca[1] = o->capath;
  for (i = 0; i < 2; i++) {
    const char *s = ca[i];
    if (!same_string(s, mu->plain_ca[i])) {
      char *copy = s ? strdup(s) : NULL;
      if (s && !copy) return 0; /* no memory: not plain, a full set-up */
      free(mu->plain_ca[i]);
      mu->plain_ca[i] = copy;
      changed = 1;
    }
  }
  if (changed || mu->plain_gen == 0) mu->plain_gen++;
  if (mu->plain_gen == 0) mu->plain_gen = 1;
  return mu->plain_gen;
}

/* An easy handle from the pool (or a new one). *ready: it is still set up for
 * a plain request of generation gen (non-zero). */
static CURL *take_handle(multi *mu, unsigned gen, int *ready) {
  CURL *e;
  unsigned was;
  *ready = 0;
  if (mu->npool == 0) return curl_easy_init();
  e = mu->pool[--mu->npool];
  was = mu->pool_plain[mu->npool];
  if (was && was == gen)
    *ready = 1;
  else if (was)
    curl_easy_reset(e);
  return e;
}

/* The options every transfer has, whatever its request. */
static void set_base_options(multi *mu, CURL *e) {
  if (mu->share) curl_easy_setopt(e, CURLOPT_SHARE, mu->share);
#if CURL_AT_LEAST_VERSION(7, 87, 0)
  /* the parsed CA store is kept by the multi and reused by every connection */
  curl_easy_setopt(e, CURLOPT_CA_CACHE_TIMEOUT, 86400L);
#endif
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
}

/* The options a plain request does not have (set on a handle fresh from a reset). */
static void set_extra_options(multi *mu, const add_opts *o, request *r) {
  CURL *e = r->easy;
  /* stall detection: less than a byte a second for this many seconds ends the transfer */
  long stall = (long)o->stall_timeout;
  int follow = o->follow;
  if (stall > 0) {
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, stall);
  }
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, follow ? 1L : 0L);
  if (follow) curl_easy_setopt(e, CURLOPT_MAXREDIRS, 5L);

  /* libcurl caches the CA store of a CA file only, never one with a CA
   * directory; Debian's libcurl has both by default, so every connection
   * would read and parse the whole bundle again (50-100 ms). The bundle holds
   * what the directory does: the directory goes, unless asked for. */
  if (o->cainfo) curl_easy_setopt(e, CURLOPT_CAINFO, o->cainfo);
  if (o->capath)
    curl_easy_setopt(e, CURLOPT_CAPATH, o->capath);
  else if (o->cainfo || mu->bundle_only)
    curl_easy_setopt(e, CURLOPT_CAPATH, NULL);

  if (o->file) {
    r->path = strdup(o->file);
    /* resume_from is our own Range header (see build_headers), not CURLOPT_RESUME_FROM:
     * libcurl would end a transfer whose server ignores the range, and we take
     * its 200 as the whole file instead (open_sink) */
    r->resume_from = (curl_off_t)o->resume_from;
    /* Media to disk: fewer, larger reads and writes than the 16 KB default. */
    curl_easy_setopt(e, CURLOPT_BUFFERSIZE, 256L * 1024L);
  } else if (o->accept_encoding) {
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, ""); /* every encoding libcurl has */
  }
}

static int multi_add(lua_State *L) {
  multi *mu = check_multi(L, 1);
  request *r;
  CURL *e;
  const char *url, *err;
  unsigned plain;
  int ready;
  add_opts o;

  luaL_checktype(L, 2, LUA_TTABLE);
  lua_settop(L, 2);
  curl_multi_of(L, mu);
  read_add_options(L, 2, &o);
  check_add_tables(L, 2, &o);
  url = o.url;
  luaL_argcheck(L, url != NULL, 2, "url is required");
  if (!valid_url(mu, url)) {
    luaL_pushfail(L);
    lua_pushfstring(L, "malformed URL: %s", url);
    lua_pushinteger(L, CURLE_URL_MALFORMAT);
    return 3;
  }
  plain = is_plain(&o) ? plain_generation(&o, mu) : 0;

  r = lua_newuserdatauv(L, sizeof(*r), 0);
  memset(r, 0, sizeof(*r));
  luaL_setmetatable(L, REQUEST_T);
  /* its slot in the in-flight table before a handle is taken: the last step
   * that may raise (no memory) while nothing would be left behind */
  r->id = mu->next_id + 1;
  r->anchor = LUA_NOREF;
  inflight_add(L, mu, r, 3);
  mu->next_id = r->id;
  e = take_handle(mu, plain, &ready);
  if (!e) {
    inflight_remove(L, mu, r);
    return luaL_error(L, "curl_easy_init failed");
  }
  r->easy = e;
  r->owner = mu;
  r->details = o.details;
  r->max_body = (curl_off_t)o.max_body;
  r->timeout = o.timeout;
  r->deadline = o.timeout > 0 ? heygen_now() + o.timeout : 0;

  if (!ready) set_base_options(mu, e);
  curl_easy_setopt(e, CURLOPT_URL, url);
  curl_easy_setopt(e, CURLOPT_PRIVATE, (void *)r);
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, r->errbuf);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, (void *)r);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, (void *)r);
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, to_ms(o.timeout));
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, to_ms(o.connect_timeout));
  if (!ready) set_extra_options(mu, &o, r);

  if (!build_headers(L, 2, &o, r)) {
    request_free_all(r);
    inflight_remove(L, mu, r);
    return luaL_error(L, "out of memory building headers");
  }
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, r->shared ? r->shared->list : r->headers);

  /* a plain GET has no body, file or mime to set: nothing for set_method_body to do */
  err = plain ? NULL : set_method_body(L, 2, &o, r);
  if (err) {
    request_free_all(r);
    inflight_remove(L, mu, r);
    luaL_pushfail(L);
    lua_pushstring(L, err);
    lua_pushinteger(L, CURLE_READ_ERROR);
    return 3;
  }

  if (curl_multi_add_handle(mu->m, e) != CURLM_OK) {
    request_free_all(r);
    inflight_remove(L, mu, r);
    return luaL_error(L, "curl_multi_add_handle failed");
  }
  r->plain = plain; /* set up completely: its handle may skip the reset */
  mu->running++;
  lua_pushinteger(L, r->id);
  lua_pushvalue(L, 3);
  return 2;
}

static void set_num(lua_State *L, const char *k, double v) {
  lua_pushnumber(L, v);
  lua_setfield(L, -2, k);
}

static void set_int(lua_State *L, const char *k, lua_Integer v) {
  lua_pushinteger(L, v);
  lua_setfield(L, -2, k);
}

static double info_secs(CURL *e, CURLINFO what) {
  curl_off_t us = 0;
  curl_easy_getinfo(e, what, &us);
  return (double)us / 1e6;
}

/* The rarely read part of a record: timings, connections, byte counts. */
static void push_details(lua_State *L, CURL *e) {
  long connects = 0;
  curl_off_t up = 0, down = 0;
  curl_easy_getinfo(e, CURLINFO_NUM_CONNECTS, &connects);
  set_int(L, "connects", (lua_Integer)connects);
  lua_createtable(L, 0, 5);
  set_num(L, "total", info_secs(e, CURLINFO_TOTAL_TIME_T));
  set_num(L, "dns", info_secs(e, CURLINFO_NAMELOOKUP_TIME_T));
  set_num(L, "connect", info_secs(e, CURLINFO_CONNECT_TIME_T));
  set_num(L, "tls", info_secs(e, CURLINFO_APPCONNECT_TIME_T));
  set_num(L, "ttfb", info_secs(e, CURLINFO_STARTTRANSFER_TIME_T));
  lua_setfield(L, -2, "time");
  curl_easy_getinfo(e, CURLINFO_SIZE_UPLOAD_T, &up);
  curl_easy_getinfo(e, CURLINFO_SIZE_DOWNLOAD_T, &down);
  set_int(L, "bytes_sent", (lua_Integer)up);
  set_int(L, "bytes_received", (lua_Integer)down);
}

/* What ends a transfer outside Lua, once, when libcurl says it is done: the
 * file of a 2xx body made and closed, and the final code. No Lua (and no
 * allocation of the Lua state): what the record says is decided here. */
static void finish_transfer(request *r, CURLcode code) {
  long status = 0;
  curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &status);
  if (code == CURLE_OK && r->path && r->sink == SINK_UNDECIDED && status >= 200 && status < 300) {
    /* an empty 2xx body still produces the (empty) file */
    if (!open_sink(r)) code = CURLE_WRITE_ERROR;
  }
  if (r->fp) {
    if (fclose(r->fp) != 0 && !r->io_errno) r->io_errno = errno;
    r->fp = NULL;
    if (r->io_errno && code == CURLE_OK) code = CURLE_WRITE_ERROR;
  }
  if (r->too_large) code = CURLE_FILESIZE_EXCEEDED;
  if (r->nomem) {
    code = CURLE_OUT_OF_MEMORY;
    snprintf(r->errbuf, sizeof(r->errbuf), "out of memory buffering the response");
  }
  if (r->timed_out) {
    code = CURLE_OPERATION_TIMEDOUT;
    snprintf(r->errbuf, sizeof(r->errbuf),
             "Operation timed out after %ld milliseconds with %" CURL_FORMAT_CURL_OFF_T
             " bytes received",
             to_ms(r->timeout), r->body_bytes);
  }
  r->result = code;
  r->finished = 1;
}

/* The record of a finished transfer whose full record could not be made for
 * want of memory: the transfer fails with CURLE_OUT_OF_MEMORY (its answer is
 * dropped), in a record small enough to be made once the collector ran. */
static void push_short_record(lua_State *L, request *r) {
  long status = 0, reqsize = 0;
  curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_getinfo(r->easy, CURLINFO_REQUEST_SIZE, &reqsize);
  lua_createtable(L, 0, 5);
  set_int(L, "id", r->id);
  set_int(L, "status", (lua_Integer)status);
  set_int(L, "code", (lua_Integer)CURLE_OUT_OF_MEMORY);
  lua_pushboolean(L, reqsize > 0);
  lua_setfield(L, -2, "sent");
  lua_pushliteral(L, "out of memory making the response record (the answer was dropped)");
  lua_setfield(L, -2, "error");
  luaL_setmetatable(L, RECORD_T);
}

/* Push the completion record of the finished transfer r. */
static void push_record(lua_State *L, request *r) {
  long status = 0, reqsize = 0;
  CURL *e = r->easy;
  CURLcode code = r->result;
  curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_getinfo(e, CURLINFO_REQUEST_SIZE, &reqsize);

  lua_createtable(L, 0, r->details ? 14 : 8);
  set_int(L, "id", r->id);
  set_int(L, "status", (lua_Integer)status);
  set_int(L, "code", (lua_Integer)code);
  lua_pushboolean(L, reqsize > 0);
  lua_setfield(L, -2, "sent");
  if (r->too_large) {
    char msg[96];
    snprintf(msg, sizeof(msg),
             "response body larger than max_body (%" CURL_FORMAT_CURL_OFF_T " bytes)", r->max_body);
    lua_pushboolean(L, 1);
    lua_setfield(L, -2, "too_large");
    set_int(L, "max_body", (lua_Integer)r->max_body);
    lua_pushstring(L, msg);
    lua_setfield(L, -2, "error");
  } else if (code != CURLE_OK) {
    if (r->io_errno)
      lua_pushfstring(L, "%s: %s", r->path ? r->path : "write", strerror(r->io_errno));
    else
      lua_pushstring(L, r->errbuf[0] ? r->errbuf : curl_easy_strerror(code));
    lua_setfield(L, -2, "error");
  }
  /* the raw block; `headers` is made from it when first read (see record_index) */
  lua_pushlstring(L, r->head.p ? r->head.p : "", r->head.n);
  lua_setfield(L, -2, "raw_headers");
  lua_pushlstring(L, r->body.p ? r->body.p : "", r->body.n);
  lua_setfield(L, -2, "body");
  if (r->path) {
    lua_pushstring(L, r->path);
    lua_setfield(L, -2, "file");
    set_int(L, "file_bytes", (lua_Integer)r->file_bytes);
    lua_pushboolean(L, r->resumed);
    lua_setfield(L, -2, "resumed");
    if (r->range_mismatch) {
      lua_pushboolean(L, 1);
      lua_setfield(L, -2, "range_mismatch");
    }
    lua_pushboolean(L, r->sink == SINK_FILE);
    lua_setfield(L, -2, "to_file");
  }
  if (r->details) push_details(L, e);
  luaL_setmetatable(L, RECORD_T);
}

/* A record's `headers`, parsed from its raw_headers when first read, then kept
 * in the record as a plain table (so pairs works on it, on LuaJIT too). */
static int record_index(lua_State *L) {
  const char *p;
  size_t n;
  if (lua_type(L, 2) != LUA_TSTRING || strcmp(lua_tostring(L, 2), "headers") != 0) return 0;
  lua_getfield(L, 1, "raw_headers");
  p = lua_tolstring(L, -1, &n);
  heygen_push_headers(L, p, p ? n : 0);
  lua_pushvalue(L, -1);
  lua_setfield(L, 1, "headers"); /* a raw set: the metatable has no __newindex */
  return 1;
}

/* core.header(record, name, ...): the value of each named header (any case),
 * or nil, without building the headers table when the record has none yet.
 * The names are looked up together, HEADER_BATCH per pass over the block. */
#define HEADER_BATCH 8
static int core_header(lua_State *L) {
  int i, n = lua_gettop(L);
  const char *p;
  size_t len;
  luaL_checktype(L, 1, LUA_TTABLE);
  for (i = 2; i <= n; i++) luaL_checkstring(L, i);
  lua_pushliteral(L, "headers");
  lua_rawget(L, 1);
  if (lua_istable(L, -1)) { /* already made (or a record built in Lua) */
    for (i = 2; i <= n; i++) {
      p = lua_tolstring(L, i, &len);
      heygen_push_lower(L, p, p + len);
      lua_rawget(L, n + 1);
    }
    return n - 1;
  }
  lua_pushliteral(L, "raw_headers");
  lua_rawget(L, 1);
  p = lua_tolstring(L, -1, &len);
  for (i = 2; i <= n; i += HEADER_BATCH) {
    const char *names[HEADER_BATCH];
    size_t lens[HEADER_BATCH];
    int k, count = n - i + 1 < HEADER_BATCH ? n - i + 1 : HEADER_BATCH;
    for (k = 0; k < count; k++) names[k] = lua_tolstring(L, i + k, &lens[k]);
    heygen_push_header(L, p, p ? len : 0, names, lens, count);
  }
  return n - 1;
}

/* Take the transfers libcurl says are done into the multi's queue of records
 * to deliver. Nothing here allocates from the Lua state. Returns how many wait. */
static int take_finished(multi *mu) {
  CURLMsg *msg;
  int left, n = 0;
  request *r;
  while ((msg = curl_multi_info_read(mu->m, &left))) {
    r = NULL;
    if (msg->msg != CURLMSG_DONE) continue;
    curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&r);
    if (!r || r->finished) continue;
    finish_transfer(r, msg->data.result);
    r->next_done = NULL;
    if (mu->done_last)
      mu->done_last->next_done = r;
    else
      mu->done = r;
    mu->done_last = r;
  }
  for (r = mu->done; r; r = r->next_done) n++;
  return n;
}

static void unlink_done(multi *mu, request *r) {
  request **p = &mu->done, *prev = NULL;
  while (*p && *p != r) {
    prev = *p;
    p = &(*p)->next_done;
  }
  if (!*p) return;
  *p = r->next_done;
  if (mu->done_last == r) mu->done_last = prev;
  r->next_done = NULL;
}

/* Run in a protected call: a new list of (1) records. */
static int new_list(lua_State *L) {
  lua_createtable(L, (int)lua_tointeger(L, 1), 0);
  return 1;
}

/* Run in a protected call: the record of request (2) as item (3) of list (1). */
static int add_record(lua_State *L) {
  request *r = lua_touserdata(L, 2);
  if (r->short_record)
    push_short_record(L, r);
  else
    push_record(L, r);
  lua_rawseti(L, 1, (int)lua_tointeger(L, 3));
  return 0;
}

static const char LIST_KEY = 'l', RECORD_KEY = 'r';

/* Push the function stored in the registry under &key (no allocation). */
static void push_registered(lua_State *L, const char *key) {
  lua_pushlightuserdata(L, (void *)key);
  lua_rawget(L, LUA_REGISTRYINDEX);
}

/* Push the list of the records of every finished transfer, in the order they
 * finished, and free their transfers. Making a record allocates; a failed
 * allocation raises no error from here: that record is made again as a short
 * one (the transfer failed with CURLE_OUT_OF_MEMORY), and what still cannot
 * be made stays queued for the next call (timeout() says 0 meanwhile). With
 * no memory for even the list, nil is pushed. Any other error (a hook's, as
 * heygen-lua's Ctrl-C) is raised, what is not delivered staying queued. */
static void deliver(lua_State *L, multi *mu) {
  int list, status, n = 0, count = take_finished(mu);
  request *r;
  push_registered(L, &LIST_KEY);
  lua_pushinteger(L, count);
  if ((status = lua_pcall(L, 1, 1, 0)) != 0) {
    if (status != LUA_ERRMEM) lua_error(L); /* a hook's error (Ctrl-C): raised as it came */
    lua_pop(L, 1);
    lua_pushnil(L);
    return;
  }
  list = lua_gettop(L);
  r = mu->done;
  while (r) {
    push_registered(L, &RECORD_KEY);
    lua_pushvalue(L, list);
    lua_pushlightuserdata(L, r);
    lua_pushinteger(L, n + 1);
    if ((status = lua_pcall(L, 3, 0, 0)) != 0) {
      /* any other error (a hook's): raised, with every record still queued */
      if (status != LUA_ERRMEM) lua_error(L);
      lua_pop(L, 1);
      if (r->short_record) break; /* not even that: the next call tries again */
      r->short_record = 1;
      continue; /* the same request once more, as a short record */
    }
    n++;
    r = r->next_done;
  }
  while (n-- > 0) { /* the first n of the queue are in the list: done with them */
    r = mu->done;
    unlink_done(mu, r);
    mu->running--;
    inflight_remove(L, mu, r); /* allocates nothing */
    request_free_all(r);
  }
}

/* ------------------------------------------------------- driving transfers */

/* Each perform or action does a bounded amount of work: at most work_bytes
 * of bodies and work_secs of time, checked before each socket is acted on and
 * in the write callback (which pauses its transfer once the budget is spent;
 * libcurl then stops reading that socket). What is left waits for the next
 * call, which first resumes the paused transfers; timeout() says 0 meanwhile. */
static void work_begin(multi *mu) {
  request *r = mu->paused;
  mu->working = 1;
  mu->more = 0;
  mu->bytes_left = mu->work_bytes;
  mu->work_until = heygen_now() + mu->work_secs;
  mu->paused = NULL;
  while (r) {
    request *next = r->next_paused;
    r->paused = 0;
    r->next_paused = NULL;
    /* may hand the chunk it kept to on_write at once; the transfer then runs
     * again at the next CURL_SOCKET_TIMEOUT (libcurl expires it now) */
    if (r->easy) curl_easy_pause(r->easy, CURLPAUSE_CONT);
    r = next;
  }
}

static void act(multi *mu, curl_socket_t fd, int mask) {
  int still;
  curl_multi_socket_action(mu->m, fd, mask, &still);
}

/* curl's timer, when it is due and the budget allows. */
static void act_on_timer(multi *mu) {
  if (mu->timer_at < 0 || heygen_now() < mu->timer_at || work_spent(mu)) return;
  mu->timer_at = -1; /* on_timer sets it again from inside */
  act(mu, CURL_SOCKET_TIMEOUT, 0);
}

/* Wait at most ms for one of curl's sockets or its timer, then act on what is
 * ready, starting with a different socket each time (fairness). */
static void poll_and_act(multi *mu, double ms) {
  int i, k, n = mu->watched.n, ready;
  if (mu->more || mu->done) ms = 0; /* work left, or records to deliver */
  if (mu->timer_at >= 0) {
    double left = (mu->timer_at - heygen_now()) * 1000.0;
    if (left < ms) ms = left > 0 ? left : 0;
  }
  if (n > mu->pfd_cap) {
    struct pollfd *np = realloc(mu->pfd, (size_t)n * sizeof(*np));
    if (!np)
      n = mu->pfd_cap;
    else {
      mu->pfd = np;
      mu->pfd_cap = n;
    }
  }
  for (i = 0; i < n; i++) {
    mu->pfd[i].fd = mu->watched.p[i].fd;
    mu->pfd[i].events = (short)(((mu->watched.p[i].events & CURL_POLL_IN) ? POLLIN : 0) |
                                ((mu->watched.p[i].events & CURL_POLL_OUT) ? POLLOUT : 0));
    mu->pfd[i].revents = 0;
  }
  ready = poll(mu->pfd, (nfds_t)n, ms > 0 ? (int)(ms + 0.999) : 0);
  for (k = 0; ready > 0 && k < n; k++) {
    struct pollfd *p = &mu->pfd[(mu->rr + k) % n];
    int mask = 0;
    if (!p->revents) continue;
    if (work_spent(mu)) break;
    if (p->revents & (POLLIN | POLLHUP)) mask |= CURL_CSELECT_IN;
    if (p->revents & POLLOUT) mask |= CURL_CSELECT_OUT;
    if (p->revents & (POLLERR | POLLNVAL)) mask |= CURL_CSELECT_ERR;
    act(mu, p->fd, mask);
  }
  mu->rr++;
  act_on_timer(mu);
}

static int multi_perform(lua_State *L) {
  multi *mu = check_multi(L, 1);
  double ms = luaL_optnumber(L, 2, 0);
  lua_settop(L, 2);
  if (!mu->m) {                /* nothing was ever added */
    heygen_sleep(ms / 1000.0); /* what a poll with nothing to wait for does */
    lua_createtable(L, 0, 0);
    return 1;
  }
  work_begin(mu);
  poll_and_act(mu, ms);
  mu->working = 0;
  deliver(L, mu);
  return 1;
}

/* m:action([fd, events]): act on one socket a host saw ready ("r", "w",
 * "rw", "e" for an error), or with no fd on curl's timer; curl's timer is
 * acted on too when due. One work budget; the records of what finished. */
static int multi_action(lua_State *L) {
  multi *mu = check_multi(L, 1);
  lua_settop(L, 3);
  if (mu->m) {
    work_begin(mu);
    if (!lua_isnil(L, 2)) {
      curl_socket_t fd = (curl_socket_t)luaL_checkinteger(L, 2);
      const char *ev = luaL_optstring(L, 3, "r");
      int mask = (strchr(ev, 'r') ? CURL_CSELECT_IN : 0) |
                 (strchr(ev, 'w') ? CURL_CSELECT_OUT : 0) |
                 (strchr(ev, 'e') ? CURL_CSELECT_ERR : 0);
      act(mu, fd, mask);
    }
    act_on_timer(mu);
    mu->working = 0;
    deliver(L, mu);
    return 1;
  }
  lua_createtable(L, 0, 0);
  return 1;
}

static const char *const EVENTS[] = {"", "r", "w", "rw"};

static void push_watches(lua_State *L, const watch_list *w) {
  int i;
  lua_createtable(L, w->n, 0);
  for (i = 0; i < w->n; i++) {
    lua_createtable(L, 0, 2);
    lua_pushinteger(L, (lua_Integer)w->p[i].fd);
    lua_setfield(L, -2, "fd");
    lua_pushstring(L, EVENTS[w->p[i].events & 3]);
    lua_setfield(L, -2, "events");
    lua_rawseti(L, -2, i + 1);
  }
}

/* m:fds([all]): the sockets to watch. The first call (or all = true) lists
 * every one; later calls list what changed since, in order, events "" for a
 * socket no longer watched (a socket closed and a new one with its number
 * come as two entries). all = false: the host stops watching, changes are no
 * longer kept (an empty list). */
static int multi_fds(lua_State *L) {
  multi *mu = check_multi(L, 1);
  int stop = lua_isboolean(L, 2) && !lua_toboolean(L, 2);
  if (stop)
    lua_createtable(L, 0, 0);
  else if (!mu->host_watches || lua_toboolean(L, 2))
    push_watches(L, &mu->watched);
  else
    push_watches(L, &mu->changes);
  mu->host_watches = !stop;
  mu->changes.n = 0;
  return 1;
}

/* ms until the next perform or action is needed even when no socket is ready:
 * 0 with work left (the budget ran out) or curl's timer due, -1 for none. */
static int multi_timeout(lua_State *L) {
  multi *mu = check_multi(L, 1);
  lua_Integer ms = -1;
  if (mu->m && (mu->more || mu->paused || mu->done))
    ms = 0;
  else if (mu->m && mu->timer_at >= 0) {
    double left = (mu->timer_at - heygen_now()) * 1000.0;
    ms = left > 0 ? (lua_Integer)(left + 0.999) : 0;
  }
  lua_pushinteger(L, ms);
  return 1;
}

static int multi_running(lua_State *L) {
  multi *mu = check_multi(L, 1);
  lua_pushinteger(L, mu->running);
  return 1;
}

static int multi_progress(lua_State *L) {
  multi *mu = check_multi(L, 1);
  request *r = inflight_get(mu, (lua_Integer)luaL_checknumber(L, 2));
  curl_off_t done = 0, total = -1, from;
  if (!r || !r->easy) return 0;
  curl_easy_getinfo(r->easy, CURLINFO_SIZE_DOWNLOAD_T, &done);
  curl_easy_getinfo(r->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &total);
  /* where in the file this body starts: resume_from, unless the server sent it all */
  from = r->sink == SINK_FILE && !r->resumed ? 0 : r->path ? r->resume_from : 0;
  lua_pushinteger(L, (lua_Integer)done);
  if (total >= 0)
    lua_pushinteger(L, (lua_Integer)total);
  else
    lua_pushnil(L);
  lua_pushinteger(L, (lua_Integer)from);
  return 3;
}

static int multi_cancel(lua_State *L) {
  multi *mu = check_multi(L, 1);
  request *r = inflight_get(mu, (lua_Integer)luaL_checknumber(L, 2));
  if (!r || !r->easy) {
    lua_pushboolean(L, 0);
    return 1;
  }
  if (r->finished) unlink_done(mu, r); /* its record is never delivered */
  mu->running--;
  inflight_remove(L, mu, r);
  request_free_all(r);
  lua_pushboolean(L, 1);
  return 1;
}

static int multi_close(lua_State *L) {
  multi *mu = luaL_checkudata(L, 1, MULTI_T);
  int i;
  if (mu->closed) return 0;
  mu->closed = 1;
  if (mu->inflight_ref != LUA_NOREF) {
    lua_rawgeti(L, LUA_REGISTRYINDEX, mu->inflight_ref);
    lua_pushnil(L);
    while (lua_next(L, -2)) {
      request *r = luaL_testudata(L, -1, REQUEST_T);
      if (r) {
        request_free_all(r);
        r->owner = NULL;
      }
      lua_pop(L, 1);
    }
    lua_pop(L, 1);
    luaL_unref(L, LUA_REGISTRYINDEX, mu->inflight_ref);
    mu->inflight_ref = LUA_NOREF;
  }
  free(mu->byid);
  mu->byid = NULL;
  mu->byid_cap = mu->byid_live = 0;
  for (i = 0; i < mu->npool; i++) curl_easy_cleanup(mu->pool[i]);
  mu->npool = 0;
  for (i = 0; i < 2; i++) {
    free(mu->plain_ca[i]);
    mu->plain_ca[i] = NULL;
  }
  if (mu->m) curl_multi_cleanup(mu->m);
  mu->m = NULL;
  if (mu->share) curl_share_cleanup(mu->share); /* after every easy handle that used it */
  mu->share = NULL;
  free(mu->watched.p);
  free(mu->changes.p);
  free(mu->pfd);
  memset(&mu->watched, 0, sizeof(mu->watched));
  memset(&mu->changes, 0, sizeof(mu->changes));
  mu->pfd = NULL;
  mu->pfd_cap = 0;
  mu->paused = NULL;
  mu->done = mu->done_last = NULL;
  mu->running = 0;
  return 0;
}

static int multi_tostring(lua_State *L) {
  multi *mu = luaL_checkudata(L, 1, MULTI_T);
  if (!mu->closed)
    lua_pushfstring(L, MULTI_T " (%p)", (void *)mu);
  else
    lua_pushliteral(L, MULTI_T " (closed)");
  return 1;
}

/* ------------------------------------------------------------ Request API */

static int request_gc(lua_State *L) {
  request *r = luaL_checkudata(L, 1, REQUEST_T);
  /* In flight, a request is anchored by its multi, so here it is detached. */
  request_free_all(r);
  return 0;
}

static int request_id(lua_State *L) {
  request *r = luaL_checkudata(L, 1, REQUEST_T);
  lua_pushinteger(L, r->id);
  return 1;
}

static int request_tostring(lua_State *L) {
  request *r = luaL_checkudata(L, 1, REQUEST_T);
  lua_pushfstring(L, REQUEST_T " (%p)", (void *)r);
  return 1;
}

/* ------------------------------------------------------ CA store warm-up */

/* The first TLS connection of a multi parses the CA bundle (Debian's: about
 * 20 ms), inside whichever step makes it. m:prepare_tls lets a host pay that
 * where a frame does not matter: a transfer to a listening socket of our own
 * on the loopback runs until its ClientHello arrives (the store is loaded and
 * kept in the multi's CA cache by then), and is dropped. Nothing leaves the
 * machine. */
static size_t warm_discard(char *data, size_t size, size_t nmemb, void *ud) {
  (void)data;
  (void)ud;
  return size * nmemb;
}

/* A listening socket on 127.0.0.1, its port in *port; -1 on failure. */
static int warm_listener(int *port) {
  struct sockaddr_in a;
  socklen_t len = sizeof(a);
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  memset(&a, 0, sizeof(a));
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(fd, 1) != 0 ||
      getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
    close(fd);
    return -1;
  }
  *port = ntohs(a.sin_port);
  return fd;
}

/* Drives the warm-up transfer until a ClientHello reaches the listener: 1, or 0. */
static int warm_run(multi *mu, CURL *e, int lfd, double until) {
  CURLM *m = mu->m;
  int conn = -1, hello = 0, still, i;
  while (!hello && heygen_now() < until) {
    struct pollfd p;
    CURLMsg *msg;
    curl_multi_socket_action(m, CURL_SOCKET_TIMEOUT, 0, &still);
    /* its socket (the only one: the multi is idle), whatever curl waits for on it */
    for (i = 0; i < mu->watched.n; i++) curl_multi_socket_action(m, mu->watched.p[i].fd, 0, &still);
    p.fd = conn >= 0 ? conn : lfd;
    p.events = POLLIN;
    p.revents = 0;
    if (poll(&p, 1, 2) > 0 && (p.revents & POLLIN)) {
      if (conn < 0) {
        conn = accept(lfd, NULL, NULL);
      } else {
        char b[16];
        hello = recv(conn, b, sizeof(b), 0) > 0; /* 0: curl closed without a hello */
        if (!hello) break;
      }
    }
    while ((msg = curl_multi_info_read(m, &still)) != NULL)
      if (msg->msg == CURLMSG_DONE && msg->easy_handle == e) until = 0; /* it ended before TLS */
  }
  if (conn >= 0) close(conn);
  return hello;
}

/* m:prepare_tls{cainfo=, capath=, timeout=} -> true | nil, "why". Only on an
 * idle multi (nothing in flight): its sockets are the host's to watch. */
static int multi_prepare_tls(lua_State *L) {
  multi *mu = check_multi(L, 1);
  const char *cainfo = NULL, *capath = NULL, *why = NULL;
  double timeout = 5.0;
  int lfd, port = 0, hello = 0;
  char url[64], entry[80];
  struct curl_slist *resolve;
  CURL *e;
  CURLM *m;
  if (!lua_isnoneornil(L, 2)) {
    luaL_checktype(L, 2, LUA_TTABLE);
    lua_getfield(L, 2, "cainfo");
    cainfo = luaL_optstring(L, -1, NULL);
    lua_getfield(L, 2, "capath");
    capath = luaL_optstring(L, -1, NULL);
    lua_getfield(L, 2, "timeout");
    timeout = luaL_optnumber(L, -1, 5.0);
    lua_pop(L, 3);
    luaL_argcheck(L, timeout > 0 && timeout <= 60, 2,
                  "timeout must be a number of seconds in (0, 60]");
  }
  if (mu->running > 0) {
    lua_pushnil(L);
    lua_pushliteral(L, "transfers are in flight");
    return 2;
  }
  m = curl_multi_of(L, mu);
  lfd = warm_listener(&port);
  if (lfd < 0) {
    lua_pushnil(L);
    lua_pushfstring(L, "no loopback listener: %s", strerror(errno));
    return 2;
  }
  e = curl_easy_init();
  snprintf(url, sizeof(url), "https://heygen-prepare-tls.invalid:%d/", port);
  snprintf(entry, sizeof(entry), "heygen-prepare-tls.invalid:%d:127.0.0.1", port);
  resolve = curl_slist_append(NULL, entry);
  if (!e || !resolve) {
    why = "out of memory";
  } else {
    set_base_options(mu, e);
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_RESOLVE, resolve); /* the name is ours: no DNS */
    curl_easy_setopt(e, CURLOPT_PROXY, "");        /* the listener is ours: no proxy */
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, warm_discard);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, warm_discard);
    /* the CA options of a transfer's (set_extra_options), so that the cache matches */
    if (cainfo) curl_easy_setopt(e, CURLOPT_CAINFO, cainfo);
    if (capath)
      curl_easy_setopt(e, CURLOPT_CAPATH, capath);
    else if (cainfo || mu->bundle_only)
      curl_easy_setopt(e, CURLOPT_CAPATH, NULL);
    if (curl_multi_add_handle(m, e) == CURLM_OK) {
      hello = warm_run(mu, e, lfd, heygen_now() + timeout);
      curl_multi_remove_handle(m, e);
    }
    if (!hello) why = "the TLS set-up did not start (no ClientHello)";
  }
  if (e) curl_easy_cleanup(e);
  curl_slist_free_all(resolve);
  close(lfd);
  if (hello) {
    lua_pushboolean(L, 1);
    return 1;
  }
  lua_pushnil(L);
  lua_pushstring(L, why);
  return 2;
}

static const luaL_Reg multi_methods[] = {
    {"add", multi_add},
    {"perform", multi_perform},
    {"timeout", multi_timeout},
    {"running", multi_running},
    {"progress", multi_progress},
    {"cancel", multi_cancel},
    {"action", multi_action},
    {"fds", multi_fds},
    {"close", multi_close},
    {"prepare_tls", multi_prepare_tls},
    {NULL, NULL},
};

static const luaL_Reg multi_meta[] = {
    {"__gc", multi_close},
#if LUA_VERSION_NUM >= 504
    {"__close", multi_close},
#endif
    {"__tostring", multi_tostring},
    {NULL, NULL},
};

static const luaL_Reg request_methods[] = {
    {"id", request_id},
    {NULL, NULL},
};

static const luaL_Reg request_meta[] = {
    {"__gc", request_gc},
    {"__tostring", request_tostring},
    {NULL, NULL},
};

static void create_meta(lua_State *L, const char *name, const luaL_Reg *meta,
                        const luaL_Reg *methods) {
  luaL_newmetatable(L, name);
  luaL_setfuncs(L, meta, 0);
  lua_pushstring(L, name);
  lua_setfield(L, -2, "__name");
  heygen_newlib(L, methods);
  lua_setfield(L, -2, "__index");
  lua_pop(L, 1);
}

void heygen_http_open(lua_State *L) {
  create_meta(L, MULTI_T, multi_meta, multi_methods);
  create_meta(L, REQUEST_T, request_meta, request_methods);
  luaL_newmetatable(L, HEADER_LIST_T);
  lua_pushcfunction(L, header_list_gc);
  lua_setfield(L, -2, "__gc");
  lua_pushcfunction(L, header_list_tostring);
  lua_setfield(L, -2, "__tostring");
  lua_pop(L, 1);
  lua_pushcfunction(L, header_list_new);
  lua_setfield(L, -2, "header_list");
  luaL_newmetatable(L, RECORD_T);
  lua_pushcfunction(L, record_index);
  lua_setfield(L, -2, "__index");
  lua_pop(L, 1);
  /* deliver's protected calls, kept where it finds them without allocating */
  lua_pushlightuserdata(L, (void *)&LIST_KEY);
  lua_pushcfunction(L, new_list);
  lua_rawset(L, LUA_REGISTRYINDEX);
  lua_pushlightuserdata(L, (void *)&RECORD_KEY);
  lua_pushcfunction(L, add_record);
  lua_rawset(L, LUA_REGISTRYINDEX);
  lua_pushcfunction(L, core_header);
  lua_setfield(L, -2, "header");
  lua_pushcfunction(L, multi_new);
  lua_setfield(L, -2, "multi");
}
