-- heygen.emulator.fal.answers: fal's error answers and ids, shared by the fal routes.
--   error(status, detail, error_type, headers) -> {"detail", "error_type"} with the
--     X-Fal-Error-Type header (422s: X-Fal-Retryable: false); detail and error_type default
--     from the status (docs/fal-api.md 2.5)
--   invalid(entries) -> a 422 (pydantic's {loc, msg, type} entries, or a message)
--   STATUS_OF_TYPE: the HTTP status of an error_type
--   with_id(res, id): sets x-fal-request-id unless the answer has one; uuid(st): a fresh id
local reply = require "heygen.emulator.reply"

local M = {}

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

-- Sets x-fal-request-id on an answer unless it has one (every fal answer carries it).
local function with_id(res, id)
  res.headers = res.headers or {}
  if res.headers["x-fal-request-id"] == nil then res.headers["x-fal-request-id"] = id end
  return res
end

local function uuid(st)
  local h = st:id(32)
  return h:sub(1, 8) .. "-" .. h:sub(9, 12) .. "-4" .. h:sub(14, 16) .. "-a" .. h:sub(18, 20) .. "-" .. h:sub(21, 32)
end

M.error, M.invalid, M.STATUS_OF_TYPE, M.with_id, M.uuid = fal_error, invalid, STATUS_OF_TYPE, with_id, uuid

return M
