# Sourced by scripts/test: the soak (bench/soak.lua), 100,000 requests and 10,000 jobs
# through the emulator, RSS compared first half vs second half. One pass/fail line.
soak_pass() {
  local out=$log_dir/soak.log
  echo "== soak"
  if LUA_PATH="$root/lua/?.lua;$root/lua/?/init.lua;$root/bench/?.lua;;" LUA_CPATH="$root/build/?.so;;" \
      slot timeout 600 lua5.4 bench/soak.lua >"$out" 2>&1; then
    grep -E "^soak:" "$out"
    passed=$((passed + 1))
  else
    tail -20 "$out"; echo "soak: FAILED (see build/test-logs/soak.log)"; failed=$((failed + 1))
  fi
}
soak_pass
