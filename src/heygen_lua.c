/*
 * heygen-lua: a Lua 5.4 interpreter with heygen, heygen.core and cjson built in.
 *
 * It behaves like the stock lua5.4 command: the same options, `arg` table,
 * LUA_INIT handling, REPL, messages and exit status; only the -v output gains a
 * line with the heygen, libcurl and cjson versions. Written for this project
 * against the Lua C API.
 *
 * The run, in order: parse the command line; print the version (-v, -i); open
 * the standard libraries and preload ours; build `arg`; run LUA_INIT (unless
 * -E); run -e, -l and -W in command-line order; run the script; then the REPL
 * (-i), or stdin when nothing else was asked for.
 */
#define _POSIX_C_SOURCE 200809L
#include <dlfcn.h>
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "heygen.h"

#ifndef HEYGEN_VERSION
#define HEYGEN_VERSION "0.0.0"
#endif

#define DEFAULT_PROGNAME "heygen-lua"
#define PROMPT1 "> "
#define PROMPT2 ">> "
#define INCOMPLETE_MARK "<eof>"

/* Prefix of error messages: argv[0], like lua5.4; NULL inside the REPL. */
static const char *progname = DEFAULT_PROGNAME;

/* ---------------------------------------------------------------- messages */

static void message(const char *prefix, const char *text) {
  if (prefix != NULL) fprintf(stderr, "%s: ", prefix);
  fprintf(stderr, "%s\n", text);
  fflush(stderr);
}

/* Prints and pops the error on top of the stack when status is an error. */
static int report(lua_State *L, int status) {
  if (status != LUA_OK) {
    const char *text = lua_tostring(L, -1);
    message(progname, text != NULL ? text : "(error object is not a string)");
    lua_pop(L, 1);
  }
  return status;
}

static void print_usage(const char *bad) {
  int needs_argument = bad[1] == 'e' || bad[1] == 'l';
  fprintf(stderr, "%s: ", progname);
  fprintf(stderr, needs_argument ? "'%s' needs argument\n" : "unrecognized option '%s'\n", bad);
  fprintf(stderr,
          "usage: %s [options] [script [args]]\n"
          "Available options are:\n"
          "  -e stat   execute string 'stat'\n"
          "  -i        enter interactive mode after executing 'script'\n"
          "  -l mod    require library 'mod' into global 'mod'\n"
          "  -l g=mod  require library 'mod' into global 'g'\n"
          "  -v        show version information\n"
          "  -E        ignore environment variables\n"
          "  -W        turn warnings on\n"
          "  --        stop handling options\n"
          "  -         stop handling options and execute stdin\n",
          progname);
  fflush(stderr);
}

static void print_lua_version(void) {
  fputs(LUA_COPYRIGHT "\n", stdout);
  fflush(stdout);
}

/* Pushes field `key` of the table at index t (if any) as a string, or `fallback`. */
static const char *push_version(lua_State *L, int t, const char *key, const char *fallback) {
  const char *s = NULL;
  if (lua_istable(L, t)) {
    lua_getfield(L, t, key);
    s = lua_tostring(L, -1);
  }
  return s != NULL ? s : lua_pushstring(L, fallback);
}

/* Protected: "heygen X (libcurl Y TLS, cjson Z)" from heygen.core.versions() (which
 * loads libcurl); "?" for what it cannot say. */
static int push_heygen_versions(lua_State *L) {
  const char *heygen, *libcurl, *tls, *cjson;
  int t;
  lua_getglobal(L, "require");
  lua_pushliteral(L, "heygen.core");
  if (lua_pcall(L, 1, 1, 0) == LUA_OK && lua_istable(L, -1)) {
    lua_getfield(L, -1, "versions");
    if (lua_pcall(L, 0, 1, 0) != LUA_OK) lua_pushnil(L);
  } else {
    lua_pushnil(L);
  }
  t = lua_gettop(L);
  heygen = push_version(L, t, "heygen", HEYGEN_VERSION);
  libcurl = push_version(L, t, "curl", "?");
  tls = push_version(L, t, "ssl", "?");
  cjson = push_version(L, t, "cjson", "?");
  lua_pushfstring(L, "heygen %s (libcurl %s %s, cjson %s)", heygen, libcurl, tls, cjson);
  return 1;
}

