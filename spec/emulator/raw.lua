-- What the spec/emulator/*_spec.lua files moved from spec/emulator_spec.lua share: a spawned
-- emulator (M.start, M.fresh before each test, M.stop), a raw HTTP/1.1 client on luasocket
-- (keep-alive, pipelining, and faults a real client would hide made visible), and the v2
-- fixtures (a scene, a created video). Runs under lua5.4 and LuaJIT (Debian's busted); the
-- emulator child runs under the same kind of interpreter unless HEYGEN_EMULATOR_LUA says.
local socket = require "socket"
local cjson = require "cjson"
local emulator = require "heygen.emulator"
local support = require "support"

local M = {}

local KEY = "emulator-spec-key"
M.KEY, M.null, M.socket, M.cjson = KEY, cjson.null, socket, cjson

function M.interpreter()
  local env = os.getenv("HEYGEN_EMULATOR_LUA")
  if env and env ~= "" then return env end
  local i = -1
  while arg and arg[i - 1] do i = i - 1 end
  local running = arg and arg[i] or ""
  return running:find("luajit") and "luajit" or "lua5.4"
end

--- Spawns the emulator (time scale 200, the spec key); M.emu and M.port are it.
function M.start()
  M.emu = emulator.spawn({time_scale = 200, api_keys = {KEY}, lua = M.interpreter()})
  M.port = M.emu.port
  return M.emu
end

function M.stop() if M.emu then M.emu:stop() end end

--- Before each test: the emulator's state and configuration as spawned.
function M.fresh()
  M.emu:reset()
  M.emu:config({time_scale = 200, url_ttl = 7 * 86400, api_keys = {KEY}})
end

--- For a spec file: the emulator (M.start), fresh before each test, stopped after the file.
function M.use()
  local busted = require "busted" -- the DSL of the spec file being run (a module has no globals of it)
  M.start()
  busted.teardown(M.stop)
  busted.before_each(M.fresh)
  return M.emu
end


---------------------------------------------------------------------------------------
-- a raw HTTP/1.1 client on luasocket: keep-alive, pipelining, and visible faults

local function connect()
  local s = assert(socket.tcp())
  s:settimeout(10)
  assert(s:connect("127.0.0.1", M.port))
  return s
end

local function request_bytes(method, path, opts)
  opts = opts or {}
  local lines = {method .. " " .. path .. " HTTP/1.1", "Host: 127.0.0.1:" .. M.port}
  local headers = opts.headers or {}
  if opts.key ~= false and headers["X-Api-Key"] == nil then lines[#lines + 1] = "X-Api-Key: " .. (opts.key or KEY) end
  for k, v in pairs(headers) do lines[#lines + 1] = k .. ": " .. v end
  local body = opts.body
  if type(body) == "table" then body = cjson.encode(body) end
  if body and not opts.chunked then lines[#lines + 1] = "Content-Length: " .. #body end
  if body and not headers["Content-Type"] then lines[#lines + 1] = "Content-Type: application/json" end
  return table.concat(lines, "\r\n") .. "\r\n\r\n" .. (body or "")
end

-- Reads a response's status line and headers: {status, status_line, headers}, or
-- {closed = "why", status = 0} when the connection ends first.
local function read_head(s)
  local line, err = s:receive("*l")
  if not line then return {closed = err, status = 0} end
  local res = {status = tonumber(line:match("^HTTP/1%.%d (%d+)")), status_line = line, headers = {}}
  while true do
    local h = assert(s:receive("*l"))
    if h == "" then break end
    local k, v = h:match("^([^:]+):%s*(.*)$")
    res.headers[k:lower()] = v
  end
  return res
end

-- Reads one response; {status, headers, body, raw_status_line, closed = "why"|nil}.
local function read_response(s, method)
  local res = read_head(s)
  if res.closed then return res end
  if res.status == 100 then return read_response(s, method) end
  if method == "HEAD" or res.status == 204 or res.status == 304 then res.body = "" return res end
  local n = tonumber(res.headers["content-length"] or "")
  if n == 0 then
    res.body = ""                        -- luasocket's receive(0) would wait for data
  elseif n then
    local body, rerr, partial = s:receive(n)
    res.body, res.closed = body or partial, rerr
  elseif (res.headers["transfer-encoding"] or ""):find("chunked") then
    local parts = {}
    while true do
      local size = tonumber(assert(s:receive("*l")), 16)
      if size == 0 then assert(s:receive("*l")) break end
      parts[#parts + 1] = assert(s:receive(size))
      assert(s:receive("*l"))
    end
    res.body = table.concat(parts)
  else
    local body, rerr, partial = s:receive("*a")
    res.body, res.closed = body or partial, rerr
  end
  return res
end

local function decode(res)
  local ok, v = pcall(cjson.decode, res.body)
  assert(ok, "not JSON: " .. tostring(res.body))
  res.json = v
  return v
end

-- One request on a fresh connection (or opts.sock); decodes JSON answers.
local function http(method, path, opts)
  opts = opts or {}
  local s = opts.sock or connect()
  assert(s:send(request_bytes(method, path, opts)))
  local res = read_response(s, method)
  if not opts.sock then s:close() end
  if res.body and (res.headers or {})["content-type"] == "application/json" and res.body ~= "" then
    pcall(decode, res)
  end
  return res
end

local function get(path, opts) return http("GET", path, opts) end
local function post(path, body, opts)
  opts = opts or {}
  opts.body = body
  return http("POST", path, opts)
end

-- The path and query of an absolute URL the emulator handed out.
local function local_path(url)
  return (assert(url:match("^http://[^/]+(/.*)$"), "not a local URL: " .. tostring(url)))
end

local read_file = support.read

local function sample_mp4()
  return read_file(package.searchpath("heygen.emulator.sample", (package.path:gsub("%.lua", ".mp4"))))
end

local function has_ffprobe() return os.execute("command -v ffprobe >/dev/null 2>&1") == true
  or os.execute("command -v ffprobe >/dev/null 2>&1") == 0 end

local function ffprobe(bytes, suffix)
  local path = os.tmpname() .. suffix
  local f = assert(io.open(path, "wb"))
  f:write(bytes)
  f:close()
  local p = io.popen("ffprobe -v error -show_entries stream=codec_name -of csv=p=0 " .. path .. " 2>&1")
  local out = p:read("*a")
  p:close()
  os.remove(path)
  return out
end

local function wait_until(fn, limit)
  local deadline = socket.gettime() + (limit or 5)
  while socket.gettime() < deadline do
    local v = fn()
    if v then return v end
    socket.sleep(0.02)
  end
  error("condition not met in time")
end

local VOICE = "077ab11b14f04ce0b49b5f6e5cc20979"
local AVATAR = "Josh_lite3_20230714"

local function scene(extra)
  local s = {character = {type = "avatar", avatar_id = AVATAR, avatar_style = "normal"},
             voice = {type = "text", input_text = "Hello from the emulator.", voice_id = VOICE},
             background = {type = "color", value = "#FFFFFF"}}
  for k, v in pairs(extra or {}) do s[k] = v end
  return s
end

local function text_voice(extra)
  local v = {type = "text", input_text = "x", voice_id = VOICE}
  for k, val in pairs(extra or {}) do v[k] = val end
  return {voice = v}
end

local function avatar(extra)
  local c = {type = "avatar", avatar_id = AVATAR}
  for k, val in pairs(extra or {}) do c[k] = val end
  return {character = c}
end

local function create_video(body)
  local res = post("/v2/video/generate", body or {video_inputs = {scene()}, dimension = {width = 1280, height = 720}})
  assert(res.status == 200, res.body)
  return res.json.data.video_id
end

local function status_of(id) return get("/v1/video_status.get?video_id=" .. id).json.data end

---------------------------------------------------------------------------------------


M.connect, M.request_bytes, M.read_response, M.decode, M.http = connect, request_bytes, read_response, decode, http
M.get, M.post, M.local_path, M.read_file, M.sample_mp4 = get, post, local_path, read_file, sample_mp4
M.read_head = read_head
M.has_ffprobe, M.ffprobe, M.wait_until, M.VOICE, M.AVATAR = has_ffprobe, ffprobe, wait_until, VOICE, AVATAR
M.scene, M.text_voice, M.avatar, M.create_video, M.status_of = scene, text_voice, avatar, create_video, status_of

return M
