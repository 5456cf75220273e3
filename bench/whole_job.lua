--- The whole job, as each client does it: create a v3 video in the emulator
-- (its clock TIME_SCALE x, its file padded to SIZE bytes), poll until it is done,
-- download it. Runs the client as a child process and reports the child's
-- CPU (user + system, process start included), wall time, the requests the
-- emulator logged, and whether OUT holds the file's bytes.
--
--   lua5.4 bench/whole_job.lua CLIENT SIZE TIME_SCALE -- COMMAND...
-- COMMAND is run with BASE_URL API_KEY OUT appended.
local lib = require "lib"

local client, size, scale = lib.arg(1), lib.arg(2, 5 * 1048576), lib.arg(3, 30)
assert(arg[4] == "--", "usage: whole_job.lua CLIENT SIZE TIME_SCALE -- COMMAND...")
local words = {}
for i = 5, #arg do words[#words + 1] = lib.sh_quote(arg[i]) end

local key = "bench-whole-job-key"
local emu = require("heygen.emulator").spawn { time_scale = scale, api_keys = { key }, lua = "lua5.4" }
emu:next_job { size = size }
local out = os.tmpname()
local cmd = string.format("%s %s %s %s", table.concat(words, " "), lib.sh_quote(emu.url), lib.sh_quote(key),
  lib.sh_quote(out))
-- bash's `time` reads getrusage for the child (1 ms resolution; /proc's 10 ms ticks are too coarse)
local t0 = lib.now()
local p = assert(io.popen(string.format("bash -c %s 2>&1", lib.sh_quote(
  "TIMEFORMAT='CPU %3U %3S'; time { " .. cmd .. " >/dev/null 2>&1; echo EXIT $?; }")), "r"))
local text = p:read("*a")
p:close()
local secs = lib.now() - t0
local user, sys = text:match("CPU ([%d.]+) ([%d.]+)")
local ok = text:match("EXIT 0") ~= nil
local cpu = user and (tonumber(user) + tonumber(sys)) or nil
local got = lib.read(out) or ""
os.remove(out)
local requests = #emu:requests()
emu:stop()
lib.emit { client = client, ok = ok and #got == size, bytes = #got, seconds = secs, cpu = cpu,
  requests = requests }