static void print_heygen_version(lua_State *L) {
  lua_pushcfunction(L, push_heygen_versions);
  if (lua_pcall(L, 0, 1, 0) == LUA_OK) {
    fprintf(stdout, "%s\n", lua_tostring(L, -1));
    fflush(stdout);
  }
  lua_pop(L, 1);
}

/* ------------------------------------------------------------ command line */

enum { FLAG_INTERACTIVE = 1, FLAG_VERSION = 2, FLAG_EXECUTE = 4, FLAG_NOENV = 8 };

struct cmdline {
  int flags;
  int options_end; /* argv[1 .. options_end-1] are options (-e, -l, -W, --) */
  int script;      /* argv index of the script ("-" is stdin), 0 when none */
  int bad;         /* argv index of a bad option, 0 when the line is fine */
};

/* An option that must stand alone: "-v", not "-vx". */
static int is_bare(const char *arg) { return arg[2] == '\0'; }

static void parse_cmdline(int argc, char **argv, struct cmdline *cl) {
  int i;
  cl->flags = 0;
  cl->options_end = 1;
  cl->script = 0;
  cl->bad = 0;
  for (i = 1; i < argc; i++) {
    const char *arg = argv[i];
    if (arg[0] != '-' || arg[1] == '\0') { /* a script, or "-" for stdin */
      cl->script = i;
      break;
    }
    switch (arg[1]) {
      case '-': /* "--": what follows is the script */
        if (!is_bare(arg)) goto bad_option;
        cl->options_end = i + 1;
        cl->script = i + 1 < argc ? i + 1 : 0;
        return;
      case 'E':
        if (!is_bare(arg)) goto bad_option;
        cl->flags |= FLAG_NOENV;
        break;
      case 'W':
        if (!is_bare(arg)) goto bad_option;
        break;
      case 'i':
      case 'v':
        if (!is_bare(arg)) goto bad_option;
        cl->flags |= FLAG_VERSION | (arg[1] == 'i' ? FLAG_INTERACTIVE : 0);
        break;
      case 'e':
      case 'l': /* "-e stat" or "-estat" */
        if (arg[1] == 'e') cl->flags |= FLAG_EXECUTE;
        if (is_bare(arg)) {
          if (i + 1 >= argc || argv[i + 1][0] == '-') goto bad_option;
          i++;
        }
        break;
      default:
        goto bad_option;
    }
  }
  cl->options_end = i;
  return;
bad_option:
  cl->bad = i;
}

/* arg[0] is the script (or argv[0] when there is none), options are negative. */
static void create_arg_table(lua_State *L, int argc, char **argv, int script) {
  int i;
  lua_createtable(L, argc > script ? argc - script - 1 : 0, script + 1);
  for (i = 0; i < argc; i++) {
    lua_pushstring(L, argv[i]);
    lua_rawseti(L, -2, i - script);
  }
  lua_setglobal(L, "arg");
}

/* ------------------------------------------------------------ running code */

/* The state a SIGINT handler interrupts. */
static lua_State *running_state = NULL;

static void set_sigint(void (*handler)(int)) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = handler;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
}

static void interrupted_hook(lua_State *L, lua_Debug *ar) {
  (void)ar;
  lua_sethook(L, NULL, 0, 0);
  luaL_error(L, "interrupted!");
}

/*
 * On SIGINT: ask Lua to stop at its next instruction (lua_sethook is safe in a
 * signal handler), and let a second SIGINT kill the process as usual.
 */
static void on_sigint(int sig) {
  (void)sig;
  set_sigint(SIG_DFL);
  lua_sethook(running_state, interrupted_hook,
              LUA_MASKCALL | LUA_MASKRET | LUA_MASKLINE | LUA_MASKCOUNT, 1);
}

/* Message handler: the error as a string plus a traceback. */
static int add_traceback(lua_State *L) {
  const char *text = lua_tostring(L, 1);
  if (text == NULL) {
    /* An object with __tostring speaks for itself, without a traceback. */
    if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING) return 1;
    text = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
  }
  luaL_traceback(L, L, text, 1);
  return 1;
}

