--- Validation as data. A schema is a table of rules; `check(value, schema,
-- path)` walks it and returns nil, err naming the field path, the rule and
-- the value ("video_inputs[3].voice.speed must be between 0.5 and 2.0, got 3").
--
-- Rules: type ("string"|"number"|"integer"|"boolean"|"table"|"array"),
-- required, enum (list), min/max (numbers), min_len/max_len (strings),
-- pattern + pattern_text, url, hex_color, items (schema for array items),
-- min_items/max_items, fields (schema per key), variants ({key=, [value]=schema}),
-- xor ({{"a","b"}, {"c"}}: exactly one group present), requires ({a={"b"}}),
-- check (fn(value, path) -> nil | message), even (numbers).
-- Unknown fields pass through (the API may know newer ones) unless they look
-- like a typo of a known field, which is an error naming the intended one.
local errors = require "heygen.errors"
local util = require "heygen.util"

local M = {}

local function invalid(path, rule, value) return nil, errors.invalid(path, rule, value) end

local function join(path, key)
  if type(key) == "number" then return path .. "[" .. key .. "]" end
  if path == "" then return key end
  return path .. "." .. key
end

local function is_array(t)
  if type(t) ~= "table" then return false end
  local n = 0
  for _ in pairs(t) do n = n + 1 end
  for i = 1, n do if t[i] == nil then return false end end
  return true
end

local function enum_text(list)
  local parts = {}
  for i, v in ipairs(list) do parts[i] = string.format("%q", v) end
  return table.concat(parts, ", ")
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
  boolean = "a boolean", table = "a table", array = "an array (a list)" }

--- Is s an absolute http(s) URL with a host?
function M.is_url(s)
  return type(s) == "string" and s:match("^https?://[%w%.%-%[%]:]+[^%s]*$") ~= nil
end

local check

local function check_fields(value, schema, path)
  local fields = schema.fields
  for key in pairs(value) do
    if type(key) == "string" and fields[key] == nil and not (schema.passthrough or {})[key] then
      local hint = util.closest(key, fields)
      if hint and value[hint] == nil then
        return nil, errors.new {
          kind = "invalid_argument", field = join(path, key),
          message = string.format("%s is not a known field (did you mean %s?)", join(path, key), join(path, hint)),
        }
      end
    end
  end
  for key, rule in pairs(fields) do
    local ok, err = check(value[key], rule, join(path, key))
    if not ok then return nil, err end
  end
  if schema.xor then
    local present = {}
    for i, group in ipairs(schema.xor) do
      for _, k in ipairs(group) do
        if value[k] ~= nil then present[#present + 1] = i break end
      end
    end
    if #present ~= 1 then
      local names = {}
      for i, group in ipairs(schema.xor) do names[i] = table.concat(group, " + ") end
      return nil, errors.new {
        kind = "invalid_argument", field = path,
        message = string.format("%s needs exactly one of {%s}, got %s", path == "" and "the request" or path,
          table.concat(names, "} or {"), #present == 0 and "none" or "both"),
      }
    end
    for _, i in ipairs(present) do
      for _, k in ipairs(schema.xor[i]) do
        if value[k] == nil then return invalid(join(path, k), "is required with " .. table.concat(schema.xor[i], " + "), nil) end
      end
    end
  end
  for key, needed in pairs(schema.requires or {}) do
    if value[key] ~= nil then
      for _, other in ipairs(needed) do
        if value[other] == nil then
          return invalid(join(path, other), "is required when " .. join(path, key) .. " is set", nil)
        end
      end
    end
  end
  return true
end

function check(value, schema, path)
  path = path or ""
  if value == nil then
    if schema.required then return invalid(path, "is required", nil) end
    return true
  end
  if schema.type and not TYPE_CHECKS[schema.type](value) then
    return invalid(path, "must be " .. TYPE_NAMES[schema.type], type(value) == "table" and "a table" or value)
  end
  if schema.enum and not in_list(schema.enum, value) then
    return invalid(path, "must be one of " .. enum_text(schema.enum), value)
  end
  if type(value) == "number" then
    if schema.min and schema.max and (value < schema.min or value > schema.max) then
      return invalid(path, string.format("must be between %s and %s", schema.min_text or schema.min, schema.max_text or schema.max), value)
    elseif schema.min and value < schema.min then
      return invalid(path, "must be at least " .. schema.min, value)
    elseif schema.max and value > schema.max then
      return invalid(path, "must be at most " .. schema.max, value)
    end
    if schema.even and value % 2 ~= 0 then return invalid(path, "must be an even number", value) end
  end
  if type(value) == "string" then
    if schema.min_len and #value < schema.min_len then
      return invalid(path, schema.min_len == 1 and "must not be empty" or ("must be at least " .. schema.min_len .. " characters"), value)
    end
    if schema.max_len and #value > schema.max_len then
      return invalid(path, "must be at most " .. schema.max_len .. " characters, got " .. #value, value:sub(1, 20) .. "...")
    end
    if schema.url and not M.is_url(value) then return invalid(path, "must be an http(s) URL", value) end
    if schema.hex_color and not (value:match("^#%x%x%x%x%x%x$") or value:match("^#%x%x%x$")) then
      return invalid(path, "must be a hex colour like #FFFFFF", value)
    end
    if schema.pattern and not value:match(schema.pattern) then
      return invalid(path, "must be " .. (schema.pattern_text or ("like " .. schema.pattern)), value)
    end
  end
  if schema.items then
    local n = #value
    if schema.min_items and n < schema.min_items then
      return invalid(path, string.format("must have %s item(s)", schema.max_items and
        (schema.min_items .. " to " .. schema.max_items) or ("at least " .. schema.min_items)), n)
    end
    if schema.max_items and n > schema.max_items then
      return invalid(path, string.format("must have at most %d items", schema.max_items), n)
    end
    for i = 1, n do
      local ok, err = check(value[i], schema.items, join(path, i))
      if not ok then return nil, err end
    end
  end
  if schema.variants then
    local key = schema.variants.key
    local tag = value[key]
    local variant = tag ~= nil and schema.variants[tag]
    if not variant then
      local names = {}
      for k in pairs(schema.variants) do if k ~= "key" then names[#names + 1] = k end end
      table.sort(names)
      return invalid(join(path, key), "must be one of " .. enum_text(names), tag)
    end
    local ok, err = check(value, variant, path)
    if not ok then return nil, err end
  end
  if schema.fields then
    local ok, err = check_fields(value, schema, path)
    if not ok then return nil, err end
  end
  if schema.check then
    local msg = schema.check(value, path)
    if msg then return nil, errors.new { kind = "invalid_argument", field = path, message = msg } end
  end
  return true
end

M.check = check
return M
