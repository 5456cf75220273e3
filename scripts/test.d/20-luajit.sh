# Sourced by scripts/test: the same C and Lua sources on LuaJIT (what Neovim and
# LOVE embed). Builds heygen/core.so and the examples/embed host against LuaJIT
# in build-luajit/, then runs the whole spec suite under `luajit /usr/bin/busted`
# (Debian's busted runs on 5.1/LuaJIT); the emulator child still runs lua5.4.
if build build-luajit -DHEYGEN_LUA=luajit -DHEYGEN_INTERPRETER=OFF -DHEYGEN_EMBED_EXAMPLE=ON; then
  export HEYGEN_EMBED_BIN=$root/build-luajit/examples/embed/heygen-embed
  pass luajit luajit "$root/build-luajit"
  unset HEYGEN_EMBED_BIN
else
  echo "build-luajit: build failed"
  failed=$((failed + 1))
fi