/* Calls the function below its nargs arguments, with traceback and Ctrl-C. */
static int call(lua_State *L, int nargs, int nresults) {
  int handler = lua_gettop(L) - nargs;
  int status;
  lua_pushcfunction(L, add_traceback);
  lua_insert(L, handler);
  running_state = L;
  set_sigint(on_sigint);
  status = lua_pcall(L, nargs, nresults, handler);
  set_sigint(SIG_DFL);
  lua_remove(L, handler);
  return status;
}

/* Runs a chunk just loaded (status from the load) and reports any error. */
static int run_loaded(lua_State *L, int status) {
  if (status == LUA_OK) status = call(L, 0, 0);
  return report(L, status);
}

static int run_string(lua_State *L, const char *code, const char *chunkname) {
  return run_loaded(L, luaL_loadbuffer(L, code, strlen(code), chunkname));
}

/* A NULL path reads stdin. */
static int run_file(lua_State *L, const char *path) {
  return run_loaded(L, luaL_loadfile(L, path));
}

/* -l mod, or -l g=mod: global g (or mod) = require(mod). */
static int require_into_global(lua_State *L, const char *spec) {
  const char *eq = strchr(spec, '=');
  const char *module = eq != NULL ? eq + 1 : spec;
  size_t global_len = eq != NULL ? (size_t)(eq - spec) : strlen(spec);
  int status;
#if LUA_VERSION_RELEASE_NUM >= 50406
  /* Lua 5.4.6 dropped a "-suffix" from the global name ("-l json-1" -> json). */
  if (eq == NULL) {
    const char *dash = strchr(spec, '-');
    if (dash != NULL) global_len = (size_t)(dash - spec);
  }
#endif
  lua_pushlstring(L, spec, global_len);
  lua_getglobal(L, "require");
  lua_pushstring(L, module);
  status = call(L, 1, 1);
  if (status == LUA_OK) {
    lua_setglobal(L, lua_tostring(L, -2));
    lua_pop(L, 1);
  } else {
    lua_remove(L, -2);
  }
  return report(L, status);
}

/* LUA_INIT_5_4, else LUA_INIT: "@path" runs a file, anything else is code. */
static int run_lua_init(lua_State *L) {
  static const char *const names[] = {"LUA_INIT_" LUA_VERSION_MAJOR "_" LUA_VERSION_MINOR,
                                      "LUA_INIT"};
  size_t i;
  int status;
  for (i = 0; i < sizeof names / sizeof names[0]; i++) {
    const char *value = getenv(names[i]);
    if (value == NULL) continue;
    if (value[0] == '@') return run_file(L, value + 1);
    lua_pushfstring(L, "=%s", names[i]);
    status = run_string(L, value, lua_tostring(L, -1));
    lua_pop(L, 1);
    return status;
  }
  return LUA_OK;
}

/* -e, -l and -W, in the order given. False when one of them failed. */
static int run_options(lua_State *L, char **argv, int options_end) {
  int i;
  for (i = 1; i < options_end; i++) {
    char option = argv[i][1];
    if (option == 'e' || option == 'l') {
      const char *value = argv[i][2] != '\0' ? argv[i] + 2 : argv[++i];
      int status =
          option == 'e' ? run_string(L, value, "=(command line)") : require_into_global(L, value);
      if (status != LUA_OK) return 0;
    } else if (option == 'W') {
      lua_warning(L, "@on", 0);
    }
  }
  return 1;
}

/* The script with arg[1..#arg] as `...`; "-" is stdin unless it follows "--". */
static int run_script(lua_State *L, char **argv, int script) {
  const char *path = argv[script];
  int status, n, i;
  if (strcmp(path, "-") == 0 && strcmp(argv[script - 1], "--") != 0) path = NULL;
  status = luaL_loadfile(L, path);
  if (status == LUA_OK) {
    if (lua_getglobal(L, "arg") != LUA_TTABLE) luaL_error(L, "'arg' is not a table");
    n = (int)luaL_len(L, -1);
    luaL_checkstack(L, n + 3, "too many arguments to script");
    for (i = 1; i <= n; i++) lua_rawgeti(L, -i, i);
    lua_remove(L, -n - 1);
    status = call(L, n, LUA_MULTRET);
  }
  return report(L, status);
}

/* -------------------------------------------------------------- line input */

