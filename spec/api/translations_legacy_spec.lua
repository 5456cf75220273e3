-- hg:translate_video under the v1/v2 API
-- (the client against the emulator: the requests it sent, what the user sees).
local env = require "api.legacy_env"
local support = require "support"

local emu, hg = env.use()
local sent, statuses = env.sent, env.statuses

describe("hg:translate_video", function()
  it("runs its own status machine (pending, running, success) to a link in url", function()
    local job = assert(hg:translate_video { video_url = "https://example.com/talk.mp4",
      output_language = "Spanish (Spain)", title = "Charla", speaker_num = 1, mode = "quality" })
    assert.are.equal("translate", job.kind)
    assert.are.same({ video_url = "https://example.com/talk.mp4", output_language = "Spanish (Spain)", title = "Charla",
      speaker_num = 1, mode = "quality" }, sent("POST", "^/v2/video_translate$"))
    local result, err, order = statuses(job, 60)
    assert.is_nil(err)
    assert.are.same({ "pending", "processing", "completed" }, order)
    assert.matches("%.mp4%?Expires=", result.url)
    assert.are.equal(result.url, result.video_url)
    assert.are.equal(job.id, result.video_translate_id)
    assert.are.equal("Charla", result.title)
    local out = support.tmpname(".mp4")
    assert(job:download(out))
    assert.are.equal(support.sample_mp4(), support.read(out))
    os.remove(out)
  end)

  it("fails with job_failed and the API's message; an unknown language is the API's invalid_parameter", function()
    emu:next_job { kind = "translate", fail = { message = "No speech detected in the source video" } }
    local job = assert(hg:translate_video { video_url = "https://example.com/silent.mp4",
      output_language = "French (France)" })
    local result, err = job:wait { timeout = 60 }
    assert.is_nil(result)
    assert.are.equal("job_failed", err.kind)
    assert.are.equal("No speech detected in the source video", err.message)
    job, err = hg:translate_video { video_url = "https://example.com/a.mp4", output_language = "Elvish" }
    assert.is_nil(job)
    assert.are.equal("invalid_argument", err.kind)
    assert.are.equal("invalid_parameter", err.code)
    local status, nerr = hg:job("translate", "feedbeef"):refresh()
    assert.is_nil(status)
    assert.are.equal("not_found", nerr.kind)
  end)
end)
