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
  GET  /fal/{owner}/{app}/requests/{id}/status/stream[?logs=1]
                                              text/event-stream: one `data: {status}` per
                                              change, new log lines only, ends after
                                              COMPLETED (see stream below)
  GET  /fal/.well-known/jwks.json             the webhook signing key (no auth)

Other fal hosts, each under its own prefix of the same port:
  POST /fal-run/{model id}                    https://fal.run: synchronous, answers when
                                              the request ends (the result route's answer)
  POST /fal-rest/storage/upload/initiate      https://rest.fal.ai (and rest.alpha.fal.ai):
                                              {content_type, file_name} -> {upload_url,
                                              file_url}
  PUT  /fal-cdn/upload/{id}?Expires=&Signature=
                                              the presigned upload_url (no auth): the bytes
  GET  /fal-cdn/files/{id}/{name}             file_url: the uploaded bytes (public, Range)
  (no multipart upload: files over the official client's 90 MB threshold are not served)

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
and the X-Fal-Error-Type header. Every answer of the fal routes (submit, status, stream,
result, cancel, run, initiate; errors too) carries x-fal-request-id: the request's id,
else a fresh one.

Jobs are state jobs of kind "fal" (IN_QUEUE 3 s, IN_PROGRESS 30 s nominal), so
/_emulator/jobs/{request_id} ({stuck}, {fail = {code = error_type, message}},
{complete}) and /_emulator/next_job {kind = "fal", ...} work on them. A cancelled job
reads COMPLETED with error_type "client_cancelled" [INF].

PER-MODEL CONTROL (added here; cleared by /_emulator/reset)

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
]]
local reply = require "heygen.emulator.reply"
local media = require "heygen.emulator.media"
local deliver = require "heygen.emulator.deliver"
local sign = require "heygen.emulator.sign"
local httpd = require "heygen.emulator.httpd"

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

-- The log lines shown so far, from line `from` (default 1) on; null unless wanted.
local function logs_of(job, wanted, from)
  if not wanted then return reply.null end
  local out = {}
  for i = from or 1, math.min(job.shown or 0, #job.log_lines) do
    out[#out + 1] = {message = job.log_lines[i], level = "INFO", source = "USER",
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

-- Sets x-fal-request-id on an answer unless it has one (every fal answer carries it).
local function with_id(res, id)
  res.headers = res.headers or {}
  if res.headers["x-fal-request-id"] == nil then res.headers["x-fal-request-id"] = id end
  return res
end

-- fal's content-checker refusal (docs/fal-api.md 2.5: a 422 detail entry whose type is a
-- content-policy type, not retryable).
local CONTENT_DETAIL = {{loc = {"body", "prompt"}, type = "content_policy_violation",
                         msg = "The content could not be processed because it contained material flagged "
                               .. "by a content checker."}}
local CONTENT_422 = {status = 422, detail = CONTENT_DETAIL}

local function content_refusal() return fal_error(422, CONTENT_DETAIL) end

-- A new request of model_id from req's body, or nil and the error answer (404 unknown
-- model, 422 bad input, an injected rejection). hook: the webhook URL, if any.
local function create(req, st, model_id, hook)
  local spec = M.MODELS[model_id]
  if not spec then return nil, fal_error(404, "Application '" .. model_id .. "' not found") end
  local input = reply.decode(req.body)
  if type(input) ~= "table" or input[1] ~= nil then
    return nil, invalid("the request body must be a JSON object of the model's inputs")
  end
  local errs = check_input(spec, input)
  if errs then return nil, invalid(errs) end
  if st.fal_account.locked then
    return nil, reply.json(403, {detail = "User is locked. Reason: " .. st.fal_account.reason})
  end
  local control = take_control(st, model_id) or {}
  if control.content_policy == "submit" then return nil, content_refusal() end
  local rej = control.reject
  if rej then
    local extra = rej.retry_after and {["Retry-After"] = tostring(rej.retry_after)} or nil
    return nil, fal_error(int(rej.status or 503), rej.detail, rej.error_type, extra)
  end
  local job = st:create_job("fal", {id = uuid(st), model_id = model_id, app = app_of(model_id),
                                    input = input, reads = 0, shown = 0,
                                    result_error = control.content_policy == "result" and CONTENT_422
                                      or control.result,
                                    fal_webhook = hook})
  if control.fail then
    local f = type(control.fail) == "table" and control.fail or {}
    job.failure = {code = f.error_type or "runner_disconnected", message = f.error or "Runner disconnected"}
  end
  if control.stuck then job.stuck = true end
  job.log_lines = control.logs or DEFAULT_LOGS
  if control.queue or control.logs then job.script, job.position = {queue = control.queue}, control.queue end
  return job
