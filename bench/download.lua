--- A job's video downloaded to disk through job:download (streamed to a
-- .part file by heygen.core, renamed when complete). Reports throughput and
-- how much the peak RSS grew while downloading.
--
--   lua5.4 bench/download.lua BASE_URL OUT_PATH
-- BASE_URL serves a "completed" video_status.get whose video_url is the file.
local lib = require "lib"
local heygen = require "heygen"

local base, path = lib.arg(1), lib.arg(2)
local hg = heygen.client {
  api_key = lib.API_KEY, base_url = base, api = "v2", user_agent = "heygen-lua/bench", poll_budget = 0,
}
local job = hg:job("video", "bench-download")
assert(job:refresh() == "completed", "the fixture should answer completed")
os.remove(path)
lib.full_gc()
local reset = lib.reset_peak()
local rss0, peak0 = lib.rss_kb(), lib.peak_rss_kb()
local t0 = lib.now()
local out, err = job:download(path)
local secs = lib.now() - t0
local peak1 = lib.peak_rss_kb()
local f = io.open(path, "rb")
local size = f and f:seek("end") or 0
if f then f:close() end
os.remove(path)
lib.emit {
  ok = out == path, error = err and tostring(err) or nil, bytes = size, seconds = secs,
  mb_per_s = size / secs / 1e6, peak_growth_kb = peak1 - (reset and rss0 or peak0),
}
