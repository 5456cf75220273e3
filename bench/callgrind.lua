--- Client CPU per status poll in callgrind instructions, against raw libcurl's
-- (issue 21: goal <= 1.5x at 1 and at 64 in flight). Instruction counts stay
-- put on a noisy shared machine, where times do not.
--
--   bench/run --only callgrind      (nginx, the builds and raw_curl made by bench/run)
--   lua5.4 bench/callgrind.lua BASE_URL RAW_CURL [quick|full] [RAW_CURL_CJSON]
--
-- BASE_URL serves the v1 status answer at /v1/video_status.get (bench/main.lua's
-- COMPLETED); RAW_CURL is bench/raw_curl.c built. Each side runs twice under
-- `valgrind --tool=callgrind` (N and 3N polls, N = 1,000; 100 with quick): the
-- difference divided by 2N is one poll with start-up left out; the median of 5
-- such estimates (1 with quick; Lua 5.4 seeds string hashes per process, which
-- moves one estimate by up to ~5%). Ours is
-- bench/client_polls.lua (hg:job("video", id):refresh(): the whole client path)
-- under this interpreter with the LUA_PATH/LUA_CPATH it was given. RAW_CURL_CJSON
-- (raw_curl.c built with -DRAW_CURL_CJSON) is a second baseline, libcurl plus
-- lua-cjson decoding each body: what is left between it and ours is our code.
-- Prints a Markdown section; exits 1 when a run fails.
local base, raw, mode, raw_cjson = arg[1], arg[2], arg[3], arg[4]
if not base or not raw then
  io.stderr:write("usage: lua5.4 bench/callgrind.lua BASE_URL RAW_CURL [quick|full] [RAW_CURL_CJSON]\n")
  os.exit(2)
end
local N = mode == "quick" and 100 or 1000

local function q(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end

local function interpreter()
  local i = -1
  while arg[i - 1] do i = i - 1 end
  return arg[i]
end

local HERE = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "bench"
local STATUS = base .. "/v1/video_status.get?video_id=fcbba36d9d0b45c08135da6840a1c739"
-- the headers the client sends on a poll (bench/main.lua's HEADERS)
local HEADERS = { "Accept: application/json", "User-Agent: heygen-lua/bench", "X-Api-Key: bench-key-0123456789abcdef" }

-- Instructions of one run of cmd under callgrind (its "summary:" line).
local function instructions(cmd)
  local out = os.tmpname()
  local p = assert(io.popen(string.format("valgrind --tool=callgrind --callgrind-out-file=%s %s 2>&1", q(out), cmd)))
  local log = p:read("a")
  p:close()
  local f = io.open(out, "rb")
  local text = f and f:read("a") or ""
  if f then f:close() end
  os.remove(out)
  local ir = tonumber(text:match("\nsummary: (%d+)") or text:match("\ntotals: (%d+)") or "")
  if not ir then return nil, log:sub(-2000) end
  if log:find('"errors":[1-9]') then return nil, "polls failed: " .. log:sub(-2000) end
  return ir
end

-- The median of ROUNDS estimates: Lua seeds its string hashes from the clock and
-- addresses, so the same run varies by a few percent from one process to the next.
local ROUNDS = mode == "quick" and 1 or 5
local function per_poll(make_cmd, inflight)
  local list = {}
  for i = 1, ROUNDS do
    local a, err = instructions(make_cmd(N, inflight))
    if not a then return nil, err end
    local b
    b, err = instructions(make_cmd(3 * N, inflight))
    if not b then return nil, err end
    list[i] = (b - a) / (2 * N)
  end
  table.sort(list)
  return list[(#list + 1) // 2]
end

local function ours_cmd(n, p)
  return string.format("%s %s %s %d %d", q(interpreter()), q(HERE .. "/client_polls.lua"), q(base), n, p)
end

local function raw_cmd_of(binary)
  return function(n, p)
    local hs = {}
    for i, h in ipairs(HEADERS) do hs[i] = q(h) end
    return string.format("%s %s %d %d %s", q(binary), q(STATUS), n, p, table.concat(hs, " "))
  end
end
local raw_cmd = raw_cmd_of(raw)

local lines = {
  "### CPU per status poll (callgrind instructions)",
  "",
  string.format("Instructions per poll of `hg:job(\"video\", id):refresh()` (%s, the whole client path) and of raw "
    .. "libcurl (`bench/raw_curl.c`), each the difference between a %d- and a %d-poll run over 2 x %d (start-up "
    .. "left out), the median of %d. Goal: ours <= 1.5x raw at 1 and at 64 in flight.", _VERSION, N, 3 * N, N,
    ROUNDS)
    .. (raw_cjson and " Beside it, libcurl + lua-cjson (`raw_curl.c` built with `-DRAW_CURL_CJSON`: each body also "
      .. "decoded by lua-cjson in a bare Lua state, its `data.status` read): the least a Lua client that decodes its "
      .. "answers pays, and what is left over it is heygen-lua's own code." or ""),
  "",
  "| in flight | heygen | raw libcurl | ratio | goal | |" .. (raw_cjson and " libcurl + lua-cjson | its ratio to raw "
    .. "| heygen over it | ours per poll |" or ""),
  "|---:|---:|---:|---:|---|---|" .. (raw_cjson and "---:|---:|---:|---:|" or ""),
}
local failed = false
for _, inflight in ipairs { 1, 64 } do
  local ours, oerr = per_poll(ours_cmd, inflight)
  local base_ir, rerr = per_poll(raw_cmd, inflight)
  local floor, ferr
  if raw_cjson then floor, ferr = per_poll(raw_cmd_of(raw_cjson), inflight) end
  local function k(v) return v and string.format("%.1fk", v / 1000) or "failed" end
  local extra = ""
  if raw_cjson then
    if floor and base_ir and ours then
      extra = string.format(" %s | %.2fx | %.2fx | %.1fk |", k(floor), floor / base_ir, ours / floor, (ours - floor) / 1000)
    else
      extra = string.format(" %s | n/a | n/a | n/a |", k(floor))
    end
  end
  if not ours or not base_ir or (raw_cjson and not floor) then
    failed = true
    io.stderr:write("bench/callgrind.lua: ", tostring(oerr or rerr or ferr), "\n")
    lines[#lines + 1] = string.format("| %d | %s | %s | n/a | <= 1.5x | |", inflight, k(ours), k(base_ir)) .. extra
  else
    local r = ours / base_ir
    lines[#lines + 1] = string.format("| %d | %.1fk | %.1fk | %.2fx | <= 1.5x | %s |", inflight, ours / 1000,
      base_ir / 1000, r, r <= 1.5 and "**met**" or "**not met**") .. extra
  end
end
print(table.concat(lines, "\n"))
os.exit(failed and 1 or 0)
