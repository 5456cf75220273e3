-- Bodies no API should send, for spec/limits_spec.lua: a luasocket child process.
--   lua5.4 spec/body_server.lua PORT_FILE [BOMB_FILE]
-- /bomb answers BOMB_FILE (gzip) with Content-Encoding: gzip; any other path
-- /endless sends a body without a length that never ends; any other path
-- announces a 2 GB body and sends it as fast as it can (until the client goes).
local socket = require "socket"
local port_file, bomb_path = arg[1], arg[2]
local server = assert(socket.bind("127.0.0.1", 0))
local _, port = server:getsockname()
local f = assert(io.open(port_file .. ".tmp", "w")) f:write(port) f:close()
os.rename(port_file .. ".tmp", port_file)
local chunk = ("x"):rep(65536)
local bomb
if bomb_path and bomb_path ~= "" then local b = assert(io.open(bomb_path, "rb")) bomb = b:read("a") b:close() end
while true do
  local c = server:accept()
  c:settimeout(10)
  local line = c:receive("*l") or ""
  repeat local h = c:receive("*l") until not h or h == ""
  local path = line:match("^%u+ (%S+)") or "/"
  if path:find("^/bomb") then
    c:send("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nContent-Length: "
      .. #bomb .. "\r\n\r\n")
    c:send(bomb)
  elseif path:find("^/endless") then -- no length: the body ends when the connection does, never
    c:send("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n")
    while c:send(chunk) do end
  else -- announces 2 GB and sends them as fast as it can
    c:send("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2000000000\r\n\r\n")
    local left = 2000000000
    while left > 0 and c:send(chunk, 1, math.min(#chunk, left)) do left = left - #chunk end
  end
  c:close()
end
