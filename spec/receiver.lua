-- A webhook receiver for the specs: a luasocket server in the test process that accepts
-- one POST at a time and answers it with a chosen status.
--
--   local receiver = require "receiver"
--   local r = receiver.new()              -- listening on 127.0.0.1, a free port
--   receiver.new{tls = {certificate = PEM, key = PEM}}   speaks HTTPS (luasec)
--   r.url, r.https_url                    -- "http://127.0.0.1:P", "https://127.0.0.1:P"
--   r:next(timeout, status) -> {method, path, target, headers (lower-case), body} | nil
--   r:collect(seconds, status) -> every request arriving within `seconds`
--   r:silent(timeout) -> a client accepted and never answered (close it yourself)
--   r:close()
--   receiver.closed_port() -> a port nothing listens on
local socket = require "socket"

local M = {}

local Receiver = {}
Receiver.__index = Receiver

local REASONS = {[200] = "OK", [204] = "No Content", [500] = "Internal Server Error", [503] = "Service Unavailable"}

-- Reads one request from a connected client (blocking, with the socket's timeout).
local function read_request(c)
  local line, err = c:receive("*l")
  if not line then return nil, err end
  local method, target = line:match("^(%S+) (%S+) HTTP/%d%.%d$")
  local req = {method = method, target = target, path = target and target:match("^[^?]*"), headers = {}}
  while true do
    local h = c:receive("*l")
    if not h or h == "" then break end
    local name, value = h:match("^([^:]+):%s*(.-)%s*$")
    if name then req.headers[name:lower()] = value end
  end
  local n = tonumber(req.headers["content-length"] or "0") or 0
  req.body = n > 0 and c:receive(n) or ""
  return req
end

--- The next request, answered with `status` (default 200); nil, "timeout" when none came.
function Receiver:next(timeout, status)
  self.server:settimeout(timeout or 5)
  local c = self.server:accept()
  if not c then return nil, "timeout" end
  c:settimeout(5)
  if self.tls then
    c = assert(require("ssl").wrap(c, self.tls))
    c:settimeout(5)
    local ok, err = c:dohandshake()
    if not ok then
      c:close()
      return nil, "TLS handshake: " .. tostring(err)
    end
  end
  local req = read_request(c)
  status = status or 200
  local body = '{"ok":true}'
  c:send("HTTP/1.1 " .. status .. " " .. (REASONS[status] or "Status") .. "\r\nContent-Type: application/json\r\n"
         .. "Content-Length: " .. #body .. "\r\nConnection: close\r\n\r\n" .. body)
  c:close()
  self.seen[#self.seen + 1] = req
  return req
end

--- Accepts the next connection and reads nothing, answers nothing: a hung receiver.
function Receiver:silent(timeout)
  self.server:settimeout(timeout or 5)
  return self.server:accept()
end

--- Every request arriving within `seconds`, each answered with `status`.
function Receiver:collect(seconds, status)
  local out, deadline = {}, socket.gettime() + seconds
  while true do
    local left = deadline - socket.gettime()
    if left <= 0 then break end
    local req = self:next(left, status)
    if req then out[#out + 1] = req end
  end
  return out
end

function Receiver:close()
  if self.server then self.server:close() end
  self.server = nil
end

function M.new(opts)
  local server = assert(socket.bind("127.0.0.1", 0))
  local _, port = server:getsockname()
  port = tonumber(port)
  local tls
  if opts and opts.tls then
    tls = assert(require("ssl").newcontext({mode = "server", protocol = "any", options = {"all"},
                                            certificate = opts.tls.certificate, key = opts.tls.key}))
  end
  return setmetatable({server = server, port = port, url = "http://127.0.0.1:" .. port,
                       https_url = "https://127.0.0.1:" .. port, seen = {}, tls = tls}, Receiver)
end

--- A loopback port with no listener (bound, then closed).
function M.closed_port()
  local s = assert(socket.bind("127.0.0.1", 0))
  local _, port = s:getsockname()
  s:close()
  return tonumber(port)
end

return M
