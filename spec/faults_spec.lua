-- The client under faults: every fault of the reliability issue, injected by the
-- emulator, with what a user sees (error kind, status, message, the requests the
-- emulator received, bytes on disk). Fault 10 (the journal) is spec/journal_spec.lua.
local heygen = require "heygen"
local core = require "heygen.core"
local socket = require "socket"
local support = require "support"

local emu
setup(function() emu = support.emulator() end)
teardown(function() if emu then emu:stop() end end)
before_each(function() emu:reset() end)

local AVATAR, VOICE = "Abigail_expressive_2024112501", "1bd001e7e50f421d891986aad5158bc8"
local VIDEO_ID = "0123456789abcdef0123456789abcdef"
local CREATE_PATH = "^/v2/video/generate"

local function create(hg)
  return hg:create_video { video_inputs = { {
    character = { type = "avatar", avatar_id = AVATAR, avatar_style = "normal" },
    voice = { type = "text", voice_id = VOICE, input_text = "Faults are survived." } } } }
end

local function client(extra) return support.client(emu, extra) end

local function timed(fn)
  local t0 = core.now()
  local a, b = fn()
  return a, b, core.now() - t0
end

-- Seconds between consecutive logged requests.
local function gaps(reqs)
  local out = {}
  for i = 2, #reqs do out[#out + 1] = reqs[i].t - reqs[i - 1].t end
  return out
end

local function statuses(reqs)
  local out = {}
  for i, r in ipairs(reqs) do out[i] = math.floor(r.status) end
  return out
end

-- The emulator logs a request once it has answered it: wait (a bounded time) for a
-- stalled one to show up.
local function logged(method, path, n)
  local deadline = core.now() + 5
  while emu:count(method, path) < n and core.now() < deadline do socket.sleep(0.05) end
  return emu:count(method, path)
end

local function sha256(path)
  local p = io.popen("sha256sum " .. string.format("%q", path))
  local sum = p:read("*a"):match("^(%x+)")
  p:close()
  return sum
end

