--- Per-request time of N sequential GETs driven by heygen.uv on a luv loop
-- (what a Neovim plugin gets), against the same requests blocking, in one run;
-- and the largest gap of the host's 10 ms timer meanwhile.
--
--   lua5.4 bench/uv_requests.lua URL CAINFO [N]
local lib = require "lib"
local uv = require "luv"
local heygen = require "heygen"
local scheduler = require "heygen.scheduler"
local hguv = require "heygen.uv"
local core = require "heygen.core"

local url, cainfo, n = lib.arg(1), lib.arg(2), lib.arg(3, 50)
local function get() local rec = scheduler.request { url = url, cainfo = cainfo, details = false } assert(rec.code == 0) end

get() -- connected, CA store loaded
local t0 = core.now()
for _ = 1, n do get() end
local blocking = (core.now() - t0) / n

local ticks, gap = uv.new_timer(), 0
local last = core.now()
ticks:start(10, 10, function() local now = core.now() gap = math.max(gap, now - last) last = now end)
hguv.attach(uv)
local on_loop
hguv.run(function()
  local t1 = core.now()
  for _ = 1, n do get() end
  on_loop = (core.now() - t1) / n
end, function() ticks:stop() ticks:close() end)
uv.run("default")
hguv.detach()
uv.run("nowait")
lib.emit { n = n, blocking_ms = blocking * 1000, uv_ms = on_loop * 1000, ratio = on_loop / blocking,
  max_gap_ms = gap * 1000, pending = heygen.pending() }
