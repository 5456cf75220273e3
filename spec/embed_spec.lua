-- examples/embed: a C host with its own 16 ms frame loop embeds Lua and
-- heygen, starts jobs and calls heygen.step(0) each frame. The frames must
-- keep coming while jobs poll and download.
local support = require "support"
local shell = require "shell"

local ROOT = os.getenv("PWD")
-- the host built with the runtime under test: HEYGEN_EMBED_BIN (scripts/test.d/20-luajit.sh
-- points at the LuaJIT one), else the one beside a heygen-lua under test (the ASan build's), else build/
local function host_binary()
  local named = os.getenv("HEYGEN_EMBED_BIN")
  if named then return named end
  local dir = (os.getenv("HEYGEN_TEST_LUA") or ""):match("^(.*)/heygen%-lua$")
  local beside = dir and (dir .. "/examples/embed/heygen-embed")
  if beside and io.open(beside) then return beside end
  return ROOT .. "/build/examples/embed/heygen-embed"
end
local HOST = host_binary()
local GAME = ROOT .. "/examples/embed/game.lua"

-- a workflow takes about a second here, and the client polls every 2 s as by default
local ctx = shell.program_fixture(HOST, { time_scale = 60 })
local emu, dir
before_each(function() emu, dir = ctx.emu, ctx.dir end)

local function host(args, game)
  local argv = { HOST, game or GAME, "--out-dir", dir }
  for _, a in ipairs(args) do argv[#argv + 1] = a end
  local r = shell.run(argv, { env = {
    HEYGEN_API_KEY = support.API_KEY, HEYGEN_API = "v2", HEYGEN_BASE_URL = emu.url,
    HEYGEN_TOKEN = false, LUA_PATH = false, LUA_CPATH = false, LUA_INIT = false,
  } })
  local stats = {}
  for k, v in r.out:gmatch("(%a[%w_]*)=([%d%.]+)") do stats[k] = tonumber(v) end
  r.stats = stats
  return r
end

describe("examples/embed (a C host with a 16 ms frame loop)", function()
  it("keeps its frames coming while three jobs poll and download", function()
    local r = host { "a paper boat", "a red kite", "a night train" }
    assert.are.equal(0, r.code, shell.describe(r))
    for n = 1, 3 do
      local path = dir .. "/clip-" .. n .. ".mp4"
      assert.matches("job " .. n .. " done " .. path:gsub("%p", "%%%0"), r.out)
      assert.are.equal(support.sample_mp4(), support.read(path))
    end
    local s = r.stats
    -- the jobs lasted more than a poll interval, and no frame waited for them
    assert.is_true(s.seconds > 1.5, shell.describe(r))
    assert.is_true(s.max_frame_ms < 200, "longest frame: " .. s.max_frame_ms .. " ms")
    assert.is_true(s.frames >= s.seconds / 0.016 * 0.8, s.frames .. " frames in " .. s.seconds .. " s")
    assert.matches("frame %d+: job 1 pending", r.out)
    assert.are.equal(3, #emu:requests { method = "POST", path = "^/v1/workflows/executions$" })
    assert.is_true(#emu:requests { method = "GET", path = "^/v1/workflows/executions/" } >= 6)
    assert.is_nil(r.out:find(support.API_KEY, 1, true))
  end)

  it("stalls a frame for the whole job when the game waits outside a task (the measurement can fail)", function()
    local r = host { "--blocking", "a paper boat" }
    assert.are.equal(0, r.code, shell.describe(r))
    assert.are.equal(support.sample_mp4(), support.read(dir .. "/clip-1.mp4"))
    assert.is_true(r.stats.max_frame_ms > 1000, "longest frame: " .. tostring(r.stats.max_frame_ms) .. " ms")
  end)

  it("runs offline with HEYGEN_EMULATOR=1 and no key: the emulator found beside the checkout it was built from",
    function()
      local r = shell.run({ HOST, GAME, "--out-dir", dir, "a red kite" }, { env = {
        HEYGEN_API_KEY = false, FAL_KEY = false, HEYGEN_TOKEN = false, HEYGEN_BASE_URL = false, LUA_PATH = false,
        LUA_CPATH = false, LUA_INIT = false, HEYGEN_EMULATOR = "1", HEYGEN_EMULATOR_SPEED = "600" } })
      assert.are.equal(0, r.code, shell.describe(r))
      assert.matches("HEYGEN_EMULATOR is set: using the offline emulator", r.err)
      assert.are.equal(support.sample_mp4(), support.read(dir .. "/clip-1.mp4"))
    end)

  it("exits 1 and names the API's error when a job fails", function()
    emu:next_job { fail = { code = 40119, message = "Video is too long" } }
    local r = host { "too long" }
    assert.are.equal(1, r.code, shell.describe(r))
    assert.matches("job 1 failed heygen: job_failed: [^\n]*Video is too long", r.out)
    assert.is_nil(support.read(dir .. "/clip-1.mp4"))
  end)

  it("reports an error in the game script with its traceback, and exits 1", function()
    local game = dir .. "/broken.lua"
    local f = assert(io.open(game, "w"))
    f:write("return { start = function() end,\n",
      "  frame = function(n) if n == 3 then error('no sprite') end return true end }\n")
    f:close()
    local r = host({}, game)
    assert.are.equal(1, r.code, shell.describe(r))
    assert.matches("heygen%-embed: game%.frame: [^\n]*broken%.lua:2: no sprite", r.err)
    assert.matches("stack traceback", r.err)
  end)
end)