describe("fault 1: 429 with Retry-After", function()
  it("on GET, in seconds: waits as told, then succeeds", function()
    emu:fault { method = "GET", path = "/v2/avatars", status = 429, retry_after = 1 }
    local data = assert(client():avatars())
    assert.is_true(#data.avatars > 0)
    local reqs = emu:requests { method = "GET", path = "^/v2/avatars" }
    assert.are.same({ 429, 200 }, statuses(reqs))
    local gap = gaps(reqs)[1]
    assert.is_true(gap >= 0.95 and gap < 1.5, "waited " .. gap)
  end)

  it("on GET, as an HTTP date: waits until that date, then succeeds", function()
    emu:fault { method = "GET", path = "/v2/avatars", status = 429, retry_after_date = 2 }
    assert(client():avatars())
    local reqs = emu:requests { method = "GET", path = "^/v2/avatars" }
    assert.are.same({ 429, 200 }, statuses(reqs))
    -- an HTTP date has whole seconds: 2 s from a moment inside the current second
    local gap = gaps(reqs)[1]
    assert.is_true(gap >= 0.9 and gap < 2.5, "waited " .. gap)
  end)

  it("on a create POST, in seconds: retried (429 means not done) and exactly one job", function()
    emu:fault { method = "POST", path = CREATE_PATH, status = 429, retry_after = 1 }
    local job = assert(create(client()))
    local reqs = emu:requests { method = "POST", path = CREATE_PATH }
    assert.are.same({ 429, 200 }, statuses(reqs))
    assert.is_true(gaps(reqs)[1] >= 0.95)
    local jobs = emu:jobs()
    assert.are.equal(1, #jobs)
    assert.are.equal(job.id, jobs[1].id)
  end)

  it("on a create POST, as an HTTP date: retried and exactly one job", function()
    emu:fault { method = "POST", path = CREATE_PATH, status = 429, retry_after_date = 1 }
    assert(create(client()))
    assert.are.same({ 429, 200 }, statuses(emu:requests { method = "POST", path = CREATE_PATH }))
    assert.are.equal(1, #emu:jobs())
  end)

  it("caps a long Retry-After at retry_cap", function()
    emu:fault { method = "GET", path = "/v2/avatars", status = 429, retry_after = 3600 }
    local _, _, took = timed(function() return assert(client { retry_cap = 0.5 }:avatars()) end)
    assert.is_true(took >= 0.45 and took < 1.5, "took " .. took)
  end)

  it("gives rate_limit with retry_after once the retries are spent", function()
    emu:fault { method = "GET", path = "/v2/avatars", status = 429, retry_after = 0, times = -1 }
    local data, err = client { max_retries = 2 }:avatars()
    assert.is_nil(data)
    assert.are.equal("rate_limit", err.kind)
    assert.are.equal(429, err.status)
    assert.are.equal(0, err.retry_after)
    assert.are.equal(3, err.attempts)
    assert.are.equal(3, logged("GET", "^/v2/avatars", 3))
  end)
end)

describe("fault 2: 5xx on GET", function()
  local BASE = 0.1
  for _, status in ipairs { 500, 502, 503, 504 } do
    it(status .. " is retried with exponential backoff and jitter, then server after max_retries", function()
      emu:fault { method = "GET", path = "/v2/avatars", status = status, times = -1 }
      local data, err = client { max_retries = 3, retry_base = BASE, retry_cap = 5 }:avatars()
      assert.is_nil(data)
      assert.are.equal("server", err.kind)
      assert.are.equal(status, err.status)
      assert.are.equal(4, err.attempts)
      local reqs = emu:requests { method = "GET", path = "^/v2/avatars" }
      assert.are.same({ status, status, status, status }, statuses(reqs))
      for i, gap in ipairs(gaps(reqs)) do
        local nominal = BASE * 2 ^ (i - 1)
        assert.is_true(gap >= 0.75 * nominal - 0.01 and gap <= 1.25 * nominal + 0.1,
          string.format("retry %d waited %.3fs for a nominal %.2fs", i, gap, nominal))
      end
    end)
  end

  it("jitters the delays: they are not the bare doubling sequence", function()
    emu:fault { method = "GET", path = "/v2/avatars", status = 503, times = -1 }
    local ratios = {}
    for _ = 1, 2 do
      local since = emu:requests()[1] and emu:requests()[#emu:requests()].seq or 0
      client { max_retries = 4, retry_base = BASE, retry_cap = 5 }:avatars()
      for i, gap in ipairs(gaps(emu:requests { method = "GET", path = "^/v2/avatars", since = since })) do
        ratios[#ratios + 1] = gap / (BASE * 2 ^ (i - 1))
      end
    end
    assert.are.equal(8, #ratios)
    local off = 0
    for _, r in ipairs(ratios) do
      if math.abs(r - 1) > 0.02 then off = off + 1 end
    end
    assert.is_true(off >= 2, "delays within 2% of the bare doubling: " .. (8 - off) .. " of 8")
  end)

  it("succeeds when the server recovers before the retries are spent", function()
    emu:fault { method = "GET", path = "/v2/avatars", status = 503, times = 2 }
    assert(client { max_retries = 2 }:avatars())
    assert.are.same({ 503, 503, 200 }, statuses(emu:requests { method = "GET", path = "^/v2/avatars" }))
  end)
end)

describe("fault 3: failures after a create POST was sent", function()
  local CASES = {
    { name = "a 500 after the job was created", fault = { status = 500 }, kind = "server", status = 500 },
    { name = "a 502 after the job was created", fault = { status = 502 }, kind = "server", status = 502 },
    { name = "a timeout while the server works", fault = { delay = 1 }, kind = "timeout", client = { timeout = 0.3 } },
    { name = "a reset after the body was read", fault = { reset = "after_body" }, kind = "network" },
    { name = "an answer cut short", fault = { truncate = 12 }, kind = "protocol", status = 200 },
  }
  for _, case in ipairs(CASES) do
    it(case.name .. " is not retried, says the job may exist, and the emulator has one job", function()
      local fault = { method = "POST", path = CREATE_PATH, processed = true }
      for k, v in pairs(case.fault) do fault[k] = v end
      emu:fault(fault)
      local opts = { max_retries = 3 }
      for k, v in pairs(case.client or {}) do opts[k] = v end
      local job, err = create(client(opts))
      assert.is_nil(job)
      assert.are.equal(case.kind, err.kind)
      if case.status then assert.are.equal(case.status, err.status) end
      assert.is_true(err.maybe_created)
      assert.matches("the job may exist: check before creating it again", err.message, 1, true)
      assert.are.equal(1, err.attempts)
      assert.are.equal(1, #emu:jobs())
      assert.are.equal(1, logged("POST", CREATE_PATH, 1))
      socket.sleep(0.2)
      assert.are.equal(1, emu:count("POST", CREATE_PATH))
    end)
  end

  it("a reset before the body was read is not retried either (the request had left)", function()
    emu:fault { method = "POST", path = CREATE_PATH, reset = "before_body" }
    local job, err = create(client { max_retries = 3 })
    assert.is_nil(job)
    assert.are.equal("network", err.kind)
    assert.is_true(err.maybe_created)
    assert.are.equal(1, emu:count("POST", CREATE_PATH))
  end)

  it("a connect failure before sending is retried, and the create happens once", function()
    local probe = assert(socket.bind("127.0.0.1", 0))
    local _, port = probe:getsockname()
    probe:close()
    local late, events = nil, {}
    local hg = heygen.client {
      api_key = support.API_KEY, api = "v2", base_url = "http://127.0.0.1:" .. port,
      max_retries = 3, retry_base = 0.05,
      trace = function(ev)
        events[#events + 1] = ev
        -- the server comes up only after the first attempt found nobody listening
        if not late then late = support.emulator { port = tonumber(port) } end
      end,
    }
    local ok, job, err = pcall(create, hg)
    local log = late and late:requests { method = "POST", path = CREATE_PATH } or {}
    local jobs = late and late:jobs() or {}
    if late then late:stop() end
    assert.is_true(ok, tostring(job))
    assert(job, tostring(err))
    assert.matches("network", events[1].error)
    assert.is_nil(events[2].error)
    assert.are.equal(1, #log)
    assert.are.equal(1, #jobs)
  end)
end)

describe("fault 4: a stalled server", function()
  it("gives timeout within the configured time plus a small margin", function()
    emu:fault { method = "GET", path = "/v2/avatars", delay = 1.5 }
    local data, err, took = timed(function() return client { timeout = 0.5, max_retries = 0 }:avatars() end)
    assert.is_nil(data)
    assert.are.equal("timeout", err.kind)
    assert.matches("timed out", err.message)
    assert.is_true(took >= 0.45 and took < 0.8, "took " .. took)
    assert.are.equal(1, logged("GET", "^/v2/avatars", 1)) -- the server finished later, unheard
  end)

  it("gives each retry its own deadline", function()
    emu:fault { method = "GET", path = "/v2/avatars", delay = 1, times = -1 }
    local data, err, took = timed(function()
      return client { timeout = 0.3, max_retries = 2, retry_base = 0.05 }:avatars()
    end)
    assert.is_nil(data)
    assert.are.equal("timeout", err.kind)
    assert.are.equal(3, err.attempts)
    assert.are.equal(3, logged("GET", "^/v2/avatars", 3))
    assert.is_true(took >= 0.9 and took < 1.6, "took " .. took)
  end)
end)

describe("fault 5: bodies that are not the API's JSON", function()
  it("malformed JSON in a 200 is protocol, with the status and a short excerpt", function()
    emu:fault { method = "GET", path = "^/v1/video_status.get", malformed = true }
    local data, err = client { max_retries = 0 }:video_status(VIDEO_ID)
    assert.is_nil(data)
    assert.are.equal("protocol", err.kind)
    assert.are.equal(200, err.status)
    assert.matches('HTTP 200', err.message, 1, true)
    assert.matches('{"code": 100, "data": {"video_id": "3a5b', err.message, 1, true)
  end)

  it("a truncated body is protocol, with the status and what arrived", function()
    emu:fault { method = "GET", path = "/v2/avatars", truncate = 24 }
    local data, err = client { max_retries = 0 }:avatars()
    assert.is_nil(data)
    assert.are.equal("protocol", err.kind)
    assert.are.equal(200, err.status)
    assert.matches("truncated response body (HTTP 200, connection closed after 24 bytes)", err.message, 1, true)
    assert.matches('{"', err.message, 1, true)
  end)

  it("an HTML error page is protocol with its status and title, and a GET retries it", function()
    emu:fault { method = "GET", path = "/v2/avatars", html = true, times = -1 }
    local data, err = client { max_retries = 1 }:avatars()
    assert.is_nil(data)
    assert.are.equal("protocol", err.kind)
    assert.are.equal(502, err.status)
    assert.matches("502 Bad Gateway", err.message, 1, true)
    assert.is_true(#err.message < 250, "excerpt too long: " .. #err.message)
    assert.are.equal(2, emu:count("GET", "^/v2/avatars"))
  end)

  it("a malformed answer to a GET is retried, and the retry's good answer wins", function()
    emu:fault { method = "GET", path = "/v2/avatars", malformed = true }
    assert(client { max_retries = 1 }:avatars())
    assert.are.equal(2, emu:count("GET", "^/v2/avatars"))
  end)
end)

describe("fault 6: HTTP 200 with an error body", function()
  it("v1 (code != 100) is a typed error with the API's code and message", function()
    emu:fault { method = "GET", path = "^/v1/video_status.get", error_body = true }
    local data, err = client { max_retries = 0 }:video_status(VIDEO_ID)
    assert.is_nil(data)
    assert.is_true(heygen.errors.is(err))
    assert.are.equal(200, err.status)
    assert.are.equal(400105, err.code)
    assert.are.equal("Blocked words detected", err.message)
    assert.is_true(heygen.errors.KINDS[err.kind])
  end)

  it("v2 (an error object) is a typed error with the API's code and message", function()
    emu:fault { method = "GET", path = "/v2/avatars", error_body = true }
    local data, err = client { max_retries = 0 }:avatars()
    assert.is_nil(data)
    assert.are.equal("server", err.kind)
    assert.are.equal(200, err.status)
    assert.are.equal("internal_error", err.code)
    assert.are.equal("Internal error, please retry", err.message)
  end)

  it("a v2 error object on a create is not retried", function()
    emu:fault { method = "POST", path = CREATE_PATH, error_body = true }
    local job, err = create(client { max_retries = 3 })
    assert.is_nil(job)
    assert.are.equal("internal_error", err.code)
    assert.are.equal(1, emu:count("POST", CREATE_PATH))
  end)
end)

describe("fault 7: jobs that fail", function()
  it("a failed video job is job_failed with the API's code and message", function()
    emu:next_job { kind = "video", fail = { code = 40119, message = "Video is too long" } }
    local job = assert(create(client()))
    local result, err = job:wait { timeout = 30 }
    assert.is_nil(result)
    assert.are.equal("job_failed", err.kind)
    assert.are.equal(40119, err.code)
    assert.matches("Video is too long", err.message, 1, true)
    assert.are.equal(job.id, err.job_id)
  end)

  it("a failed workflow job is job_failed with the API's code and message", function()
    emu:next_job { kind = "workflow", fail = { code = "workflow_failed", message = "Queue is closed" } }
    local job = assert(client():generate_video { prompt = "a failing render" })
    local result, err = job:wait { timeout = 30 }
    assert.is_nil(result)
    assert.are.equal("job_failed", err.kind)
    assert.are.equal("workflow_failed", err.code)
    assert.matches("Queue is closed", err.message, 1, true)
    assert.are.equal(job.id, err.job_id)
  end)

  it("a credit failure found at poll time is insufficient_credit with MOVIO_PAYMENT_INSUFFICIENT_CREDIT", function()
    emu:config { quota = 0 }
    local job = assert(create(client()))  -- accepted: the wallet is only checked later
    local result, err = job:wait { timeout = 30 }
    assert.is_nil(result)
    assert.are.equal("insufficient_credit", err.kind)
    assert.are.equal("MOVIO_PAYMENT_INSUFFICIENT_CREDIT", err.code)
    assert.matches("Insufficient credit", err.message, 1, true)
    assert.are.equal(job.id, err.job_id)
    assert.are.equal("failed", job.status)
  end)
end)

describe("fault 8: a stuck job", function()
  it("wait{timeout} returns timeout with the job id; a later hg:job(kind, id):wait() completes it", function()
    emu:next_job { kind = "workflow", stuck = true }
    local hg = client()
    local job = assert(hg:generate_video { prompt = "a job that hangs" })
    local result, err, took = timed(function() return job:wait { timeout = 0.6 } end)
    assert.is_nil(result)
    assert.are.equal("timeout", err.kind)
    assert.are.equal(job.id, err.job_id)
    assert.matches(job.id, err.message, 1, true)
    assert.is_true(took >= 0.55 and took < 1.5, "took " .. took)
    assert.are.equal("processing", job.status)
    emu:job(job.id, { stuck = false })
    local again = hg:job("workflow", job.id)
    local done = assert(again:wait { timeout = 30 })
    assert.is_string(done.video_url)
    assert.are.equal(1, emu:count("POST", "^/v1/workflows/executions"))
  end)
end)

describe("fault 9: downloads", function()
  local SIZE = 3 * 1024 * 1024

  local function completed_job(hg, size)
    emu:next_job { kind = "video", size = size }
    local job = assert(create(hg))
    assert(job:wait { timeout = 30 })
    return job
  end

  local function clean_copy(job, out)
    local ref = out .. ".ref"
    emu:clear_faults()
    assert(job:download(ref))
    return ref
  end

  -- A download dropped at 1 MB, with `then_fault` (if any) on the next request for the file.
  -- Checks the final file against a clean copy; returns the file requests the emulator saw.
  local function dropped_download(then_fault)
    local job = completed_job(client(), SIZE)
    emu:fault { method = "GET", path = "^/files/", drop_after = 1000000 }
    if then_fault then
      then_fault.method, then_fault.path = "GET", "^/files/"
      emu:fault(then_fault)
    end
    local out = support.tmpname(".mp4")
    assert.are.equal(out, job:download(out))
    local files = emu:requests { method = "GET", path = "^/files/.*%.mp4$" }
    local ref = clean_copy(job, out)
    assert.are.equal(SIZE, #support.read(out))
    assert.are.equal(sha256(ref), sha256(out))
    assert.are.equal(support.sample_mp4(), support.read(out):sub(1, #support.sample_mp4()))
    assert.is_nil(support.read(out .. ".part"))
    os.remove(out)
    os.remove(ref)
    return files
  end

  it("dropped midway: resumed with Range, the final file byte-identical (checksum)", function()
    local files = dropped_download()
    assert.are.same({ 200, 206 }, statuses(files))
    assert.is_nil(files[1].headers.range)
    assert.are.equal("bytes=1000000-", files[2].headers.range)
    assert.matches('^"%x+"$', files[2].headers["if-range"]) -- the file's ETag: same file or all of it
    assert.is_nil(files[1].headers["if-range"])
  end)

  it("dropped twice: resumes from each point reached", function()
    local job = completed_job(client(), SIZE)
    emu:fault { method = "GET", path = "^/files/", drop_after = 700000, times = 2 }
    local out = support.tmpname(".mp4")
    assert(job:download(out))
    local files = emu:requests { method = "GET", path = "^/files/.*%.mp4$" }
    assert.are.same({ nil, "bytes=700000-", "bytes=1400000-" },
      { files[1].headers.range, files[2].headers.range, files[3].headers.range })
    local ref = clean_copy(job, out)
    assert.are.equal(sha256(ref), sha256(out))
    os.remove(out)
    os.remove(ref)
  end)

  it("a server that ignores Range: its 200 taken as the whole file, written over the part", function()
    local files = dropped_download { ignore_range = true }
    assert.are.same({ 200, 200 }, statuses(files)) -- no third request: the 200 was the file
    assert.are.equal("bytes=1000000-", files[2].headers.range)
  end)

  it("a lying 206 (not from the byte asked for): never appended; the file fetched whole", function()
    local files = dropped_download { lie_206 = true }
    assert.are.same({ 200, 206, 200 }, statuses(files))
    assert.are.equal("bytes=1000000-", files[2].headers.range)
    assert.is_nil(files[3].headers.range) -- that server's ranges are not trusted again
  end)

  it("a server that lies on every range: a protocol error naming it, no file under the name", function()
    local job = completed_job(client(), SIZE)
    emu:fault { method = "GET", path = "^/files/", drop_after = 1000000, times = -1 }
    local out = support.tmpname(".mp4")
    -- a partial file from an earlier run, resumed with a Range the server answers falsely
    assert(job:download(out, { max_resumes = 0 }) == nil)
    assert(support.read(out .. ".part.resume"))
    emu:clear_faults()
    emu:fault { method = "GET", path = "^/files/", lie_206 = true, times = -1 }
    local path, err = job:download(out, { max_resumes = 0 })
    assert.is_nil(path)
    assert.are.equal("protocol", err.kind)
    assert.are.equal(206, err.status)
    assert.matches("a range other than the one asked for (Content-Range: bytes 0-" .. (SIZE - 1) .. "/" .. SIZE
      .. ")", err.message, 1, true)
    assert.is_nil(support.read(out))
    assert.are.same({}, support.parts(out))
  end)

  it("a part left by a failed run: the same job's resumed with If-Range; another job's never", function()
    local a = completed_job(client(), SIZE)
    local b = completed_job(client(), SIZE + 4096) -- a different file: its free box says another size
    local out = support.tmpname(".mp4")
    emu:fault { method = "GET", path = "^/files/", drop_after = 1000000 }
    local path, err = a:download(out, { max_resumes = 0 })
    assert.is_nil(path)
    assert.matches("partial data kept in " .. out .. ".part", err.message, 1, true)
    local note = require("heygen.core").json_decode(support.read(out .. ".part.resume"))
    assert.are.equal("video:" .. a.id, note.job)
    assert.matches('^"', note.validator) -- the emulator's strong ETag
    -- another job to the same path: the part is not its file, so it starts over
    local function last_seq()
      local all = emu:requests {}
      return all[#all].seq
    end
    local since = last_seq()
    assert.are.equal(out, b:download(out))
    local files = emu:requests { method = "GET", path = "^/files/.*%.mp4$", since = since }
    assert.are.equal(1, #files)
    assert.is_nil(files[1].headers.range)
    local ref = clean_copy(b, out)
    assert.are.equal(sha256(ref), sha256(out))
    assert.is_nil(support.read(out .. ".part.resume"))
    os.remove(out)
    os.remove(ref)
    -- the same job, in a later run (a fresh client, as another process would have): resumed
    emu:fault { method = "GET", path = "^/files/", drop_after = 1000000 }
    assert.is_nil((a:download(out, { max_resumes = 0 })))
    local again = client():job("video", a.id)
    since = last_seq()
    assert.are.equal(out, again:download(out))
    files = emu:requests { method = "GET", path = "^/files/.*%.mp4$", since = since }
    assert.are.equal(1, #files)
    assert.are.equal("bytes=1000000-", files[1].headers.range)
    assert.are.equal(note.validator, files[1].headers["if-range"])
    ref = clean_copy(a, out)
    assert.are.equal(sha256(ref), sha256(out))
    assert.is_nil(support.read(out .. ".part"))
    assert.is_nil(support.read(out .. ".part.resume"))
    os.remove(out)
    os.remove(ref)
  end)

  it("stalled: ended after stall_timeout without a byte, then resumed to the whole file", function()
    local job = completed_job(client())
    emu:fault { method = "GET", path = "^/files/", delay = 4 }
    local out = support.tmpname(".mp4")
    local path, _, took = timed(function() return job:download(out, { stall_timeout = 1 }) end)
    assert.are.equal(out, path)
    assert.is_true(took < 3.5, "took " .. took)
    assert.are.equal(support.sample_mp4(), support.read(out))
    assert.are.equal(2, logged("GET", "^/files/", 2))
    os.remove(out)
  end)

  it("expired URL: one status refresh for a fresh URL, then success", function()
    local job = completed_job(client())
    local polls = emu:count("GET", "^/v1/video_status.get")
    emu:fault { method = "GET", path = "^/files/", expire = true }
    local out = support.tmpname(".mp4")
    assert(job:download(out))
    assert.are.equal(support.sample_mp4(), support.read(out))
    assert.are.same({ 403, 200 }, statuses(emu:requests { method = "GET", path = "^/files/" }))
    assert.are.equal(polls + 1, emu:count("GET", "^/v1/video_status.get"))
    os.remove(out)
  end)

  it("a URL still expired after the refresh is url_expired, with no file written", function()
    local job = completed_job(client())
    local polls = emu:count("GET", "^/v1/video_status.get")
    emu:fault { method = "GET", path = "^/files/", expire = true, times = 2 }
    local out = support.tmpname(".mp4")
    local path, err = job:download(out)
    assert.is_nil(path)
    assert.are.equal("url_expired", err.kind)
    assert.are.equal(403, err.status)
    assert.are.equal(job.id, err.job_id)
    assert.are.equal(polls + 1, emu:count("GET", "^/v1/video_status.get"))
    assert.is_nil(support.read(out))
  end)

  it("an unwritable path (a file size limit, as a full disk) is io, with no file under the final name", function()
    local job = completed_job(client(), SIZE)
    local dir = support.tmpname()
    assert(os.execute("mkdir -p " .. dir))
    -- a child process under `ulimit -f` (SIGXFSZ ignored: the write fails with EFBIG)
    local out = support.lua_child(string.format([[
local heygen = require "heygen"
local hg = heygen.client { api_key = %q, base_url = %q, api = "v2" }
local path, err = hg:job("video", %q):download(%q)
print("result", tostring(path), err and err.kind, err and err.message)
]], support.API_KEY, emu.url, job.id, dir .. "/out.mp4"), "trap '' XFSZ; ulimit -f 1000;")
    assert.matches("result\tnil\tio\t", out, 1, true)
    assert.matches("File too large", out, 1, true)
    assert.is_nil(support.read(dir .. "/out.mp4"))
    assert.are.same({}, support.parts(dir .. "/out.mp4"))
    os.execute("rm -rf " .. dir)
  end)

  it("never writes through a planted .part or .part.resume symlink", function()
    local job = completed_job(client(), SIZE)
    local dir = support.tmpname()
    assert(os.execute("mkdir -p " .. dir))
    local victim = dir .. "/victim"
    local f = assert(io.open(victim, "wb"))
    f:write("precious")
    f:close()
    assert(os.execute("ln -s " .. victim .. " " .. dir .. "/out.mp4.part"))
    assert(os.execute("ln -s " .. victim .. " " .. dir .. "/out.mp4.part.resume"))
    -- a drop, so the note beside the part is written too
    emu:fault { method = "GET", path = "^/files/", drop_after = 1000000 }
    assert.are.equal(dir .. "/out.mp4", job:download(dir .. "/out.mp4"))
    assert.are.equal("precious", support.read(victim))
    assert.are.equal(SIZE, #support.read(dir .. "/out.mp4"))
    os.execute("rm -rf " .. dir)
  end)

  it("a final name that cannot be created is io, with nothing under that name", function()
    local job = completed_job(client())
    local dir = support.tmpname()
    assert(os.execute("mkdir -p " .. dir .. "/out.mp4"))  -- a directory stands in the way
    local path, err = job:download(dir .. "/out.mp4")
    assert.is_nil(path)
    assert.are.equal("io", err.kind)
    assert.is_nil(support.read(dir .. "/out.mp4/x"))
    os.execute("rm -rf " .. dir)
  end)
end)
