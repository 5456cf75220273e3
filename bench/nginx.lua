--- Start and stop the benchmarks' nginx: Debian's nginx as the current user,
-- a temporary prefix, a free loopback port, the config from nginx.conf.in.
local lib = require "lib"

local M = {}

local sh_quote, read, write = lib.sh_quote, lib.read, lib.write

local function free_port()
  local socket = require "socket"
  local s = assert(socket.bind("127.0.0.1", 0))
  local _, port = s:getsockname()
  s:close()
  return tonumber(port)
end

local function can_connect(port)
  local socket = require "socket"
  local c = socket.tcp()
  c:settimeout(0.2)
  local ok = c:connect("127.0.0.1", port)
  c:close()
  return ok ~= nil
end

local Server = {}
Server.__index = Server

--- Start nginx serving `prefix`/www (the caller fills it) over http, and over
-- https with a fresh self-signed certificate (server.tls_url, server.cafile). opts.template is
-- the path of nginx.conf.in, opts.nginx the binary (default: nginx on PATH or
-- /usr/sbin/nginx). Returns the server {url, port, prefix} or nil, message.
function M.start(prefix, opts)
  opts = opts or {}
  local bin = opts.nginx or "/usr/sbin/nginx"
  if not io.open(bin, "r") then return nil, "nginx not found at " .. bin end
  assert(os.execute("mkdir -p " .. sh_quote(prefix .. "/www") .. " " .. sh_quote(prefix .. "/tmp")
    .. " && chmod 755 " .. sh_quote(prefix)))
  local port, tls_port = free_port(), free_port()
  while tls_port == port do tls_port = free_port() end
  -- a self-signed certificate for 127.0.0.1, which is also the clients' CA file
  local tls = prefix .. "/tls"
  if not os.execute(string.format("mkdir -p %s && openssl req -x509 -newkey rsa:2048 -nodes -days 2 "
      .. "-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -keyout %s -out %s >/dev/null 2>&1",
      sh_quote(tls), sh_quote(tls .. "/key.pem"), sh_quote(tls .. "/cert.pem"))) then
    return nil, "openssl could not make the benchmark's TLS certificate"
  end
  local conf = assert(read(opts.template), "cannot read " .. tostring(opts.template))
  conf = conf:gsub("@(%u+)@", { PREFIX = prefix, PORT = tostring(port), TLSPORT = tostring(tls_port) })
  write(prefix .. "/nginx.conf", conf)
  local cmd = string.format("%s -p %s -c %s -e %s >%s 2>&1 &", sh_quote(bin), sh_quote(prefix),
    sh_quote(prefix .. "/nginx.conf"), sh_quote(prefix .. "/error.log"), sh_quote(prefix .. "/stdout.log"))
  os.execute(cmd)
  local socket = require "socket"
  local deadline = socket.gettime() + 10
  while socket.gettime() < deadline do
    if read(prefix .. "/nginx.pid") and can_connect(port) and can_connect(tls_port) then
      return setmetatable({ url = "http://127.0.0.1:" .. port, port = port, prefix = prefix,
        tls_url = "https://127.0.0.1:" .. tls_port, cafile = tls .. "/cert.pem" }, Server)
    end
    socket.sleep(0.05)
  end
  return nil, "nginx did not start: " .. (read(prefix .. "/error.log") or "") .. (read(prefix .. "/stdout.log") or "")
end

--- Stop the nginx we started (by the pid it wrote) and wait for it to exit.
function Server:stop()
  local pid = tonumber(read(self.prefix .. "/nginx.pid") or "")
  if not pid then return end
  os.execute("kill -QUIT " .. pid .. " 2>/dev/null")
  local socket = require "socket"
  local deadline = socket.gettime() + 10
  while socket.gettime() < deadline and os.execute("kill -0 " .. pid .. " 2>/dev/null") do
    socket.sleep(0.05)
  end
end

return M
