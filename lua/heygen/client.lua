--- heygen.client{}: options, and the single request path every call takes:
-- build the request, send it through the scheduler, read the envelope, map
-- errors to kinds, retry what is safe to retry.
local core = require "heygen.core"
local scheduler = require "heygen.scheduler"
local errors = require "heygen.errors"
local util = require "heygen.util"
local journal = require "heygen.journal"
local key_rules = require "heygen.client.keys"

local M = {}

---@class heygen.Client
---@field api string "v2" or "v3"
local Client = {}
Client.__index = Client
Client.__name = "heygen.Client"

M.Client = Client

-- Credentials, keyed by client (weak): never a field of the client itself, so printing,
-- dumping or serialising a client cannot show them.
local SECRETS = setmetatable({}, { __mode = "k" })

-- Every option, its default and its check. Unknown names are an error.
local OPTIONS = {
  api_key = { type = "string" },
  fal_key = { type = "string" },
  base_url = { type = "string" },
  upload_url = { type = "string" },
  fal_url = { type = "string" },
  fal_jwks_url = { type = "string" },                 -- fal's webhook signing keys (hg:fal_webhook_keys)
  api = { type = "string", enum = { v2 = true, v3 = true } },
  -- numbers: finite and within [min, max] (NaN, inf or a negative would mean "none" or
  -- "forever" further down), checked when the client is made
  timeout = { type = "number", default = 60, min = 0, max = 31622400 },          -- 0: none
  connect_timeout = { type = "number", default = 10, min = 0, max = 31622400 },
  -- the largest API answer read (decoded bytes; 0: no cap); downloads have none
  max_response_bytes = { type = "number", default = 8 * 1024 * 1024, min = 0, max = 2 ^ 53, integer = true },
  max_retries = { type = "number", default = 2, min = 0, max = 100, integer = true },
  retry_base = { type = "number", default = 1, min = 0, max = 3600 },  -- seconds, first backoff
  retry_cap = { type = "number", default = 30, min = 0, max = 86400 }, -- longest backoff / Retry-After honoured
  poll = { type = "table" },                          -- {initial=, factor=, max=}
  poll_budget = { type = "number", default = 50, min = 0, max = 1e6 }, -- status requests per second, all jobs
  journal = { type = "string" },
  budget = { type = "table" },                        -- {usd =, journal =}: the spend guard (heygen.budget)
  cainfo = { type = "string" },
  capath = { type = "string" },
  prepare_tls = { type = "boolean" },
  user_agent = { type = "string" },
  on_warning = { type = "function" },                 -- fn(message): deprecation notices
  trace = { type = "function" },                      -- fn(event): one call per HTTP attempt
}

local DEFAULT_POLL = { initial = 2, factor = 1.5, max = 15 }
local env, may_send_key, plain_headers = key_rules.env, key_rules.may_send_key, key_rules.plain_headers

