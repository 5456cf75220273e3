-- heygen.emulator.httpd.wire: the bytes of HTTP/1.1 for heygen.emulator.httpd: reading a
-- request (head, chunked or sized body, 100-continue) and writing an answer (status line,
-- headers, Range/If-Range, streamed or chunked bodies, faults such as a limit or a lie_206),
-- inside a connection's coroutine; plus query strings and HTTP dates. The req and res
-- tables are the ones httpd.lua's top comment describes.
local socket = require "socket"

local W = {}

local READ_SIZE = 65536
local SEND_CHUNK = 262144
local SMALL_BODY = 65536
local MAX_HEAD = 65536


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


local function unescape(s)
  if not s:find("[%%+]") then return s end
  s = s:gsub("+", " ")
  return (s:gsub("%%(%x%x)", function(h) return string.char(tonumber(h, 16)) end))
end

local function parse_query(qs)
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
          path = path, query = parse_query(qs), t = now()}
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


W.AGAIN, W.read_head, W.parse_head, W.read_body = AGAIN, read_head, parse_head, read_body
W.prepare, W.write, W.send_all = prepare, write, send_all
W.unescape, W.parse_query = unescape, parse_query

return W
