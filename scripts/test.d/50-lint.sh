# Sourced by scripts/test: hygiene checks, one passed/failed each.
#   luacheck      every Lua file, the rockspec and scripts/api-doc, with .luacheckrc
#   clang-format  every C file formatted as .clang-format says (--dry-run -Werror)
lint_check() { # name, command...
  local name=$1; shift
  echo "== lint: $name"
  if "$@" >"$log_dir/lint-$name.log" 2>&1; then
    passed=$((passed + 1))
  else
    tail -40 "$log_dir/lint-$name.log"; echo "lint: $name FAILED"
    failed=$((failed + 1))
  fi
}
lint_luacheck() {
  luacheck --no-color . rockspec/*.rockspec scripts/api-doc
}
lint_clang_format() {
  git ls-files -co --exclude-standard -- '*.c' '*.h' | xargs clang-format --dry-run -Werror
}
lint_check luacheck lint_luacheck
lint_check clang-format lint_clang_format
