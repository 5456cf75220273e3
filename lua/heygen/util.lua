--- Small helpers shared by the Lua layer.
local M = {}

function M.trim_slash(s) return (s:gsub("/+$", "")) end

--- A copy of `base` with the fields of `over` laid on top.
function M.merge(base, over)
  local t = {}
  for k, v in pairs(base or {}) do t[k] = v end
  for k, v in pairs(over or {}) do t[k] = v end
  return t
end

function M.sorted_keys(t)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
  return keys
end

function M.keys_text(set)
  local keys = M.sorted_keys(set)
  for i, k in ipairs(keys) do keys[i] = string.format("%q", k) end
  return table.concat(keys, ", ")
end

local function levenshtein(a, b)
  local la, lb = #a, #b
  if la == 0 then return lb end
  if lb == 0 then return la end
  local prev, cur = {}, {}
  for j = 0, lb do prev[j] = j end
  for i = 1, la do
    cur[0] = i
    local ca = a:byte(i)
    for j = 1, lb do
      local cost = ca == b:byte(j) and 0 or 1
      cur[j] = math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
    end
    prev, cur = cur, prev
  end
  return prev[lb]
end
M.levenshtein = levenshtein

-- Names longer than this get no typo hint: no option, field or enum value is that long,
-- and the edit distance of a huge string (a megabyte pasted by mistake) costs seconds.
M.HINT_MAX = 64

--- The known name `name` most likely meant (a typo), or nil.
function M.closest(name, known)
  if type(name) ~= "string" or #name > M.HINT_MAX then return nil end
  local lname, best, best_d = name:lower(), nil, math.huge
  for _, k in ipairs(M.sorted_keys(known)) do
    if type(k) == "string" then
      local d = levenshtein(lname, k:lower())
      if d < best_d then best, best_d = k, d end
    end
  end
  local limit = #name <= 4 and 1 or 2
  if best and best_d <= limit and best ~= name then return best end
  return nil
end

local ESCAPES = {}
for byte = 0, 255 do ESCAPES[string.char(byte)] = string.format("%%%02X", byte) end

-- Encoded strings, kept for the next request (a status poll repeats its parameter
-- name and job id); emptied when full, so it stays small.
local ENCODED, ENCODED_MAX, encoded_n = {}, 2048, 0

local function encode_component(s)
  if type(s) ~= "string" then return (tostring(s):gsub("[^%w%-%._~]", ESCAPES)) end
  local e = ENCODED[s]
  if e then return e end
  e = s:gsub("[^%w%-%._~]", ESCAPES)
  if encoded_n >= ENCODED_MAX then ENCODED, encoded_n = {}, 0 end
  ENCODED[s], encoded_n = e, encoded_n + 1
  return e
end
M.encode_component = encode_component

local function query_pair(k, v)
  if v == nil or v == false then return nil end
  return encode_component(k) .. "=" .. encode_component(v == true and "true" or v)
end

--- Encode a query table (sorted, so requests are reproducible).
function M.query_string(q)
  if not q then return "" end
  local k1, v1 = next(q)
  if k1 == nil then return "" end
  if next(q, k1) == nil then return query_pair(k1, v1) or "" end -- one parameter: the status polls
  local parts = {}
  for _, k in ipairs(M.sorted_keys(q)) do parts[#parts + 1] = query_pair(k, q[k]) end
  return table.concat(parts, "&")
end

local MONTHS = { Jan = 1, Feb = 2, Mar = 3, Apr = 4, May = 5, Jun = 6, Jul = 7, Aug = 8, Sep = 9, Oct = 10, Nov = 11,
  Dec = 12 }

--- Seconds since the epoch for an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT").
function M.parse_http_date(s)
  local d, mon, y, h, mi, sec = s:match("%a+, (%d+) (%a+) (%d+) (%d+):(%d+):(%d+) GMT")
  if not d or not MONTHS[mon] then return nil end
  -- days from civil (UTC), so the local time zone never enters
  local yy, m = tonumber(y), MONTHS[mon]
  if m <= 2 then yy = yy - 1 end
  local era = math.floor(yy / 400)
  local yoe = yy - era * 400
  local mp = (m + 9) % 12
  local doy = math.floor((153 * mp + 2) / 5) + tonumber(d) - 1
  local doe = yoe * 365 + math.floor(yoe / 4) - math.floor(yoe / 100) + doy
  local days = era * 146097 + doe - 719468
  return days * 86400 + tonumber(h) * 3600 + tonumber(mi) * 60 + tonumber(sec)
end

--- Check an options table against `known` (name -> type name, or a spec
-- {type =, enum = set}). Unknown names and wrong types raise at the caller's
-- caller, naming the option meant: typos are the commonest bug.
function M.check_options(where, opts, known)
  opts = opts or {}
  for name, value in pairs(opts) do
    local spec = known[name]
    if not spec then
      local hint = M.closest(name, known)
      error(string.format("%s: unknown option '%s'%s", where, tostring(name),
        hint and (" (did you mean '" .. hint .. "'?)") or ""), 3)
    end
    local want = type(spec) == "table" and spec.type or spec
    if type(value) ~= want then
      error(string.format("%s: option '%s' must be a %s, got %s", where, name, want, type(value)), 3)
    end
    if type(spec) == "table" and spec.enum and not spec.enum[value] then
      error(string.format("%s: option '%s' must be one of %s, got %q", where, name,
        M.keys_text(spec.enum), value), 3)
    end
  end
  return opts
end

--- Is v a finite number (not NaN, not +-inf)?
function M.finite(v)
  return type(v) == "number" and v == v and v ~= math.huge and v ~= -math.huge
end

--- Check a number option: finite, within [lo, hi] (either may be nil), an integer when
-- `integer`. Raises at the caller's caller naming the option (a programmer error, as a
-- wrong type is). nil passes (the default applies).
function M.check_number(where, name, v, lo, hi, integer)
  if v == nil then return v end
  local bad
  if type(v) ~= "number" then bad = "must be a number, got " .. type(v)
  elseif not M.finite(v) then bad = "must be a finite number, got " .. tostring(v)
  elseif integer and v ~= math.floor(v) then bad = "must be a whole number, got " .. tostring(v)
  elseif lo and v < lo then bad = "must be at least " .. lo .. ", got " .. tostring(v)
  elseif hi and v > hi then bad = "must be at most " .. hi .. ", got " .. tostring(v) end
  if bad then error(string.format("%s: option '%s' %s", where, name, bad), 3) end
  return v
