-- heygen.emulator.faults: armed faults, matched per request, consumed as they fire.
--
-- A spec (POST /_emulator/faults) is a match plus at most one action, optionally
-- preceded by a delay:
--   match   method ("GET"; any when absent), path (plain prefix or Lua pattern; any when
--           absent), times (default 1; -1 = every time), skip (let N matches pass first)
--   delay   seconds to stall before answering (other connections keep being served)
--   actions status = 429|5xx..  (+ body = string|table, headers = {}, retry_after = N|"date",
--                                  retry_after_date = N: an HTTP-date N seconds from now)
--           reset = "before_body" | "after_body"   close the socket, no answer
--           truncate = N      full Content-Length, only N body bytes, then close
--           drop_after = N    the same, meant for file downloads
--           malformed = true  200 with invalid JSON
--           html = true       502 with an HTML error page (a gateway in front of the API)
--           error_body = true 200 whose body is an error of the endpoint's generation
--           expire = true     403, as a presigned URL past its Expires
--           ignore_range = true   the real answer, its Range header ignored (a 200 of it all)
--           lie_206 = true    the real answer to a Range as a 206 of the whole body from byte 0
--           no_credit = true  402 insufficient_credit in the generation's error shape (heygen-api.md
--                             1.4): the account is out of credits (use times = -1 for every call)
--           retired = true    410 with the generation's error shape and a retirement message
--                             (the v1/v2 endpoints were retired on 2026-11-01, heygen-api.md): e.g.
--                             {path = "/v1/workflows", retired = true, times = -1}
--           (a `body` replaces the default body of status, no_credit and retired)
--   processed = true  the route runs first (its side effects happen: a job is created),
--           then the fault replaces or spoils its answer: the server did the work but the
--           client never learns it (a 5xx, stall or reset after a create was accepted)
local reply = require "heygen.emulator.reply"

local M = {}

local ACTIONS = {"status", "reset", "truncate", "drop_after", "malformed", "html", "error_body", "expire",
                 "ignore_range", "lie_206", "no_credit", "retired"}
local KEYS = {method = "string", path = "string", times = "number", skip = "number",
              delay = "number", body = "any", headers = "table", retry_after = "any",
              retry_after_date = "number", status = "number", reset = "string",
              truncate = "number", drop_after = "number", malformed = "boolean",
              html = "boolean", error_body = "boolean", expire = "boolean", processed = "boolean",
              ignore_range = "boolean", lie_206 = "boolean", no_credit = "boolean", retired = "boolean"}

local Faults = {}
Faults.__index = Faults
Faults.__name = "heygen.emulator.Faults"

local function check(spec)
  if type(spec) ~= "table" then return nil, "fault spec must be an object" end
  for k, v in pairs(spec) do
    local want = KEYS[k]
    if not want then return nil, "unknown fault key '" .. tostring(k) .. "'" end
    if want ~= "any" and type(v) ~= want then return nil, "fault " .. k .. " must be a " .. want end
  end
  local action
  for _, name in ipairs(ACTIONS) do
    if spec[name] ~= nil and spec[name] ~= false then
      if action then return nil, "fault has two actions: " .. action .. " and " .. name end
      action = name
    end
  end
  if not action and not spec.delay then return nil, "fault needs an action or a delay" end
  if spec.reset and spec.reset ~= "before_body" and spec.reset ~= "after_body" then
    return nil, "fault reset must be \"before_body\" or \"after_body\""
  end
  if spec.status and (spec.status < 100 or spec.status > 599) then return nil, "fault status out of range" end
  if spec.times and spec.times ~= -1 and spec.times < 1 then return nil, "fault times must be >= 1 or -1" end
  if spec.delay and spec.delay < 0 then return nil, "fault delay must be >= 0" end
  return action
end

