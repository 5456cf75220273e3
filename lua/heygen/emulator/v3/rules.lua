-- heygen.emulator.v3.rules: the v3 answers (envelopes, errors naming field, rule and value)
-- and the emulator's own rule walker for request bodies, with the pieces rules are built of.
-- Independent of the client's validation (heygen.validate). heygen.emulator.v3.support
-- re-exports every name here; its top comment describes them.
local reply = require "heygen.emulator.reply"

local null = reply.null

local M = {}

M.DOC_URL = "https://developers.heygen.com/docs/error-codes#"

local now = function() return os.time() end

---------------------------------------------------------------------------------------
-- answers

local function v3(data) return reply.json(200, {data = data}) end

local function fail(status, code, message, param)
  return reply.json(status, {error = {code = code, message = message, param = param,
                                      doc_url = M.DOC_URL .. (code:gsub("_", "-"))}})
end

local function show(v)
  if type(v) == "string" then
    if #v > 60 then v = v:sub(1, 57) .. "..." end
    return string.format("%q", v)
  elseif v == null or v == nil then return "null"
  elseif type(v) == "table" then return v[1] ~= nil and "a list" or "an object"
  elseif type(v) == "number" and v == math.floor(v) and math.abs(v) < 2 ^ 53 then
    return string.format("%d", v)    -- JSON 7 decodes as 7.0 under Lua 5.4: said as sent
  end
  return tostring(v)
end

-- 400 invalid_parameter naming the field, the rule and the value.
local function invalid(param, rule, value)
  return fail(400, "invalid_parameter", param .. " " .. rule .. ", got " .. show(value), param)
end

local function not_found(code, what, id)
  return fail(404, code, what .. " " .. tostring(id) .. " not found")
end

local function body_object(req)
  local body = reply.decode(req.body)
  if type(body) ~= "table" or body[1] ~= nil then
    return nil, fail(400, "invalid_parameter", "request body must be a JSON object")
  end
  return body
end

local function iso(t) return os.date("!%Y-%m-%dT%H:%M:%SZ", t) end

local function opt(v) if v ~= null then return v end end

---------------------------------------------------------------------------------------
-- a small rule walker for request bodies: first error wins, as a 400 answer

local function absent(v) return v == nil or v == null end
local function is_list(v) return type(v) == "table" and (next(v) == nil or v[1] ~= nil) end

local TYPES = {
  string = function(v) return type(v) == "string" end,
  number = function(v) return type(v) == "number" end,
  integer = function(v) return type(v) == "number" and v == math.floor(v) end,
  boolean = function(v) return type(v) == "boolean" end,
  object = function(v) return type(v) == "table" and not (next(v) ~= nil and v[1] ~= nil) end,
  array = is_list,
}

local function set(list)
  local t = {}
  for _, v in ipairs(list) do t[v] = true end
  return t
end

local function sorted_keys(t)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
  return keys
end

-- One table from several (later ones win).
local function merge(...)
  local t = {}
  for i = 1, select("#", ...) do
    for k, v in pairs((select(i, ...))) do t[k] = v end
  end
  return t
end

-- Characters of a UTF-8 string (LuaJIT has no utf8 library).
local function chars(s) return #s - #s:gsub("[\128-\191]", "") end

local function names(s)
  local out = sorted_keys(s)
  for i, k in ipairs(out) do out[i] = tostring(k) end
  return table.concat(out, ", ")
end

