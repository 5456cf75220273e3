-- luacheck (Debian: lua-check), run from the checkout root: `luacheck .`
-- The same Lua sources run on 5.1/LuaJIT through 5.4, so every version's
-- globals are known ("max"); style.md asks for 120 columns at most.
std = "max"
max_line_length = 120
exclude_files = { "build*/", ".git/", "fuzz/corpus/" }

files["spec/"] = { std = "+busted" }

-- benchmarks write their reports from long lines of Markdown
files["bench/"] = { max_line_length = 150 }

-- Neovim code: `vim` is the editor's global
files["examples/nvim_plugin.lua"] = { read_globals = { "vim" } }
files["spec/uv_nvim_driver.lua"] = { read_globals = { "vim" } }

-- declarations for editors: empty functions whose arguments only document, and
-- one-line ---@param types that cannot be wrapped
files["**/*.meta.lua"] = { unused_args = false, ignore = { "241" }, max_line_length = false }

-- a rockspec is a file of global assignments
files["rockspec/"] = {
  allow_defined_top = true,
  globals = { "rockspec_format", "package", "version", "source", "description", "dependencies",
    "external_dependencies", "build" },
}
