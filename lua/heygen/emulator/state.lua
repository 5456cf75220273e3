-- heygen.emulator.state: everything the emulator remembers between requests.
--
-- Jobs advance by clock, not by a background thread: a status read computes the phase
-- from the virtual time elapsed since creation. Virtual time runs `time_scale` times
-- faster than the wall clock (rebased when the scale changes; `advance` jumps it).
local socket = require "socket"
local reply = require "heygen.emulator.reply"
local seed = require "heygen.emulator.seed"

local M = {}

local int = reply.int

--- Job kinds: phases {name, nominal seconds}, then the terminal names.
--- Route modules may add their own (state.kinds.my_kind = {...}).
M.KINDS = {
  video = {
    phases = {{"waiting", 5}, {"pending", 15}, {"processing", 120}},
    done = "completed", failed = "failed",
    failure = {code = 40119, message = "Video is too long",
               detail = "Video is too long (> 3600.0s). Please upgrade your plan to generate longer videos"},
  },
  workflow = {
    phases = {{"submitted", 5}, {"processing", 60}},
    done = "completed", failed = "failed",
    failure = {code = "workflow_failed", message = "workflow internal error: Queue is closed"},
  },
  translate = {
    phases = {{"pending", 30}, {"running", 300}},
    done = "success", failed = "failed",
    failure = {code = "translate_failed", message = "No speech detected in the source video"},
  },
}

-- Credits charged per created job, in quota units (60 units = 1 credit).
M.COST = {video = 60, workflow = 60, translate = 180}

local CONFIG_KEYS = {time_scale = "number", api_keys = "table", url_ttl = "number",
                     quota = "number", log_limit = "number", webhook_plain_http = "boolean"}

local State = {}
State.__index = State
State.__name = "heygen.emulator.State"

local now = socket.gettime

local HEX = {}
for i = 0, 15 do HEX[i + 1] = string.format("%x", i) end

--- A random lower-case hex id of n characters (default 32, like HeyGen video ids).
function State:id(n) -- luacheck: no unused args
  local t = {}
  for i = 1, n or 32 do t[i] = HEX[math.random(1, 16)] end
  return table.concat(t)
end

function State:now() return now() end -- luacheck: no unused args

function State:vnow()
  return self.vbase + (now() - self.rbase) * self.time_scale
end

--- Jumps job time forward by `seconds` of nominal (unscaled) time.
function State:advance(seconds)
  self.vbase = self.vbase + seconds
end

--- Applies a configuration table; nil, message on a bad key or value.
function State:configure(t)
  for k, v in pairs(t) do
    local want = CONFIG_KEYS[k]
    if not want then return nil, "unknown config key '" .. tostring(k) .. "'" end
    if k == "api_keys" and type(v) == "string" then v = {v} end
    if type(v) ~= want then return nil, "config " .. k .. " must be a " .. want end
    if want == "number" and v < 0 then return nil, "config " .. k .. " must be >= 0" end
    if k == "time_scale" and v <= 0 then return nil, "config time_scale must be > 0" end
  end
  if t.time_scale then
    self.vbase, self.rbase = self:vnow(), now()
    self.time_scale = t.time_scale
  end
  if t.api_keys then
    self.api_keys = {}
    for _, key in ipairs(t.api_keys) do self.api_keys[key] = true end
  end
  if t.url_ttl then self.url_ttl = t.url_ttl end
  if t.quota then self.quota = int(t.quota) end
  if t.log_limit then self.log_limit = int(t.log_limit) end
  if t.webhook_plain_http ~= nil then self.webhook_plain_http = t.webhook_plain_http end
  return true
end

