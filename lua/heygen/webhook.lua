--- heygen.webhook: check and read the webhook deliveries HeyGen and fal.ai POST to you.
--
--   local webhook = require "heygen.webhook"
--   -- a registered HeyGen endpoint (hg:create_webhook_endpoint{} gave its secret):
--   local event, err = webhook.verify(body, headers, secret)
--   -- a per-job callback_url (HeyGen sends those unsigned: match event.callback_id):
--   local event, err = webhook.parse(body)
--   -- fal.ai (?fal_webhook=, hg:fal_submit(model, input, {webhook_url = ...})):
--   local keys = assert(hg:fal_webhook_keys())
--   local event, err = webhook.verify_fal(body, headers, keys)
--
-- `body` is the raw request body, byte for byte (a signature covers exactly those bytes:
-- never re-encode a decoded body). `headers` is a table of name -> value in any case (a
-- list value counts by its first element), or a function(lower_case_name) -> value.
-- Failures are typed errors (heygen.errors): kind "signature" when the delivery cannot
-- be shown to come from the sender (no signature, a wrong one, a stale timestamp), kind
-- "protocol" when a signed body is not the documented JSON, "invalid_argument" when the
-- call itself is wrong (no secret, no keys). No error holds the secret.
local core = require "heygen.core"
local errors = require "heygen.errors"
local util = require "heygen.util"

local M = {}

-- docs/heygen-v3.md 8.4: the header name is not documented; the community's receivers
-- use these three, all with the hex HMAC-SHA256 of the raw body keyed by the secret.
M.HEYGEN_SIGNATURE_HEADERS = { "signature", "x-heygen-signature", "heygen-signature" }
M.TOLERANCE = 300 -- seconds a signed timestamp may be away from our clock (HeyGen, fal)

local OPTIONS = { tolerance = "number", now = "number" } -- a typo raises, naming the option

local function header_of(headers, name)
  if type(headers) == "function" then return headers(name) end
  local v = headers[name]
  if v == nil then
    for k, x in pairs(headers) do
      if type(k) == "string" and k:lower() == name then v = x; break end
    end
  end
  if type(v) == "table" then v = v[1] end
  if type(v) == "string" then return (v:gsub("^%s+", ""):gsub("%s+$", "")) end
  return nil
end

local function signature_error(message)
  return nil, errors.new { kind = "signature", message = message }
end

local function check_call(where, body, headers)
  if type(body) ~= "string" then
    error(string.format("%s: body must be the raw request body (a string), got %s", where, type(body)), 3)
  end
  if type(headers) ~= "table" and type(headers) ~= "function" then
    error(string.format("%s: headers must be a table or a function(name), got %s", where, type(headers)), 3)
  end
end

-- A timestamp header (Unix seconds) within tolerance of now, or the error.
local function fresh(stamp, name, opts)
  local t = tonumber(stamp)
  if not t or not stamp:match("^%d+$") then
    return signature_error(string.format("the %s header is not Unix seconds: %q", name, stamp:sub(1, 40)))
  end
  local now = opts.now or os.time()
  local tolerance = opts.tolerance or M.TOLERANCE
  if math.abs(now - t) > tolerance then
    return signature_error(string.format("the %s header is %d s away from this clock (more than %d s): "
      .. "a replayed or delayed delivery", name, math.floor(math.abs(now - t)), tolerance))
  end
  return true
end

local function decode(body, what)
  local doc, err = core.json_decode(body)
  if type(doc) ~= "table" then
    return nil, errors.new { kind = "protocol",
      message = what .. " body is not a JSON object: " .. tostring(err or type(doc)) }
  end
  return doc
end

-- The event with both spellings of the fields HeyGen has used (docs/heygen-v3.md 8.3:
-- "accept both url and video_url, and both msg and message").
local function normalise(doc)
  if type(doc.event_type) ~= "string" then
    return nil, errors.new { kind = "protocol", message = "the webhook body has no event_type" }
  end
  local data = doc.event_data
  if data == core.json_null or data == nil then data = {} end
  if type(data) ~= "table" then
    return nil, errors.new { kind = "protocol", message = "the webhook event_data is not an object" }
  end
  for _, pair in ipairs { { "url", "video_url" }, { "msg", "message" } } do
    local a, b = pair[1], pair[2]
    if data[a] == nil or data[a] == core.json_null then data[a] = data[b] end
    if data[b] == nil or data[b] == core.json_null then data[b] = data[a] end
  end
  doc.event_data = data
  local ending = doc.event_type:match("%.(%a+)$")
  if ending == "success" then doc.succeeded = true elseif ending == "fail" then doc.succeeded = false end
  local id = data.callback_id
  if id ~= core.json_null then doc.callback_id = id end
  return doc