--- Create a client. Every field is optional; see docs/client.md.
---@return heygen.Client
function M.new(opts)
  opts = opts or {}
  if type(opts) ~= "table" then error("heygen.client: options table expected", 2) end
  util.check_options("heygen.client", opts, OPTIONS)
  for name, spec in pairs(OPTIONS) do
    if spec.type == "number" then
      util.check_number("heygen.client", name, opts[name], spec.min, spec.max, spec.integer)
    end
  end
  if opts.poll then
    util.check_number("heygen.client", "poll.initial", opts.poll.initial, 0.001, 31622400)
    util.check_number("heygen.client", "poll.factor", opts.poll.factor, 1, 100)
    util.check_number("heygen.client", "poll.max", opts.poll.max, 0.001, 31622400)
  end
  if opts.budget ~= nil then require("heygen.budget").check_option(opts.budget, 2) end
  if opts.user_agent and opts.user_agent:find("%c") then
    -- a CR or LF would end the header and start another one of the caller's making
    error("heygen.client: option 'user_agent' must not contain control characters (CR, LF, ...)", 2)
  end
  local self = setmetatable({}, Client)
  for name, spec in pairs(OPTIONS) do
    if opts[name] == nil then self[name] = spec.default else self[name] = opts[name] end
  end
  self.api = opts.api or env("HEYGEN_API") or "v3"
  local api_key = opts.api_key or env("HEYGEN_API_KEY", "HEYGEN_TOKEN")
  local fal_key = opts.fal_key or env("FAL_KEY", "FAL_AI_API_KEY")
  if api_key == "" then api_key = nil end -- an empty key is no key: fail before sending
  if fal_key == "" then fal_key = nil end
  self.api_key, self.fal_key = nil, nil
  SECRETS[self] = { api_key = api_key, fal_key = fal_key }
  errors.add_secret(self, api_key)
  errors.add_secret(self, fal_key)
  self.base_url = util.trim_slash(opts.base_url or env("HEYGEN_BASE_URL") or "https://api.heygen.com")
  self.upload_url = util.trim_slash(opts.upload_url or env("HEYGEN_UPLOAD_URL") or "https://upload.heygen.com")
  self.fal_url = util.trim_slash(opts.fal_url or env("FAL_QUEUE_URL") or "https://queue.fal.run")
  self.fal_jwks_url = opts.fal_jwks_url or env("FAL_JWKS_URL") or "https://rest.alpha.fal.ai/.well-known/jwks.json"
  self.poll = util.merge(DEFAULT_POLL, opts.poll)
  self.cainfo = opts.cainfo or env("HEYGEN_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE")
  self.user_agent = opts.user_agent or ("heygen-lua/" .. core.VERSION)
  self._warned = {}
  if opts.prepare_tls ~= false and self.base_url:find("^https://") then
    scheduler.prepare_tls(self.cainfo, self.capath) -- the CA parse at setup, not in a host's frame
  end
  if self.journal then
    -- refuse now rather than after a paid create whose id could not be recorded
    local f, err = io.open(self.journal, "a")
    if not f then error("heygen.client: journal: " .. tostring(err), 2) end
    f:close()
  end
  return self
end

function Client:__tostring()
  return string.format("heygen.Client (%s, %s)", self.api, self.base_url)
end

--- True when the gateway has a key: "heygen" or "fal".
function Client:has_key(gateway)
  local keys = SECRETS[self] or {}
  if gateway == "fal" then return keys.fal_key ~= nil end
  return keys.api_key ~= nil
end

------------------------------------------------------------------ requests

local response = require "heygen.response"
local interpret = response.interpret
local read_envelope = response.read_envelope
local header = core.header

-- May this failure be retried for this request?
local function may_retry(idempotent, err)
  if not err.retryable then return false end
  if err.status == 429 then return true end
  if err.curl_code and errors.CURL_NOT_SENT[err.curl_code] and not err.sent then return true end
  -- anything else happened after the request left: only safe when repeating it cannot create twice
  return idempotent
end

local function backoff(self, attempt, err)
  local wait = self.retry_base * 2 ^ (attempt - 1)
  wait = math.min(wait, self.retry_cap) * (0.75 + 0.5 * math.random())
  if err.retry_after then wait = math.min(err.retry_after, self.retry_cap) end
  return wait
end

-- The scheduler's origin of each configured root: that of root .. path for any
-- path starting with "/", found once instead of on every request.
local ROOT_ORIGIN = {}
local function origin_for(root, spec)
  if not root or spec.path:byte(1) ~= 47 then return nil end -- "/"
  local o = ROOT_ORIGIN[root]
  if not o then
    o = scheduler.origin_of(root)
    ROOT_ORIGIN[root] = o
  end
  return o
end

-- The request URL, and the configured root it starts with (nil for spec.url).
local function build_url(self, spec)
  local base, root = spec.url, nil
  if not base then
    root = spec.base == "upload" and self.upload_url or spec.base == "fal" and self.fal_url or self.base_url
    base = root .. spec.path
  end
  if spec.query then
    local q = util.query_string(spec.query)
    if q ~= "" then base = base .. (base:find("?", 1, true) and "&" or "?") .. q end
  end
  return base, root
end

