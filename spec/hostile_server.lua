-- A hostile HTTP server for the specs: a luasocket child process that answers each
-- request with the next answer of a script, whatever the request asked (it ignores
-- Range and If-Range, lies in its headers, cuts bodies short), and logs what it got.
--
--   local hostile = require "hostile_server"
--   local srv = hostile.start {              -- answers in order; the last one repeats
--     { status = 200, headers = { ETag = '"a"' }, body = ("a"):rep(1000), cut = 400 },
--     { status = 206, headers = { ETag = '"b"', ["Content-Range"] = "bytes 400-999/1000" },
--       body = ("b"):rep(600) },
--   }
--   srv.url                                  -- "http://127.0.0.1:PORT"
--   srv:requests()                           -- {{method, path, headers (lower-case)}, ...}
--   srv:stop()
--
-- An answer: status, headers, body, and cut = N (announce the whole body, send N bytes,
-- close). Content-Length is set from the body unless the headers give one.
local M = {}

local function q(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end

-- The server itself, run as `lua5.4 hostile_server.lua SCRIPT.json LOG PORTFILE`.
local function serve(script_path, log_path, port_path)
  local socket = require "socket"
  local cjson = require "cjson"
  local f = assert(io.open(script_path, "rb"))
  local script = cjson.decode(f:read("*a"))
  f:close()
  local server = assert(socket.bind("127.0.0.1", 0))
  local _, port = server:getsockname()
  f = assert(io.open(port_path .. ".tmp", "w"))
  f:write(port)
  f:close()
  os.rename(port_path .. ".tmp", port_path)
  local n = 0
  while true do
    local c = server:accept()
    if c then
      c:settimeout(5)
      local line = c:receive("*l")
      local req = { headers = {} }
      if line then req.method, req.path = line:match("^(%S+) (%S+)") end
      while true do
        local h = c:receive("*l")
        if not h or h == "" then break end
        local name, value = h:match("^([^:]+):%s*(.-)%s*$")
        if name then req.headers[name:lower()] = value end
      end
      local len = tonumber(req.headers["content-length"] or "0") or 0
      if len > 0 then c:receive(len) end
      local log = io.open(log_path, "a")
      log:write(cjson.encode(req), "\n")
      log:close()
      n = n + 1
      local a = script[math.min(n, #script)]
      local body = a.body or ""
      local head = { "HTTP/1.1 " .. a.status .. " X" }
      local has_length = false
      for k, v in pairs(a.headers or {}) do
        head[#head + 1] = k .. ": " .. v
        if k:lower() == "content-length" then has_length = true end
      end
      if not has_length then head[#head + 1] = "Content-Length: " .. #body end
      head[#head + 1] = "Connection: close"
      c:send(table.concat(head, "\r\n") .. "\r\n\r\n" .. (a.cut and body:sub(1, a.cut) or body))
      c:close()
    end
  end
end

if arg and arg[0] and arg[0]:match("hostile_server%.lua$") and arg[1] then
  serve(arg[1], arg[2], arg[3])
  return
end

local Server = {}
Server.__index = Server

function Server:requests()
  local out = {}
  local cjson = require "cjson"
  local f = io.open(self.log, "rb")
  if not f then return out end
  for line in f:lines() do out[#out + 1] = cjson.decode(line) end
  f:close()
  return out
end

function Server:stop()
  if self.pid then os.execute("kill " .. self.pid .. " 2>/dev/null") end
  self.pid = nil
  os.remove(self.script)
  os.remove(self.log)
  os.remove(self.portfile)
end

--- Start a server with a script of answers (see above).
function M.start(answers)
  local cjson = require "cjson"
  local base = os.tmpname()
  local self = setmetatable({ script = base .. ".json", log = base .. ".log", portfile = base .. ".port" }, Server)
  os.remove(base)
  local f = assert(io.open(self.script, "wb"))
  f:write(cjson.encode(answers))
  f:close()
  local me = assert(package.searchpath("hostile_server", package.path))
  local p = io.popen(string.format("lua5.4 %s %s %s %s >/dev/null 2>&1 & echo $!", q(me), q(self.script),
    q(self.log), q(self.portfile)))
  self.pid = tonumber(p:read("*a"))
  p:close()
  local socket = require "socket"
  local deadline = socket.gettime() + 10
  while socket.gettime() < deadline do
    local pf = io.open(self.portfile)
    if pf then
      self.port = tonumber(pf:read("*a"))
      pf:close()
      if self.port then break end
    end
    socket.sleep(0.02)
  end
  assert(self.port, "hostile server did not start")
  self.url = "http://127.0.0.1:" .. self.port
  return self
end

return M
