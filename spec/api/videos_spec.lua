-- v3 videos: create_video (v3 and v2 bodies, studio slides), its errors, status, the list and
-- delete (the client against the emulator: the requests it sent, what the user sees).
local env = require "api.v3_env"
local support = require "support"

local emu, hg = env.use()
local AVATAR, VOICE, NO_AVATAR_IV, PHOTO = env.AVATAR, env.VOICE, env.NO_AVATAR_IV, env.PHOTO
local KEY_PATTERN, last, sent, statuses, download = env.KEY_PATTERN, env.last, env.sent, env.statuses, env.download
local avatar_body, v2_scene = env.avatar_body, env.v2_scene

describe("hg:create_video under api v3", function()
  -- each {body, message pattern}: create_video answers invalid_argument, and nothing is sent
  local function refused_before_sending(cases)
    for _, case in ipairs(cases) do
      local job, err = hg:create_video(case[1])
      assert.is_nil(job)
      assert.are.equal("invalid_argument", err.kind)
      assert.matches(case[2], err.message)
    end
    assert.are.equal(0, #emu:requests())
  end

  it("sends the v3 body with an Idempotency-Key and follows the video to the MP4 on disk", function()
    local job = assert(hg:create_video(avatar_body { resolution = "1080p", callback_id = "job-42" }))
    assert.are.equal("video", job.kind)
    local body, req = sent("POST", "^/v3/videos$")
    assert.are.same(avatar_body { resolution = "1080p", callback_id = "job-42" }, body)
    assert.matches(KEY_PATTERN, req.headers["idempotency-key"])
    assert.is_true(#req.headers["idempotency-key"] <= 255)
    local result, err, order = statuses(job)
    assert.is_nil(err)
    assert.are.same({ "pending", "processing", "completed" }, order)
    assert.are.equal(job.id, result.video_id)
    assert.matches("/share/" .. job.id .. "$", result.video_page_url)
    assert.matches("%.srt%?Expires=", result.subtitle_url)
    assert.are.equal(result.subtitle_url, result.caption_url)
    assert.is_nil(result.captioned_video_url)
    assert.are.equal(3, result.duration)
    assert.are.equal(support.sample_mp4(), download(result.video_url))
    assert.is_true(emu:count("GET", "^/v3/videos/" .. job.id .. "$") >= 3)
    assert.are.equal(0, emu:count(nil, "^/v[12]/"))
  end)

  it("turns a one-scene v2 table into a v3 avatar body", function()
    local job = assert(hg:create_video { title = "port", caption = true, test = true,
      dimension = { width = 1920, height = 1080 },
      video_inputs = { v2_scene("Ported.", { voice = { type = "text", voice_id = VOICE, input_text = "Ported.",
        speed = 1.2, pitch = 5 } }) } })
    assert.are.same({ type = "avatar", avatar_id = AVATAR, script = "Ported.", voice_id = VOICE,
      voice_settings = { speed = 1.2, pitch = 5 }, background = { type = "color", value = "#FAFAFA" },
      title = "port", resolution = "1080p", aspect_ratio = "16:9",
      caption = { file_format = "srt", style = "default" } }, (sent("POST", "^/v3/videos$")))
    local result = assert(job:wait { timeout = 30 })
    assert.matches("_caption%.mp4%?", result.captioned_video_url)
    assert.are.equal(result.captioned_video_url, result.video_url_caption)
  end)

  it("turns several v2 scenes into one studio video", function()
    assert(hg:create_video { video_inputs = { v2_scene("One."), v2_scene("Two."),
      { character = { type = "talking_photo", talking_photo_id = PHOTO, talking_style = "expressive" },
        voice = { type = "audio", audio_url = "https://example.com/a.mp3" } } },
      dimension = { width = 720, height = 1280 } })
    local body = sent("POST", "^/v3/videos$")
    assert.are.equal("studio", body.type)
    assert.are.equal("9:16", body.aspect_ratio)
    assert.are.equal("720p", body.resolution)
    assert.are.equal(3, #body.scenes)
    assert.are.same({ type = "avatar_video", input = { type = "avatar", avatar_id = AVATAR, script = "One.",
      voice_id = VOICE, background = { type = "color", color = "#FAFAFA" } } }, body.scenes[1])
    assert.are.same({ type = "avatar_video", input = { type = "avatar", avatar_id = PHOTO,
      audio_url = "https://example.com/a.mp3", expressiveness = "high" } }, body.scenes[3])
  end)

  it("creates from an image and from a native studio body", function()
    local job = assert(hg:create_video { type = "image", image = { type = "url", url = "https://example.com/p.jpg" },
      script = "Hi", voice_id = VOICE, expressiveness = "medium" })
    assert(job:wait { timeout = 30 })
    job = assert(hg:create_video { type = "studio", scenes = {
      { type = "avatar_video", input = { type = "avatar", avatar_id = AVATAR, script = "A", voice_id = VOICE } },
      { type = "video", source = { type = "url", url = "https://example.com/b.mp4" }, playback = { mute = true } } } })
    assert(job:wait { timeout = 30 })
    assert.are.equal(2, emu:count("POST", "^/v3/videos$"))
  end)

  it("makes a studio video with still-image slides: silent for a duration, or narrated", function()
    local slide = { type = "url", url = "https://example.com/slide.png" }
    local job = assert(hg:create_video { type = "studio", scenes = {
      { type = "image", source = slide, duration = 4.5 },
      { type = "image", source = { type = "asset_id", asset_id = "a1" }, script = "Slide two.", voice_id = VOICE,
        voice_settings = { speed = 1.1 } },
      { type = "image", source = slide, audio_url = "https://example.com/a.mp3" } } })
    assert(job:wait { timeout = 30 })
    local body = sent("POST", "^/v3/videos$")
    assert.are.same({ type = "image", source = slide, duration = 4.5 }, body.scenes[1])
    assert.are.same({ type = "image", source = { type = "asset_id", asset_id = "a1" }, script = "Slide two.",
      voice_id = VOICE, voice_settings = { speed = 1.1 } }, body.scenes[2])
    assert.is_nil(body.scenes[1].image)
  end)

  it("checks a still-image slide before any request: source, one mode, duration up to 300 s", function()
    local slide = { type = "url", url = "https://example.com/slide.png" }
    local function studio(scene) return { type = "studio", scenes = { scene } } end
    local cases = {
      { studio { type = "image", image = slide, duration = 2 },
        "scenes%[1%]%.image is not supported: a still%-image scene takes its picture as source" },
      { studio { type = "image", duration = 2 }, "scenes%[1%]%.source is required, got nothing" },
      { studio { type = "image", source = slide, duration = 301 },
        "scenes%[1%]%.duration must be at most 300, got 301" },
      { studio { type = "image", source = slide, duration = 0 },
        "scenes%[1%]%.duration must be greater than 0, got 0" },
      { studio { type = "image", source = slide },
        "scenes%[1%] needs exactly one of {duration} or {script %+ voice_id} or {audio_url} or "
          .. "{audio_asset_id}, got none" },
      { studio { type = "image", source = slide, duration = 3, script = "Hi", voice_id = VOICE },
        "scenes%[1%] needs exactly one of .* got both" },
      { studio { type = "image", source = slide, script = "Hi" },
        "scenes%[1%]%.voice_id is required with scenes%[1%]%.script, got nothing" },
      { studio { type = "image", source = { type = "url", url = "nope" }, duration = 1 },
        'scenes%[1%]%.source%.url must be an http%(s%) URL, got "nope"' },
    }
    refused_before_sending(cases)
  end)

  it("the emulator holds a still-image slide to the contract: source, one mode, duration up to 300 s", function()
    local slide = { type = "url", url = "https://example.com/slide.png" }
    local function post(scene)
      return hg:request { method = "POST", path = "/v3/videos", envelope = "v3",
        json = { type = "studio", scenes = { scene } } }
    end
    local _, err = post { type = "image", image = slide, script = "Hi", voice_id = VOICE }
    assert.are.equal(400, err.status)
    assert.matches("scenes[0].source is required", err.message, 1, true)
    _, err = post { type = "image", source = slide, duration = 300.5 }
    assert.matches("scenes[0].duration must be from", err.message, 1, true)
    _, err = post { type = "image", source = slide, duration = 0 }
    assert.matches("scenes[0].duration must be greater than 0, got 0", err.message, 1, true)
    _, err = post { type = "image", source = slide, duration = 2, audio_url = "https://example.com/a.mp3" }
    assert.matches('scenes[0].duration needs exactly one of duration, script, audio_url, audio_asset_id, got "several"',
      err.message, 1, true)
    _, err = post { type = "image", source = slide, script = "Hi" }
    assert.matches("scenes[0].voice_id is required with script", err.message, 1, true)
    assert(post { type = "image", source = slide, duration = 300 })
  end)

  it("rejects bad input before any request, naming the field, the rule and the value", function()
    local cases = {
      { avatar_body { type = "avatr" },
        'type must be one of "avatar", "cinematic_avatar", "image", "studio", got "avatr" '
          .. '%(did you mean "avatar"%?%)' },
      { avatar_body { script = string.rep("a", 5001) }, "script must be at most 5000 characters, got 5001 characters" },
      { avatar_body { voice_settings = { speed = 1.8 } }, "voice_settings.speed must be between 0.5 and 1.5, got 1.8" },
      { avatar_body { audio_url = "https://example.com/a.mp3" },
        "needs exactly one of {script} or {audio_url} or {audio_asset_id}, got both" },
      { avatar_body { output_format = "webm", background = { type = "color", value = "#000000" } },
        "background is rejected with output_format \"webm\"" },
      { avatar_body { engine = { type = "avatar_v" }, expressiveness = "low" },
        "expressiveness is rejected with engine.type \"avatar_v\"" },
      { { type = "image", image = { type = "url", url = "nope" }, script = "x" },
        'image.url must be an http%(s%) URL, got "nope"' },
      { { type = "studio", scenes = {} }, "scenes must have 1 to 50 scenes, got 0" },
      { { video_inputs = { v2_scene("x", { voice = { type = "silence", duration = 2 } }) } },
        'video_inputs%[1%]%.voice%.type has no v3 equivalent %(use api = "v2" for silent scenes%), got "silence"' },
      { { video_inputs = { v2_scene("x",
        { voice = { type = "text", voice_id = VOICE, input_text = "x", speed = 1.8 } }) } },
        "video_inputs%[1%]%.voice%.speed must be at most 1.5 under api v3, got 1.8" },
    }
    refused_before_sending(cases)
  end)

  it("maps a v3 404 avatar_not_found to not_found with the param in the message", function()
    local job, err = hg:create_video(avatar_body { avatar_id = "no_such_look" })
    assert.is_nil(job)
    assert.are.equal("not_found", err.kind)
    assert.are.equal(404, err.status)
    assert.are.equal("avatar_not_found", err.code)
    assert.are.equal("avatar_id", err.param)
    assert.matches("Avatar look no_such_look not found %(param: avatar_id%)", err.message)
    assert.is_string(err.request_id)
  end)

  it("maps a v3 400 invalid_parameter to invalid_argument naming the param", function()
    local job, err = hg:create_video(avatar_body { avatar_id = NO_AVATAR_IV, engine = { type = "avatar_v" } })
    assert.is_nil(job)
    assert.are.equal("invalid_argument", err.kind)
    assert.are.equal("invalid_parameter", err.code)
    assert.matches('engine%.type is not supported by look ' .. NO_AVATAR_IV, err.message)
    assert.matches("%(param: engine%.type%)$", err.message)
    assert.are.equal(1, emu:count("POST", "^/v3/videos$")) -- a 400 is not retried
  end)

  it("answers 402 insufficient_credit when the wallet is empty", function()
    emu:config { quota = 0 }
    local job, err = hg:create_video(avatar_body())
    assert.is_nil(job)
    assert.are.equal("insufficient_credit", err.kind)
    assert.are.equal(402, err.status)
    assert.are.equal(1, emu:count("POST", "^/v3/videos$"))
  end)

  it("fails the job with the v3 failure_code and failure_message", function()
    emu:next_job { fail = { code = "BAD_AVATAR", message = "Avatar not supported" } }
    local job = assert(hg:create_video(avatar_body()))
    local result, err = job:wait { timeout = 30 }
    assert.is_nil(result)
    assert.are.equal("job_failed", err.kind)
    assert.are.equal("BAD_AVATAR", err.code)
    assert.matches("Avatar not supported", err.message)
    assert.are.equal(job.id, err.job_id)
    assert.are.equal("BAD_AVATAR", job.result.failure_code)
  end)

  it("renders create_webm as a v3 webm video", function()
    local job = assert(hg:create_webm { avatar_pose_id = AVATAR, avatar_style = "normal", input_text = "Alpha",
      voice_id = VOICE, dimension = { width = 1280, height = 720 } })
    assert.are.same({ type = "avatar", avatar_id = AVATAR, script = "Alpha", voice_id = VOICE,
      output_format = "webm", resolution = "720p", aspect_ratio = "16:9" }, (sent("POST", "^/v3/videos$")))
    local result = assert(job:wait { timeout = 30 })
    assert.matches("%.webm%?", result.video_url)
    assert.are.equal("\26\69\223\163", download(result.video_url):sub(1, 4))
  end)
end)

describe("video_status, videos, each_video and delete_video under api v3", function()
  it("video_status answers the v3 video with the legacy names added", function()
    local job = assert(hg:create_video(avatar_body { caption = { file_format = "srt", style = "default" } }))
    assert(job:wait { timeout = 30 })
    local d = assert(hg:video_status(job.id))
    assert.are.equal("completed", d.status)
    assert.are.equal(job.id, d.id)
    assert.are.equal(job.id, d.video_id)
    assert.are.equal(d.captioned_video_url, d.video_url_caption)
    assert.are.equal(d.subtitle_url, d.caption_url)
    assert.is_nil(d.error)
  end)

  it("videos pages with limit and token as {videos=, token=}", function()
    local page = assert(hg:videos { limit = 2 })
    assert.are.equal(2, #page.videos)
    assert.is_string(page.token)
    assert.are.equal("GENERATED", page.videos[1].type)
    assert.are.equal(page.videos[1].id, page.videos[1].video_id)
    local next_page = assert(hg:videos { limit = 2, token = page.token })
    assert.are_not.equal(page.videos[1].video_id, next_page.videos[1].video_id)
    local req = last("GET", "^/v3/videos$")
    assert.are.same({ limit = "2", token = page.token }, req.query)
  end)

  it("each_video walks every page of GET /v3/videos", function()
    assert(hg:create_video(avatar_body()))
    local n, translated = 0, 0
    for v in hg:each_video() do
      n = n + 1
      if v.type == "TRANSLATED" then translated = translated + 1 end
    end
    assert.are.equal(251, n)
    assert.are.equal(35, translated)
    assert.are.equal(3, emu:count("GET", "^/v3/videos$"))
  end)

  it("a bad page token is the API's invalid_parameter on token", function()
    local page, err = hg:videos { token = "forged.0000" }
    assert.is_nil(page)
    assert.are.equal("invalid_argument", err.kind)
    assert.matches("%(param: token%)", err.message)
  end)

  it("delete_video removes it: the next read is not_found (video_not_found)", function()
    local job = assert(hg:create_video(avatar_body()))
    assert.is_true(hg:delete_video(job.id))
    assert.is_truthy(last("DELETE", "^/v3/videos/" .. job.id .. "$"))
    local d, err = hg:video_status(job.id)
    assert.is_nil(d)
    assert.are.equal("not_found", err.kind)
    assert.are.equal("video_not_found", err.code)
  end)
end)
