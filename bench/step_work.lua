--- How long one heygen.step(0) can hold a frame loop: N tasks make requests
-- over HTTPS (each connects, verifies the server against a CA bundle, asks a
-- few times) or download a file, while the "host" calls step(0) every 2 ms
-- as a game would each frame. Reports the worst and the 99th-percentile step,
-- and the whole run's time.
--
--   lua5.4 bench/step_work.lua URL CAINFO JOBS MODE [REQUESTS] [FILE_URL]
-- MODE: "connect" (REQUESTS small GETs of URL per job, default 3),
-- "download" (one GET of URL per job, streamed to a temporary file), or
-- "job" (every job makes REQUESTS GETs of URL while the first one also
-- streams FILE_URL to a temporary file: jobs connect and poll during a download).
local lib = require "lib"
local heygen = require "heygen"
local scheduler = require "heygen.scheduler"
local core = require "heygen.core"

local url, cainfo, jobs, mode, per_job, file_url = lib.arg(1), lib.arg(2), lib.arg(3, 4), lib.arg(4, "connect"),
  lib.arg(5, 3), lib.arg(6)

local failures, bytes, files = 0, 0, {}
-- the CA store parsed at setup, as heygen.client{} does for an https:// URL (not in a frame)
if url:find("^https://") then assert(heygen.prepare_tls(cainfo)) end
local t_start = core.now()
for i = 1, jobs do
  heygen.spawn(function()
    if mode == "job" and i == 1 then
      heygen.spawn(function()
        files[0] = os.tmpname() .. ".part"
        local rec = scheduler.request { url = file_url, cainfo = cainfo, file = files[0], details = false }
        if rec.code ~= 0 or rec.status ~= 200 then failures = failures + 1 end
        bytes = bytes + (rec.file_bytes or 0)
      end)
    end
    if mode ~= "download" then
      for _ = 1, per_job do
        local rec = scheduler.request { url = url, cainfo = cainfo, details = false }
        if rec.code ~= 0 or rec.status ~= 200 then failures = failures + 1 end
        bytes = bytes + #rec.body
      end
    end
    if mode == "download" then
      files[i] = os.tmpname() .. ".part" -- a new file, as job:download makes (truncating an
      -- existing one makes ext4 flush it at close: ~20 ms in that step)
      local rec = scheduler.request { url = url, cainfo = cainfo, file = files[i], details = false }
      if rec.code ~= 0 or rec.status ~= 200 then failures = failures + 1 end
      bytes = bytes + (rec.file_bytes or 0)
    end
  end)
end

local steps = {}
while heygen.pending() > 0 do
  local t0 = core.now()
  heygen.step(0)
  steps[#steps + 1] = core.now() - t0
  core.sleep(0.002)
end
local total = core.now() - t_start
for _, f in pairs(files) do os.remove(f) os.remove((f:gsub('%.part$', ''))) end
table.sort(steps)
lib.emit {
  jobs = jobs, mode = mode, failures = failures, bytes = bytes, steps = #steps, seconds = total,
  worst_ms = steps[#steps] * 1000, p99_ms = steps[math.max(1, math.floor(#steps * 0.99))] * 1000,
}
