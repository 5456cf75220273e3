--- Validation as data. A schema is a table of rules; `check(value, schema,
-- path)` walks it and returns true, or nil, err naming the field path, the
-- rule and the value ("video_inputs[3].voice.speed must be between 0.5 and
-- 2.0, got 3"). err is a heygen.Error of kind "invalid_argument" with
-- err.field set to the path.
--
-- Rules (all optional):
--   type        "string" | "number" | "integer" | "boolean" | "table" | "array"
--   by_type     {string = schema, table = schema, ...}: the schema for the value's Lua type
--   required    the field must be present
--   enum        list of allowed values (typos get a "did you mean" hint)
--   min, max    numbers, inclusive (min_text/max_text: how to print them)
--   gt          numbers, exclusive lower bound
--   even        numbers must be even
--   min_len     strings, in characters (1 reads "must not be empty")
--   max_len     strings, in characters (UTF-8 aware, so a script is measured as written)
--   url         an absolute http(s) URL
--   hex_color   "#RGB", "#RRGGBB" or "#RRGGBBAA"
--   pattern     a Lua pattern the string must match, pattern_text describing it
--   items       schema for each array item; min_items/max_items, items_name ("scenes")
--   fields      schema per key of a table. Unknown keys pass through (the API may
--               know newer ones) unless one looks like a typo of a known field, or
--               `closed` is set (a client-side table: every unknown key is an error)
--   values      schema for every value of a map (keys are names), e.g. template variables
--   variants    {key = "type", avatar = schema, ...}: the schema chosen by a tag field
--   xor         {{"a", "b"}, {"c"}}: exactly one group present, and all of its fields
--   requires    {a = {"b"}}: when a is present, b must be too
--   forbidden   message: the field is known but not accepted here
--   check       fn(value, path) -> nil | message, for what no rule above can say
local errors = require "heygen.errors"
local util = require "heygen.util"

local M = {}

------------------------------------------------------------------ messages

local function shown(value)
  if type(value) == "string" then
    if #value > 60 then value = value:sub(1, 57) .. "..." end
    return string.format("%q", value)
  elseif value == nil then
    return "nothing"
  elseif type(value) == "table" then
    return "a table"
  end
  return tostring(value)
end

local function fail_text(path, message)
  return nil, errors.new { kind = "invalid_argument", field = path, message = message }
end

-- "<path> <rule>, got <value>"; `as` replaces the printed value.
local function fail(path, rule, value, as)
  return fail_text(path, string.format("%s %s, got %s", path == "" and "the request" or path, rule,
    as or shown(value)))
end
M.fail = fail

local function join(path, key)
  if type(key) == "number" then return path .. "[" .. key .. "]" end
  if path == "" then return tostring(key) end
  return path .. "." .. tostring(key)
end
M.join = join

local function quoted_list(list)
  local parts = {}
  for i, v in ipairs(list) do parts[i] = type(v) == "string" and string.format("%q", v) or tostring(v) end
  return table.concat(parts, ", ")
end

------------------------------------------------------------------ helpers

local function is_array(t)
  if type(t) ~= "table" then return false end
  local n = 0
  for _ in pairs(t) do n = n + 1 end
  for i = 1, n do if t[i] == nil then return false end end
  return true
end

--- Characters in a UTF-8 string (bytes that do not continue a sequence).
function M.chars(s)
  local _, continuation = s:gsub("[\128-\191]", "")
  return #s - continuation
end

-- A "did you mean" for a value outside a list: only a near miss (a wrong case,
-- one wrong letter in five), so an unrelated word gets no misleading hint.
local function near_miss(value, set)
  local hint = type(value) == "string" and util.closest(value, set)
  if hint and util.levenshtein(value:lower(), hint:lower()) <= math.max(1, math.floor(#value / 5)) then
    return hint
  end
end

local function in_list(list, v)
  for _, x in ipairs(list) do if x == v then return true end end
  return false
end

local TYPE_CHECKS = {
  string = function(v) return type(v) == "string" end,
  number = function(v) return type(v) == "number" end,
  integer = function(v) return type(v) == "number" and v == math.floor(v) end,
  boolean = function(v) return type(v) == "boolean" end,
  table = function(v) return type(v) == "table" end,
  array = is_array,
}
local TYPE_NAMES = { string = "a string", number = "a number", integer = "an integer",
  boolean = "true or false", table = "a table", array = "a list" }

--- Is s an absolute http(s) URL with a host?
function M.is_url(s)
  return type(s) == "string" and s:match("^[Hh][Tt][Tt][Pp][Ss]?://[%w%.%-%[%]:@]+[^%s]*$") ~= nil
end

local function is_hex_color(s)
  return s:match("^#%x%x%x$") or s:match("^#%x%x%x%x%x%x$") or s:match("^#%x%x%x%x%x%x%x%x$")
end

-- Sorted keys of a schema's fields, computed once per schema.
local order_cache = setmetatable({}, { __mode = "k" })
local function field_order(fields)
  local order = order_cache[fields]
  if not order then
    order = util.sorted_keys(fields)
    order_cache[fields] = order
  end
  return order
end

------------------------------------------------------------------ rules per value type

local check

local function check_number(value, schema, path)
  -- NaN passes every comparison below (each is false), and inf is no amount or duration
  if value ~= value or value == math.huge or value == -math.huge then
    return fail(path, "must be a finite number", value)
  end
  local lo, hi = schema.min, schema.max
  if lo and hi and (value < lo or value > hi) then
    return fail(path, string.format("must be between %s and %s", schema.min_text or lo, schema.max_text or hi), value)
  elseif lo and value < lo then
    return fail(path, "must be at least " .. (schema.min_text or lo), value)
  elseif hi and value > hi then
    return fail(path, "must be at most " .. (schema.max_text or hi), value)
  elseif schema.gt and value <= schema.gt then
    return fail(path, "must be greater than " .. schema.gt, value)
  end
  if schema.even and value % 2 ~= 0 then return fail(path, "must be an even number", value) end
  return true
end

local function check_string(value, schema, path)
  -- characters <= bytes, so the byte length settles most cases without counting
  local lo, hi = schema.min_len, schema.max_len
  if lo and (#value < lo or (lo > 1 and M.chars(value) < lo)) then
    return fail(path, lo == 1 and "must not be empty" or ("must be at least " .. lo .. " characters"), value)
  end
  if hi and #value > hi then
    local n = M.chars(value)
    if n > hi then return fail(path, "must be at most " .. hi .. " characters", nil, n .. " characters") end
  end
  if schema.url and not M.is_url(value) then return fail(path, "must be an http(s) URL", value) end
  if schema.hex_color and not is_hex_color(value) then
    return fail(path, "must be a hex colour like \"#FFFFFF\"", value)
  end
  if schema.pattern and not value:match(schema.pattern) then
    return fail(path, "must be " .. (schema.pattern_text or ("like " .. schema.pattern)), value)
  end
  return true
end

local function check_items(value, schema, path)
  local n, name = #value, schema.items_name or "items"
  local lo, hi = schema.min_items, schema.max_items
  if (lo and n < lo) or (hi and n > hi) then
    local rule
    if lo and hi then rule = string.format("must have %d to %d %s", lo, hi, name)
    elseif lo then rule = string.format("must have at least %d %s", lo, name)
    else rule = string.format("must have at most %d %s", hi, name) end
    return fail(path, rule, nil, tostring(n))
  end
  for i = 1, n do
    local ok, err = check(value[i], schema.items, join(path, i))
    if not ok then return nil, err end
  end
  return true
end

local function check_values(value, schema, path)
  for _, key in ipairs(util.sorted_keys(value)) do
    if type(key) ~= "string" then return fail(path, "must be keyed by name", nil, "key " .. tostring(key)) end
    local ok, err = check(value[key], schema.values, join(path, key))
    if not ok then return nil, err end
  end
  return true
end

local function check_variant(value, schema, path)
  local variants = schema.variants
  local tag = value[variants.key]
  local variant = tag ~= nil and variants[tag]
  if not variant then
    local names = {}
    for k in pairs(variants) do if k ~= "key" then names[#names + 1] = k end end
    table.sort(names)
    local hint = near_miss(tag, variants)
    return fail(join(path, variants.key), "must be one of " .. quoted_list(names), tag,
      hint and hint ~= "key" and (shown(tag) .. string.format(" (did you mean %q?)", hint)) or nil)
  end
  return check(value, variant, path)
end

------------------------------------------------------------------ tables with fields

local function unknown_fields(value, schema, path)
  local fields, extra = schema.fields, schema.passthrough or {}
  local unknown = {}
  for key in pairs(value) do
    if fields[key] == nil and not extra[key] then unknown[#unknown + 1] = key end
  end
  if #unknown == 0 then return true end
  table.sort(unknown, function(a, b) return tostring(a) < tostring(b) end)
  for _, key in ipairs(unknown) do
    if type(key) == "string" then
      local hint = util.closest(key, fields)
      if hint and value[hint] == nil then
        return fail_text(join(path, key), string.format("%s is not a known field (did you mean %s?)",
          join(path, key), join(path, hint)))
      elseif schema.closed then
        return fail_text(join(path, key), string.format("%s is not a known field (known: %s)",
          join(path, key), table.concat(field_order(fields), ", ")))
      end
    elseif type(key) ~= "string" and (schema.closed or not is_array(value)) then
      return fail(path, "must be keyed by field names", nil, "key " .. tostring(key))
    end
  end
  return true
end

local function check_xor(value, groups, path)
  local present = {}
  for i, group in ipairs(groups) do
    for _, k in ipairs(group) do
      if value[k] ~= nil then present[#present + 1] = i break end
    end
  end
  if #present ~= 1 then
    local names = {}
    for i, group in ipairs(groups) do names[i] = table.concat(group, " + ") end
    return fail_text(path, string.format("%s needs exactly one of {%s}, got %s",
      path == "" and "the request" or path, table.concat(names, "} or {"), #present == 0 and "none" or "both"))
  end
  local group = groups[present[1]]
  for _, k in ipairs(group) do
    if value[k] == nil then
      local others = {}
      for _, o in ipairs(group) do if o ~= k then others[#others + 1] = join(path, o) end end
      return fail(join(path, k), "is required with " .. table.concat(others, " + "), nil)
    end
  end
  return true
end

local function check_fields(value, schema, path)
  local ok, err = unknown_fields(value, schema, path)
  if not ok then return nil, err end
  for _, key in ipairs(field_order(schema.fields)) do
    ok, err = check(value[key], schema.fields[key], join(path, key))
    if not ok then return nil, err end
  end
  if schema.xor then
    ok, err = check_xor(value, schema.xor, path)
    if not ok then return nil, err end
  end
  for _, key in ipairs(util.sorted_keys(schema.requires or {})) do
    if value[key] ~= nil then
      for _, other in ipairs(schema.requires[key]) do
        if value[other] == nil then
          return fail(join(path, other), "is required when " .. join(path, key) .. " is set", nil)
        end
      end
    end
  end
  return true
end

------------------------------------------------------------------ the walker

--- Check `value` against `schema`; `path` names it in messages ("" for the
-- top-level table). Returns true, or nil, err (kind "invalid_argument").
function check(value, schema, path)
  path = path or ""
  if value == nil then
    if schema.required then return fail(path, "is required", nil) end
    return true
  end
  if schema.forbidden then return fail_text(path, path .. " is not supported: " .. schema.forbidden) end
  if schema.by_type then
    local sub = schema.by_type[type(value)]
    if not sub then
      local names = {}
      for _, t in ipairs(util.sorted_keys(schema.by_type)) do names[#names + 1] = TYPE_NAMES[t] or t end
      return fail(path, "must be " .. table.concat(names, " or "), value)
    end
    return check(value, sub, path)
  end
  if schema.type and not TYPE_CHECKS[schema.type](value) then
    return fail(path, "must be " .. TYPE_NAMES[schema.type], value)
  end
  if schema.enum and not in_list(schema.enum, value) then
    local hint = near_miss(value, schema.enum_set or {})
    return fail(path, "must be one of " .. quoted_list(schema.enum), value,
      hint and (shown(value) .. string.format(" (did you mean %q?)", hint)) or nil)
  end
  local ok, err = true, nil
  if type(value) == "number" then
    ok, err = check_number(value, schema, path)
  elseif type(value) == "string" then
    ok, err = check_string(value, schema, path)
  end
  if ok and schema.items then ok, err = check_items(value, schema, path) end
  if ok and schema.values then ok, err = check_values(value, schema, path) end
  if ok and schema.variants then ok, err = check_variant(value, schema, path) end
  if ok and schema.fields then ok, err = check_fields(value, schema, path) end
  if not ok then return nil, err end
  if schema.check then
    local msg = schema.check(value, path)
    if msg then return fail_text(path, msg) end
  end
  return true
end

M.check = check

--- A set for `enum` typo hints: rules may carry `enum_set = validate.set(list)`.
function M.set(list)
  local t = {}
  for _, v in ipairs(list) do t[v] = true end
  return t
end

--- An enum rule with typo hints: validate.enum({"a", "b"}, {required = true}).
function M.enum(list, extra)
  local rule = { type = type(list[1]) == "string" and "string" or "number", enum = list, enum_set = M.set(list) }
  for k, v in pairs(extra or {}) do rule[k] = v end
  return rule
end

return M