end

local function submit(req, st, model_id)
  local hook = req.query.fal_webhook
  local job, res = create(req, st, model_id, hook ~= "" and hook or nil)
  if not job then return res end
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

local function wants_logs(req) return req.query.logs == "1" or req.query.logs == "true" end

-- One status read (a scripted job moves a step): the HTTP status and the body. Logs start
-- at line log_from (default 1; the stream sends each line once).
local function read_status(req, st, job, log_from)
  job.reads = job.reads + 1
  local name = fal_status(st, job)
  local body = urls(req, st, job)
  body.request_id = job.id
  if name == "IN_QUEUE" then
    body.status, body.queue_position = name, int(queue_position(st, job))
    return 202, body
  end
  if name == "IN_PROGRESS" then
    job.shown = math.min((job.shown or 0) + 1, #job.log_lines)
    body.status, body.logs = name, logs_of(job, wants_logs(req), log_from)
    return 202, body
  end
  job.shown = #job.log_lines
  if job.fal_webhook then webhook(st, req, job) end
  body.status = "COMPLETED"
  body.logs = logs_of(job, wants_logs(req), log_from)
  if name == "COMPLETED" then
    body.metrics = {inference_time = 41.2}
  else
    body.metrics = {}
    body.error_type, body.error = failure_of(st, job)
  end
  return 200, body
end

local function status(req, st, app, id)
  local job = find(st, app, id)
  if not job then return fal_error(404, "Request not found") end
  local code, body = read_status(req, st, job)
  return reply.json(code, body, {["x-fal-request-id"] = job.id})
end

M.STREAM_STEP = 0.05      -- real seconds between the stream's status reads
M.STREAM_KEEPALIVE = 5    -- real seconds without an event before a comment line is sent

--[[ GET .../requests/{id}/status/stream[?logs=1]: Server-Sent Events, one `data: {status}`
event per change (status, queue position, log lines shown), the first at once, and the
stream ends after the COMPLETED event. Each event carries only the log lines not sent
before: the official JS client appends every event's logs to what it already has [INF].
The reads happen between writes through httpd.sleep, so an open stream never blocks the
server; a quiet stream sends a ": keep-alive" comment every STREAM_KEEPALIVE seconds.]]
local function stream(req, st, app, id)
  local job = find(st, app, id)
  if not job then return fal_error(404, "Request not found") end
  local sent_logs, last, last_at, finished = 0, nil, st:now(), false
  local function next_event()
    if finished then return nil end
    while true do
      local code, body = read_status(req, st, job, sent_logs + 1)
      local key = body.status .. ":" .. tostring(body.queue_position) .. ":" .. tostring(job.shown)
                  .. ":" .. tostring(body.error_type)
      if key ~= last or code == 200 then
        last, last_at = key, st:now()
        if wants_logs(req) then sent_logs = job.shown or 0 end
        finished = code == 200
        return "data: " .. reply.encode(body) .. "\n\n"
      end
      httpd.sleep(M.STREAM_STEP)
      if st:now() - last_at >= M.STREAM_KEEPALIVE then
        last_at = st:now()
        return ": keep-alive\n\n"
      end
    end
  end
  return {status = 200, chunks = next_event,
          headers = {["Content-Type"] = "text/event-stream", ["Cache-Control"] = "no-cache",
                     ["x-fal-request-id"] = job.id}}
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

M.SYNC_LIMIT = 600        -- real seconds a synchronous run waits before 504 request_timeout [INF]

--[[ POST /fal-run/{model id} (the synchronous host https://fal.run): the same checks and
controls as a submit, then the answer waits (httpd.sleep, never blocking the server) until
the request ends and is the result route's: the output, or the run's error. No webhook,
no queue URLs. A scripted job moves one step per STREAM_STEP.]]
local function run(req, st, model_id)
  local job, res = create(req, st, model_id, nil)
  if not job then return res end
  local deadline = st:now() + M.SYNC_LIMIT
  while read_status(req, st, job) ~= 200 do
    if st:now() > deadline then
      job.cancelled = true
      return fal_error(504, "Request timed out", "request_timeout", {["x-fal-request-id"] = job.id})
    end
    httpd.sleep(M.STREAM_STEP)
  end
  return result(req, st, job.app, job.id)
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
  local headers = {["x-fal-request-id"] = id}
  if not job then return reply.json(404, {status = "NOT_FOUND"}, headers) end
  local name = fal_status(st, job)
  if name ~= "IN_QUEUE" and name ~= "IN_PROGRESS" then
    return reply.json(400, {status = "ALREADY_COMPLETED"}, headers)
  end
  job.cancelled = true
  return reply.json(202, {status = "CANCELLATION_REQUESTED"}, headers)
end

local function authorize(req, st)
  local h = req.headers.authorization
  if h == nil or h == "" then return fal_error(401, "Missing Authorization header: use 'Key <FAL_KEY>'") end
  local key = h:match("^Key%s+(.+)$")
  if not key then return fal_error(401, "Authorization must use the Key scheme") end
  if not st:authorized(key) then return fal_error(401, "Invalid API key") end
end

---------------------------------------------------------------------------------------
-- storage (the official clients' upload: initiate, then PUT the bytes to upload_url)

M.UPLOAD_TTL = 3600       -- seconds an upload_url stays valid [INF]

-- A file name safe in a path: the last component, other characters than [%w._-] as "_".
local function safe_name(name)
  name = tostring(name):match("([^/\\]*)$"):gsub("[^%w%._%-]", "_")
  if name == "" or name:match("^%.+$") then name = "file" end
  return name
end

--[[ POST /fal-rest/storage/upload/initiate[?storage_type=fal-cdn-v3] (https://rest.fal.ai)
{content_type, file_name} -> {upload_url, file_url}: upload_url is a presigned
PUT /fal-cdn/upload/{id}?Expires=&Signature= (no Authorization, as the client sends it),
file_url GET /fal-cdn/files/{id}/{file_name} (public, serves the PUT's bytes and type).]]
local function initiate(req, st)
  local body = reply.decode(req.body)
  if type(body) ~= "table" or body[1] ~= nil then
    return invalid("the request body must be a JSON object {content_type, file_name}")
  end
  local errs = {}
  for _, field in ipairs({"content_type", "file_name"}) do
    if type(body[field]) ~= "string" or body[field] == "" then
      errs[#errs + 1] = {loc = {"body", field}, msg = "field required", type = "value_error.missing"}
    end
  end
  if #errs > 0 then return invalid(errs) end
  local id, name = st:id(24), safe_name(body.file_name)
  st.fal_files[id] = {content_type = body.content_type, name = name}
  local put_path = "/fal-cdn/upload/" .. id
  local expires = int(st:now() + M.UPLOAD_TTL)
  local base = st:base(req)
  return reply.json(200, {
    upload_url = base .. put_path .. "?Expires=" .. expires .. "&Signature=" .. st:sign(put_path, expires),
    file_url = base .. "/fal-cdn/files/" .. id .. "/" .. name,
  })
end

local function storage_error(code, detail)
  return reply.json(code, {detail = detail})
end

local function put_upload(req, st, id)
  local file = st.fal_files[id]
  local check = st:check_signature(req.path, req.query)
  if check ~= "ok" then
    return storage_error(403, check == "expired" and "Upload URL expired" or "Invalid upload signature")
  end
  if not file then return storage_error(404, "Upload not found") end
  file.bytes = req.body
  local ct = req.headers["content-type"]
  if ct and ct ~= "" then file.content_type = ct end
  return {status = 200, headers = {["Content-Type"] = "text/plain"}, body = ""}
end

local function get_file(_, st, id, name)
  local file = st.fal_files[id]
  if not file or not file.bytes or file.name ~= name then return storage_error(404, "File not found") end
  return {status = 200, ranges = true, body = file.bytes,
          headers = {["Content-Type"] = file.content_type, ETag = '"' .. id .. '"'}}
end

---------------------------------------------------------------------------------------
-- control

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

-- GET /_emulator/fal/registry: the models served, {model id = {required = [...],
-- one_of = [a, b] | absent, enums = {field = [values]}}}, for drivers that build inputs.
local function registry()
  local out = {}
  for id, spec in pairs(M.MODELS) do
    local enums = {}
    for field, values in pairs(spec.enums) do enums[field] = values end
    out[id] = {required = reply.array(spec.required), one_of = spec.one_of,
               enums = next(enums) and enums or reply.null}
  end
  return reply.json(200, out)
end

-- Route handlers wrapped so every answer carries x-fal-request-id: the request's own
-- (the path's id, or the new request's), else a fresh id, as fal's gateway gives each.
local function identified(handler, st)
  return function(req, state, a, b, c)
    local res = handler(req, state, a, b, c)
    if res.headers and res.headers["x-fal-request-id"] then return res end
    return with_id(res, b and b:match("^%x+%-%x+%-%x+%-%x+%-%x+$") and b or uuid(st))
  end
end

function M.register(app, st)
  st.kinds.fal = {phases = {{"IN_QUEUE", 3}, {"IN_PROGRESS", 30}}, done = "COMPLETED", failed = "FAILED",
                  failure = {code = "runner_disconnected", message = "Runner disconnected"}}
  st.fal_models, st.fal_files, st.fal_account = {}, {}, unlocked()
  local base_reset = st.reset
  st.reset = function(self)
    base_reset(self)
    self.fal_models, self.fal_files, self.fal_account = {}, {}, unlocked()
  end
  st.webhooks:watcher(M.watch)
  local auth = {auth = function(req, state)
    local denied = authorize(req, state)
    if denied then return with_id(denied, uuid(state)) end
  end, gen = "fal"}
  local function add(method, pattern, handler, opts) app:add(method, pattern, identified(handler, st), opts) end
  app:add("GET", "/fal/%.well%-known/jwks%.json", jwks, {gen = "fal"})
  add("GET", "/fal/(.+)/requests/([^/]+)/status/stream", stream, auth)
  add("GET", "/fal/(.+)/requests/([^/]+)/status", status, auth)
  add("GET", "/fal/(.+)/requests/([^/]+)", result, auth)
  add("PUT", "/fal/(.+)/requests/([^/]+)/cancel", cancel, auth)
  add("POST", "/fal/(.+)", submit, auth)
  add("POST", "/fal%-run/(.+)", run, auth)
  add("POST", "/fal%-rest/storage/upload/initiate", initiate, auth)
  app:add("PUT", "/fal%-cdn/upload/([^/]+)", put_upload, {gen = "fal"})
  app:add("GET", "/fal%-cdn/files/([^/]+)/([^/]+)", get_file, {gen = "fal"})
  app:add("POST", "/_emulator/fal/models/(.+)", set_model, {gen = "control"})
  app:add("GET", "/_emulator/fal/models", list_models, {gen = "control"})
  app:add("DELETE", "/_emulator/fal/models", clear_models, {gen = "control"})
  app:add("GET", "/_emulator/fal/registry", registry, {gen = "control"})
  app:add("POST", "/_emulator/fal/account", set_account, {gen = "control"})
  app:add("GET", "/_emulator/fal/account", get_account, {gen = "control"})
end

return M
