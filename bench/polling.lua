--- Polling that respects the API, against the emulator: requests per job and
-- completion-notice latency for the documents' fixed 10-second polling and for
-- the client's own schedule, then many jobs at once, naive vs under the
-- client-wide poll budget.
--
--   lua5.4 bench/polling.lua TIME_SCALE JOBS MANY_JOBS BUDGET [quick]
--
-- Times are nominal seconds (real seconds x TIME_SCALE): the emulator runs
-- TIME_SCALE times faster and every schedule is scaled the same way. Each job
-- is held in "processing" by the emulator and completed through its control
-- API after a random duration (the class's mean x 0.5 .. 1.5), the same
-- durations for every schedule, so notice latency is measured from the moment
-- the job really completed.
local lib = require "lib"
local heygen = require "heygen"
local emulator = require "heygen.emulator"
local scheduler = require "heygen.scheduler"

local scale, njobs, many_jobs, budget = lib.arg(1, 100), lib.arg(2, 30), lib.arg(3, 200), lib.arg(4, 5)
local quick = lib.arg(5) == "quick"

local emu = emulator.spawn { time_scale = scale, api_keys = { lib.API_KEY }, lua = "lua5.4" }

local CLASSES = quick and { 60, 140 } or { 60, 140, 330, 600 } -- mean render time, nominal seconds
local FIXED_10 = { initial = 10, factor = 1, max = 10 }
local OURS = heygen.client { api_key = "x" }.poll

local function client(poll, poll_budget)
  return heygen.client {
    api_key = lib.API_KEY, base_url = emu.url, api = "v2", max_retries = 2, retry_base = 0.01,
    poll = { initial = poll.initial / scale, factor = poll.factor, max = poll.max / scale },
    poll_budget = poll_budget and poll_budget * scale or 0,
  }
end

-- A control call to the emulator through heygen's own loop: the handle's
-- calls block (luasocket), and a stalled loop would bunch the polls up.
local function control(id, spec)
  local rec = scheduler.request { method = "POST", url = emu.url .. "/_emulator/jobs/" .. id,
    body = heygen.json.encode(spec), headers = { ["Content-Type"] = "application/json" } }
  assert(rec and rec.status == 200, "emulator control call failed")
end

local function create(hg)
  return hg:create_video { video_inputs = { {
    character = { type = "avatar", avatar_id = "Abigail_expressive_2024112501" },
    voice = { type = "text", voice_id = "1bd001e7e50f421d891986aad5158bc8", input_text = "hello" } } } }
end

local function quantile(list, q)
  local s = {}
  for i, v in ipairs(list) do s[i] = v end
  table.sort(s)
  return s[math.max(1, math.ceil(q * #s))]
end

local function mean(list)
  local sum = 0
  for _, v in ipairs(list) do sum = sum + v end
  return sum / #list
end

--- n jobs with durations around `seconds`, followed with `poll`; returns
-- polls per job, notice latencies (nominal seconds) and the emulator's log.
local function scenario(seconds, poll, n, poll_budget)
  local hg = client(poll, poll_budget)
  emu:reset()
  math.randomseed(7)
  local durations = {}
  for i = 1, n do durations[i] = seconds * (0.5 + math.random()) end
  local polls, latency, failures, first_error = {}, {}, 0, nil
  heygen.run(function()
    local tasks = {}
    for i = 1, n do
      tasks[i] = heygen.spawn(function()
        local job = assert(create(hg))
        control(job.id, { stuck = true })
        local done_at
        heygen.spawn(function() -- the render finishes when we say so
          heygen.sleep(durations[i] / scale)
          local t0 = lib.now()
          done_at = t0 -- the job may be seen completed before this control call returns
          control(job.id, { complete = true })
          done_at = (t0 + lib.now()) / 2
        end)
        local result, err = job:wait { timeout = 4 * seconds / scale + 60 }
        polls[#polls + 1] = job._state.polls
        if result and done_at then
          latency[#latency + 1] = (lib.now() - done_at) * scale
        else -- counted and shown, never a crash of the whole benchmark
          failures = failures + 1
          first_error = first_error or tostring(err or ("seen " .. tostring(job.status) .. " before it completed"))
        end
      end)
    end
    for _, t in ipairs(tasks) do t:wait() end
  end)
  return {
    polls = polls, latency = latency, failures = failures, first_error = first_error,
    logged = emu:requests { method = "GET", path = "/v1/video_status.get" },
  }
end

--- Status requests per nominal second the emulator saw: the busiest minute
-- and the mean over the run.
local function rates(logged)
  local window = 60 / scale
  local times = {}
  for i, req in ipairs(logged) do times[i] = req.t end
  table.sort(times)
  local peak, j = 0, 1
  for i = 1, #times do
    while times[i] - times[j] > window do j = j + 1 end
    peak = math.max(peak, i - j + 1)
  end
  local span = #times > 1 and (times[#times] - times[1]) or 1
  return peak / 60, #times / span / scale
end

local function summary(r, n)
  return {
    polls_per_job = mean(r.polls), logged_per_job = #r.logged / n,
    polls_min = quantile(r.polls, 0), polls_max = quantile(r.polls, 1),
    latency_mean = mean(r.latency), latency_p50 = quantile(r.latency, 0.5),
    latency_p95 = quantile(r.latency, 0.95), latency_max = quantile(r.latency, 1),
    failures = r.failures, first_error = r.first_error,
  }
end

local out = { scale = scale, jobs = njobs, ours = OURS, classes = CLASSES, schedules = {} }
for _, seconds in ipairs(CLASSES) do
  for _, name in ipairs { "fixed10", "ours" } do
    local r = scenario(seconds, name == "ours" and OURS or FIXED_10, njobs)
    out.schedules[#out.schedules + 1] = { class = seconds, schedule = name, figures = summary(r, njobs) }
  end
end

-- many jobs at once: the documents' polling, and ours under a budget
out.many = { jobs = many_jobs, budget = budget, class = 140 }
for _, name in ipairs { "naive", "budgeted" } do
  local r = scenario(140, name == "naive" and FIXED_10 or OURS, many_jobs, name == "budgeted" and budget or nil)
  local s = summary(r, many_jobs)
  s.peak_rate, s.mean_rate = rates(r.logged)
  out.many[name] = s
end

emu:stop()
lib.emit(out)