/*
 * GNU readline when the system has it (loaded at run time, so it is neither a
 * build nor a link dependency), plain stdio otherwise. Debian's lua5.4 uses
 * readline too, so the REPL edits, keeps history and echoes piped input alike.
 */
static struct {
  char *(*readline)(const char *prompt);
  void (*add_history)(const char *line);
} editor;

static void editor_open(void) {
  static const char *const libs[] = {"libreadline.so.8", "libreadline.so"};
  size_t i;
  for (i = 0; i < sizeof libs / sizeof libs[0] && editor.readline == NULL; i++) {
    void *lib = dlopen(libs[i], RTLD_NOW | RTLD_LOCAL);
    const char **name;
    if (lib == NULL) continue;
    *(void **)&editor.readline = dlsym(lib, "readline");
    *(void **)&editor.add_history = dlsym(lib, "add_history");
    name = (const char **)dlsym(lib, "rl_readline_name");
    if (editor.readline == NULL || editor.add_history == NULL) {
      editor.readline = NULL;
      dlclose(lib);
      continue;
    }
    if (name != NULL) *name = "lua"; /* for "$if lua" in ~/.inputrc */
  }
}

/* Reads a line without its newline into a malloc'ed string; NULL at end of input. */
static char *editor_read(const char *prompt) {
  char *line = NULL;
  size_t cap = 0;
  ssize_t len;
  if (editor.readline != NULL) return editor.readline(prompt);
  fputs(prompt, stdout);
  fflush(stdout);
  len = getline(&line, &cap, stdin);
  if (len < 0) {
    free(line);
    return NULL;
  }
  if (len > 0 && line[len - 1] == '\n') line[len - 1] = '\0';
  return line;
}

static void editor_remember(const char *line) {
  if (editor.add_history != NULL && line[0] != '\0') editor.add_history(line);
}

/* -------------------------------------------------------------------- REPL */

/* _PROMPT / _PROMPT2 through tostring, or the defaults. Pushes nothing. */
static char *read_prompted_line(lua_State *L, int first) {
  const char *prompt;
  char *line;
  if (lua_getglobal(L, first ? "_PROMPT" : "_PROMPT2") == LUA_TNIL) {
    lua_pop(L, 1);
    lua_pushstring(L, first ? PROMPT1 : PROMPT2);
  } else {
    luaL_tolstring(L, -1, NULL);
    lua_remove(L, -2);
  }
  prompt = lua_tostring(L, -1);
  line = editor_read(prompt);
  lua_pop(L, 1);
  return line;
}

/* Pushes the next line (a leading '=' on a first line means "return "). */
static int push_line(lua_State *L, int first) {
  char *line = read_prompted_line(L, first);
  if (line == NULL) return 0;
  if (first && line[0] == '=')
    lua_pushfstring(L, "return %s", line + 1);
  else
    lua_pushstring(L, line);
  free(line);
  return 1;
}

/* A syntax error that only says the chunk ended too soon. */
static int is_unfinished(lua_State *L, int status) {
  size_t len, mark = sizeof INCOMPLETE_MARK - 1;
  const char *text;
  if (status != LUA_ERRSYNTAX) return 0;
  text = lua_tolstring(L, -1, &len);
  return len >= mark && strcmp(text + len - mark, INCOMPLETE_MARK) == 0;
}

/* Compiles "return <line>;" over the line at the top; the line stays below it. */
static int compile_as_expression(lua_State *L) {
  const char *line = lua_tostring(L, -1);
  const char *code = lua_pushfstring(L, "return %s;", line);
  int status = luaL_loadbuffer(L, code, strlen(code), "=stdin");
  lua_remove(L, -2); /* the "return" text */
  if (status == LUA_OK)
    editor_remember(line);
  else
    lua_pop(L, 1);
  return status;
}

/* Compiles the text at the top as statements, reading more lines while it is unfinished. */
static int compile_as_statements(lua_State *L) {
  for (;;) {
    size_t len;
    const char *code = lua_tolstring(L, -1, &len);
    int status = luaL_loadbuffer(L, code, len, "=stdin");
    if (!is_unfinished(L, status)) {
      editor_remember(code);
      return status;
    }
    lua_pop(L, 1); /* the "<eof>" error */
    if (!push_line(L, 0)) {
      /* input ended inside a chunk: its syntax error (lua5.4 prints "(null)") */
      code = lua_tolstring(L, -1, &len);
      status = luaL_loadbuffer(L, code, len, "=stdin");
      editor_remember(code);
      return status;
    }
    lua_pushliteral(L, "\n");
    lua_insert(L, -2);
    lua_concat(L, 3);
  }
}

