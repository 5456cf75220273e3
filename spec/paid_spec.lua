-- Issue 17, "Nothing paid is ever lost": a render that completed but could not be saved
-- stays in the journal until its file is on disk (or heygen.forget drops it), and comes
-- back from heygen.resume done; where a render will be saved is checked before it is paid
-- for; a fal job's hints name its model; batch:wait's deadline bounds its page requests.
local heygen = require "heygen"
local core = require "heygen.core"
local support = require "support"

local emu = support.use_emulator()

local function sh(cmd)
  local r = os.execute(cmd)
  return r == true or r == 0
end

-- A folder no new file can be made in, even by root: immutable (chattr +i), else
-- without write permission for a user who is not root. nil when neither holds here.
local function read_only_dir()
  local dir = support.tmpname()
  assert(sh("mkdir -p " .. dir))
  if sh("chattr +i " .. dir .. " 2>/dev/null") or (not sh("[ \"$(id -u)\" = 0 ]") and sh("chmod 555 " .. dir)) then
    local probe = io.open(dir .. "/probe", "wb")
    if not probe then return dir end
    probe:close()
  end
  os.execute("chattr -i " .. dir .. " 2>/dev/null; rm -rf " .. dir)
end

local function release(dir)
  os.execute("chattr -i " .. dir .. " 2>/dev/null; chmod 755 " .. dir .. "; rm -rf " .. dir)
end

-- The ids heygen.resume gives back, and their statuses.
local function kept(journal, hg)
  local out = {}
  for _, job in ipairs(heygen.resume(journal, hg)) do out[job.id] = job.status end
  return out
end