--- Arms a fault; returns it, or nil, message for an invalid spec.
function Faults:add(spec)
  local action, err = check(spec)
  if not action and err then return nil, err end
  for _, k in ipairs({"status", "truncate", "drop_after"}) do spec[k] = reply.int(spec[k]) end
  self.seq = self.seq + 1
  local f = {id = self.seq, spec = spec, action = action, hits = 0,
             method = spec.method and spec.method:upper(), path = spec.path,
             times = reply.int(spec.times or 1), skip = reply.int(spec.skip or 0)}
  self.list[#self.list + 1] = f
  return f
end

--- The first armed fault matching the request, consumed by one use; nil if none.
function Faults:match(req)
  local list = self.list
  for i = 1, #list do
    local f = list[i]
    if (not f.method or f.method == req.method) and (not f.path or reply.path_matches(f.path, req.path)) then
      if f.skip > 0 then
        f.skip = f.skip - 1
      else
        f.hits = f.hits + 1
        if f.times > 0 then
          f.times = f.times - 1
          if f.times == 0 then table.remove(list, i) end
        end
        return f
      end
    end
  end
end

function Faults:clear() self.list = {} end

function Faults:describe()
  local out = {}
  for _, f in ipairs(self.list) do
    out[#out + 1] = {id = f.id, spec = f.spec, action = f.action or "delay",
                     remaining = f.times, skip = f.skip, hits = f.hits}
  end
  return reply.array(out)
end

local HTML_502 = table.concat({
  "<html>", "<head><title>502 Bad Gateway</title></head>", "<body>",
  "<center><h1>502 Bad Gateway</h1></center>", "<hr><center>nginx</center>", "</body>", "</html>", ""}, "\r\n")

local EXPIRED_XML = '<?xml version="1.0" encoding="UTF-8"?>\n' ..
  "<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>\n"

M.EXPIRED_XML = EXPIRED_XML

-- HTTP 200 bodies that carry an error, per generation.
local ERROR_BODIES = {
  v1 = {code = 400105, message = "Blocked words detected"},
  v2 = {error = {code = "internal_error", message = "Internal error, please retry"}, data = reply.null},
  workflow = {error = {code = "internal_error", message = "workflow internal error: Queue is closed"},
              data = reply.null},
  v3 = {error = {code = "internal_error", message = "Internal error, please retry"}},
  fal = {detail = "Internal error", error_type = "internal_error"},
}

-- JSON numbers arrive as floats on Lua 5.4: 2.0 must go out as "2".
local function header_value(v)
  if type(v) == "number" and v == math.floor(v) then return tostring(reply.int(v)) end
  return tostring(v)
end

M.NO_CREDIT_MESSAGE = "Your account has 0 credits but this video requires 10 credits."
M.RETIRED_MESSAGE = "This endpoint was retired on 2026-11-01 with the other v1/v2 endpoints; "
  .. "see https://developers.heygen.com/endpoint-version-comparison"

-- The generation's error answer with a status, code and message (a `body` replaces it).
local function shaped(spec, gen, status, code, message)
  local body = spec.body or reply.error_body(gen, status, code, message)
  return {status = status, headers = {["Content-Type"] = "application/json"},
          body = type(body) == "string" and body or reply.encode(body)}
end

--- The answer for a fault that replaces the handler's (nil for truncate, drop_after,
--- ignore_range, lie_206, reset and pure delays, which the app applies to the real answer).
function M.response(f, gen)
  local spec, action = f.spec, f.action
  if action == "status" then
    local body = spec.body
    if body == nil then body = reply.error_body(gen, spec.status) end
    local headers = {["Content-Type"] = type(body) == "string" and "text/plain" or "application/json"}
    if type(body) ~= "string" then body = reply.encode(body) end
    for k, v in pairs(spec.headers or {}) do headers[k] = header_value(v) end
    if spec.retry_after ~= nil then headers["Retry-After"] = header_value(spec.retry_after) end
    if spec.retry_after_date then
      headers["Retry-After"] = os.date("!%a, %d %b %Y %H:%M:%S GMT", os.time() + spec.retry_after_date)
    end
    return {status = spec.status, headers = headers, body = body}
  elseif action == "malformed" then
    return {status = 200, headers = {["Content-Type"] = "application/json"},
            body = '{"code": 100, "data": {"video_id": "3a5b'}
  elseif action == "html" then
    return {status = 502, headers = {["Content-Type"] = "text/html"}, body = HTML_502}
  elseif action == "error_body" then
    local body = spec.body or ERROR_BODIES[gen] or ERROR_BODIES.v2
    return {status = 200, headers = {["Content-Type"] = "application/json"},
            body = type(body) == "string" and body or reply.encode(body)}
  elseif action == "no_credit" then
    return shaped(spec, gen, 402, "insufficient_credit", M.NO_CREDIT_MESSAGE)
  elseif action == "retired" then
    return shaped(spec, gen, 410, "endpoint_retired", M.RETIRED_MESSAGE)
  elseif action == "expire" then
    return {status = 403, headers = {["Content-Type"] = "application/xml"}, body = EXPIRED_XML}
  end
end

function M.new()
  return setmetatable({list = {}, seq = 0}, Faults)
end

return M
