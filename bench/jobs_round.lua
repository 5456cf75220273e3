--- 10,000 jobs in flight, followed the way a program following many renders
-- would: `heygen.all(jobs)` (mode "all"), or a task per job in job:wait
-- (mode "tasks"), both over the legacy status endpoint (a request per job);
-- or `heygen.all(jobs)` on v3 videos (mode "v3"), which polls them with bulk
-- status, 100 per request. Measures one poll round (every job's status read
-- once, 64 connections) and the memory each waiting job holds.
--
--   lua5.4 bench/jobs_round.lua BASE_URL N [all|tasks] [POLL_BUDGET]
--   lua5.4 bench/jobs_round.lua - N v3
-- BASE_URL serves a "processing" video_status.get, so every job keeps waiting. Mode
-- "v3" starts the emulator with its clock slowed down (every video stays in
-- progress) and creates the N videos there first, untimed.
local lib = require "lib"
local heygen = require "heygen"

local base, total, mode, budget = lib.arg(1), lib.arg(2, 10000), lib.arg(3, "all"), lib.arg(4, 0)

local emu
if mode == "v3" then
  emu = require("heygen.emulator").spawn { time_scale = 0.0001, api_keys = { lib.API_KEY }, lua = "lua5.4",
    quota = 120 * total }
  base = emu.url
end

-- the round ends when every job's status was asked once (a bulk request asks for many)
local polled, asked, errors, first_error, round_done = 0, 0, 0, nil, nil
local hg = heygen.client {
  api_key = lib.API_KEY, base_url = base, api = mode == "v3" and "v3" or "v2", user_agent = "heygen-lua/bench",
  poll_budget = budget, max_retries = 0,
  poll = { initial = 3600, factor = 1, max = 3600 }, -- one round only while we measure
  trace = function(event)
    polled = polled + 1
    if event.status ~= 200 then
      errors = errors + 1
      first_error = first_error or tostring(event.error or event.status)
    end
    local ids = event.url:match("video_ids=([^&]*)")
    asked = asked + (ids and select(2, ids:gsub("%%2C", "")) + 1 or 1)
    if asked == total and not round_done then round_done = lib.now() end
  end,
}

local jobs = {}
lib.full_gc()
local rss_empty = lib.rss_kb() -- v3: before its jobs are made, so their objects count too
if mode == "v3" then
  local avatar, voice = "Abigail_expressive_2024112501", "1bd001e7e50f421d891986aad5158bc8"
  heygen.run(function()
    local tasks = {}
    for w = 1, 32 do
      tasks[w] = heygen.spawn(function()
        for i = w, total, 32 do
          jobs[i] = assert(hg:create_video { type = "avatar", avatar_id = avatar, voice_id = voice,
            script = "Job " .. i .. " of the bench." })
        end
      end)
    end
    for _, t in ipairs(tasks) do t:wait() end
  end)
  assert(jobs[1]:refresh())
else
  assert(hg:job("video", "warmup"):refresh())
end
polled, asked, round_done = 0, 0, nil
lib.full_gc()
local rss0, heap0 = lib.rss_kb(), collectgarbage("count")

local t0 = lib.now()
if mode ~= "v3" then
  for i = 1, total do jobs[i] = hg:job("video", string.format("%032x", i)) end
end
if mode == "all" or mode == "v3" then
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
  jobs = total, mode = mode, budget = budget, round_seconds = round, rps = total / round, requests = polled,
  errors = errors, first_error = first_error, peak_rss_kb = lib.peak_rss_kb(),
  -- (in mode v3 the jobs were made before the first reading: the RSS figure counts from before they were
  -- made, so it includes the job objects and their create answers; no heap figure)
  rss_growth_kb = emu == nil and rss1 - rss0 or rss1 - rss_empty,
  rss_per_job_kb = (emu == nil and (rss1 - rss0) or (rss1 - rss_empty)) / total,
  heap_per_job_kb = emu == nil and (heap1 - heap0) / total or nil, idle_cpu_share = idle_cpu,
}
if emu then emu:stop() end
os.exit(0) -- the jobs keep waiting; nothing else to clean up