function State:config()
  local keys = {}
  for k in pairs(self.api_keys) do keys[#keys + 1] = k end
  table.sort(keys)
  return {time_scale = self.time_scale, api_keys = reply.array(keys), url_ttl = self.url_ttl,
          quota = self.quota, log_limit = self.log_limit, webhook_plain_http = self.webhook_plain_http}
end

--- True when `key` may call the API: configured keys, else any non-empty key.
function State:authorized(key)
  if key == nil or key == "" then return false end
  if next(self.api_keys) == nil then return true end
  return self.api_keys[key] == true
end

---------------------------------------------------------------------------------------
-- jobs

local CONTROL_KEYS = {stuck = true, fail = true, complete = true, size = true, kind = true}

local function check_control(spec)
  if type(spec) ~= "table" then return nil, "job spec must be an object" end
  for k in pairs(spec) do
    if not CONTROL_KEYS[k] then return nil, "unknown job spec key '" .. tostring(k) .. "'" end
  end
  if spec.fail ~= nil and spec.fail ~= true and spec.fail ~= false and type(spec.fail) ~= "table" then
    return nil, "fail must be true or {code=, message=, detail=}"
  end
  if spec.size ~= nil and (type(spec.size) ~= "number" or spec.size < 0) then
    return nil, "size must be a byte count"
  end
  return true
end

local function failure_of(job, fail)
  local d = job.def.failure or {}
  if type(fail) ~= "table" then fail = {} end
  local code = fail.code
  if code == nil then code = d.code end
  if type(code) == "number" then code = int(code) end
  return {code = code, message = fail.message or d.message or "failed",
          detail = fail.detail or fail.message or d.detail or d.message}
end

-- Applies a control spec to a job. fail: fails now (`at_end`: when it would complete).
local function apply_control(job, spec, at_end)
  if spec.stuck ~= nil then job.stuck = spec.stuck and true or nil end
  if spec.size ~= nil then job.size = int(spec.size) end
  if spec.complete then
    job.forced, job.failure, job.stuck = "done", nil, nil
  end
  if spec.fail then
    job.failure = failure_of(job, spec.fail)
    if not at_end then job.forced, job.stuck = "failed", nil end
  end
end

--- Validates and applies `spec` to job `id`; nil, message when unknown or invalid.
function State:control_job(id, spec)
  local ok, err = check_control(spec)
  if not ok then return nil, err end
  local job = self.jobs[id]
  if not job then return nil, "no job " .. tostring(id), 404 end
  apply_control(job, spec, false)
  return job
end

--- Queues a spec for the next created job (of `spec.kind` when given).
function State:next_job(spec)
  local ok, err = check_control(spec)
  if not ok then return nil, err end
  self.next_specs[#self.next_specs + 1] = spec
  return true
end

--- Creates a job of `kind` with extra `fields`; returns it. `fields.id` keeps a given id.
--- fields.list_type ("GENERATED" | "TRANSLATED") also lists it in GET /v1/video.list.
function State:create_job(kind, fields)
  local def = self.kinds[kind]
  assert(def, "unknown job kind " .. tostring(kind))
  local job = fields or {}
  job.id = job.id or self:id()
  job.kind, job.def = kind, def
  job.created_v = job.created_v or self:vnow()
  job.created_at = job.created_at or int(now())
  self.job_seq = self.job_seq + 1
  job.seq = self.job_seq
  for i, spec in ipairs(self.next_specs) do
    if spec.kind == nil or spec.kind == kind then
      table.remove(self.next_specs, i)
      apply_control(job, spec, true)
      break
    end
  end
  self.jobs[job.id] = job
  if job.list_type then self.videos[#self.videos + 1] = job end
  for _, fn in ipairs(self.create_hooks) do fn(self, job) end
  return job
end

--- The job's current status name (one of its kind's phases, or done / failed).
function State:status(job)
  local def = job.def
  if job.forced == "done" then return def.done end
  if job.forced == "failed" then return def.failed end
  if job.fixed_status then return job.fixed_status end
  local t = self:vnow() - job.created_v
  local phases = def.phases
  for i = 1, #phases do
    if t < phases[i][2] then return phases[i][1] end
    t = t - phases[i][2]
  end
  if job.stuck then return phases[#phases][1] end
  if job.failure then return def.failed end
  return def.done
end

--- The failure of a failed job: {code, message, detail}.
function State:failure(job) -- luacheck: no unused args
  return job.failure or failure_of(job, nil)
end

--- Charges quota for a new job; false when the balance is too low (the job then fails
--- at poll time with MOVIO_PAYMENT_INSUFFICIENT_CREDIT, as the community reports).
function State:charge(kind, test)
  if test then return true end
  local cost = M.COST[kind] or 60
  if self.quota < cost then return false end
  self.quota = self.quota - cost
  return true
end

State.CREDIT_FAILURE = {code = "MOVIO_PAYMENT_INSUFFICIENT_CREDIT",
                        message = "Insufficient credit",
                        detail = "Your API wallet does not have enough credits for this video."}

function State:remove_job(id)
  local job = self.jobs[id]
  if not job then return nil end
  self.jobs[id] = nil
  job.deleted = true
  return job
end

function State:job_view(job)
  return {id = job.id, kind = job.kind, status = self:status(job), created_at = job.created_at,
          stuck = job.stuck or false, forced = job.forced or reply.null,
          failure = job.failure or reply.null, size = job.size or reply.null}
end

---------------------------------------------------------------------------------------
-- signed media URLs

local P = 4294967291        -- largest prime below 2^32: products stay below 2^53

--- Hex signature of a media path and expiry (an emulator secret, not cryptography).
function State:sign(path, expires)
  local s = self.secret .. "\n" .. path .. "\n" .. tostring(expires)
  local a, b, c, d = 17, 29, 41, 53
  for i = 1, #s do
    local x = s:byte(i)
    a = (a * 131 + x) % P
    b = (b * 257 + x) % P
    c = (c * 65599 + x) % P
    d = (d * 1000003 + x) % P
  end
  return string.format("%08x%08x%08x%08x", a, b, c, d)
end

--- The base URL as the client reached us (Host header), else the bound address.
function State:base(req)
  local host = req and req.headers.host
  if host and host ~= "" then return (self.scheme or "http") .. "://" .. host end
  return self.base_url
end

--- A fresh presigned URL for /files/<name>, valid `url_ttl` seconds from now.
function State:signed_url(req, name)
  local path = "/files/" .. name
  local expires = int(now() + self.url_ttl)
  return self:base(req) .. path .. "?Expires=" .. expires .. "&Signature=" .. self:sign(path, expires)
end

--- "ok" | "expired" | "bad_signature" for a request to a presigned path.
function State:check_signature(path, query)
  local expires, sig = tonumber(query.Expires or ""), query.Signature
  if not expires or not sig then return "bad_signature" end
  if sig ~= self:sign(path, query.Expires) then return "bad_signature" end
  if expires < now() then return "expired" end
  return "ok"
end

---------------------------------------------------------------------------------------
-- request log

function State:log_request(entry)
  self.log_seq = self.log_seq + 1
  entry.seq = self.log_seq
  local log = self.log
  log[#log + 1] = entry
  if #log > self.log_limit then
    local keep, n = {}, #log
    for i = n - math.floor(self.log_limit / 2) + 1, n do keep[#keep + 1] = log[i] end
    self.log = keep
  end
end

--- Logged requests with seq > since, optionally filtered (method exact, path pattern).
function State:requests(since, method, path)
  local out = {}
  since = since or 0
  for _, e in ipairs(self.log) do
    if e.seq > since and (not method or e.method == method)
       and (not path or reply.path_matches(path, e.path)) then
      out[#out + 1] = e
    end
  end
  return out
end

---------------------------------------------------------------------------------------

--- Back to the start: no jobs, log, faults or queued specs; seed data restored.
function State:reset()
  self.jobs, self.videos, self.assets = {}, {}, {}
  self.log, self.next_specs = {}, {}
  self.job_seq = 0
  self.quota = self.initial_quota
  if self.faults then self.faults:clear() end
  seed.videos(self)
  for _, fn in ipairs(self.reset_hooks) do fn(self) end
end

--- Registers fn(state), run at the end of every reset (route modules' own state).
function State:on_reset(fn)
  self.reset_hooks[#self.reset_hooks + 1] = fn
end

--- Registers fn(state, job), run for every created job (webhook watching).
function State:on_create(fn)
  self.create_hooks[#self.create_hooks + 1] = fn
end

--- opts: time_scale (1), api_keys ({}), url_ttl (7 days), quota, log_limit, base_url,
--- webhook_plain_http (send https:// webhook URLs as plain HTTP).
function M.new(opts)
  opts = opts or {}
  local self = setmetatable({
    time_scale = 1, api_keys = {}, url_ttl = 7 * 86400, log_limit = 100000,
    initial_quota = 2344452, log_seq = 0, vbase = 0, rbase = now(),
    base_url = opts.base_url, catalogue = seed.catalogue, kinds = {}, reset_hooks = {},
    create_hooks = {}, webhook_plain_http = false,
  }, State)
  for k, v in pairs(M.KINDS) do self.kinds[k] = v end
  math.randomseed(math.floor(now() * 1000) % 2147483647)
  self.secret = self:id(32)
  local ok, err = self:configure({time_scale = opts.time_scale, api_keys = opts.api_keys,
                                  url_ttl = opts.url_ttl, log_limit = opts.log_limit,
                                  webhook_plain_http = opts.webhook_plain_http})
  if not ok then return nil, err end
  if opts.quota then self.initial_quota = int(opts.quota) end
  self:reset()
  return self
end

return M
