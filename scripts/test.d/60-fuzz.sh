# Sourced by scripts/test: libFuzzer over the C core's parsing of untrusted
# input (fuzz/*.c), each target for a bounded time under ASan and UBSan, the
# targets side by side (a slot each). One pass/fail line per target.
# HEYGEN_FUZZ_SECONDS (default 60) sets the time per target; crashes land in
# build-fuzz/ as crash-* reproducers.
fuzz_run() { # target secs
  (cd "$root/build-fuzz" && ASAN_OPTIONS=detect_leaks=1 ./"$1" -max_total_time="$2" -rss_limit_mb=2048 \
     -max_len=65536 -timeout=10 -print_final_stats=1 "corpus-$1" >"$1.log" 2>&1)
  echo $? >"$root/build-fuzz/$1.rc"
}
fuzz_pass() {
  local secs=${HEYGEN_FUZZ_SECONDS:-60} dir=$root/build-fuzz
  local lua_inc lua_a cjson_a t pids=() built=()
  lua_inc=$(pkg-config --cflags lua5.4)
  lua_a=$(pkg-config --variable=libdir lua5.4)/liblua5.4.a
  cjson_a=$(pkg-config --variable=libdir lua5.4)/liblua5.4-cjson.a
  mkdir -p "$dir"
  for t in headers json; do
    local srcs="fuzz/$t.c src/headers.c"
    [ "$t" = json ] && srcs="fuzz/$t.c src/json.c"
    rm -f "$dir/$t.rc"
    if ! clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
        -Wall -Wextra -Isrc $lua_inc $srcs "$lua_a" "$cjson_a" -lm -ldl -o "$dir/$t" \
        >"$dir/$t.build.log" 2>&1; then
      echo "== fuzz $t (${secs}s)"
      cat "$dir/$t.build.log"; echo "fuzz $t: build failed"; failed=$((failed + 1)); continue
    fi
    rm -rf "$dir/corpus-$t"; mkdir -p "$dir/corpus-$t"
    cp fuzz/corpus/$t/* "$dir/corpus-$t/"
    slot fuzz_run "$t" "$secs" & pids+=($!); built+=("$t")
  done
  [ ${#pids[@]} -gt 0 ] && wait "${pids[@]}"
  for t in "${built[@]}"; do
    echo "== fuzz $t (${secs}s)"
    if [ "$(cat "$dir/$t.rc" 2>/dev/null)" = 0 ]; then
      grep -E "^stat::number_of_executed_units" "$dir/$t.log" | sed "s/^/fuzz $t: /"
      passed=$((passed + 1))
    else
      tail -40 "$dir/$t.log"; echo "fuzz $t: FAILED (see build-fuzz/$t.log)"; failed=$((failed + 1))
    fi
  done
}
fuzz_pass
