-- Issue 22, red-teamed: no render billed twice, no byte corrupted, no key shown, under
-- crashes (kill -9 in a child) and hostile answers (the emulator's faults, and
-- spec/hostile_server.lua for what the emulator will not do). Here kill -9 in a create,
-- a create out of retries and the journal; downloads, keys, numbers and outcomes:
-- spec/reliability_outcomes_spec.lua.
local heygen = require "heygen"
local core = require "heygen.core"
local socket = require "socket"
local support = require "support"
local shell = require "shell"
local journal = require "heygen.journal"

local emu = support.use_emulator()
local LUA = os.getenv("HEYGEN_TEST_LUA") or "lua5.4"

local q = shell.quote

local function v3_body()
  return { type = "avatar", avatar_id = support.AVATAR, script = "Exactly once.", voice_id = support.VOICE }
end

local V2_CREATE = [[{ video_inputs = { {
  character = { type = "avatar", avatar_id = "Abigail_expressive_2024112501" },
  voice = { type = "text", voice_id = "1bd001e7e50f421d891986aad5158bc8", input_text = "once" } } } }]]

local function succeeds(cmd)
  local r = os.execute(cmd)
  return r == true or r == 0
end

local function alive(pid) return succeeds("kill -0 " .. pid .. " 2>/dev/null") end

-- A child Lua running `script` in the background, with the emulator in its environment.
local function spawn_child(script, journal_path, api)
  local path = support.tmpname(".lua")
  local f = assert(io.open(path, "w"))
  f:write(script)
  f:close()
  local env = string.format("HEYGEN_API_KEY=%s HEYGEN_BASE_URL=%s HEYGEN_API=%s JOURNAL=%s",
    q(support.API_KEY), q(emu.url), api, q(journal_path))
  local p = io.popen(env .. " " .. q(LUA) .. " " .. q(path) .. " >/dev/null 2>&1 & echo $!")
  local pid = tonumber(p:read("*a"))
  p:close()
  return pid, path
end

local function kill_after(pid, seconds)
  socket.sleep(seconds)
  os.execute("kill -9 " .. pid .. " 2>/dev/null")
  local deadline = core.now() + 10
  while alive(pid) and core.now() < deadline do socket.sleep(0.01) end
end

