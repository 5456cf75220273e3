-- Jobs end to end against the emulator: submit, every status, download.
local heygen = require "heygen"
local core = require "heygen.core"
local support = require "support"

local emu = support.use_emulator()
local hg = support.client(emu)

local AVATAR, VOICE = support.AVATAR, support.VOICE

local function scene(text)
  return { character = { type = "avatar", avatar_id = AVATAR, avatar_style = "normal" },
    voice = { type = "text", voice_id = VOICE, input_text = text or "Welcome to heygen-lua." },
    background = { type = "color", value = "#FAFAFA" } }
end

describe("a workflow job (text-to-video)", function()
  it("goes through every status to a downloaded MP4 identical to the served one", function()
    local job = assert(hg:generate_video { prompt = "A drone shot over a coastal city", provider = "kling_pro",
      aspect_ratio = "9:16" })
    assert.are.equal("workflow", job.kind)
    assert.are.equal("pending", job.status)
    assert.are.equal("kling_pro", job.provider)
    local result, err, order = support.wait_statuses(job, 30, emu) -- the clock stepped per poll
    assert(result, tostring(err))
    assert.are.same({ "pending", "processing", "completed" }, order)
    assert.are.equal("completed", job.status)
    assert.matches("^http://127%.0%.0%.1:%d+/", result.video_url)
    assert.is_string(result.video_id)
    assert.is_string(result.asset_id)
    local out = support.tmpname(".mp4")
    local progress = {}
    assert.are.equal(out, job:download(out, { on_progress = function(done, total)
      progress[#progress + 1] = { done, total }
    end }))
    assert.are.equal(support.sample_mp4(), support.read(out))
    assert.is_nil(support.read(out .. ".part"))
    local last = progress[#progress]
    assert.are.equal(#support.sample_mp4(), last[1])
    os.remove(out)
    local body = heygen.json.decode(emu:requests { method = "POST", path = "^/v1/workflows" }[1].body)
    assert.are.equal("kling_pro", body.input.provider)
    assert.are.equal("9:16", body.input.aspect_ratio)
  end)
end)

describe("an avatar video job", function()
  it("goes through every status to a downloaded MP4 with thumbnail and duration", function()
    local job = assert(hg:create_video { video_inputs = { scene() }, dimension = { width = 1280, height = 720 },
      title = "spec", test = true })
    assert.are.equal("video", job.kind)
    assert.matches("^%x+$", job.id)
    local result, err, order = support.wait_statuses(job, 30, emu)
    assert(result, tostring(err))
    assert.are.same({ "pending", "processing", "completed" }, order)
    assert.is_string(result.thumbnail_url)
    assert.is_number(result.duration)
    assert.are.equal(job.id, result.video_id)
    local out = support.tmpname(".mp4")
    assert(job:download(out))
    assert.are.equal(support.sample_mp4(), support.read(out))
    os.remove(out)
  end)

  it("fails with job_failed carrying the API's code and message", function()
    emu:next_job { fail = { code = 40119, message = "Video is too long" } }
    local job = assert(hg:create_video { video_inputs = { scene() } })
    local result, err = job:wait { timeout = 30 }
    assert.is_nil(result)
    assert.are.equal("job_failed", err.kind)
    assert.are.equal(40119, err.code)
    assert.matches("Video is too long", err.message)
    assert.are.equal(job.id, err.job_id)
    assert.are.equal("failed", job.status)
  end)
end)

describe("a poll-time credit failure", function()
  it("is insufficient_credit with the API's code and its message once", function()
    emu:next_job { fail = { code = "MOVIO_PAYMENT_INSUFFICIENT_CREDIT", message = "no credit" } }
    local job = assert(hg:create_video { video_inputs = { scene() } })
    local result, err = job:wait { timeout = 30 }
    assert.is_nil(result)
    assert.are.equal("insufficient_credit", err.kind)
    assert.are.equal("MOVIO_PAYMENT_INSUFFICIENT_CREDIT", err.code)
    assert.are.equal("no credit", err.message)
  end)
end)

describe("waiting", function()
  it("runs 100 jobs concurrently with heygen.all, their polls interleaved", function()
    local list = {}
    for i = 1, 100 do
      list[i] = assert(hg:generate_video { prompt = "clip " .. i })
    end
    local results, errs = heygen.all(list)
    assert.is_nil(errs)
    for i = 1, 100 do assert.is_string(results[i].video_url) end
    -- the emulator's log proves the polls interleaved: between the first and
    -- last poll of any job, other jobs were polled too
    local polls = emu:requests { method = "GET", path = "^/v1/workflows/executions/" }
    local first, last = {}, {}
    for i, r in ipairs(polls) do
      local id = r.path:match("executions/(.+)$")
      first[id] = first[id] or i
      last[id] = i
    end
    local id1 = list[1].id
    local others = {}
    for i = first[id1], last[id1] do
      local id = polls[i].path:match("executions/(.+)$")
      if id ~= id1 then others[id] = true end
    end
    local n = 0
    for _ in pairs(others) do n = n + 1 end
    assert.is_true(n >= 50, "jobs polled while job 1 was waiting: " .. n)
  end)

  it("a wait timeout returns timeout with the job id, and the job resumes without a second create", function()
    emu:next_job { stuck = true }
    local job = assert(hg:create_video { video_inputs = { scene() } })
    local t0 = core.now()
    local result, err = job:wait { timeout = 0.5 }
    assert.is_nil(result)
    assert.are.equal("timeout", err.kind)
    assert.are.equal(job.id, err.job_id)
    assert.matches("do not submit it again", err.message)
    assert.is_true(core.now() - t0 < 2)
    emu:job(job.id, { complete = true })
    local again = hg:job("video", job.id)
    assert(again:wait { timeout = 30 })
    assert.are.equal("completed", again.status)
    assert.are.equal(1, #emu:requests { method = "POST", path = "^/v2/video/generate" })
  end)

  it("rejects unknown wait options", function()
    local job = hg:job("video", "abc")
    assert.has_error(function() job:wait { timout = 5 } end,
      "job:wait: unknown option 'timout' (did you mean 'timeout'?)")
  end)
end)

describe("downloads", function()
  it("stream to path..'.part' and rename only when complete", function()
    local job = assert(hg:generate_video { prompt = "x" })
    assert(job:wait { timeout = 30 })
    local dir = support.tmpname()
    local out = dir .. "/missing-dir/out.mp4"
    local path, err = job:download(out)
    assert.is_nil(path)
    assert.are.equal("io", err.kind)
    assert.is_nil(support.read(out))
    assert.is_nil(support.read(out .. ".part"))
  end)
end)

describe("heygen.all over a list a failed create left a hole in", function()
  local function creates() return #emu:requests { method = "POST", path = "^/v1/workflows/executions$" } end

  it("reports the hole and the create's error by index and still waits for the jobs around them", function()
    -- the table constructor keeps each create's first value; the last one's nil, err both land
    local list = { hg:generate_video { prompt = "first", provider = "kling_pro" },
      hg:generate_video { prompt = "second", provider = "kling_pr" } }
    assert.are.equal(1, creates(), "the misspelled provider was refused before any request")
    local results, errs = heygen.all(list)
    assert.is_table(errs, "the failed create was hidden")
    assert.matches("^http://", results[1].video_url)
    assert.are.equal("completed", list[1].status)
    assert.are.equal("invalid_argument", errs[2].kind)
    assert.matches("item 2 is nil, not a job or task (a create that failed returns nil, err", errs[2].message, 1, true)
    assert.are.equal("invalid_argument", errs[3].kind)
    assert.matches("kling_pr", tostring(errs[3]), 1, true) -- the create's own error, naming the value
    assert.is_nil(results[2])
    assert.is_nil(results[3])
  end)

  it("waits for the jobs after a hole at the front", function()
    local list = { hg:generate_video { prompt = "first", provider = "kling_pr" },
      hg:generate_video { prompt = "second", provider = "kling_pro" } }
    local results, errs = heygen.all(list)
    assert.are.equal("invalid_argument", errs[1].kind)
    assert.matches("item 1 is nil", errs[1].message, 1, true)
    assert.matches("^http://", results[2].video_url)
    assert.is_nil(errs[2])
  end)

  it("names an item that cannot be waited for, and takes list.n as the length", function()
    local job = assert(hg:generate_video { prompt = "kept", provider = "kling_pro" })
    local results, errs = heygen.all { job, "video-123", n = 3 }
    assert.matches("^http://", results[1].video_url)
    assert.are.equal("heygen.all: item 2 is a string, not a job or task (it has no wait method)", errs[2].message)
    assert.matches("item 3 is nil", errs[3].message, 1, true)
  end)
end)
