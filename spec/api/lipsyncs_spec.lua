-- hg:lipsync (the client against the emulator: the requests it sent, what the user sees).
local env = require "api.v3_env"

local emu, hg
setup(function() emu, hg = env.start() end)
teardown(env.stop)
before_each(function() emu:reset() end)
local sent = env.sent
local statuses = env.statuses
local write_file = env.write_file

describe("hg:lipsync", function()
  it("dubs a video with an uploaded audio asset and follows it to completed", function()
    local audio = write_file("ID3" .. string.rep("\0", 200), ".mp3")
    local asset = assert(hg:upload_asset(audio))
    os.remove(audio)
    local job = assert(hg:lipsync { video = "https://example.com/in.mp4",
      audio = { type = "asset_id", asset_id = asset.id }, enable_caption = true })
    assert.are.equal("lipsync", job.kind)
    assert.are.same({ video = { type = "url", url = "https://example.com/in.mp4" },
      audio = { type = "asset_id", asset_id = asset.id }, enable_caption = true }, (sent("POST", "^/v3/lipsyncs$")))
    local result, err, order = statuses(job)
    assert.is_nil(err)
    assert.are.same({ "pending", "processing", "completed" }, order)
    assert.are.equal(job.id, result.lipsync_id)
    assert.matches("%.srt%?", result.caption_url)
  end)

  it("needs both tracks and a sane time window before any request", function()
    local _, err = hg:lipsync { video = "https://example.com/in.mp4" }
    assert.matches("audio is required", err.message)
    _, err = hg:lipsync { video = "https://example.com/in.mp4", audio = "https://example.com/a.mp3",
      start_time = 5, end_time = 2 }
    assert.matches("end_time must be after start_time, got 2 <= 5", err.message)
    assert.are.equal(0, #emu:requests())
  end)
end)
