--- What a game or editor pays per frame: the cost of one heygen.step(0) with
-- N jobs pending (each has had its status read once and now waits for its
-- next poll, an hour away, under heygen.all), over CALLS calls.
--
--   lua5.4 bench/step_cost.lua BASE_URL N CALLS
-- BASE_URL serves a "processing" video_status.get.
local lib = require "lib"
local heygen = require "heygen"

local base, total, calls = lib.arg(1), lib.arg(2, 1000), lib.arg(3, 20000)
local asked, errors = 0, 0
local hg = heygen.client {
  api_key = lib.API_KEY, base_url = base, api = "v2", user_agent = "heygen-lua/bench", poll_budget = 0,
  max_retries = 0, poll = { initial = 3600, factor = 1, max = 3600 },
  trace = function(event)
    asked = asked + 1
    if event.status ~= 200 then errors = errors + 1 end
  end,
}
local jobs = {}
for i = 1, total do jobs[i] = hg:job("video", string.format("%032x", i)) end
if total > 0 then heygen.spawn(heygen.all, jobs) end
while asked < total do heygen.step(1) end
heygen.step(0)
lib.full_gc()

local now, step = lib.now, heygen.step
local times = {}
local cpu0, t0 = os.clock(), now()
for i = 1, calls do
  local a = now()
  step(0)
  times[i] = now() - a
end
local wall, cpu = now() - t0, os.clock() - cpu0
table.sort(times)
lib.emit {
  jobs = total, calls = calls, pending = heygen.pending(), errors = errors,
  median_ms = times[math.max(1, calls // 2)] * 1000, p99_ms = times[math.max(1, math.floor(calls * 0.99))] * 1000,
  worst_ms = times[calls] * 1000, cpu_per_call_us = cpu / calls * 1e6, wall_per_call_us = wall / calls * 1e6,
}
os.exit(0)
