-- heygen.emulator.reply: JSON responses and the error envelope of each API generation.
--
-- Route modules build their answers with these helpers so every generation keeps its
-- own shape (docs/heygen-api.md section 1):
--   v1        {"code":100,"data":...,"message":"Success"}  /  {"code":40031,"message":"..."}
--   v2        {"error":null,"data":...}                     /  {"error":{"code":"...","message":"..."},"data":null}
--   v3        {"data":...}                                  /  {"error":{"code":"...","message":"...","param"?}}
--   workflow  {"data":...}                                  /  v3-style {"error":{...},"data":null}  [INF]
--   fal       model output                                  /  {"detail":"..."}
local cjson = require "cjson"

local M = {}

M.null = cjson.null

-- lua-cjson 2.1 encodes an empty table as {}; lists that may be empty go through
-- M.array(), which swaps in a marker replaced by [] after encoding.
local EMPTY = "\1heygen-emulator-empty-array\1"
local EMPTY_JSON = cjson.encode(EMPTY)
local EMPTY_PATTERN = EMPTY_JSON:gsub("%p", "%%%0")

function M.array(t)
  if t == nil or next(t) == nil then return EMPTY end
  return t
end

function M.encode(v)
  local s = cjson.encode(v)
  if s:find(EMPTY_JSON, 1, true) then s = s:gsub(EMPTY_PATTERN, "[]") end
  -- lua-cjson 2.1 escapes every "/" as "\/"; the API does not. Every "/" in cjson's
  -- output carries that escape, so dropping it is exact.
  if s:find("\\/", 1, true) then s = s:gsub("\\/", "/") end
  return s
end

--- Decodes a JSON text; nil, message on failure (never raises).
function M.decode(s)
  if s == nil or s == "" then return nil, "empty body" end
  local ok, v = pcall(cjson.decode, s)
  if not ok then return nil, tostring(v) end
  return v
end

local toint = math.tointeger or function(x) return x end

--- An integer for JSON (5.4 keeps integers integral; LuaJIT numbers are already exact).
function M.int(x)
  x = tonumber(x)
  if x == nil then return nil end
  return toint(math.floor(x)) or math.floor(x)
end

--- A JSON response. `extra` headers are merged in.
function M.json(status, value, extra)
  local headers = {["Content-Type"] = "application/json"}
  if extra then for k, v in pairs(extra) do headers[k] = v end end
  return {status = status, headers = headers, body = M.encode(value)}
end

function M.v1(data, message)
  return M.json(200, {code = 100, data = data == nil and M.null or data,
                      message = message == nil and "Success" or message})
end

--- v1 success with the `msg` variant (upload host, webhook lists).
function M.v1_msg(data)
  return M.json(200, {code = 100, data = data, msg = M.null, message = M.null})
end

function M.v2(data) return M.json(200, {error = M.null, data = data}) end
function M.v3(data) return M.json(200, {data = data}) end

-- Per HTTP status: the v1 numeric code, the v2/v3 string code, and a message.
-- v1 codes are from the docs' table where one exists; otherwise the HTTP status [INF].
local BY_STATUS = {
  [400] = {400175, "invalid_parameter", "Invalid parameter"},
  [401] = {400112, "unauthorized", "Unauthorized"},
  [402] = {402, "insufficient_credit", "Insufficient credit"},
  [403] = {400573, "forbidden", "permission denied"},
  [404] = {404, "not_found", "Not found"},
  [405] = {405, "method_not_allowed", "Method not allowed"},
  [409] = {409, "conflict", "Conflict"},
  [413] = {413, "payload_too_large", "Payload too large"},
  [429] = {400123, "rate_limit_exceeded", "Exceed rate limit"},
}

local function defaults(status)
  local d = BY_STATUS[status]
  if d then return d[1], d[2], d[3] end
  if status >= 500 then return status, "internal_error", "Internal server error" end
  return status, "error", "Error"
end

--- The error body of a generation. `code` and `message` default from the status;
--- a numeric code is used for v1, a string code for the others.
function M.error_body(gen, status, code, message, param)
  local v1code, scode, smsg = defaults(status)
  message = message or smsg
  if gen == "v1" then
    return {code = type(code) == "number" and code or v1code, message = message}
  end
  code = type(code) == "string" and code or scode
  if gen == "fal" then return {detail = message} end
  local err = {code = code, message = message, param = param}
  if gen == "v3" then return {error = err} end
  return {error = err, data = M.null}        -- v2, workflow, and anything else
end

function M.error(gen, status, code, message, param, extra)
  return M.json(status, M.error_body(gen, status, code, message, param), extra)
end

--- True when `path` starts with `p`, or matches it as a Lua pattern (a bad pattern
--- simply does not match). Used by fault specs and request-log filters.
function M.path_matches(p, path)
  if path:sub(1, #p) == p then return true end
  local ok, found = pcall(string.find, path, p)
  return ok and found ~= nil
end

--- The API generation a path belongs to, used when a route does not say.
function M.generation(path)
  if path:find("^/v1/workflows") then return "workflow" end
  local g = path:match("^/(v%d)/")
  if g then return g end
  if path:find("^/fal/") or path == "/fal" then return "fal" end
  if path:find("^/files/") then return "files" end
  return "plain"
end

return M
