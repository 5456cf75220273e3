-- Every HeyGen v1/v2 call of design.md section 4 against the emulator: the
-- requests it sends, the shapes it answers with, and each documented error
-- shape mapped to its err.kind.
local heygen = require "heygen"
local support = require "support"

local json = heygen.json
local statuses = support.wait_statuses

local emu, hg
setup(function()
  emu = support.emulator()
  hg = support.client(emu)
end)
teardown(function() if emu then emu:stop() end end)
before_each(function() emu:reset() end)

local AVATAR, VOICE = "Abigail_expressive_2024112501", "1bd001e7e50f421d891986aad5158bc8"
local NO_VOICE_FEMALE, NO_VOICE_MALE = "Daisy-inskirt-20220818", "Wayne_20240711"
local FIRST_FEMALE_VOICE, FIRST_MALE_VOICE = "1bd001e7e50f421d891986aad5158bc8", "077ab11b14f04ce0b49b5f6e5cc20979"
local LANDSCAPE, PORTRAIT = "22a48da453ef4c014a6a60d827a02f0b", "7c5e9a1b3d2f4e6a8b0c1d2e3f4a5b6c"
local SEEDED_VIDEOS = 250

local function sent(method, path)
  local list = emu:requests { method = method, path = path }
  return list[#list] and json.decode(list[#list].body), list
end

local function scene(text)
  return { character = { type = "avatar", avatar_id = AVATAR, avatar_style = "normal" },
    voice = { type = "text", voice_id = VOICE, input_text = text or "Hello." },
    background = { type = "color", value = "#FAFAFA" } }
end

describe("hg:generate_video (text-to-video workflows)", function()
  it("accepts every documented provider and sends it with GenerateVideoNode", function()
    local providers = require("heygen.api.rules").WORKFLOW_PROVIDERS
    assert.are.equal(13, #providers)
    for _, p in ipairs(providers) do
      local job = assert(hg:generate_video { prompt = "A lighthouse at dusk", provider = p })
      assert.are.equal(p, job.provider)
      local body = sent("POST", "^/v1/workflows/executions$")
      assert.are.same({ workflow_type = "GenerateVideoNode",
        input = { prompt = "A lighthouse at dusk", provider = p, aspect_ratio = "16:9" } }, body)
    end
  end)

  it("defaults to veo_3_1 and 16:9, and sends every aspect ratio, image, tail image and config", function()
    local job = assert(hg:generate_video { prompt = "x" })
    assert.are.equal("veo_3_1", job.provider)
    assert.are.same({ prompt = "x", provider = "veo_3_1", aspect_ratio = "16:9" }, sent("POST", "^/v1/workflows").input)
    for _, ratio in ipairs({ "16:9", "9:16", "1:1" }) do
      assert(hg:generate_video { prompt = "x", aspect_ratio = ratio })
      assert.are.equal(ratio, sent("POST", "^/v1/workflows").input.aspect_ratio)
    end
    assert(hg:generate_video { prompt = "The photo comes alive", provider = "kling_pro",
      reference_image_url = "https://example.com/first.png", tail_image_url = "https://example.com/last.png",
      config = { duration = 8, seed = 42 } })
    assert.are.same({ prompt = "The photo comes alive", provider = "kling_pro", aspect_ratio = "16:9",
      reference_image_url = "https://example.com/first.png", tail_image_url = "https://example.com/last.png",
      config = { duration = 8, seed = 42 } }, sent("POST", "^/v1/workflows").input)
  end)

  it("completes with the output video, and reports an unknown execution as not_found", function()
    local job = assert(hg:generate_video { prompt = "x", provider = "veo3_fast" })
    local result = assert(job:wait { timeout = 30 })
    assert.matches("/files/.+%.mp4%?Expires=", result.video_url)
    assert.are.equal(job.id, result.execution_id)
    local ghost = hg:job("workflow", "node-gw-doesnotexist")
    local status, err = ghost:refresh()
    assert.is_nil(status)
    assert.are.equal("not_found", err.kind)
    assert.are.equal("node-gw-doesnotexist", err.job_id)
  end)
end)

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

describe("catalogue calls", function()
  it("hg:avatars() lists avatars and talking photos in the documented shape", function()
    local list = assert(hg:avatars())
    assert.are.equal(7, #list.avatars)
    assert.are.equal(2, #list.talking_photos)
    local a = list.avatars[1]
    assert.are.equal(AVATAR, a.avatar_id)
    assert.are.equal("Abigail (Upper Body)", a.avatar_name)
    assert.are.equal("female", a.gender)
    assert.are.equal(VOICE, a.default_voice_id)
    assert.are.same({ "NEW", "AVATAR_IV" }, a.tags)
    assert.is_nil(list.avatars[5].default_voice_id) -- JSON null arrives as nil
    assert.are.equal("Veronica", list.talking_photos[1].talking_photo_name)
  end)

  it("hg:avatar(id) gives the details, and not_found for an unknown id", function()
    local d = assert(hg:avatar("Josh_lite3_20230714"))
    assert.are.same({ "avatar", "Josh_lite3_20230714", "Josh_lite3_20230714", "Josh", "male", true },
      { d.type, d.id, d.avatar_id, d.name, d.gender, d.is_public })
    local none, err = hg:avatar("ghost")
    assert.is_nil(none)
    assert.are.equal("not_found", err.kind)
    assert.are.equal(404, err.status)
  end)

  it("hg:voices{} filters by language and gender, case-insensitively, on the client", function()
    local all = assert(hg:voices())
    local female = assert(hg:voices { gender = "FEMALE" })
    local english_male = assert(hg:voices { language = "english", gender = "Male" })
    assert.is_true(#all > #female and #female > 0)
    for _, v in ipairs(female) do assert.are.equal("female", v.gender:lower()) end
    for _, v in ipairs(english_male) do
      assert.are.same({ "english", "male" }, { v.language:lower(), v.gender:lower() })
    end
    assert.are.same({}, assert(hg:voices { language = "Klingon" }))
    for _, r in ipairs(emu:requests { path = "^/v2/voices" }) do assert.are.same({}, r.query) end
  end)

  it("hg:templates() and hg:template(id) give variables keyed by name", function()
    local list = assert(hg:templates())
    assert.are.same({ LANDSCAPE, "landscape" }, { list[1].template_id, list[1].aspect_ratio })
    local t = assert(hg:template(LANDSCAPE))
    assert.are.equal(LANDSCAPE, t.template_id)
    assert.are.same({ name = "first_name", type = "text", properties = { content = "John" } }, t.variables.first_name)
    local none, err = hg:template("0000")
    assert.is_nil(none)
    assert.are.equal("not_found", err.kind)
  end)

  it("hg:translate_languages() lists display names", function()
    local langs = assert(hg:translate_languages())
    assert.is_true(#langs > 10)
    assert.are.equal("English", langs[1])
  end)
end)

describe("hg:generate_from_template", function()
  it("sends variables keyed by name (a string is a text variable) and renders a video job", function()
    local job = assert(hg:generate_from_template(LANDSCAPE, {
      variables = { first_name = "Ana",
        logo = { type = "image", properties = { url = "https://example.com/ana.png", fit = "contain" } } },
      title = "For Ana", caption = false, test = true, dimension = { width = 1280, height = 720 }, fps = 30 }))
    assert.are.equal("video", job.kind)
    assert.are.equal(LANDSCAPE, job.template_id)
    assert.are.same({
      variables = { first_name = { name = "first_name", type = "text", properties = { content = "Ana" } },
        logo = { name = "logo", type = "image",
          properties = { url = "https://example.com/ana.png", fit = "contain" } } },
      title = "For Ana", caption = false, test = true, dimension = { width = 1280, height = 720 }, fps = 30,
    }, sent("POST", "^/v2/template/" .. LANDSCAPE .. "/generate$"))
    assert(job:wait { timeout = 30 })
  end)

  it("lets the API reject what only it can know: unknown variables, a dimension against the template", function()
    local job, err = hg:generate_from_template(LANDSCAPE, { variables = { nickname = "Ana" } })
    assert.is_nil(job)
    assert.are.equal("invalid_argument", err.kind)
    assert.are.equal(400, err.status)
    assert.are.equal("invalid_parameter", err.code)
    assert.matches("variables.nickname is not a variable of template", err.message, 1, true)
    job, err = hg:generate_from_template(PORTRAIT, { dimension = { width = 1920, height = 1080 } })
    assert.is_nil(job)
    assert.are.equal("invalid_argument", err.kind)
    assert.matches("dimension must match the template's portrait aspect ratio", err.message, 1, true)
    job, err = hg:generate_from_template("0000", {})
    assert.is_nil(job)
    assert.are.equal("not_found", err.kind)
  end)
end)

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

describe("hg:upload_asset", function()
  local dir
  setup(function()
    dir = support.tmpname()
    os.execute("mkdir -p " .. dir)
  end)
  teardown(function() os.execute("rm -rf " .. dir) end)

  local function file(name, bytes)
    local p = dir .. "/" .. name
    local f = assert(io.open(p, "wb"))
    f:write(bytes)
    f:close()
    return p
  end

  it("sends the raw bytes to the upload host with the MIME type of the extension", function()
    local png = "\137PNG\r\n\26\n" .. ("\0\1\2\3"):rep(1000)
    local asset = assert(hg:upload_asset(file("logo.PNG", png)))
    assert.are.equal("image", asset.file_type)
    assert.matches("^image/" .. asset.id .. "/original%.png$", asset.image_key)
    local r = emu:requests { method = "POST", path = "^/v1/asset$" }[1]
    assert.are.equal("image/png", r.headers["content-type"])
    assert.are.equal(png, r.body)
    assert.is_nil(r.body:find("Content-Disposition", 1, true))
    local back = support.tmpname(".png")
    local ok = os.execute(string.format("curl -sf -o %q %q", back, asset.url))
    assert.truthy(ok == true or ok == 0)
    assert.are.equal(png, support.read(back))
    os.remove(back)
  end)

  it("uses the given content type, and each extension's own", function()
    local cases = { { "a.jpg", "image/jpeg" }, { "b.jpeg", "image/jpeg" }, { "c.mp4", "video/mp4" },
      { "d.webm", "video/webm" }, { "e.mp3", "audio/mpeg" } }
    for _, c in ipairs(cases) do
      assert(hg:upload_asset(file(c[1], "data:" .. c[1])))
      local list = emu:requests { method = "POST", path = "^/v1/asset$" }
      assert.are.equal(c[2], list[#list].headers["content-type"])
    end
    local asset = assert(hg:upload_asset(file("voiceover.bin", "ID3...."), "audio/mpeg"))
    assert.are.equal("audio", asset.file_type)
  end)
end)

describe("the upload host's own limits", function()
  it("refuses an image over 50 MB with 413, as a client that skipped validation would see", function()
    local big = support.tmpname(".png")
    local f = assert(io.open(big, "wb"))
    f:seek("set", 50 * 1048576)
    f:write("\0")
    f:close()
    local asset, verr = hg:upload_asset(big)
    assert.is_nil(asset)
    assert.are.equal("invalid_argument", verr.kind)
    assert.are.equal(0, #emu:requests())
    local data, err = hg:request { method = "POST", base = "upload", path = "/v1/asset", envelope = "v1",
      body_file = big, content_type = "image/png" }
    os.remove(big)
    assert.is_nil(data)
    assert.are.same({ "invalid_argument", 413, "image files must be at most 50 MB, got 52428801 bytes" },
      { err.kind, err.status, err.message })
  end)
end)

describe("documented error shapes", function()
  local function wrong_key() return support.client(emu, { api_key = "wrong-key-not-the-real-one" }) end

  it("v1 401 {code=400112} is auth, and the key never shows in the error", function()
    local status, err = wrong_key():video_status("abc")
    assert.is_nil(status)
    assert.are.same({ "auth", 401, 400112, "Unauthorized" }, { err.kind, err.status, err.code, err.message })
    assert.is_nil(tostring(err):find("wrong-key", 1, true))
  end)

  it("v2 401 {error={code=internal_error}} is auth", function()
    local list, err = wrong_key():avatars()
    assert.is_nil(list)
    assert.are.same({ "auth", 401, "internal_error" }, { err.kind, err.status, err.code })
  end)

  it("429 trial_video_limit_exceeded is rate_limit, after the allowed retries, with no duplicate render", function()
    emu:fault { path = "^/v2/video/generate", times = -1, status = 429, retry_after = 0,
      body = { data = json.null, error = { code = "trial_video_limit_exceeded",
        message = "It seems you've reached your daily api trial limit 5." } } }
    local job, err = hg:create_video { video_inputs = { scene() } }
    assert.is_nil(job)
    assert.are.same({ "rate_limit", 429, "trial_video_limit_exceeded" }, { err.kind, err.status, err.code })
    assert.are.equal(3, #emu:requests { method = "POST", path = "^/v2/video/generate" })
    assert.are.equal(0, #emu:jobs())
  end)

  it("402 insufficient_credit, 403 v1 permission codes and a 404 v1 code map to their kinds", function()
    emu:fault { path = "^/v2/video/generate", status = 402, body = { error = { code = "insufficient_credit",
      message = "Your account has 5 credits but this video requires 10 credits." } } }
    local _, err = hg:create_video { video_inputs = { scene() } }
    assert.are.same({ "insufficient_credit", 402 }, { err.kind, err.status })
    emu:fault { path = "^/v1/video_status", status = 403, body = { code = 400573, message = "permission denied" } }
    _, err = hg:video_status("abc")
    assert.are.same({ "permission", 403, 400573 }, { err.kind, err.status, err.code })
    _, err = hg:video_status("abc")
    assert.are.same({ "not_found", 404, 40031 }, { err.kind, err.status, err.code })
  end)

  it("HTTP 200 with an error body is an error of the code's kind, never data", function()
    emu:fault { path = "^/v1/video%.webm", error_body = true }
    local job, err = hg:create_webm { avatar_pose_id = "Vanessa-invest-20220722", input_audio = "a1" }
    assert.is_nil(job)
    assert.are.same({ "invalid_argument", 200, 400105, "Blocked words detected" },
      { err.kind, err.status, err.code, err.message })
    emu:fault { path = "^/v2/templates", error_body = true, times = -1 }
    local list
    list, err = hg:templates()
    assert.is_nil(list)
    assert.are.same({ "server", 200, "internal_error" }, { err.kind, err.status, err.code })
    assert.are.equal(3, #emu:requests { path = "^/v2/templates" }) -- a GET: retried twice, then reported
  end)

  it("5xx on a GET is retried; a FastAPI {detail} answer and an HTML gateway page are read too", function()
    emu:fault { path = "^/v2/avatars", status = 500 }
    assert(hg:avatars())
    assert.are.equal(2, #emu:requests { path = "^/v2/avatars" })
    emu:fault { path = "^/v2/voices", status = 415,
      body = { detail = "Unsupported media type '' in request. 'application/json' is required." } }
    local _, err = hg:voices()
    assert.are.same({ "invalid_argument", 415 }, { err.kind, err.status })
    assert.are.equal("Unsupported media type '' in request. 'application/json' is required.", err.message)
    emu:fault { path = "^/v2/user/remaining_quota", times = -1, html = true }
    _, err = hg:remaining_quota()
    assert.are.same({ "protocol", 502 }, { err.kind, err.status })
    assert.matches("502 Bad Gateway", err.message, 1, true)
  end)

  it("a POST create that fails with 5xx after it was sent is not retried and says the job may exist", function()
    emu:fault { path = "^/v1/workflows/executions$", method = "POST", status = 502 }
    local job, err = hg:generate_video { prompt = "x" }
    assert.is_nil(job)
    assert.are.equal("server", err.kind)
    assert.is_true(err.maybe_created)
    assert.are.equal(1, #emu:requests { method = "POST", path = "^/v1/workflows/executions$" })
  end)
end)