end

-- Valid multi-byte UTF-8 sequences (RFC 3629: no overlongs, no surrogates, <= U+10FFFF),
-- each tried at a byte >= 0x80.
local UTF8_SEQ = {
  "^[\194-\223][\128-\191]", "^\224[\160-\191][\128-\191]", "^[\225-\236][\128-\191][\128-\191]",
  "^\237[\128-\159][\128-\191]", "^[\238-\239][\128-\191][\128-\191]",
  "^\240[\144-\191][\128-\191][\128-\191]", "^[\241-\243][\128-\191][\128-\191][\128-\191]",
  "^\244[\128-\143][\128-\191][\128-\191]",
}

--- Is s valid UTF-8? (No utf8 library: LuaJIT has none.)
function M.utf8_valid(s)
  local i = s:find("[\128-\255]")
  while i do
    local len
    for _, pat in ipairs(UTF8_SEQ) do
      local _, e = s:find(pat, i)
      if e then len = e - i + 1 break end
    end
    if not len then return false end
    i = s:find("[\128-\255]", i + len)
  end
  return true
end

--- The path of the first string (value or key) in v that is not valid UTF-8, or nil.
-- `path` names v ("" for a top-level body). Tables nested deeper than 64 are not walked
-- (the JSON encoder refuses them anyway).
function M.invalid_utf8_path(v, path, depth)
  depth = depth or 0
  if type(v) == "string" then return (not M.utf8_valid(v)) and path or nil end
  if type(v) ~= "table" or depth > 64 then return nil end
  for k, x in pairs(v) do
    local sub = type(k) == "number" and (path .. "[" .. k .. "]")
      or (path == "" and tostring(k) or (path .. "." .. tostring(k)))
    if type(k) == "string" and not M.utf8_valid(k) then return path == "" and "(a key)" or (path .. " (a key)") end
    local bad = M.invalid_utf8_path(x, sub, depth + 1)
    if bad then return bad end
  end
  return nil
end

--- Adler-32 of s as 8 hex digits (arithmetic only: no bit operators on LuaJIT/5.1).
function M.adler32(s)
  local a, b = 1, 0
  local n, i = #s, 1
  while i <= n do
    local j = math.min(i + 3999, n) -- sums stay far below 2^53 before the modulo
    local bytes = { s:byte(i, j) }
    for k = 1, #bytes do
      a = a + bytes[k]
      b = b + a
    end
    a, b = a % 65521, b % 65521
    i = j + 1
  end
  return string.format("%04x%04x", b, a)
end

--- An unpredictable token of hex digits (/dev/urandom, else math.random).
function M.random_hex(nbytes)
  nbytes = nbytes or 8
  local f = io.open("/dev/urandom", "rb")
  local bytes = f and f:read(nbytes)
  if f then f:close() end
  if bytes and #bytes == nbytes then
    return (bytes:gsub(".", function(c) return string.format("%02x", c:byte()) end))
  end
  local t = {}
  for k = 1, nbytes do t[k] = string.format("%02x", math.random(0, 255)) end
  return table.concat(t)
end

function M.file_size(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local size = f:seek("end")
  f:close()
  return size
end

return M
