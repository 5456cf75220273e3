-- luacheck: read globals vim
--- Runs inside `nvim --headless` (bench/main.lua starts it): a 10 ms editor
-- timer records when it fires while JOBS jobs connect and poll over HTTPS
-- (REQUESTS GETs each) and the first also downloads FILE_URL, driven either by
-- heygen.uv ("heygen") or by spawning a curl process per request ("spawn", what
-- plenary.curl and vim.system do; bodies decoded with vim.json). "requests":
-- REQUESTS sequential GETs through heygen.uv, ms per request. "idle": JOBS
-- requests wait on a server that never answers; Neovim's CPU over 2 s.
-- Writes a RESULT line to $BENCH_OUT, then quits.
--
-- Environment: BENCH_ROOT, BENCH_CPATH, BENCH_MODE, BENCH_URL, BENCH_FILE_URL,
-- BENCH_CAINFO, BENCH_JOBS, BENCH_REQUESTS, BENCH_OUT.
local env = function(name) return os.getenv("BENCH_" .. name) end
local root = env("ROOT")
package.path = root .. "/lua/?.lua;" .. root .. "/lua/?/init.lua;" .. root .. "/bench/?.lua;" .. package.path
package.cpath = env("CPATH") .. "/?.so;" .. package.cpath
local uv = vim.loop
local lib = require "lib"
local core = require "heygen.core"
local heygen = require "heygen"
local scheduler = require "heygen.scheduler"
local hguv = require "heygen.uv"

local mode, url, file_url, cainfo = env("MODE"), env("URL"), env("FILE_URL"), env("CAINFO")
local jobs, per_job = tonumber(env("JOBS")) or 1, tonumber(env("REQUESTS")) or 3

-- the CA store parsed at setup (a plugin's setup; heygen.client{} does it for https:// URLs)
if cainfo and cainfo ~= "" and mode ~= "spawn" then assert(heygen.prepare_tls(cainfo)) end
local ticks, last, gap = uv.new_timer(), core.now(), 0
ticks:start(10, 10, function() local now = core.now() gap = math.max(gap, now - last) last = now end)

local downloads = {} -- removed once measured: deleting 100 MB costs ~20 ms wherever it runs

local function finish(result)
  ticks:stop()
  gap = math.max(gap, core.now() - last)
  for _, f in ipairs(downloads) do os.remove(f) os.remove((f:gsub("%.part$", ""))) end
  result.mode, result.jobs, result.max_gap_ms = mode, jobs, gap * 1000
  local f = assert(io.open(env("OUT"), "w"))
  f:write("RESULT ", lib.encode(result), "\n")
  f:close()
  vim.cmd("qall!")
end

local failures, started, left = 0, core.now(), jobs
local function job_done()
  left = left - 1
  if left == 0 then finish { failures = failures, seconds = core.now() - started } end
end

local function heygen_load()
  hguv.attach(uv)
  local function get(u, file)
    local rec = scheduler.request { url = u, cainfo = cainfo, file = file, details = false }
    if rec.code ~= 0 or rec.status ~= 200 then failures = failures + 1 end
    if not file and not pcall(core.json_decode, rec.body) then failures = failures + 1 end
  end
  for i = 1, jobs do
    hguv.run(function()
      local out = i == 1 and os.tmpname() .. ".part"
      local download = out and heygen.spawn(get, file_url, out)
      downloads[#downloads + 1] = out or nil
      for _ = 1, per_job do get(url) end
      if download then download:wait() end
    end, job_done)
  end
end

local function spawn_load()
  local base = { "-s", "--cacert", cainfo, "-H", "Accept: application/json", "-H", "User-Agent: heygen-lua/bench",
    "-H", "X-Api-Key: " .. lib.API_KEY }
  local function curl(extra, on_exit)
    local args = {}
    for i, a in ipairs(base) do args[i] = a end
    for _, a in ipairs(extra) do args[#args + 1] = a end
    local out, chunks = uv.new_pipe(false), {}
    local handle
    handle = uv.spawn("curl", { args = args, stdio = { nil, out, nil } }, function(code)
      handle:close()
      vim.schedule(function() on_exit(code, table.concat(chunks)) end)
    end)
    out:read_start(function(_, data) if data then chunks[#chunks + 1] = data else out:close() end end)
  end
  for i = 1, jobs do
    local waiting = i == 1 and 2 or 1
    local function one_done() waiting = waiting - 1 if waiting == 0 then job_done() end end
    if i == 1 then
      local file = os.tmpname() .. ".part"
      downloads[#downloads + 1] = file
      curl({ "-o", file, file_url }, function(code)
        if code ~= 0 then failures = failures + 1 end
        one_done()
      end)
    end
    local n = 0
    local function poll()
      curl({ url }, function(code, body)
        if code ~= 0 or not pcall(vim.json.decode, body) then failures = failures + 1 end
        n = n + 1
        if n < per_job then poll() else one_done() end
      end)
    end
    poll()
  end
end

local function requests()
  hguv.attach(uv)
  local function get() assert(scheduler.request { url = url, cainfo = cainfo, details = false }.code == 0) end
  hguv.run(function()
    get() -- connected, CA store loaded
    local t0 = core.now()
    for _ = 1, per_job do get() end
    return (core.now() - t0) / per_job
  end, function(ok, per) finish { ok = ok, requests = per_job, ms_per_request = ok and per * 1000 or nil } end)
end

local function idle()
  hguv.attach(uv)
  local silent = uv.new_tcp()
  silent:bind("127.0.0.1", 0)
  local held = {}
  silent:listen(128, function()
    local c = uv.new_tcp()
    silent:accept(c)
    held[#held + 1] = c -- accepted, never answered
  end)
  local port = silent:getsockname().port
  for _ = 1, jobs do
    hguv.run(function() scheduler.request { url = "http://127.0.0.1:" .. port .. "/", timeout = 60 } end)
  end
  local t = uv.new_timer()
  t:start(500, 0, function() -- connected and waiting by now
    local r0, w0 = uv.getrusage(), core.now()
    t:start(2000, 0, function()
      local r1 = uv.getrusage()
      local function secs(r) return r.utime.sec + r.utime.usec / 1e6 + r.stime.sec + r.stime.usec / 1e6 end
      vim.schedule(function()
        finish { cpu_share = (secs(r1) - secs(r0)) / (core.now() - w0), connections = #held,
          pending = heygen.pending() }
      end)
    end)
  end)
end

local run = { heygen = heygen_load, spawn = spawn_load, requests = requests, idle = idle }
assert(run[mode], "BENCH_MODE: heygen, spawn, requests or idle")()
