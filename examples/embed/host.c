/*
 * A C host with its own frame loop (a game, a tool with a UI) that embeds Lua
 * and heygen. The whole Lua layer comes from heygen_preload (no files needed);
 * the game logic is a Lua script returning {start = fn(args), frame = fn(n),
 * finish = fn() -> exit code}.
 *
 * Each 16 ms frame the host calls heygen.step(0) (never waits: it only drives
 * the transfers and timers that are ready) and then game.frame(n). Jobs poll,
 * download and finish in heygen tasks while the frames keep coming.
 *
 *   heygen-embed [game.lua] [args for game.start...]
 *
 * heygen.step(0) does a bounded amount of work (4 MiB of bodies and 4 ms of
 * time per call); what is left waits for the next frame. A host with an event
 * loop of its own (epoll, select, a toolkit's watchers) need not step every
 * frame at all: it watches libcurl's sockets and wakes only for them.
 *
 *   local sched = require "heygen.scheduler"
 *   sched.fds()        -> {{fd = 7, events = "r"}, ...}: every socket first,
 *                         then only what changed; events "" = stop watching
 *   heygen.timeout()   -> seconds until a step is needed anyway (0: now,
 *                         nil: idle)
 *   heygen.step(0)     when a watched fd is ready or the timeout has passed;
 *                         then read sched.fds() again and re-arm
 *
 * (Multi:fds, Multi:timeout and Multi:action(fd, events) in heygen.core are
 * the same contract one level down.) libcurl's callbacks only record these:
 * Lua is never called from inside libcurl.
 *
 * On exit it prints one line about the frames it ran:
 *   frames=312 seconds=5.02 max_frame_ms=17.9 max_work_ms=2.1
 * (max_frame_ms: the longest time between two frame starts; max_work_ms: the
 * longest time the host spent in heygen.step and game.frame in one frame).
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <time.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "heygen.h"

#ifndef HEYGEN_EMBED_GAME
#define HEYGEN_EMBED_GAME "game.lua"
#endif

#define FRAME_SECONDS 0.016

struct frame_stats {
  long frames;
  double first, last, max_frame, max_work;
};

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_until(double t) {
  double left = t - now();
  struct timespec req, rem;
  if (left <= 0) return;
  req.tv_sec = (time_t)left;
  req.tv_nsec = (long)((left - (double)req.tv_sec) * 1e9);
  while (nanosleep(&req, &rem) == -1 && errno == EINTR) req = rem;
}

/* Error handler for lua_pcall: the message with a traceback. */
static int traceback(lua_State *L) {
  const char *msg = lua_tostring(L, 1);
  luaL_traceback(L, L, msg ? msg : "(error object is not a string)", 1);
  return 1;
}

/* Calls the function under nargs arguments at the top; 1 result. 0 on success. */
static int call(lua_State *L, int nargs, const char *what) {
  int base = lua_gettop(L) - nargs;
  lua_pushcfunction(L, traceback);
  lua_insert(L, base);
  if (lua_pcall(L, nargs, 1, base) != 0) {
    fprintf(stderr, "heygen-embed: %s: %s\n", what, lua_tostring(L, -1));
    lua_remove(L, base);
    return 1;
  }
  lua_remove(L, base);
  return 0;
}

/* Loads the game script and calls game.start(args); leaves the game table on the stack. */
static int start_game(lua_State *L, const char *path, int argc, char **argv) {
  int i;
  if (luaL_loadfile(L, path) != 0) {
    fprintf(stderr, "heygen-embed: %s\n", lua_tostring(L, -1));
    return 1;
  }
  if (call(L, 0, "loading the game") != 0) return 1;
  if (!lua_istable(L, -1)) {
    fprintf(stderr, "heygen-embed: %s must return a table {start=, frame=, finish=}\n", path);
    return 1;
  }
  lua_getfield(L, -1, "start");
  lua_newtable(L);
  for (i = 0; i < argc; i++) {
    lua_pushstring(L, argv[i]);
    lua_rawseti(L, -2, i + 1);
  }
  if (call(L, 1, "game.start") != 0) return 1;
  lua_pop(L, 1);
  return 0;
}

/*
 * One frame: heygen.step(0), then game.frame(n). Expects heygen.step at
 * index step_idx and the game table at game_idx. Returns 1 to go on, 0 when
 * the game is over, -1 on error.
 */
static int frame(lua_State *L, int step_idx, int game_idx, long n) {
  int more;
  lua_pushvalue(L, step_idx);
  lua_pushnumber(L, 0);
  if (call(L, 1, "heygen.step") != 0) return -1;
  lua_pop(L, 1);
  lua_getfield(L, game_idx, "frame");
  lua_pushinteger(L, (lua_Integer)n);
  if (call(L, 1, "game.frame") != 0) return -1;
  more = lua_toboolean(L, -1);
  lua_pop(L, 1);
  return more;
}

static int run_frames(lua_State *L, int step_idx, int game_idx, struct frame_stats *st) {
  double next = now(), prev = 0;
  int more = 1;
  st->first = next;
  while (more > 0) {
    double start = now();
    if (prev > 0 && start - prev > st->max_frame) st->max_frame = start - prev;
    prev = start;
    more = frame(L, step_idx, game_idx, st->frames + 1);
    st->frames++;
    if (now() - start > st->max_work) st->max_work = now() - start;
    next += FRAME_SECONDS;
    if (next < now()) next = now(); /* a late frame does not make the next ones rush */
    sleep_until(next);
  }
  st->last = now();
  if (st->last - prev > st->max_frame) st->max_frame = st->last - prev; /* the last one */
  return more < 0 ? 1 : 0;
}

static int finish_game(lua_State *L, int game_idx) {
  int code = 0;
  lua_getfield(L, game_idx, "finish");
  if (lua_isnil(L, -1)) {
    lua_pop(L, 1);
    return 0;
  }
  if (call(L, 0, "game.finish") != 0) return 1;
  code = (int)lua_tointeger(L, -1);
  lua_pop(L, 1);
  return code;
}

int main(int argc, char **argv) {
  const char *path = argc > 1 ? argv[1] : HEYGEN_EMBED_GAME;
  struct frame_stats st = {0, 0, 0, 0, 0};
  int status = 1, game_idx, step_idx;
  lua_State *L = luaL_newstate();
  if (L == NULL) return 1;
  luaL_openlibs(L);
  heygen_preload(L); /* require "heygen" now needs no file on disk */
#ifdef HEYGEN_EMBED_LUA_DIR
  /* Only the offline emulator needs files (it runs as a child process, in lua5.4):
     HEYGEN_EMULATOR=1 finds them in the checkout this host was built from. */
  (void)luaL_dostring(L, "package.path = package.path .. ';" HEYGEN_EMBED_LUA_DIR
                         "/?.lua;" HEYGEN_EMBED_LUA_DIR "/?/init.lua'");
#endif

  lua_getglobal(L, "require");
  lua_pushstring(L, "heygen");
  if (call(L, 1, "require 'heygen'") != 0) goto done;
  lua_getfield(L, -1, "step");
  step_idx = lua_gettop(L);

  if (start_game(L, path, argc > 2 ? argc - 2 : 0, argv + 2) != 0) goto done;
  game_idx = lua_gettop(L);
  status = run_frames(L, step_idx, game_idx, &st);
  if (status == 0) status = finish_game(L, game_idx);
  printf("frames=%ld seconds=%.2f max_frame_ms=%.1f max_work_ms=%.1f\n", st.frames,
         st.last - st.first, st.max_frame * 1000, st.max_work * 1000);

done:
  lua_close(L);
  return status;
}
