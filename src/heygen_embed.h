/*
 * The Lua layer embedded as bytes: the table cmake/EmbedLua.cmake generates as
 * source (build/gen/heygen_embed.c, for C hosts) and src/embed_bytecode.c as
 * bytecode (build/gen/heygen_embed_bytecode.c, for heygen-lua), and
 * src/preload.c registers. Private to the build.
 */
#ifndef HEYGEN_EMBED_H
#define HEYGEN_EMBED_H

#include <stddef.h>

enum heygen_embed_kind {
  HEYGEN_EMBED_LUA,     /* Lua source: loaded as a text chunk and run */
  HEYGEN_EMBED_BYTES,   /* any other file: the module's value is its bytes */
  HEYGEN_EMBED_BYTECODE /* Lua compiled at build time by the liblua it runs on */
};

struct heygen_embedded {
  const char *module;    /* "heygen.api.v3", "heygen.emulator.sample_mp4" */
  const char *chunkname; /* "@lua/heygen/api/v3.lua" */
  const unsigned char *bytes;
  size_t size; /* without the NUL the generator appends */
  enum heygen_embed_kind kind;
};

/* Ends with an entry whose module is NULL. */
extern const struct heygen_embedded heygen_embedded[];

#endif