end

--- The hex HMAC-SHA256 HeyGen puts in a delivery's Signature header.
---@param secret string the endpoint's secret, byte for byte (whsec_... included)
---@param body string
---@return string
function M.sign(secret, body)
  if type(secret) ~= "string" or secret == "" then error("webhook.sign: secret must be a non-empty string", 2) end
  return core.hmac_sha256(secret, body)
end

--- Check a delivery to a registered HeyGen endpoint and read it.
--- Returns the event {event_id, event_type, created_at, event_data, callback_id, succeeded}
--- or nil, err. opts: tolerance (seconds, when a Heygen-Timestamp header is sent), now.
function M.verify(body, headers, secret, opts)
  check_call("webhook.verify", body, headers)
  if type(secret) ~= "string" or secret == "" then
    return nil, errors.new { kind = "invalid_argument", field = "secret",
      message = "webhook.verify: secret must be the endpoint's secret (a non-empty string), got "
        .. (type(secret) == "string" and "an empty string" or type(secret)) }
  end
  opts = util.check_options("webhook.verify", opts, OPTIONS)
  local given, name
  for _, h in ipairs(M.HEYGEN_SIGNATURE_HEADERS) do
    given = header_of(headers, h)
    if given then name = h; break end
  end
  if not given then
    return signature_error("the delivery has no Signature header (per-job callback_url deliveries are "
      .. "unsigned: read those with webhook.parse and match their callback_id)")
  end
  local expected = core.hmac_sha256(secret, body)
  if not core.equal(given:lower(), expected) then
    return signature_error(string.format("the %s header does not match the body: a wrong secret (rotated?), "
      .. "a body changed on the way (it must be the raw bytes), or not from HeyGen", name))
  end
  local stamp = header_of(headers, "heygen-timestamp")
  if stamp then
    local ok, err = fresh(stamp, "Heygen-Timestamp", opts)
    if not ok then return nil, err end
  end
  local doc, err = decode(body, "the webhook")
  if not doc then return nil, err end
  return normalise(doc)
end

--- Read an unsigned delivery (a per-job callback_url): the event as verify gives it.
--- Authenticate it yourself: the callback_id you chose, a secret path in the URL.
function M.parse(body)
  if type(body) ~= "string" then
    error("webhook.parse: body must be the raw request body (a string), got " .. type(body), 2)
  end
  local doc, err = decode(body, "the webhook")
  if not doc then return nil, err end
  return normalise(doc)
end

-- event type prefix -> the job kind it is about, and the event_data field with its id
local JOB_OF = {
  avatar_video = { "video", "video_id" }, avatar_video_gif = { "video", "video_id" },
  avatar_video_caption = { "video", "video_id" }, video_translate = { "translate", "video_translate_id" },
  video_agent = { "video_agent", "session_id" },
  lipsync = { "lipsync", "lipsync_id" }, -- not in HeyGen's event list: the emulator's name for it
}

--- The Job an event (from verify or parse) is about, re-attached through `hg` (nothing is
--- created): `webhook.job(hg, event):download("out.mp4")` after an avatar_video.success.
--- nil, invalid_argument error for events about no job (batch.finished, photo avatars, ...).
---@param hg heygen.Client
---@param event table
---@return heygen.Job|nil job
---@return heygen.Error|nil err
function M.job(hg, event)
  local prefix = type(event) == "table" and type(event.event_type) == "string"
    and event.event_type:match("^(.-)%.[^.]+$")
  local how = prefix and JOB_OF[prefix]
  local data = type(event) == "table" and event.event_data or nil
  local id = how and type(data) == "table" and data[how[2]]
  if type(id) ~= "string" or id == "" then
    return nil, errors.new { kind = "invalid_argument", field = "event",
      message = string.format("webhook.job: %s names no job (events of videos, translations, video agents "
        .. "and lipsyncs do)", type(event) == "table" and tostring(event.event_type) or type(event)) }
  end
  return hg:job(how[1], id)
end

------------------------------------------------------------------ fal.ai

-- docs/fal-api.md 2.4 [3P]: keys from a JWKS (OKP / Ed25519, `x` base64url).
local B64 = {}
do
  local alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
  for i = 1, #alphabet do B64[alphabet:byte(i)] = i - 1 end
  B64[("+"):byte()], B64[("/"):byte()] = 62, 63 -- plain base64 too
end

