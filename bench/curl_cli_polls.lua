--- Baseline: one curl process per status poll, what shell scripts and
-- Neovim's plenary.curl do. The body is read from the pipe and decoded with
-- cjson, so the work per poll matches the other clients. With P > 1, P curl
-- processes run at once (started together, then read in turn).
--
--   lua5.4 bench/curl_cli_polls.lua URL N [P]
-- cpu: this process's CPU plus that of the curl processes it waited for.
local lib = require "lib"
local cjson = require "cjson"

local url, total, parallel = lib.arg(1), lib.arg(2, 100), lib.arg(3, 1)
local parts = { "curl", "-s" }
for _, h in ipairs(lib.HEADERS) do parts[#parts + 1] = "-H '" .. h[1] .. ": " .. h[2] .. "'" end
parts[#parts + 1] = "'" .. url .. "'"
local cmd = table.concat(parts, " ")

local function finish(p)
  local body = p:read("*a")
  p:close()
  local ok, doc = pcall(cjson.decode, body)
  return ok and doc.code == 100 and doc.data.status == "completed"
end

-- CPU seconds of the children waited for (cutime + cstime of /proc/self/stat, in clock ticks)
local function children_cpu()
  local stat = lib.read("/proc/self/stat") or ""
  local fields = {}
  for f in stat:gsub("^.*%) ", ""):gmatch("%S+") do fields[#fields + 1] = f end
  return ((tonumber(fields[14]) or 0) + (tonumber(fields[15]) or 0)) / 100
end

assert(finish(assert(io.popen(cmd, "r"))), "warm-up request failed")
local errors, done = 0, 0
local cpu0, child0, t0 = os.clock(), children_cpu(), lib.now()
while done < total do
  local batch = {}
  for i = 1, math.min(parallel, total - done) do batch[i] = assert(io.popen(cmd, "r")) end
  for _, p in ipairs(batch) do
    if not finish(p) then errors = errors + 1 end
    done = done + 1
  end
end
local secs = lib.now() - t0
lib.emit { requests = total, seconds = secs, rps = total / secs, errors = errors,
  cpu = os.clock() - cpu0 + children_cpu() - child0 }
