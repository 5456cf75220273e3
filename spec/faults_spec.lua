-- The client under faults: every fault of the reliability issue, injected by the
-- emulator, with what a user sees (error kind, status, message, the requests the
-- emulator received). Here 429s, 5xx, failures after a create was sent and stalls;
-- bodies that are not the API's and failing jobs: spec/faults_bodies_spec.lua; downloads:
-- spec/faults_downloads_spec.lua; the journal (fault 10): spec/journal_spec.lua.
local heygen = require "heygen"
local socket = require "socket"
local support = require "support"
local F = require "faults_env"

local emu = F.use()
local CREATE_PATH, create, client, timed, gaps = F.CREATE_PATH, F.create, F.client, F.timed, F.gaps
local statuses, logged = F.statuses, F.logged

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
