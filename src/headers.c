/*
 * Response header parsing: the raw header block libcurl handed us (status
 * line, "Name: value" lines) into a Lua table with lower-case names, or the
 * values of a few headers looked up in the block (one pass) without building
 * the table.
 * The bytes come from the network, so nothing here trusts them: lines may be
 * of any length, lack a colon, a CR or a final newline, or hold NUL bytes.
 * Kept apart from http.c so fuzz/headers.c can drive it directly.
 */
#include <string.h>
#include <strings.h>

#include "core_private.h"

static int is_status_line(const char *p, const char *eol) {
  return eol - p >= 5 && memcmp(p, "HTTP/", 5) == 0;
}

static char lower(char c) { return (char)((c >= 'A' && c <= 'Z') ? c + 32 : c); }

/* Header names are short: lower-case them on the C stack, one Lua string at
 * the end (a luaL_Buffer costs more than the name); long ones take the buffer. */
void heygen_push_lower(lua_State *L, const char *p, const char *end) {
  char small[64];
  size_t n = (size_t)(end - p), i;
  if (n <= sizeof(small)) {
    for (i = 0; i < n; i++) small[i] = lower(p[i]);
    lua_pushlstring(L, small, n);
  } else {
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (; p < end; p++) luaL_addchar(&b, lower(*p));
    luaL_pushresult(&b);
  }
}

/* A header line's value without surrounding blanks or the CR. */
static void trim_value(const char **v, const char **ve) {
  while (*v < *ve && (**v == ' ' || **v == '\t')) (*v)++;
  while (*ve > *v && ((*ve)[-1] == '\r' || (*ve)[-1] == ' ' || (*ve)[-1] == '\t')) (*ve)--;
}

static void push_value(lua_State *L, const char *v, const char *ve) {
  trim_value(&v, &ve);
  lua_pushlstring(L, v, (size_t)(ve - v));
}

/* t[name] = value, or "old, value" for a repeated header (as HTTP allows).
 * Expects the table, the name and the value on top of the stack. */
static void add_header(lua_State *L) {
  lua_pushvalue(L, -2);
  lua_rawget(L, -4);
  if (!lua_isnil(L, -1)) {
    lua_insert(L, -2);
    lua_pushliteral(L, ", ");
    lua_insert(L, -2);
    lua_concat(L, 3);
  } else {
    lua_pop(L, 1);
  }
  lua_rawset(L, -3);
}

/* The next "Name: value" line of the block at *p (before end), skipping status
 * lines and lines without a name; *p moves past it. 0 when none is left. */
static int next_header(const char **p, const char *end, const char **name, const char **colon,
                       const char **eol) {
  while (*p && *p < end) {
    const char *line = *p, *e = memchr(line, '\n', (size_t)(end - line)), *c;
    if (!e) e = end;
    *p = e + 1;
    c = memchr(line, ':', (size_t)(e - line));
    if (c && c > line && !is_status_line(line, e)) {
      *name = line;
      *colon = c;
      *eol = e;
      return 1;
    }
  }
  return 0;
}

void heygen_push_headers(lua_State *L, const char *p, size_t n) {
  const char *end = p ? p + n : NULL, *name, *colon, *eol;
  lua_createtable(L, 0, 16); /* room for a usual answer's headers: no rehash while filling */
  while (next_header(&p, end, &name, &colon, &eol)) {
    heygen_push_lower(L, name, colon);
    push_value(L, colon + 1, eol);
    add_header(L);
  }
}

/* Does the header name p[0..n) equal name, ignoring ASCII case? */
static int same_name(const char *p, size_t n, const char *name, size_t len) {
  size_t i;
  if (n != len) return 0;
  for (i = 0; i < n; i++)
    if (lower(p[i]) != lower(name[i])) return 0;
  return 1;
}

void heygen_push_header(lua_State *L, const char *p, size_t n, const char *const *names,
                        const size_t *lens, int count) {
  const char *end = p ? p + n : NULL, *line, *colon, *eol;
  int i, base = lua_gettop(L);
  luaL_checkstack(L, count + 3, "header names");
  for (i = 0; i < count; i++) lua_pushnil(L);
  while (next_header(&p, end, &line, &colon, &eol)) {
    for (i = 0; i < count; i++) {
      if (!same_name(line, (size_t)(colon - line), names[i], lens[i])) continue;
      if (lua_isnil(L, base + 1 + i)) {
        push_value(L, colon + 1, eol);
      } else { /* a repeated header: "old, value", as the table has it */
        lua_pushvalue(L, base + 1 + i);
        lua_pushliteral(L, ", ");
        push_value(L, colon + 1, eol);
        lua_concat(L, 3);
      }
      lua_replace(L, base + 1 + i);
    }
  }
}

int heygen_find_header(const char *p, size_t n, const char *name, const char **v, size_t *vlen) {
  const char *end = p ? p + n : NULL, *line, *colon, *eol;
  size_t len = strlen(name);
  while (next_header(&p, end, &line, &colon, &eol)) {
    const char *ve = eol;
    if (!same_name(line, (size_t)(colon - line), name, len)) continue;
    *v = colon + 1;
    trim_value(v, &ve);
    *vlen = (size_t)(ve - *v);
    return 1;
  }
  return 0;
}

long long heygen_range_start(const char *p, size_t n) {
  const char *v, *end;
  size_t vlen;
  long long first = 0;
  if (!heygen_find_header(p, n, "content-range", &v, &vlen)) return -1;
  end = v + vlen;
  if (vlen < 6 || strncasecmp(v, "bytes", 5) != 0) return -1;
  for (v += 5; v < end && *v == ' '; v++) continue;
  if (v == end || *v < '0' || *v > '9') return -1;
  for (; v < end && *v >= '0' && *v <= '9'; v++) {
    if (first >= (1LL << 59)) return -1; /* no overflow below: far beyond any file */
    first = first * 10 + (*v - '0');
  }
  return v < end && *v == '-' ? first : -1;
}
