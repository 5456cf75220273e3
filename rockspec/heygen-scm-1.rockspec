-- heygen: generate AI videos from Lua through HeyGen and fal.ai.
--
-- From a checkout, into a tree of your own (Lua 5.4 or LuaJIT, no network needed
-- with Debian's lua-cjson installed):
--
--   luarocks --lua-version 5.4 make rockspec/heygen-scm-1.rockspec --tree ~/.luarocks
--   luarocks --lua-version 5.1 make rockspec/heygen-scm-1.rockspec --tree ~/.luarocks \
--     LUA_INCDIR=/usr/include/luajit-2.1                       # LuaJIT (Neovim, LOVE)
--
-- "lua >= 5.1" below means Lua 5.4 or LuaJIT (which LuaRocks calls 5.1): PUC Lua 5.1 stops
-- the build with a message saying so (src/compat.h). Debian's luarocks defaults to 5.1:
-- pass --lua-version 5.4. With Debian's lua-cjson (a package, not a rock), add
-- --deps-mode=none and LUAROCKS_CONFIG=rockspec/debian.lua, which tells LuaRocks the
-- package provides the lua-cjson rock (else it warns "Missing dependencies: lua-cjson").
rockspec_format = "3.0"
package = "heygen"
version = "scm-1"

source = {
  -- `luarocks make` builds the checkout it runs in; this is where the sources are published
  url = "git+https://github.com/heygen-lua/heygen-lua.git",
}

description = {
  summary = "Generate AI videos from Lua through HeyGen (v1/v2 and v3) and fal.ai",
  detailed = [[
A client for HeyGen's video APIs and the fal.ai queue: text-to-video workflows, avatar
videos, templates, translation, fal models, a provider selector with real fallback, jobs
that poll, resume and download. Every wait yields inside a heygen task and blocks outside
one, so the same code serves scripts, game loops (heygen.step) and Neovim (heygen.uv).
Ships an offline emulator of both APIs for tests (heygen.emulator, needs luasocket).
]],
  license = "MIT",
  labels = { "video", "ai", "http", "neovim" },
}

dependencies = {
  "lua >= 5.1",
  "lua-cjson",
}

-- libcurl (Debian: libcurl4-openssl-dev). Only the library is looked up here: Debian keeps
-- curl/curl.h in a multiarch directory LuaRocks does not search; CMake finds it.
external_dependencies = {
  CURL = { library = "curl" },
  OPENSSL = { library = "crypto" }, -- libcrypto, for webhook signatures (Debian: libssl-dev)
}

build = {
  type = "cmake",
  -- the emulator as a command; LuaRocks wraps it to find the tree's modules
  install = { bin = { ["heygen-emulator"] = "bin/heygen-emulator" } },
  variables = {
    CMAKE_BUILD_TYPE = "Release",
    -- the Lua being built for: its headers (heygen/core.so takes Lua from its host)
    LUA_INCDIR = "$(LUA_INCDIR)",
    CURL_ROOT = "$(CURL_DIR)",
    OPENSSL_ROOT_DIR = "$(OPENSSL_DIR)",
    HEYGEN_INSTALL_LMOD = "$(LUADIR)",
    HEYGEN_INSTALL_CMOD = "$(LIBDIR)",
    HEYGEN_INTERPRETER = "OFF",
    HEYGEN_EMBED_EXAMPLE = "OFF",
    HEYGEN_INSTALL_TOOLS = "OFF",
  },
}
