-- A paid render is never submitted twice: v3 creates carry an Idempotency-Key, so a
-- create that failed with a 5xx or a timeout is retried with the same key and the
-- emulator (which stores the first answer per key) creates exactly one job.
local support = require "support"
local v3 = require "heygen.api.v3"

local emu = support.use_emulator()

local AVATAR, VOICE = support.AVATAR, support.VOICE
local KEY_PATTERN = "^[%w_:%.%-]+$"

local function body() return { type = "avatar", avatar_id = AVATAR, script = "Exactly once.", voice_id = VOICE } end

local function jobs_of(kind)
  local out = {}
  for _, j in ipairs(emu:jobs()) do
    if j.kind == kind then out[#out + 1] = j end
  end
  return out
end

local function keys_of(list)
  local keys = {}
  for i, r in ipairs(list) do keys[i] = r.headers["idempotency-key"] end
  return keys
end

-- Keep the next create in flight for `seconds`; with `status`, its answer is lost.
local function hold(path, seconds, status)
  emu:call("POST", "/_emulator/v3/hold", { path = path, seconds = seconds, status = status })
end

describe("Idempotency-Key generation", function()
  it("makes keys of the documented syntax, unique per logical request", function()
    local seen = {}
    for _ = 1, 2000 do
      local key = v3.idempotency_key()
      assert.matches(KEY_PATTERN, key)
      assert.is_true(#key <= 255)
      assert.is_nil(seen[key])
      seen[key] = true
    end
  end)

  it("sends a different key with each v3 create call", function()
    local hg = support.client(emu, { api = "v3" })
    assert(hg:create_video(body()))
    assert(hg:create_video(body()))
    assert(hg:translate_video { video_url = "https://example.com/v.mp4", output_language = "French (France)" })
    assert(hg:lipsync { video = "https://example.com/v.mp4", audio = "https://example.com/a.mp3" })
    assert(hg:create_webhook_endpoint { url = "https://example.com/hook" })
    local keys = {}
    local creates = { "^/v3/videos$", "^/v3/video%-translations$", "^/v3/lipsyncs$", "^/v3/webhooks/endpoints$" }
    for _, path in ipairs(creates) do
      for _, k in ipairs(keys_of(emu:requests { method = "POST", path = path })) do keys[#keys + 1] = k end
    end
    assert.are.equal(5, #keys)
    local distinct = {}
    for _, k in ipairs(keys) do
      assert.matches(KEY_PATTERN, k)
      distinct[k] = true
    end
    local n = 0
    for _ in pairs(distinct) do n = n + 1 end
    assert.are.equal(5, n)
  end)
end)

describe("a v3 create retried with its key", function()
  it("after a 500 that lost the answer: the retry gets the stored answer, one job exists", function()
    local hg = support.client(emu, { api = "v3" })
    hold("/v3/videos", 0, 500) -- the job is made, then the answer is lost
    local job = assert(hg:create_video(body()))
    local posts = emu:requests { method = "POST", path = "^/v3/videos$" }
    assert.are.equal(2, #posts)
    assert.are.equal(500, math.floor(posts[1].status))
    assert.are.equal(200, math.floor(posts[2].status))
    assert.are.equal(posts[1].headers["idempotency-key"], posts[2].headers["idempotency-key"])
    local made = jobs_of("video")
    assert.are.equal(1, #made)
    assert.are.equal(made[1].id, job.id)
    assert(job:wait { timeout = 30 })
  end)

  it("after a 500 before anything was made: the retry makes the one job", function()
    local hg = support.client(emu, { api = "v3" })
    emu:fault { method = "POST", path = "^/v3/videos$", status = 500 }
    local job = assert(hg:create_video(body()))
    assert.are.equal(2, emu:count("POST", "^/v3/videos$"))
    assert.are.same({ job.id }, { jobs_of("video")[1].id })
    assert.are.equal(1, #jobs_of("video"))
  end)

  it("after a timeout: 409 request_in_progress while the first is in flight, then the replay; one job", function()
    local hg = support.client(emu, { api = "v3", timeout = 0.5, max_retries = 8, retry_base = 0.2, retry_cap = 0.5 })
    hold("/v3/videos", 1.5)
    local job, err = hg:create_video(body())
    assert.is_nil(err)
    local posts = emu:requests { method = "POST", path = "^/v3/videos$" }
    local by_status, key = {}, posts[1].headers["idempotency-key"]
    for _, r in ipairs(posts) do
      assert.are.equal(key, r.headers["idempotency-key"])
      local s = math.floor(r.status)
      by_status[s] = (by_status[s] or 0) + 1
    end
    assert.is_true(by_status[409] >= 1)
    assert.are.equal(2, by_status[200]) -- the held original (its client gone) and the replay
    local made = jobs_of("video")
    assert.are.equal(1, #made)
    assert.are.equal(made[1].id, job.id)
  end)

  it("gives up as conflict when the original stays in flight past max_retries, still one job", function()
    local hg = support.client(emu, { api = "v3", timeout = 0.3, max_retries = 2, retry_base = 0.05 })
    hold("/v3/lipsyncs", 2)
    local job, err = hg:lipsync { video = "https://example.com/v.mp4", audio = "https://example.com/a.mp3" }
    assert.is_nil(job)
    assert.are.equal("conflict", err.kind)
    assert.are.equal("request_in_progress", err.code)
    assert.are.equal(409, err.status)
    assert.matches("%(param: Idempotency%-Key%)", err.message)
    assert.are.equal(1, #jobs_of("lipsync"))
  end)

  it("for uploads too: a 502 is retried and the asset is stored once", function()
    local hg = support.client(emu, { api = "v3" })
    local path = support.tmpname(".png")
    local f = assert(io.open(path, "wb"))
    f:write("\137PNG\r\n\26\n" .. string.rep("x", 100))
    f:close()
    emu:fault { method = "POST", path = "^/v3/assets$", html = true }
    local asset = assert(hg:upload_asset(path))
    os.remove(path)
    local posts = emu:requests { method = "POST", path = "^/v3/assets$" }
    assert.are.equal(2, #posts)
    assert.are.equal(502, math.floor(posts[1].status))
    assert.are.equal(posts[1].headers["idempotency-key"], posts[2].headers["idempotency-key"])
    assert.is_string(asset.id)
  end)
end)

describe("the emulator's Idempotency-Key store", function()
  local function post(hg, key, path, json)
    return hg:request { method = "POST", path = path or "/v3/videos", envelope = "v3", creates = true,
      json = json or body(), idempotency_key = key }
  end

  it("replays the first answer for a reused key, per route", function()
    local hg = support.client(emu, { api = "v3" })
    local a = assert(post(hg, "order-42"))
    local b = assert(post(hg, "order-42", nil, { type = "avatar", avatar_id = AVATAR,
      script = "A slightly different body.", voice_id = VOICE }))
    assert.are.equal(a.video_id, b.video_id)
    assert.are.equal(1, #jobs_of("video"))
    local lip = assert(post(hg, "order-42", "/v3/lipsyncs",
      { video = { type = "url", url = "https://example.com/v.mp4" },
        audio = { type = "url", url = "https://example.com/a.mp3" } }))
    assert.is_string(lip.lipsync_id)
    local keys = emu:call("GET", "/_emulator/v3/idempotency")
    assert.are.equal(2, #keys)
  end)

  it("answers 400 invalid_parameter for a malformed key, before creating anything", function()
    local hg = support.client(emu, { api = "v3" })
    for _, key in ipairs { "has space", "semi;colon", string.rep("k", 256) } do
      local d, err = post(hg, key)
      assert.is_nil(d)
      assert.are.equal("invalid_argument", err.kind)
      assert.are.equal("invalid_parameter", err.code)
      assert.matches("Idempotency%-Key must be 1%-255 characters from %[A%-Za%-z0%-9_:%.%-%]", err.message)
    end
    assert.are.equal(0, #jobs_of("video"))
  end)
end)

describe("creates without a key are never blindly retried", function()
  it("a legacy v2 create answered 500 is sent once and flagged maybe_created", function()
    local hg = support.client(emu)
    emu:fault { method = "POST", path = "^/v2/video/generate$", status = 500 }
    local job, err = hg:create_video { video_inputs = { {
      character = { type = "avatar", avatar_id = AVATAR },
      voice = { type = "text", voice_id = VOICE, input_text = "Once." } } } }
    assert.is_nil(job)
    assert.are.equal("server", err.kind)
    assert.is_true(err.maybe_created)
    assert.matches("check before creating it again", err.message)
    assert.are.equal(1, emu:count("POST", "^/v2/video/generate$"))
  end)

  it("a video agent session (not documented as idempotent) answered 500 is sent once", function()
    local hg = support.client(emu, { api = "v3" })
    emu:fault { method = "POST", path = "^/v3/video%-agents$", status = 500 }
    local job, err = hg:video_agent { prompt = "Once only" }
    assert.is_nil(job)
    assert.are.equal("server", err.kind)
    assert.is_true(err.maybe_created)
    assert.are.equal(1, emu:count("POST", "^/v3/video%-agents$"))
  end)

  it("a 429 is retried with or without a key: nothing was processed", function()
    local hg = support.client(emu, { api = "v3" })
    emu:fault { method = "POST", path = "^/v3/video%-agents$", status = 429, retry_after = 0 }
    assert(hg:video_agent { prompt = "After the rate limit" })
    assert.are.equal(2, emu:count("POST", "^/v3/video%-agents$"))
    assert.are.equal(1, #jobs_of("video_agent"))
  end)
end)
