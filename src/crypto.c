/*
 * heygen.core digests and signatures, for webhook deliveries: HeyGen signs a
 * delivery with the hex HMAC-SHA256 of its body, fal.ai with an Ed25519
 * signature over a line that holds the body's SHA-256. All of it is OpenSSL's
 * libcrypto (already in the process wherever libcurl speaks TLS through it);
 * this file only moves bytes between Lua strings and its one-shot calls.
 *
 *   core.sha256(data)                    -> 64 lower-case hex digits
 *   core.hmac_sha256(key, data)          -> 64 lower-case hex digits
 *   core.equal(a, b)                     -> boolean, in time that depends only on the lengths
 *   core.ed25519_keypair()               -> seed (32 bytes), public key (32 bytes)
 *   core.ed25519_sign(seed, message)     -> signature (64 bytes)
 *   core.ed25519_verify(public, message, signature) -> boolean
 *
 * heygen-lua is built with HEYGEN_CRYPTO_DLOPEN, as it is with HEYGEN_CURL_DLOPEN:
 * libcrypto is loaded by the first call here (HEYGEN_LIBCRYPTO, a path or a
 * soname, picks another one), so start-up does not pay for it.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "core_private.h"

#define ED25519_KEY 32
#define ED25519_SIG 64

/* The libcrypto functions used here. */
/* clang-format off */
#define HEYGEN_CRYPTO_FUNCTIONS(X)                                                  \
  X(EVP_sha256) X(EVP_Digest) X(HMAC) X(CRYPTO_memcmp) X(RAND_bytes)                \
  X(EVP_PKEY_new_raw_private_key) X(EVP_PKEY_new_raw_public_key)                    \
  X(EVP_PKEY_get_raw_public_key) X(EVP_PKEY_free)                                   \
  X(EVP_MD_CTX_new) X(EVP_MD_CTX_free)                                              \
  X(EVP_DigestSignInit) X(EVP_DigestSign) X(EVP_DigestVerifyInit) X(EVP_DigestVerify)
/* clang-format on */

static struct {
#define HEYGEN_CRYPTO_POINTER(fn) __typeof__(fn) *fn;
  HEYGEN_CRYPTO_FUNCTIONS(HEYGEN_CRYPTO_POINTER)
#undef HEYGEN_CRYPTO_POINTER
} lc;

static pthread_once_t crypto_once = PTHREAD_ONCE_INIT;
static char crypto_problem[512]; /* empty: lc is filled */

#ifdef HEYGEN_CRYPTO_DLOPEN
#include <dlfcn.h>
#ifndef HEYGEN_CRYPTO_SONAME
#define HEYGEN_CRYPTO_SONAME "libcrypto.so.3"
#endif

