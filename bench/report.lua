--- The report's figures: medians, number formats, ratios and verdicts, for
-- bench/main.lua and the row modules it runs.
local M = {}

local function median(list)
  local s = {}
  for i, v in ipairs(list) do s[i] = v end
  table.sort(s)
  if #s == 0 then return nil end
  if #s % 2 == 1 then return s[(#s + 1) / 2] end
  return (s[#s / 2] + s[#s / 2 + 1]) / 2
end
M.median = median

local function fmt(v, digits)
  if v == nil then return "n/a" end
  if digits then return string.format("%." .. digits .. "f", v) end
  if v >= 100 then
    local s = string.format("%d", math.floor(v + 0.5))
    return (s:reverse():gsub("(%d%d%d)", "%1,"):reverse():gsub("^,", ""))
  end
  return string.format("%.2f", v)
end

local function ratio(a, b)
  if not a or not b or b == 0 then return nil end
  return a / b
end

local function verdict(ok)
  if ok == nil then return "n/a" end
  return ok and "**met**" or "**not met**"
end

local function shown(v, digits) return v and (fmt(v, digits or 2) .. "x") or "n/a" end

-- "heygen Rx (raw libcurl Cx)": our ratio to another client, and beside it raw
-- libcurl's own ratio to that client, the ceiling of any libcurl client here
local function against(ours, raw, theirs)
  return string.format("heygen %s (raw libcurl %s)", shown(ratio(ours, theirs)), shown(ratio(raw, theirs)))
end

M.fmt, M.ratio, M.verdict, M.shown, M.against = fmt, ratio, verdict, shown, against
return M
