--- How long one heygen.step(0) can hold a frame loop: N tasks make requests
-- over HTTPS (each connects, verifies the server against a CA bundle, asks a
-- few times) or download a file, while the "host" calls step(0) every 2 ms
-- as a game would each frame. Reports the worst and the 99th-percentile step,
-- and the whole run's time.
--
--   lua5.4 bench/step_work.lua URL CAINFO JOBS MODE [REQUESTS]
-- MODE: "connect" (REQUESTS small GETs of URL per job, default 3) or
-- "download" (one GET of URL per job, streamed to a temporary file).
local lib = require "lib"
local heygen = require "heygen"
local scheduler = require "heygen.scheduler"
local core = require "heygen.core"

local url, cainfo, jobs, mode, per_job = lib.arg(1), lib.arg(2), lib.arg(3, 4), lib.arg(4, "connect"),
  lib.arg(5, 3)

local failures, bytes, files = 0, 0, {}
local t_start = core.now()
for i = 1, jobs do
  heygen.spawn(function()
    if mode == "download" then
      files[i] = os.tmpname()
      local rec = scheduler.request { url = url, cainfo = cainfo, file = files[i], details = false }
      if rec.code ~= 0 or rec.status ~= 200 then failures = failures + 1 end
      bytes = bytes + (rec.file_bytes or 0)
    else
      for _ = 1, per_job do
        local rec = scheduler.request { url = url, cainfo = cainfo, details = false }
        if rec.code ~= 0 or rec.status ~= 200 then failures = failures + 1 end
        bytes = bytes + #rec.body
      end
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
for _, f in pairs(files) do os.remove(f) end
table.sort(steps)
lib.emit {
  jobs = jobs, mode = mode, failures = failures, bytes = bytes, steps = #steps, seconds = total,
  worst_ms = steps[#steps] * 1000, p99_ms = steps[math.max(1, math.floor(#steps * 0.99))] * 1000,
}