describe("issue 17: a completed render that could not be saved", function()
  local journal, hg
  before_each(function()
    journal = support.tmpname(".journal")
    hg = support.client(emu, { journal = journal })
  end)
  after_each(function() os.remove(journal) end)

  -- A completed job of this client, downloaded to `target`: the error, and the job.
  local function failed_download(target, before_download)
    local job = assert(hg:generate_video { prompt = "kept until saved", provider = "kling_pro" })
    assert(job:wait { timeout = 30 })
    if before_download then before_download(job) end
    local path, err = job:download(target)
    assert.is_nil(path)
    return err, job
  end

  -- resume gives `job` back done: wait returns without a request, download writes the
  -- MP4, and then the journal no longer keeps it
  local function saved_after_resume(job)
    local list = heygen.resume(journal, support.client(emu))
    assert.are.equal(1, #list)
    local again = list[1]
    assert.are.equal(job.id, again.id)
    assert.are.equal("completed", again.status)
    local before = #emu:requests {}
    local result = assert(again:wait())
    assert.are.equal(job.result.video_url, result.video_url)
    assert.are.equal(before, #emu:requests {}, "wait asked the API about a job the journal knows is done")
    local out = support.tmpname(".mp4")
    assert.are.equal(out, again:download(out))
    assert.are.equal(support.sample_mp4(), support.read(out))
    os.remove(out)
    assert.are.same({}, heygen.resume(journal, hg))
    assert.are.equal(1, emu:count("POST", "^/v1/workflows/executions$"))
  end

  it("into a read-only folder: an io error, the job kept, resume saves it", function()
    local dir = read_only_dir()
    if not dir then return pending("no way to make a read-only folder here (chattr, non-root chmod)") end
    local err, job = failed_download(dir .. "/out.mp4")
    release(dir)
    assert.are.equal("io", err.kind, tostring(err))
    assert.are.equal(job.id, err.job_id)
    assert.are.same({ [job.id] = "completed" }, kept(journal, hg))
    saved_after_resume(job)
  end)

  it("to a path whose parent is a file: an io error, the job kept, resume saves it", function()
    local file = support.tmpname()
    support.write_file(file, "a file, not a folder")
    local err, job = failed_download(file .. "/out.mp4")
    assert.are.equal("io", err.kind, tostring(err))
    assert.are.equal("a file, not a folder", support.read(file))
    os.remove(file)
    assert.are.same({ [job.id] = "completed" }, kept(journal, hg))
    saved_after_resume(job)
  end)

  it("from a URL that stays expired: url_expired, the job kept, resume saves it once the file is back", function()
    emu:fault { method = "GET", path = "^/files/", expire = true, times = -1 }
    local out = support.tmpname(".mp4")
    -- the download's status refresh signs a URL with another Expires (a shorter TTL):
    -- the journal must hand resume that fresh URL, not the one the wait first saw
    local first_url
    local err, job = failed_download(out, function(j)
      first_url = j.result.video_url
      emu:config { url_ttl = 3600 }
    end)
    finally(function() emu:config { url_ttl = 7 * 24 * 3600 } end)
    assert.are_not.equal(first_url, job.result.video_url)
    assert.are.equal("url_expired", err.kind, tostring(err))
    assert.is_nil(support.read(out))
    assert.are.same({ [job.id] = "completed" }, kept(journal, hg))
    emu:clear_faults()
    saved_after_resume(job)
  end)

  it("a job that failed, or whose file is saved, is not kept; a render with no file is not kept", function()
    emu:next_job { fail = { code = "render_failed", message = "no" } }
    local failing = assert(hg:generate_video { prompt = "fails", provider = "kling_pro" })
    assert.is_nil((failing:wait { timeout = 30 }))
    local saved = assert(hg:generate_video { prompt = "saved", provider = "kling_pro" })
    local out = support.tmpname(".mp4")
    assert(saved:download(out))
    os.remove(out)
    assert.are.same({}, kept(journal, hg))
    local lines = require("heygen.journal").read(journal, error)
    assert.are.same({ event = "downloaded", kind = "workflow", id = saved.id, path = out },
      { event = lines[#lines].event, kind = lines[#lines].kind, id = lines[#lines].id, path = lines[#lines].path })
  end)
end)

describe("issue 17: heygen.forget", function()
  it("drops a job by Job, kind:id or id; resume no longer gives it back; the render is not cancelled", function()
    local journal = support.tmpname(".journal")
    local hg = support.client(emu, { journal = journal })
    local a = assert(hg:generate_video { prompt = "a", provider = "kling_pro" })
    local b = assert(hg:generate_video { prompt = "b", provider = "kling_pro" })
    local c = assert(hg:generate_video { prompt = "c", provider = "kling_pro" })
    assert(b:wait { timeout = 30 }) -- done, not downloaded
    assert.is_true(heygen.forget(journal, a))
    assert.is_true(heygen.forget(journal, "workflow:" .. b.id))
    assert.are.same({ [c.id] = "pending" }, kept(journal, hg))
    assert.is_true(heygen.forget(journal, c.id))
    assert.are.same({}, kept(journal, hg))
    assert.are.equal(0, emu:count("POST", "cancel"))
    assert(hg:job("workflow", a.id):wait { timeout = 30 }) -- still there, still running remotely
    -- a fal request by the reference the CLI prints
    local model = "fal-ai/minimax/hailuo-02/standard/text-to-video"
    local f = assert(hg:fal_submit(model, { prompt = "f" }))
    assert.are.same({ [f.id] = "pending" }, kept(journal, hg))
    assert.is_true(heygen.forget(journal, "fal:" .. model .. ":" .. f.id))
    assert.are.same({}, kept(journal, hg))
    -- a job the journal does not keep: not_found, naming it and the journal
    local ok, err = heygen.forget(journal, c.id)
    assert.is_nil(ok)
    assert.are.equal("not_found", err.kind)
    assert.are.equal("the journal " .. journal .. " keeps no job " .. c.id
      .. " (never created there, already downloaded, ended or forgotten)", err.message)
    assert.has_error(function() heygen.forget(journal, 42) end, "heygen.forget(path, job): path is the journal "
      .. "file; job a Job, a Batch, \"kind:id\" or an id, got string, number")
    os.remove(journal)
  end)
end)

describe("issue 17: where the render goes is checked before it is paid for", function()
  it("heygen.check_output refuses an existing file unless overwrite, and a folder that takes no file", function()
    local existing = support.tmpname(".mp4")
    support.write_file(existing, "mine")
    local ok, err = heygen.check_output(existing)
    local _
    assert.is_nil(ok)
    assert.are.same({ "io", "file_exists", "path", existing }, { err.kind, err.code, err.option, err.path })
    assert.are.equal("path: " .. existing .. " exists; it is kept: pass overwrite = true to replace it, "
      .. "or another path", err.message)
    assert.is_true(heygen.check_output(existing, { overwrite = true }))
    assert.are.equal("mine", support.read(existing))
    _, err = heygen.check_output(existing .. "/x.mp4", { option = "out" })
    assert.are.same({ "io", "not_writable", "out" }, { err.kind, err.code, err.option })
    assert.matches("^out: cannot write " .. existing:gsub("%p", "%%%0") .. "/x%.mp4: its folder ", err.message)
    local dir = read_only_dir()
    if dir then
      _, err = heygen.check_output(dir .. "/x.mp4")
      release(dir)
      assert.are.equal("not_writable", err.code)
      assert.matches("takes no new file", err.message, 1, true)
    end
    _, err = heygen.check_output(support.tmpname() .. "/")
    assert.are.equal("io", err.kind)
    _, err = heygen.check_output(nil, { option = "out" })
    assert.are.same({ "invalid_argument", "out must be a non-empty string (a file path), got nil" },
      { err.kind, err.message })
    assert.has_error(function() heygen.check_output(existing, { overwite = true }) end,
      "heygen.check_output: unknown option 'overwite' (did you mean 'overwrite'?)")
    -- the checks make nothing and ask nothing
    assert.are.equal(0, #emu:requests {})
    os.remove(existing)
  end)

  it("job:download{overwrite = false} keeps an existing file, asking nothing for it", function()
    local hg = support.client(emu)
    local job = assert(hg:generate_video { prompt = "keep mine", provider = "kling_pro" })
    assert(job:wait { timeout = 30 })
    local out = support.tmpname(".mp4")
    support.write_file(out, "mine")
    local path, err = job:download(out, { overwrite = false })
    assert.is_nil(path)
    assert.are.same({ "io", "file_exists", job.id }, { err.kind, err.code, err.job_id })
    assert.matches("exists; it is kept", err.message, 1, true)
    assert.are.equal("mine", support.read(out))
    assert.are.equal(0, emu:count("GET", "^/files/"))
    assert.are.equal(out, job:download(out)) -- the default replaces it, as before
    assert.are.equal(support.sample_mp4(), support.read(out))
    os.remove(out)
  end)
end)

describe("issue 17: fal jobs are re-attached with their model", function()
  it("the timeout hint names hg:fal_job(MODEL, ID), and that call finishes the job", function()
    local hg = support.client(emu)
    local model = "fal-ai/minimax/hailuo-02/standard/text-to-video"
    emu:next_job { stuck = true }
    local job = assert(hg:fal_submit(model, { prompt = "slow" }))
    local _, err = job:wait { timeout = 0.3 }
    assert.are.equal("timeout", err.kind)
    local call = string.format("client:fal_job(%q, %q):wait()", model, job.id)
    assert.is_truthy(err.message:find("resume with " .. call, 1, true), err.message)
    for _, j in ipairs(emu:jobs()) do emu:job(j.id, { stuck = false }) end
    local again = hg:fal_job(model, job.id)
    assert.is_string(assert(again:wait { timeout = 30 }).video_url)
    assert.are.equal(1, emu:count("POST", "^/fal/"))
  end)

  it("hg:job(\"fal\", id) says to call hg:fal_job with the model", function()
    local hg = support.client(emu)
    assert.has_error(function() hg:job("fal", "req-1") end, 'hg:job("fal", "req-1") cannot follow a fal '
      .. 'request without its model: call hg:fal_job(MODEL_ID, "req-1") (MODEL_ID as submitted, '
      .. 'e.g. "fal-ai/kling-video/v3/standard/text-to-video")')
    assert.are.equal(0, #emu:requests {})
  end)
end)

describe("issue 17: batch:wait{timeout = T}", function()
  it("bounds its page requests too: a slow batch GET ends in a timeout within T and a margin", function()
    local hg = support.client(emu, { api = "v3" })
    local item = { type = "avatar", avatar_id = "Abigail_expressive_2024112501", script = "Slow pages." }
    local batch = assert(hg:create_video_batch { videos = { item, item } })
    emu:fault { method = "GET", path = "^/v3/videos/batches/", delay = 5, times = -1 }
    local t0 = core.now()
    local results, err = batch:wait { timeout = 1 }
    local took = core.now() - t0
    assert.is_nil(results)
    assert.are.equal("timeout", err.kind)
    assert.are.equal(batch.id, err.batch_id)
    assert.is_true(took < 2, string.format("batch:wait{timeout = 1} took %.2fs", took))
    emu:clear_faults()
  end)

  it("bounds the reads of its videos after the batch ends: each item a timeout error within T", function()
    local hg = support.client(emu, { api = "v3" })
    local item = { type = "avatar", avatar_id = "Abigail_expressive_2024112501", script = "Slow videos." }
    local batch = assert(hg:create_video_batch { videos = { item, item } })
    local deadline = core.now() + 20
    while batch:refresh() ~= "completed" and core.now() < deadline do heygen.sleep(0.05) end
    assert.are.equal("completed", batch.status)
    emu:fault { method = "GET", path = "^/v3/videos[/?]", delay = 5, times = -1 } -- bulk and single reads
    local t0 = core.now()
    local results, errs = batch:wait { timeout = 1 }
    local took = core.now() - t0
    assert.is_true(took < 2, string.format("batch:wait{timeout = 1} took %.2fs", took))
    assert.are.same({}, results)
    for i = 1, 2 do assert.are.equal("timeout", errs[i].kind, tostring(errs[i])) end
    emu:clear_faults()
  end)
end)

describe("issue 17: a finished batch's videos", function()
  it("are kept as jobs until downloaded: resume gives them back done, then nothing", function()
    local journal = support.tmpname(".journal")
    local hg = support.client(emu, { api = "v3", journal = journal })
    local item = { type = "avatar", avatar_id = "Abigail_expressive_2024112501", script = "Kept videos." }
    local batch = assert(hg:create_video_batch { videos = { item, item } })
    local results = assert(batch:wait { timeout = 30 })
    assert.are.equal(2, #results)
    local list, batches = heygen.resume(journal, support.client(emu, { api = "v3" }))
    assert.are.same({}, batches)
    assert.are.equal(2, #list)
    for i, job in ipairs(list) do
      assert.are.same({ "video", batch:job(i).id, "completed" }, { job.kind, job.id, job.status })
      local out = support.tmpname(".mp4")
      assert.are.equal(out, job:download(out))
      assert.are.equal(support.sample_mp4(), support.read(out))
      os.remove(out)
    end
    list, batches = heygen.resume(journal, hg)
    assert.are.same({ {}, {} }, { list, batches })
    assert.are.equal(1, emu:count("POST", "^/v3/videos/batches$"))
    os.remove(journal)
  end)
end)

describe("issue 17: kill -9 during a download", function()
  it("heygen.resume gives the job back done; its download resumes the part and ends with the same bytes", function()
    local journal, out = support.tmpname(".journal"), support.tmpname(".mp4")
    -- the first GET of the file sends 20000 bytes and drops; the retry stalls: the part holds them
    emu:fault { method = "GET", path = "^/files/", drop_after = 20000 }
    emu:fault { method = "GET", path = "^/files/", delay = 60 }
    local script = support.tmpname(".lua")
    support.write_file(script, [[
local heygen = require "heygen"
local hg = heygen.client { journal = os.getenv("JOURNAL"), poll = { initial = 0.05, max = 0.2 } }
local job = assert(hg:generate_video { prompt = "torn", provider = "kling_pro" })
assert(job:wait { timeout = 60 })
print(job:download(os.getenv("OUT")))
]])
    local function q(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end
    local p = io.popen(string.format("HEYGEN_API_KEY=%s HEYGEN_BASE_URL=%s HEYGEN_API=v2 JOURNAL=%s OUT=%s %s %s "
      .. ">/dev/null 2>&1 & echo $!", q(support.API_KEY), q(emu.url), q(journal), q(out),
      q(os.getenv("HEYGEN_TEST_LUA") or "lua5.4"), q(script)))
    local pid = tonumber(p:read("*a"))
    p:close()
    local deadline = core.now() + 30
    while not support.read(out .. ".part.resume") and core.now() < deadline do sh("sleep 0.05") end
    assert.is_truthy(support.read(out .. ".part.resume"), "the download never left a part")
    assert.is_true(sh("kill -9 " .. pid))
    while sh("kill -0 " .. pid .. " 2>/dev/null") and core.now() < deadline do sh("sleep 0.02") end
    os.remove(script)
    assert.is_nil(support.read(out))
    emu:clear_faults()
    local list = heygen.resume(journal)
    assert.are.equal(1, #list)
    assert.are.equal("completed", list[1].status)
    assert.are.equal(out, list[1]:download(out))
    assert.are.equal(support.sample_mp4(), support.read(out))
    local gets = emu:requests { method = "GET", path = "^/files/" }
    assert.are.equal("bytes=20000-", gets[#gets].headers.range)
    assert.are.same({}, support.parts(out))
    assert.are.same({}, heygen.resume(journal))
    assert.are.equal(1, emu:count("POST", "^/v1/workflows/executions$"))
    os.remove(out)
    os.remove(journal)
  end)
end)
