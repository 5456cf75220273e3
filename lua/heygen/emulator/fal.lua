--[[ heygen.emulator.fal: the fal.ai queue API (docs/fal-api.md sections 2 and 3) under
the path prefix /fal/ of the emulator's port (fal_url = url .. "/fal").

  POST /fal/{model id}                        submit: 200 {status = "IN_QUEUE", request_id,
                                              response_url, status_url, cancel_url,
                                              queue_position}; the URLs drop the model's
                                              sub-path: /fal/{owner}/{app}/requests/{id}...
  GET  /fal/{owner}/{app}/requests/{id}/status[?logs=1]
                                              202 IN_QUEUE (queue_position) / IN_PROGRESS,
                                              200 COMPLETED (metrics; error + error_type
                                              when the run failed); logs only with logs=1
  GET  /fal/{owner}/{app}/requests/{id}       the output {video = {url, content_type,
                                              file_name, file_size}, seed?}; the run's error
                                              status and body when it failed
  PUT  /fal/{owner}/{app}/requests/{id}/cancel
                                              202 CANCELLATION_REQUESTED, 400
                                              ALREADY_COMPLETED, 404 NOT_FOUND [INF codes]
  GET  /fal/.well-known/jwks.json             the webhook signing key (no auth)

Webhooks (docs 2.4): submit with ?fal_webhook=URL; the answer gains gateway_request_id.
When the request ends (polled or not, see deliver.lua) the URL gets {request_id,
gateway_request_id, status "OK"|"ERROR", payload (what the result GET answers), error
(null | "Invalid status code: N")}, with X-Fal-Webhook-Request-Id, -User-Id, -Timestamp
and -Signature (hex Ed25519 of request_id \n user_id \n timestamp \n sha256_hex(body),
one key pair per process, kept across resets). A cancelled request gets none.

Auth is `Authorization: Key <key>` (the emulator's api_keys; any non-empty key when none
are configured): 401 {"detail": ...} otherwise. Inputs of the known models are checked
as fal does: 422 {"detail": [{loc = {"body", field}, msg, type}]} with X-Fal-Retryable:
false; unknown model ids answer 404. Infrastructure errors carry {"detail", "error_type"}
and the X-Fal-Error-Type header. Every answer carries x-fal-request-id.

Jobs are state jobs of kind "fal" (IN_QUEUE 3 s, IN_PROGRESS 30 s nominal), so
/_emulator/jobs/{request_id} ({stuck}, {fail = {code = error_type, message}},
{complete}) and /_emulator/next_job {kind = "fal", ...} work on them. A cancelled job
reads COMPLETED with error_type "client_cancelled" [INF].

PER-MODEL CONTROL (added here; cleared by /_emulator/reset)

  POST   /_emulator/fal/models/{model id or a prefix of it, down to owner/app}
                                                        spec below; replaces the previous
  GET    /_emulator/fal/models                          {key = spec, ...}
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
         times  = N           applies to the next N submits only (default: until cleared)
  The longest matching prefix wins (fal-ai/kling-video/v3/standard over fal-ai/kling-video).
]]
local reply = require "heygen.emulator.reply"
local media = require "heygen.emulator.media"
local deliver = require "heygen.emulator.deliver"
local sign = require "heygen.emulator.sign"

local M = {}

local int = reply.int

---------------------------------------------------------------------------------------
-- the models fal serves here: required inputs, one-of groups and enumerated values

