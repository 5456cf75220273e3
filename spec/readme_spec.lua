-- The README's own snippets, run as a newcomer runs them: offline, with
-- HEYGEN_EMULATOR=1 and no key, in a folder of their own.
local support = require "support"
local shell = require "shell"

local ROOT = io.popen("pwd"):read("l")
local BIN = os.getenv("HEYGEN_LUA_BIN") or "build/heygen-lua"
if BIN:sub(1, 1) ~= "/" then BIN = ROOT .. "/" .. BIN end

--- The n-th ```lua block under the README heading that starts with `heading`.
local function snippet(heading, n)
  local readme = assert(support.read(ROOT .. "/README.md"))
  local start = assert(readme:find("\n## " .. heading, 1, true), "no README section " .. heading)
  local stop = readme:find("\n## ", start + 4, true) or #readme
  local section = readme:sub(start, stop)
  local i = 0
  for code in section:gmatch("```lua\n(.-)```") do
    i = i + 1
    if i == (n or 1) then return code end
  end
  error("no lua block " .. tostring(n) .. " under " .. heading)
end

local work
setup(function()
  work = support.tmpname()
  assert(os.execute("mkdir -p " .. shell.quote(work)))
end)
teardown(function() os.execute("rm -rf " .. shell.quote(work)) end)

local OFFLINE = { HEYGEN_API_KEY = false, HEYGEN_TOKEN = false, FAL_KEY = false, FAL_AI_API_KEY = false,
  HEYGEN_BASE_URL = false, LUA_INIT = false, LUA_INIT_5_4 = false, HEYGEN_EMULATOR = "1",
  HEYGEN_EMULATOR_SPEED = "600" }

local function run_offline(code, env)
  support.write_file(work .. "/snippet.lua", code)
  return shell.run({ "timeout", "120", BIN, "snippet.lua" }, { cwd = work, env = env or OFFLINE })
end

describe("the README's ten lines", function()
  it("run offline with HEYGEN_EMULATOR=1 and leave the MP4 they name", function()
    local code = snippet("The same in ten lines of Lua")
    local name = code:match('job:download%("([^"]+)"%)')
    assert(name, "the snippet downloads to a named file")
    local r = run_offline(code)
    assert.are.equal(0, r.code, r.err)
    assert.matches("HEYGEN_EMULATOR is set: using the offline emulator at http://127%.0%.0%.1:%d+", r.err)
    assert.matches("completed\n" .. name:gsub("%p", "%%%0") .. "\n$", r.out)
    assert.are.equal(support.sample_mp4(), support.read(work .. "/" .. name))
  end)

  it("without the switch or a key, say what to set", function()
    local env = {}
    for k, v in pairs(OFFLINE) do env[k] = v end
    env.HEYGEN_EMULATOR = false
    local r = run_offline(snippet("The same in ten lines of Lua"), env)
    assert.are_not.equal(0, r.code)
    assert.matches("no HeyGen API key: set HEYGEN_API_KEY or pass api_key", r.err)
    assert.matches("HEYGEN_EMULATOR=1", r.err, 1, true)
  end)
end)
