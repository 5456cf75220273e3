-- What spec/interpreter*_spec.lua share: the heygen-lua binary under test, the reference
-- lua5.4, and `run` (one run of either with its stdin, environment and argv[0]).
--
-- Run from the repository root after building:
--   cmake -S . -B build && cmake --build build -j2
--   lua5.4 /usr/bin/busted spec/interpreter_spec.lua spec/interpreter_modules_spec.lua
-- HEYGEN_LUA_BIN names another binary; LUA_BIN the reference interpreter.
local assert = require "luassert" -- busted's assert, as in the spec files

local M = {}
-- scripts/test names the runtime in HEYGEN_TEST_LUA: when it is a heygen-lua build
-- (the ASan one, say), that is the binary under test.
local runtime = os.getenv("HEYGEN_TEST_LUA")
local BIN = os.getenv("HEYGEN_LUA_BIN")
  or (runtime and runtime:match("heygen%-lua$") and runtime)
  or "build/heygen-lua"
local LUA = os.getenv("LUA_BIN") or "lua5.4"

-- Absolute, so tests may run it from another directory.
if BIN:find("/", 1, true) and BIN:sub(1, 1) ~= "/" then
  local pwd = io.popen("pwd")
  BIN = pwd:read("l") .. "/" .. BIN
  pwd:close()
end

-- Variables the interpreters read; unset for every run unless a test sets them.
local LUA_ENV = {
  "LUA_INIT", "LUA_INIT_5_4", "LUA_PATH", "LUA_PATH_5_4", "LUA_CPATH", "LUA_CPATH_5_4",
}

local function quote(s)
  return "'" .. tostring(s):gsub("'", "'\\''") .. "'"
end

local function write_file(path, text)
  local f = assert(io.open(path, "wb"))
  f:write(text)
  f:close()
  return path
end

local function read_file(path)
  local f = assert(io.open(path, "rb"))
  local text = f:read("a")
  f:close()
  return text
end

local temps = {}

local function temp_file(text)
  local path = os.tmpname()
  temps[#temps + 1] = path
  return write_file(path, text or "")
end

local function temp_dir()
  local path = os.tmpname()
  os.remove(path)
  assert(os.execute("mkdir " .. quote(path)))
  temps[#temps + 1] = path
  return path
end

-- Runs `bin args...` with argv[0] = run.argv0 (default "heygen-lua"), stdin from
-- run.stdin, the Lua variables unset except those in run.env; in run.cwd if given.
-- Returns {out = stdout, err = stderr, code = exit status}.
local function run(spec)
  local stdin = temp_file(spec.stdin or "")
  local stderr = temp_file("")
  local cmd = {}
  if spec.cwd then cmd[#cmd + 1] = "cd " .. quote(spec.cwd) .. " &&" end
  cmd[#cmd + 1] = "env"
  for _, name in ipairs(LUA_ENV) do
    if not (spec.env and spec.env[name]) then cmd[#cmd + 1] = "-u " .. name end
  end
  for name, value in pairs(spec.env or {}) do
    cmd[#cmd + 1] = quote(name .. "=" .. value)
  end
  local bin = spec.bin or BIN
  if spec.argv0 ~= false then
    cmd[#cmd + 1] = "bash -c 'exec -a \"$0\" \"$@\"' " .. quote(spec.argv0 or "heygen-lua")
  end
  cmd[#cmd + 1] = quote(bin)
  for _, a in ipairs(spec.args or {}) do cmd[#cmd + 1] = quote(a) end
  cmd[#cmd + 1] = "<" .. quote(stdin) .. " 2>" .. quote(stderr)
  -- the status through a file: LuaJIT's popen close does not return it
  local status = temp_file("")
  cmd[#cmd + 1] = "; echo $? >" .. quote(status)
  local p = assert(io.popen(table.concat(cmd, " "), "r"))
  local out = p:read("*a")
  p:close()
  return {out = out, err = read_file(stderr), code = tonumber(read_file(status))}
end

-- The line -v adds to lua5.4's output, for comparisons.
local HEYGEN_LINE = "heygen %d+%.%d+%.%d+ %(libcurl [^\n]*\n"

local function without_heygen_line(text)
  return (text:gsub("\n" .. HEYGEN_LINE, "\n", 1))
end

-- Asserts that heygen-lua and lua5.4, both run as "lua", print and exit alike.
local function assert_same_as_lua(spec)
  local mine = run(setmetatable({argv0 = "lua"}, {__index = spec}))
  local theirs = run(setmetatable({argv0 = "lua", bin = LUA}, {__index = spec}))
  assert.are.equal(theirs.out, without_heygen_line(mine.out))
  assert.are.equal(theirs.err, mine.err)
  assert.are.equal(theirs.code, mine.code)
  return mine
end

M.BIN, M.LUA, M.HEYGEN_LINE = BIN, LUA, HEYGEN_LINE
M.quote, M.write_file, M.read_file, M.temp_file, M.temp_dir = quote, write_file, read_file, temp_file, temp_dir
M.run, M.without_heygen_line, M.assert_same_as_lua = run, without_heygen_line, assert_same_as_lua

--- In a describe block: the binary must exist, and each test's temporary files go after it.
function M.use()
  local busted = require "busted" -- the DSL of the spec file being run (a module has no globals of it)
  busted.setup(function()
    assert(io.open(BIN, "rb"), BIN .. " is missing: build it first (cmake --build build)")
  end)
  busted.after_each(function()
    for i = #temps, 1, -1 do
      os.execute("rm -rf " .. quote(temps[i]))
      temps[i] = nil
    end
  end)
end

return M
