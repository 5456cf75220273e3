-- Behaviour behind the performance work (bench/ measures the figures; no
-- timings are asserted here): many jobs waited for as a group, requests
-- beyond the per-host limit waiting their turn, and the client-wide poll
-- budget, all checked through what the emulator received.
local heygen = require "heygen"
local scheduler = require "heygen.scheduler"
local support = require "support"

local emu = support.use_emulator()
local hg = support.client(emu)

-- The status requests the emulator received after log entry `since`.
local function status_polls(since)
  local list = {}
  for _, r in ipairs(emu:requests { method = "GET", path = "^/v1/workflows/executions/", since = since }) do
    list[#list + 1] = { id = r.path:match("executions/(.+)$"), t = r.t, conn = r.conn }
  end
  return list
end

-- The sequence number of the last request logged so far.
local function log_mark()
  local all = emu:requests {}
  return #all > 0 and all[#all].seq or 0
end

-- Run fn(i) for i = 1..n as concurrent tasks; returns the first two values of each.
local function concurrently(n, fn)
  local a, b, tasks = {}, {}, {}
  for i = 1, n do
    tasks[i] = heygen.spawn(function() a[i], b[i] = fn(i) end)
  end
  heygen.all(tasks)
  return a, b
end

describe("heygen.all with many jobs", function()
  it("returns every result in order and the failures by index", function()
    local list = {}
    for i = 1, 150 do list[i] = assert(hg:generate_video { prompt = "clip " .. i }) end
    emu:job(list[7].id, { fail = { code = "workflow_failed", message = "render broke" } })
    list[42] = hg:job("workflow", "no-such-execution")
    local results, errs = heygen.all(list)
    assert.is_table(errs)
    assert.are.equal("job_failed", errs[7].kind)
    assert.matches("render broke", tostring(errs[7]))
    assert.are.equal("no-such-execution", errs[42].job_id)
    local failed = 0
    for i = 1, 150 do
      if errs[i] then
        failed = failed + 1
        assert.is_nil(results[i])
      else
        assert.are.equal(list[i].id, results[i].execution_id)
        assert.matches("^http://", results[i].video_url)
        assert.are.equal("completed", list[i].status)
      end
    end
    assert.are.equal(2, failed)
  end)

  it("waits for jobs and tasks in one list, results in the list's order", function()
    local a = assert(hg:generate_video { prompt = "first" })
    local b = assert(hg:generate_video { prompt = "second" })
    local task = heygen.spawn(function() heygen.sleep(0.05) return "from a task" end)
    local results, errs = heygen.all { a, task, b }
    assert.is_nil(errs)
    assert.are.equal(a.id, results[1].execution_id)
    assert.are.equal("from a task", results[2])
    assert.are.equal(b.id, results[3].execution_id)
  end)

  it("polls every job once before any job twice", function()
    local list = {}
    for i = 1, 100 do list[i] = assert(hg:generate_video { prompt = "clip " .. i }) end
    local mark = log_mark()
    assert(heygen.all(list))
    local seen, order = {}, status_polls(mark)
    for k = 1, 100 do
      assert.is_nil(seen[order[k].id], "a job was polled twice in the first round")
      seen[order[k].id] = true
    end
  end)
end)

describe("requests beyond the per-host limit", function()
  it("all complete, over at most 64 connections", function()
    local ids = {}
    for i = 1, 150 do ids[i] = assert(hg:generate_video { prompt = "clip " .. i }).id end
    local mark = log_mark()
    local statuses, errs = concurrently(150, function(i) return hg:job("workflow", ids[i]):refresh() end)
    for i = 1, 150 do
      assert.is_nil(errs[i])
      assert.is_string(statuses[i])
    end
    local polls, conns, n = status_polls(mark), {}, 0
    for _, p in ipairs(polls) do
      if not conns[p.conn] then conns[p.conn], n = true, n + 1 end
    end
    assert.are.equal(150, #polls)
    assert.is_true(n <= 64, n .. " connections")
  end)

  it("give their turn back when they cannot start (malformed URL)", function()
    for _ = 1, 70 do
      local rec, err, code = scheduler.request { url = emu.url .. "/bad url" }
      assert.is_nil(rec)
      assert.matches("malformed URL", err)
      assert.are.equal(3, code)
    end
    assert(hg:remaining_quota())
  end)

  it("give their turn back when the transfer fails (connection refused)", function()
    local dead = heygen.client { api_key = support.API_KEY, base_url = "http://127.0.0.1:1", max_retries = 0 }
    local _, errs = concurrently(70, function() return dead:remaining_quota() end)
    for i = 1, 70 do assert.are.equal("network", errs[i].kind) end
    local _, err = dead:remaining_quota()
    assert.are.equal("network", err.kind)
  end)
end)

describe("the poll budget", function()
  -- n jobs of a client with this budget, held "processing" by the emulator;
  -- waits them all with `timeout`; returns the jobs, wait errors and polls.
  local function budgeted_waits(budget, n, timeout)
    local budgeted = support.client(emu, { poll_budget = budget })
    local list = {}
    for i = 1, n do list[i] = assert(budgeted:generate_video { prompt = "clip " .. i }) end
    for _, job in ipairs(list) do emu:job(job.id, { stuck = true }) end
    local mark = log_mark()
    local _, errs = concurrently(n, function(i) return list[i]:wait { timeout = timeout } end)
    return list, errs, status_polls(mark)
  end

  it("spaces the status requests of all jobs to the budget", function()
    local _, _, polls = budgeted_waits(20, 30, 1.6)
    -- n requests at 20/s need at least (n - 1) / 20 s between the first and the last
    assert.is_true(#polls >= 30)
    assert.is_true(polls[#polls].t - polls[1].t >= (#polls - 1) / 20 * 0.95,
      #polls .. " polls in " .. (polls[#polls].t - polls[1].t) .. " s")
    -- and every job had its turn before any had a second one
    local seen = {}
    for k = 1, 30 do
      assert.is_nil(seen[polls[k].id])
      seen[polls[k].id] = true
    end
  end)

  it("ends a wait with a timeout, without polling, when no slot comes before its deadline", function()
    local list, errs, polls = budgeted_waits(1, 5, 1.5)
    for i = 1, 5 do
      assert.are.equal("timeout", errs[i].kind)
      assert.are.equal(list[i].id, errs[i].job_id)
    end
    -- slots at 0 s and 1 s fit the 1.5 s deadline; the third would not
    assert.are.equal(2, #polls)
  end)
end)

describe("the status-poll fast lane", function()
  it("sends the key, Accept and the current User-Agent on every poll", function()
    local own = support.client(emu)
    local job = assert(own:generate_video { prompt = "a lighthouse" })
    local mark = log_mark()
    assert(job:refresh())
    own.user_agent = "my-agent/1.0"
    assert(job:refresh())
    local polls = emu:requests { method = "GET", path = "^/v1/workflows/executions/", since = mark }
    assert.are.equal(2, #polls)
    for _, r in ipairs(polls) do
      assert.are.equal(support.API_KEY, r.headers["x-api-key"])
      assert.are.equal("application/json", r.headers["accept"])
    end
    assert.matches("^heygen%-lua/", polls[1].headers["user-agent"])
    assert.are.equal("my-agent/1.0", polls[2].headers["user-agent"])
  end)

  it("refuses, every time, plain http to a host that only starts like a loopback address", function()
    local far = heygen.client { api_key = support.API_KEY, base_url = "http://127.0.0.1.example.invalid" }
    for _ = 1, 2 do
      local data, err = far:video_status("0123456789abcdef0123456789abcdef")
      assert.is_nil(data)
      assert.are.equal("invalid_argument", err.kind)
      assert.matches("refusing to send credentials", err.message)
    end
  end)

  it("refuses a malformed URL on a host it has already reached", function()
    assert(scheduler.request { url = emu.url .. "/_emulator/health" })
    local rec, err = scheduler.request { url = emu.url .. "/_emulator/health\tx" }
    assert.is_nil(rec)
    assert.matches("malformed URL", err)
  end)
end)
