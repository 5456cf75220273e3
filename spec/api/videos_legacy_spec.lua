-- v1/v2 videos: create_video, avatar_video, create_webm, the list, delete, share, status, quota
-- (the client against the emulator: the requests it sent, what the user sees).
local env = require "api.legacy_env"
local support = require "support"
local heygen = require "heygen"
local json = heygen.json

local emu, hg = env.use()
local AVATAR, VOICE, NO_VOICE_FEMALE, NO_VOICE_MALE = env.AVATAR, env.VOICE, env.NO_VOICE_FEMALE, env.NO_VOICE_MALE
local FIRST_FEMALE_VOICE, FIRST_MALE_VOICE = env.FIRST_FEMALE_VOICE, env.FIRST_MALE_VOICE
local SEEDED_VIDEOS, sent, scene, statuses = env.SEEDED_VIDEOS, env.sent, env.scene, env.statuses

describe("hg:create_video (avatar videos)", function()
  it("sends every scene kind as given and completes with captions", function()
    local inputs = {
      scene('Welcome. <break time="1.5s"/> Let us begin.'),
      { character = { type = "talking_photo", talking_photo_id = "6013fc758b5446a2ba17d8c459538bb4",
          talking_photo_style = "circle", talking_style = "expressive", expression = "happy", super_resolution = true,
          scale = 0.8, offset = { x = 0.1, y = -0.2 } },
        voice = { type = "text", voice_id = "2f72ee82b83d4b00af16c4771d611752", input_text = "Second scene.",
          speed = 1.2, pitch = -5, emotion = "Friendly" },
        background = { type = "image", url = "https://example.com/office.jpg", fit = "cover" } },
      { character = { type = "avatar", avatar_id = "Josh_lite3_20230714", avatar_style = "circle",
          circle_background_color = "#00FF00", matting = true },
        voice = { type = "audio", audio_url = "https://example.com/narration.mp3" },
        background = { type = "video", url = "https://example.com/loop.mp4", play_style = "loop", fit = "crop" } },
      { character = { type = "avatar", avatar_id = AVATAR, avatar_style = "closeUp" },
        voice = { type = "silence", duration = 1.5 },
        background = { type = "video", video_asset_id = "asset123", play_style = "freeze" } },
    }
    local request = { video_inputs = inputs, dimension = { width = 1920, height = 1080 }, title = "Four scenes",
      test = true, caption = true, callback_id = "order-42", callback_url = "https://example.com/hook",
      folder_id = "folder-7" }
    local job = assert(hg:create_video(request))
    assert.are.same(request, sent("POST", "^/v2/video/generate$"))
    local result, err, order = statuses(job)
    assert.is_nil(err)
    assert.are.same({ "pending", "processing", "completed" }, order)
    assert.matches("%.ass%?Expires=", result.caption_url)
    assert.matches("_caption%.mp4%?Expires=", result.video_url_caption)
    assert.are.equal("order-42", result.callback_id)
  end)

  it("keeps <break> pauses byte for byte", function()
    local script = 'Pause here <break time="1.5s"/> and here <break time="500ms"/> done.'
    assert(hg:create_video { video_inputs = { scene(script) } })
    local _, list = sent("POST", "^/v2/video/generate$")
    assert.are.equal(script, json.decode(list[1].body).video_inputs[1].voice.input_text)
  end)

  it("takes 50 scenes", function()
    local inputs = {}
    for i = 1, 50 do inputs[i] = scene("Scene " .. i) end
    local job = assert(hg:create_video { video_inputs = inputs, test = true })
    assert.are.equal(50, #sent("POST", "^/v2/video/generate$").video_inputs)
    assert(job:wait { timeout = 30 })
  end)

  it("maps the API's avatar_not_found and voice_not_found (HTTP 400) to not_found", function()
    local inputs = { scene() }
    inputs[1].character.avatar_id = "custom_avatar_not_in_api"
    local job, err = hg:create_video { video_inputs = inputs }
    assert.is_nil(job)
    assert.are.equal("not_found", err.kind)
    assert.are.equal(400, err.status)
    assert.are.equal("avatar_not_found", err.code)
    assert.are.equal("Avatar custom_avatar_not_in_api not found or no longer available.", err.message)
    inputs[1].character.avatar_id = AVATAR
    inputs[1].voice.voice_id = "0000000000000000000000000000dead"
    job, err = hg:create_video { video_inputs = inputs }
    assert.is_nil(job)
    assert.are.equal("not_found", err.kind)
    assert.are.equal("voice_not_found", err.code)
  end)

  it("fails a render at poll time with job_failed carrying code 40119 and the detail", function()
    emu:next_job { fail = { code = 40119, message = "Video is too long",
      detail = "Video is too long (> 3600.0s). Please upgrade your plan to generate longer videos" } }
    local job = assert(hg:create_video { video_inputs = { scene() } })
    local result, err = job:wait { timeout = 30 }
    assert.is_nil(result)
    assert.are.equal("job_failed", err.kind)
    assert.are.equal(40119, err.code)
    assert.are.equal("Video is too long: Video is too long (> 3600.0s). "
      .. "Please upgrade your plan to generate longer videos", err.message)
  end)

  it("turns MOVIO_PAYMENT_INSUFFICIENT_CREDIT at poll time into insufficient_credit", function()
    emu:config { quota = 0 }
    local job = assert(hg:create_video { video_inputs = { scene() } })
    local result, err = job:wait { timeout = 30 }
    emu:config { quota = 2344452 }
    assert.is_nil(result)
    assert.are.equal("insufficient_credit", err.kind)
    assert.are.equal("MOVIO_PAYMENT_INSUFFICIENT_CREDIT", err.code)
    assert.are.equal(job.id, err.job_id)
  end)
end)

describe("hg:avatar_video (the production workflow)", function()
  it("picks the first available avatar and its default voice, and says so", function()
    local job = assert(hg:avatar_video { script = "Hello from heygen-lua.", test = true })
    assert.are.equal(AVATAR, job.avatar_id)
    assert.are.equal(VOICE, job.voice_id)
    assert.are.same({ avatar = "first available", voice = "the avatar's default voice" }, job.choice)
    assert.are.equal("avatar " .. AVATAR .. " (first available); voice " .. VOICE .. " (the avatar's default voice)",
      job.choice_reason)
    assert.are.equal(1, #emu:requests { method = "GET", path = "^/v2/avatars$" })
    local body = sent("POST", "^/v2/video/generate$")
    assert.are.same({ type = "avatar", avatar_id = AVATAR, avatar_style = "normal" }, body.video_inputs[1].character)
    assert.are.same({ type = "text", voice_id = VOICE, input_text = "Hello from heygen-lua." },
      body.video_inputs[1].voice)
    assert.is_true(body.test)
    local result = assert(job:wait { timeout = 30 })
    assert.are.equal(AVATAR, result.avatar_id)
    assert.are.equal(VOICE, result.voice_id)
    assert.are.equal(job.choice_reason, result.choice_reason)
    assert.is_string(result.video_url)
  end)

  it("falls back to a voice of the avatar's gender when it has no default voice", function()
    local job = assert(hg:avatar_video { script = "Hi.", avatar_id = NO_VOICE_FEMALE })
    assert.are.equal(FIRST_FEMALE_VOICE, job.voice_id)
    assert.are.equal("the avatar has no default voice: first female voice", job.choice.voice)
    assert.are.equal(1, #emu:requests { method = "GET", path = "/v2/avatar/" .. NO_VOICE_FEMALE .. "/details" })
    assert.are.equal(1, #emu:requests { method = "GET", path = "^/v2/voices$" })
    job = assert(hg:avatar_video { script = "Hi.", avatar_id = NO_VOICE_MALE })
    assert.are.equal(FIRST_MALE_VOICE, job.voice_id)
    assert.are.equal("the avatar has no default voice: first male voice", job.choice.voice)
  end)

  it("uses the given avatar and voice without a lookup, and a colour background", function()
    local job = assert(hg:avatar_video { script = "Hi.", avatar_id = "Josh_lite3_20230714", voice_id = FIRST_MALE_VOICE,
      background = "#112233", dimension = { width = 720, height = 1280 }, title = "given" })
    assert.are.equal("avatar Josh_lite3_20230714 (given); voice " .. FIRST_MALE_VOICE .. " (given)", job.choice_reason)
    assert.are.equal(0, #emu:requests { method = "GET" })
    local body = sent("POST", "^/v2/video/generate$")
    assert.are.same({ type = "color", value = "#112233" }, body.video_inputs[1].background)
    assert.are.same({ width = 720, height = 1280 }, body.dimension)
    assert.are.equal("given", body.title)
  end)

  it("reports an unknown avatar as not_found and submits nothing", function()
    local job, err = hg:avatar_video { script = "Hi.", avatar_id = "nobody" }
    assert.is_nil(job)
    assert.are.equal("not_found", err.kind)
    assert.are.equal("avatar_not_found", err.code)
    assert.are.equal(0, #emu:requests { method = "POST" })
  end)
end)

describe("hg:create_webm", function()
  it("renders a transparent WebM from text and voice, and from an audio asset", function()
    local job = assert(hg:create_webm { avatar_pose_id = "Vanessa-invest-20220722", avatar_style = "closeUp",
      input_text = "Overlay me.", voice_id = VOICE, dimension = { width = 1280, height = 720 } })
    assert.are.equal("video", job.kind)
    assert.are.equal("webm", job.format)
    assert.are.same({ avatar_pose_id = "Vanessa-invest-20220722", avatar_style = "closeUp", input_text = "Overlay me.",
      voice_id = VOICE, dimension = { width = 1280, height = 720 } }, sent("POST", "^/v1/video%.webm$"))
    local result = assert(job:wait { timeout = 30 })
    assert.matches("%.webm%?Expires=", result.video_url)
    local out = support.tmpname(".webm")
    assert(job:download(out))
    assert.are.equal("\26\69\223\163", support.read(out):sub(1, 4)) -- the EBML magic of a WebM file
    os.remove(out)
    assert(hg:create_webm { avatar_pose_id = "Vanessa-invest-20220722", input_audio = "a1b2c3" })
    assert.are.same({ avatar_pose_id = "Vanessa-invest-20220722", input_audio = "a1b2c3" },
      sent("POST", "^/v1/video%.webm$"))
  end)

  it("maps the v1 avatar-not-found code 400144 to not_found", function()
    local job, err = hg:create_webm { avatar_pose_id = "my_custom_avatar", input_audio = "a1" }
    assert.is_nil(job)
    assert.are.equal("not_found", err.kind)
    assert.are.equal(400144, err.code)
  end)
end)

describe("the video list", function()
  it("hg:videos{} pages with token across three pages, the last with token nil", function()
    local p1 = assert(hg:videos { limit = 100 })
    local p2 = assert(hg:videos { limit = 100, token = p1.token })
    local p3 = assert(hg:videos { limit = 100, token = p2.token })
    assert.are.same({ 100, 100, 50 }, { #p1.videos, #p2.videos, #p3.videos })
    assert.is_string(p1.token)
    assert.is_string(p2.token)
    assert.is_nil(p3.token)
    local ids = {}
    for _, page in ipairs({ p1, p2, p3 }) do
      for _, v in ipairs(page.videos) do
        assert.is_nil(ids[v.video_id], "video listed twice: " .. v.video_id)
        ids[v.video_id] = true
        assert.is_string(v.status)
        assert.truthy(v.type == "GENERATED" or v.type == "TRANSLATED")
      end
    end
    local queries = {}
    for i, r in ipairs(emu:requests { method = "GET", path = "^/v1/video%.list$" }) do queries[i] = r.query end
    assert.are.same({ { limit = "100" }, { limit = "100", token = p1.token }, { limit = "100", token = p2.token } },
      queries)
  end)

  it("hg:each_video() walks every video across every page in a for loop", function()
    local job = assert(hg:create_video { video_inputs = { scene() }, test = true })
    local n, first, ids = 0, nil, {}
    for v in hg:each_video { limit = 40 } do
      n = n + 1
      first = first or v
      ids[v.video_id] = (ids[v.video_id] or 0) + 1
    end
    assert.are.equal(SEEDED_VIDEOS + 1, n)
    assert.are.equal(job.id, first.video_id) -- newest first
    for id, count in pairs(ids) do assert.are.equal(1, count, id) end
    assert.are.equal(7, #emu:requests { method = "GET", path = "^/v1/video%.list$" })
  end)

  it("hg:each_video() also walks inside a heygen task, yielding to the loop between pages", function()
    local ticks = 0
    local ticker = heygen.spawn(function()
      while ticks >= 0 do ticks = ticks + 1 heygen.sleep(0.001) end
    end)
    local n = heygen.run(function()
      local count = 0
      for _ in hg:each_video { limit = 25 } do count = count + 1 end
      return count
    end)
    local during = ticks
    ticks = -1
    heygen.run(function() ticker:wait() end)
    assert.are.equal(SEEDED_VIDEOS, n)
    assert.is_true(during > 0, "the loop ran other tasks while pages were fetched")
  end)

  it("hg:each_video() raises the typed error when a page fails, instead of ending quietly", function()
    emu:fault { method = "GET", path = "^/v1/video%.list", skip = 1, times = -1, status = 503 }
    local n = 0
    local ok, err = pcall(function()
      for _ in hg:each_video { limit = 100 } do n = n + 1 end
    end)
    assert.is_false(ok)
    assert.are.equal("server", err.kind)
    assert.are.equal(503, err.status)
    assert.are.equal(100, n)
    assert.has_error(function() hg:each_video { limit = 500 } end)
  end)

  it("an unknown page token is the API's v1 invalid-query error (40012)", function()
    local page, err = hg:videos { token = "not-a-token" }
    assert.is_nil(page)
    assert.are.equal("invalid_argument", err.kind)
    assert.are.equal(40012, err.code)
  end)
end)

describe("delete, share, status, quota", function()
  it("hg:delete_video(id) deletes; the video is then not_found, and deleting it again too", function()
    local job = assert(hg:create_video { video_inputs = { scene() }, test = true })
    assert.is_table(assert(hg:video_status(job.id)))
    assert.is_true(assert(hg:delete_video(job.id)))
    local r = emu:requests { method = "DELETE", path = "^/v1/video%.delete$" }[1]
    assert.are.same({ video_id = job.id }, r.query)
    local status, err = hg:video_status(job.id)
    assert.is_nil(status)
    assert.are.equal("not_found", err.kind)
    assert.are.equal(40031, err.code)
    local again, derr = hg:delete_video(job.id)
    assert.is_nil(again)
    assert.are.equal("not_found", derr.kind)
  end)

  it("hg:delete_video(id, {type=}) sends the documented type", function()
    local job = assert(hg:translate_video { video_url = "https://example.com/a.mp4", output_language = "English" })
    assert(hg:delete_video(job.id, { type = "video_translate" }))
    assert.are.same({ video_id = job.id, type = "video_translate" },
      emu:requests { method = "DELETE", path = "^/v1/video%.delete$" }[1].query)
  end)

  it("hg:share_video(id) returns the URL string, whether data is a string or an object", function()
    local job = assert(hg:create_video { video_inputs = { scene() }, test = true })
    local url = assert(hg:share_video(job.id))
    assert.are.equal(emu.url .. "/share/" .. job.id, url)
    assert.are.same({ video_id = job.id }, sent("POST", "^/v1/video/share$"))
    emu:fault { path = "^/v1/video/share", status = 200,
      body = { code = 100, data = { share_url = "https://app.heygen.com/share/x" }, message = "Success" } }
    assert.are.equal("https://app.heygen.com/share/x", hg:share_video(job.id))
    emu:fault { path = "^/v1/video/share", status = 200, body = { code = 100, data = { url = "https://a.io/s/y" } } }
    assert.are.equal("https://a.io/s/y", hg:share_video(job.id))
    emu:fault { path = "^/v1/video/share", status = 200, body = { code = 100, data = {} } }
    local none, err = hg:share_video(job.id)
    assert.is_nil(none)
    assert.are.equal("protocol", err.kind)
    local ghost, gerr = hg:share_video("ffff")
    assert.is_nil(ghost)
    assert.are.equal("not_found", gerr.kind)
  end)

  it("hg:remaining_quota() converts quota to credits (quota / 60)", function()
    local q = assert(hg:remaining_quota())
    assert.are.equal(2344452, q.remaining_quota)
    assert.are.equal(2344452 / 60, q.credits)
    assert.are.equal(2344452, q.details.api)
    emu:config { quota = 3600 }
    q = assert(hg:remaining_quota())
    emu:config { quota = 2344452 }
    assert.are.equal("60", tostring(q.credits))
  end)
end)
