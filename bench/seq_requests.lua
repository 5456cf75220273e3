--- Per-request time of N sequential GETs through the scheduler, blocking (the
-- heygen-lua side of the "inside Neovim" comparison; bench/nvim_host.lua
-- "requests" makes the same GETs through heygen.uv).
--
--   heygen-lua bench/seq_requests.lua URL CAINFO N
local lib = require "lib"
local scheduler = require "heygen.scheduler"
local core = require "heygen.core"

local url, cainfo, n = lib.arg(1), lib.arg(2), lib.arg(3, 1000)
local function get() assert(scheduler.request { url = url, cainfo = cainfo, details = false }.code == 0) end
get() -- connected, CA store loaded
local t0 = core.now()
for _ = 1, n do get() end
lib.emit { requests = n, ms_per_request = (core.now() - t0) / n * 1000 }
