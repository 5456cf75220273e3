--- fal.ai queue API (../shared/docs/fal-api.md sections 2 and 3):
--   hg:fal_submit(model_id, input) -> Job of kind "fal"
-- POST {fal_url}/{model_id} with the bare input, then the URLs fal returns for
-- status (?logs=1), result and cancel. Every model below has its own input
-- names and formats; they are checked before anything is sent.
--
---@class heygen.Client
---@field fal_submit fun(self: heygen.Client, model_id: string, input: table): heygen.Job|nil, heygen.Error|nil
--
-- A fal job (kind "fal"): job.id is fal's request_id; job.model_id,
-- job.status_url, job.response_url, job.cancel_url; while it runs
-- job.fal_status, job.queue_position (queued only), job.logs (every line) and
-- job.new_logs (those the last poll added), for on_progress. job.result:
-- video_url, content_type, file_name, file_size, seed (Seedance),
-- inference_time, request_id, model_id, output (fal's whole answer).
-- job:cancel() returns true, {status = "CANCELLATION_REQUESTED" | "OK" |
-- "ALREADY_COMPLETED" (the job keeps its real outcome) | "NOT_FOUND"}.
local api = require "heygen.api"
local jobs = require "heygen.job"
local validate = require "heygen.validate"
local errors = require "heygen.errors"
local util = require "heygen.util"
local rules = require "heygen.api.schema.fal"

local M = {}

------------------------------------------------------------------ input rules per model (doc 3.2 - 3.6)

--- Known models: id -> {family=, app=, mode=, schema=, price=} (heygen.api.schema.fal).
M.models = rules.models
M.SEEDANCE_DURATIONS, M.SEEDANCE_RATIOS, M.VEO_DURATIONS = rules.SEEDANCE_DURATIONS, rules.SEEDANCE_RATIOS,
  rules.VEO_DURATIONS

------------------------------------------------------------------ checking a submit

local MODEL_ID = "^[%w][%w%-_%.]*/[%w][%w%-_%.]*[%w%-_%./]*$"

--- The `{owner}/{app}` part of a model id (status, result and cancel live there).
function M.app_of(model_id)
  local n = (model_id:match("^workflows/") or model_id:match("^comfy/")) and 3 or 2
  local parts = {}
  for part in model_id:gmatch("[^/]+") do
    parts[#parts + 1] = part
    if #parts == n then break end
  end
  return table.concat(parts, "/")
end

local function bad(field, message)
  return nil, errors.new { kind = "invalid_argument", field = field, message = message }
end

--- Check a model id and its input; true or nil, invalid_argument error.
function M.check_input(model_id, input)
  if type(model_id) ~= "string" or not model_id:match(MODEL_ID) or model_id:find("//", 1, true)
    or model_id:find("..", 1, true) or model_id:sub(-1) == "/" then
    return bad("model_id", string.format("model_id must look like \"owner/app[/path]\", got %s",
      type(model_id) == "string" and string.format("%q", model_id) or tostring(model_id)))
  end
  if type(input) ~= "table" then
    return bad("input", "input must be a table of the model's inputs, got " .. type(input))
  end
  local known = M.models[model_id]
  if not known then
    local hint = util.closest(model_id, M.models)
    if hint then
      return bad("model_id", string.format("unknown fal model %q (did you mean %q?)", model_id, hint))
    end
    return true
  end
  local ok, err = validate.check(input, known.schema, "")
  if not ok then err.message = err.message .. " (fal model " .. model_id .. ")" end
  return ok, err
end

local SUBMIT_OPTIONS = { webhook_url = true }

--- Check hg:fal_submit's options: true or nil, invalid_argument error.
function M.check_submit_options(opts)
  if opts == nil then return true end
  for k in pairs(opts) do
    if not SUBMIT_OPTIONS[k] then
      return bad(tostring(k), string.format("unknown fal_submit option %q (known: webhook_url)", tostring(k)))
    end
  end
  local url = opts.webhook_url
  if url ~= nil and (type(url) ~= "string" or not url:match("^https?://[^%s/?#]+[^%s]*$")) then
    return bad("webhook_url", string.format("webhook_url must be an http(s) URL, got %s",
      type(url) == "string" and string.format("%q", url) or tostring(url)))
  end
  return true
end

------------------------------------------------------------------ the fal job kind

local STATUS = { IN_QUEUE = "pending", IN_PROGRESS = "processing", COMPLETED = "completed",
  -- not sent by fal, listed by a third-party schema: handled all the same (doc 2.3)
  FAILED = "failed", ERROR = "failed", CANCELED = "cancelled", CANCELLED = "cancelled" }

local CANCELLED_TYPES = { client_cancelled = true, request_cancelled = true }

local DOCUMENTED_HOSTS = { "https://queue.fal.run/", "https://queue.falrun.com/" }

-- A URL fal returned is used only under the client's own fal_url or fal's
-- documented queue hosts: the key is never sent anywhere else.
local function trusted(client, url)
  if type(url) ~= "string" then return false end
  if url:sub(1, #client.fal_url + 1) == client.fal_url .. "/" then return true end
  for _, host in ipairs(DOCUMENTED_HOSTS) do
    if url:sub(1, #host) == host then return true end
  end
  return false
end

local URL_FIELDS = { [""] = "response_url", ["/status"] = "status_url", ["/cancel"] = "cancel_url" }

-- The queue URL of a job: the one fal returned, else the documented shape
-- (a job re-attached by id, e.g. from a journal, knows only its model).
local function queue_url(job, suffix)
  local client = job._state.client
  local given = job[URL_FIELDS[suffix]]
  if trusted(client, given) then return given end
  local model_id = job.model_id or job.provider
  if type(model_id) ~= "string" then
    error(string.format("heygen: fal job %s has no model id: re-attach it with hg:fal_job(model_id, %q)",
      job.id, job.id), 0)
  end
  return client.fal_url .. "/" .. M.app_of(model_id) .. "/requests/" .. job.id .. suffix
end

-- Keep every log line; job.new_logs holds those this poll added. fal sends
-- the whole list each time; a shorter list than before is taken as all new.
local function take_logs(job, logs)
  local seen = job.logs or {}
  job.new_logs = {}
  if type(logs) ~= "table" then return end
  if #logs >= #seen then
    for i = #seen + 1, #logs do job.new_logs[#job.new_logs + 1] = logs[i] end
    job.logs = logs
  else
    for _, line in ipairs(logs) do
      seen[#seen + 1] = line
      job.new_logs[#job.new_logs + 1] = line
    end
    job.logs = seen
  end
end

local function result_of(out, job, status_doc)
  local video = type(out) == "table" and out.video or nil
  if type(video) ~= "table" or type(video.url) ~= "string" then
    return nil, { code = "protocol", message = "the fal result carried no video.url" }
  end
  return { video_url = video.url, content_type = video.content_type, file_name = video.file_name,
    file_size = video.file_size, seed = out.seed, request_id = job.id, model_id = job.model_id,
    inference_time = type(status_doc.metrics) == "table" and status_doc.metrics.inference_time or nil,
    output = out }
end

-- COMPLETED: fetch the output from response_url. An HTTP error answer is the
-- job's failure (doc 2.3); a transport error leaves it to the next poll.
local function fetch_result(job, status_doc)
  local client = job._state.client
  local out, err = client:request { method = "GET", url = queue_url(job, ""), base = "fal", envelope = "fal" }
  if out == nil then
    if (err.status or 0) == 0 then return "processing" end
    -- a content-policy refusal keeps its code, so the job's error is kind content_policy
    local code = err.kind == "content_policy" and "content_policy_violation" or nil
    return "failed", nil, { code = code or err.fal_error_type or err.code or err.status, message = err.message }
  end
  local result, failure = result_of(out, job, status_doc)
  if not result then return "failed", nil, failure end
  return "completed", result
end

local function parse_status(d, job)
  local status = STATUS[d.status] or "processing"
  job.fal_status = d.status
  job.queue_position = d.status == "IN_QUEUE" and d.queue_position or nil
  take_logs(job, d.logs)
  if d.error ~= nil or status == "failed" then
    if CANCELLED_TYPES[d.error_type] then return "cancelled" end
    return "failed", nil, { code = d.error_type, message = tostring(d.error or "the fal request failed") }
  end
  if status == "completed" then return fetch_result(job, d) end
  return status
end

-- Cancel answers (doc 2.3): OK / CANCELLATION_REQUESTED (2xx), ALREADY_COMPLETED
-- (400 on fal, or a 2xx body saying so), NOT_FOUND (404, or a 2xx body).
local function cancel_answer(job, data, err)
  local said = type(data) == "table" and data.status or nil
  if err and err.status == 400 then said = "ALREADY_COMPLETED" end
  if err and err.status == 404 then said = "NOT_FOUND" end
  if said == "ALREADY_COMPLETED" then
    local status, rerr = job:refresh() -- it ended on its own: keep its real outcome
    if not status then return nil, rerr end
    return { status = said }
  end
  if said == nil and err then return nil, err end
  return { status = said or "OK" }
end

jobs.register_kind("fal", {
  status = function(job)
    return { method = "GET", url = queue_url(job, "/status"), query = { logs = 1 }, base = "fal", envelope = "fal" }
  end,
  parse = parse_status,
  cancel = function(job)
    return { method = "PUT", url = queue_url(job, "/cancel"), base = "fal", envelope = "fal" }
  end,
  cancel_answer = cancel_answer,
})

------------------------------------------------------------------ endpoints

-- `any`: the same row whatever the client's `api` says (heygen.api).
api.define("any", {
  fal_submit = {
    http = "POST queue.fal.run/{model_id}",
    args = function(model_id, input, opts)
      return type(model_id) == "string" and model_id ~= "" and (input == nil or type(input) == "table")
        and (opts == nil or type(opts) == "table"), "a model id string, an input table and an optional options table"
    end,
    validate = function(_, model_id, input, opts)
      local ok, err = M.check_input(model_id, input)
      if not ok then return nil, err end
      return M.check_submit_options(opts)
    end,
    request = function(_, model_id, input, opts)
      local query = opts and opts.webhook_url and { fal_webhook = opts.webhook_url } or nil
      return { method = "POST", base = "fal", path = "/" .. model_id, query = query, envelope = "fal",
        creates = true, json = input }
    end,
    job = {
      kind = "fal",
      id = "request_id",
      fields = function(_, d, model_id, _, opts)
        return { model_id = model_id, provider = model_id, status_url = d.status_url,
          response_url = d.response_url, cancel_url = d.cancel_url, queue_position = d.queue_position,
          gateway_request_id = d.gateway_request_id, webhook_url = opts and opts.webhook_url }
      end,
    },
  },
})

local Client = require("heygen.client").Client

--- Re-attach to a fal request by model id and request id (the queue URLs are
-- rebuilt from the model's {owner}/{app}).
---@param model_id string
---@param request_id string
---@return heygen.Job
function Client:fal_job(model_id, request_id)
  if type(model_id) ~= "string" or not model_id:match(MODEL_ID) then
    error("hg:fal_job expects a model id string and a request id", 2)
  end
  return jobs.new(self, "fal", request_id, { model_id = model_id, provider = model_id })
end

M.JWKS_TTL = 3600 -- seconds hg:fal_webhook_keys keeps the keys it fetched

--- fal.ai's webhook signing keys, for heygen.webhook.verify_fal: fetched from the
-- client's fal_jwks_url (docs/fal-api.md 2.4) without credentials, then kept for an hour.
-- opts.refresh = true fetches them again (after a key rotation).
---@return string[]|nil keys, heygen.Error|nil err
function Client:fal_webhook_keys(opts)
  opts = util.check_options("hg:fal_webhook_keys", opts, { refresh = "boolean" })
  local now = os.time()
  local cache = self._fal_jwks
  if cache and not opts.refresh and now - cache.at < M.JWKS_TTL then return cache.keys end
  local body, err = self:request { method = "GET", url = self.fal_jwks_url, auth = false, envelope = "raw" }
  if body == nil then return nil, err end
  local keys, kerr = require("heygen.webhook").fal_keys(body)
  if not keys then return nil, kerr end
  self._fal_jwks = { at = now, keys = keys }
  return keys
end

return M
