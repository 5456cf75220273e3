-- Issue 22, red-teamed: downloads against hostile answers (spec/hostile_server.lua for what the
-- emulator will not do), no key shown, numbers in range, and outcomes that are what they say
-- (crashes and the journal: spec/reliability_spec.lua).
local heygen = require "heygen"
local core = require "heygen.core"
local support = require "support"
local shell = require "shell"
local hostile = require "hostile_server"

local emu = support.use_emulator()
local q = shell.quote

local function v3_body()
  return { type = "avatar", avatar_id = support.AVATAR, script = "Exactly once.", voice_id = support.VOICE }
end

-- a v2 create_video of one avatar scene
local function v2_video()
  return { video_inputs = { { character = { type = "avatar", avatar_id = support.AVATAR },
    voice = { type = "text", voice_id = support.VOICE, input_text = "once" } } } }
end

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
    local job = assert(hg:create_video(v2_video()))
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
    local none, err = hg:create_video(v2_video())
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
