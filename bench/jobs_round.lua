--- 10,000 jobs in flight, followed the way a program following many renders
-- would: `heygen.all(jobs)` (mode "all"), or a task per job in job:wait
-- (mode "tasks"). Measures one poll round (every job refreshed once, 64
-- connections) and the memory each waiting job holds.
--
--   lua5.4 bench/jobs_round.lua BASE_URL N [all|tasks] [POLL_BUDGET]
-- BASE_URL serves a "processing" video_status.get, so every job keeps waiting.
local lib = require "lib"
local heygen = require "heygen"

local base, total, mode, budget = lib.arg(1), lib.arg(2, 10000), lib.arg(3, "all"), lib.arg(4, 0)

local polled, errors, first_error, round_done = 0, 0, nil, nil
local hg = heygen.client {
  api_key = lib.API_KEY, base_url = base, api = "v2", user_agent = "heygen-lua/bench",
  poll_budget = budget, max_retries = 0,
  poll = { initial = 3600, factor = 1, max = 3600 }, -- one round only while we measure
  trace = function(event)
    polled = polled + 1
    if event.status ~= 200 then
      errors = errors + 1
      first_error = first_error or tostring(event.error or event.status)
    end
    if polled == total then round_done = lib.now() end
  end,
}
assert(hg:job("video", "warmup"):refresh())
polled = 0
lib.full_gc()
local rss0, heap0 = lib.rss_kb(), collectgarbage("count")

local t0 = lib.now()
local jobs = {}
for i = 1, total do jobs[i] = hg:job("video", string.format("%032x", i)) end
if mode == "all" then
  heygen.spawn(heygen.all, jobs)
else
  for i = 1, total do heygen.spawn(jobs[i].wait, jobs[i], { timeout = 7200 }) end
end
while not round_done do heygen.step(1) end
local round = round_done - t0

-- every job now sleeps until its next poll: what does each one hold?
lib.full_gc()
local rss1, heap1 = lib.rss_kb(), collectgarbage("count")
local cpu0, idle0 = os.clock(), lib.now()
heygen.step(0.5) -- half a second of the loop with every job waiting
local idle_cpu = (os.clock() - cpu0) / (lib.now() - idle0)

lib.emit {
  jobs = total, mode = mode, budget = budget, round_seconds = round, rps = total / round,
  errors = errors, first_error = first_error, peak_rss_kb = lib.peak_rss_kb(),
  rss_growth_kb = rss1 - rss0, rss_per_job_kb = (rss1 - rss0) / total,
  heap_per_job_kb = (heap1 - heap0) / total, idle_cpu_share = idle_cpu,
}
os.exit(0) -- the jobs keep waiting; nothing to clean up
