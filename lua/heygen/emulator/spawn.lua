-- heygen.emulator.spawn: the emulator as a child process and its control client (the handle
-- require("heygen.emulator").spawn{} returns: url, port, call, requests, count, reset, config,
-- fault(s), job(s), next_job, advance, deliveries, webhooks, stop; see init.lua's top comment).
-- The child runs `require('heygen.emulator').main{...}` under the same kind of interpreter,
-- with this checkout's lua/ first on its package.path.
local reply = require "heygen.emulator.reply"

local M = {}

-- The lua/ directory this module was loaded from (absolute when PWD is known).
local function lua_root()
  local src = debug.getinfo(1, "S").source
  if src:sub(1, 1) ~= "@" then return nil end
  local root = src:sub(2):match("^(.-)[/\\]?heygen[/\\]emulator[/\\]spawn%.lua$")
  if root == nil then return nil end
  if root == "" then root = "." end
  if root:sub(1, 1) ~= "/" and os.getenv("PWD") then root = os.getenv("PWD") .. "/" .. root end
  return root
end

-- The interpreter running us: the most negative index of the global arg.
local function current_lua()
  local a = _G.arg
  if type(a) ~= "table" or a[-1] == nil then return nil end
  local i = -1
  while a[i - 1] ~= nil do i = i - 1 end
  return a[i]
end

local function shell_quote(s)
  return "'" .. tostring(s):gsub("'", "'\\''") .. "'"
end

local function read_file(path)
  local f = io.open(path, "rb")
  if not f then return "" end
  local s = f:read("*a")
  f:close()
  return s
end

local Handle = {}
Handle.__index = Handle
Handle.__name = "heygen.emulator.Handle"

local SPAWN_KEYS = {time_scale = true, api_keys = true, port = true, host = true, lua = true,
                    url_ttl = true, quota = true, startup_timeout = true, tls_cert = true,
                    tls_key = true, webhook_plain_http = true, state = true}

--- Starts an emulator child process; returns its handle (raises when it cannot start).
function M.spawn(opts)
  opts = opts or {}
  for k in pairs(opts) do
    if not SPAWN_KEYS[k] then error("heygen.emulator.spawn: unknown option '" .. tostring(k) .. "'", 2) end
  end
  local socket = require "socket"
  local args = {"--port", tostring(opts.port or 0), "--parent-watch"}
  local function add(flag, v) if v ~= nil then args[#args + 1] = flag; args[#args + 1] = tostring(v) end end
  add("--host", opts.host)
  add("--time-scale", opts.time_scale)
  add("--url-ttl", opts.url_ttl)
  add("--quota", opts.quota)
  add("--tls-cert", opts.tls_cert)
  add("--tls-key", opts.tls_key)
  add("--state", opts.state)
  if opts.webhook_plain_http then args[#args + 1] = "--webhook-plain-http" end
  local keys = opts.api_keys
  if type(keys) == "string" then keys = {keys} end
  for _, k in ipairs(keys or {}) do add("--api-key", k) end

  local quoted = {}
  for i, a in ipairs(args) do quoted[i] = string.format("%q", a) end
  local code = "os.exit(require('heygen.emulator').main({" .. table.concat(quoted, ",") .. "}) and 0 or 1)"
  -- The child finds the emulator where this process found it: beside this file when it
  -- is one, else on this process's package.path (an embedded Lua layer has no files; a
  -- C host then names a folder that has them, as examples/embed does).
  local root, prefix = lua_root(), ""
  if root then
    local f = io.open(root .. "/heygen/emulator/init.lua", "rb")
    if f then
      f:close()
      prefix = root .. "/?.lua;" .. root .. "/?/init.lua;"
    end
  end
  prefix = prefix .. (package.path or "")
  if prefix ~= "" then code = "package.path=" .. string.format("%q", prefix) .. "..';'..package.path;" .. code end
  local out, errf = os.tmpname(), os.tmpname()
  local lua = opts.lua or current_lua() or "lua5.4"
  local cmd = "exec " .. shell_quote(lua) .. " -e " .. shell_quote(code) ..
              " >" .. shell_quote(out) .. " 2>" .. shell_quote(errf)
  local proc = assert(io.popen(cmd, "w"))
  local deadline = socket.gettime() + (opts.startup_timeout or 15)
  local url, problem
  repeat
    url = read_file(out):match("listening on (https?://[^%s]+)")
    problem = not url and read_file(errf):find("%S") and "failed to start"
    if url or problem then break end
    socket.sleep(0.01)
  until socket.gettime() > deadline
  if not url then
    proc:close()
    local e = read_file(errf)
    os.remove(out); os.remove(errf)
    error("heygen.emulator.spawn: " .. lua .. " " .. (problem or "printed no listening line in time")
          .. ":\n" .. e, 2)
  end
  return setmetatable({url = url, fal_url = url .. "/fal", upload_url = url,
                       port = tonumber(url:match(":(%d+)$")), log_path = errf,
                       tls_cert = opts.tls_cert, _proc = proc, _out = out}, Handle)
end

-- One control call through luasocket's HTTP client; raises on failure.
function Handle:call(method, path, body)
  local tls = self.url:sub(1, 6) == "https:"
  local http = tls and require "ssl.https" or require "socket.http"
  local ltn12 = require "ltn12"
  local chunks = {}
  local text = body ~= nil and reply.encode(body) or nil
  local ok, status = http.request({
    url = self.url .. path, method = method, sink = ltn12.sink.table(chunks),
    source = text and ltn12.source.string(text) or nil,
    headers = {["content-type"] = "application/json", ["content-length"] = tostring(text and #text or 0)},
    cafile = tls and self.tls_cert or nil, verify = tls and "peer" or nil,
  })
  if not ok then error("heygen.emulator: " .. method .. " " .. path .. ": " .. tostring(status), 3) end
  local raw = table.concat(chunks)
  local v = reply.decode(raw)
  if status >= 400 then
    local msg = type(v) == "table" and type(v.error) == "table" and v.error.message or raw
    error("heygen.emulator: " .. method .. " " .. path .. ": " .. tostring(msg), 3)
  end
  return v
end

--- Logged requests, oldest first. filter: a path pattern (or plain prefix), or
--- {method=, path=, since=}.
function Handle:requests(filter)
  if type(filter) == "string" then filter = {path = filter} end
  filter = filter or {}
  local list = self:call("GET", "/_emulator/requests?since=" .. tostring(filter.since or 0))
  local out = {}
  for _, r in ipairs(list) do
    if (not filter.method or r.method == filter.method)
       and (not filter.path or reply.path_matches(filter.path, r.path)) then
      out[#out + 1] = r
    end
  end
  return out
end

function Handle:count(method, path_pattern)
  return #self:requests({method = method, path = path_pattern})
end

function Handle:reset() return self:call("POST", "/_emulator/reset", {}) end
function Handle:config(t) return self:call("POST", "/_emulator/config", t or {}) end
function Handle:fault(spec) return self:call("POST", "/_emulator/faults", spec).id end
function Handle:faults() return self:call("GET", "/_emulator/faults") end
function Handle:clear_faults() return self:call("DELETE", "/_emulator/faults") end
function Handle:job(id, spec)
  if spec == nil then return self:call("GET", "/_emulator/jobs/" .. id) end
  return self:call("POST", "/_emulator/jobs/" .. id, spec)
end
function Handle:jobs() return self:call("GET", "/_emulator/jobs") end
function Handle:next_job(spec) return self:call("POST", "/_emulator/next_job", spec) end
function Handle:advance(seconds) return self:call("POST", "/_emulator/advance", {seconds = seconds}) end
function Handle:deliveries(since)
  return self:call("GET", "/_emulator/deliveries?since=" .. tostring(since or 0))
end
function Handle:webhooks(t) return self:call("POST", "/_emulator/webhooks", t or {}) end

--- Shuts the emulator down and waits for the process. Idempotent.
function Handle:stop()
  if not self._proc then return end
  pcall(self.call, self, "POST", "/_emulator/shutdown", {})
  self._proc:close()
  self._proc = nil
  os.remove(self._out)
  os.remove(self.log_path)
end

Handle.__gc = function(h) pcall(Handle.stop, h) end

return M
