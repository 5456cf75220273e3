-- heygen.emulator.httpd: a small HTTP/1.1 server on luasocket.
--
-- One coroutine per connection, multiplexed with socket.select. It knows nothing about
-- HeyGen: an `app` table supplies the behaviour.
--
--   app.on_headers(req) -> "reset" | nil   after the head, before the body is read
--   app.handle(req)     -> res             may call httpd.sleep(seconds) (yields)
--   app.log(req, status)                   before the answer is written (status nil: none)
--   app.tick(now) -> seconds | nil         once per loop turn; the answer bounds the next
--                                          select() wait (nil: the default second)
--
-- server:spawn(fn) runs fn(task) as a task: a coroutine like a connection's, with no socket of
-- its own, that may yield ("r" | "w", sock) or call httpd.sleep (outgoing requests, see
-- deliver.lua); server:wake(task, ...) ends its socket wait early, yield returning ....
--
-- req: {conn, method, target, path, query = {k = v}, headers = {lower-case = v},
--       version = "1.1", body = string, t = unix seconds}
-- res: {status, headers = {Name = value}, body = string
--        | stream = {size = N, read = function(offset, length) -> string}
--        | chunks = function() -> string | nil     (sent chunked; may sleep between),
--       ranges = true    honour Range on a 200 (206 / 416, Accept-Ranges; an If-Range that is
--                        not the answer's ETag or Last-Modified gets the whole body),
--       lie_206 = true   with ranges: answer a Range with 206 and the whole body from byte 0,
--       limit = N        send only N body bytes (Content-Length stays full), then close,
--       close = true     close after this answer,
--       abort = true     close without any answer,
--       on_sent = function()  called once the answer is written}
local socket = require "socket"

local M = {}

local READ_SIZE = 65536
local SEND_CHUNK = 262144
local SMALL_BODY = 65536
local MAX_HEAD = 65536
local SETSIZE = socket._SETSIZE or 1024
local MAX_CONNS = SETSIZE - 24  -- select() watches descriptors below SETSIZE only
local IDLE_TIMEOUT = 120
local TICK = 1.0                -- longest select() wait: sweeps and stop checks

M.MAX_CONNS = MAX_CONNS

local REASONS = {
  [100] = "Continue", [200] = "OK", [201] = "Created", [202] = "Accepted",
  [204] = "No Content", [206] = "Partial Content", [301] = "Moved Permanently",
  [302] = "Found", [303] = "See Other", [304] = "Not Modified",
  [307] = "Temporary Redirect", [308] = "Permanent Redirect", [400] = "Bad Request",
  [401] = "Unauthorized", [402] = "Payment Required", [403] = "Forbidden",
  [404] = "Not Found", [405] = "Method Not Allowed", [408] = "Request Timeout",
  [409] = "Conflict", [413] = "Payload Too Large", [416] = "Range Not Satisfiable",
  [422] = "Unprocessable Entity", [429] = "Too Many Requests", [431] = "Request Header Fields Too Large",
  [499] = "Client Closed Request", [500] = "Internal Server Error", [502] = "Bad Gateway",
  [503] = "Service Unavailable", [504] = "Gateway Timeout",
}

local yield = coroutine.yield
local now = socket.gettime

--- Stalls the calling connection for `seconds` without blocking the others.
--- Outside a server coroutine it simply sleeps.
function M.sleep(seconds)
  local co, main = coroutine.running()
  if co == nil or main then
    socket.sleep(seconds)
  else
    yield("t", now() + seconds)
  end
end

local function unescape(s)
  if not s:find("[%%+]") then return s end
  s = s:gsub("+", " ")
  return (s:gsub("%%(%x%x)", function(h) return string.char(tonumber(h, 16)) end))
end
M.unescape = unescape

function M.parse_query(qs)
  local q = {}
  if qs == nil or qs == "" then return q end
  for pair in qs:gmatch("[^&]+") do
    local k, v = pair:match("^([^=]*)=?(.*)$")
    k = unescape(k)
    if q[k] == nil then q[k] = unescape(v) end
  end
  return q
end

local date_cache, date_at = "", -1
local function http_date()
  local t = os.time()
  if t ~= date_at then date_at, date_cache = t, os.date("!%a, %d %b %Y %H:%M:%S GMT", t) end
  return date_cache
end

---------------------------------------------------------------------------------------
-- connection I/O (runs inside the connection's coroutine)

-- What a non-blocking call that must wait is told: luasocket says "timeout", a TLS
-- socket (luasec) "wantread" or "wantwrite"; the value is what to wait for (nil: the
-- reading or writing direction of the call).
local AGAIN = {timeout = false, wantread = "r", wantwrite = "w"}

-- Appends whatever the socket has to c.buf; false when the peer is gone.
local function fill(c)
  while true do
    local data, err, partial = c.sock:receive(READ_SIZE)
    data = data or partial
    if data and data ~= "" then
      if c.pos > #c.buf then c.buf = data else c.buf = c.buf:sub(c.pos) .. data end
      c.pos = 1
      return true
    end
    local again = AGAIN[err]
    if again == nil then return false end
    yield(again or "r", c.sock)
  end
end

local function read_exact(c, n)
  local avail = #c.buf - c.pos + 1
  if avail >= n then
    local s = c.buf:sub(c.pos, c.pos + n - 1)
    c.pos = c.pos + n
    return s
  end
  local parts = {c.buf:sub(c.pos)}
  local need = n - avail
  c.buf, c.pos = "", 1
  while need > 0 do
    local data, err, partial = c.sock:receive(need > 1048576 and 1048576 or need)
    data = data or partial
    if data and data ~= "" then
      parts[#parts + 1] = data
      need = need - #data
    elseif AGAIN[err] ~= nil then
      yield(AGAIN[err] or "r", c.sock)
    else
      return nil
    end
  end
  return table.concat(parts)
end

local function read_line(c)
  while true do
    local s, e = c.buf:find("\r\n", c.pos, true)
    if s then
      local line = c.buf:sub(c.pos, s - 1)
      c.pos = e + 1
      return line
    end
    if #c.buf - c.pos > MAX_HEAD or not fill(c) then return nil end
  end
end

local function send_all(c, data)
  local i, n = 1, #data
  while i <= n do
    local last, err, partial = c.sock:send(data, i)
    if last then return true end
    local again = AGAIN[err]
    if again == nil then return false end
    i = partial + 1
    yield(again or "w", c.sock)
  end
  return true
end

local function read_head(c)
  while true do
    local s, e = c.buf:find("\r\n\r\n", c.pos, true)
    if s then
      local head = c.buf:sub(c.pos, s - 1)
      c.pos = e + 1
      c.idle_since = nil
      head = head:gsub("^[\r\n]+", "")     -- stray CRLFs between requests
      if head ~= "" then return head end
    else
      if #c.buf - c.pos > MAX_HEAD then return nil, 431 end
      if c.pos > #c.buf then c.idle_since = c.idle_since or now() end
      if not fill(c) then return nil end
    end
  end
end

local function parse_head(head)
  local line, rest = head:match("^([^\r\n]*)\r?\n?(.*)$")
  local method, target, version = line:match("^(%S+) (%S+) HTTP/(%d%.%d)$")
  if not method then return nil end
  local headers = {}
  for name, value in rest:gmatch("([^:\r\n]+):[ \t]*([^\r\n]*)") do
    name = name:lower()
    if value:find("[ \t]$") then value = value:match("^(.-)[ \t]*$") end
    local old = headers[name]
    headers[name] = old and (old .. ", " .. value) or value
  end
  local abs = target:match("^%a[%w+.-]*://[^/]*(/.*)$")
  if abs then target = abs end
  local path, qs = target:match("^([^?#]*)%??([^#]*)")
  return {method = method, target = target, version = version, headers = headers,
          path = path, query = M.parse_query(qs), t = now()}
end

local function read_body(c, req)
  local h = req.headers
  local chunked = h["transfer-encoding"] and h["transfer-encoding"]:lower():find("chunked")
  local length = tonumber(h["content-length"] or "")
  if not chunked and (length == nil or length == 0) then
    req.body = ""
    return true
  end
  if h.expect and h.expect:lower() == "100-continue" and req.version == "1.1" then
    if not send_all(c, "HTTP/1.1 100 Continue\r\n\r\n") then return false end
  end
  if not chunked then
    req.body = read_exact(c, length)
    return req.body ~= nil
  end
  local parts = {}
  while true do
    local line = read_line(c)
    local size = line and tonumber(line:match("^%s*(%x+)") or "", 16)
    if not size then return false end
    if size == 0 then
      repeat line = read_line(c) until line == nil or line == ""
      req.body = table.concat(parts)
      return line ~= nil
    end
    local data = read_exact(c, size)
    if not data or read_exact(c, 2) ~= "\r\n" then return false end
    parts[#parts + 1] = data
  end
end

---------------------------------------------------------------------------------------
-- answers

-- Decides status, headers and the byte range to send; the app logs the result.
local function prepare(req, res)
  local status = math.floor(res.status or 200)
  local headers = res.headers or {}
  local plan = {status = status, headers = headers, res = res}
  if res.chunks then
    plan.chunked = true
    return plan
  end
  local size, read
  if res.stream then
    size, read = res.stream.size, res.stream.read
  else
    local body = res.body or ""
    size = #body
    read = function(off, len) return body:sub(off + 1, off + len) end
    plan.body = body
  end
  plan.size, plan.read, plan.first, plan.last = size, read, 0, size - 1
  if res.ranges and status == 200 then
    headers["Accept-Ranges"] = "bytes"
    local a, b = (req.headers.range or ""):match("^%s*bytes=(%d*)-(%d*)%s*$")
    local if_range = req.headers["if-range"]
    if if_range and if_range ~= headers.ETag and if_range ~= headers["Last-Modified"] then
      a = nil -- the file changed since the client's copy: all of it
    end
    if a and (a ~= "" or b ~= "") and res.lie_206 then
      plan.status, plan.body = 206, nil
      headers["Content-Range"] = string.format("bytes 0-%d/%d", size - 1, size)
    elseif a and (a ~= "" or b ~= "") then
      local first, last
      if a == "" then
        first, last = math.max(0, size - tonumber(b)), size - 1
      else
        first = tonumber(a)
        last = (b ~= "" and math.min(tonumber(b), size - 1)) or size - 1
      end
      if first > last or first >= size then
        plan.status, plan.first, plan.last, plan.body = 416, 0, -1, ""
        headers["Content-Range"] = "bytes */" .. size
      else
        plan.status, plan.first, plan.last, plan.body = 206, first, last, nil
        headers["Content-Range"] = string.format("bytes %d-%d/%d", first, last, size)
      end
    end
  end
  return plan
end

local function head_bytes(plan, closing, version)
  local status = plan.status
  local out = {"HTTP/1.1 ", status, " ", REASONS[status] or "Status", "\r\n"}
  for k, v in pairs(plan.headers) do
    out[#out + 1] = k .. ": " .. tostring(v) .. "\r\n"
  end
  if plan.chunked then
    out[#out + 1] = "Transfer-Encoding: chunked\r\n"
  else
    out[#out + 1] = "Content-Length: " .. (plan.last - plan.first + 1) .. "\r\n"
  end
  out[#out + 1] = "Date: " .. http_date() .. "\r\nServer: heygen-emulator\r\n"
  if closing then
    out[#out + 1] = "Connection: close\r\n"
  elseif version == "1.0" then
    out[#out + 1] = "Connection: keep-alive\r\n"
  end
  out[#out + 1] = "\r\n"
  return table.concat(out)
end

-- Writes the answer; false when the connection must close afterwards.
local function write(c, req, plan, keep)
  local res = plan.res
  local limit = res.limit
  local announce = not keep or res.close        -- a cut-off body (limit) closes unannounced
  local closing = announce or limit ~= nil
  local head = head_bytes(plan, announce, req.version)
  local no_body = req.method == "HEAD" or plan.status == 204 or plan.status == 304
  local ok
  if no_body then
    ok = send_all(c, head)
  elseif plan.chunked then
    ok = send_all(c, head)
    while ok do
      local chunk = res.chunks()
      if chunk == nil then ok = send_all(c, "0\r\n\r\n") break end
      if #chunk > 0 then ok = send_all(c, string.format("%x\r\n", #chunk) .. chunk .. "\r\n") end
    end
  else
    local first, last = plan.first, plan.last
    if limit then last = math.min(last, first + limit - 1) end
    local n = last - first + 1
    if n <= SMALL_BODY then
      local body = plan.body
      if not body or #body ~= n then body = n > 0 and plan.read(first, n) or "" end
      ok = send_all(c, head .. body)
    else
      ok = send_all(c, head)
      local off = first
      while ok and off <= last do
        local len = math.min(SEND_CHUNK, last - off + 1)
        ok = send_all(c, plan.read(off, len))
        off = off + len
      end
    end
  end
  if res.on_sent then res.on_sent() end
  return ok and not closing
end

---------------------------------------------------------------------------------------
-- the server

local Server = {}
Server.__index = Server
Server.__name = "heygen.emulator.Server"

local function traceback(e) return debug.traceback(tostring(e), 2) end

local ERROR_500 = '{"error":{"code":"internal_error","message":"emulator error"},"data":null}'

-- The TLS handshake of a connection wrapped by accept; false when it fails.
local function handshake(c)
  while true do
    local ok, err = c.sock:dohandshake()
    if ok then return true end
    local again = AGAIN[err]
    if again == nil then return false end
    yield(again or "r", c.sock)
  end
end

function Server:serve(c)
  local app = self.app
  if self.tls and not handshake(c) then return end
  while not self.stopping do
    local head, err = read_head(c)
    if not head then
      if err == 431 then
        send_all(c, "HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
      end
      return
    end
    local req = parse_head(head)
    if not req then
      send_all(c, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
      return
    end
    req.conn = c.id
    if app.on_headers and app.on_headers(req) == "reset" then
      if app.log then app.log(req, nil) end
      return
    end
    if not read_body(c, req) then return end
    local ok, res = xpcall(function() return app.handle(req) end, traceback)
    if not ok then
      io.stderr:write("heygen-emulator: ", tostring(res), "\n")
      res = {status = 500, headers = {["Content-Type"] = "application/json"}, body = ERROR_500}
    end
    if res.abort then
      if app.log then app.log(req, nil) end
      return
    end
    local plan = prepare(req, res)
    if app.log then app.log(req, plan.status) end
    local conn = (req.headers.connection or ""):lower()
    local keep
    if req.version == "1.0" then keep = conn:find("keep%-alive") ~= nil
    else keep = conn:find("close") == nil end
    if not write(c, req, plan, keep) then return end
  end
end

function Server:resume(c, ...)
  c.waiting = nil
  local ok, what, arg = coroutine.resume(c.co, ...)
  if not ok then
    io.stderr:write("heygen-emulator: ", c.task and "task " or "connection ", c.id, ": ", tostring(what), "\n")
    return self:drop(c)
  end
  if coroutine.status(c.co) == "dead" then return self:drop(c) end
  if what == "r" then
    c.waiting = arg or c.sock
    self.wait_r[c.waiting] = c
  elseif what == "w" then
    c.waiting = arg or c.sock
    self.wait_w[c.waiting] = c
  elseif what == "t" then
    self.timers[#self.timers + 1] = {at = arg, c = c}
  end
end

function Server:drop(c)
  if c.closed then return end
  c.closed = true
  local s = c.waiting or c.sock
  if s then self.wait_r[s], self.wait_w[s] = nil, nil end
  if c.task then
    self.tasks[c] = nil
    if c.sock then c.sock:close() end
    return
  end
  c.sock:close()
  self.conns[c] = nil
  self.nconns = self.nconns - 1
end

--- Runs fn(task) as a coroutine of the select loop; returns the task. A socket the task
--- keeps in task.sock is closed when the task ends or the server stops.
function Server:spawn(fn)
  self.task_seq = self.task_seq + 1
  local c = {task = true, id = self.task_seq}
  c.co = coroutine.create(function() return fn(c) end)
  self.tasks[c] = true
  self:resume(c)
  return c
end

--- Ends a task's socket wait now: its yield returns the extra arguments.
function Server:wake(c, ...)
  if c.closed or not c.waiting then return false end
  self.wait_r[c.waiting], self.wait_w[c.waiting] = nil, nil
  self:resume(c, ...)
  return true
end

function Server:accept()
  while self.nconns < MAX_CONNS do
    local s = self.listener:accept()
    if not s then return end
    if s:getfd() >= SETSIZE then     -- select() could not watch it: refuse, stay alive
      s:close()
      return
    end
    s:settimeout(0)
    s:setoption("tcp-nodelay", true)
    if self.tls then
      s = require("ssl").wrap(s, self.tls)
      s:settimeout(0)
    end
    self.conn_seq = self.conn_seq + 1
    local c = {sock = s, id = self.conn_seq, buf = "", pos = 1}
    c.co = coroutine.create(function() return self:serve(c) end)
    self.conns[c] = true
    self.nconns = self.nconns + 1
    self:resume(c)
  end
end

function Server:run_timers()
  local timers = self.timers
  if #timers == 0 then return end
  local t, due, keep = now(), {}, {}
  for i = 1, #timers do
    local tm = timers[i]
    if tm.at <= t then due[#due + 1] = tm.c
    elseif not tm.c.closed then keep[#keep + 1] = tm end
  end
  self.timers = keep
  for i = 1, #due do
    if not due[i].closed then self:resume(due[i]) end
  end
end

function Server:next_wait()
  local wait = self.tick_wait or TICK
  local t = now()
  for i = 1, #self.timers do
    local d = self.timers[i].at - t
    if d < wait then wait = d end
  end
  return wait > 0 and wait or 0
end

function Server:sweep()
  local t = now()
  if t - self.swept < 1 then return end
  self.swept = t
  for c in pairs(self.conns) do
    if c.idle_since and t - c.idle_since > self.idle_timeout then self:drop(c) end
  end
end

--- Serves until stop(): accepts, reads, answers; never blocks on one connection.
function Server:run()
  local wait_r, wait_w = self.wait_r, self.wait_w
  while not self.stopping do
    local recvt, sendt = {}, {}
    if self.nconns < MAX_CONNS then recvt[1] = self.listener end
    if self.watch then recvt[#recvt + 1] = self.watch end
    for s in pairs(wait_r) do recvt[#recvt + 1] = s end
    for s in pairs(wait_w) do sendt[#sendt + 1] = s end
    local readable, writable = socket.select(recvt, sendt, self:next_wait())
    for i = 1, #readable do
      local s = readable[i]
      if s == self.listener then
        self:accept()
      elseif s == self.watch then
        self.stopping = true        -- the parent closed our stdin: it is gone
      else
        local c = wait_r[s]
        if c then wait_r[s] = nil; self:resume(c) end
      end
    end
    for i = 1, #writable do
      local c = wait_w[writable[i]]
      if c then wait_w[writable[i]] = nil; self:resume(c) end
    end
    self:run_timers()
    self:sweep()
    if self.app.tick then self.tick_wait = self.app.tick(now()) end
  end
  for c in pairs(self.tasks) do self:drop(c) end
  for c in pairs(self.conns) do self:drop(c) end
  self.listener:close()
end

function Server:stop() self.stopping = true end

--- Stops serving when the given file descriptor (default 0, stdin) reaches EOF.
function Server:watch_fd(fd)
  self.watch = {getfd = function() return fd or 0 end, dirty = function() return false end}
end

--- Binds and listens. opts: host ("127.0.0.1"), port (0 = ephemeral), backlog, app,
--- tls ({certificate =, key =} PEM paths: HTTPS through luasec).
function M.new(opts)
  local host = opts.host or "127.0.0.1"
  local listener = assert(socket.tcp())
  listener:setoption("reuseaddr", true)
  local ok, err = listener:bind(host, opts.port or 0)
  if not ok then
    listener:close()
    return nil, "bind " .. host .. ":" .. tostring(opts.port) .. ": " .. tostring(err)
  end
  ok, err = listener:listen(opts.backlog or 1024)
  if not ok then listener:close(); return nil, "listen: " .. tostring(err) end
  listener:settimeout(0)
  local _, port = listener:getsockname()
  local tls
  if opts.tls then  -- {certificate = pem path, key = pem path}: serve HTTPS (needs luasec)
    local ssl_ok, ssl = pcall(require, "ssl")
    if not ssl_ok then listener:close(); return nil, "TLS needs luasec (Debian: lua-sec)" end
    tls, err = ssl.newcontext({mode = "server", protocol = "any", options = {"all"},
                               certificate = opts.tls.certificate, key = opts.tls.key})
    if not tls then listener:close(); return nil, "TLS: " .. tostring(err) end
  end
  return setmetatable({
    app = opts.app, listener = listener, host = host, port = tonumber(port), tls = tls,
    conns = {}, nconns = 0, conn_seq = 0, wait_r = {}, wait_w = {}, timers = {}, tasks = {}, task_seq = 0,
    swept = now(), idle_timeout = opts.idle_timeout or IDLE_TIMEOUT, stopping = false,
  }, Server)
end

return M
