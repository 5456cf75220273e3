--[[ heygen.emulator.fal.control: the test controls of the fal routes (no auth, not logged).

PER-MODEL CONTROL (cleared by /_emulator/reset)

  POST   /_emulator/fal/models/{model id or a prefix of it, down to owner/app}
                                                        spec below; replaces the previous
  GET    /_emulator/fal/models                          {key = spec, ...}
  GET    /_emulator/fal/registry                        the models served: {id = {required,
                                                        one_of?, enums}} (not cleared)
  DELETE /_emulator/fal/models                          clears them all
  spec:  reject = {status = 503, detail =, error_type =, retry_after =}   submits answer this
                  error and create nothing (default detail/error_type from the status)
         fail   = true | {error = "Runner disconnected", error_type = "runner_disconnected"}
                  jobs end COMPLETED with this error
         result = {status = 422|500|..., detail = string|list, error_type =}
                  jobs complete, but the result GET answers this error
         stuck  = true        jobs never leave IN_PROGRESS
         queue  = N, logs = {"line", ...}
                  scripted progress, one step per status read: queue positions N..0, then
                  IN_PROGRESS adding one log line per read, then the outcome
         content_policy = "submit" | "result"
                  the model refuses the prompt: a 422 {"detail": [{loc = {"body", "prompt"},
                  msg, type = "content_policy_violation"}]} (X-Fal-Retryable: false) at
                  submit (nothing is created), or the job completes and its result GET
                  answers that 422
         times  = N           applies to the next N submits only (default: until cleared)
  The longest matching prefix wins (fal-ai/kling-video/v3/standard over fal-ai/kling-video).

ACCOUNT CONTROL (cleared by /_emulator/reset)
  POST /_emulator/fal/account {locked = true, reason = "Exhausted balance. ..."}
        every billable call (queue submit, synchronous run) answers 403 {"detail": "User is
        locked. Reason: <reason>"}, creating nothing, as fal does for an account out of
        balance; {locked = false} unlocks it. GET /_emulator/fal/account shows the state.

take(st, model_id) is the control a new request of model_id follows (consuming one use);
unlocked() the account's state after a reset.]]
local reply = require "heygen.emulator.reply"
local models = require "heygen.emulator.fal.models"

local int = reply.int

local M = {}

-- The control for a model: the longest matching prefix of its id, down to its
-- {owner}/{app}. Consumes one use.
local function take(st, model_id)
  local app, key = models.app_of(model_id), model_id
  while key do
    local c = st.fal_models[key]
    if c then
      if c.times then
        c.times = c.times - 1
        if c.times <= 0 then st.fal_models[key] = nil end
      end
      return c
    end
    key = #key > #app and key:match("^(.+)/[^/]+$") or nil
  end
end

local CONTROL_KEYS = {reject = "table", fail = "any", result = "table", stuck = "boolean",
                      queue = "number", logs = "table", times = "number", content_policy = "string"}

local function check_control(spec)
  if type(spec) ~= "table" then return "body must be a JSON object" end
  for k, v in pairs(spec) do
    local want = CONTROL_KEYS[k]
    if not want then return "unknown fal model control '" .. tostring(k) .. "'" end
    if want ~= "any" and type(v) ~= want then return "fal model control " .. k .. " must be a " .. want end
  end
  if spec.fail ~= nil and type(spec.fail) ~= "boolean" and type(spec.fail) ~= "table" then
    return "fail must be true or {error=, error_type=}"
  end
  if spec.content_policy and spec.content_policy ~= "submit" and spec.content_policy ~= "result" then
    return "content_policy must be \"submit\" or \"result\""
  end
end

local function control_error(message)
  return reply.json(400, {error = {code = "invalid_control_request", message = message}})
end

local function set_model(req, st, key)
  local spec = reply.decode(req.body)
  local err = check_control(spec)
  if err then return control_error(err) end
  if spec.times then spec.times = int(spec.times) end
  if spec.queue then spec.queue = int(spec.queue) end
  st.fal_models[key] = spec
  return reply.json(200, {ok = true, key = key})
end

local function list_models(_, st) return reply.json(200, st.fal_models) end

M.LOCK_REASON = "Exhausted balance. Top up your balance at fal.ai/dashboard/billing."

local function unlocked() return {locked = false, reason = M.LOCK_REASON} end

local function set_account(req, st)
  local spec = reply.decode(req.body)
  if type(spec) ~= "table" or type(spec.locked) ~= "boolean" then
    return control_error("fal account control: locked must be true or false")
  end
  if spec.reason ~= nil and type(spec.reason) ~= "string" then
    return control_error("fal account control: reason must be a string")
  end
  st.fal_account = {locked = spec.locked, reason = spec.reason or M.LOCK_REASON}
  return reply.json(200, st.fal_account)
end

local function get_account(_, st) return reply.json(200, st.fal_account) end

local function clear_models(_, st)
  st.fal_models = {}
  return reply.json(200, {ok = true})
end

M.take, M.unlocked = take, unlocked

M.routes = {
  {"POST", "/_emulator/fal/models/(.+)", set_model},
  {"GET", "/_emulator/fal/models", list_models},
  {"DELETE", "/_emulator/fal/models", clear_models},
  {"GET", "/_emulator/fal/registry", models.registry},
  {"POST", "/_emulator/fal/account", set_account},
  {"GET", "/_emulator/fal/account", get_account},
}
for _, r in ipairs(M.routes) do r.gen = "control" end

return M
