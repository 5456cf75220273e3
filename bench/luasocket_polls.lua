--- Baseline: status polls with luasocket's socket.http, the usual Lua choice
-- (a new connection per request: socket.http does not keep connections
-- alive), the body decoded with cjson and its status read, one at a time.
--
-- An https URL goes through LuaSec's ssl.https (the same socket.http code over
-- TLS, a handshake per request), verifying the server against CAFILE.
--
--   lua5.4 bench/luasocket_polls.lua URL N [CAFILE]
local lib = require "lib"
local http = require "socket.http"
local ltn12 = require "ltn12"
local cjson = require "cjson"

local url, total, cafile = lib.arg(1), lib.arg(2, 1000), arg[3]
local tls = url:match("^https://") ~= nil
if tls then
  -- LuaSec writes the request line and the headers as separate TLS records: with
  -- Nagle's algorithm on (the default) every request then waits ~40 ms for a
  -- delayed ACK. The baseline gets its best case: TCP_NODELAY on its sockets.
  -- (socket.tcp makes its descriptor at connect; tcp4 at once, so the option can be set)
  local socket = require "socket"
  socket.tcp = function()
    local sock, err = socket.tcp4()
    if sock then assert(sock:setoption("tcp-nodelay", true)) end
    return sock, err
  end
  http = require "ssl.https"
end
local headers = {}
for _, h in ipairs(lib.HEADERS) do headers[h[1]:lower()] = h[2] end

local function poll()
  local chunks = {}
  local ok, code = http.request { url = url, headers = headers, sink = ltn12.sink.table(chunks),
    verify = tls and "peer" or nil, cafile = cafile }
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
