--[[ heygen.emulator.fal.queue: the fal.ai queue API (docs/fal-api.md sections 2 and 3) under
the path prefix /fal/ of the emulator's port (fal_url = url .. "/fal"), and the synchronous
host under /fal-run/.

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
  POST /fal-run/{model id}                    https://fal.run: synchronous, answers when
                                              the request ends (the result route's answer)

Submit with ?fal_webhook=URL and the answer gains gateway_request_id; the webhook is
fal/webhooks.lua's. Inputs are checked against fal/models.lua; a model's test control
(fal/control.lua) is taken at submit.

Jobs are state jobs of kind "fal" (M.KIND: IN_QUEUE 3 s, IN_PROGRESS 30 s nominal), so
/_emulator/jobs/{request_id} ({stuck}, {fail = {code = error_type, message}},
{complete}) and /_emulator/next_job {kind = "fal", ...} work on them. A cancelled job
reads COMPLETED with error_type "client_cancelled" [INF].]]
local reply = require "heygen.emulator.reply"
local media = require "heygen.emulator.media"
local httpd = require "heygen.emulator.httpd"
local A = require "heygen.emulator.fal.answers"
local models = require "heygen.emulator.fal.models"
local controls = require "heygen.emulator.fal.control"
local hooks = require "heygen.emulator.fal.webhooks"

local int = reply.int
local fal_error, invalid, uuid = A.error, A.invalid, A.uuid
local check_input, has_seed, app_of = models.check_input, models.has_seed, models.app_of

local M = {}

M.KIND = {phases = {{"IN_QUEUE", 3}, {"IN_PROGRESS", 30}}, done = "COMPLETED", failed = "FAILED",
          failure = {code = "runner_disconnected", message = "Runner disconnected"}}

local DEFAULT_LOGS = {"Loading model weights", "Generating video frames", "Encoding video"}

local function urls(req, st, job)
  local base = st:base(req) .. "/fal/" .. job.app .. "/requests/" .. job.id
  return {response_url = base, status_url = base .. "/status", cancel_url = base .. "/cancel"}
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
  local spec = models.MODELS[model_id]
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
  local control = controls.take(st, model_id) or {}
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
    return fal_error(A.STATUS_OF_TYPE[error_type] or 500, message, error_type, headers)
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

-- The webhook of an ended request, once (a poll and the sweep share job.fal_sent); true
-- once there is nothing more to send.
function webhook(st, req, job)
  if job.fal_sent then return true end
  local name = fal_status(st, job)
  if name == "CANCELLED" then job.fal_sent = "cancelled" return true end
  if name == "IN_QUEUE" or name == "IN_PROGRESS" then return false end
  job.fal_sent = true
  hooks.send(st, job, result(req, st, job.app, job.id))
  return true
end

-- The sweep's watcher (deliver.lua): requests submitted with fal_webhook.
function M.watch(st, job, req)
  if job.kind ~= "fal" or not job.fal_webhook then return false end
  return webhook(st, req, job)
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

-- keyed: behind the fal key check (and x-fal-request-id on every answer), see fal.lua.
M.routes = {
  {"GET", "/fal/(.+)/requests/([^/]+)/status/stream", stream, keyed = true},
  {"GET", "/fal/(.+)/requests/([^/]+)/status", status, keyed = true},
  {"GET", "/fal/(.+)/requests/([^/]+)", result, keyed = true},
  {"PUT", "/fal/(.+)/requests/([^/]+)/cancel", cancel, keyed = true},
  {"POST", "/fal/(.+)", submit, keyed = true},
  {"POST", "/fal%-run/(.+)", run, keyed = true},
}

return M
