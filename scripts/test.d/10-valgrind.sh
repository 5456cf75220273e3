# Sourced by scripts/test: valgrind memcheck over the specs that drive the C core
# (transfers, headers, JSON, downloads to files, every fault, TLS), under lua5.4
# with build/heygen/core.so. Fails on any invalid access, use of uninitialised
# memory, or definite leak (busted exits through os.exit(code, true), so the Lua
# state is closed and everything our C allocated must have been freed), and on
# any spec failure (webhook signatures too: libcrypto through src/crypto.c). One pass/fail line.
valgrind_pass() {
  local out=$log_dir/valgrind.log rc line
  local specs="spec/core_spec.lua spec/client_spec.lua spec/scheduler_spec.lua spec/faults_spec.lua
               spec/secrets_spec.lua spec/journal_spec.lua spec/crypto_spec.lua spec/webhook_spec.lua"
  echo "== valgrind"
  # shellcheck disable=SC2086
  HEYGEN_TEST_RUNTIME=valgrind \
  LUA_PATH="$root/lua/?.lua;$root/lua/?/init.lua;$root/spec/?.lua;;" LUA_CPATH="$root/build/?.so;;" \
    timeout 900 valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite \
      --errors-for-leak-kinds=definite --error-exitcode=99 --num-callers=30 --trace-children=no -q \
      lua5.4 /usr/bin/busted -o plainTerminal $specs >"$out" 2>&1
  rc=$?
  line=$(grep -E '^[0-9]+ successes? / [0-9]+ failures? / [0-9]+ errors? / [0-9]+ pending' "$out" | tail -1)
  if [ $rc -eq 99 ] || grep -qE '^==[0-9]+== ' "$out"; then
    grep -E '^==[0-9]+== ' "$out" | head -80
    echo "valgrind: memcheck found errors (see build/test-logs/valgrind.log)"; failed=$((failed + 1))
  elif [ -z "$line" ] || [ $rc -ne 0 ]; then
    sed -n '/^Failure\|^Error/,$p' "$out" | head -60; tail -5 "$out"
    echo "valgrind: specs failed under memcheck (exit $rc)"; failed=$((failed + 1))
  else
    echo "valgrind: clean ($line)"; passed=$((passed + 1))
  fi
}
valgrind_pass
