-- Issue 22, red-teamed: no render billed twice, no byte corrupted, no key shown, under
-- crashes (kill -9 in a child) and hostile answers (the emulator's faults, and
-- spec/hostile_server.lua for what the emulator will not do).
local heygen = require "heygen"
local core = require "heygen.core"
local socket = require "socket"
local support = require "support"
local hostile = require "hostile_server"
local journal = require "heygen.journal"

local emu
setup(function() emu = support.emulator() end)
teardown(function() if emu then emu:stop() end end)
before_each(function() emu:reset() end)

local AVATAR, VOICE = "Abigail_expressive_2024112501", "1bd001e7e50f421d891986aad5158bc8"
local LUA = os.getenv("HEYGEN_TEST_LUA") or "lua5.4"

local function q(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end

local function v3_body()
  return { type = "avatar", avatar_id = AVATAR, script = "Exactly once.", voice_id = VOICE }
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
    local jpath = run("v3", "{ type = 'avatar', avatar_id = '" .. AVATAR .. "', script = 'Once.', voice_id = '"
      .. VOICE .. "' }")
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

describe("issue 22.4: downloads", function()
  local SIZE = 200000
  local A, B = ("a"):rep(SIZE), ("b"):rep(SIZE)

  local function completed(hg, url)
    local job = hg:job("video", "hostile-file")
    job.status, job.result = "completed", { video_url = url }
    return job
  end

  it("a 206 of a changed file (If-Range ignored) is never appended: started over", function()
    local srv = hostile.start {
      { status = 200, headers = { ETag = '"a"' }, body = A, cut = 50000 },
      { status = 206, headers = { ETag = '"b"', ["Content-Range"] = "bytes 50000-" .. (SIZE - 1) .. "/" .. SIZE },
        body = B:sub(50001) },
      { status = 200, headers = { ETag = '"b"' }, body = B },
    }
    local out = support.tmpname(".mp4")
    local path = completed(support.client(emu), srv.url .. "/v.mp4"):download(out)
    local reqs = srv:requests()
    srv:stop()
    assert.are.equal(out, path)
    assert.are.equal(B, support.read(out)) -- one file, whole, not a's head and b's tail
    assert.are.equal(3, #reqs)
    assert.are.equal('"a"', reqs[2].headers["if-range"])
    assert.is_nil(reqs[3].headers.range)
    os.remove(out)
  end)

  it("a 206 whose total is not the recorded size is never kept", function()
    local srv = hostile.start {
      { status = 200, headers = { ["Last-Modified"] = "Sun, 06 Nov 1994 08:49:37 GMT" }, body = A, cut = 50000 },
      { status = 206, headers = { ["Last-Modified"] = "Sun, 06 Nov 1994 08:49:37 GMT",
        ["Content-Range"] = "bytes 50000-" .. (SIZE + 999) .. "/" .. (SIZE + 1000) },
        body = B:sub(50001) .. ("b"):rep(1000) },
      { status = 200, headers = { ["Last-Modified"] = "Sun, 06 Nov 1994 08:49:37 GMT" }, body = A },
    }
    local out = support.tmpname(".mp4")
    assert.are.equal(out, completed(support.client(emu), srv.url .. "/v.mp4"):download(out))
    srv:stop()
    assert.are.equal(A, support.read(out))
    os.remove(out)
  end)

  it("two downloads to one path: the final file is always whole", function()
    local srv = hostile.start { { status = 200, headers = { ETag = '"a"' }, body = A } }
    local out = support.tmpname(".mp4")
    local hg = support.client(emu)
    local results = heygen.all {
      heygen.spawn(function() return completed(hg, srv.url .. "/1.mp4"):download(out) end),
      heygen.spawn(function() return completed(hg, srv.url .. "/2.mp4"):download(out) end),
    }
    srv:stop()
    assert.are.same({ out, out }, results)
    assert.are.equal(A, support.read(out))
    assert.are.same({}, support.parts(out))
    os.remove(out)
  end)
end)

describe("issue 22.6: keys", function()
  it("a key at the excerpt's edge (cut after its 24th character) is scrubbed whole, before the cut", function()
    local hg = support.client(emu)
    emu:fault { method = "GET", path = "^/v2/avatars", status = 500, times = -1,
      body = "<html>" .. ("x"):rep(87) .. support.API_KEY .. ("y"):rep(50) .. "</html>" }
    local _, err = hg:avatars()
    local shown = tostring(err) .. (heygen.json.encode(err) or "")
    for len = 6, #support.API_KEY do
      for i = 1, #support.API_KEY - len + 1 do
        local piece = support.API_KEY:sub(i, i + len - 1)
        if piece:find("%w%w%w%w%w%w") and piece ~= "test-key" then
          assert.is_nil(shown:find(piece, 1, true), "key piece shown: " .. piece)
        end
      end
    end
  end)

  it("a key echoed 40 levels deep in detail stays hidden", function()
    support.client(emu) -- registers the key
    local deep = support.API_KEY
    for _ = 1, 40 do deep = { deep } end
    local err = heygen.errors.new { kind = "invalid_argument", detail = deep }
    local function walk(v)
      if type(v) == "string" then assert.is_nil(v:find(support.API_KEY, 1, true)) end
      if type(v) == "table" then for _, x in pairs(v) do walk(x) end end
    end
    walk(err.detail)
  end)

  it("with http_proxy set, no key goes over plain http to the proxy", function()
    local receiver = require("receiver").new()
    local script = [[
local heygen = require "heygen"
local hg = heygen.client { api = "v2" }
local _, err = hg:avatars()
print("kind", err and err.kind, err and err.message)
]]
    local env = string.format("HEYGEN_API_KEY=%s HEYGEN_BASE_URL=%s http_proxy=%s", q(support.API_KEY),
      q(emu.url), q(receiver.url))
    local out = support.lua_child(script, "", env)
    assert.matches("kind\tinvalid_argument", out, 1, true)
    assert.matches("through a proxy", out, 1, true)
    assert.is_nil(receiver:next(0.2))
    -- named in no_proxy: straight to the loopback emulator
    out = support.lua_child(script, "", env .. " no_proxy=127.0.0.1")
    assert.matches("kind\tnil", out, 1, true)
    receiver:close()
  end)
end)

describe("issue 22.7: numbers", function()
  local NAN = 0 / 0
  it("every number option is finite and in range, named in the error", function()
    for name, v in pairs { timeout = NAN, connect_timeout = -1, max_retries = NAN, retry_base = NAN,
      retry_cap = math.huge, poll_budget = NAN } do
      local ok, msg = pcall(heygen.client, { [name] = v })
      assert.is_false(ok, name)
      assert.matches("option '" .. name .. "'", msg, 1, true)
    end
    assert.has_error(function() heygen.client { timeout = 1e308 } end)
    assert.has_error(function() heygen.client { max_retries = 1.5 } end)
    assert.has_error(function() heygen.client { poll = { initial = NAN } } end)
    assert.has_error(function() heygen.sleep(NAN) end)
    assert.has_error(function() heygen.sleep(-1) end)
    local job = support.client(emu):job("video", "x")
    assert.has_error(function() job:wait { timeout = NAN } end)
    assert.has_error(function() job:wait { timeout = -1 } end)
    assert.has_error(function() job:wait { poll = { initial = NAN } } end)
    local _, err = support.client(emu):generate { prompt = "x", max_cost = NAN }
    assert.are.equal("invalid_argument", err.kind)
    assert.matches("max_cost must be a finite number", err.message, 1, true)
    assert.are.equal(0, #emu:requests { method = "POST" })
  end)

  it("typo hints on a megabyte string take no time", function()
    local huge = ("x"):rep(1000000)
    local t0 = core.now()
    local _, err = support.client(emu):generate { prompt = "x", aspect_ratio = huge }
    assert.are.equal("invalid_argument", err.kind)
    assert.has_error(function() heygen.client { [huge] = 1 } end)
    assert.is_true(core.now() - t0 < 1, "took " .. (core.now() - t0))
  end)
end)

describe("issue 22.8: outcomes", function()
  local function v2_job(hg)
    local job = assert(hg:create_video(assert(load("return " .. V2_CREATE))()))
    return job
  end

  it("job:cancel() during a status poll stands", function()
    local hg = support.client(emu)
    emu:next_job { stuck = true }
    local job = v2_job(hg)
    emu:fault { method = "GET", path = "^/v1/video_status.get", delay = 0.5 }
    local waiting = heygen.spawn(function() return job:wait { timeout = 10 } end)
    heygen.spawn(function()
      heygen.sleep(0.2)
      job:cancel()
    end)
    local result, err = waiting:wait()
    assert.is_nil(result)
    assert.are.equal("cancelled", err.kind)
    assert.are.equal("cancelled", job.status)
  end)

  it("wait{timeout = 1} returns within its deadline, slow answers and retries included", function()
    local hg = support.client(emu, { retry_base = 2, retry_cap = 5 })
    emu:next_job { stuck = true }
    local job = v2_job(hg)
    emu:fault { method = "GET", path = "^/v1/video_status.get", delay = 0.4, status = 503, times = -1 }
    local t0 = core.now()
    local _, err = job:wait { timeout = 1 }
    local took = core.now() - t0
    assert.are.equal("timeout", err.kind)
    assert.is_true(took < 1.5, "took " .. took)
    emu:clear_faults()
    emu:fault { method = "GET", path = "^/v1/video_status.get", delay = 5, times = -1 }
    t0 = core.now()
    _, err = job:wait { timeout = 1 }
    took = core.now() - t0
    assert.are.equal("timeout", err.kind)
    assert.is_true(took < 1.5, "took " .. took)
  end)

  it("a 200 whose data is null, a number or a string is a protocol error", function()
    local hg = support.client(emu)
    local job = v2_job(hg)
    for _, data in ipairs { "null", "5", '"done"' } do
      emu:fault { method = "GET", path = "^/v1/video_status.get", status = 200,
        body = '{"code":100,"data":' .. data .. ',"message":"Success"}' }
      local status, err = job:refresh()
      assert.is_nil(status, data)
      assert.is_true(heygen.errors.is(err), data)
      assert.are.equal("protocol", err.kind, data)
    end
    emu:fault { method = "POST", path = "^/v2/video/generate", status = 200, body = '{"error":null,"data":7}' }
    local none, err = hg:create_video(assert(load("return " .. V2_CREATE))())
    assert.is_nil(none)
    assert.are.equal("protocol", err.kind)
  end)

  it("an unknown job status is a protocol error naming it, not 'processing' until the deadline", function()
    local hg = support.client(emu)
    local job = v2_job(hg)
    emu:fault { method = "GET", path = "^/v1/video_status.get", status = 200, times = -1,
      body = '{"code":100,"data":{"id":"x","status":"aborted"},"message":"Success"}' }
    local t0 = core.now()
    local _, err = job:wait { timeout = 30 }
    assert.are.equal("protocol", err.kind)
    assert.are.equal("aborted", err.job_status)
    assert.matches('status "aborted"', err.message, 1, true)
    assert.is_true(core.now() - t0 < 5)
  end)

  it("CR/LF in user_agent and invalid UTF-8 in a body are refused before any request", function()
    assert.has_error(function() heygen.client { user_agent = "x\r\nX-Injected: 1" } end)
    local hg = support.client(emu, { api = "v3" })
    local body = v3_body()
    body.script = "caf\233" -- Latin-1, not UTF-8
    local _, err = hg:create_video(body)
    assert.are.equal("invalid_argument", err.kind)
    assert.are.equal("script", err.field)
    assert.matches("script must be valid UTF-8", err.message, 1, true)
    assert.are.equal(0, #emu:requests { method = "POST" })
  end)
end)
