-- Bad input to the v1/v2 calls: each is refused with err.kind "invalid_argument",
-- a message naming the field path, the rule and the value, and not one request
-- sent (the emulator's request log proves it).
local support = require "support"

local emu = support.use_emulator()
local hg = support.client(emu)

local AVATAR, VOICE = support.AVATAR, support.VOICE
local TEMPLATE = "22a48da453ef4c014a6a60d827a02f0b"

-- A valid scene, with `over` laid on its parts: over = {voice = {...}, character = {...}, background = {...}}.
local function scene(over)
  over = over or {}
  local s = {
    character = { type = "avatar", avatar_id = AVATAR, avatar_style = "normal" },
    voice = { type = "text", voice_id = VOICE, input_text = "Hello there." },
    background = { type = "color", value = "#FFFFFF" },
  }
  for part, fields in pairs(over) do
    if fields == false then s[part] = nil else s[part] = fields end
  end
  return s
end

local function scenes(n, last)
  local list = {}
  for i = 1, n do list[i] = scene() end
  if last then list[n] = scene(last) end
  return list
end

local function video(over)
  local t = { video_inputs = { scene() } }
  for k, v in pairs(over or {}) do t[k] = v end
  return t
end

local function voice(fields) return { video_inputs = { scene { voice = fields } } } end
local function character(fields) return { video_inputs = { scene { character = fields } } } end
local function background(fields) return { video_inputs = { scene { background = fields } } } end

local PROVIDERS = '"veo_3_1", "veo_3_1_fast", "veo3", "veo3_fast", "veo2", "kling_pro", "kling_v2", "sora_v2", '
  .. '"sora_v2_pro", "runway_gen4", "seedance_lite", "seedance_pro", "ltx_distilled"'
local STYLES = '"normal", "closeUp", "circle", "full", "voiceOnly"'
local UPLOAD_MIME = '"image/jpeg", "image/png", "video/mp4", "video/webm", "audio/mpeg"'

-- Files for the upload rows, made in setup (their paths appear in the messages).
local files = {}
setup(function()
  files.dir = support.tmpname()
  assert(os.execute("mkdir -p " .. files.dir))
  files.gif = files.dir .. "/clip.gif"
  files.empty = files.dir .. "/empty.png"
  files.big = files.dir .. "/huge.png"
  files.missing = files.dir .. "/missing.png"
  for _, p in ipairs({ files.gif, files.empty }) do io.open(p, "wb"):close() end
  local f = io.open(files.gif, "wb") f:write("GIF89a") f:close()
  -- a sparse 51 MB PNG: over the 50 MB image limit without writing 51 MB
  f = io.open(files.big, "wb") f:seek("set", 51 * 1048576 - 1) f:write("\0") f:close()
end)
teardown(function() os.execute("rm -rf " .. files.dir) end)

-- {call, function() return args end, exact message}
local CASES = {
  -- POST /v1/workflows/executions
  { "generate_video", function() return {} end, "prompt is required, got nothing" },
  { "generate_video", function() return { prompt = "" } end, 'prompt must not be empty, got ""' },
  { "generate_video", function() return { prompt = 42 } end, "prompt must be a string, got 42" },
  { "generate_video", function() return { prompt = ("x"):rep(10001) } end,
    "prompt must be at most 10000 characters, got 10001 characters" },
  { "generate_video", function() return { prompt = "a city", provider = "sora" } end,
    "provider must be one of " .. PROVIDERS .. ', got "sora"' },
  { "generate_video", function() return { prompt = "a city", provider = "kling_po" } end,
    "provider must be one of " .. PROVIDERS .. ', got "kling_po" (did you mean "kling_pro"?)' },
  { "generate_video", function() return { prompt = "a city", aspect_ratio = "4:3" } end,
    'aspect_ratio must be one of "16:9", "9:16", "1:1", got "4:3"' },
  { "generate_video", function() return { prompt = "a city", reference_image_url = "ftp://host/a.png" } end,
    'reference_image_url must be an http(s) URL, got "ftp://host/a.png"' },
  { "generate_video", function() return { prompt = "a city", tail_image_url = "last frame.png" } end,
    'tail_image_url must be an http(s) URL, got "last frame.png"' },
  { "generate_video", function() return { prompt = "a city", config = "fast" } end,
    'config must be a table, got "fast"' },
  { "generate_video", function() return { promt = "a city" } end,
    "promt is not a known field (did you mean prompt?)" },

  -- POST /v2/video/generate: scenes
  { "create_video", function() return {} end, "video_inputs is required, got nothing" },
  { "create_video", function() return { video_inputs = "hello" } end, 'video_inputs must be a list, got "hello"' },
  { "create_video", function() return { video_inputs = {} } end, "video_inputs must have 1 to 50 scenes, got 0" },
  { "create_video", function() return { video_inputs = scenes(51) } end,
    "video_inputs must have 1 to 50 scenes, got 51" },
  { "create_video", function() return { video_input = { scene() } } end,
    "video_input is not a known field (did you mean video_inputs?)" },
  -- voices
  { "create_video", function()
      return { video_inputs = scenes(3, { voice = { type = "text", voice_id = VOICE, input_text = "hi", speed = 3 } }) }
    end, "video_inputs[3].voice.speed must be between 0.5 and 2.0, got 3" },
  { "create_video", function() return voice { type = "text", voice_id = VOICE, input_text = "hi", speed = 0.4 } end,
    "video_inputs[1].voice.speed must be between 0.5 and 2.0, got 0.4" },
  { "create_video", function() return voice { type = "text", voice_id = VOICE, input_text = "hi", pitch = 25 } end,
    "video_inputs[1].voice.pitch must be between -20 and 20, got 25" },
  { "create_video", function()
      return voice { type = "text", voice_id = VOICE, input_text = "hi", emotion = "Happy" }
    end,
    'video_inputs[1].voice.emotion must be one of "Excited", "Friendly", "Serious", "Soothing", "Broadcaster", '
      .. 'got "Happy"' },
  { "create_video", function() return voice { type = "tts", voice_id = VOICE, input_text = "hi" } end,
    'video_inputs[1].voice.type must be one of "audio", "silence", "text", got "tts"' },
  { "create_video", function() return { video_inputs = { scene { voice = false } } } end,
    "video_inputs[1].voice is required, got nothing" },
  { "create_video", function() return voice { type = "text", voice_id = VOICE } end,
    "video_inputs[1].voice.input_text is required, got nothing" },
  { "create_video", function() return voice { type = "text", input_text = "hi", voice_ld = VOICE } end,
    "video_inputs[1].voice.voice_ld is not a known field (did you mean video_inputs[1].voice.voice_id?)" },
  { "create_video", function() return voice { type = "text", voice_id = VOICE, input_text = ("é"):rep(5001) } end,
    "video_inputs[1].voice.input_text must be at most 5000 characters, got 5001 characters" },
  { "create_video", function()
      return voice { type = "text", voice_id = VOICE, input_text = "Hi <break time=1.5s/> there" }
    end,
    'video_inputs[1].voice.input_text has a malformed pause "<break time=1.5s/>": write it as <break time="1.5s"/>' },
  { "create_video", function()
      return voice { type = "audio", audio_url = "https://example.com/a.mp3", audio_asset_id = "abc" }
    end, "video_inputs[1].voice needs exactly one of {audio_url} or {audio_asset_id}, got both" },
  { "create_video", function() return voice { type = "audio" } end,
    "video_inputs[1].voice needs exactly one of {audio_url} or {audio_asset_id}, got none" },
  { "create_video", function() return voice { type = "audio", audio_url = "s3://bucket/a.mp3" } end,
    'video_inputs[1].voice.audio_url must be an http(s) URL, got "s3://bucket/a.mp3"' },
  { "create_video", function() return voice { type = "silence", duration = 0 } end,
    "video_inputs[1].voice.duration must be greater than 0, got 0" },
  { "create_video", function() return voice { type = "silence", duration = 120 } end,
    "video_inputs[1].voice.duration must be at most 100, got 120" },
  -- characters
  { "create_video", function() return character { type = "robot", avatar_id = AVATAR } end,
    'video_inputs[1].character.type must be one of "avatar", "talking_photo", got "robot"' },
  { "create_video", function() return character { type = "avatar" } end,
    "video_inputs[1].character.avatar_id is required, got nothing" },
  { "create_video", function() return character { type = "avatar", avatar_id = AVATAR, avatar_style = "closeup" } end,
    "video_inputs[1].character.avatar_style must be one of " .. STYLES .. ', got "closeup" (did you mean "closeUp"?)' },
  { "create_video", function() return character { type = "avatar", avatar_id = AVATAR, scale = 6 } end,
    "video_inputs[1].character.scale must be between 0 and 5, got 6" },
  { "create_video", function() return character { type = "avatar", avatar_id = AVATAR, offset = { x = "left" } } end,
    'video_inputs[1].character.offset.x must be a number, got "left"' },
  { "create_video", function()
      return character { type = "avatar", avatar_id = AVATAR, avatar_style = "circle", circle_background_color = "#12" }
    end, 'video_inputs[1].character.circle_background_color must be a hex colour like "#FFFFFF", got "#12"' },
  { "create_video", function()
      return character { type = "talking_photo", talking_photo_id = "p1", talking_style = "calm" }
    end,
    'video_inputs[1].character.talking_style must be one of "stable", "expressive", got "calm"' },
  { "create_video", function() return character { type = "talking_photo", avatar_id = AVATAR } end,
    "video_inputs[1].character.talking_photo_id is required, got nothing" },
  -- backgrounds
  { "create_video", function() return background { type = "color", value = "white" } end,
    'video_inputs[1].background.value must be a hex colour like "#FFFFFF", got "white"' },
  { "create_video", function() return background { type = "color" } end,
    "video_inputs[1].background.value is required, got nothing" },
  { "create_video", function()
      return background { type = "image", url = "https://example.com/a.png", image_asset_id = "a" }
    end,
    "video_inputs[1].background needs exactly one of {url} or {image_asset_id}, got both" },
  { "create_video", function() return background { type = "image", url = "www.example.com/bg.png" } end,
    'video_inputs[1].background.url must be an http(s) URL, got "www.example.com/bg.png"' },
  { "create_video", function()
      return background { type = "video", url = "https://example.com/bg.mp4", play_style = "bounce" }
    end, 'video_inputs[1].background.play_style must be one of "fit_to_scene", "freeze", "loop", "once", '
      .. '"full_video", got "bounce"' },
  { "create_video", function()
      return background { type = "image", url = "https://example.com/bg.png", fit = "stretch" }
    end,
    'video_inputs[1].background.fit must be one of "cover", "crop", "contain", "none", got "stretch"' },
  -- the rest of the request
  { "create_video", function() return video { dimension = { width = 1281, height = 720 } } end,
    "dimension.width must be an even number, got 1281" },
  { "create_video", function() return video { dimension = { width = 1280, height = 100 } } end,
    "dimension.height must be between 128 and 4096, got 100" },
  { "create_video", function() return video { dimension = { width = 5000, height = 720 } } end,
    "dimension.width must be between 128 and 4096, got 5000" },
  { "create_video", function() return video { dimension = { width = 1280.5, height = 720 } } end,
    "dimension.width must be an integer, got 1280.5" },
  { "create_video", function() return video { dimension = { width = 1280 } } end,
    "dimension.height is required, got nothing" },
  { "create_video", function() return video { test = "yes" } end, 'test must be true or false, got "yes"' },
  { "create_video", function() return video { caption = 1 } end, "caption must be true or false, got 1" },
  { "create_video", function() return video { callback_url = "example.com/hook" } end,
    'callback_url must be an http(s) URL, got "example.com/hook"' },
  { "create_video", function() return video { aspect_ratio = "wide" } end,
    'aspect_ratio must be a ratio like "16:9", got "wide"' },
  { "create_video", function() return video { titel = "x" } end, "titel is not a known field (did you mean title?)" },

  -- hg:avatar_video
  { "avatar_video", function() return {} end, "script is required, got nothing" },
  { "avatar_video", function() return { script = "" } end, 'script must not be empty, got ""' },
  { "avatar_video", function() return { script = ("ü"):rep(5001) } end,
    "script must be at most 5000 characters, got 5001 characters" },
  { "avatar_video", function() return { script = "Hi <break time='2s'/> there" } end,
    "script has a malformed pause \"<break time='2s'/>\": write it as <break time=\"1.5s\"/>" },
  { "avatar_video", function() return { script = "Hi", background = "blue" } end,
    'background must be a hex colour like "#FFFFFF", got "blue"' },
  { "avatar_video", function() return { script = "Hi", background = 5 } end,
    "background must be a string or a table, got 5" },
  { "avatar_video", function() return { script = "Hi", background = { type = "color", value = "#GGGGGG" } } end,
    'background.value must be a hex colour like "#FFFFFF", got "#GGGGGG"' },
  { "avatar_video", function() return { script = "Hi", voice = "Sara" } end,
    "voice is not a known field (known: avatar_id, avatar_style, background, callback_id, callback_url, caption, "
      .. "dimension, folder_id, script, test, title, voice_id)" },
  { "avatar_video", function() return { script = "Hi", voice_idd = VOICE } end,
    "voice_idd is not a known field (did you mean voice_id?)" },
  { "avatar_video", function() return { script = "Hi", dimension = { width = 1080, height = 1919 } } end,
    "dimension.height must be an even number, got 1919" },

  -- POST /v1/video.webm
  { "create_webm", function() return { input_text = "hi", voice_id = VOICE } end,
    "avatar_pose_id is required, got nothing" },
  { "create_webm", function()
      return { avatar_pose_id = "Vanessa-invest-20220722", input_text = "hi", voice_id = VOICE, input_audio = "asset1" }
    end, "the request needs exactly one of {input_text + voice_id} or {input_audio}, got both" },
  { "create_webm", function() return { avatar_pose_id = "Vanessa-invest-20220722" } end,
    "the request needs exactly one of {input_text + voice_id} or {input_audio}, got none" },
  { "create_webm", function() return { avatar_pose_id = "Vanessa-invest-20220722", input_text = "hi" } end,
    "voice_id is required with input_text, got nothing" },
  { "create_webm", function()
      return { avatar_pose_id = "Vanessa-invest-20220722", input_audio = "a", avatar_style = "circle" }
    end,
    'avatar_style must be one of "normal", "closeUp", got "circle"' },

  -- catalogue filters, templates, translation
  { "voices", function() return { lang = "English" } end, "lang is not a known field (known: gender, language)" },
  { "voices", function() return { gender = 1 } end, "gender must be a string, got 1" },
  { "generate_from_template", function() return TEMPLATE, { fps = 24 } end, "fps must be one of 25, 30, 60, got 24" },
  { "generate_from_template", function()
      return TEMPLATE, { variables = { first_name = { type = "text", properties = {} } } }
    end, "variables.first_name.properties.content is required, got nothing" },
  { "generate_from_template", function()
      local logo = { type = "image", properties = { url = "https://x.io/a.png", asset_id = "a" } }
      return TEMPLATE, { variables = { logo = logo } }
    end, "variables.logo.properties needs exactly one of {url} or {asset_id}, got both" },
  { "generate_from_template", function()
      return TEMPLATE, { variables = { x = { type = "sticker", properties = {} } } }
    end,
    'variables.x.type must be one of "audio", "character", "image", "text", "video", "voice", got "sticker"' },
  { "generate_from_template", function() return TEMPLATE, { variables = { x = 5 } } end,
    "variables.x must be a string or a table, got 5" },
  { "generate_from_template", function() return TEMPLATE, { dimension = { width = 1280, height = 721 } } end,
    "dimension.height must be an even number, got 721" },
  { "translate_video", function() return { video_url = "https://example.com/a.mp4" } end,
    "output_language is required, got nothing" },
  { "translate_video", function() return { video_url = "talk.mp4", output_language = "Spanish (Spain)" } end,
    'video_url must be an http(s) URL, got "talk.mp4"' },
  { "translate_video", function()
      return { video_url = "https://example.com/a.mp4", output_language = "French (France)",
        output_languages = { "French (France)" } }
    end, "output_languages is not supported: a Job follows one language: "
      .. "call hg:translate_video once per output_language" },
  { "translate_video", function()
      return { video_url = "https://example.com/a.mp4", output_language = "French (France)", mode = "slow" }
    end, 'mode must be one of "fast", "quality", got "slow"' },
  { "translate_video", function()
      return { video_url = "https://example.com/a.mp4", output_language = "French (France)", speaker_num = 0 }
    end, "speaker_num must be at least 1, got 0" },

  -- video list, delete
  { "videos", function() return { limit = 101 } end, "limit must be between 0 and 100, got 101" },
  { "videos", function() return { token = "" } end, 'token must not be empty, got ""' },
  { "delete_video", function() return "abc", { type = "translation" } end,
    'type must be one of "heygen_video", "video_translate", got "translation"' },

  -- asset upload: the file is checked before a byte is sent
  { "upload_asset", function() return files.missing end,
    function() return string.format("path must be a readable file, got %q", files.missing) end },
  { "upload_asset", function() return files.dir end,
    function() return string.format("path must be a readable file, got %q", files.dir) end },
  { "upload_asset", function() return files.gif end,
    function()
      return string.format("path must end in one of .jpeg, .jpg, .mp3, .mp4, .png, .webm "
        .. "(or pass a content_type), got %q", files.gif)
    end },
  { "upload_asset", function() return files.gif, "image/gif" end,
    "content_type must be one of " .. UPLOAD_MIME .. ', got "image/gif"' },
  { "upload_asset", function() return files.empty end,
    function() return string.format("path must not be an empty file, got %q", files.empty) end },
  { "upload_asset", function() return files.big end,
    "path must be at most 50 MB for image files, got 53477376 bytes" },
}

describe("invalid input", function()
  it("has at least 40 cases", function()
    assert.is_true(#CASES >= 40, #CASES .. " cases")
  end)

  for i, case in ipairs(CASES) do
    local call, args, message = case[1], case[2], case[3]
    it(string.format("#%d hg:%s is refused before any request", i, call), function()
      local value, err = hg[call](hg, args())
      assert.is_nil(value)
      assert.are.equal("invalid_argument", err.kind)
      assert.are.equal(type(message) == "function" and message() or message, err.message)
      assert.are.same({}, emu:requests())
    end)
  end
end)

describe("valid input at the limits", function()
  it("accepts a 5000-character script of multi-byte characters (measured in characters, not bytes)", function()
    local job = assert(hg:create_video(voice { type = "text", voice_id = VOICE, input_text = ("é"):rep(5000) }))
    assert.are.equal("video", job.kind)
    assert.are.equal(1, #emu:requests { method = "POST", path = "^/v2/video/generate" })
  end)

  it("passes unknown fields through to the API unless they look like a typo", function()
    local job = assert(hg:create_video(video { brand_new_option = { level = 3 } }))
    assert.is_string(job.id)
    local sent = require("heygen").json.decode(emu:requests { method = "POST", path = "^/v2/video/generate" }[1].body)
    assert.are.same({ level = 3 }, sent.brand_new_option)
  end)

  it("accepts each scene's extremes: 50 scenes, speed 0.5 and 2.0, pitch -20 and 20, a silence of 0.5 s", function()
    local list = scenes(50)
    list[1] = scene { voice = { type = "text", voice_id = VOICE, input_text = "a", speed = 0.5, pitch = -20 } }
    list[2] = scene { voice = { type = "text", voice_id = VOICE, input_text = "b", speed = 2.0, pitch = 20 } }
    list[3] = scene { voice = { type = "silence", duration = 0.5 } }
    assert(hg:create_video { video_inputs = list, dimension = { width = 4096, height = 128 } })
  end)
end)

describe("programmer errors", function()
  it("raise for a wrong argument type", function()
    assert.has_error(function() hg:avatar(nil) end, "hg:avatar expects an id string, got nil")
    assert.has_error(function() hg:create_video("scene") end,
      "hg:create_video expects a table of fields, got \"scene\"")
    assert.has_error(function() hg:upload_asset(42) end,
      "hg:upload_asset expects a file path and an optional MIME type, got number 42")
  end)
end)
