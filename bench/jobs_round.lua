--- 10,000 jobs in flight: each job is a task in job:wait, as a program
-- following many renders would run them. Measures one poll round (every job
-- refreshed once, 64 connections) and the memory each waiting job holds.
--
--   lua5.4 bench/jobs_round.lua BASE_URL N [POLL_BUDGET]
-- BASE_URL serves a "processing" video_status.get, so every job keeps waiting.
local lib = require "lib"
local heygen = require "heygen"

local base, total, budget = lib.arg(1), lib.arg(2, 10000), lib.arg(3, 0)

local hg = heygen.client {
  api_key = lib.API_KEY, base_url = base, api = "v2", user_agent = "heygen-lua/bench",
  poll_budget = budget, max_retries = 0,
  poll = { initial = 3600, factor = 1, max = 3600 }, -- one round only while we measure
}
assert(hg:job("video", "warmup"):refresh())
lib.full_gc()
local rss0, heap0 = lib.rss_kb(), collectgarbage("count")

local polled, errors, first_error = 0, 0, nil
local round_done
local t0 = lib.now()
local jobs, tasks = {}, {}
for i = 1, total do
  local job = hg:job("video", string.format("%032x", i))
  jobs[i] = job
  tasks[i] = heygen.spawn(function()
    return job:wait { timeout = 7200, on_progress = function(j)
      polled = polled + 1
      if j.status ~= "processing" then
        errors = errors + 1
        first_error = first_error or tostring(j.status)
      end
      if polled == total then round_done = lib.now() end
    end }
  end)
end
local spawned = lib.now()
while not round_done do heygen.step(1) end
local round = round_done - t0

-- every job now sleeps until its next poll: what does each one hold?
lib.full_gc()
local rss1, heap1 = lib.rss_kb(), collectgarbage("count")
local cpu0, idle0 = os.clock(), lib.now()
heygen.step(0.5) -- half a second of the loop with 10,000 jobs waiting
local idle_cpu = (os.clock() - cpu0) / (lib.now() - idle0)

for _, job in ipairs(jobs) do job:cancel() end
lib.emit {
  jobs = total, budget = budget, round_seconds = round, spawn_seconds = spawned - t0,
  rps = total / round, errors = errors, first_error = first_error,
  rss_growth_kb = rss1 - rss0, rss_per_job_kb = (rss1 - rss0) / total,
  heap_per_job_kb = (heap1 - heap0) / total, idle_cpu_share = idle_cpu,
}
