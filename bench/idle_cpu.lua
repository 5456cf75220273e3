--- CPU spent by a job waiting between polls: one job in job:wait (blocking
-- caller) and the same job in a task driven by heygen.step, as a game loop
-- would. Reports CPU seconds per second of waiting and loop wake-ups per
-- second (context switches), net of the polls themselves.
--
--   lua5.4 bench/idle_cpu.lua BASE_URL SECONDS
-- BASE_URL serves a "processing" video_status.get, so the job keeps waiting.
local lib = require "lib"
local heygen = require "heygen"

local base, seconds = lib.arg(1), lib.arg(2, 3)
local hg = heygen.client {
  api_key = lib.API_KEY, base_url = base, api = "v2", user_agent = "heygen-lua/bench", poll_budget = 0,
  poll = { initial = 1, factor = 1, max = 1 },
}
assert(hg:job("video", "warmup"):refresh())

local function switches()
  return (lib.proc_kb("voluntary_ctxt_switches") or 0) + (lib.proc_kb("nonvoluntary_ctxt_switches") or 0)
end

local function measure(run)
  local cpu0, t0, sw0 = os.clock(), lib.now(), switches()
  local polls = run()
  local wall = lib.now() - t0
  return { cpu_per_s = (os.clock() - cpu0) / wall, wakeups_per_s = (switches() - sw0) / wall, polls = polls, wall = wall }
end

-- a blocking caller: job:wait drives the loop itself between polls
local blocking = measure(function()
  local job = hg:job("video", "idle-blocking")
  local _, err = job:wait { timeout = seconds }
  assert(err and err.kind == "timeout", "the job should still be processing")
  return job._state.polls
end)

-- a host loop calling heygen.step(timeout) while the job waits in a task
local stepped = measure(function()
  local job = hg:job("video", "idle-task")
  local task = heygen.spawn(function() return job:wait { timeout = seconds } end)
  while not task:done() do heygen.step(0.25) end
  return job._state.polls
end)

lib.emit {
  seconds = seconds,
  blocking_cpu_per_s = blocking.cpu_per_s, blocking_wakeups_per_s = blocking.wakeups_per_s,
  blocking_polls = blocking.polls,
  step_cpu_per_s = stepped.cpu_per_s, step_wakeups_per_s = stepped.wakeups_per_s, step_polls = stepped.polls,
}
