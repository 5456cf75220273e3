--- Helpers shared by the benchmark scripts: clocks, memory figures, argument
-- parsing and the one-line JSON result every script prints for bench/main.lua.
local M = {}

local ok_core, core = pcall(require, "heygen.core")
if not ok_core then core = nil end

--- Monotonic seconds (heygen.core when loaded, else luasocket's clock).
function M.now()
  if core then return core.now() end
  return require("socket").gettime()
end

--- A field of /proc/self/status in KB ("VmRSS", "VmHWM"), or nil off Linux.
function M.proc_kb(field)
  local f = io.open("/proc/self/status", "r")
  if not f then return nil end
  local text = f:read("*a")
  f:close()
  return tonumber(text:match(field .. ":%s*(%d+)"))
end

function M.rss_kb() return M.proc_kb("VmRSS") end
function M.peak_rss_kb() return M.proc_kb("VmHWM") end

--- Reset the peak RSS mark so VmHWM measures from now (Linux >= 4.0).
function M.reset_peak()
  local f = io.open("/proc/self/clear_refs", "w")
  if not f then return false end
  local ok = f:write("5")
  f:close()
  return ok ~= nil
end

--- Full garbage collection, twice (finalizers may free more on the second).
function M.full_gc()
  collectgarbage("collect")
  collectgarbage("collect")
end

-- A minimal JSON encoder for result tables (numbers, strings, booleans,
-- arrays, objects): the baselines must not depend on heygen.core.
local function encode(v)
  local t = type(v)
  if t == "number" then
    if v ~= v or v == math.huge or v == -math.huge then return "null" end
    if math.floor(v) == v and math.abs(v) < 2 ^ 53 then return string.format("%d", v) end
    return string.format("%.6g", v)
  elseif t == "string" then
    return '"' .. v:gsub('[%c"\\]', function(c) return string.format("\\u%04x", c:byte()) end) .. '"'
  elseif t == "boolean" then
    return tostring(v)
  elseif t == "table" and #v > 0 then
    local parts = {}
    for i = 1, #v do parts[i] = encode(v[i]) end
    return "[" .. table.concat(parts, ",") .. "]"
  elseif t == "table" then
    local keys = {}
    for k in pairs(v) do keys[#keys + 1] = k end
    table.sort(keys)
    local parts = {}
    for _, k in ipairs(keys) do parts[#parts + 1] = encode(tostring(k)) .. ":" .. encode(v[k]) end
    return "{" .. table.concat(parts, ",") .. "}"
  end
  return "null"
end
M.encode = encode

--- Print the result line bench/main.lua reads.
function M.emit(result)
  io.stdout:write("RESULT ", encode(result), "\n")
  io.stdout:flush()
end

--- A shell word for s.
function M.sh_quote(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end

--- A whole file, or nil when it cannot be read.
function M.read(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local s = f:read("*a")
  f:close()
  return s
end

function M.write(path, text)
  local f = assert(io.open(path, "wb"))
  f:write(text)
  f:close()
end

--- Positional argument i (numbers converted), or `default` when absent.
function M.arg(i, default)
  local v = arg and arg[i]
  if v == nil or v == "" then return default end
  return tonumber(v) or v
end

--- The request headers every client sends, so each one puts the same bytes on
-- the wire (the heygen client adds them itself).
M.API_KEY = "bench-key-0123456789abcdef"
M.HEADERS = {
  { "Accept", "application/json" },
  { "User-Agent", "heygen-lua/bench" },
  { "X-Api-Key", M.API_KEY },
}

return M
