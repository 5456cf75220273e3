# Sourced by scripts/test: a smoke run of the benchmarks (bench/run --quick).
# It counts as passed when every benchmark ran and the Markdown table was
# written; the figures themselves are never judged here (no timed assertions
# in tests: these machines are noisy, and bench/run is where figures live).
bench_smoke() {
  local out=$log_dir/bench-smoke.md log=$log_dir/bench-smoke.log
  echo "== bench smoke (bench/run --quick)"
  rm -f "$out"
  if bench/run --quick --out "$out" >"$log" 2>&1 && grep -q "^### Status polls" "$out" \
    && grep -q "^### Status polls over HTTPS" "$out" \
    && grep -q "| heygen [0-9.]*x (raw libcurl [0-9.]*x) |" "$out" \
    && grep -q "^| status requests in the round | [0-9,]* | [0-9,]* | [0-9,]* |" "$out" \
    && grep -q "^### Polling that respects the API" "$out" \
    && grep -q "^### Peers side by side" "$out" && grep -q "^### Host loops over HTTPS" "$out" \
    && grep -q "^### What a frame pays" "$out" && grep -q "^### The whole job" "$out" \
    && grep -q "^### Scale: v3 jobs" "$out"; then
    passed=$((passed + 1))
  else
    tail -40 "$log"; echo "bench smoke FAILED (log: $log)"
    failed=$((failed + 1))
  fi
}
bench_smoke
