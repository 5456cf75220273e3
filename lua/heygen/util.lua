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

--- The known name `name` most likely meant (a typo), or nil.
function M.closest(name, known)
  if type(name) ~= "string" then return nil end
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

function M.file_size(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local size = f:seek("end")
  f:close()
  return size
end

return M
