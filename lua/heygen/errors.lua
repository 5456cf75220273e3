--- Typed errors: one table shape for every failure the library reports.
--
-- err.kind is one of the kinds below; err.status (HTTP), err.code (API code),
-- err.message, err.request_id, err.retryable, err.job_id where they apply.
-- tostring(err) gives one readable line. No error ever holds a credential.
local M = {}

---@class heygen.Error
---@field kind string
---@field message string
---@field status integer|nil
---@field code string|integer|nil
---@field request_id string|nil
---@field retryable boolean
---@field job_id string|nil
local Error = {}
Error.__index = Error
Error.__name = "heygen.Error"

M.KINDS = {
  invalid_argument = true, auth = true, permission = true, insufficient_credit = true,
  not_found = true, rate_limit = true, conflict = true, server = true, network = true,
  timeout = true, protocol = true, job_failed = true, cancelled = true, url_expired = true,
  io = true, signature = true,
  -- heygen.resume: a create whose outcome the journal cannot know (a legacy create cut
  -- off between sending and the answer); err.intent says how to check and settle it
  maybe_created = true,
  -- a job that stopped to ask (a video agent session waiting for input): err.question is
  -- what it asks; job:reply(answer) and wait again
  needs_input = true,
  -- the provider refused the prompt itself (fal's content_policy_violation, at submit or
  -- at result): another provider is not tried with it (docs/fal-and-selection.md)
  content_policy = true,
  -- the client's spend guard refused a submit that would cross its cap (heygen.budget)
  budget_exceeded = true,
  -- the endpoint is gone (HeyGen's retired v1/v2 workflow endpoint): err.alternative says where to go
  retired = true,
}

local RETRYABLE = { rate_limit = true, server = true, network = true, timeout = true }

function Error:__tostring()
  local extra = {}
  if self.status and self.status > 0 then extra[#extra + 1] = "HTTP " .. self.status end
  if self.code ~= nil then extra[#extra + 1] = "code " .. tostring(self.code) end
  if self.job_id then extra[#extra + 1] = "job " .. self.job_id end
  if self.request_id then extra[#extra + 1] = "request " .. self.request_id end
  local s = "heygen: " .. self.kind .. ": " .. tostring(self.message)
  if #extra > 0 then s = s .. " (" .. table.concat(extra, ", ") .. ")" end
  return s
end

-- Secrets registered by clients; every message is scrubbed of them.
local secrets = setmetatable({}, { __mode = "k" })

--- Register a secret (an API key) to be scrubbed from every error message.
function M.add_secret(owner, value)
  if type(value) == "string" and #value >= 4 then
    secrets[owner] = secrets[owner] or {}
    secrets[owner][value] = true
  end
end

local function plain(s) return (s:gsub("[%^%$%(%)%%%.%[%]%*%+%-%?]", "%%%0")) end

--- Remove every registered secret from s.
function M.scrub(s)
  if type(s) ~= "string" then return s end
  for _, set in pairs(secrets) do
    for secret in pairs(set) do
      if s:find(secret, 1, true) then s = s:gsub(plain(secret), "[redacted]") end
    end
  end
  return s
end

-- A copy of v with every registered secret removed from its strings, nested plain
-- tables (an API's `detail` list) included; objects with a metatable are kept as they are.
-- Tables nested deeper than MAX_DEPTH are dropped, never kept unscrubbed (a key echoed
-- 40 levels down stays hidden; a cycle ends there too).
local MAX_DEPTH = 32
local function scrubbed(v, depth)
  if type(v) == "string" then return M.scrub(v) end
  if type(v) ~= "table" or getmetatable(v) ~= nil then return v end
  if depth > MAX_DEPTH then return "[nested deeper than " .. MAX_DEPTH .. " levels: dropped]" end
  local t = {}
  for k, x in pairs(v) do t[scrubbed(k, depth + 1)] = scrubbed(x, depth + 1) end
  return t
end

-- fal's content-policy refusals: a 422 detail entry, an error_type or a failure code.
local function content_policy(fields)
  if tostring(fields.code or fields.fal_error_type or ""):find("content_policy", 1, true) then return true end
  if type(fields.detail) == "table" then
    for _, d in ipairs(fields.detail) do
      if type(d) == "table" and tostring(d.type or ""):find("content_policy", 1, true) then return true end
    end
  end
  return false
end

-- The kind an answer really means when its status alone says less: a content-policy
-- refusal, and fal's account lock ("User is locked. Reason: Exhausted balance ...", a 403
-- on every billable call), which is the account's, not one model's.
-- Returns the kind and whether the account is locked.
local function refined(fields)
  local kind = fields.kind
  if (kind == "invalid_argument" or kind == "job_failed") and content_policy(fields) then return "content_policy" end
  if kind == "permission" and type(fields.message) == "string" and fields.message:find("^User is locked") then
    return fields.message:lower():find("balance", 1, true) and "insufficient_credit" or kind, true
  end
  return kind, fields.account_locked
end

--- Make an error. fields: kind (required), message, status, code, ...
function M.new(fields)
  assert(M.KINDS[fields.kind], "unknown error kind: " .. tostring(fields.kind))
  local e = setmetatable({}, Error)
  for k, v in pairs(fields) do
    e[k] = scrubbed(v, 0)
  end
  e.kind, e.account_locked = refined(fields)
  e.message = e.message or e.kind
  if e.retryable == nil then e.retryable = RETRYABLE[e.kind] or false end
  return e
end

function M.is(v) return getmetatable(v) == Error end

--- The invalid_argument error for a field that breaks a rule.
--- A value as an error message shows it: a string quoted (cut at 60 bytes), nil as
-- "nothing", anything else as tostring gives it.
function M.shown(value)
  if type(value) == "string" then return string.format("%q", #value > 60 and value:sub(1, 57) .. "..." or value) end
  if value == nil then return "nothing" end
  return tostring(value)
end

function M.invalid(field, rule, value)
  return M.new {
    kind = "invalid_argument", field = field,
    message = string.format("%s %s, got %s", field, rule, M.shown(value)),
  }
end

-- API error codes (v1 numeric, v2/v3 strings, case-insensitive) -> kind.
M.CODE_KINDS = {
  [40009] = "auth", [400112] = "auth", [401057] = "auth", [401056] = "auth", [40102] = "auth",
  [400101] = "auth", unauthorized = "auth", invalid_api_key = "auth",
  [400573] = "permission", [400562] = "permission", [400599] = "permission", [400631] = "permission",
  forbidden = "permission", resource_access_denied = "permission", ai_vendor_access_restricted = "permission",
  insufficient_credit = "insufficient_credit", movio_payment_insufficient_credit = "insufficient_credit",
  quota_exceeded = "insufficient_credit", content_policy_violation = "content_policy",
  [400123] = "rate_limit", rate_limit_exceeded = "rate_limit", trial_video_limit_exceeded = "rate_limit",
  [400664] = "rate_limit",
  [40031] = "not_found", [400144] = "not_found", [400116] = "not_found", [400174] = "not_found",
  not_found = "not_found", resource_not_found = "not_found", video_not_found = "not_found",
  avatar_not_found = "not_found", voice_not_found = "not_found", template_not_found = "not_found",
  request_in_progress = "conflict", conflict = "conflict",
  internal_error = "server",
  invalid_parameter = "invalid_argument", payload_too_large = "invalid_argument",
  [40001] = "invalid_argument", [400175] = "invalid_argument", [40012] = "invalid_argument",
  [400128] = "invalid_argument",
  -- the rest of the documented v1 table (docs/heygen-api.md 1.7)
  [40065] = "invalid_argument", [40039] = "invalid_argument", [400105] = "invalid_argument",
  [40010] = "invalid_argument", [400652] = "invalid_argument", [400621] = "invalid_argument",
  [400624] = "invalid_argument", [40044] = "invalid_argument", [400543] = "invalid_argument",
  [400111] = "invalid_argument", [400561] = "not_found", [400685] = "permission",
}

M.STATUS_KINDS = {
  [400] = "invalid_argument", [401] = "auth", [402] = "insufficient_credit", [403] = "permission",
  [404] = "not_found", [408] = "timeout", [409] = "conflict", [410] = "not_found",
  [413] = "invalid_argument", [422] = "invalid_argument", [429] = "rate_limit",
}

--- The kind for an HTTP status and API code. The status decides for auth
-- (a 401 is auth whatever code the body carries); otherwise a known code wins.
function M.kind_for(status, code)
  if status == 401 then return "auth" end
  local by_code = code ~= nil and (M.CODE_KINDS[code] or M.CODE_KINDS[tostring(code):lower()])
  if by_code then return by_code end
  if status and status >= 500 then return "server" end
  return M.STATUS_KINDS[status] or (status and status >= 400 and "invalid_argument") or "protocol"
end

-- curl error codes -> kind (see libcurl-errors(3)).
local CURL_KINDS = {
  [28] = "timeout", [23] = "io", [3] = "invalid_argument", [1] = "invalid_argument",
  [60] = "network", [35] = "network", [58] = "network", [77] = "network",
}
-- Failures that happen before a byte of the request leaves: safe to retry any method.
M.CURL_NOT_SENT = { [5] = true, [6] = true, [7] = true }

function M.from_transport(rec)
  return M.new {
    kind = CURL_KINDS[rec.code] or "network",
    message = rec.error or ("transfer failed (curl code " .. tostring(rec.code) .. ")"),
    curl_code = rec.code,
    retryable = true,
  }
end

M.Error = Error
return M