/* Leaves one compiled chunk (or an error) on an empty stack; -1 at end of input. */
static int read_chunk(lua_State *L) {
  int status;
  lua_settop(L, 0);
  if (!push_line(L, 1)) return -1;
  status = compile_as_expression(L);
  if (status != LUA_OK) status = compile_as_statements(L);
  lua_remove(L, 1); /* the source text */
  return status;
}

static void print_results(lua_State *L) {
  int n = lua_gettop(L);
  if (n == 0) return;
  luaL_checkstack(L, LUA_MINSTACK, "too many results to print");
  lua_getglobal(L, "print");
  lua_insert(L, 1);
  if (lua_pcall(L, n, 0, 0) != LUA_OK)
    message(progname, lua_pushfstring(L, "error calling 'print' (%s)", lua_tostring(L, -1)));
}

static void repl(lua_State *L) {
  const char *saved = progname;
  int status;
  progname = NULL; /* no program name on errors typed at the prompt */
  editor_open();
  while ((status = read_chunk(L)) != -1) {
    if (status == LUA_OK) status = call(L, 0, LUA_MULTRET);
    if (status == LUA_OK)
      print_results(L);
    else
      report(L, status);
  }
  lua_settop(L, 0);
  fputs("\n", stdout);
  fflush(stdout);
  progname = saved;
}

/* -------------------------------------------------------------------- main */

/* Protected main: (argc, argv) in, a boolean "all went well" out. */
static int protected_main(lua_State *L) {
  int argc = (int)lua_tointeger(L, 1);
  char **argv = (char **)lua_touserdata(L, 2);
  struct cmdline cl;

  luaL_checkversion(L);
  parse_cmdline(argc, argv, &cl);
  if (cl.bad) {
    print_usage(argv[cl.bad]);
    return 0;
  }
  if (cl.flags & FLAG_VERSION) print_lua_version();
  if (cl.flags & FLAG_NOENV) { /* before the package library reads the environment */
    lua_pushboolean(L, 1);
    lua_setfield(L, LUA_REGISTRYINDEX, "LUA_NOENV");
  }
  luaL_openlibs(L);
  heygen_preload(L);
  if (cl.flags & FLAG_VERSION) print_heygen_version(L);
  create_arg_table(L, argc, argv, cl.script);
  lua_gc(L, LUA_GCRESTART);
  lua_gc(L, LUA_GCGEN, 0, 0);
  if (!(cl.flags & FLAG_NOENV) && run_lua_init(L) != LUA_OK) return 0;
  if (!run_options(L, argv, cl.options_end)) return 0;
  if (cl.script > 0 && run_script(L, argv, cl.script) != LUA_OK) return 0;
  if (cl.flags & FLAG_INTERACTIVE) {
    repl(L);
  } else if (cl.script == 0 && !(cl.flags & (FLAG_EXECUTE | FLAG_VERSION))) {
    if (isatty(STDIN_FILENO)) {
      print_lua_version();
      print_heygen_version(L);
      repl(L);
    } else {
      run_file(L, NULL);
    }
  }
  lua_pushboolean(L, 1);
  return 1;
}

int main(int argc, char **argv) {
  lua_State *L;
  int status, ok;
  if (argc > 0 && argv[0][0] != '\0') progname = argv[0];
  L = luaL_newstate();
  if (L == NULL) {
    message(progname, "cannot create state: not enough memory");
    return EXIT_FAILURE;
  }
  lua_gc(L, LUA_GCSTOP); /* no collections while the state is being built */
  lua_pushcfunction(L, protected_main);
  lua_pushinteger(L, argc);
  lua_pushlightuserdata(L, argv);
  status = lua_pcall(L, 2, 1, 0);
  ok = lua_toboolean(L, -1);
  report(L, status);
  lua_close(L);
  return ok && status == LUA_OK ? EXIT_SUCCESS : EXIT_FAILURE;
}