local function base64url_decode(s)
  s = s:gsub("=+$", "")
  local out, bits, n = {}, 0, 0
  for i = 1, #s do
    local v = B64[s:byte(i)]
    if not v then return nil end
    bits = bits * 64 + v
    n = n + 6
    if n >= 8 then
      n = n - 8
      local byte = math.floor(bits / 2 ^ n)
      out[#out + 1] = string.char(byte)
      bits = bits - byte * 2 ^ n
    end
  end
  return table.concat(out)
end
M.base64url_decode = base64url_decode

local function hex_decode(s)
  if #s % 2 ~= 0 or s:find("[^%x]") then return nil end
  return (s:gsub("%x%x", function(h) return string.char(tonumber(h, 16)) end))
end

--- The Ed25519 public keys of a JWKS (JSON text or its decoded table), as a list of
--- 32-byte strings; nil, err when it holds none.
function M.fal_keys(jwks)
  if type(jwks) == "string" then
    local doc, err = core.json_decode(jwks)
    if type(doc) ~= "table" then
      return nil, errors.new { kind = "protocol", message = "the JWKS is not JSON: " .. tostring(err) }
    end
    jwks = doc
  end
  if type(jwks) ~= "table" or type(jwks.keys) ~= "table" then
    return nil, errors.new { kind = "protocol", message = "the JWKS has no keys list" }
  end
  local keys = {}
  for _, k in ipairs(jwks.keys) do
    if type(k) == "table" and k.kty == "OKP" and k.crv == "Ed25519" and type(k.x) == "string" then
      local raw = base64url_decode(k.x)
      if raw and #raw == 32 then keys[#keys + 1] = raw end
    end
  end
  if #keys == 0 then
    return nil, errors.new { kind = "protocol", message = "the JWKS holds no Ed25519 (OKP) key" }
  end
  return keys
end

local FAL_HEADERS = { { "request-id", "X-Fal-Webhook-Request-Id" }, { "user-id", "X-Fal-Webhook-User-Id" },
  { "timestamp", "X-Fal-Webhook-Timestamp" }, { "signature", "X-Fal-Webhook-Signature" } }

--- Check a fal.ai webhook delivery against keys (hg:fal_webhook_keys() or
--- webhook.fal_keys(jwks)) and read it. The signed message is
--- request_id \n user_id \n timestamp \n sha256_hex(body) (docs/fal-api.md 2.4).
--- Returns {request_id, gateway_request_id, status ("OK"|"ERROR"), ok, payload, error,
--- video_url} or nil, err. opts: tolerance (default 300 s), now.
function M.verify_fal(body, headers, keys, opts)
  check_call("webhook.verify_fal", body, headers)
  if type(keys) ~= "table" or #keys == 0 then
    return nil, errors.new { kind = "invalid_argument", field = "keys",
      message = "webhook.verify_fal: keys must be a list of Ed25519 public keys (hg:fal_webhook_keys())" }
  end
  opts = util.check_options("webhook.verify_fal", opts, OPTIONS)
  local fields = {}
  for _, h in ipairs(FAL_HEADERS) do
    local v = header_of(headers, h[2]:lower())
    if not v or v == "" then
      return signature_error("the delivery has no " .. h[2] .. " header: not a signed fal.ai webhook")
    end
    fields[h[1]] = v
  end
  local ok, err = fresh(fields.timestamp, "X-Fal-Webhook-Timestamp", opts)
  if not ok then return nil, err end
  local sig = hex_decode(fields.signature)
  if not sig or #sig ~= 64 then
    return signature_error("the X-Fal-Webhook-Signature header is not 64 hex-encoded bytes")
  end
  local message = table.concat({ fields["request-id"], fields["user-id"], fields.timestamp, core.sha256(body) }, "\n")
  local good = false
  for _, key in ipairs(keys) do
    if type(key) == "string" and #key == 32 and core.ed25519_verify(key, message, sig) then good = true; break end
  end
  if not good then
    return signature_error("the X-Fal-Webhook-Signature does not verify with any of the "
      .. #keys .. " key(s): not from fal.ai, a changed body, or keys to refresh (hg:fal_webhook_keys{refresh = true})")
  end
  local doc, derr = decode(body, "the fal webhook")
  if not doc then return nil, derr end
  if doc.request_id ~= fields["request-id"] then
    return signature_error("the body's request_id is not the signed X-Fal-Webhook-Request-Id")
  end
  doc.ok = doc.status == "OK"
  if doc.error == core.json_null then doc.error = nil end
  local payload = doc.payload
  if doc.ok and type(payload) == "table" and type(payload.video) == "table" then
    doc.video_url = payload.video.url
  end
  return doc
end

return M
