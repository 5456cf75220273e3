-- heygen.emulator.deliver.attempt: one webhook delivery attempt, inside a task coroutine of
-- the server (httpd server:spawn): a POST over non-blocking luasocket (luasec for
-- https://, no certificate verification), every wait a yield to the select loop.
--   attempt(task, item, deadline, plain_http) -> the answer's status | nil, error
--     connects (TLS unless plain_http), sends item.body with item.headers, reads the
--     status line and drains at most DRAIN_MAX bytes of the rest; task.sock is the socket
--     while it is open, task.deadline the real time a wait gives up at
--   close(task): closes task.sock, if any
local socket = require "socket"

local M = {}

M.DRAIN_MAX = 1048576      -- answer bytes read at most before closing

local yield = coroutine.yield

-- what a non-blocking call that must wait says (luasocket, luasec) -> direction
local AGAIN = {timeout = false, wantread = "r", wantwrite = "w"}

-- Waits for the socket; nil when ready, else "timeout" or "reset" (see deliver.lua's Engine:tick).
local function wait(task, what, sock, deadline)
  task.deadline = deadline
  local why = yield(what, sock)
  task.deadline = nil
  return why
end

local function parse_url(url)
  local scheme, host, port, path = url:match("^(https?)://([^/:?#]+):?(%d*)([^#]*)")
  if not scheme then return nil end
  if path == "" or path:sub(1, 1) == "?" then path = "/" .. path end
  local default = scheme == "https" and 443 or 80
  local p = tonumber(port) or default
  return scheme, host, p, path, p == default and host or (host .. ":" .. p)
end

local function send_all(task, sock, data, deadline)
  local i = 1
  while i <= #data do
    local last, err, partial = sock:send(data, i)
    if last then return true end
    local again = AGAIN[err]
    if again == nil then return nil, "send: " .. tostring(err) end
    i = (partial or i - 1) + 1
    local why = wait(task, again or "w", sock, deadline)
    if why then return nil, why end
  end
  return true
end

-- Reads the answer: its status, the body drained (Content-Length, chunked or until close).
local function read_answer(task, sock, deadline)
  local buf = ""
  local function more()
    while true do
      local data, err, partial = sock:receive(8192)
      data = data or partial
      if data and data ~= "" then buf = buf .. data return true end
      local again = AGAIN[err]
      if again == nil then return nil, err end
      local why = wait(task, again or "r", sock, deadline)
      if why then return nil, why end
    end
  end
  local head_end
  repeat
    head_end = buf:find("\r\n\r\n", 1, true)
    if not head_end then
      local ok, err = more()
      if not ok then
        if err == "closed" then return nil, "closed without an answer" end
        return nil, err
      end
    end
  until head_end
  local status = tonumber(buf:match("^HTTP/%d%.%d (%d%d%d)") or "")
  if not status then return nil, "not an HTTP answer: " .. buf:match("^[^\r\n]*"):sub(1, 60) end
  local head = buf:sub(1, head_end):lower()
  local length = tonumber(head:match("\ncontent%-length:%s*(%d+)") or "")
  local chunked = head:find("\ntransfer%-encoding:[^\n]*chunked") ~= nil
  local body_start = head_end + 4
  while #buf - body_start + 1 < M.DRAIN_MAX do
    if length and #buf - body_start + 1 >= length then break end
    if chunked and buf:find("\r?\n?0\r\n\r\n", body_start) then break end
    if not length and not chunked and (status == 204 or status == 304) then break end
    if not more() then break end           -- closed, or out of time: the status is what counts
  end
  return status
end

-- Connects (TLS when asked), sends, reads the status; the status or nil, error.
local function attempt(task, item, deadline, plain_http)
  local scheme, host, port, path, host_header = parse_url(item.url)
  if not scheme then return nil, "not an http(s) URL: " .. item.url end
  local tls = scheme == "https" and not plain_http
  local ssl
  if tls then
    local ok, mod = pcall(require, "ssl")
    if not ok then
      return nil, "https delivery needs luasec (Debian lua-sec); or set webhook_plain_http"
    end
    ssl = mod
  end
  local sock = socket.tcp()
  task.sock = sock
  sock:settimeout(0)
  local ok, err = sock:connect(host, port)
  if not ok and err == "timeout" then
    local why = wait(task, "w", sock, deadline)
    if why then return nil, "connect " .. host .. ":" .. port .. ": " .. why end
    ok, err = sock:connect(host, port)
    if err == "already connected" then ok = true end
  end
  if not ok then return nil, "connect " .. host .. ":" .. port .. ": " .. tostring(err) end
  if tls then
    local wrapped, werr = ssl.wrap(sock, {mode = "client", protocol = "any", verify = "none",
                                          options = {"all"}})
    if not wrapped then return nil, "TLS: " .. tostring(werr) end
    sock = wrapped
    task.sock = sock
    sock:settimeout(0)
    if sock.sni then sock:sni(host) end
    while true do
      local hok, herr = sock:dohandshake()
      if hok then break end
      local again = AGAIN[herr]
      if again == nil then return nil, "TLS handshake with " .. host .. ":" .. port .. ": " .. tostring(herr) end
      local why = wait(task, again or "r", sock, deadline)
      if why then return nil, "TLS handshake with " .. host .. ":" .. port .. ": " .. why end
    end
  end
  local lines = {"POST " .. path .. " HTTP/1.1", "Host: " .. host_header,
                 "Content-Type: application/json", "Content-Length: " .. #item.body,
                 "User-Agent: heygen-emulator", "Connection: close"}
  for _, h in ipairs(item.headers or {}) do lines[#lines + 1] = h[1] .. ": " .. h[2] end
  local sent, serr = send_all(task, sock, table.concat(lines, "\r\n") .. "\r\n\r\n" .. item.body, deadline)
  if not sent then return nil, serr end
  return read_answer(task, sock, deadline)
end

local function close_sock(task)
  if task.sock then
    task.sock:close()
    task.sock = nil
  end
end

M.attempt, M.close = attempt, close_sock

return M
