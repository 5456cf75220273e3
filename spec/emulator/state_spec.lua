-- The emulator's --state PATH: jobs created against it survive its restart, so a job
-- can be resumed offline as it would be against the real API.
local support = require "support"

local KLING = "fal-ai/kling-video/v3/standard/text-to-video"

describe("an emulator with --state", function()
  local path
  before_each(function() path = support.tmpname(".state") end)
  after_each(function() os.remove(path) end)

  it("keeps jobs across a restart: they finish and download from the new process", function()
    local emu = support.emulator { state = path, time_scale = 30 }
    local hg = support.client(emu)
    local v3 = support.client(emu, { api = "v3" })
    local workflow = assert(hg:generate_video { prompt = "A lighthouse", provider = "kling_pro" })
    local video = assert(v3:create_video { type = "avatar", avatar_id = "Abigail_expressive_2024112501",
      script = "Hello.", voice_id = "1bd001e7e50f421d891986aad5158bc8" })
    local fal = assert(hg:fal_submit(KLING, { prompt = "A kite" }))
    local old_port = emu.port
    emu:stop()

    local again = support.emulator { state = path, time_scale = 300 }
    assert.are_not.equal(old_port, again.port)
    local hg2, v32 = support.client(again), support.client(again, { api = "v3" })
    for _, job in ipairs { hg2:job("workflow", workflow.id), v32:job("video", video.id),
                           hg2:fal_job(KLING, fal.id) } do
      assert(job:wait { timeout = 30 })
      local out = support.tmpname(".mp4")
      assert(job:download(out))
      assert.are.equal(support.sample_mp4(), support.read(out))
      os.remove(out)
    end
    assert.are.equal(0, again:count("POST", "^/v1/workflows/executions$")) -- nothing created again
    again:stop()
  end)

  it("a fresh emulator does not know them", function()
    local emu = support.emulator { state = path }
    local job = assert(support.client(emu):generate_video { prompt = "A lighthouse", provider = "kling_pro" })
    emu:stop()
    local other = support.emulator {}
    local status, err = support.client(other):job("workflow", job.id):refresh()
    assert.is_nil(status)
    assert.are.equal("not_found", err.kind)
    other:stop()
  end)

  it("keeps issue 19's state: a chat session still waits, avatars, voices and background removals are there", function()
    local h = require "emulator.http"
    local data = h.data
    local emu = h.start { state = path }
    local sid = data("POST", "/v3/video-agents", { prompt = "A teaser for a kite", mode = "chat" }).session_id
    emu:advance(60)
    local waiting = data("GET", "/v3/video-agents/" .. sid)
    assert.are.equal("waiting_for_input", waiting.status)
    local made = data("POST", "/v3/avatars", { type = "photo", name = "Me",
                                               file = { type = "url", url = "https://example.com/me.jpg" } })
    local voice = data("POST", "/v3/voices", { prompt = "A calm narrator", locale = "en-US" }).voices[1]
    local removal = data("POST", "/v3/background-removals", { video = { type = "url", url = "https://x.io/t.mp4" },
                                                              layers = { "foreground" } })
    emu:stop()

    local again = h.start { state = path }
    assert.are.same(waiting.messages, data("GET", "/v3/video-agents/" .. sid).messages)
    again:advance(3600)
    assert.are.equal("waiting_for_input", data("GET", "/v3/video-agents/" .. sid).status) -- still paused
    assert.are.equal(made.avatar_group.id, data("GET", "/v3/avatars/" .. made.avatar_group.id).id)
    assert.are.equal("completed", data("GET", "/v3/avatars/looks/" .. made.avatar_item.id).status)
    assert.are.equal(voice.name, data("GET", "/v3/voices/" .. voice.voice_id).name)
    local done = data("GET", "/v3/background-removals/" .. removal.id)
    assert.are.equal("completed", done.status)
    assert.are.equal(200, (h.fetch(done.layers.foreground)))
    data("POST", "/v3/video-agents/" .. sid, { message = "Go ahead" })
    local s
    for _ = 1, 40 do
      s = data("GET", "/v3/video-agents/" .. sid)
      if s.status == "completed" then break end
      again:advance(15)
    end
    assert.are.equal("completed", s.status)
    local status, bytes = h.fetch(data("GET", "/v3/videos/" .. s.video_id).video_url)
    assert.are.equal(200, status)
    assert.are.equal(support.sample_mp4(), bytes)
    assert.are.equal(0, again:count("POST", "^/v3/video%-agents$")) -- nothing created again
    again:stop()
  end)

  it("refuses to start on a file that is not its state, saying which", function()
    support.write_file(path, "not a state")
    local ok, err = pcall(support.emulator, { state = path })
    assert.is_false(ok)
    assert.matches("emulator state " .. path:gsub("%p", "%%%0"), tostring(err))
  end)
end)