local function video_jobs()
  local out = {}
  for _, j in ipairs(emu:jobs()) do out[#out + 1] = j.id end
  return out
end

local function ids_of(list)
  local set = {}
  for _, j in ipairs(list or {}) do set[j.id] = true end
  return set
end

describe("issue 22.1: kill -9 during a create", function()
  it("v3: resume re-sends the journaled intent with its key; never a second render (bounded kill points)", function()
    local CHILD = [[
local heygen = require "heygen"
local hg = heygen.client { api = "v3", journal = os.getenv("JOURNAL") }
hg:create_video { type = "avatar", avatar_id = "Abigail_expressive_2024112501", script = "Exactly once.",
  voice_id = "1bd001e7e50f421d891986aad5158bc8" }
]]
    for _, at in ipairs { 0.05, 0.15, 0.25, 0.35, 0.5, 0.8 } do
      emu:reset()
      emu:call("POST", "/_emulator/v3/hold", { path = "/v3/videos", seconds = 0.4 })
      local jpath = support.tmpname(".journal")
      local pid, script = spawn_child(CHILD, jpath, "v3")
      kill_after(pid, at)
      socket.sleep(0.5) -- let a held create finish on the server
      local sent = emu:count("POST", "^/v3/videos$")
      local list, _, doubts = heygen.resume(jpath, support.client(emu, { api = "v3", journal = jpath }))
      assert.is_nil(doubts, "kill at " .. at)
      local made = video_jobs()
      assert.is_true(#made <= 1, "kill at " .. at .. ": " .. #made .. " renders")
      if sent > 0 then assert.are.equal(1, #made, "kill at " .. at) end
      local resumed = ids_of(list)
      for _, id in ipairs(made) do assert.is_true(resumed[id], "kill at " .. at .. ": render not resumed") end
      -- a second resume has nothing to send again
      local before = emu:count("POST", "^/v3/videos$")
      heygen.resume(jpath, support.client(emu, { api = "v3", journal = jpath }))
      assert.are.equal(before, emu:count("POST", "^/v3/videos$"))
      os.remove(jpath)
      os.remove(script)
    end
  end)

  it("legacy: a create cut off before its answer was journaled is reported, never re-sent", function()
    local CHILD = [[
local heygen = require "heygen"
local hg = heygen.client { api = "v2", journal = os.getenv("JOURNAL") }
hg:create_video ]] .. V2_CREATE .. "\n"
    for _, at in ipairs { 0.1, 0.3, 0.5, 0.9 } do
      emu:reset()
      emu:fault { method = "POST", path = "^/v2/video/generate", delay = 0.4 }
      local jpath = support.tmpname(".journal")
      local pid, script = spawn_child(CHILD, jpath, "v2")
      kill_after(pid, at)
      socket.sleep(0.5)
      local creates = emu:count("POST", "^/v2/video/generate")
      local list, _, doubts = heygen.resume(jpath, support.client(emu, { journal = jpath }))
      assert.are.equal(creates, emu:count("POST", "^/v2/video/generate"), "kill at " .. at .. ": re-sent")
      local resumed = ids_of(list)
      for _, id in ipairs(video_jobs()) do
        -- every render the server made is either followed or reported
        assert.is_true(resumed[id] or (doubts ~= nil and #doubts == 1), "kill at " .. at)
      end
      for _, e in ipairs(doubts or {}) do
        assert.are.equal("maybe_created", e.kind)
        assert.matches("heygen.settle", e.message, 1, true)
        assert(heygen.settle(jpath, e.intent))
      end
      local _, _, again = heygen.resume(jpath, support.client(emu, { journal = jpath }))
      assert.is_nil(again)
      os.remove(jpath)
      os.remove(script)
    end
  end)

  it("the window after the answer, before the journal (a deterministic kill point)", function()
    -- the process dies inside journal_created: answered, not journaled
    local function run(api, create)
      local jpath = support.tmpname(".journal")
      local out = support.lua_child(string.format([[
local heygen = require "heygen"
local jobs = require "heygen.job"
jobs.journal_created = function() os.exit(9, false) end
local hg = heygen.client { api = %q, journal = %q }
hg:create_video %s
]], api, jpath, create), "", string.format("HEYGEN_API_KEY=%s HEYGEN_BASE_URL=%s", q(support.API_KEY), q(emu.url)))
      assert.matches("exit=9", out, 1, true)
      return jpath
    end
    local jpath = run("v3", "{ type = 'avatar', avatar_id = '" .. support.AVATAR .. "', script = 'Once.', voice_id = '"
      .. support.VOICE .. "' }")
    assert.are.equal(1, #video_jobs())
    local list, _, doubts = heygen.resume(jpath, support.client(emu, { api = "v3", journal = jpath }))
    assert.is_nil(doubts)
    assert.are.equal(1, #list)
    assert.are.equal(video_jobs()[1], list[1].id)
    assert.are.equal(1, #video_jobs()) -- the re-send reached the same render
    os.remove(jpath)

    emu:reset()
    jpath = run("v2", V2_CREATE)
    assert.are.equal(1, #video_jobs())
    local list2, _, doubts2 = heygen.resume(jpath, support.client(emu, { journal = jpath }))
    assert.are.same({}, list2)
    assert.are.equal(1, #doubts2)
    assert.are.equal("maybe_created", doubts2[1].kind)
    assert.is_true(doubts2[1].maybe_created)
    assert.are.equal("create_video", doubts2[1].call)
    assert.are.equal(1, emu:count("POST", "^/v2/video/generate"))
    os.remove(jpath)
  end)
end)

describe("issue 22.2: a v3 create out of retries", function()
  it("says maybe_created with its key; passing the key back reaches the same render", function()
    local hg = support.client(emu, { api = "v3", max_retries = 2 })
    emu:fault { method = "POST", path = "^/v3/videos$", status = 500, times = 3, processed = true }
    local job, err = hg:create_video(v3_body())
    assert.is_nil(job)
    assert.is_true(err.maybe_created)
    assert.matches("^heygen%-", err.idempotency_key)
    assert.matches("idempotency_key = ", err.message, 1, true)
    assert.are.equal(3, emu:count("POST", "^/v3/videos$"))
    local body = v3_body()
    body.idempotency_key = err.idempotency_key
    local again = assert(hg:create_video(body))
    local made = video_jobs()
    assert.are.equal(1, #made)
    assert.are.equal(made[1], again.id)
    local posts = emu:requests { method = "POST", path = "^/v3/videos$" }
    assert.are.equal(err.idempotency_key, posts[#posts].headers["idempotency-key"])
    assert.is_nil(heygen.json.decode(posts[#posts].body).idempotency_key) -- not sent as a field
  end)

  it("refuses a malformed key, and a key on a legacy create, before any request", function()
    local hg = support.client(emu, { api = "v3" })
    local body = v3_body()
    body.idempotency_key = "no spaces allowed"
    local _, err = hg:create_video(body)
    assert.are.equal("invalid_argument", err.kind)
    assert.are.equal("idempotency_key", err.field)
    local legacy = support.client(emu)
    local _, lerr = legacy:generate_video { prompt = "x", idempotency_key = "abc" }
    assert.are.equal("invalid_argument", lerr.kind)
    assert.matches("only v3 creates take one", lerr.message, 1, true)
    assert.are.equal(0, #emu:requests { method = "POST" })
  end)
end)

describe("issue 22.3: the journal", function()
  it("a line cut short never swallows the next; bad lines are skipped with a warning", function()
    local jpath = support.tmpname(".journal")
    local f = assert(io.open(jpath, "w"))
    -- a torn entry (a full disk), then lines of a wrong type, an unknown kind, a bad checksum
    f:write('{"event":"created","kind":"video","id":"torn-')
    f:close()
    assert(journal.append(jpath, { event = "created", kind = "video", id = "good-1", api = "v2" }))
    f = assert(io.open(jpath, "a"))
    f:write('{"event":"created","kind":5,"id":{}}\n', '"just a string"\n',
      '{"event":"created","kind":"no_such_kind","id":"x"}\n',
      '{"event":"created","kind":"video","id":"forged"}\t00000000\n')
    f:close()
    assert(journal.append(jpath, { event = "created", kind = "video", id = "good-2", api = "v2" }))
    local warnings = {}
    local list = heygen.resume(jpath, support.client(emu, { on_warning = function(m) warnings[#warnings + 1] = m end }))
    local ids = {}
    for i, j in ipairs(list) do ids[i] = j.id end
    assert.are.same({ "good-1", "good-2" }, ids)
    assert.are.equal(5, #warnings)
    assert.matches("checksum mismatch", table.concat(warnings, "\n"), 1, true)
    os.remove(jpath)
  end)

  it("long lines from two processes never interleave", function()
    local jpath = support.tmpname(".journal")
    local script = support.tmpname(".lua")
    local f = assert(io.open(script, "w"))
    f:write(string.format([[
local journal = require "heygen.journal"
local who = arg[1]
for i = 1, 150 do
  assert(journal.append(%q, { event = "created", kind = "video", id = who .. "-" .. i, pad = string.rep(who, 20000) }))
end
]], jpath))
    f:close()
    local env = "LUA_PATH=" .. q(package.path) .. " LUA_CPATH=" .. q(package.cpath)
    assert(succeeds(string.format("%s %s %s a & %s %s %s b & wait", env, q(LUA), q(script), env, q(LUA), q(script))))
    local n = 0
    for _, e in ipairs(journal.read(jpath, error)) do
      n = n + 1
      assert.are.equal(20000, #e.pad)
    end
    assert.are.equal(300, n)
    os.remove(jpath)
    os.remove(script)
  end)
end)
