--- Soak: 100,000 requests and 10,000 jobs through the emulator, in ten equal rounds,
-- with this process's RSS and Lua heap sampled after each round (after a full GC).
-- Memory must stay flat: the second half's mean RSS may exceed the first half's by
-- at most max(4 MB, 10%). Every request must succeed. Exits 1 otherwise.
--
--   LUA_PATH="lua/?.lua;lua/?/init.lua;bench/?.lua;;" LUA_CPATH="build/?.so;;" \
--     lua5.4 bench/soak.lua [REQUESTS] [JOBS]
local lib = require "lib"
local heygen = require "heygen"
local emulator = require "heygen.emulator"

local TOTAL_REQUESTS, TOTAL_JOBS = lib.arg(1, 100000), lib.arg(2, 10000)
local ROUNDS, WORKERS = 10, 16
local ALLOWED_KB, ALLOWED_RATIO = 4096, 0.10
local SCENE = { {
  character = { type = "avatar", avatar_id = "Abigail_expressive_2024112501" },
  voice = { type = "text", voice_id = "1bd001e7e50f421d891986aad5158bc8", input_text = "soak" } } }

local emu = emulator.spawn { lua = os.getenv("HEYGEN_EMULATOR_LUA") or "lua5.4", time_scale = 1e6,
  api_keys = { lib.API_KEY } }
emu:config { log_limit = 1000 } -- the emulator's own log must not be what grows

local sent, failures, first_failure = 0, 0, nil
local hg = heygen.client {
  api_key = lib.API_KEY, api = "v2", base_url = emu.url, max_retries = 0, poll_budget = 0,
  poll = { initial = 0.005, factor = 1, max = 0.005 },
  trace = function(event)
    sent = sent + 1
    if event.error then
      failures = failures + 1
      first_failure = first_failure or event.error
    end
  end,
}

-- Run `count` units of work(i) on WORKERS tasks and wait for all of them.
local function in_workers(count, work)
  local next_i, tasks = 0, {}
  for w = 1, WORKERS do
    tasks[w] = heygen.spawn(function()
      while next_i < count do
        next_i = next_i + 1
        work(next_i)
      end
    end)
  end
  heygen.run(function() for _, t in ipairs(tasks) do t:wait() end end)
end

-- One round: its share of jobs (create, wait), then plain GETs up to its share of
-- requests (status reads of the round's jobs and quota reads, alternating).
local function round()
  local start, ids = sent, {}
  local jobs = math.floor(TOTAL_JOBS / ROUNDS)
  in_workers(jobs, function(i)
    local job = assert(hg:create_video { video_inputs = SCENE, test = true })
    assert(job:wait { timeout = 60 })
    ids[i] = job.id
  end)
  local rest = math.floor(TOTAL_REQUESTS / ROUNDS) - (sent - start)
  in_workers(rest, function(i)
    if i % 2 == 0 then assert(hg:video_status(ids[i % #ids + 1])) else assert(hg:remaining_quota()) end
  end)
  return sent - start, jobs
end

local samples = {}
local t0 = lib.now()
local ok, err = pcall(function()
  for r = 1, ROUNDS do
    local requests, jobs = round()
    lib.full_gc()
    samples[r] = { rss = lib.rss_kb(), heap = math.floor(collectgarbage("count")) }
    print(string.format("round %2d: %6d requests, %5d jobs, rss %6d KB, lua heap %6d KB, %.1fs",
      r, requests, jobs, samples[r].rss, samples[r].heap, lib.now() - t0))
  end
end)
emu:stop()
if not ok then
  print("soak: FAILED: " .. tostring(err))
  os.exit(1)
end

local function mean(from, to, field)
  local s = 0
  for i = from, to do s = s + samples[i][field] end
  return s / (to - from + 1)
end
local half = ROUNDS / 2
local first, second = mean(1, half, "rss"), mean(half + 1, ROUNDS, "rss")
local growth = second - first
local allowed = math.max(ALLOWED_KB, first * ALLOWED_RATIO)
print(string.format("soak: %d requests, %d jobs in %.1fs; rss mean first half %.0f KB, second half %.0f KB "
  .. "(%+.0f KB, allowed %+.0f KB); lua heap %.0f -> %.0f KB; %d failed requests",
  sent, TOTAL_JOBS, lib.now() - t0, first, second, growth, allowed,
  mean(1, half, "heap"), mean(half + 1, ROUNDS, "heap"), failures))
if failures > 0 then print("soak: FAILED: a request failed: " .. tostring(first_failure)) os.exit(1) end
if sent < TOTAL_REQUESTS then print("soak: FAILED: only " .. sent .. " requests") os.exit(1) end
if growth > allowed then print("soak: FAILED: RSS grew in the second half") os.exit(1) end
print("soak: ok, memory flat")
