# Sourced by scripts/test: valgrind memcheck over the specs that drive the C core
# (transfers, headers, JSON, downloads to files, every fault, TLS), under lua5.4
# with build/heygen/core.so, one valgrind per spec file (they run side by side
# like any pass, each holding 2 slots: memcheck keeps a core busy). A file fails
# on any spec failure, and on any invalid access, use of uninitialised memory,
# or definite leak (busted exits through
# os.exit(code, true), so the Lua state is closed and everything our C allocated
# must have been freed): memcheck's report ("==PID==" lines) fails its file.
# Webhook signatures too: libcrypto through src/crypto.c; and records made after a
# failed allocation (spec/alloc_spec.lua).
valgrind_pass() {
  PASS_WRAP="timeout 900 valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite
      --errors-for-leak-kinds=definite --error-exitcode=99 --num-callers=30 --trace-children=no -q" \
  PASS_SLOTS=2 PASS_SPECS="spec/core_spec.lua spec/core_bodies_spec.lua spec/client_spec.lua spec/scheduler_spec.lua
      spec/faults_spec.lua spec/faults_bodies_spec.lua spec/faults_downloads_spec.lua spec/secrets_spec.lua
      spec/journal_spec.lua spec/crypto_spec.lua spec/webhook_spec.lua spec/alloc_spec.lua spec/prepare_tls_spec.lua" \
    pass valgrind lua5.4 "$root/build"
}
valgrind_pass
