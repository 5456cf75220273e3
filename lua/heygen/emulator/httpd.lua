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

local wire = require "heygen.emulator.httpd.wire"

local SETSIZE = socket._SETSIZE or 1024
local MAX_CONNS = SETSIZE - 24  -- select() watches descriptors below SETSIZE only
local IDLE_TIMEOUT = 120
local TICK = 1.0                -- longest select() wait: sweeps and stop checks
M.MAX_CONNS = MAX_CONNS

local yield = coroutine.yield
local now = socket.gettime
local AGAIN, read_head, parse_head, read_body = wire.AGAIN, wire.read_head, wire.parse_head, wire.read_body
local prepare, write, send_all = wire.prepare, wire.write, wire.send_all
M.unescape, M.parse_query = wire.unescape, wire.parse_query

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
