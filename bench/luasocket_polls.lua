--- Baseline: status polls with luasocket's socket.http, the usual Lua choice
-- (a new connection per request: socket.http does not keep connections
-- alive), the body decoded with cjson and its status read, one at a time.
--
--   lua5.4 bench/luasocket_polls.lua URL N
local lib = require "lib"
local http = require "socket.http"
local ltn12 = require "ltn12"
local cjson = require "cjson"

local url, total = lib.arg(1), lib.arg(2, 1000)
local headers = {}
for _, h in ipairs(lib.HEADERS) do headers[h[1]:lower()] = h[2] end

local function poll()
  local chunks = {}
  local ok, code = http.request { url = url, headers = headers, sink = ltn12.sink.table(chunks) }
  if not ok or code ~= 200 then return false end
  local doc = cjson.decode(table.concat(chunks))
  return doc.code == 100 and doc.data.status == "completed"
end

assert(poll(), "warm-up request failed")
local errors = 0
local cpu0, t0 = os.clock(), lib.now()
for _ = 1, total do
  if not poll() then errors = errors + 1 end
end
local secs = lib.now() - t0
lib.emit { requests = total, seconds = secs, rps = total / secs, cpu = os.clock() - cpu0, errors = errors }