local function seq(from, to, suffix, first)
  local t = {first}
  for n = from, to do t[#t + 1] = n .. (suffix or "") end
  return t
end

local SEEDANCE = {duration = seq(4, 15, "", "auto"),
                  aspect_ratio = {"auto", "21:9", "16:9", "4:3", "1:1", "3:4", "9:16"}}
local KLING_RATIOS = {"16:9", "9:16", "1:1"}
local VEO = {duration = {"4s", "6s", "8s"}, resolution = {"720p", "1080p", "4k"}}

M.MODELS = {}

local function model(id, required, enums, one_of)
  M.MODELS[id] = {required = required, enums = enums or {}, one_of = one_of}
end

local function with(base, extra)
  local t = {}
  for k, v in pairs(base) do t[k] = v end
  for k, v in pairs(extra or {}) do t[k] = v end
  return t
end

for _, tier in ipairs({"", "fast/"}) do
  local res = tier == "" and {"480p", "720p", "1080p", "4k"} or {"480p", "720p"}
  local enums = with(SEEDANCE, {resolution = res})
  model("bytedance/seedance-2.0/" .. tier .. "text-to-video", {"prompt"}, enums)
  model("bytedance/seedance-2.0/" .. tier .. "image-to-video", {"prompt", "image_url"}, enums)
  model("bytedance/seedance-2.0/" .. tier .. "reference-to-video", {"prompt"}, enums)
end
for _, tier in ipairs({"standard", "pro"}) do
  local base = "fal-ai/kling-video/v3/" .. tier
  model(base .. "/text-to-video", {}, {duration = seq(3, 15), aspect_ratio = KLING_RATIOS},
        {"prompt", "multi_prompt"})
  model(base .. "/image-to-video", {"start_image_url"}, {duration = seq(3, 15)}, {"prompt", "multi_prompt"})
end
model("fal-ai/kling-video/v2.1/master/text-to-video", {"prompt"},
      {duration = {"5", "10"}, aspect_ratio = KLING_RATIOS})
for _, tier in ipairs({"master", "pro", "standard"}) do
  model("fal-ai/kling-video/v2.1/" .. tier .. "/image-to-video", {"prompt", "image_url"}, {duration = {"5", "10"}})
end
local HAILUO = {duration = {"6", "10"}}
model("fal-ai/minimax/hailuo-02/standard/text-to-video", {"prompt"}, HAILUO)
model("fal-ai/minimax/hailuo-02/standard/image-to-video", {"prompt", "image_url"},
      with(HAILUO, {resolution = {"512P", "768P"}}))
model("fal-ai/minimax/hailuo-02/pro/text-to-video", {"prompt"})
model("fal-ai/minimax/hailuo-02/pro/image-to-video", {"prompt", "image_url"})
model("fal-ai/minimax/hailuo-2.3/standard/text-to-video", {"prompt"}, HAILUO)
model("fal-ai/minimax/hailuo-2.3/pro/text-to-video", {"prompt"})
for _, app in ipairs({"hailuo-2.3", "hailuo-2.3-fast"}) do
  model("fal-ai/minimax/" .. app .. "/standard/image-to-video", {"prompt", "image_url"}, HAILUO)
  model("fal-ai/minimax/" .. app .. "/pro/image-to-video", {"prompt", "image_url"})
end
for _, tier in ipairs({"", "/fast"}) do
  local base = "fal-ai/veo3.1" .. tier
  model(base, {"prompt"}, with(VEO, {aspect_ratio = {"16:9", "9:16"}}))
  model(base .. "/image-to-video", {"prompt", "image_url"}, with(VEO, {aspect_ratio = {"auto", "16:9", "9:16"}}))
  model(base .. "/first-last-frame-to-video", {"prompt", "first_frame_url", "last_frame_url"}, VEO)
end
model("fal-ai/veo3.1/reference-to-video", {"prompt", "image_urls"}, VEO)

-- Seedance answers with a seed too (doc 3.1).
local function has_seed(model_id) return model_id:find("seedance", 1, true) ~= nil end

---------------------------------------------------------------------------------------
-- answers

-- error_type and detail per HTTP status (doc 2.5) for injected rejections.
local DEFAULT_ERRORS = {
  [400] = {"bad_request", "Bad request"},
  [401] = {nil, "Invalid API key"},
  [403] = {nil, "You do not have access to this application"},
  [404] = {nil, "Application not found"},
  [429] = {nil, "Too many concurrent requests"},
  [500] = {"internal_error", "Internal server error"},
  [502] = {"runner_incomplete_response", "Runner returned an incomplete response"},
  [503] = {"runner_scheduling_failure", "No runner could be scheduled"},
  [504] = {"request_timeout", "Request timed out"},
}

local STATUS_OF_TYPE = {
  request_timeout = 504, startup_timeout = 504, runner_scheduling_failure = 503,
  runner_connection_timeout = 503, runner_disconnected = 503, runner_connection_refused = 503,
  runner_connection_error = 503, runner_incomplete_response = 502, runner_server_error = 500,
  client_disconnected = 499, client_cancelled = 499, bad_request = 400, internal_error = 500,
}

local function fal_error(status, detail, error_type, extra)
  local d = DEFAULT_ERRORS[status] or {}
  error_type = error_type or d[1]
  local headers = {}
  for k, v in pairs(extra or {}) do headers[k] = v end
  if error_type then headers["X-Fal-Error-Type"] = error_type end
  if status == 422 then headers["X-Fal-Retryable"] = "false" end
  return reply.json(status, {detail = detail or d[2] or "Error", error_type = error_type}, headers)
end

local function invalid(entries)
  return fal_error(422, entries)
end

local function quoted(list)
  local t = {}
  for i, v in ipairs(list) do t[i] = "'" .. v .. "'" end
  return table.concat(t, ", ")
end

local function in_list(list, v)
  for _, x in ipairs(list) do if x == v then return true end end
  return false
end

-- fal's (pydantic's) 422 entries for an input; nil when it is acceptable.
local function check_input(spec, input)
  local errs = {}
  for _, field in ipairs(spec.required) do
    if input[field] == nil or input[field] == reply.null then
      errs[#errs + 1] = {loc = {"body", field}, msg = "field required", type = "value_error.missing"}
    end
  end
  if spec.one_of and input[spec.one_of[1]] == nil and input[spec.one_of[2]] == nil then
    errs[#errs + 1] = {loc = {"body", spec.one_of[1]}, type = "value_error",
                       msg = "either " .. spec.one_of[1] .. " or " .. spec.one_of[2] .. " is required"}
  end
  local names = {}
  for field in pairs(spec.enums) do names[#names + 1] = field end
  table.sort(names)
  for _, field in ipairs(names) do
    local v, allowed = input[field], spec.enums[field]
    if v ~= nil and not in_list(allowed, v) then
      errs[#errs + 1] = {loc = {"body", field}, type = "value_error.const",
                         msg = "unexpected value; permitted: " .. quoted(allowed),
                         ctx = {given = v, permitted = allowed}}
    end
  end
  if #errs > 0 then return errs end
end

---------------------------------------------------------------------------------------
-- jobs

local DEFAULT_LOGS = {"Loading model weights", "Generating video frames", "Encoding video"}

local function app_of(model_id)
  local n = (model_id:find("^workflows/") or model_id:find("^comfy/")) and 3 or 2
  local parts = {}
  for p in model_id:gmatch("[^/]+") do
    parts[#parts + 1] = p
    if #parts == n then break end
  end
  return table.concat(parts, "/")
end

local function uuid(st)
  local h = st:id(32)
  return h:sub(1, 8) .. "-" .. h:sub(9, 12) .. "-4" .. h:sub(14, 16) .. "-a" .. h:sub(18, 20) .. "-" .. h:sub(21, 32)
end

local function urls(req, st, job)
  local base = st:base(req) .. "/fal/" .. job.app .. "/requests/" .. job.id
  return {response_url = base, status_url = base .. "/status", cancel_url = base .. "/cancel"}
end

-- The control for a model: the longest matching prefix of its id, down to its
-- {owner}/{app}. Consumes one use.
local function take_control(st, model_id)
  local app, key = app_of(model_id), model_id
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

-- The fal status name of a job; scripted jobs move one step per status read.
local function fal_status(st, job)
  if job.cancelled then return "CANCELLED" end
  local script = job.script
  if not script then return st:status(job) end
  local step = job.reads - 1
  if script.queue and step <= script.queue then
    job.position = script.queue - step
    return "IN_QUEUE"
  end
  if job.forced then return st:status(job) end
  local logs_left = #job.log_lines - (job.shown or 0)
  if logs_left > 0 or job.stuck then return "IN_PROGRESS" end
  return job.failure and "FAILED" or "COMPLETED"
end

-- How many earlier jobs of the same app are still queued (unscripted jobs).
local function queue_position(st, job)
  if job.position then return job.position end
  local n = 0
  for id, other in pairs(st.jobs) do
    if id == other.id and other.kind == "fal" and other ~= job and other.app == job.app
       and other.seq < job.seq and not other.cancelled and st:status(other) == "IN_QUEUE" then
      n = n + 1
    end
  end
  return n
end

local function logs_of(job, wanted)
  if not wanted then return reply.null end
  local out = {}
  for i = 1, math.min(job.shown or 0, #job.log_lines) do
    out[i] = {message = job.log_lines[i], level = "INFO", source = "USER",
              timestamp = os.date("!%Y-%m-%dT%H:%M:%S", job.created_at + i) .. ".000000"}
  end
  return reply.array(out)
end

local function failure_of(st, job)
  if job.cancelled then return "client_cancelled", "Request was cancelled by the client" end
  local f = st:failure(job)
  return tostring(f.code or "runner_disconnected"), f.message or "Runner disconnected"
end

---------------------------------------------------------------------------------------
-- handlers

local function submit(req, st, model_id)
  local spec = M.MODELS[model_id]
  if not spec then return fal_error(404, "Application '" .. model_id .. "' not found") end
  local input = reply.decode(req.body)
  if type(input) ~= "table" or input[1] ~= nil then
    return invalid("the request body must be a JSON object of the model's inputs")
  end
  local errs = check_input(spec, input)
  if errs then return invalid(errs) end
  local control = take_control(st, model_id) or {}
  local rej = control.reject
  if rej then
    local extra = rej.retry_after and {["Retry-After"] = tostring(rej.retry_after)} or nil
    return fal_error(int(rej.status or 503), rej.detail, rej.error_type, extra)
  end
  local hook = req.query.fal_webhook
  local job = st:create_job("fal", {id = uuid(st), model_id = model_id, app = app_of(model_id),
                                    input = input, reads = 0, shown = 0, result_error = control.result,
                                    fal_webhook = hook ~= "" and hook or nil})
  if control.fail then
    local f = type(control.fail) == "table" and control.fail or {}
    job.failure = {code = f.error_type or "runner_disconnected", message = f.error or "Runner disconnected"}
  end
  if control.stuck then job.stuck = true end
  job.log_lines = control.logs or DEFAULT_LOGS
  if control.queue or control.logs then job.script, job.position = {queue = control.queue}, control.queue end
  local body = urls(req, st, job)
  body.status, body.request_id = "IN_QUEUE", job.id
  if job.fal_webhook then body.gateway_request_id = job.id end
  body.queue_position = int(queue_position(st, job))
  return reply.json(200, body, {["x-fal-request-id"] = job.id})
end

local function find(st, app, id)
  local job = st.jobs[id]
  if job and job.kind == "fal" and job.id == id and job.app == app then return job end
end

local webhook

local function status(req, st, app, id)
  local job = find(st, app, id)
  if not job then return fal_error(404, "Request not found") end
  job.reads = job.reads + 1
  local name = fal_status(st, job)
  local body = urls(req, st, job)
  body.request_id = job.id
  if name == "IN_QUEUE" then
    body.status, body.queue_position = name, int(queue_position(st, job))
    return reply.json(202, body)
  end
  if name == "IN_PROGRESS" then
    job.shown = math.min((job.shown or 0) + 1, #job.log_lines)
    body.status, body.logs = name, logs_of(job, req.query.logs == "1" or req.query.logs == "true")
    return reply.json(202, body)
  end
  job.shown = #job.log_lines
  if job.fal_webhook then webhook(st, req, job) end
  body.status = "COMPLETED"
  body.logs = logs_of(job, req.query.logs == "1" or req.query.logs == "true")
  if name == "COMPLETED" then
    body.metrics = {inference_time = 41.2}
  else
    body.metrics = {}
    body.error_type, body.error = failure_of(st, job)
  end
  return reply.json(200, body)
end

local function result(req, st, app, id)
  local job = find(st, app, id)
  if not job then return fal_error(404, "Request not found") end
  local name = fal_status(st, job)
  local headers = {["x-fal-request-id"] = job.id}
  if name == "IN_QUEUE" or name == "IN_PROGRESS" then
    return fal_error(400, "Request is still in progress", nil, headers)
  elseif name ~= "COMPLETED" then
    local error_type, message = failure_of(st, job)
    return fal_error(STATUS_OF_TYPE[error_type] or 500, message, error_type, headers)
  end
  local e = job.result_error
  if e then return fal_error(int(e.status or 500), e.detail, e.error_type, headers) end
  local bytes = media.body("mp4", job.size)
  local out = {video = {url = st:signed_url(req, job.id .. ".mp4"), content_type = "video/mp4",
                        file_name = "output.mp4", file_size = int(type(bytes) == "string" and #bytes or bytes.size)}}
  if has_seed(job.model_id) then out.seed = int(123456789) end
  return reply.json(200, out, headers)
end

M.USER_ID = "emulator-user"
M.KEY_ID = "emulator-1"

-- The process's signing key {file, public} (made by openssl when first needed, never
-- reset; its file is removed when the emulator stops).
local function keys(st)
  if not st.fal_keys then st.fal_keys = sign.ed25519_key() end
  return st.fal_keys
end

-- The webhook of an ended request, once (a poll and the sweep share job.fal_sent); true
-- once there is nothing more to send.
function webhook(st, req, job)
  if job.fal_sent then return true end
  local name = fal_status(st, job)
  if name == "CANCELLED" then job.fal_sent = "cancelled" return true end
  if name == "IN_QUEUE" or name == "IN_PROGRESS" then return false end
  job.fal_sent = true
  local res = result(req, st, job.app, job.id)
  local ok = res.status == 200
  local body = reply.encode({request_id = job.id, gateway_request_id = job.id, status = ok and "OK" or "ERROR",
                             payload = reply.decode(res.body) or reply.null,
                             error = ok and reply.null or ("Invalid status code: " .. res.status)})
  local ts = string.format("%d", os.time())
  local signed = job.id .. "\n" .. M.USER_ID .. "\n" .. ts .. "\n" .. sign.sha256(body)
  local sig = sign.hex(sign.ed25519_sign(keys(st), signed))
  deliver.send(st, {url = job.fal_webhook, body = body, event_id = job.id, signed = true,
                    event_type = ok and "fal.OK" or "fal.ERROR",
                    headers = {{"X-Fal-Webhook-Request-Id", job.id}, {"X-Fal-Webhook-User-Id", M.USER_ID},
                               {"X-Fal-Webhook-Timestamp", ts}, {"X-Fal-Webhook-Signature", sig}}})
  return true
end

-- The sweep's watcher (deliver.lua): requests submitted with fal_webhook.
function M.watch(st, job, req)
  if job.kind ~= "fal" or not job.fal_webhook then return false end
  return webhook(st, req, job)
end

local function jwks(_, st)
  return reply.json(200, {keys = {{kty = "OKP", crv = "Ed25519", x = deliver.base64url(keys(st).public),
                                   kid = M.KEY_ID, use = "sig", alg = "EdDSA"}}})
end

local function cancel(_, st, app, id)
  local job = find(st, app, id)
  if not job then return reply.json(404, {status = "NOT_FOUND"}) end
  local name = fal_status(st, job)
  if name ~= "IN_QUEUE" and name ~= "IN_PROGRESS" then
    return reply.json(400, {status = "ALREADY_COMPLETED"})
  end
  job.cancelled = true
  return reply.json(202, {status = "CANCELLATION_REQUESTED"})
end

local function authorize(req, st)
  local h = req.headers.authorization
  if h == nil or h == "" then return fal_error(401, "Missing Authorization header: use 'Key <FAL_KEY>'") end
  local key = h:match("^Key%s+(.+)$")
  if not key then return fal_error(401, "Authorization must use the Key scheme") end
  if not st:authorized(key) then return fal_error(401, "Invalid API key") end
end

---------------------------------------------------------------------------------------
-- control

local CONTROL_KEYS = {reject = "table", fail = "any", result = "table", stuck = "boolean",
                      queue = "number", logs = "table", times = "number"}

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

local function clear_models(_, st)
  st.fal_models = {}
  return reply.json(200, {ok = true})
end

function M.register(app, st)
  st.kinds.fal = {phases = {{"IN_QUEUE", 3}, {"IN_PROGRESS", 30}}, done = "COMPLETED", failed = "FAILED",
                  failure = {code = "runner_disconnected", message = "Runner disconnected"}}
  st.fal_models = {}
  local base_reset = st.reset
  st.reset = function(self)
    base_reset(self)
    self.fal_models = {}
  end
  st.webhooks:watcher(M.watch)
  local auth = {auth = authorize, gen = "fal"}
  app:add("GET", "/fal/%.well%-known/jwks%.json", jwks, {gen = "fal"})
  app:add("GET", "/fal/(.+)/requests/([^/]+)/status", status, auth)
  app:add("GET", "/fal/(.+)/requests/([^/]+)", result, auth)
  app:add("PUT", "/fal/(.+)/requests/([^/]+)/cancel", cancel, auth)
  app:add("POST", "/fal/(.+)", submit, auth)
  app:add("POST", "/_emulator/fal/models/(.+)", set_model, {gen = "control"})
  app:add("GET", "/_emulator/fal/models", list_models, {gen = "control"})
  app:add("DELETE", "/_emulator/fal/models", clear_models, {gen = "control"})
end

return M
