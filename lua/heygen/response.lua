--- What an answer means: the envelope of each API generation read into data, a typed
-- error for a failed transfer, an HTTP error or a refusal inside a 2xx; Retry-After.
-- (heygen.client sends; this reads.)
local core = require "heygen.core"
local errors = require "heygen.errors"
local util = require "heygen.util"

local M = {}

-- Parse Retry-After: seconds, or an HTTP date.
local function retry_after(headers)
  local v = headers and headers["retry-after"]
  if not v then return nil end
  local n = tonumber(v)
  if n then return math.max(n, 0) end
  local t = util.parse_http_date(v)
  if t then return math.max(t - os.time(), 0) end
end

--- Read a JSON body as the given envelope. Returns ok, payload, doc where
-- payload is the data (ok) or {code=, message=, param=} (not ok).
-- fal's `detail`: a message, or a list of {loc, msg, type} naming the fields (422).
local function fal_message(detail)
  if type(detail) ~= "table" then return tostring(detail) end
  local parts = {}
  for _, d in ipairs(detail) do
    local loc = {}
    for _, l in ipairs(type(d) == "table" and type(d.loc) == "table" and d.loc or {}) do
      if l ~= "body" then loc[#loc + 1] = tostring(l) end
    end
    local msg = type(d) == "table" and d.msg or tostring(d)
    parts[#parts + 1] = (#loc > 0 and (table.concat(loc, ".") .. ": ") or "") .. tostring(msg)
  end
  return "fal rejected the input: " .. table.concat(parts, "; ")
end

local function read_envelope(doc, envelope)
  if type(doc) ~= "table" then return true, doc, doc end
  if envelope == "fal" then
    if doc.detail ~= nil then
      return false, { detail = doc.detail, code = doc.error_type, message = fal_message(doc.detail) }
    end
    return true, doc, doc
  end
  -- v1: a numeric code, 100 on success
  if type(doc.code) == "number" and doc.error == nil and envelope ~= "v3" then
    if doc.code == 100 then return true, doc.data, doc end
    return false, { code = doc.code, message = doc.message or doc.msg }, doc
  end
  -- v2/v3: an error key that is not null
  local e = doc.error
  -- v3: HeyGen's contract types a success answer's `error` as a nullable object of no
  -- required fields (e.g. DELETE /v3/webhooks/endpoints/{id}: {"data": {}, "error": null}),
  -- while an error answer's `error` requires code and message. So with the data there, an
  -- `error` carrying neither ({} or {"param": null}) is no error: success. One with a code
  -- or a message still fails, whatever the status.
  if envelope == "v3" and doc.data ~= nil and type(e) == "table" and e.code == nil and e.message == nil
    and e.detail == nil then
    e = nil
  end
  if e ~= nil and e ~= false then
    if type(e) == "table" then
      return false, { code = e.code, message = e.message or e.detail, param = e.param, doc_url = e.doc_url }, doc
    end
    return false, { message = tostring(e) }, doc
  end
  if doc.detail ~= nil and doc.data == nil then -- FastAPI-style answers
    return false, { message = type(doc.detail) == "string" and doc.detail or core.json_encode(doc.detail) }, doc
  end
  if envelope == "raw" then return true, doc, doc end
  return true, doc.data, doc
end

local function excerpt(body)
  -- keys out first: cut first, a key at the edge would lose its tail and escape the scrub
  body = errors.scrub(body or ""):gsub("%s+", " ")
  if #body > 120 then body = body:sub(1, 117) .. "..." end
  return body
end

local CURL_PARTIAL = 18 -- the connection closed before the announced body was complete

-- A transfer that failed. A body cut short after the status line is a protocol error
-- with that status; anything else is the transport's error.
local function transport_error(rec, request_id)
  if rec.too_large then
    return errors.new {
      kind = "protocol", status = rec.status, request_id = request_id, retryable = false, sent = true,
      curl_code = rec.code,
      message = string.format("the answer is larger than max_response_bytes (%d bytes) and was not read "
        .. "(HTTP %d); raise the client option max_response_bytes if such an answer is expected",
        rec.max_body or 0, rec.status),
    }
  end
  if rec.code == CURL_PARTIAL and rec.status > 0 then
    return errors.new {
      kind = "protocol", status = rec.status, request_id = request_id, retryable = true, sent = true,
      curl_code = rec.code,
      message = string.format("truncated response body (HTTP %d, connection closed after %d bytes): %s",
        rec.status, #(rec.body or ""), excerpt(rec.body)),
    }
  end
  local e = errors.from_transport(rec)
  e.sent = rec.sent
  return e
end

-- Authenticated requests never follow redirects: the key would go with them.
local function redirect_error(rec, request_id)
  local location = (rec.headers or {})["location"] or "?"
  return errors.new {
    kind = "protocol", status = rec.status, request_id = request_id, retryable = false,
    message = string.format("the API answered a redirect (HTTP %d to %s); redirects are not followed "
      .. "on authenticated requests", rec.status, (location:gsub("[?#].*", ""))),
  }
end

--- Turn one completion record into data or a typed error (request_id: from
-- the answer's X-Request-Id or X-Fal-Request-Id).
local function interpret(rec, spec, request_id)
  if rec.code ~= 0 then return nil, transport_error(rec, request_id) end
  local status = rec.status
  if status >= 300 and status < 400 then return nil, redirect_error(rec, request_id) end
  local doc, derr
  if spec.raw_body then
    doc = rec.body
  elseif rec.body ~= "" then
    doc, derr = core.json_decode(rec.body)
  end
  if derr or (doc == nil and status >= 200 and status < 300 and not spec.empty_ok and rec.body == "") then
    -- not the API's JSON: a 2xx we cannot read, or a 5xx from whatever stands in front
    -- of the API (an HTML gateway page); a 4xx keeps its meaning below
    if status < 300 or status >= 500 then
      return nil, errors.new {
        kind = "protocol", status = status, request_id = request_id, retryable = true,
        retry_after = retry_after(rec.headers),
        message = string.format("%s response body (HTTP %d): %s",
          rec.body == "" and "empty" or "malformed", status, excerpt(rec.body)),
      }
    end
  end
  if status >= 200 and status < 300 then
    if spec.raw_body then return doc, rec end
    local ok, payload, whole = read_envelope(doc, spec.envelope)
    if ok then return payload, rec, whole end
    local message = payload.message or "the API answered with an error"
    if payload.param then message = message .. " (param: " .. tostring(payload.param) .. ")" end
    return nil, errors.new {
      kind = errors.kind_for(status, payload.code), status = status, code = payload.code,
      message = message, param = payload.param,
      request_id = request_id, detail = payload.detail,
    }
  end
  -- an error status: read a JSON error body if there is one
  local payload = {}
  if type(doc) == "table" then
    local _, p = read_envelope(doc, spec.envelope)
    if type(p) == "table" then payload = p end
  end
  local message = payload.message
  if not message then
    message = doc == nil and ("HTTP " .. status .. ": " .. excerpt(rec.body)) or ("HTTP " .. status)
  end
  if payload.param then message = message .. " (param: " .. tostring(payload.param) .. ")" end
  local kind = errors.kind_for(status, payload.code)
  local headers = rec.headers or {}
  return nil, errors.new {
    kind = kind, status = status, code = payload.code, message = message, param = payload.param,
    request_id = request_id, detail = payload.detail,
    fal_error_type = headers["x-fal-error-type"],
    retry_after = retry_after(headers),
    retryable = status == 429 or status >= 500 or headers["x-fal-retryable"] == "true"
      -- v3: the first request with this Idempotency-Key is still in flight; wait and ask again
      or (status == 409 and tostring(payload.code):lower() == "request_in_progress"),
  }
end

M.read_envelope = read_envelope
M.interpret = interpret
M.retry_after = retry_after
return M
