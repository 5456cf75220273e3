-- HeyGen's v3 API (api = "v3") against the emulator: every call, the requests it
-- sends, the shapes it answers with, and the v3 error envelope mapped to err.kind.
local heygen = require "heygen"
local support = require "support"

local json = heygen.json

local emu, hg
setup(function()
  emu = support.emulator()
  hg = support.client(emu, { api = "v3" })
end)
teardown(function() if emu then emu:stop() end end)
before_each(function() emu:reset() end)

local AVATAR, VOICE = "Abigail_expressive_2024112501", "1bd001e7e50f421d891986aad5158bc8"
local NO_AVATAR_IV = "Kristin_public_3_20240108"
local PHOTO = "6013fc758b5446a2ba17d8c459538bb4"
local JAPANESE_VOICE = "f5b1d1c0e3a24e52b0f7a7b9c6d8e4a1"
local KEY_PATTERN = "^[%w_:%.%-]+$"

local function last(method, path)
  local list = emu:requests { method = method, path = path }
  return list[#list], list
end

local function sent(method, path)
  local req = last(method, path)
  return req and json.decode(req.body), req
end

local function statuses(job, timeout)
  local order, seen = {}, {}
  local result, err = job:wait { timeout = timeout or 30, on_progress = function(j)
    if not seen[j.status] then seen[j.status] = true order[#order + 1] = j.status end
  end }
  return result, err, order
end

local function download(url)
  local out = support.tmpname(".bin")
  local job = hg:job("video", "x")
  job.status, job.result = "completed", { video_url = url }
  assert(job:download(out))
  local bytes = support.read(out)
  os.remove(out)
  return bytes
end

local function avatar_body(extra)
  local body = { type = "avatar", avatar_id = AVATAR, script = "Hello from v3.", voice_id = VOICE }
  for k, v in pairs(extra or {}) do body[k] = v end
  return body
end

local function v2_scene(text, extra)
  local s = { character = { type = "avatar", avatar_id = AVATAR, avatar_style = "normal" },
    voice = { type = "text", voice_id = VOICE, input_text = text or "Hello." },
    background = { type = "color", value = "#FAFAFA" } }
  for k, v in pairs(extra or {}) do s[k] = v end
  return s
end

local function write_file(bytes, suffix)
  local path = support.tmpname(suffix)
  local f = assert(io.open(path, "wb"))
  f:write(bytes)
  f:close()
  return path
end

local PNG = "\137PNG\r\n\26\n" .. string.rep("\0\1\2\3", 64)

describe("hg:create_video under api v3", function()
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
    for _, case in ipairs(cases) do
      local job, err = hg:create_video(case[1])
      assert.is_nil(job)
      assert.are.equal("invalid_argument", err.kind)
      assert.matches(case[2], err.message)
    end
    assert.are.equal(0, #emu:requests())
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
    for _, case in ipairs(cases) do
      local job, err = hg:create_video(case[1])
      assert.is_nil(job)
      assert.are.equal("invalid_argument", err.kind)
      assert.matches(case[2], err.message)
    end
    assert.are.equal(0, #emu:requests())
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

describe("heygen.all with v3 videos", function()
  -- The ids in each GET /v3/videos/statuses the emulator received after log entry `since`.
  local function bulk_requests(since)
    local out = {}
    for _, r in ipairs(emu:requests { method = "GET", path = "^/v3/videos/statuses$", since = since }) do
      local ids = {}
      for id in (r.query.video_ids or ""):gmatch("[^,]+") do ids[#ids + 1] = id end
      out[#out + 1] = ids
    end
    return out
  end

  it("polls them with bulk status, 100 per request, and reads each one whole once it ends", function()
    local list = {}
    for i = 1, 150 do
      if i == 7 then emu:next_job { fail = { code = "BAD_AVATAR", message = "Avatar not supported" } } end
      list[i] = assert(hg:create_video(avatar_body { title = "clip " .. i }))
    end
    list[151] = hg:job("video", "no-such-video")
    local all = emu:requests {}
    local mark = all[#all].seq
    local results, errs = heygen.all(list)
    -- what a user sees: every result, the failure and the unknown id as typed errors
    assert.are.equal("job_failed", errs[7].kind)
    assert.are.equal("BAD_AVATAR", errs[7].code)
    assert.are.equal("not_found", errs[151].kind)
    assert.are.equal("no-such-video", errs[151].job_id)
    for i = 1, 150 do
      if i ~= 7 then
        assert.are.equal(list[i].id, results[i].video_id)
        assert.matches("^http://.*%.mp4%?Expires=", results[i].video_url)
        assert.are.equal("completed", list[i].status)
      end
    end
    -- what the API saw: bulk rounds of at most 100 ids, every job in the first round
    local rounds = bulk_requests(mark)
    assert.is_true(#rounds >= 2)
    local first = {}
    for _, id in ipairs(rounds[1]) do first[id] = true end
    for _, id in ipairs(rounds[2]) do first[id] = true end
    for i = 1, 151 do assert.is_true(first[list[i].id], "job " .. i .. " missed the first round") end
    for _, ids in ipairs(rounds) do assert.is_true(#ids <= 100) end
    -- the bulk answer itself, as documented (docs 1.5)
    local items = assert(hg:request { method = "GET", path = "/v3/videos/statuses", envelope = "v3",
      query = { video_ids = list[7].id .. "," .. list[8].id .. ",no-such-video" } })
    assert.are.same({ video_id = list[7].id, status = "failed",
      error = { code = "BAD_AVATAR", message = "Avatar not supported" } }, items[1])
    assert.are.same({ video_id = list[8].id, status = "completed" }, items[2])
    assert.are.same({ video_id = "no-such-video", status = "not_found" }, items[3])
    -- and one full read per job, when it ended (not one per poll)
    for i = 1, 151 do
      local path = "^/v3/videos/" .. list[i].id:gsub("%p", "%%%0") .. "$"
      assert.are.equal(1, #emu:requests { method = "GET", path = path, since = mark }, "job " .. i)
    end
  end)

  it("ends a job cancelled during the wait as cancelled, its group still polled in bulk", function()
    local list = {}
    for i = 1, 3 do list[i] = assert(hg:create_video(avatar_body { title = "clip " .. i })) end
    emu:job(list[2].id, { stuck = true })
    heygen.spawn(function()
      while emu:count("GET", "^/v3/videos/statuses") < 2 do heygen.sleep(0.02) end
      assert(list[2]:cancel())
      emu:job(list[2].id, { stuck = false })
    end)
    local results, errs = heygen.all(list)
    assert.are.equal("cancelled", errs[2].kind)
    assert.are.equal("cancelled", list[2].status)
    assert.are.equal(list[1].id, results[1].video_id)
    assert.are.equal(list[3].id, results[3].video_id)
  end)

  it("takes a poll-budget slot for each bulk request", function()
    local budgeted = support.client(emu, { api = "v3", poll_budget = 5 })
    local list = {}
    for i = 1, 3 do list[i] = assert(budgeted:create_video(avatar_body { title = "clip " .. i })) end
    for _, job in ipairs(list) do emu:job(job.id, { stuck = true }) end
    heygen.spawn(function()
      heygen.sleep(1.2)
      for _, job in ipairs(list) do emu:job(job.id, { stuck = false }) end
    end)
    assert(heygen.all(list))
    local asks = emu:requests { method = "GET", path = "^/v3/videos/statuses$" }
    assert.is_true(#asks >= 4, #asks .. " bulk requests")
    for k = 2, #asks do -- 5 requests/s: 0.2 s apart at least (the client's clock vs the emulator's log)
      assert.is_true(asks[k].t - asks[k - 1].t >= 0.19, string.format("%.3f s apart", asks[k].t - asks[k - 1].t))
    end
  end)

  it("falls back to polling each job when the bulk endpoint fails for good", function()
    local list = {}
    for i = 1, 3 do list[i] = assert(hg:create_video(avatar_body { title = "clip " .. i })) end
    emu:fault { method = "GET", path = "^/v3/videos/statuses", status = 403 }
    local results, errs = heygen.all(list)
    assert.is_nil(errs)
    for i = 1, 3 do assert.are.equal(list[i].id, results[i].video_id) end
    assert.are.equal(1, emu:count("GET", "^/v3/videos/statuses"))
  end)

  it("polls translations and lipsyncs with their own bulk status, beside the videos", function()
    local list = assert(hg:translate_video { video = { type = "url", url = "https://example.com/in.mp4" },
      output_languages = { "French (France)", "German (Germany)" } })
    list[3] = assert(hg:create_video(avatar_body()))
    list[4] = assert(hg:lipsync { video = "https://example.com/in.mp4", audio = "https://example.com/a.mp3" })
    local results, errs = heygen.all(list)
    assert.is_nil(errs)
    assert.are.equal("French (France)", results[1].output_language)
    assert.are.equal(list[2].id, results[2].video_translate_id)
    assert.are.equal(list[3].id, results[3].video_id)
    assert.are.equal(list[4].id, results[4].lipsync_id)
    local lipsync_asks = emu:requests { method = "GET", path = "^/v3/lipsyncs/statuses$" }
    assert.is_true(#lipsync_asks >= 1)
    assert.are.equal(list[4].id, lipsync_asks[1].query.lipsync_ids)
    assert.are.equal(1, emu:count("GET", "^/v3/lipsyncs/" .. list[4].id .. "$"))
    local asked = {}
    for _, r in ipairs(emu:requests { method = "GET", path = "^/v3/video%-translations/statuses$" }) do
      for id in r.query.video_translation_ids:gmatch("[^,]+") do asked[id] = true end
    end
    assert.is_true(asked[list[1].id] and asked[list[2].id])
    assert.is_true(emu:count("GET", "^/v3/videos/statuses$") >= 1)
    for i = 1, 2 do -- each translation read whole once, when it ended
      assert.are.equal(1, emu:count("GET", "^/v3/video%-translations/" .. list[i].id .. "$"))
    end
  end)

  it("keeps legacy (v2) video jobs on their own status endpoint", function()
    local legacy = support.client(emu)
    local job = assert(legacy:create_video { video_inputs = { v2_scene("Hi.") } })
    assert(heygen.all { job })
    assert.are.equal(0, emu:count("GET", "^/v3/videos/statuses"))
  end)
end)

describe("video batches", function()
  it("sends up to 100 videos in one request with one Idempotency-Key, and waits for every item", function()
    emu:next_job { fail = { code = "BAD_AVATAR", message = "Avatar not supported" } } -- the first item
    local batch = assert(hg:create_video_batch { title = "Launch", videos = {
      avatar_body { title = "one" }, avatar_body { title = "two" }, { video_inputs = { v2_scene("Three.") } } } })
    assert.matches("^batch_", batch.id)
    local body, req = sent("POST", "^/v3/videos/batches$")
    assert.matches(KEY_PATTERN, req.headers["idempotency-key"])
    assert.are.equal("Launch", body.title)
    assert.are.equal(3, #body.videos)
    assert.are.equal("two", body.videos[2].title)
    assert.are.equal("avatar", body.videos[3].type) -- the v2 shape became a v3 body
    assert.are.equal(0, emu:count("POST", "^/v3/videos$"))
    local seen = {}
    local results, errs = batch:wait { timeout = 30, on_progress = function(b) seen[b.status] = true end }
    assert.is_true(seen.completed)
    assert.are.equal("completed", batch.status)
    assert.are.equal(3, batch.total_items)
    assert.are.equal("job_failed", errs[1].kind)
    assert.are.equal("BAD_AVATAR", errs[1].code)
    for i = 2, 3 do
      assert.are.equal(batch.items[i].video_id, results[i].video_id)
      assert.matches("%.mp4%?Expires=", results[i].video_url)
    end
    assert.are.same({ "failed", "completed", "completed" },
      { batch.items[1].status, batch.items[2].status, batch.items[3].status })
    assert.are.equal(batch:job(2), batch:jobs()[2]) -- one Job per item's video
  end)

  it("reads every page of a batch's items", function()
    local bodies = {}
    for i = 1, 5 do bodies[i] = avatar_body { title = "clip " .. i } end
    local batch = assert(hg:create_video_batch { videos = bodies })
    local page = require("heygen.batch").PAGE
    require("heygen.batch").PAGE = 2
    local status = batch:refresh()
    require("heygen.batch").PAGE = page
    assert.are.equal("processing", status)
    assert.are.equal(5, #batch.items)
    for i = 1, 5 do assert.are.equal(i, batch.items[i].index) end
    local gets = emu:requests { method = "GET", path = "^/v3/videos/batches/" }
    assert.are.equal(3, #gets)
    assert.is_nil(gets[1].query.token)
    assert.is_string(gets[3].query.token)
  end)

  it("re-attaches to a batch by id, without creating it again", function()
    local made = assert(hg:create_video_batch { videos = { avatar_body() } })
    local again = hg:video_batch(made.id)
    local results, errs = again:wait { timeout = 30 }
    assert.is_nil(errs)
    assert.are.equal(again.items[1].video_id, results[1].video_id)
    assert.are.equal(1, emu:count("POST", "^/v3/videos/batches$"))
    local _, err = hg:video_batch("batch_nope"):wait { timeout = 5 }
    assert.are.equal("not_found", err.kind)
  end)

  it("is answered as documented by the emulator: 202 with batch_id, items and counts, all or nothing", function()
    local _, err = hg:request { method = "POST", path = "/v3/videos/batches", envelope = "v3",
      json = { videos = { avatar_body(), avatar_body { voice_id = "no-such-voice" } } } }
    assert.are.equal(404, err.status)
    assert.matches("videos%[1%]%.voice_id", err.message)
    assert.are.equal(0, #emu:jobs())
    local data, rec = assert(hg:request { method = "POST", path = "/v3/videos/batches", envelope = "v3",
      json = { videos = { avatar_body(), avatar_body() } } })
    assert.are.equal(202, rec.status)
    local batch = assert(hg:request { method = "GET", path = "/v3/videos/batches/" .. data.batch_id,
      query = { limit = 1 }, envelope = "v3" })
    assert.are.equal(data.batch_id, batch.batch_id)
    assert.are.equal(2, batch.total_items)
    assert.are.equal(1, #batch.items)
    assert.are.equal(0, batch.items[1].item_index)
    assert.is_true(batch.has_more)
    assert.is_string(batch.next_token)
    assert.is_table(batch.counts_by_status)
    local _, bad = hg:request { method = "GET", path = "/v3/videos/batches/" .. data.batch_id,
      query = { limit = "ten" }, envelope = "v3" }
    assert.are.equal(400, bad.status)
    assert.matches('limit must be an integer from 1 to 100, got "ten"', bad.message, 1, true)
  end)

  it("checks every item before anything is sent, naming the item, the field and the value", function()
    local many = {}
    for i = 1, 101 do many[i] = avatar_body() end
    local cases = {
      { { videos = many }, "create_video_batch: videos must be a list of 1 to 100 video tables, got 101 items" },
      { { videos = {} }, "create_video_batch: videos must be a list of 1 to 100 video tables, got 0 items" },
      { { videos = { avatar_body() }, titel = "x" }, "create_video_batch: unknown field 'titel'" },
      { { videos = { avatar_body(), avatar_body { script = 42 } } }, "create_video_batch: videos[2]: script" },
    }
    for _, c in ipairs(cases) do
      local batch, err = hg:create_video_batch(c[1])
      assert.is_nil(batch)
      assert.are.equal("invalid_argument", err.kind)
      assert.are.equal(c[2], err.message:sub(1, #c[2]))
    end
    assert.are.equal(0, #emu:requests())
  end)
end)

describe("translation and lipsync batches", function()
  it("create_translation_batch fans out per language and ends with each translation read whole", function()
    local batch = assert(hg:create_translation_batch { title = "Dubs", video_translations = {
      { video_url = "https://example.com/a.mp4", output_languages = { "French (France)", "German (Germany)" } },
      { video = { type = "url", url = "https://example.com/b.mp4" }, output_language = "Spanish (Spain)",
        mode = "quality" } } })
    assert.are.equal("translation_batch", batch.kind)
    local body, req = sent("POST", "^/v3/video%-translations/batches$")
    assert.matches(KEY_PATTERN, req.headers["idempotency-key"])
    assert.are.same({ video = { type = "url", url = "https://example.com/b.mp4" },
      output_languages = { "Spanish (Spain)" }, mode = "precision" }, body.video_translations[2])
    assert.are.equal(0, emu:count("POST", "^/v3/video%-translations$"))
    local results, errs = batch:wait { timeout = 30 }
    assert.is_nil(errs)
    assert.are.equal(3, batch.total_items)
    assert.are.same({ "French (France)", "German (Germany)", "Spanish (Spain)" },
      { results[1].output_language, results[2].output_language, results[3].output_language })
    assert.are.equal("translate", batch:job(1).kind)
    assert.are.equal(batch.items[3].video_id, results[3].video_translate_id)
    assert.are.equal(support.sample_mp4(), download(results[1].video_url))
    -- re-attached by id: the same items, no second create
    local again = hg:translation_batch(batch.id)
    assert.are.equal("completed", again:refresh())
    assert.are.equal(1, emu:count("POST", "^/v3/video%-translations/batches$"))
    -- a batch id of another kind is not found here
    local _, err = hg:lipsync_batch(batch.id):refresh()
    assert.are.equal("not_found", err.kind)
  end)

  it("create_lipsync_batch makes one lipsync per item, a failed one an error by item", function()
    emu:next_job { kind = "lipsync", fail = { code = "lipsync_failed", message = "No face was found" } }
    local batch, err = hg:create_lipsync_batch { callback_url = "https://hooks.example.com/b", lipsyncs = {
      { video = "https://example.com/in.mp4", audio = "https://example.com/a.mp3" },
      { video = "https://example.com/in2.mp4", audio = { type = "asset_id", asset_id = "nope" } } } }
    assert.is_nil(batch) -- the second names an asset that does not exist: nothing is made
    assert.are.equal("asset_not_available", err.code)
    assert.matches("lipsyncs%[1%]%.audio%.asset_id", err.message)
    assert.are.equal(0, #emu:jobs())
    local batch2, err0 = hg:create_lipsync_batch { lipsyncs = {
      { video = "https://example.com/in.mp4", audio = "https://example.com/a.mp3" },
      { video = "https://example.com/in2.mp4", audio = "https://example.com/b.mp3", enable_caption = true } } }
    assert(batch2, tostring(err0))
    local body = sent("POST", "^/v3/lipsyncs/batches$")
    assert.are.same({ type = "url", url = "https://example.com/b.mp3" }, body.lipsyncs[2].audio)
    local results, errs = batch2:wait { timeout = 30 }
    assert.are.equal("job_failed", errs[1].kind)
    assert.matches("No face was found", errs[1].message) -- a lipsync carries failure_message, no code
    assert.are.equal(batch2.items[2].video_id, results[2].lipsync_id)
    assert.matches("%.srt%?", results[2].caption_url)
    assert.are.equal("lipsync", batch2:job(2).kind)
  end)

  it("checks every item before anything is sent, and the expanded size", function()
    local langs = {}
    for i = 1, 51 do langs[i] = "French (France)" end
    local item = { video_url = "https://example.com/a.mp4", output_languages = langs }
    local cases = {
      { "create_translation_batch", { video_translations = { item, item } },
        "create_translation_batch: video_translations make 102 items (one per output language), more than the 100" },
      { "create_translation_batch", { video_translations = { { video_url = "https://example.com/a.mp4" } } },
        "create_translation_batch: video_translations[1]: the request needs exactly one of output_language or "
          .. "output_languages, got none" },
      { "create_lipsync_batch", { lipsyncs = { { video = "https://example.com/in.mp4" } } },
        "create_lipsync_batch: lipsyncs[1]: audio" },
      { "create_lipsync_batch", { lipsyncs = {} },
        "create_lipsync_batch: lipsyncs must be a list of 1 to 100 lipsync tables, got 0 items" },
      { "create_lipsync_batch", { lipsyncs = { {} }, titel = "x" }, "create_lipsync_batch: unknown field 'titel'" },
    }
    for _, c in ipairs(cases) do
      local batch, err = hg[c[1]](hg, c[2])
      assert.is_nil(batch)
      assert.are.equal("invalid_argument", err.kind)
      assert.are.equal(c[3], err.message:sub(1, #c[3]))
    end
    assert.are.equal(0, #emu:requests())
  end)

  it("the emulator expands translations and caps the expanded total at 100, all or nothing", function()
    local langs = {}
    for i = 1, 60 do langs[i] = "French (France)" end
    local item = { video = { type = "url", url = "https://example.com/a.mp4" }, output_languages = langs }
    local _, err = hg:request { method = "POST", path = "/v3/video-translations/batches", envelope = "v3",
      json = { video_translations = { item, item } } }
    assert.are.equal(400, err.status)
    assert.matches("must expand to at most 100 items %(one per output language%), got \"120 items\"", err.message)
    local bad = { video = { type = "url", url = "https://example.com/a.mp4" }, output_languages = { "Klingon" } }
    _, err = hg:request { method = "POST", path = "/v3/video-translations/batches", envelope = "v3",
      json = { video_translations = { { video = item.video, output_languages = { "French (France)" } }, bad } } }
    assert.are.equal(400, err.status)
    assert.matches("video_translations%[1%]%.output_languages%[0%]", err.message)
    assert.are.equal(0, #emu:jobs())
  end)
end)

describe("hg:video_agent", function()
  it("creates a session and follows it to its video, then downloads it", function()
    local job = assert(hg:video_agent { prompt = "A 10 second product demo", orientation = "landscape" })
    assert.are.equal("video_agent", job.kind)
    assert.are.equal(job.id, job.session_id)
    local req = last("POST", "^/v3/video%-agents$")
    assert.is_nil(req.headers["idempotency-key"]) -- not documented as idempotent: sent once
    local result, err, order = statuses(job)
    assert.is_nil(err)
    assert.are.same({ "pending", "processing", "completed" }, order)
    assert.are.equal(job.id, result.session_id)
    assert.are.equal(job.video_id, result.video_id)
    assert.is_truthy(last("GET", "^/v3/videos/" .. job.video_id .. "$"))
    assert.is_truthy(last("GET", "^/v3/video%-agents/" .. job.id .. "$"))
    local out = support.tmpname(".mp4")
    assert(job:download(out))
    assert.are.equal(support.sample_mp4(), support.read(out))
    os.remove(out)
  end)

  it("the emulator answers each message's resource_ids as a JSON list, [] when empty", function()
    local job = assert(hg:video_agent { prompt = "Lists stay lists" })
    assert(job:wait { timeout = 30 })
    local body = assert(hg:request { method = "GET", path = "/v3/video-agents/" .. job.id, raw_body = true })
    assert.matches('"resource_ids":%[%]', body)
    assert.is_nil(body:find('"resource_ids":{}', 1, true))
  end)

  it("a failed session fails the job with its error message", function()
    emu:next_job { kind = "video_agent", fail = { code = "video_agent_failed", message = "No storyboard fits" } }
    local job = assert(hg:video_agent { prompt = "Something impossible" })
    local result, err = job:wait { timeout = 30 }
    assert.is_nil(result)
    assert.are.equal("job_failed", err.kind)
    assert.matches("No storyboard fits", err.message)
  end)

  it("checks the prompt and options before any request", function()
    local job, err = hg:video_agent { prompt = string.rep("x", 10001) }
    assert.is_nil(job)
    assert.matches("prompt must be at most 10000 characters, got 10001 characters", err.message)
    job, err = hg:video_agent { prompt = "x", orientaton = "portrait" }
    assert.is_nil(job)
    assert.matches("orientaton is not a known field %(did you mean orientation%?%)", err.message)
    job, err = hg:video_agent { prompt = "x", auto_proceed = true }
    assert.is_nil(job)
    assert.are.equal("invalid_argument", err.kind)
    assert.matches("auto_proceed is not supported: POST /v3/video-agents has no auto_proceed", err.message, 1, true)
    assert.are.equal(0, #emu:requests())
  end)

  it("job:cancel() stops the session remotely; the emulator ends it failed", function()
    local job = assert(hg:video_agent { prompt = "Never mind" })
    assert.is_true((job:cancel()))
    assert.are.equal("cancelled", job.status)
    assert.is_truthy(last("POST", "^/v3/video%-agents/" .. job.id .. "/stop$"))
    local session = assert(hg:request { method = "GET", path = "/v3/video-agents/" .. job.id, envelope = "v3" })
    assert.are.equal("failed", session.status)
    assert.are.equal("The session was stopped on request", session.messages[1].content)
    local result, err = job:wait { timeout = 5 }
    assert.is_nil(result)
    assert.are.equal("cancelled", err.kind)
  end)

  it("is reachable from an api = \"v2\" client too", function()
    local old = support.client(emu)
    local job = assert(old:video_agent { prompt = "Hello" })
    assert(job:wait { timeout = 30 })
    assert.are.equal(1, emu:count("POST", "^/v3/video%-agents$"))
  end)
end)

describe("avatars, looks, groups and voices under api v3", function()
  it("avatars answers the legacy {avatars=, talking_photos=} from the looks, following every page", function()
    local row = require("heygen.api").calls.avatars.v3
    local size = row.pages
    row.pages = 4
    local list, err = hg:avatars()
    row.pages = size
    assert.is_nil(err)
    assert.are.equal(7, #list.avatars)
    assert.are.equal(2, #list.talking_photos)
    assert.are.equal(AVATAR, list.avatars[1].avatar_id)
    assert.are.equal("Abigail (Upper Body)", list.avatars[1].avatar_name)
    assert.are.equal(VOICE, list.avatars[1].default_voice_id)
    assert.is_string(list.avatars[1].preview_image_url)
    assert.are.equal(PHOTO, list.talking_photos[1].talking_photo_id)
    assert.are.equal(3, emu:count("GET", "^/v3/avatars/looks$"))
  end)

  it("avatar(id) is the look with avatar_id and its engines", function()
    local a = assert(hg:avatar(AVATAR))
    assert.are.equal(AVATAR, a.avatar_id)
    assert.are.equal(AVATAR, a.id)
    assert.are.same({ "avatar_v", "avatar_iv", "avatar_iii" }, a.supported_api_engines)
    local none, err = hg:avatar("missing")
    assert.is_nil(none)
    assert.are.equal("not_found", err.kind)
  end)

  it("avatar_group(id) answers one group; an unknown one is not_found", function()
    local g = assert(hg:avatar_group("ag_josh"))
    assert.are.equal("Josh", g.name)
    assert.are.equal("077ab11b14f04ce0b49b5f6e5cc20979", g.default_voice_id)
    local none, err = hg:avatar_group("ag_nobody")
    assert.is_nil(none)
    assert.are.equal("not_found", err.kind)
  end)

  it("avatar_groups and avatar_looks{group_id=} list groups and their looks", function()
    local groups = assert(hg:avatar_groups())
    assert.are.equal(9, #groups)
    assert.are.equal("ag_abigail", groups[1].id)
    assert.are.equal(1, groups[1].looks_count)
    local looks = assert(hg:avatar_looks { group_id = "ag_abigail" })
    assert.are.equal(1, #looks)
    assert.are.equal(AVATAR, looks[1].avatar_id)
    assert.are.same({ group_id = "ag_abigail", limit = "50" }, last("GET", "^/v3/avatars/looks$").query)
    local _, err = hg:avatar_looks { avatar_type = "cartoon" }
    assert.matches('avatar_type must be one of "studio_avatar", "digital_twin", "photo_avatar", got "cartoon"',
      err.message)
  end)

  it("voices filters by language and gender (case-insensitively) and keeps preview_audio", function()
    local voices = assert(hg:voices { language = "english", gender = "FEMALE" })
    assert.are.equal(2, #voices)
    for _, v in ipairs(voices) do
      assert.are.equal("English", v.language)
      assert.are.equal("female", v.gender:lower())
      assert.are.equal(v.preview_audio_url, v.preview_audio)
    end
    assert.are.same({ language = "english", gender = "FEMALE", limit = "100" }, last("GET", "^/v3/voices$").query)
  end)

  it("text_to_speech answers audio_url, duration and word timestamps", function()
    local d = assert(hg:text_to_speech { text = "Hello world", voice_id = VOICE, speed = 1.0 })
    assert.are.equal(2, #d.word_timestamps)
    assert.are.equal("Hello", d.word_timestamps[1].word)
    assert.is_true(d.duration > 0)
    assert.are.equal("RIFF", download(d.audio_url):sub(1, 4))
    local none, err = hg:text_to_speech { text = "Konnichiwa", voice_id = JAPANESE_VOICE }
    assert.is_nil(none)
    assert.are.equal("voice_not_usable", err.code)
    assert.matches("starfish engine %(param: voice_id%)", err.message)
  end)
end)

describe("video translations under api v3", function()
  it("translate_video sends the v3 body and follows pending -> running -> completed", function()
    local job = assert(hg:translate_video { video_url = "https://example.com/in.mp4",
      output_language = "Spanish (Spain)", title = "ES", mode = "quality" })
    assert.are.equal("translate", job.kind)
    local body, req = sent("POST", "^/v3/video%-translations$")
    assert.are.same({ video = { type = "url", url = "https://example.com/in.mp4" },
      output_languages = { "Spanish (Spain)" }, title = "ES", mode = "precision" }, body)
    assert.matches(KEY_PATTERN, req.headers["idempotency-key"])
    local result, err, order = statuses(job)
    assert.is_nil(err)
    assert.are.same({ "pending", "processing", "completed" }, order)
    assert.are.equal("Spanish (Spain)", result.output_language)
    assert.are.equal(result.video_url, result.url)
    assert.are.equal(job.id, result.video_translate_id)
    assert.are.equal(support.sample_mp4(), download(result.video_url))
  end)

  it("sends stock_voice_config as the contract has it, and checks it first", function()
    local config = { use_stock_voice = true, preferred_stock_voice_ids = { "sv_1", "sv_2" } }
    assert(hg:translate_video { video_url = "https://example.com/in.mp4", output_language = "Spanish (Spain)",
      stock_voice_config = config, brand_voice_id = "bg_1" })
    local body = sent("POST", "^/v3/video%-translations$")
    assert.are.same(config, body.stock_voice_config)
    assert.are.equal("bg_1", body.brand_voice_id)
    local n = #emu:requests()
    local cases = {
      { { use_stock_voice = "yes" }, 'stock_voice_config.use_stock_voice must be true or false, got "yes"' },
      { { preferred_stock_voice_ids = "sv_1" },
        'stock_voice_config.preferred_stock_voice_ids must be a list, got "sv_1"' },
      { { preferred_stock_voice_ids = { "" } }, "stock_voice_config.preferred_stock_voice_ids[1] must not be empty" },
      { { use_stock_voce = true }, "stock_voice_config.use_stock_voce is not a known field (did you mean "
        .. "stock_voice_config.use_stock_voice?)" },
    }
    for _, c in ipairs(cases) do
      local job, err = hg:translate_video { video_url = "https://example.com/in.mp4",
        output_language = "Spanish (Spain)", stock_voice_config = c[1] }
      assert.is_nil(job)
      assert.are.equal("invalid_argument", err.kind)
      assert.matches(c[2], err.message, 1, true)
    end
    assert.are.equal(n, #emu:requests())
  end)

  it("output_languages gives one Job per language, in order", function()
    local list = assert(hg:translate_video { video = { type = "url", url = "https://example.com/in.mp4" },
      output_languages = { "French (France)", "German (Germany)" }, enable_caption = true })
    assert.are.equal(2, #list)
    assert.are.equal("French (France)", list[1].output_language)
    local r = assert(list[2]:wait { timeout = 30 })
    assert.are.equal("German (Germany)", r.output_language)
    assert.matches("%.vtt%?", r.vtt_caption_url)
  end)

  it("an answer with fewer ids than languages asked is an error naming both counts", function()
    emu:fault { method = "POST", path = "^/v3/video%-translations$", status = 200,
      body = { data = { video_translation_ids = { "vt_only_one" } } } }
    local list, err = hg:translate_video { video_url = "https://example.com/in.mp4",
      output_languages = { "French (France)", "German (Germany)" } }
    assert.is_nil(list)
    assert.are.equal("protocol", err.kind)
    assert.are.same({ 2, 1 }, { err.asked, err.got })
    assert.matches("carried 1 translate id for 2 output languages asked (French (France), German (Germany))",
      err.message, 1, true)
    assert.are.equal("vt_only_one", err.jobs[1].id) -- it exists: followed, never created again
    emu:fault { method = "POST", path = "^/v3/video%-translations/proofreads$", status = 200,
      body = { data = { proofread_ids = {}, status = "processing" } } }
    list, err = hg:create_proofread { video_url = "https://example.com/in.mp4", title = "T",
      output_languages = { "French (France)", "German (Germany)" } }
    assert.is_nil(list)
    assert.are.same({ "protocol", 2, 0 }, { err.kind, err.asked, err.got })
  end)

  it("translate_languages lists display names; an unknown one is the API's invalid_parameter", function()
    local langs = assert(hg:translate_languages())
    assert.are.equal("English", langs[1])
    assert.are.equal("Spanish (Spain)", langs[5])
    local job, err = hg:translate_video { video_url = "https://example.com/in.mp4", output_language = "es-ES" }
    assert.is_nil(job)
    assert.are.equal("invalid_argument", err.kind)
    assert.matches('output_languages%[0%] must be a language from /v3/video%-translations/languages, '
      .. 'got "es%-ES" %(param: output_languages%[0%]%)', err.message)
  end)
end)

describe("proofreads", function()
  it("reviews a translation's subtitles, replaces them, then renders the translation from them", function()
    local list = assert(hg:create_proofread { video_url = "https://example.com/talk.mp4", title = "Talk",
      output_languages = { "French (France)", "German (Germany)" }, mode = "quality" })
    assert.are.equal(2, #list)
    local body, req = sent("POST", "^/v3/video%-translations/proofreads$")
    assert.matches(KEY_PATTERN, req.headers["idempotency-key"])
    assert.are.same({ video = { type = "url", url = "https://example.com/talk.mp4" }, title = "Talk",
      output_languages = { "French (France)", "German (Germany)" }, mode = "precision" }, body)
    local pr = list[1]
    assert.are.equal("proofread", pr.kind)
    -- not ready yet: the API refuses its subtitles and its render
    local _, early = hg:proofread_srt(pr.id)
    assert.are.equal(400, early.status)
    local result, err, order = statuses(pr)
    assert.is_nil(err)
    assert.are.same({ "processing", "completed" }, order)
    assert.are.same({ pr.id, "French (France)" }, { result.proofread_id, result.output_language })
    local srt = assert(hg:proofread_srt(pr.id))
    assert.is_nil(srt.original_srt_url)
    assert.matches("^1\r?\n00:00:00", download(srt.srt_url))
    local replaced = assert(hg:replace_proofread_srt(pr.id, "https://example.com/reviewed.srt"))
    assert.is_true(replaced.submitted_for_review)
    assert.are.same({ srt = { type = "url", url = "https://example.com/reviewed.srt" } },
      (sent("PUT", "^/v3/video%-translations/proofreads/" .. pr.id .. "/srt$")))
    srt = assert(hg:proofread_srt(pr.id))
    assert.matches("_reviewed%.srt%?", srt.srt_url)
    assert.matches(pr.id .. "%.srt%?", srt.original_srt_url)
    local t = assert(hg:generate_proofread(pr.id, { captions = true, callback_id = "fr-1" }))
    assert.are.equal("translate", t.kind)
    assert.are.equal(pr.id, t.proofread_id)
    assert.are.same({ captions = true, callback_id = "fr-1" },
      (sent("POST", "^/v3/video%-translations/proofreads/" .. pr.id .. "/generate$")))
    local r = assert(t:wait { timeout = 30 })
    assert.are.equal("French (France)", r.output_language)
    assert.matches("%.vtt%?", r.vtt_caption_url)
    assert.are.equal(support.sample_mp4(), download(r.video_url))
  end)

  it("takes brand_voice_id (the contract's legacy name of brand_glossary_id) and sends it", function()
    assert(hg:create_proofread { video_url = "https://example.com/talk.mp4", title = "Talk",
      output_language = "French (France)", brand_voice_id = "bg_7" })
    assert.are.equal("bg_7", sent("POST", "^/v3/video%-translations/proofreads$").brand_voice_id)
    local n = #emu:requests()
    local job, err = hg:create_proofread { video_url = "https://example.com/talk.mp4", title = "Talk",
      output_language = "French (France)", brand_voice_id = "bg_7", brand_glossary_id = "bg_8" }
    assert.is_nil(job)
    assert.are.equal("invalid_argument", err.kind)
    assert.matches('brand_voice_id is the legacy name of brand_glossary_id: give one, got "bg_7" and "bg_8"',
      err.message, 1, true)
    job, err = hg:create_proofread { video_url = "https://example.com/talk.mp4", title = "Talk",
      output_language = "French (France)", brand_voice_id = "" }
    assert.is_nil(job)
    assert.matches('brand_voice_id must not be empty, got ""', err.message, 1, true)
    assert.are.equal(n, #emu:requests())
  end)

  it("checks a proofread before anything is sent", function()
    local cases = {
      { { video_url = "https://example.com/a.mp4", output_language = "French (France)" }, "title" },
      { { video_url = "https://example.com/a.mp4", title = "T" },
        "exactly one of output_language or output_languages" },
      { { video_url = "https://example.com/a.mp4", title = "T", output_language = "French (France)",
          enable_caption = true }, "enable_caption" },
    }
    for _, c in ipairs(cases) do
      local job, err = hg:create_proofread(c[1])
      assert.is_nil(job)
      assert.are.equal("invalid_argument", err.kind)
      assert.matches(c[2], err.message, 1, true)
    end
    local job, err = hg:generate_proofread("pr_1", { caption = true })
    assert.is_nil(job)
    assert.matches("caption", err.message, 1, true)
    assert.has_error(function() hg:replace_proofread_srt("pr_1") end)
    assert.are.equal(0, #emu:requests())
  end)
end)

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

describe("assets under api v3", function()
  it("uploads up to 32 MB as multipart/form-data and serves the same bytes back", function()
    local path = write_file(PNG, ".png")
    local asset = assert(hg:upload_asset(path))
    os.remove(path)
    assert.are.equal("image", asset.file_type)
    assert.are.equal("image/png", asset.mime_type)
    assert.are.equal(#PNG, asset.size_bytes)
    assert.are.equal(asset.asset_id, asset.id)
    local req = last("POST", "^/v3/assets$")
    assert.matches("^multipart/form%-data; boundary=", req.headers["content-type"])
    assert.matches(KEY_PATTERN, req.headers["idempotency-key"])
    assert.are.equal(PNG, download(asset.url))
  end)

  it("uploads bigger files in three steps: a presigned slot, a PUT without the key, complete", function()
    local assets = require "heygen.api.assets"
    local threshold = assets.MULTIPART_MAX
    assets.MULTIPART_MAX = 100
    local bytes = "\0\0\0\24ftypmp42" .. string.rep("v", 5000)
    local path = write_file(bytes, ".mp4")
    local asset, err = hg:upload_asset(path)
    assets.MULTIPART_MAX = threshold
    os.remove(path)
    assert.is_nil(err)
    assert.are.equal("video/mp4", asset.mime_type)
    assert.are.same({ filename = path:match("[^/]+$"), content_type = "video/mp4", size_bytes = #bytes },
      (sent("POST", "^/v3/assets/direct%-uploads$")))
    local put = last("PUT", "^/uploads/")
    assert.is_nil(put.headers["x-api-key"])
    assert.are.equal("video/mp4", put.headers["content-type"])
    assert.are.equal(#bytes, put.body_size)
    assert.is_truthy(last("POST", "^/v3/assets/" .. asset.id .. "/complete$"))
    assert.are.equal(0, emu:count("POST", "^/v3/assets$"))
    assert.are.equal(bytes, download(asset.url))
  end)

  it("sends a real 33 MB file through the presigned upload", function()
    local bytes = "\0\0\0\24ftypmp42" .. string.rep("0123456789abcdef", 33 * 65536)
    local path = write_file(bytes, ".mp4")
    local asset = assert(hg:upload_asset(path))
    os.remove(path)
    assert.are.equal(#bytes, asset.size_bytes)
    assert.are.equal(#bytes, last("PUT", "^/uploads/").body_size)
    assert.are.equal(bytes, download(asset.url))
  end)

  it("refuses an unknown file type before any request; the API refuses bytes that are not what they say", function()
    local path = write_file("hello", ".txt")
    local asset, err = hg:upload_asset(path)
    os.remove(path)
    assert.is_nil(asset)
    assert.matches("path must end in one of %.jpeg, %.jpg, %.mp3, %.mp4, %.pdf, %.png, %.srt, %.wav, %.webm",
      err.message)
    assert.are.equal(0, #emu:requests())
    path = write_file("not really a picture", ".png")
    asset, err = hg:upload_asset(path)
    os.remove(path)
    assert.is_nil(asset)
    assert.are.equal("invalid_argument", err.kind)
    assert.matches("%(param: file%)", err.message)
  end)
end)

describe("webhook endpoints and event types", function()
  it("creates, lists, updates, rotates and deletes an endpoint", function()
    local ep = assert(hg:create_webhook_endpoint { url = "https://example.com/hook",
      events = { "avatar_video.success", "avatar_video.fail" } })
    assert.matches("^whsec_", ep.secret)
    assert.are.equal("enabled", ep.status)
    assert.matches("^%d%d%d%d%-%d%d%-%d%dT", ep.created_at)
    assert.matches(KEY_PATTERN, last("POST", "^/v3/webhooks/endpoints$").headers["idempotency-key"])
    local list = assert(hg:webhook_endpoints())
    assert.are.equal(1, #list)
    assert.is_nil(list[1].secret)
    local updated = assert(hg:update_webhook_endpoint(ep.endpoint_id, { events = { "video_agent.success" } }))
    assert.are.same({ "video_agent.success" }, updated.events)
    local rotated = assert(hg:rotate_webhook_secret(ep.endpoint_id))
    assert.are_not.equal(ep.secret, rotated.secret)
    -- the rotate operation takes no body: none is sent, nor a JSON content type
    local rot = last("POST", "/rotate%-secret$")
    assert.are.equal("", rot.body)
    assert.is_nil(rot.headers["content-type"])
    assert.is_true(hg:delete_webhook_endpoint(ep.endpoint_id))
    assert.are.equal(0, #assert(hg:webhook_endpoints()))
  end)

  it("checks the URL and event names before any request", function()
    local _, err = hg:create_webhook_endpoint { url = "http://example.com/hook" }
    assert.matches('url must be an https URL, got "http://example.com/hook"', err.message)
    _, err = hg:create_webhook_endpoint { url = "https://example.com/hook", events = { "avatar_video.succes" } }
    assert.matches('events%[1%] must be one of .*, got "avatar_video.succes" %(did you mean "avatar_video.success"%?%)',
      err.message)
    assert.are.equal(0, #emu:requests())
  end)

  it("lists the 30 event types and the events of finished jobs", function()
    local types = assert(hg:webhook_event_types())
    assert.are.equal(30, #types)
    assert.are.equal("avatar_video.success", types[1].event_type)
    -- GET /v3/webhooks/event-types has no parameters: one GET, no query
    local _, gets = last("GET", "^/v3/webhooks/event%-types")
    assert.are.equal(1, #gets)
    assert.are.same({}, gets[1].query)
    -- the emulator answers the whole list without paging parameters
    local data, _, doc = assert(hg:request { method = "GET", path = "/v3/webhooks/event-types", envelope = "v3" })
    assert.are.equal(30, #data)
    assert.is_false(doc.has_more)
    local job = assert(hg:create_video(avatar_body { callback_id = "cb-1" }))
    assert(job:wait { timeout = 30 })
    local events = assert(hg:webhook_events { event_type = "avatar_video.success" })
    assert.are.equal(1, #events)
    assert.are.equal(job.id, events[1].event_data.video_id)
    assert.are.equal("cb-1", events[1].event_data.callback_id)
    assert.are.equal(events[1].event_data.url, events[1].event_data.video_url)
  end)
end)

describe("the emulator's closed bodies (the strict contract's additionalProperties: false)", function()
  local function post(method, path, body)
    return hg:request { method = method, path = path, envelope = "v3", json = body }
  end
  local VIDEO = { type = "url", url = "https://example.com/in.mp4" }

  it("answers 400 invalid_parameter naming an unknown field, at the top and inside an AssetInput", function()
    local cases = {
      { "POST", "/v3/video-agents", { prompt = "x", auto_proceed = true }, "auto_proceed" },
      { "POST", "/v3/voices/speech", { text = "Hi", voice_id = VOICE, pitch = 2 }, "pitch" },
      { "POST", "/v3/video-translations", { video = VIDEO, output_languages = { "French (France)" }, colour = 1 },
        "colour" },
      { "POST", "/v3/video-translations", { video = { type = "url", url = VIDEO.url, asset_id = "a" },
        output_languages = { "French (France)" } }, "video.asset_id" },
      { "POST", "/v3/video-translations/proofreads", { video = VIDEO, title = "T",
        output_languages = { "French (France)" }, enable_caption = true }, "enable_caption" },
      { "POST", "/v3/lipsyncs", { video = VIDEO, audio = { type = "url", url = "https://example.com/a.mp3" },
        srt = VIDEO }, "srt" },
      { "POST", "/v3/webhooks/endpoints", { url = "https://example.com/h", secret = "s" }, "secret" },
      { "POST", "/v3/videos", { type = "image", script = "Hi", voice_id = VOICE,
        image = { type = "url", url = "https://example.com/p.png", media_type = "image/png" } }, "image.media_type" },
    }
    for _, c in ipairs(cases) do
      local data, err = post(c[1], c[2], c[3])
      assert.is_nil(data, c[2])
      assert.are.equal(400, err.status, c[2])
      assert.are.equal("invalid_parameter", err.code, c[2])
      assert.matches(c[4] .. " is not a known field (known: ", err.message, 1, true)
    end
    local ep = assert(hg:create_webhook_endpoint { url = "https://example.com/h" })
    local _, err = post("PATCH", "/v3/webhooks/endpoints/" .. ep.endpoint_id, { entity_id = "x" })
    assert.are.equal(400, err.status)
    assert.matches("entity_id is not a known field", err.message, 1, true)
    -- the known fields still pass, the contract's newer ones included
    assert(post("POST", "/v3/video-translations", { video = VIDEO, output_languages = { "French (France)" },
      stock_voice_config = { use_stock_voice = true }, brand_glossary_id = "g" }))
  end)

  it("stays independent of the client's validation code", function()
    local src = support.read("lua/heygen/emulator/v3.lua")
    assert.is_nil(src:find("heygen.validate", 1, true))
    assert.is_nil(src:find("heygen.api", 1, true))
  end)
end)

describe("users/me and remaining_quota under api v3", function()
  local function billing(kind, currency)
    emu:call("POST", "/_emulator/v3/billing", { billing_type = kind, currency = currency })
  end

  it("me answers the wallet shape by default, and remaining_quota keeps the legacy unit", function()
    local me = assert(hg:me())
    assert.are.equal("wallet", me.billing_type)
    assert.are.equal("usd", me.wallet.currency)
    assert.are.equal(234445.2, me.wallet.remaining_balance)
    assert.is_nil(me.subscription)
    assert.is_nil(me.usage_based)
    local q = assert(hg:remaining_quota())
    assert.are.equal(2344452, q.remaining_quota)
    assert.are.equal(2344452 / 60, q.credits)
    assert.are.equal("wallet", q.billing_type)
  end)

  it("reads the subscription and usage-based shapes too", function()
    billing("subscription")
    local me = assert(hg:me())
    assert.are.equal("pro", me.subscription.plan)
    assert.is_nil(me.wallet)
    assert.are.equal(39074 * 60, assert(hg:remaining_quota()).remaining_quota)
    billing("usage_based")
    assert.are.equal(2344452, assert(hg:remaining_quota()).remaining_quota)
    billing("wallet", "credits")
    assert.are.equal(2344452, assert(hg:remaining_quota()).remaining_quota)
    assert.is_true(assert(hg:remaining_quota()).balance_known)
  end)

  it("answers what is known when billing_type or the balance is null (the contract allows both)", function()
    emu:call("POST", "/_emulator/v3/billing", { billing_type = "none" })
    local q, err = hg:remaining_quota()
    assert.is_nil(err)
    assert.is_false(q.balance_known)
    assert.is_nil(q.remaining_quota)
    assert.is_nil(q.credits)
    assert.is_nil(q.billing_type)
    for _, kind in ipairs { "wallet", "subscription", "usage_based" } do
      emu:call("POST", "/_emulator/v3/billing", { billing_type = kind, unknown_balance = true })
      q, err = hg:remaining_quota()
      assert.is_nil(err, kind)
      assert.are.same({ false, kind }, { q.balance_known, q.billing_type })
      assert.is_nil(q.remaining_quota)
    end
  end)
end)

describe("jobs re-attached under api v3", function()
  it("hg:job(\"video\", id) and heygen.resume follow the v3 endpoints", function()
    local journal = support.tmpname(".jsonl")
    local with_journal = support.client(emu, { api = "v3", journal = journal })
    local video = assert(with_journal:create_video(avatar_body()))
    local agent = assert(with_journal:video_agent { prompt = "Resume me" })
    local again = assert(hg:job("video", video.id):wait { timeout = 30 })
    assert.are.equal(video.id, again.video_id)
    local resumed = heygen.resume(journal, support.client(emu, { api = "v3" }))
    os.remove(journal)
    assert.are.equal(2, #resumed)
    assert.are.same({ "video", "video_agent" }, { resumed[1].kind, resumed[2].kind })
    for _, job in ipairs(resumed) do assert(job:wait { timeout = 30 }) end
    assert.are.equal(agent.id, resumed[2].result.session_id)
    assert.are.equal(0, emu:count(nil, "^/v[12]/"))
    assert.are.equal(1, emu:count("POST", "^/v3/videos$"))
    assert.are.equal(1, emu:count("POST", "^/v3/video%-agents$"))
  end)
end)

describe("v3 envelopes, errors and deprecation notices", function()
  it("takes a 2xx with its data and an error that is null or empty as success (the contract's 2xx error)", function()
    local me = '"data": {"username": "u", "email": null, "first_name": null, "last_name": null, '
      .. '"billing_type": "usage_based", "usage_based": {"remaining_credits": 2}}'
    for _, tail in ipairs { ', "error": null', ', "error": {}', ', "error": {"param": null}' } do
      emu:fault { path = "^/v3/users/me", status = 200, body = "{" .. me .. tail .. "}" }
      local d, err = hg:me()
      assert.is_nil(err, tail)
      assert.are.equal("u", d.username)
    end
    -- an error with a code or a message is one, even on a 2xx
    emu:fault { path = "^/v3/users/me", status = 200,
      body = "{" .. me .. ', "error": {"code": "invalid_parameter", "message": "boom"}}' }
    local d, err = hg:me()
    assert.is_nil(d)
    assert.are.equal("invalid_argument", err.kind)
    assert.matches("boom", err.message, 1, true)
    emu:clear_faults()
  end)

  it("maps each documented v3 error code to its kind, with param and request id", function()
    local once = support.client(emu, { api = "v3", max_retries = 0 })
    local cases = {
      { 401, "unauthorized", "auth" }, { 403, "forbidden", "permission" },
      { 403, "resource_access_denied", "permission" }, { 402, "insufficient_credit", "insufficient_credit" },
      { 400, "invalid_parameter", "invalid_argument" }, { 400, "INVALID_PARAMETER", "invalid_argument" },
      { 400, "download_failed", "invalid_argument" }, { 404, "not_found", "not_found" },
      { 404, "resource_not_found", "not_found" }, { 404, "video_not_found", "not_found" },
      { 404, "AVATAR_NOT_FOUND", "not_found" }, { 404, "voice_not_found", "not_found" },
      { 409, "request_in_progress", "conflict" }, { 409, "conflict", "conflict" },
      { 413, "payload_too_large", "invalid_argument" }, { 429, "rate_limit_exceeded", "rate_limit" },
      { 500, "internal_error", "server" }, { 503, "internal_error", "server" },
    }
    for _, c in ipairs(cases) do
      emu:fault { path = "^/v3/users/me$", status = c[1], times = -1, body = { error = { code = c[2],
        message = "documented " .. c[2], param = "field_x",
        doc_url = "https://developers.heygen.com/docs/error-codes" } } }
      local me, err = once:me()
      emu:clear_faults()
      assert.is_nil(me)
      assert.are.equal(c[3], err.kind, c[2])
      assert.are.equal(c[1], err.status)
      assert.are.equal(c[2], err.code)
      assert.are.equal("documented " .. c[2] .. " (param: field_x)", err.message)
      assert.is_string(err.request_id)
    end
    emu:fault { path = "^/v3/users/me$", html = true, times = -1 }
    local _, err = once:me()
    emu:clear_faults()
    assert.are.equal("protocol", err.kind) -- a gateway's HTML page, not the API's answer
    assert.are.equal(502, err.status)
    assert.is_true(err.retryable)
  end)

  it("a bad key is auth with the v3 code unauthorized", function()
    local bad = support.client(emu, { api = "v3", api_key = "wrong-key-123" })
    local me, err = bad:me()
    assert.is_nil(me)
    assert.are.equal("auth", err.kind)
    assert.are.equal("unauthorized", err.code)
    assert.is_nil(tostring(err):find("wrong-key-123", 1, true))
  end)

  it("HTTP 200 carrying an error object is an error (a GET retries it, then gives up)", function()
    emu:fault { path = "^/v3/users/me$", error_body = true, times = 3 }
    local me, err = hg:me()
    assert.is_nil(me)
    assert.are.equal("server", err.kind)
    assert.are.equal("internal_error", err.code)
    assert.are.equal(3, emu:count("GET", "^/v3/users/me$"))
  end)

  it("legacy answers carry Deprecation/Sunset, surfaced once per client through on_warning", function()
    local warnings = {}
    local old = support.client(emu, { on_warning = function(m) warnings[#warnings + 1] = m end })
    assert(old:video_status(assert(old:create_video { video_inputs = { v2_scene() } }).id))
    assert(old:translate_languages())
    assert.are.equal(1, #warnings)
    assert.matches("deprecated; sunset Sat, 31 Oct 2026 00:00:00 GMT", warnings[1])
    local req = last("GET", "^/v1/video_status%.get$")
    assert.is_truthy(req)
    local seen = {}
    local new = support.client(emu, { api = "v3", on_warning = function(m) seen[#seen + 1] = m end })
    assert(new:translate_languages())
    assert(new:me())
    assert.are.equal(0, #seen)
  end)

  it("an api = \"v3\" client keeps the legacy endpoint for text-to-video workflows", function()
    local job = assert(hg:generate_video { prompt = "A drone shot over a coastal city" })
    assert.are.equal("workflow", job.kind)
    assert.are.equal(1, emu:count("POST", "^/v1/workflows/executions$"))
  end)
end)
