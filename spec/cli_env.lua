-- What spec/cli*_spec.lua share: examples/generate.lua run as a command-line tool
-- (lua/heygen/cli.lua) in a folder of its own, against the emulator, through a pipe or on a
-- pseudo-terminal (util-linux `script`).
local heygen = require "heygen"
local support = require "support"
local shell = require "shell"
local assert = require "luassert" -- busted's assert, as in the spec files

local M = {}

M.ROOT = os.getenv("PWD")
local RUNTIME = os.getenv("HEYGEN_TEST_LUA") or ""
-- the interpreter the examples' #! names: the one under test when it is heygen-lua
M.HEYGEN_LUA = RUNTIME:match("heygen%-lua$") and RUNTIME or "build/heygen-lua"
if M.HEYGEN_LUA:sub(1, 1) ~= "/" then M.HEYGEN_LUA = M.ROOT .. "/" .. M.HEYGEN_LUA end -- the tests run it elsewhere
M.GENERATE = M.ROOT .. "/examples/generate.lua"
M.SEEDANCE = "bytedance/seedance-2.0/text-to-video"

--- For a spec file: the emulator and a fresh folder for each test (shell.program_fixture);
--- M.ctx.emu and M.ctx.dir are this test's.
function M.use()
  M.ctx = shell.program_fixture(M.HEYGEN_LUA, { time_scale = 60 })
  return M.ctx
end

function M.environment(extra)
  local env = {
    HEYGEN_API_KEY = support.API_KEY, FAL_KEY = support.FAL_KEY, HEYGEN_BASE_URL = M.ctx.emu.url,
    HEYGEN_UPLOAD_URL = M.ctx.emu.upload_url, FAL_QUEUE_URL = M.ctx.emu.fal_url,
    HEYGEN_TOKEN = false, FAL_AI_API_KEY = false, HEYGEN_API = false, LUA_PATH = false, LUA_CPATH = false,
    LUA_INIT = false, LUA_INIT_5_4 = false,
  }
  for k, v in pairs(extra or {}) do env[k] = v end
  return env
end

-- generate.lua with stdout and stderr each to a file (a pipe, as far as it can tell)
function M.generate(args, env)
  local argv = { M.HEYGEN_LUA, M.GENERATE }
  for _, a in ipairs(args) do argv[#argv + 1] = a end
  return shell.run(argv, { env = M.environment(env), cwd = M.ctx.dir })
end

-- generate.lua on a pseudo-terminal: stdout and stderr both reach the transcript
function M.generate_on_tty(args)
  local argv = { M.HEYGEN_LUA, M.GENERATE }
  for _, a in ipairs(args) do argv[#argv + 1] = a end
  local inner = {}
  for i, a in ipairs(argv) do inner[i] = shell.quote(a) end
  return shell.run("script -qfec " .. shell.quote(table.concat(inner, " ")) .. " /dev/null",
    { env = M.environment(), cwd = M.ctx.dir })
end

-- A command the program printed for the user ("heygen-lua SCRIPT --resume ..."), run
-- as they would in the folder it ran in, with heygen-lua standing for the one under test.
function M.run_printed(command)
  assert(command and command:match("^heygen%-lua "), tostring(command))
  return shell.run(shell.quote(M.HEYGEN_LUA) .. command:sub(#"heygen-lua" + 1),
    { env = M.environment(), cwd = M.ctx.dir })
end

function M.no_secrets(r)
  for _, text in ipairs { r.out, r.err } do
    assert.is_nil(text:find(support.API_KEY, 1, true), "the HeyGen key was printed")
    assert.is_nil(text:find(support.FAL_KEY, 1, true), "the fal key was printed")
  end
end

-- fal answers IN_QUEUE with positions 1, then 0, then COMPLETED (no log lines)
function M.queue_fal_jobs()
  M.ctx.emu:call("POST", "/_emulator/fal/models/" .. M.SEEDANCE, { queue = 1, logs = heygen.json.array {} })
end

return M