--- The one request path. spec: method, path | url, base ("api"|"upload"|"fal"),
-- query, json (table body), body (raw), content_type, body_file, mime, envelope
-- ("v1"|"v2"|"v3"|"fal"|"raw"), creates (a paid create: never blindly retried),
-- idempotency_key, auth (false for presigned URLs), timeout.
-- Returns data, record, document | nil, err.
function Client:request(spec)
  local method = spec.method or "GET"
  local url, root = build_url(self, spec)
  local gateway = spec.base == "fal" and "fal" or "heygen"
  local key
  if spec.auth ~= false then
    local keys = SECRETS[self] or {}
    key = keys.api_key
    if gateway == "fal" then key = keys.fal_key end -- never the HeyGen key when fal has none
    if not key then
      return nil, errors.new {
        kind = "auth",
        message = (gateway == "fal" and "no fal.ai key: set FAL_KEY or pass fal_key"
          or "no HeyGen API key: set HEYGEN_API_KEY or pass api_key")
          .. " (or HEYGEN_EMULATOR=1 to work offline against the emulator)",
      }
    end
    local sendable = may_send_key(url, root)
    if sendable ~= true then
      return nil, errors.new { kind = "invalid_argument", message = sendable }
    end
  end
  -- the caller's Idempotency-Key (an `idempotency_key =` on the call) replaces the one the
  -- endpoint made, so retrying a call that may have created its render reaches that render
  local ikey, call = spec.idempotency_key, spec.creates and journal.current()
  if spec.creates and call and call.key then
    if ikey then
      ikey = call.key
    elseif call.own_key then
      return nil, errors.new { kind = "invalid_argument", field = "idempotency_key",
        message = string.format("idempotency_key: %s %s sends no Idempotency-Key (only v3 creates take one)",
          method, spec.path or url:gsub("%?.*", "")) }
    end
  end
  local body = spec.body
  local headers, opts
  if key and method == "GET" and body == nil and spec.json == nil and not spec.content_type
    and not spec.idempotency_key and not spec.headers and not spec.body_file and not spec.mime then
    headers = plain_headers(self, gateway, key) -- status polls: the same lines every time
    -- only the fields a plain GET has (heygen.core's defaults: GET, no redirects); details
    -- as below
    opts = { url = url, headers = headers, timeout = spec.timeout or self.timeout,
      connect_timeout = self.connect_timeout, details = false, max_body = self.max_response_bytes }
    if self.cainfo then opts.cainfo = self.cainfo end
    if self.capath then opts.capath = self.capath end
  else
    headers = { ["Accept"] = "application/json", ["User-Agent"] = self.user_agent }
    if key and gateway == "fal" then headers["Authorization"] = "Key " .. key
    elseif key then headers["X-Api-Key"] = key end
    if spec.json ~= nil then
      local bad = util.invalid_utf8_path(spec.json, "")
      if bad then
        return nil, errors.new { kind = "invalid_argument", field = bad,
          message = (bad == "" and "the request body" or bad) .. " must be valid UTF-8 text (JSON carries "
            .. "text as UTF-8); convert it before sending" }
      end
      local err
      body, err = core.json_encode(spec.json)
      if not body then
        return nil, errors.new { kind = "invalid_argument",
          message = "request body cannot be encoded as JSON: " .. err }
      end
      headers["Content-Type"] = "application/json"
    elseif method == "POST" and not body and not spec.body_file and not spec.mime then
      body = "{}" -- the API wants a JSON content type even on empty POSTs
      headers["Content-Type"] = "application/json"
    end
    if spec.content_type then headers["Content-Type"] = spec.content_type end
    if ikey then headers["Idempotency-Key"] = ikey end
    for k, v in pairs(spec.headers or {}) do headers[k] = v end
    opts = {
      method = method, url = url, headers = headers, body = body, body_file = spec.body_file,
      mime = spec.mime, timeout = spec.timeout or self.timeout, connect_timeout = self.connect_timeout,
      cainfo = self.cainfo, capath = self.capath, follow = false,
      details = false, -- no timings or byte counts in the record: nothing here reads them
      max_body = self.max_response_bytes,
    }
  end
  local origin = origin_for(root, spec)
  local idempotent = ikey ~= nil or (method ~= "POST" and method ~= "PATCH" and not spec.creates)
  local deadline, base_timeout = spec.deadline, opts.timeout
  local intent
  if spec.creates and self.journal then
    -- journaled before it is sent: a kill from here on leaves the intent (and its key)
    -- for heygen.resume, never a render no journal knows of
    local jerr
    intent, jerr = journal.open_intent(self, { method = method, path = spec.path, idempotency_key = ikey }, url)
    if not intent then
      return nil, errors.new { kind = "io", message = "the journal could not be written (" .. tostring(jerr)
        .. "), so the create was not sent" }
    end
  end
  local attempt, last_err = 0, nil
  while true do
    attempt = attempt + 1
    if deadline then
      -- the caller's deadline (job:wait{timeout=}) bounds every attempt and every backoff
      local left = deadline - core.now()
      if left <= 0 then
        local err = last_err or errors.new { kind = "timeout", message = "the deadline passed before the request" }
        if intent then journal.close_intent(self, intent, err) end
        return nil, err
      end
      if base_timeout == 0 or base_timeout > left then opts.timeout = math.max(left, 0.01) end
    end
    local started = self.trace and core.now()
    local rec, serr, scode = scheduler.request(opts, nil, nil, origin)
    local data, info, doc, dep, sunset
    if not rec then
      data, info = nil, errors.new { kind = scode == 3 and "invalid_argument" or "network", message = serr }
    else
      -- one pass over the raw header block: the headers table is made only when an
      -- error (or the caller) reads it
      local request_id, fal_request_id
      request_id, fal_request_id, dep, sunset = header(rec, "x-request-id", "x-fal-request-id",
        "deprecation", "sunset")
      data, info, doc = interpret(rec, spec, request_id or fal_request_id)
    end
    if self.trace then
      self.trace {
        method = method, url = url, attempt = attempt, status = rec and rec.status,
        elapsed = core.now() - started, error = data == nil and tostring(info) or nil,
      }
    end
    if data ~= nil or (info and not errors.is(info)) then
      if dep or sunset then self:_notice_deprecation(dep, sunset) end
      if intent then journal.close_intent(self, intent, nil) end
      return data, info, doc
    end
    local err = info
    last_err = err
    err.method, err.path, err.attempts = method, spec.path or url:gsub("%?.*", ""), attempt
    if spec.creates and not may_retry(idempotent, err) and err.kind ~= "rate_limit" then
      if err.kind == "server" or err.kind == "timeout" or err.kind == "network" or err.kind == "protocol" then
        err.message = err.message .. "; the request was sent, so the job may exist: check before creating it again"
        err.maybe_created = true
      end
    end
    local wait = backoff(self, attempt, err)
    if attempt > self.max_retries or not may_retry(idempotent, err)
      or (deadline and core.now() + wait >= deadline) then
      if spec.creates and ikey and not err.maybe_created then
        -- out of retries on a keyed create: it may exist; the same key reaches it
        local sent = not (err.curl_code and errors.CURL_NOT_SENT[err.curl_code] and not err.sent)
        if sent and (err.kind == "server" or err.kind == "timeout" or err.kind == "network"
          or err.kind == "protocol" or (err.status == 409 and err.retryable)) then
          err.maybe_created = true
          err.message = err.message .. string.format("; the request was sent, so the render may exist: "
            .. "call again with idempotency_key = %q to reach it instead of making another", ikey)
        end
      end
      if err.maybe_created and ikey then err.idempotency_key = ikey end
      if intent then journal.close_intent(self, intent, err) end
      return nil, err
    end
    scheduler.sleep(wait)
  end
end

--- Surface an answer's Deprecation/Sunset headers once per client through
-- on_warning.
function Client:_notice_deprecation(dep, sunset)
  local key = tostring(dep) .. "|" .. tostring(sunset)
  if self._warned[key] then return end
  self._warned[key] = true
  local msg = "HeyGen marks its legacy v1/v2 endpoints deprecated"
    .. (sunset and ("; sunset " .. sunset) or "")
    .. (self.api == "v3" and "; this call has no v3 equivalent yet, so it still uses its legacy endpoint"
      or "; calls with a v3 equivalent use it with api = \"v3\"")
  self.last_warning = msg
  if self.on_warning then self.on_warning(msg) end
end

M.read_envelope = read_envelope
M.OPTIONS = OPTIONS
return M
