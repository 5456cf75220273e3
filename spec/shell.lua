-- Run a command as a user would from a shell, for the specs of programs
-- (examples/embed, the example scripts, the rockspec): its exit code, stdout
-- and stderr, on Lua 5.4 and LuaJIT alike.
local support = require "support"
local busted = require "busted"
local setup, teardown, before_each, after_each = busted.setup, busted.teardown, busted.before_each, busted.after_each

local M = {}

function M.quote(s)
  return "'" .. tostring(s):gsub("'", "'\\''") .. "'"
end

-- os.execute's exit status on 5.1/LuaJIT (a wait status) and on 5.2+.
local function exit_code(a, b, c)
  if type(a) == "number" then return a >= 256 and math.floor(a / 256) or a end
  if b == "exit" then return c end
  if b == "signal" then return 128 + c end
  return a and 0 or 1
end

--- Run `argv` (a list, quoted here) or a shell string. opts: env = {NAME = value
--- | false (unset)}, stdin = text, cwd = dir. Returns {code=, out=, err=}.
function M.run(argv, opts)
  opts = opts or {}
  local cmd = argv
  if type(argv) == "table" then
    local q = {}
    for i, a in ipairs(argv) do q[i] = M.quote(a) end
    cmd = table.concat(q, " ")
  end
  local prefix = {}
  for k, v in pairs(opts.env or {}) do
    prefix[#prefix + 1] = v == false and ("unset " .. k .. ";") or ("export " .. k .. "=" .. M.quote(v) .. ";")
  end
  if opts.cwd then prefix[#prefix + 1] = "cd " .. M.quote(opts.cwd) .. " &&" end
  local out, err, input = support.tmpname(".out"), support.tmpname(".err"), support.tmpname(".in")
  local f = assert(io.open(input, "w"))
  f:write(opts.stdin or "")
  f:close()
  local code = exit_code(os.execute("(" .. table.concat(prefix, " ") .. " " .. cmd .. ") <" .. M.quote(input)
    .. " >" .. M.quote(out) .. " 2>" .. M.quote(err)))
  local r = { code = code, out = support.read(out) or "", err = support.read(err) or "", cmd = cmd }
  os.remove(out)
  os.remove(err)
  os.remove(input)
  return r
end

--- The hooks of a spec that runs a program against an emulator: the program
--- must exist, one emulator for the file (reset before each test), and a fresh
--- working directory per test. Returns ctx, whose .emu and .dir are set then.
function M.program_fixture(program, emu_opts)
  local ctx = {}
  setup(function()
    assert(io.open(program), program .. " is missing: build it first (cmake --build build)")
    ctx.emu = support.emulator(emu_opts)
  end)
  teardown(function() if ctx.emu then ctx.emu:stop() end end)
  before_each(function()
    ctx.emu:reset()
    ctx.dir = support.tmpname()
    assert(os.execute("mkdir -p " .. M.quote(ctx.dir)))
  end)
  after_each(function() os.execute("rm -rf " .. M.quote(ctx.dir)) end)
  return ctx
end

--- A readable account of a run, for assertion messages.
function M.describe(r)
  return string.format("%s\nexit %s\n--- stdout\n%s--- stderr\n%s", r.cmd, tostring(r.code), r.out, r.err)
end

return M