local check
-- rule: {type, required, enum (set), min, max, min_len, max_len, url, hex, items (rule),
-- min_items, max_items, fields ({name = rule}), variants ({key=, [tag] = fields}), closed,
-- check}. closed: a field the rule (or its chosen variant) does not name is a 400 naming
-- it, where HeyGen's strict contract closes the body (additionalProperties: false).
function check(v, rule, path)
  if absent(v) then
    if rule.required then return invalid(path, "is required", nil) end
    return nil
  end
  if rule.type and not TYPES[rule.type](v) then return invalid(path, "must be a " .. rule.type, v) end
  if rule.enum and not rule.enum[v] then return invalid(path, "must be one of " .. names(rule.enum), v) end
  if type(v) == "number" and ((rule.min and v < rule.min) or (rule.max and v > rule.max)) then
    return invalid(path, "must be from " .. tostring(rule.min or "-inf") .. " to " .. tostring(rule.max or "inf"), v)
  end
  if type(v) == "string" then
    if rule.min_len and #v < rule.min_len then return invalid(path, "must not be empty", v) end
    if rule.max_len and chars(v) > rule.max_len then
      return invalid(path, "must be at most " .. rule.max_len .. " characters", chars(v) .. " characters")
    end
    if rule.url and not v:find("^https?://[^%s/]+") then return invalid(path, "must be an http(s) URL", v) end
    if rule.https and not v:find("^https://[^%s/]+") then return invalid(path, "must be an https URL", v) end
    if rule.hex and not (v:find("^#%x%x%x$") or v:find("^#%x%x%x%x%x%x$")) then
      return invalid(path, "must be a hex colour like #FFFFFF", v)
    end
  end
  if rule.items then
    if (rule.min_items and #v < rule.min_items) or (rule.max_items and #v > rule.max_items) then
      return invalid(path, "must have " .. (rule.min_items or 0) .. " to " .. (rule.max_items or "any") .. " items", #v)
    end
    for i, item in ipairs(v) do
      local e = check(item, rule.items, path .. "[" .. (i - 1) .. "]")
      if e then return e end
    end
  end
  local fields = rule.fields
  if rule.variants then
    local key = rule.variants.key
    fields = v[key] ~= "key" and rule.variants[v[key]]
    if not fields then
      local tags = sorted_keys(rule.variants)
      for i = #tags, 1, -1 do if tags[i] == "key" then table.remove(tags, i) end end
      return invalid((path == "" and "" or path .. ".") .. key, "must be one of " .. table.concat(tags, ", "), v[key])
    end
  end
  if rule.closed and fields then
    for _, name in ipairs(sorted_keys(v)) do
      if fields[name] == nil then
        return invalid(path == "" and tostring(name) or (path .. "." .. tostring(name)),
                       "is not a known field (known: " .. names(fields) .. ")", v[name])
      end
    end
  end
  for _, name in ipairs(fields and sorted_keys(fields) or {}) do
    local e = check(v[name], fields[name], path == "" and name or (path .. "." .. name))
    if e then return e end
  end
  if rule.check then return rule.check(v, path) end
end

local str = {type = "string"}
local id = {type = "string", min_len = 1}
local req_id = {type = "string", min_len = 1, required = true}
local url = {type = "string", url = true}
local bool = {type = "boolean"}
local function num(lo, hi) return {type = "number", min = lo, max = hi} end
local function one_of(list, required) return {type = "string", enum = set(list), required = required} end

-- closed: the strict contract's AssetInput (no field beside its variant's own)
local function asset(required, no_base64, closed)
  local variants = {key = "type",
                    url = {type = str, url = {type = "string", url = true, required = true}},
                    asset_id = {type = str, asset_id = req_id}}
  if not no_base64 then
    variants.base64 = {type = str, media_type = req_id, data = req_id}
  end
  return {type = "object", required = required, variants = variants, closed = closed}
end
local function closed_asset(required, no_base64) return asset(required, no_base64, true) end

-- exactly one of the named fields (script / audio_url / audio_asset_id)
local function exactly_one(keys)
  return function(v, path)
    local n = 0
    for _, k in ipairs(keys) do if not absent(v[k]) then n = n + 1 end end
    if n ~= 1 then
      local where = path == "" and "" or path .. "."
      return invalid(where .. keys[1], "needs exactly one of " .. table.concat(keys, ", "),
                     n == 0 and "none" or "several")
    end
  end
end


M.now = now
M.v3 = v3
M.fail = fail
M.show = show
M.invalid = invalid
M.not_found = not_found
M.body_object = body_object
M.iso = iso
M.opt = opt
M.absent = absent
M.is_list = is_list
M.set = set
M.sorted_keys = sorted_keys
M.merge = merge
M.chars = chars
M.names = names
M.check = check
M.str = str
M.id = id
M.req_id = req_id
M.url = url
M.bool = bool
M.num = num
M.one_of = one_of
M.asset = asset
M.closed_asset = closed_asset
M.exactly_one = exactly_one

return M
