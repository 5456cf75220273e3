/*
 * raw_curl: the floor for any libcurl client. GETs one URL N times on a curl
 * multi handle with P transfers in flight, connections kept alive, and the
 * same request headers the heygen client sends. It keeps each body in a
 * reused buffer and parses nothing: no headers table, no JSON, no Lua.
 *
 *   raw_curl URL N P [HEADER]...
 *
 * RAW_CURL_CAINFO names the CA file for an https URL (the benchmark's own
 * self-signed certificate).
 *
 * Built with -DRAW_CURL_CJSON (and Lua 5.4's flags), it is "libcurl + lua-cjson":
 * each body is also decoded by Debian's lua-cjson in a bare Lua state and its
 * data.status read, the least any Lua client that decodes its answers pays, with
 * nothing of heygen-lua in the way (bench/callgrind.lua's second baseline).
 *
 * One untimed request first opens a connection (the Lua benchmarks do the
 * same). Prints one JSON line (cpu: process CPU seconds of the timed part):
 *   {"requests":N,"seconds":S,"rps":R,"cpu":U,"connects":C,"errors":E}
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#ifdef RAW_CURL_CJSON
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

static lua_State *L;
static int decode_ref = LUA_NOREF;

/* a Lua state with cjson.decode kept in the registry */
static int decoder_open(void) {
  L = luaL_newstate();
  if (!L) return 0;
  luaL_openlibs(L);
  if (luaL_dostring(L, "return require('cjson').decode") != LUA_OK) {
    fprintf(stderr, "raw_curl: %s\n", lua_tostring(L, -1));
    return 0;
  }
  decode_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  return 1;
}

/* decode one body and read data.status: 1 when it is a string */
static int decode_body(const char *body, size_t n) {
  int ok;
  lua_rawgeti(L, LUA_REGISTRYINDEX, decode_ref);
  lua_pushlstring(L, body, n);
  if (lua_pcall(L, 1, 1, 0) != LUA_OK || !lua_istable(L, -1)) {
    lua_settop(L, 0);
    return 0;
  }
  ok = lua_getfield(L, -1, "data") == LUA_TTABLE && lua_getfield(L, -1, "status") == LUA_TSTRING;
  lua_settop(L, 0);
  return ok;
}
#endif

typedef struct {
  CURL *easy;
  char *body;
  size_t n, cap;
} slot;

typedef struct {
  long done, errors, connects;
} tally;

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t on_write(char *data, size_t size, size_t nmemb, void *ud) {
  slot *s = ud;
  size_t n = size * nmemb;
  if (s->n + n > s->cap) {
    size_t cap = s->cap ? s->cap * 2 : 4096;
    char *p;
    while (cap < s->n + n) cap *= 2;
    p = realloc(s->body, cap);
    if (!p) return 0;
    s->body = p;
    s->cap = cap;
  }
  memcpy(s->body + s->n, data, n);
  s->n += n;
  return n;
}

static CURL *make_easy(const char *url, struct curl_slist *headers, slot *s) {
  CURL *e = curl_easy_init();
  if (!e) return NULL;
  curl_easy_setopt(e, CURLOPT_URL, url);
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, (void *)s);
  curl_easy_setopt(e, CURLOPT_PRIVATE, (void *)s);
  if (getenv("RAW_CURL_CAINFO")) curl_easy_setopt(e, CURLOPT_CAINFO, getenv("RAW_CURL_CAINFO"));
  return e;
}

/* total transfers, at most `parallel` at once, each slot re-added when done */
static tally run(CURLM *m, slot *slots, long total, long parallel) {
  tally t = {0, 0, 0};
  long started = 0, i;
  for (i = 0; i < parallel && started < total; i++, started++)
    curl_multi_add_handle(m, slots[i].easy);
  while (t.done < total) {
    int still, left;
    CURLMsg *msg;
    curl_multi_perform(m, &still);
    while ((msg = curl_multi_info_read(m, &left))) {
      slot *s = NULL;
      long nc = 0;
      if (msg->msg != CURLMSG_DONE) continue;
      curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&s);
      curl_easy_getinfo(msg->easy_handle, CURLINFO_NUM_CONNECTS, &nc);
      t.connects += nc;
      if (msg->data.result != CURLE_OK) t.errors++;
#ifdef RAW_CURL_CJSON
      else if (!decode_body(s->body, s->n))
        t.errors++;
#endif
      t.done++;
      s->n = 0;
      curl_multi_remove_handle(m, s->easy);
      if (started < total) {
        curl_multi_add_handle(m, s->easy);
        started++;
      }
    }
    if (t.done < total) curl_multi_poll(m, NULL, 0, 1000, NULL);
  }
  return t;
}

int main(int argc, char **argv) {
  const char *url;
  long total, parallel, i;
  struct curl_slist *headers = NULL;
  slot *slots;
  CURLM *m;
  double t0, secs;
  clock_t c0;
  tally t;

  if (argc < 4) {
    fprintf(stderr, "usage: raw_curl URL N PARALLEL [HEADER]...\n");
    return 2;
  }
  url = argv[1];
  total = atol(argv[2]);
  parallel = atol(argv[3]);
  if (total < 1 || parallel < 1) return 2;
  if (parallel > total) parallel = total;
  for (i = 4; i < argc; i++) headers = curl_slist_append(headers, argv[i]);
  headers = curl_slist_append(headers, "Expect:");

#ifdef RAW_CURL_CJSON
  if (!decoder_open()) return 1;
#endif
  curl_global_init(CURL_GLOBAL_DEFAULT);
  m = curl_multi_init();
  curl_multi_setopt(m, CURLMOPT_MAX_HOST_CONNECTIONS, parallel);
  curl_multi_setopt(m, CURLMOPT_MAXCONNECTS, parallel * 2);
  slots = calloc((size_t)parallel, sizeof(*slots));
  if (!slots) return 1;
  for (i = 0; i < parallel; i++) {
    slots[i].easy = make_easy(url, headers, &slots[i]);
    if (!slots[i].easy) return 1;
  }

  t = run(m, slots, 1, 1); /* warm-up, untimed */
  t0 = now();
  c0 = clock();
  t = run(m, slots, total, parallel);
  secs = now() - t0;
  printf(
      "{\"requests\":%ld,\"seconds\":%.6f,\"rps\":%.1f,\"cpu\":%.6f,\"connects\":%ld,\"errors\":%"
      "ld}\n",
      t.done, secs, (double)t.done / secs, (double)(clock() - c0) / CLOCKS_PER_SEC, t.connects,
      t.errors);

  for (i = 0; i < parallel; i++) {
    curl_easy_cleanup(slots[i].easy);
    free(slots[i].body);
  }
  free(slots);
  curl_multi_cleanup(m);
  curl_slist_free_all(headers);
  curl_global_cleanup();
#ifdef RAW_CURL_CJSON
  lua_close(L);
#endif
  return t.errors ? 1 : 0;
}
