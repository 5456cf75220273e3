-- heygen.core.json_decode (cjson plus our normalisation, in C) against a
-- reference written in Lua: cjson, then null as nil and integral numbers as
-- integers. On random documents (with escapes,
-- repeated keys, nulls, numbers of every form, whitespace) and on random
-- corruptions of them, both must give the same value, or the same error.
local core = require "heygen.core"
local cjson = require("cjson").new()

local HAS_INTEGERS = math.type ~= nil

local function reference(s)
  local ok, v = pcall(cjson.decode, s)
  if not ok then return nil, v end
  local function norm(x)
    if x == cjson.null then return nil end
    if type(x) == "number" and HAS_INTEGERS and math.type(x) == "float" and x == math.floor(x)
      and math.abs(x) <= 2 ^ 53 then
      return math.tointeger(x)
    end
    if type(x) == "table" then
      local out = {}
      for k, y in pairs(x) do out[k] = norm(y) end
      return out
    end
    return x
  end
  return norm(v)
end

local function same(a, b, path)
  if type(a) ~= type(b) then return false, path .. ": " .. type(a) .. " vs " .. type(b) end
  if type(a) == "number" then
    if HAS_INTEGERS and math.type(a) ~= math.type(b) then return false, path .. ": number types" end
    if a ~= b and not (a ~= a and b ~= b) then return false, path .. ": " .. a .. " vs " .. b end
    if a == 0 and 1 / a ~= 1 / b then return false, path .. ": signed zero" end
    return true
  end
  if type(a) ~= "table" then return a == b, path .. ": " .. tostring(a) .. " vs " .. tostring(b) end
  for k, v in pairs(a) do
    local ok, where = same(v, b[k], path .. "." .. tostring(k))
    if not ok then return false, where end
  end
  for k in pairs(b) do
    if a[k] == nil then return false, path .. "." .. tostring(k) .. " only in the second" end
  end
  return true
end

local NUMBERS = { "0", "-0", "7", "-42", "1759307076", "42.5", "-0.25", "1e3", "1E-2", "2.5e+2", "0.0",
  "9007199254740993", "-9007199254740993", "123456789012345678", "12345678901234567890",
  "99999999999999999999999", "1e400", "-1e400", "1e-400", "01", "1.", ".5", "-", "+1", "0x10", "3.14159265358979" }
local CHARS = { "a", "Z", " ", "/", "\\\"", "\\\\", "\\/", "\\n", "\\t", "\\r", "\\b", "\\f", "\\u00e9",
  "\\u0041", "\\u20AC", "\\ud83d\\ude00", "\\ud83d", "\\ude00", "\\u0000", "\\x", "\195\169", "\240\159\152\128",
  "\1", "\127", "%", "~" }

local function rnd_string(r)
  local parts = {}
  for i = 1, r(0, 6) do parts[i] = CHARS[r(1, #CHARS)] end
  return '"' .. table.concat(parts) .. '"'
end

local function ws(r)
  local w = { "", "", " ", "\n", "\t ", "\r\n" }
  return w[r(1, #w)]
end

local function rnd_value(r, depth)
  local k = r(1, depth > 2 and 6 or 9)
  local size = depth == 2 and 70 or 5 -- long containers only where their entries are scalars
  if k == 1 then return NUMBERS[r(1, #NUMBERS)] end
  if k == 2 then return rnd_string(r) end
  if k == 3 then return ({ "true", "false", "null" })[r(1, 3)] end
  if k <= 6 then return NUMBERS[r(1, 6)] end
  if k <= 8 then
    local parts, keys = {}, { '"a"', '"b"', '"code"', '"data"', '""', '"\\u00e9"' }
    for i = 1, r(0, size) do
      local key = r(1, 3) == 1 and keys[r(1, #keys)] or rnd_string(r)
      parts[i] = ws(r) .. key .. ws(r) .. ":" .. ws(r) .. rnd_value(r, depth + 1) .. ws(r)
    end
    return "{" .. table.concat(parts, ",") .. "}"
  end
  local parts = {}
  for i = 1, r(0, size) do parts[i] = ws(r) .. rnd_value(r, depth + 1) .. ws(r) end
  return "[" .. table.concat(parts, ",") .. "]"
end

local function corrupt(r, s)
  local i = r(1, #s + 1)
  local k = r(1, 3)
  if k == 1 then return s:sub(1, i - 1) .. s:sub(i + 1) end
  local c = string.char(r(0, 255))
  if k == 2 then return s:sub(1, i - 1) .. c .. s:sub(i) end
  return s:sub(1, i - 1) .. c .. s:sub(i + 1)
end

local function check(s)
  local want, werr = reference(s)
  local got, gerr = core.json_decode(s)
  assert.are.equal(werr, gerr, "error for " .. s)
  local ok, where = same(want, got, "$")
  assert(ok, "differs at " .. tostring(where) .. " for " .. s)
end

-- A reproducible generator of integers in [a, b] (the same documents on every run and runtime).
local function random(seed)
  return function(a, b)
    seed = (seed * 1103515245 + 12345) % 2147483648
    return a + seed % (b - a + 1)
  end
end

describe("heygen.core.json_decode", function()
  it("decodes random documents exactly as cjson plus normalisation", function()
    local r = random(0)
    for _ = 1, 5000 do check(ws(r) .. rnd_value(r, 0) .. ws(r)) end
  end)

  it("fails on corrupted documents with cjson's message, or decodes them as cjson does", function()
    local r = random(7)
    for _ = 1, 5000 do
      local s = rnd_value(r, 1)
      for _ = 1, r(1, 3) do s = corrupt(r, s) end
      check(s)
    end
  end)

  it("takes the documented status answer, repeated keys, nulls and long containers", function()
    check('{"code":100,"message":"Success","data":{"id":"fcbba36d","status":"completed","duration":42.5,'
      .. '"video_url":"https://x/v.mp4?Expires=1\\u0026Signature=a","caption_url":null,"created_at":1759307076,'
      .. '"error":null}}')
    check('{"a":1,"a":2}')
    check('{"a":1,"a":null}')
    check('{"a":null,"a":1}')
    check("[1,null,3]")
    local big = {}
    for i = 1, 1000 do big[i] = '"k' .. i .. '":' .. i end
    check("{" .. table.concat(big, ",") .. "}")
    local list = {}
    for i = 1, 1000 do list[i] = i % 7 == 0 and "null" or tostring(i) end
    check("[" .. table.concat(list, ",") .. "]")
    check(string.rep("[", 900) .. string.rep("]", 900))
    check(string.rep("[", 1100) .. string.rep("]", 1100))
    check("")
    check("  ")
    check("null")
    check('"\\u00e9"')
  end)
end)
