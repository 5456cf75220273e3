--- Baseline: one curl process per status poll, what shell scripts and
-- Neovim's plenary.curl do. The body is read from the pipe and decoded with
-- cjson, so the work per poll matches the other clients.
--
--   lua5.4 bench/curl_cli_polls.lua URL N
local lib = require "lib"
local cjson = require "cjson"

local url, total = lib.arg(1), lib.arg(2, 100)
local parts = { "curl", "-s" }
for _, h in ipairs(lib.HEADERS) do parts[#parts + 1] = "-H '" .. h[1] .. ": " .. h[2] .. "'" end
parts[#parts + 1] = "'" .. url .. "'"
local cmd = table.concat(parts, " ")

local function poll()
  local p = assert(io.popen(cmd, "r"))
  local body = p:read("*a")
  p:close()
  local ok, doc = pcall(cjson.decode, body)
  return ok and doc.code == 100 and doc.data.status == "completed"
end

assert(poll(), "warm-up request failed")
local errors = 0
local t0 = lib.now()
for _ = 1, total do
  if not poll() then errors = errors + 1 end
end
local secs = lib.now() - t0
lib.emit { requests = total, seconds = secs, rps = total / secs, errors = errors }