static void load_crypto(void) {
  const char *name = getenv("HEYGEN_LIBCRYPTO");
  void *lib;
  if (!name || !*name) name = HEYGEN_CRYPTO_SONAME;
  if (!(lib = dlopen(name, RTLD_NOW | RTLD_LOCAL))) {
    snprintf(crypto_problem, sizeof(crypto_problem), "cannot load libcrypto (%s): %s", name,
             dlerror());
    return;
  }
#define HEYGEN_CRYPTO_RESOLVE(fn)                                                             \
  if (!(*(void **)&lc.fn = dlsym(lib, #fn))) {                                                \
    snprintf(crypto_problem, sizeof(crypto_problem), "%s is not a usable libcrypto: no " #fn, \
             name);                                                                           \
    dlclose(lib);                                                                             \
    return;                                                                                   \
  }
  HEYGEN_CRYPTO_FUNCTIONS(HEYGEN_CRYPTO_RESOLVE)
#undef HEYGEN_CRYPTO_RESOLVE
  /* stays loaded for the life of the process, as a linked library would */
}
#else
static void load_crypto(void) {
#define HEYGEN_CRYPTO_LINKED(fn) lc.fn = fn;
  HEYGEN_CRYPTO_FUNCTIONS(HEYGEN_CRYPTO_LINKED)
#undef HEYGEN_CRYPTO_LINKED
}
#endif

static void crypto_ready(lua_State *L) {
  pthread_once(&crypto_once, load_crypto);
  if (crypto_problem[0]) luaL_error(L, "heygen.core: %s", crypto_problem);
}

static void push_hex(lua_State *L, const unsigned char *p, size_t n) {
  static const char digits[] = "0123456789abcdef";
  char out[2 * EVP_MAX_MD_SIZE];
  size_t i;
  for (i = 0; i < n; i++) {
    out[2 * i] = digits[p[i] >> 4];
    out[2 * i + 1] = digits[p[i] & 15];
  }
  lua_pushlstring(L, out, 2 * n);
}

static int c_sha256(lua_State *L) {
  size_t n;
  const char *data = luaL_checklstring(L, 1, &n);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int mdlen = 0;
  crypto_ready(L);
  if (!lc.EVP_Digest(data, n, md, &mdlen, lc.EVP_sha256(), NULL))
    return luaL_error(L, "heygen.core: SHA-256 failed");
  push_hex(L, md, mdlen);
  return 1;
}

static int c_hmac_sha256(lua_State *L) {
  size_t klen, n;
  const char *key = luaL_checklstring(L, 1, &klen);
  const char *data = luaL_checklstring(L, 2, &n);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int mdlen = 0;
  crypto_ready(L);
  /* HMAC takes an int key length; webhook secrets are a few dozen bytes */
  luaL_argcheck(L, klen <= 0x7fffffff, 1, "key too long");
  if (!lc.HMAC(lc.EVP_sha256(), key, (int)klen, (const unsigned char *)data, n, md, &mdlen))
    return luaL_error(L, "heygen.core: HMAC-SHA256 failed");
  push_hex(L, md, mdlen);
  return 1;
}

static int c_equal(lua_State *L) {
  size_t na, nb;
  const char *a = luaL_checklstring(L, 1, &na);
  const char *b = luaL_checklstring(L, 2, &nb);
  crypto_ready(L);
  lua_pushboolean(L, na == nb && lc.CRYPTO_memcmp(a, b, na) == 0);
  return 1;
}

/* The bytes of argument i, which must be exactly len long. */
static const unsigned char *check_bytes(lua_State *L, int i, size_t len, const char *what) {
  size_t n;
  const char *p = luaL_checklstring(L, i, &n);
  if (n != len)
    luaL_argerror(L, i, lua_pushfstring(L, "%s must be %d bytes (got %d)", what, (int)len, (int)n));
  return (const unsigned char *)p;
}

static int c_ed25519_keypair(lua_State *L) {
  unsigned char seed[ED25519_KEY], pub[ED25519_KEY];
  size_t publen = sizeof(pub);
  EVP_PKEY *k;
  crypto_ready(L);
  if (lc.RAND_bytes(seed, sizeof(seed)) != 1)
    return luaL_error(L, "heygen.core: no random bytes for a key");
  k = lc.EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, sizeof(seed));
  if (!k || lc.EVP_PKEY_get_raw_public_key(k, pub, &publen) != 1 || publen != sizeof(pub)) {
    if (k) lc.EVP_PKEY_free(k);
    return luaL_error(L, "heygen.core: Ed25519 key generation failed");
  }
  lc.EVP_PKEY_free(k);
  lua_pushlstring(L, (const char *)seed, sizeof(seed));
  lua_pushlstring(L, (const char *)pub, sizeof(pub));
  return 2;
}

static int c_ed25519_sign(lua_State *L) {
  const unsigned char *seed;
  size_t n, siglen = ED25519_SIG;
  const char *msg;
  unsigned char sig[ED25519_SIG];
  EVP_PKEY *k;
  EVP_MD_CTX *ctx;
  int ok;
  crypto_ready(L);
  seed = check_bytes(L, 1, ED25519_KEY, "the seed");
  msg = luaL_checklstring(L, 2, &n);
  k = lc.EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, ED25519_KEY);
  ctx = lc.EVP_MD_CTX_new();
  ok = k && ctx && lc.EVP_DigestSignInit(ctx, NULL, NULL, NULL, k) == 1 &&
       lc.EVP_DigestSign(ctx, sig, &siglen, (const unsigned char *)msg, n) == 1 &&
       siglen == ED25519_SIG;
  if (ctx) lc.EVP_MD_CTX_free(ctx);
  if (k) lc.EVP_PKEY_free(k);
  if (!ok) return luaL_error(L, "heygen.core: Ed25519 signing failed");
  lua_pushlstring(L, (const char *)sig, ED25519_SIG);
  return 1;
}

static int c_ed25519_verify(lua_State *L) {
  const unsigned char *pub, *sig;
  size_t n;
  const char *msg;
  EVP_PKEY *k;
  EVP_MD_CTX *ctx;
  int ok;
  crypto_ready(L);
  pub = check_bytes(L, 1, ED25519_KEY, "the public key");
  msg = luaL_checklstring(L, 2, &n);
  sig = check_bytes(L, 3, ED25519_SIG, "the signature");
  k = lc.EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub, ED25519_KEY);
  ctx = lc.EVP_MD_CTX_new();
  /* a key that is not a curve point fails here, as a wrong signature does */
  ok = k && ctx && lc.EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, k) == 1 &&
       lc.EVP_DigestVerify(ctx, sig, ED25519_SIG, (const unsigned char *)msg, n) == 1;
  if (ctx) lc.EVP_MD_CTX_free(ctx);
  if (k) lc.EVP_PKEY_free(k);
  lua_pushboolean(L, ok);
  return 1;
}

static const luaL_Reg crypto_funcs[] = {
    {"sha256", c_sha256},
    {"hmac_sha256", c_hmac_sha256},
    {"equal", c_equal},
    {"ed25519_keypair", c_ed25519_keypair},
    {"ed25519_sign", c_ed25519_sign},
    {"ed25519_verify", c_ed25519_verify},
    {NULL, NULL},
};

void heygen_crypto_open(lua_State *L) { luaL_setfuncs(L, crypto_funcs, 0); }
