-- heygen.emulator over real loopback HTTP, seen the way a client sees it: the v1/v2 videos: generate, status,
-- .webm, list, delete, share (emulator/legacy/videos.lua).
-- Moved from spec/emulator_spec.lua (issue 18); the raw client and fixtures are spec/emulator/raw.lua.
-- Runs under lua5.4 and LuaJIT; the emulator child runs under the same kind of interpreter.
local R = require "emulator.raw"
local socket, null, http, get = R.socket, R.null, R.http, R.get
local post, local_path, has_ffprobe, ffprobe = R.post, R.local_path, R.has_ffprobe, R.ffprobe
local wait_until, AVATAR, scene, text_voice = R.wait_until, R.AVATAR, R.scene, R.text_voice
local avatar, create_video, status_of = R.avatar, R.create_video, R.status_of

local emu = R.use()

describe("POST /v2/video/generate and GET /v1/video_status.get", function()
  it("returns a 32-hex video_id in the v2 envelope", function()
    local res = post("/v2/video/generate", {video_inputs = {scene()}})
    assert.equal(200, res.status)
    assert.equal(null, res.json.error)
    assert.matches("^%x+$", res.json.data.video_id)
    assert.equal(32, #res.json.data.video_id)
  end)

  it("walks waiting -> pending -> processing -> completed by clock", function()
    emu:config({time_scale = 1})
    local id = create_video()
    local d = status_of(id)
    assert.equal("waiting", d.status)
    for _, k in ipairs({"video_url", "thumbnail_url", "gif_url", "duration", "error", "caption_url",
                        "video_url_caption", "callback_id"}) do
      assert.equal(null, d[k], k)
    end
    emu:advance(6)
    assert.equal("pending", status_of(id).status)
    emu:advance(20)
    assert.equal("processing", status_of(id).status)
    emu:advance(120)
    d = status_of(id)
    assert.equal("completed", d.status)
    assert.equal(id, d.id)
    assert.equal(3, d.duration)
    assert.is_number(d.created_at)
    assert.matches("/files/" .. id .. "%.mp4%?Expires=%d+&Signature=%x+$", d.video_url)
    assert.matches("/files/" .. id .. "%.jpg%?Expires=", d.thumbnail_url)
    assert.matches("/files/" .. id .. "%.gif%?Expires=", d.gif_url)
    assert.equal(null, d.video_url_caption)
  end)

  it("finishes within about a second at time_scale 200", function()
    local t0 = socket.gettime()
    local id = create_video()
    wait_until(function() return status_of(id).status == "completed" end, 3)
    assert.is_true(socket.gettime() - t0 < 2)
  end)

  it("regenerates Expires on every status read", function()
    local id = create_video()
    emu:advance(200)
    local first = status_of(id).video_url
    -- a longer time to live between the two reads: a URL made once and handed out again
    -- would keep its Expires (no sleep to the next second needed)
    emu:config { url_ttl = 7 * 86400 + 1000 }
    finally(function() emu:config { url_ttl = 7 * 86400 } end)
    local second = status_of(id).video_url
    local e1, e2 = tonumber(first:match("Expires=(%d+)")), tonumber(second:match("Expires=(%d+)"))
    assert.is_true(e2 - e1 >= 1000 and e2 - e1 <= 1002, e1 .. " then " .. e2)
    assert.is_true(math.abs(e1 - (os.time() + 7 * 86400)) < 5)
  end)

  it("adds caption URLs and the callback_id when asked", function()
    local id = create_video({video_inputs = {scene()}, caption = true, callback_id = "cb-1"})
    emu:advance(200)
    local d = status_of(id)
    assert.equal("cb-1", d.callback_id)
    assert.matches("_caption%.mp4%?Expires=", d.video_url_caption)
    assert.matches("%.ass%?Expires=", d.caption_url)
    assert.matches("Dialogue:", get(local_path(d.caption_url)).body)
  end)

  it("answers an unknown avatar 400 avatar_not_found", function()
    local res = post("/v2/video/generate",
                     {video_inputs = {scene(avatar({avatar_id = "6c6486f966a74669b07b4b11146a0a94"}))}})
    assert.equal(400, res.status)
    assert.same({error = {code = "avatar_not_found",
                          message = "Avatar 6c6486f966a74669b07b4b11146a0a94 not found or no longer available."},
                 data = null}, res.json)
  end)

  local bad_bodies = {
    ["missing video_inputs"] = {{}, "video_inputs"},
    ["more than 50 scenes"] = {"51 scenes", "video_inputs"},
    ["a bad voice speed"] = {{video_inputs = {scene(text_voice({speed = 3}))}}, "speed"},
    ["a bad colour"] = {{video_inputs = {scene({background = {type = "color", value = "white"}})}}, "background.value"},
    ["a colour background without value"] = {{video_inputs = {scene({background = {type = "color"}})}},
                                              "background.value"},
    ["a bad avatar_style"] = {{video_inputs = {scene(avatar({avatar_style = "huge"}))}}, "avatar_style"},
    ["an over-long script"] = {{video_inputs = {scene(text_voice({input_text = string.rep("a", 5001)}))}},
                               "input_text"},
    ["a bad aspect ratio"] = {{video_inputs = {scene()}, aspect_ratio = "3:1"}, "aspect_ratio"},
    ["a too small dimension"] = {{video_inputs = {scene()}, dimension = {width = 100, height = 720}},
                                 "dimension.width"},
    ["a non-JSON body"] = {"not json", "JSON"},
  }
  for name, case in pairs(bad_bodies) do
    it("answers " .. name .. " 400 invalid_parameter naming the field", function()
      local body = case[1]
      if body == "51 scenes" then
        body = {video_inputs = {}}
        for i = 1, 51 do body.video_inputs[i] = scene() end
      end
      local res = post("/v2/video/generate", body)
      assert.equal(400, res.status)
      assert.equal("invalid_parameter", res.json.error.code)
      assert.equal(null, res.json.data)
      assert.matches(case[2], res.json.error.message, 1, true)
    end)
  end

  it("answers an unknown voice 400 voice_not_found", function()
    local res = post("/v2/video/generate", {video_inputs = {scene(text_voice({voice_id = "nope"}))}})
    assert.equal(400, res.status)
    assert.equal("voice_not_found", res.json.error.code)
  end)

  it("answers video_status.get for an unknown id 404 with v1 code 40031", function()
    local res = get("/v1/video_status.get?video_id=ffffffffffffffffffffffffffffffff")
    assert.equal(404, res.status)
    assert.equal(40031, res.json.code)
    local missing = get("/v1/video_status.get")
    assert.equal(400, missing.status)
    assert.equal(40001, missing.json.code)
  end)

  it("accepts talking photos and audio voices", function()
    local res = post("/v2/video/generate", {video_inputs = {
      {character = {type = "talking_photo", talking_photo_id = "6013fc758b5446a2ba17d8c459538bb4",
                     talking_style = "expressive"},
       voice = {type = "audio", audio_url = "https://example.com/a.mp3"}},
      {voice = {type = "silence", duration = 1.5}, character = {type = "avatar", avatar_id = AVATAR}}}})
    assert.equal(200, res.status)
  end)
end)

describe("POST /v1/video.webm", function()
  local base = {avatar_pose_id = "Vanessa-invest-20220722", avatar_style = "normal",
                input_text = "Hello!", voice_id = "1bd001e7e50f421d891986aad5158bc8"}
  local function with(changes)
    local t = {}
    for k, v in pairs(base) do t[k] = v end
    for k, v in pairs(changes) do if v == false then t[k] = nil else t[k] = v end end
    return t
  end

  it("answers in the v1 envelope and renders a .webm", function()
    local res = post("/v1/video.webm", base)
    assert.equal(200, res.status)
    assert.equal(100, res.json.code)
    local id = res.json.data.video_id
    emu:advance(200)
    local d = status_of(id)
    assert.matches("/files/" .. id .. "%.webm%?Expires=", d.video_url)
    local file = get(local_path(d.video_url))
    assert.equal("video/webm", file.headers["content-type"])
    assert.equal("\26\69\223\163", file.body:sub(1, 4))        -- EBML magic
    if has_ffprobe() then assert.matches("vp9", ffprobe(file.body, ".webm")) end
  end)

  it("rejects avatar_style other than normal/closeUp", function()
    local res = post("/v1/video.webm", with({avatar_style = "circle"}))
    assert.equal(400, res.status)
    assert.equal(400175, res.json.code)
    assert.matches("avatar_style", res.json.message)
  end)

  it("takes input_text xor input_audio", function()
    local both = post("/v1/video.webm", with({input_audio = "asset123"}))
    assert.equal(400, both.status)
    assert.equal(400175, both.json.code)
    local neither = post("/v1/video.webm", with({input_text = false, voice_id = false}))
    assert.equal(40001, neither.json.code)
    local audio = post("/v1/video.webm", with({input_text = false, voice_id = false, input_audio = "asset123"}))
    assert.equal(200, audio.status)
  end)
end)

describe("GET /v1/video.list", function()
  it("pages through 250+ videos with tokens and ends with token null", function()
    local mine = create_video()
    local seen, pages, token = {}, 0, nil
    repeat
      local res = get("/v1/video.list?limit=100" .. (token and ("&token=" .. token) or ""))
      assert.equal(200, res.status)
      assert.equal(100, res.json.code)
      pages = pages + 1
      for _, v in ipairs(res.json.data.videos) do
        assert.is_nil(seen[v.video_id], "duplicate " .. v.video_id)
        seen[v.video_id] = v
        assert.is_number(v.created_at)
        assert.is_true(v.type == "GENERATED" or v.type == "TRANSLATED")
      end
      token = res.json.data.token
      if token == null then token = nil end
    until not token
    local n = 0
    for _ in pairs(seen) do n = n + 1 end
    assert.equal(3, pages)
    assert.equal(251, n)
    assert.truthy(seen[mine])
    local statuses = {}
    for _, v in pairs(seen) do statuses[v.status] = true end
    assert.is_true(statuses.completed and statuses.failed and statuses.processing and statuses.draft)
  end)

  it("lists newest first and rejects bad limits and tokens", function()
    local mine = create_video()
    local res = get("/v1/video.list?limit=1")
    assert.equal(mine, res.json.data.videos[1].video_id)
    assert.matches('"message":null', res.body)
    assert.equal(400, get("/v1/video.list?limit=101").status)
    assert.equal(40012, get("/v1/video.list?token=forged").json.code)
  end)

  it("deletes videos and shares them", function()
    local id = create_video()
    local share = post("/v1/video/share", {video_id = id})
    assert.equal(100, share.json.code)
    assert.matches("/share/" .. id .. "$", share.json.data)
    assert.equal(200, get(local_path(share.json.data)).status)
    local del = http("DELETE", "/v1/video.delete?video_id=" .. id)
    assert.same({code = 100, data = null, message = "Success"}, del.json)
    assert.equal(40031, get("/v1/video_status.get?video_id=" .. id).json.code)
    assert.equal(404, http("DELETE", "/v1/video.delete?video_id=" .. id).status)
    assert.equal(404, post("/v1/video/share", {video_id = id}).status)
  end)
end)
