-- heygen.emulator.app: routes as data, auth, faults and the request log around them.
--
-- httpd calls on_headers / handle / log; this module decides what answers. Route files
-- add entries with app:add(method, pattern, handler, opts) or through app:load(module)
-- (the interface is documented at the top of heygen/emulator/init.lua).
local httpd = require "heygen.emulator.httpd"
local reply = require "heygen.emulator.reply"
local faults = require "heygen.emulator.faults"

local M = {}

local LOG_BODY = 65536

local App = {}
App.__index = App
App.__name = "heygen.emulator.App"

local ROUTE_KEYS = {method = true, path = true, handler = true, auth = true, gen = true,
                    headers = true, [1] = true, [2] = true, [3] = true}

--- Adds a route. `pattern` is a Lua pattern on the path (anchored for you); its
--- captures are passed to handler(req, state, ...). opts: auth ("api_key" or
--- function(req, state) -> error response | nil), gen (error envelope generation:
--- "v1" | "v2" | "v3" | "workflow" | "fal"; default from the path), headers (added to
--- every answer).
function App:add(method, pattern, handler, opts)
  assert(type(method) == "string" and type(pattern) == "string" and type(handler) == "function",
         "route needs method, path pattern and handler")
  opts = opts or {}
  for k in pairs(opts) do
    if not ROUTE_KEYS[k] then error("unknown route option '" .. tostring(k) .. "'", 2) end
  end
  if pattern:sub(1, 1) ~= "^" then pattern = "^" .. pattern end
  if pattern:sub(-1) ~= "$" then pattern = pattern .. "$" end
  local route = {method = method:upper(), pattern = pattern, handler = handler,
                 auth = opts.auth, gen = opts.gen, headers = opts.headers}
  -- Routes are bucketed by a literal first path segment so a request only tries its
  -- own group; patterns without one go to a bucket every request tries afterwards.
  local segment = pattern:match("^%^/([%w_-]*)/") or pattern:match("^%^/([%w_-]*)%$$")
  local bucket = segment and self.buckets[segment] or self.wild
  if segment and not self.buckets[segment] then
    bucket = {}
    self.buckets[segment] = bucket
  end
  bucket[#bucket + 1] = route
end

--- Loads a route module: a function(app, state), a table with register(app, state), or a
--- list of entries {method, path, handler [, auth=, gen=, headers=]} (or named fields).
function App:load(mod)
  if type(mod) == "function" then return mod(self, self.state) end
  if type(mod.register) == "function" then return mod.register(self, self.state) end
  for _, r in ipairs(mod.routes or mod) do
    self:add(r.method or r[1], r.path or r[2], r.handler or r[3], r)
  end
end

-- The route for method and path with up to three captures; else nil and the allowed
-- methods of routes whose path matched.
function App:find(method, path)
  local want = method == "HEAD" and "GET" or method
  local allowed
  local lists = {self.buckets[path:match("^/([^/]*)")] or self.wild, self.wild}
  for l = 1, 2 do
    local routes = lists[l]
    for i = 1, #routes do
      local r = routes[i]
      local c1, c2, c3 = path:match(r.pattern)
      if c1 then
        if r.method == want or r.method == "ANY" then return r, c1, c2, c3 end
        allowed = allowed or {}
        allowed[#allowed + 1] = r.method
      end
    end
    if lists[1] == lists[2] then break end
  end
  return nil, allowed
end

local function unauthorized(gen)
  if gen == "v1" or gen == "workflow" then                  -- docs 1.2
    return reply.json(401, {code = 400112, message = "Unauthorized"})
  elseif gen == "v2" then                                  -- docs 1.3, community observation
    return reply.error("v2", 401, "internal_error", "Unauthorized")
  end
  return reply.error(gen, 401, "unauthorized", "Unauthorized")
end

local function is_control(path)
  return path:sub(1, 11) == "/_emulator/" and path:sub(1, 16) ~= "/_emulator/test/"
end

function App:on_headers(req)
  self.request_seq = self.request_seq + 1
  req.id = self.id_prefix .. string.format("%016x", self.request_seq)
  if is_control(req.path) then
    req.control = true
    return nil
  end
  local f = self.state.faults:match(req)
  req.fault = f
  if f and f.spec.reset == "before_body" then
    if f.spec.delay then httpd.sleep(f.spec.delay) end
    return "reset"
  end
end

-- The answer for req: the armed fault's, else the route's. `real`: ignore the fault.
function App:route(req, real)
  local st = self.state
  local route, c1, c2, c3 = self:find(req.method, req.path)
  req.gen = route and route.gen or reply.generation(req.path)
  local f = req.fault
  local res = f and not real and faults.response(f, req.gen)
  if res then return res, route end
  if not route then
    local allowed = c1
    if allowed and req.method == "OPTIONS" then
      return {status = 200, body = "", headers = {Allow = table.concat(allowed, ", "),
                                                  ["Content-Type"] = "application/json"}}
    elseif allowed then
      return reply.error(req.gen, 405, nil, "Method " .. req.method .. " not allowed",
                         nil, {Allow = table.concat(allowed, ", ")})
    end
    return reply.error(req.gen, 404, nil, "No route for " .. req.method .. " " .. req.path)
  end
  if route.auth == "api_key" then
    if not st:authorized(req.headers["x-api-key"]) then return unauthorized(req.gen), route end
  elseif route.auth then
    local denied = route.auth(req, st)
    if denied then return denied, route end
  end
  return route.handler(req, st, c1, c2, c3), route
end

function App:handle(req)
  local f = req.fault
  local res, route
  -- processed: the route runs first (a job gets created), then the fault spoils the answer
  if f and f.spec.processed then res, route = self:route(req, true) end
  if f and f.spec.delay then httpd.sleep(f.spec.delay) end
  if f and f.spec.reset == "after_body" then return {abort = true} end
  if not res or faults.response(f, req.gen) then res, route = self:route(req) end
  res.headers = res.headers or {}
  res.headers["X-Request-Id"] = req.id
  if route and route.headers then
    for k, v in pairs(route.headers) do
      if res.headers[k] == nil then res.headers[k] = v end
    end
  end
  if f and (f.spec.truncate or f.spec.drop_after) then res.limit = f.spec.truncate or f.spec.drop_after end
  if f and f.spec.ignore_range then res.ranges = nil end
  if f and f.spec.lie_206 then res.lie_206 = true end
  return res
end

function App:log(req, status)
  if req.control then return end
  local body = req.body or ""
  self.state:log_request({
    conn = req.conn, method = req.method, path = req.path, query = req.query,
    headers = req.headers, body = #body > LOG_BODY and body:sub(1, LOG_BODY) or body,
    body_size = #body, status = status or 0, t = req.t, request_id = req.id,
    fault = req.fault and req.fault.id or nil,
  })
end

--- Registers fn(now) -> seconds | nil, run once per server loop turn (background work
--- such as webhook deliveries); the smallest answer bounds the server's next wait.
function App:on_tick(fn)
  self.tickers[#self.tickers + 1] = fn
end

function App:tick(t)
  local wait
  for i = 1, #self.tickers do
    local w = self.tickers[i](t)
    if w and (wait == nil or w < wait) then wait = w end
  end
  return wait
end

--- The callbacks httpd wants.
function App:handlers()
  return {
    on_headers = function(req) return self:on_headers(req) end,
    handle = function(req) return self:handle(req) end,
    log = function(req, status)
      self:log(req, status)
      local path = self.state.persist_path
      if path then -- --state: written after each request, control ones too
        local ok, err = require("heygen.emulator.persist").save(self.state, path)
        if not ok then
          io.stderr:write("heygen-emulator: cannot save the state to ", path, ": ", tostring(err), "\n")
        end
      end
    end,
    tick = function(t) return self:tick(t) end,
  }
end

function M.new(state)
  state.faults = state.faults or faults.new()
  local app = setmetatable({state = state, buckets = {}, wild = {}, request_seq = 0, tickers = {}}, App)
  app.id_prefix = state:id(16)          -- request ids: unique per process, cheap per request
  return app
end

return M
