-- heygen.emulator.control: the /_emulator/ control interface (no auth, not logged) and
-- the /_emulator/test/ routes for the C core's HTTP tests (logged, faultable).
-- The interface is documented at the top of heygen/emulator/init.lua.
local httpd = require "heygen.emulator.httpd"
local reply = require "heygen.emulator.reply"
local media = require "heygen.emulator.media"

local M = {}

local function ok(extra)
  local t = {ok = true}
  for k, v in pairs(extra or {}) do t[k] = v end
  return reply.json(200, t)
end

local function bad(message, status)
  return reply.json(status or 400, {error = {code = "invalid_control_request", message = message}})
end

-- The JSON object in the body; {} for an empty body.
local function spec_of(req)
  if req.body == "" then return {} end
  local v, err = reply.decode(req.body)
  if type(v) ~= "table" then return nil, "body must be a JSON object: " .. tostring(err) end
  return v
end

local function requests(req, st)
  local q = req.query
  local list = st:requests(tonumber(q.since or ""), q.method ~= "" and q.method or nil,
                           q.path ~= "" and q.path or nil)
  return reply.json(200, reply.array(list))
end

local function reset(_, st)
  st:reset()
  return ok()
end

local function get_config(_, st) return reply.json(200, st:config()) end

local function set_config(req, st)
  local spec, err = spec_of(req)
  if spec then spec, err = st:configure(spec) end
  if not spec then return bad(err) end
  return reply.json(200, st:config())
end

local function add_faults(req, st)
  local spec, err = spec_of(req)
  if not spec then return bad(err) end
  local list = spec[1] ~= nil and spec or {spec}
  local ids = {}
  for _, one in ipairs(list) do
    local f, ferr = st.faults:add(one)
    if not f then return bad(ferr) end
    ids[#ids + 1] = f.id
  end
  return ok({id = ids[1], ids = ids})
end

local function list_faults(_, st) return reply.json(200, st.faults:describe()) end

local function clear_faults(_, st)
  st.faults:clear()
  return ok()
end

local function list_jobs(_, st)
  local out = {}
  for id, job in pairs(st.jobs) do
    if id == job.id and not job.seeded then out[#out + 1] = st:job_view(job) end
  end
  table.sort(out, function(a, b)
    if a.created_at ~= b.created_at then return a.created_at < b.created_at end
    return a.id < b.id
  end)
  return reply.json(200, reply.array(out))
end

local function get_job(_, st, id)
  local job = st.jobs[id]
  if not job then return bad("no job " .. id, 404) end
  return reply.json(200, st:job_view(job))
end

local function control_job(req, st, id)
  local spec, err = spec_of(req)
  local job, status
  if spec then job, err, status = st:control_job(id, spec) end
  if not job then return bad(err, status) end
  return reply.json(200, st:job_view(job))
end

local function next_job(req, st)
  local spec, err = spec_of(req)
  if spec then spec, err = st:next_job(spec) end
  if not spec then return bad(err) end
  return ok()
end

local function advance(req, st)
  local spec, err = spec_of(req)
  if not spec then return bad(err) end
  if type(spec.seconds) ~= "number" or spec.seconds < 0 then return bad("seconds must be a number >= 0") end
  st:advance(spec.seconds)
  return ok()
end

local function health(_, st)
  return reply.json(200, {ok = true, url = st.base_url, time_scale = st.time_scale})
end

---------------------------------------------------------------------------------------
-- test routes

local function echo(req)
  return reply.json(200, {method = req.method, path = req.path, query = req.query,
                          headers = req.headers, body = req.body, conn = req.conn})
end

local function bytes(req)
  local n = tonumber(req.query.n or "")
  if not n or n < 0 or n ~= math.floor(n) then return bad("n must be a byte count") end
  return {status = 200, headers = {["Content-Type"] = "application/octet-stream"},
          stream = media.bytes(reply.int(n)), ranges = true}
end

local function delay(req)
  local ms = tonumber(req.query.ms or "0") or 0
  httpd.sleep(ms / 1000)
  return reply.json(200, {delayed_ms = reply.int(ms)})
end

local function status(req)
  local code = tonumber(req.query.code or "")
  if not code or code < 100 or code > 599 then return bad("code must be an HTTP status") end
  local headers = {}
  if req.query.retry_after then headers["Retry-After"] = req.query.retry_after end
  return reply.json(reply.int(code), {status = reply.int(code)}, headers)
end

local function redirect(req)
  local to = req.query.to
  if not to or to == "" then return bad("to= is required") end
  local code = reply.int(tonumber(req.query.code or "302")) or 302
  return {status = code, headers = {Location = to, ["Content-Type"] = "application/json"},
          body = reply.encode({location = to})}
end

function M.register(app)
  local st = app.state
  local shutdown = function()
    local res = ok()
    res.close = true
    res.on_sent = function() if app.server then app.server:stop() end end
    return res
  end
  local routes = {
    {"GET", "/_emulator/health", health},
    {"GET", "/_emulator/requests", requests},
    {"POST", "/_emulator/reset", reset},
    {"GET", "/_emulator/config", get_config},
    {"POST", "/_emulator/config", set_config},
    {"POST", "/_emulator/shutdown", shutdown},
    {"GET", "/_emulator/faults", list_faults},
    {"POST", "/_emulator/faults", add_faults},
    {"DELETE", "/_emulator/faults", clear_faults},
    {"GET", "/_emulator/jobs", list_jobs},
    {"GET", "/_emulator/jobs/([^/]+)", get_job},
    {"POST", "/_emulator/jobs/([^/]+)", control_job},
    {"POST", "/_emulator/next_job", next_job},
    {"POST", "/_emulator/advance", advance},
    {"ANY", "/_emulator/test/echo", echo},
    {"GET", "/_emulator/test/bytes", bytes},
    {"GET", "/_emulator/test/delay", delay},
    {"ANY", "/_emulator/test/status", status},
    {"GET", "/_emulator/test/redirect", redirect},
  }
  for _, r in ipairs(routes) do app:add(r[1], r[2], r[3], {gen = "control"}) end
  return st
end

return M
