-- Every ```lua block of docs/*.md, run as a reader runs it: written to a folder of its
-- own and run there with build/heygen-lua, offline (HEYGEN_EMULATOR=1, no key, a fast
-- emulator clock). The line just before a fence may say how:
--   <!-- snippet: after previous -->        run appended to the previous block of the file
--                                           (the same process: its locals carry on)
--   <!-- snippet: not run (REASON) -->      needs what no spec has (Neovim, a web server
--                                           receiving deliveries, ...): only compiled
-- A block with neither starts a process of its own. What a block shows a reader is checked
-- too: each file it downloads to a literal name holds the emulator's MP4, and EXPECT below
-- holds what it prints and the scene a reader has set (a logo.png to upload, a journal
-- left by an earlier run).
local support = require "support"
local shell = require "shell"

local ROOT = io.popen("pwd"):read("*l")
local BIN = os.getenv("HEYGEN_LUA_BIN") or "build/heygen-lua"
if BIN:sub(1, 1) ~= "/" then BIN = ROOT .. "/" .. BIN end

local OFFLINE = { HEYGEN_API_KEY = false, HEYGEN_TOKEN = false, FAL_KEY = false, FAL_AI_API_KEY = false,
  HEYGEN_BASE_URL = false, HEYGEN_UPLOAD_URL = false, FAL_QUEUE_URL = false, HEYGEN_API = false,
  LUA_INIT = false, LUA_INIT_5_4 = false, HEYGEN_EMULATOR = "1", HEYGEN_EMULATOR_SPEED = "3000" }

-- Printed between the blocks of a chain: the end of each block's output, and proof it ran to its end.
local MARK = "\n\27[docs snippet %d done]\n"

-- An earlier run that created renders with a journal and stopped before saving them: the
-- scene of the snippets that resume one (run with -e, in the snippet's process and so
-- against its offline emulator, as the same machine's emulator would be).
local CUT_OFF_RUN = [[
local hg = require("heygen").client{journal = "renders.journal"}
assert(hg:generate_video{prompt = "a lighthouse at dawn"})
]]

--- An `out` check: the capture of `pattern` is one of the words.
local function one_of(pattern, ...)
  local words = { ... }
  return function(out)
    local got = out:match(pattern)
    for _, w in ipairs(words) do if got == w then return true end end
    return false, string.format("%q captures %q, not one of %s", pattern, tostring(got), table.concat(words, ", "))
  end
end

--- What a block shows, by "file > heading" (" #n" for the n-th block under that heading).
--- out: Lua patterns (or one_of checks) its own stdout must match; files: {pattern, count} of downloads named at
--- run time; fixtures: files the reader has beside the script; prelude: code run before it.
local EXPECT = {
  ["client.md > HeyGen v1/v2 calls"] = {
    fixtures = { ["logo.png"] = "\137PNG\r\n\26\n" .. string.rep("\0\1\2\3", 64) },
    -- the avatar and voice it chose and why; the female English voices; the credits; every video
    out = { "^avatar [^\n]+; voice [^\n]+\n", "\n%x+\t[^\n]+\n", "\n%d+%.?%d*\n", "\n%x+\tcompleted\n" },
  },
  ["client.md > HeyGen v3 and the legacy v1/v2 API #2"] = {
    -- the speech's URL and length, the endpoint's secret, the account's billing type
    out = { "^https?://%S+\t%d+%.?%d*\n", "\nwhsec_%w+\n",
      one_of("\n(%S+)\n$", "wallet", "subscription", "usage_based") },
  },
  ["client.md > HeyGen v3 and the legacy v1/v2 API #3"] = {
    out = { "^batch_%w+\n", "\ncompleted\t2\n$" },
    files = { pattern = "^[%x]+%.mp4$", count = 2 },
  },
  ["client.md > HeyGen v3 and the legacy v1/v2 API #5"] = { out = { "^https?://%S+%.srt%S*\n$" } },
  ["client.md > HeyGen v3 and the legacy v1/v2 API #7"] = { out = { "^agent asks: [^\n]+\n" } },
  ["fal-and-selection.md > fal.ai, the provider registry, and automatic selection with fallback #1"] = {
    -- no queue position line is required: whether a poll catches the job still queued is
    -- timing (its queue is milliseconds at this emulator speed), its log lines are not
    out = { "fal:\t%S", "\n1\t[%w_]+\t%d[^\n]*; quality ", "\n[%w_]+\t1\n$" },
  },
  ["jobs.md > Jobs"] = {
    out = { "^[%w-]+\tworkflow\n",
      one_of("^[^\n]*\n(%a+)\n", "pending", "processing", "completed", "failed", "cancelled"),
      "\nhttps?://%S+%.mp4%S*\n$" },
  },
  ["jobs.md > Nothing paid is lost: the journal, resume and forget"] = {
    prelude = CUT_OFF_RUN, files = { pattern = "^[%w-]+%.mp4$", count = 1 },
  },
  ["performance.md > Host loops: what a frame or an editor pays"] = {
    out = { "^[%w-]+\thttps?://%S+%.mp4%S*\n[%w-]+\thttps?://%S+%.mp4%S*\n$" },
  },
  ["reliability.md > Reliability #1"] = { prelude = CUT_OFF_RUN, files = { pattern = "^[%w-]+%.mp4$", count = 1 } },
}

local function read(path) return assert(support.read(path), "cannot read " .. path) end

--- The ```lua blocks of one docs file, in order: {file, heading, line, code, how, reason}.
local function blocks_of(file)
  local text = read(ROOT .. "/docs/" .. file)
  local list, heading, fence, prev, n, under = {}, "(top)", nil, "", 0, {}
  for line in (text .. "\n"):gmatch("([^\n]*)\n") do
    n = n + 1
    if fence then
      if line:match("^```%s*$") then
        if fence.code then list[#list + 1] = fence end
        fence = nil
      elseif fence.code then
        fence.code[#fence.code + 1] = line
      end
    elseif line:match("^```") then
      fence = {}
      if line:match("^```lua%s*$") then
        under[heading] = (under[heading] or 0) + 1
        fence = { file = file, heading = heading, nth = under[heading], line = n + 1, code = {}, how = "run" }
        local note = prev:match("^<!%-%- snippet: (.-) %-%->%s*$")
        if note == "after previous" then
          fence.how = "after"
        elseif note and note:match("^not run %(.+%)$") then
          fence.how, fence.reason = "not run", note:match("^not run %((.+)%)$")
        elseif note or prev:match("snippet:") then
          error(string.format("docs/%s:%d: unknown snippet note %q", file, n - 1, prev))
        end
      end
    elseif line:match("^#+ ") then
      heading = line:gsub("^#+%s+", "")
    end
    prev = line
  end
  assert(not fence, "docs/" .. file .. ": a code fence is never closed")
  for _, b in ipairs(list) do
    b.code = table.concat(b.code, "\n") .. "\n"
    b.key = b.file .. " > " .. b.heading .. (under[b.heading] > 1 and (" #" .. b.nth) or "")
  end
  return list
end

local FILES = {}
for name in io.popen("ls -1 " .. shell.quote(ROOT .. "/docs")):lines() do
  if name:match("%.md$") then FILES[#FILES + 1] = name end
end
table.sort(FILES)

-- Chains: a block run on its own, with the "after previous" blocks that follow it.
local BLOCKS = {}
for _, file in ipairs(FILES) do
  local last
  for _, b in ipairs(blocks_of(file)) do
    BLOCKS[#BLOCKS + 1] = b
    if b.how == "run" then
      last = { b }
      b.chain = last
    elseif b.how == "after" then
      assert(last, string.format("docs/%s:%d: \"after previous\" needs a run block before it", file, b.line))
      last[#last + 1] = b
      b.chain = last
    else
      last = nil
    end
  end
end

local work
setup(function()
  assert(io.open(BIN), BIN .. " is missing: build it first (cmake --build build)")
  work = support.tmpname()
  assert(os.execute("mkdir -p " .. shell.quote(work)))
end)
teardown(function() os.execute("rm -rf " .. shell.quote(work)) end)

local function ls(dir)
  local names = {}
  for name in io.popen("ls -1A " .. shell.quote(dir)):lines() do names[#names + 1] = name end
  return names
end

--- Runs a chain once, in a folder of its own: {code=, out=, err=, outs = {[i] = block i's stdout}, dir=, map=}.
local function run(chain)
  if chain.result then return chain.result end
  local dir = string.format("%s/%s-%d", work, chain[1].file:gsub("%.md$", ""), chain[1].line)
  assert(os.execute("mkdir -p " .. shell.quote(dir)))
  local parts, map, at, expect = {}, {}, 1, EXPECT[chain[1].key] or {}
  for i, b in ipairs(chain) do
    for name, bytes in pairs((EXPECT[b.key] or {}).fixtures or {}) do support.write_file(dir .. "/" .. name, bytes) end
    local lines = select(2, b.code:gsub("\n", ""))
    map[#map + 1] = string.format("snippet.lua:%d-%d is docs/%s:%d-%d", at, at + lines - 1, b.file, b.line,
      b.line + lines - 1)
    parts[#parts + 1] = b.code .. string.format("io.stdout:write(%q) io.stdout:flush()\n", MARK:format(i))
    at = at + lines + 1
  end
  support.write_file(dir .. "/snippet.lua", table.concat(parts))
  local argv = { "timeout", "120", BIN }
  if expect.prelude then
    argv[#argv + 1] = "-e"
    argv[#argv + 1] = expect.prelude
  end
  argv[#argv + 1] = "snippet.lua"
  local r = shell.run(argv, { cwd = dir, env = OFFLINE })
  r.dir, r.map, r.outs = dir, table.concat(map, "\n"), {}
  local from = 1
  for i = 1, #chain do
    local s, e = r.out:find(MARK:format(i), from, true)
    if not s then break end
    r.outs[i] = r.out:sub(from, s - 1)
    from = e + 1
  end
  chain.result = r
  return r
end

local function describe_run(r)
  return shell.describe(r) .. "--- lines\n" .. r.map .. "\n"
end

local function is_mp4(bytes) return bytes ~= nil and #bytes > 8 and bytes:sub(5, 8) == "ftyp" end

describe("every lua snippet of docs/*.md", function()
  for _, b in ipairs(BLOCKS) do
    local how = b.how == "not run" and ("compiles (not run: " .. b.reason .. ")")
      or (b.how == "after" and "runs after the previous block" or "runs offline")
    it(string.format("docs/%s:%d, under %q: %s", b.file, b.line, b.heading, how), function()
      local fn, err = load(b.code, "=docs/" .. b.file .. ":" .. b.line)
      assert(fn, err)
      if b.how == "not run" then return end
      local chain, i = b.chain, nil
      for k, c in ipairs(b.chain) do if c == b then i = k end end
      local r = run(chain)
      if not r.outs[i] then
        local stopped = 1
        while r.outs[stopped] do stopped = stopped + 1 end
        assert(false, (stopped == i and "the block did not run to its end\n"
          or string.format("docs/%s:%d before it did not run to its end\n", b.file, chain[stopped].line))
          .. describe_run(r))
      end
      if i == #chain then assert(r.code == 0, "exit " .. tostring(r.code) .. "\n" .. describe_run(r)) end
      local sample = support.sample_mp4()
      for name in b.code:gmatch(':download%("([^"]+)"') do
        local bytes = support.read(r.dir .. "/" .. name)
        assert(is_mp4(bytes), name .. " is not an MP4 on disk\n" .. describe_run(r))
        assert(bytes == sample, name .. " is not the emulator's sample MP4 (" .. #bytes .. " bytes)")
      end
      local want = EXPECT[b.key] or {}
      for _, check in ipairs(want.out or {}) do
        if type(check) == "function" then
          local ok, why = check(r.outs[i])
          assert(ok, tostring(why) .. ":\n" .. r.outs[i])
        else
          assert(r.outs[i]:match(check), string.format("its output does not match %q:\n%s", check, r.outs[i]))
        end
      end
      if want.files then
        local found = {}
        for _, name in ipairs(ls(r.dir)) do
          if name:match(want.files.pattern) then
            found[#found + 1] = name
            assert(is_mp4(support.read(r.dir .. "/" .. name)), name .. " is not an MP4 on disk")
          end
        end
        assert(#found == want.files.count, string.format("%d files match %q, not %d: %s", #found,
          want.files.pattern, want.files.count, table.concat(ls(r.dir), " ")))
      end
    end)
  end

  it("EXPECT names only blocks that exist, and they are run", function()
    local known = {}
    for _, b in ipairs(BLOCKS) do known[b.key] = b end
    for key in pairs(EXPECT) do
      assert(known[key], "EXPECT names no block: " .. key)
      assert(known[key].how ~= "not run", "EXPECT names a block that is not run: " .. key)
    end
  end)
end)
