-- Fault 10: the journal. A script killed with SIGKILL while it waits is rerun with
-- heygen.resume(path) and finishes every job, with no second create request.
local heygen = require "heygen"
local core = require "heygen.core"
local socket = require "socket"
local support = require "support"

local emu = support.use_emulator()

local LUA = os.getenv("HEYGEN_TEST_LUA") or "lua5.4"
local CREATES = { "^/v1/workflows/executions$", "^/v2/video/generate$" }

local function q(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end

local function write(path, text)
  local f = assert(io.open(path, "w"))
  f:write(text)
  f:close()
end

-- The journal's created and finished entries (heygen.journal reads the checksummed
-- lines; intents and settlements are left out here).
local function journal_lines(path)
  local out = {}
  for _, e in ipairs(require("heygen.journal").read(path, error)) do
    if e.event == "created" or e.event == "finished" then out[#out + 1] = e end
  end
  return out
end

local function created_ids(path)
  local ids = {}
  for _, e in ipairs(journal_lines(path)) do
    if e.event == "created" then ids[#ids + 1] = e.id end
  end
  return ids
end

local function count_creates()
  local n = 0
  for _, p in ipairs(CREATES) do n = n + emu:count("POST", p) end
  return n
end

-- Run `script` in a child process with this test's module paths and the emulator's
-- address in the environment; returns its pid (background) or its output (foreground).
local function child(script, journal, background)
  local path = support.tmpname(".lua")
  write(path, script)
  local env = string.format("HEYGEN_API_KEY=%s HEYGEN_BASE_URL=%s HEYGEN_API=v2 JOURNAL=%s",
    q(support.API_KEY), q(emu.url), q(journal))
  if background then
    local p = io.popen(env .. " " .. q(LUA) .. " " .. q(path) .. " >" .. q(path .. ".out") .. " 2>&1 & echo $!")
    local pid = tonumber(p:read("*a"))
    p:close()
    return pid, path
  end
  local p = io.popen(env .. " " .. q(LUA) .. " " .. q(path) .. " 2>&1; echo \"exit=$?\"")
  local out = p:read("*a")
  p:close()
  os.remove(path)
  return out
end

-- os.execute: true on 5.2+, 0 on 5.1/LuaJIT
local function succeeds(cmd)
  local r = os.execute(cmd)
  return r == true or r == 0
end

local function alive(pid) return succeeds("kill -0 " .. pid .. " 2>/dev/null") end

-- The first run: creates three jobs of two kinds, then waits for them (forever: the
-- emulator keeps them stuck).
local FIRST_RUN = [[
local heygen = require "heygen"
local hg = heygen.client { journal = os.getenv("JOURNAL"), poll = { initial = 0.05, max = 0.2 } }
local jobs = {
  assert(hg:generate_video { prompt = "journal one" }),
  assert(hg:create_video { video_inputs = { {
    character = { type = "avatar", avatar_id = "Abigail_expressive_2024112501" },
    voice = { type = "text", voice_id = "1bd001e7e50f421d891986aad5158bc8", input_text = "two" } } } }),
  assert(hg:generate_video { prompt = "journal three" }),
}
heygen.all(jobs)
print("the wait ended, which it must not")
]]

-- The rerun: only heygen.resume, with the default client (keys and URL from the
-- environment), then wait for all.
local RERUN = [[
local heygen = require "heygen"
local list = heygen.resume(os.getenv("JOURNAL"))
local results, errs = heygen.all(list)
for i, job in ipairs(list) do
  print(job.kind, job.id, job.status, results[i] and results[i].video_url ~= nil)
end
print("errors", errs == nil and 0 or #errs)
]]

describe("fault 10: the journal", function()
  it("survives SIGKILL while waiting: resume finishes every job with no second create", function()
    for _ = 1, 3 do emu:next_job { stuck = true } end
    local journal = support.tmpname(".journal")
    local pid, script = child(FIRST_RUN, journal, true)
    local deadline = core.now() + 20
    while #created_ids(journal) < 3 and core.now() < deadline and alive(pid) do socket.sleep(0.05) end
    local ids = created_ids(journal)
    assert.are.equal(3, #ids, "journal: " .. tostring(support.read(journal)) ..
      "\nchild output: " .. tostring(support.read(script .. ".out")))
    -- it is waiting: its polls reach the emulator
    while emu:count("GET", "^/v1/workflows/executions/") < 2 and core.now() < deadline do socket.sleep(0.05) end
    assert.is_true(alive(pid))
    assert.is_true(succeeds("kill -9 " .. pid))
    while alive(pid) and core.now() < deadline do socket.sleep(0.02) end
    assert.is_false(alive(pid))
    assert.are.equal(3, count_creates())

    for _, id in ipairs(ids) do emu:job(id, { stuck = false }) end
    local out = child(RERUN, journal)
    assert.matches("exit=0", out, 1, true)
    assert.matches("errors\t0", out, 1, true)
    for _, id in ipairs(ids) do
      assert.matches("\t" .. id .. "\tcompleted\ttrue", out, 1, true)
    end
    -- exactly one create per job, ever
    assert.are.equal(3, count_creates())
    -- the journal now says each one finished; a second resume has nothing to do
    local finished = {}
    for _, e in ipairs(journal_lines(journal)) do
      if e.event == "finished" then finished[e.id] = e.status end
    end
    for _, id in ipairs(ids) do assert.are.equal("completed", finished[id]) end
    -- completed but not downloaded: still kept, given back done (nothing polled), then
    -- dropped once each file is on disk; a third resume has nothing to do
    local hg = support.client(emu)
    local kept = heygen.resume(journal, hg)
    assert.are.equal(3, #kept)
    local polls = emu:count("GET", "^/v[12]/")
    for i, job in ipairs(kept) do
      assert.are.equal("completed", job.status)
      assert.is_string(assert(job:wait()).video_url)
      local file = support.tmpname(".mp4")
      assert.are.equal(file, job:download(file))
      assert.are.equal(support.sample_mp4(), support.read(file), "job " .. i)
      os.remove(file)
    end
    assert.are.equal(polls, emu:count("GET", "^/v[12]/"))
    assert.are.same({}, heygen.resume(journal, hg))
    os.remove(journal)
    os.remove(script)
    os.remove(script .. ".out")
  end)

  it("has the job id on disk before the create call returns", function()
    local journal = support.tmpname(".journal")
    local hg = support.client(emu, { journal = journal })
    local job = assert(hg:generate_video { prompt = "on disk first", provider = "kling_pro" })
    local lines = journal_lines(journal)
    assert.are.equal(1, #lines)
    assert.are.equal("created", lines[1].event)
    assert.are.equal(job.id, lines[1].id)
    assert.are.equal("workflow", lines[1].kind)
    assert.are.equal("kling_pro", lines[1].fields.provider)
    os.remove(journal)
  end)

  it("re-attaches with the fields the create call set", function()
    local journal = support.tmpname(".journal")
    local hg = support.client(emu, { journal = journal })
    local job = assert(hg:generate_video { prompt = "fields kept", provider = "kling_pro" })
    local resumed = heygen.resume(journal, hg)
    assert.are.equal(1, #resumed)
    assert.are.equal(job.id, resumed[1].id)
    assert.are.equal("kling_pro", resumed[1].provider)
    assert(resumed[1]:wait { timeout = 30 })
    -- completed, not downloaded: kept until the file is on disk
    local kept = heygen.resume(journal, hg)
    assert.are.equal(1, #kept)
    assert.are.equal("completed", kept[1].status)
    local out = support.tmpname(".mp4")
    assert(kept[1]:download(out))
    assert.are.same({}, heygen.resume(journal, hg))
    os.remove(out)
    os.remove(journal)
  end)

  it("journals a video batch before create_video_batch returns; a killed script's batch is resumed", function()
    local journal = support.tmpname(".journal")
    local item = { type = "avatar", avatar_id = "Abigail_expressive_2024112501", script = "In a batch." }
    -- a first run killed while it waits for the batch (its items stay stuck)
    for _ = 1, 2 do emu:next_job { stuck = true } end
    local pid, script = child([[
local heygen = require "heygen"
local hg = heygen.client { api = "v3", journal = os.getenv("JOURNAL"), poll = { initial = 0.05, max = 0.2 } }
local item = { type = "avatar", avatar_id = "Abigail_expressive_2024112501", script = "In a batch." }
local batch = assert(hg:create_video_batch { videos = { item, item } })
batch:wait { timeout = 600 }
print("the wait ended, which it must not")
]], journal, true)
    local deadline = core.now() + 20
    while #created_ids(journal) < 1 and core.now() < deadline and alive(pid) do socket.sleep(0.05) end
    local lines = journal_lines(journal)
    assert.are.equal(1, #lines, "child output: " .. tostring(support.read(script .. ".out")))
    assert.are.equal("video_batch", lines[1].kind)
    while emu:count("GET", "^/v3/videos/batches/") < 2 and core.now() < deadline do socket.sleep(0.05) end
    assert.is_true(succeeds("kill -9 " .. pid))
    while alive(pid) and core.now() < deadline do socket.sleep(0.02) end
    assert.are.equal(1, emu:count("POST", "^/v3/videos/batches$"))
    -- the rerun: no job, one batch, finished without a second create
    local hg = support.client(emu, { api = "v3", journal = journal })
    local list, batches = heygen.resume(journal, hg)
    assert.are.same({}, list)
    assert.are.equal(1, #batches)
    assert.are.equal(lines[1].id, batches[1].id)
    for _, job in ipairs(emu:jobs()) do emu:job(job.id, { stuck = false }) end
    local results, errs = batches[1]:wait { timeout = 30 }
    assert.is_nil(errs)
    assert.are.equal(2, #results)
    assert.are.equal(1, emu:count("POST", "^/v3/videos/batches$"))
    local _, none = heygen.resume(journal, hg)
    assert.are.same({}, none)
    -- the journal's directory gone after the client was made: its intent cannot be
    -- written, so nothing is sent
    local dir = support.tmpname()
    assert.is_true(succeeds("mkdir -p " .. dir))
    local broken = support.client(emu, { api = "v3", journal = dir .. "/j" })
    os.execute("rm -rf " .. dir)
    local batch, err = broken:create_video_batch { videos = { item } }
    assert.is_nil(batch)
    assert.are.equal("io", err.kind)
    assert.matches("so the create was not sent", err.message, 1, true)
    assert.are.equal(1, emu:count("POST", "^/v3/videos/batches$"))
    os.remove(journal)
    os.remove(script)
    os.remove(script .. ".out")
  end)

  it("refuses a journal it cannot write when the client is made, before any request", function()
    assert.has_error(function() support.client(emu, { journal = "/nonexistent-dir/heygen.journal" }) end,
      "heygen.client: journal: /nonexistent-dir/heygen.journal: No such file or directory")
    assert.are.equal(0, #emu:requests())
  end)

  it("sends no create when the journal cannot take its intent", function()
    local dir = support.tmpname()
    assert.is_true(succeeds("mkdir -p " .. dir))
    local hg = support.client(emu, { journal = dir .. "/j" })
    os.execute("rm -rf " .. dir)  -- the journal's directory goes away after the client was made
    local job, err = hg:generate_video { prompt = "never sent" }
    assert.is_nil(job)
    assert.are.equal("io", err.kind)
    assert.matches("so the create was not sent", err.message, 1, true)
    assert.are.equal(0, #emu:jobs())
    assert.are.equal(0, count_creates())
  end)

  it("returns the created job with the error when the journal breaks between intent and answer", function()
    local dir = support.tmpname()
    assert.is_true(succeeds("mkdir -p " .. dir))
    local hg = support.client(emu, { journal = dir .. "/j" })
    -- the directory goes away while the create is in flight (the emulator holds it)
    emu:fault { method = "POST", path = "^/v1/workflows/executions", delay = 0.5 }
    local t = heygen.spawn(function() return hg:generate_video { prompt = "created, not journaled" } end)
    heygen.spawn(function()
      heygen.sleep(0.2)
      os.execute("rm -rf " .. dir)
    end)
    local job, err = t:wait()
    assert.is_nil(job)
    assert.are.equal("io", err.kind)
    assert.is_string(err.job_id)
    assert.are.equal(err.job_id, err.job.id)
    assert.matches("do not create it again", err.message, 1, true)
    assert.are.equal(1, #emu:jobs())
    assert(err.job:wait { timeout = 30 })
  end)
end)
