--- hg:select{...} and hg:generate{...}: provider selection across both
-- gateways, and a job that really falls back.
--
-- hg:generate submits to the best candidate. When that fails for a reason
-- another provider could avoid (a provider or gateway error, a rate limit, the
-- gateway unreachable, the render failing on the provider's side) it moves to
-- the next candidate, within `max_attempts` and `max_cost` (every submitted job
-- counts at its estimated cost, failed ones too: a failed render may be billed).
-- It never falls back on invalid_argument or auth (the user's to fix), never
-- when a failed submit may still have created a job, and submits a replacement
-- only once the failed job is terminal: one request never has two paid jobs
-- running.
--
-- What a failure says about the rest of the list (M.scope):
--   request  the prompt's own problem (bad input, a content-policy refusal): nothing else
--            is tried, no other paid provider sees the prompt
--   gateway  the account or the gateway refused or is gone (a refused key, no credit, a
--            locked account, the gateway unreachable, a retired endpoint): every other
--            candidate on that gateway is skipped; after a retired HeyGen workflow endpoint
--            the fal models of the same family go first
--   app      the provider's service is out (5xx, a runner failure): the other variants
--            of the same fal app are skipped (seedance_2 -> seedance_2_fast)
--   model    only this candidate
-- Skipped candidates are listed in job.skipped ({provider=, reason=}); they are not attempts.
-- With a client budget (heygen.budget) every submit is reserved first.
local errors = require "heygen.errors"
local util = require "heygen.util"
local core = require "heygen.core"
local selector = require "heygen.selector"
local jobs = require "heygen.job"
local api = require "heygen.api"
local budget = require "heygen.budget"

local M = {}

-- Kinds of failure another provider could avoid.
M.FALL_BACK_ON = { server = true, rate_limit = true, network = true, timeout = true, job_failed = true,
  not_found = true, permission = true, insufficient_credit = true, auth = true, retired = true }

-- Failures that end a whole gateway, and fal failure codes that are the app's outage.
M.GATEWAY_KINDS = { auth = true, insufficient_credit = true, network = true, retired = true }
M.APP_FAILURES = { runner_scheduling_failure = true, runner_connection_timeout = true, runner_disconnected = true,
  runner_connection_refused = true, runner_connection_error = true, runner_incomplete_response = true,
  runner_server_error = true, internal_error = true, startup_timeout = true }

--- "request" | "gateway" | "app" | "model": how far the failure `err` reaches.
function M.scope(err)
  if not errors.is(err) then return "model" end
  local kind = err.kind
  if kind == "content_policy" or kind == "invalid_argument" then return "request" end
  if M.GATEWAY_KINDS[kind] or err.account_locked then return "gateway" end
  if kind == "server" or (kind == "job_failed" and M.APP_FAILURES[tostring(err.code)]) then return "app" end
  return "model"
end

M.DEFAULT_ATTEMPTS = 3

local GENERATE_FIELDS = util.merge(selector.FIELDS, {
  prompt = util.merge(selector.FIELDS.prompt, { required = true }),
  fallback = { type = "boolean" },
  max_attempts = { type = "integer", min = 1, max = 10 },
})

---@class heygen.GenerateJob: heygen.Job
---@field provider string the provider of the current (finally: the producing) attempt
---@field gateway string "heygen" | "fal"
---@field attempts table[] {provider=, gateway=, model=, job_id=, est_cost=, error=}
---@field candidates table[] the ranking it works down
local GenerateJob = {}
GenerateJob.__index = GenerateJob
GenerateJob.__name = "heygen.GenerateJob"

function GenerateJob:__tostring()
  return string.format("heygen.GenerateJob (%s via %s %s, %s, attempt %d)", tostring(self.provider),
    tostring(self.kind), tostring(self.id), self.status, #self.attempts)
end

-- Gateways whose 5xx answer to a submit creates nothing (fal: "failed requests
-- that return 5xx are not billed", fal-api.md 2.5) but a 504, which may still run.
M.UNBILLED_5XX = { fal = function(status) return status >= 500 and status ~= 504 end }

--- May the failure `err` of an attempt on `gateway` move on to another provider?
function M.may_fall_back(err, gateway)
  if not errors.is(err) or not M.FALL_BACK_ON[err.kind] then return false end
  if err.maybe_created then -- the submit left and got no clear "no": the job may exist
    local unbilled = M.UNBILLED_5XX[gateway]
    return err.kind == "server" and unbilled ~= nil and unbilled(err.status or 0)
  end
  if err.kind == "timeout" and err.job_id then return false end -- a wait deadline: still running remotely
  return true
end

local function attempt_text(i, a)
  return string.format("%d) %s (%s%s): %s", i, a.provider, a.gateway, a.job_id and (", job " .. a.job_id) or "",
    a.error and (a.error.kind .. ": " .. a.error.message) or "no error")
end

-- The error for a request that ends without a video: the last attempt's
-- error, its message followed by why it stopped, or by every attempt.
local function final_error(job, why)
  local attempts = job.attempts
  local fields = util.merge(attempts[#attempts].error, { attempts = attempts })
  if #attempts == 1 then
    fields.message = fields.message .. " (" .. why .. ")"
  else
    local lines = {}
    for i, a in ipairs(attempts) do lines[i] = attempt_text(i, a) end
    fields.message = string.format("%s after %d attempts: %s", why, #attempts, table.concat(lines, "; "))
  end
  return errors.new(fields)
end

-- Mirror the current job's public fields.
function GenerateJob:_sync()
  local inner = self._state.inner
  self.id, self.kind, self.status = inner.id, inner.kind, inner.status
  self.result, self.error = inner.result, inner.error
  self.queue_position, self.logs, self.new_logs, self.fal_status =
    inner.queue_position, inner.logs, inner.new_logs, inner.fal_status
  self.raw = inner.raw
end

-- Why the next candidate may not be tried, or nil when it may.
function GenerateJob:_stop_reason(err)
  local st = self._state
  if st.cancelled then return "cancelled" end
  if errors.is(err) and err.kind == "content_policy" then
    return "the provider refused the prompt under its content policy: it is not sent to another paid provider"
  end
  if not M.may_fall_back(err, self.gateway) then
    return "no fallback on " .. tostring(err.kind) .. (err.maybe_created and " when the job may exist" or "")
  end
  if not st.fallback then return "no fallback: fallback = false" end
  self:_rule_out(err)
  local next_one = self.candidates[st.next]
  if not next_one then
    return #self.skipped > 0 and string.format("every candidate failed or was skipped (%d skipped)", #self.skipped)
      or "every candidate failed"
  end
  if #self.attempts >= st.max_attempts then return "stopped at max_attempts " .. st.max_attempts end
  if st.max_cost and st.spent + next_one.est_cost > st.max_cost then
    return string.format("stopped: the next candidate, %s at $%.2f, would take the spend past max_cost $%.2f",
      next_one.provider, next_one.est_cost, st.max_cost)
  end
end

-- After the failure `err` of the current attempt: drop the candidates it rules out
-- (recorded in job.skipped) and, after a retired endpoint, put the same family first.
function GenerateJob:_rule_out(err)
  local st, failed = self._state, self.candidates[self._state.next - 1]
  local scope = M.scope(err)
  if scope ~= "gateway" and scope ~= "app" then return end
  local kept, first = {}, {}
  for i = st.next, #self.candidates do
    local c = self.candidates[i]
    local same_gateway = c.gateway == failed.gateway
    if (scope == "gateway" and same_gateway) or (scope == "app" and same_gateway and c.app == failed.app) then
      self.skipped[#self.skipped + 1] = { provider = c.provider, gateway = c.gateway,
        reason = string.format("skipped: %s's %s failed (%s: %s)", failed.provider,
          scope == "gateway" and ("gateway " .. failed.gateway) or ("app " .. failed.app), err.kind, err.message) }
    elseif err.kind == "retired" and c.family == failed.family then
      first[#first + 1] = c
    else
      kept[#kept + 1] = c
    end
  end
  for i = #self.candidates, st.next, -1 do self.candidates[i] = nil end
  for _, list in ipairs { first, kept } do
    for _, c in ipairs(list) do self.candidates[#self.candidates + 1] = c end
  end
end

local function submit(client, candidate)
  local plan = candidate.plan
  return budget.guarded(client, candidate.est_cost, candidate.provider, plan.gateway, function()
    if plan.gateway == "fal" then return api.call(client, "fal_submit", plan.model, plan.input) end
    return M.generate_video(client, plan.input)
  end)
end

-- Submit candidates in turn until one is accepted; nil, err when none is.
function GenerateJob:_submit_next()
  local st = self._state
  while true do
    local c = self.candidates[st.next]
    st.next = st.next + 1
    local a = { provider = c.provider, gateway = c.gateway, model = c.model, est_cost = c.est_cost }
    self.attempts[#self.attempts + 1] = a
    self.provider, self.gateway, self.est_cost = c.provider, c.gateway, c.est_cost
    local job, err = submit(st.client, c)
    if job then
      a.job_id, st.inner = job.id, job
      st.spent = st.spent + c.est_cost
      self.spent = st.spent
      self:_sync()
      return true
    end
    a.error = err
    local why = self:_stop_reason(err)
    if why then return nil, final_error(self, why) end
  end
end

-- The current job failed on the provider's side: record it, move on or give up.
function GenerateJob:_after_failure(err)
  local a = self.attempts[#self.attempts]
  a.error = err
  local why = self:_stop_reason(err)
  if why then
    self.error = final_error(self, why)
    return nil, self.error
  end
  return self:_submit_next()
end

local WAIT_OPTIONS = { timeout = "number", on_progress = "function", poll = "table" }

--- One status request for the current job; a provider-side failure submits
-- the next candidate. Returns the status, or nil, err.
function GenerateJob:refresh()
  local inner = self._state.inner
  local status, err = inner:refresh()
  self:_sync()
  if not status then return nil, err end
  if status == "failed" then
    local ok, ferr = self:_after_failure(inner.error)
    if not ok then return nil, ferr end
  end
  return self.status
end

--- Wait for a video, falling back while the budget allows. Options as Job:wait.
function GenerateJob:wait(opts)
  opts = jobs.check_opts("job:wait", opts, WAIT_OPTIONS)
  local deadline = core.now() + (opts.timeout or 600)
  local progress = opts.on_progress and function()
    self:_sync()
    opts.on_progress(self)
  end
  while true do
    local inner = self._state.inner
    local result, err = inner:wait { timeout = math.max(0, deadline - core.now()), poll = opts.poll,
      on_progress = progress }
    self:_sync()
    if result then return result end
    if inner.status ~= "failed" or self._state.cancelled then return nil, err end
    local ok, ferr = self:_after_failure(inner.error or err)
    if not ok then return nil, ferr end
  end
end

--- Download the video (waiting first, with `opts.wait`). Options as Job:download.
function GenerateJob:download(path, opts)
  opts = opts or {}
  if self.status ~= "completed" then
    local _, err = self:wait(opts.wait)
    if err then return nil, err end
  end
  local rest = util.merge(opts, {})
  rest.wait = nil
  return self._state.inner:download(path, rest)
end

--- Cancel the current job (remotely for fal) and stop falling back.
function GenerateJob:cancel()
  self._state.cancelled = true
  local ok, remote = self._state.inner:cancel()
  self:_sync()
  return ok, remote
end

local Client = require("heygen.client").Client

-- hg:generate_video (the retired workflow endpoint) and hg:fal_submit under the budget
local direct = require "heygen.generate.direct"
M.is_retired, M.generate_video = direct.is_retired, direct.generate_video

------------------------------------------------------------------ the client methods

local function no_candidate(candidates, excluded)
  local lines, keys_only = {}, true
  for _, e in ipairs(excluded) do
    lines[#lines + 1] = e.provider .. ": " .. e.reasons[1]
    if not e.reasons[1]:find("^no .* key") then keys_only = false end
  end
  return errors.new {
    kind = keys_only and "auth" or "invalid_argument", candidates = candidates, excluded = excluded,
    message = "no provider can make this request: " .. table.concat(lines, "; "),
  }
end

-- The candidates in the order to try: the ranking, or the user's own list.
local function ordered(ranked, provider)
  if type(provider) ~= "table" then return ranked end
  local by_name, out = {}, {}
  for _, c in ipairs(ranked) do by_name[c.provider] = c end
  for _, name in ipairs(provider) do out[#out + 1] = by_name[name] end
  return out
end

--- Rank the providers for a request (see heygen.selector): a list of
-- {provider=, gateway=, model=, score=, est_cost=, duration=, reasons={...}},
-- best first, and the excluded providers with their reasons.
---@param req table prompt=, intent=, duration=, aspect_ratio=, image_url=, end_image_url=,
---  reference_image_urls=, audio=, max_cost=, speed=, provider=
---@return table[]|nil candidates
---@return table excluded_or_err
function Client:select(req)
  local ok, err = selector.check(req)
  if not ok then return nil, err end
  return selector.rank(self, req)
end

--- Generate a video with the best provider, falling back to the next ones.
-- provider = "auto" (default) ranks them; a name uses only that provider; a
-- list tries those in order. fallback = false stops at the first failure.
---@param req table the select fields plus fallback=, max_attempts=
---@return heygen.GenerateJob|nil
---@return heygen.Error|nil
function Client:generate(req)
  local ok, err = selector.check(req, GENERATE_FIELDS)
  if not ok then return nil, err end
  local ranked, excluded = selector.rank(self, req)
  local candidates = ordered(ranked, req.provider)
  if #candidates == 0 then return nil, no_candidate(candidates, excluded) end
  local job = setmetatable({ status = "pending", attempts = {}, candidates = util.merge(candidates, {}),
    excluded = excluded, skipped = {}, spent = 0 }, GenerateJob)
  job._state = { client = self, next = 1, spent = 0, fallback = req.fallback ~= false, max_cost = req.max_cost,
    max_attempts = req.max_attempts or M.DEFAULT_ATTEMPTS }
  local submitted, serr = job:_submit_next()
  if not submitted then return nil, serr end
  return job
end

M.GenerateJob = GenerateJob
return M
