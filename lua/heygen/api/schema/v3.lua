--- Validation rules of the v3 calls, as data (heygen.validate), with the vocabularies the
-- resource files share. Shapes: ../shared/docs/heygen-v3.md and the contracts.
local common = require "heygen.api.schema.common"
local rules = require "heygen.api.schema.legacy"
local util = require "heygen.util"

local M = {}

local enum, str, id, url, bool = common.enum, common.str, common.id, common.url, common.bool
local number, asset_input, asset_arg = common.number, common.asset_input, common.asset_arg

M.SPEED_MAX = 1.5 -- voice_settings.speed under v3 (v2 allowed 2.0)

M.WEBHOOK_EVENTS = {
  "avatar_video.success", "avatar_video.fail", "avatar_video_gif.success", "avatar_video_gif.fail",
  "avatar_video_caption.success", "avatar_video_caption.fail", "video_translate.success",
  "video_translate.fail", "video_translate.preflight.validation_failed",
  "video_translate.preflight.download_failed", "video_agent.success", "video_agent.fail",
  "personalized_video", "instant_avatar.success", "instant_avatar.fail",
  "photo_avatar_generation.success", "photo_avatar_generation.fail", "photo_avatar_train.success",
  "photo_avatar_train.fail", "photo_avatar_add_motion.success", "photo_avatar_add_motion.fail",
  "proofread_creation.success", "proofread_creation.fail", "live_avatar.success", "live_avatar.fail",
  "hyperframes_video.success", "hyperframes_video.fail", "ai_clipping.success", "ai_clipping.fail",
  "batch.finished",
}

local merged = require("heygen.api.support").merged

local voice_settings = { type = "table", fields = {
  speed = number(0.5, M.SPEED_MAX), pitch = number(-50, 50), volume = number(0, 1), locale = str,
  engine_settings = { type = "table", variants = { key = "engine_type",
    elevenlabs = { fields = { engine_type = str,
      model = enum { "eleven_multilingual_v2", "eleven_turbo_v2_5", "eleven_flash_v2_5", "eleven_v3" },
      stability = number(0, 1), similarity_boost = number(0, 1), style = number(0, 1),
      use_speaker_boost = bool } },
    fish = { fields = { engine_type = str, model = enum { "s1", "s2-pro" }, stability = number(0, 1),
      similarity = number(0, 1) } },
    starfish = { fields = { engine_type = str } },
  } },
} }

local background = { type = "table", variants = { key = "type",
  color = { fields = { type = str, value = { type = "string", required = true, hex_color = true } } },
  image = { xor = { { "url" }, { "asset_id" } }, fields = { type = str, url = url, asset_id = id } },
} }

local caption = { type = "table", fields = { file_format = enum { "srt" }, style = enum { "default" } } }

local watermark = { type = "table", fields = {
  image = asset_input(true), scale = { type = "number", gt = 0 }, opacity = number(0, 1),
  placement = { type = "table", fields = {
    position = enum { "top_left", "top_right", "bottom_left", "bottom_right" },
    offset_x = { type = "number" }, offset_y = { type = "number" } } },
} }

local engine = { type = "table", variants = { key = "type",
  avatar_iv = { fields = { type = str } },
  avatar_iii = { fields = { type = str } },
  avatar_v = { fields = { type = str, reference_look_id = id } },
} }

-- What makes the avatar speak: a script with a voice, or an audio track.
local speech = {
  script = { type = "string", min_len = 1, max_len = rules.MAX_SCRIPT, check = rules.check_breaks },
  voice_id = id, audio_url = url, audio_asset_id = id, voice_settings = voice_settings,
  motion_prompt = str, expressiveness = enum { "high", "medium", "low" },
}
local ONE_SPEECH = { { "script" }, { "audio_url" }, { "audio_asset_id" } }
-- A studio still-image scene: silent for a duration, or narrated by one audio source.
local STILL_MODES = { { "duration" }, { "script", "voice_id" }, { "audio_url" }, { "audio_asset_id" } }

local render = {
  type = str, title = str, resolution = enum { "4k", "1080p", "720p" },
  aspect_ratio = enum { "16:9", "9:16", "4:5", "5:4", "1:1", "auto" }, fit = enum { "contain", "cover" },
  background = background, remove_background = bool, output_format = enum { "mp4", "webm" },
  caption = caption, callback_url = url, callback_id = str, watermark = watermark,
}

local function render_checks(v)
  if v.output_format == "webm" and v.background ~= nil then
    return "background is rejected with output_format \"webm\" (the video has an alpha channel), got both"
  end
  if v.expressiveness ~= nil and type(v.engine) == "table" and v.engine.type == "avatar_v" then
    return "expressiveness is rejected with engine.type \"avatar_v\", got both"
  end
end

local studio_background = { type = "table", fields = {
  type = enum({ "color" }, { required = true }), color = { type = "string", required = true, hex_color = true },
} }

local studio_scene = { type = "table", variants = { key = "type",
  avatar_video = { fields = { type = str, input = { type = "table", required = true, variants = { key = "type",
    avatar = { xor = ONE_SPEECH, fields = util.merge(speech, { type = str,
      avatar_id = { type = "string", required = true, min_len = 1 }, engine = engine,
      background = studio_background }) },
    image = { xor = ONE_SPEECH, fields = util.merge(speech, { type = str, image = asset_input(true),
      background = { forbidden = "an image input takes no background (avatar inputs do)" } }) },
  } } } },
  -- A still image held on screen (the contract's studio scene "image"): its picture is
  -- `source`; silent for `duration` seconds (0 < d <= 300), or narrated by exactly one of
  -- script + voice_id, audio_url, audio_asset_id (the scene then lasts as long as the audio).
  image = { xor = STILL_MODES, fields = {
    type = str, source = asset_input(true),
    duration = { type = "number", gt = 0, max = 300 },
    script = speech.script, voice_id = id, audio_url = url, audio_asset_id = id, voice_settings = voice_settings,
    image = { forbidden = "a still-image scene takes its picture as source (an AssetInput)" },
    motion_prompt = { forbidden = "a still-image scene is not animated (use avatar_video with an image input)" },
    expressiveness = { forbidden = "a still-image scene is not animated (use avatar_video with an image input)" },
  } },
  video = { fields = { type = str, source = asset_input(true), playback = { type = "table",
    fields = { volume = number(0, 1), mute = bool } } } },
} }

M.create_video = { type = "table", variants = { key = "type",
  avatar = { xor = ONE_SPEECH, check = render_checks, fields = merged(render, speech, {
    avatar_id = { type = "string", required = true, min_len = 1 }, engine = engine }) },
  image = { xor = ONE_SPEECH, check = render_checks, fields = merged(render, speech, {
    image = asset_input(true), engine = { forbidden = 'type "image" takes no engine' } }) },
  cinematic_avatar = { fields = {
    type = str, title = str, prompt = { type = "string", required = true, min_len = 1 },
    avatar_id = { type = "array", required = true, min_items = 1, max_items = 3, items_name = "looks", items = id },
    references = { type = "array", max_items = 12, items = asset_input(false) },
    duration = { type = "integer", min = 4, max = 15 }, auto_duration = bool, enhance_prompt = bool,
    aspect_ratio = enum { "16:9", "9:16", "1:1" }, resolution = enum { "720p", "1080p" },
  }, check = function(v)
    if v.auto_duration and v.duration ~= nil then return "duration must be left out when auto_duration is true" end
  end },
  studio = { fields = {
    type = str, title = str, aspect_ratio = render.aspect_ratio, resolution = render.resolution,
    caption = caption, watermark = watermark, callback_url = url, callback_id = str,
    scenes = { type = "array", required = true, min_items = 1, max_items = rules.MAX_SCENES,
      items_name = "scenes", items = studio_scene },
  } },
} }

M.video_agent = { type = "table", closed = true, fields = {
  prompt = { type = "string", required = true, min_len = 1, max_len = rules.MAX_PROMPT },
  mode = enum { "generate", "chat" }, avatar_id = id, voice_id = id, style_id = id, brand_kit_id = id,
  orientation = enum { "landscape", "portrait" },
  files = { type = "array", max_items = 20, items_name = "files", items = asset_arg(false) },
  callback_url = url, callback_id = str, incognito_mode = bool,
  auto_proceed = { forbidden = "POST /v3/video-agents has no auto_proceed (the contract closes its body)" },
} }

-- POST /v3/video-agents/{session_id}: a follow-up message, an answer or a revision request.
M.agent_message = { type = "table", closed = true, fields = {
  message = { type = "string", required = true, min_len = 1, max_len = rules.MAX_PROMPT },
  files = M.video_agent.fields.files, avatar_id = id, voice_id = id, brand_kit_id = id,
} }

M.agent_sessions = common.page(100)
M.page100 = common.page(100)
M.title_update = { type = "table", closed = true, fields = {
  title = { type = "string", required = true, min_len = 1 } } }
M.assets_page = common.page(100, { folder_id = id, username = id })
M.asset_search = common.page(50, { query = { type = "string", required = true, min_len = 1 },
  type = enum({ "image", "icon" }, { required = true }), scope = enum { "public", "personal" } })
M.audio_sounds = common.page(50, { query = { type = "string", required = true, min_len = 1 },
  type = enum { "music", "sound_effects" }, min_score = number(0, 1) })
M.background_removal = { type = "table", closed = true, fields = {
  video = asset_arg(true), title = str, request_id = { type = "string", min_len = 1, max_len = 255 },
  layers = { type = "array", min_items = 1, items_name = "layers",
    items = enum { "foreground", "mask", "background" } },
} }

M.ai_clipping = { type = "table", closed = true, fields = {
  video = asset_arg(true, true), title = str, input_language = id, callback_url = url, callback_id = str,
  output_settings = { type = "table", closed = true, fields = {
    aspect_ratio = enum { "landscape", "portrait", "square" }, captions = bool, caption_style = id,
    duration_types = { type = "array", min_items = 1, items_name = "duration types",
      items = enum { "30", "60", "180", "long" } },
    prompt = { type = "string", max_len = 500 },
  } },
} }

local name = { type = "string", required = true, min_len = 1 }
local from_file = { fields = { type = str, name = name, file = asset_input(true), avatar_group_id = id } }

M.create_avatar = { type = "table", variants = { key = "type",
  prompt = { fields = { type = str, name = name, prompt = { type = "string", required = true, min_len = 1 },
    avatar_group_id = id, avatar_id = id,
    reference_images = { type = "array", items_name = "images", items = asset_input(false) } } },
  photo = from_file,
  digital_twin = from_file,
} }

M.avatar_consent = { type = "table", closed = true, fields = {
  consent_text = str, consent_video = asset_arg(false), reroute_url = url,
} }

M.look_update = { type = "table", closed = true, fields = { name = { type = "string", min_len = 1 } } }

M.design_voice = { type = "table", closed = true, fields = {
  prompt = { type = "string", required = true, min_len = 1 }, gender = id, locale = id, seed = { type = "integer" },
} }

M.clone_voice = { type = "table", closed = true, fields = {
  voice_name = name, audio = asset_arg(true), language = id, remove_background_noise = bool,
} }

M.asset_statuses = { type = "table", closed = true, xor = { { "asset_ids" }, { "batch_ids" } }, fields = {
  asset_ids = { type = "array", min_items = 1, max_items = 100, items_name = "asset ids", items = id },
  batch_ids = { type = "array", min_items = 1, max_items = 100, items_name = "batch ids", items = id },
} }
M.agent_styles = { type = "table", closed = true, fields = { tag = id } }

local function time_window(v)
  if v.start_time and v.end_time and v.end_time <= v.start_time then
    return string.format("end_time must be after start_time, got %s <= %s", v.end_time, v.start_time)
  end
end

local dub_options = {
  title = str, folder_id = str, callback_url = url, callback_id = str,
  enable_caption = bool, enable_watermark = bool, disable_music_track = bool,
  enable_speech_enhancement = bool, enable_dynamic_duration = bool, keep_the_same_format = bool,
  fps_mode = enum { "vfr", "cfr", "passthrough" }, start_time = number(0), end_time = number(0),
}

M.lipsync = { type = "table", closed = true, check = time_window, fields = util.merge(dub_options, {
  video = asset_arg(true, true), audio = asset_arg(true, true), mode = enum { "speed", "precision" },
}) }

-- brand_voice_id is the contract's legacy name of brand_glossary_id (the same record):
-- either is sent as given; both must then name the same glossary.
local function same_glossary(v)
  if v.brand_voice_id ~= nil and v.brand_glossary_id ~= nil and v.brand_voice_id ~= v.brand_glossary_id then
    return string.format("brand_voice_id is the legacy name of brand_glossary_id: give one, got %q and %q",
      v.brand_voice_id, v.brand_glossary_id)
  end
end

M.translate_video = { type = "table", closed = true, xor = { { "video_url" }, { "video" } },
  fields = util.merge(dub_options, {
    video_url = url, video = asset_arg(false, true),
    output_language = id,
    output_languages = { type = "array", min_items = 1, items_name = "languages", items = id },
    mode = enum { "speed", "precision", "fast", "quality" },
    speaker_num = { type = "integer", min = 1 }, translate_audio_only = bool, input_language = id,
    brand_voice_id = id, brand_glossary_id = id, audio = asset_arg(false, true), srt = asset_arg(false, true),
    srt_role = enum { "input", "output" },
    -- a preset stock voice instead of a clone of the speaker (an enterprise feature)
    stock_voice_config = { type = "table", fields = { use_stock_voice = bool,
      preferred_stock_voice_ids = { type = "array", items_name = "voice ids", items = id } } },
  }),
  check = function(v, path)
    if (v.output_language == nil) == (v.output_languages == nil) then
      return "the request needs exactly one of output_language or output_languages, got "
        .. (v.output_language == nil and "none" or "both")
    end
    return same_glossary(v) or time_window(v, path)
  end,
}

M.proofread = { type = "table", closed = true, xor = { { "video_url" }, { "video" } }, fields = {
  video_url = url, video = asset_arg(false, true), title = { type = "string", required = true, min_len = 1 },
  output_language = id, output_languages = { type = "array", min_items = 1, items_name = "languages", items = id },
  mode = enum { "speed", "precision", "fast", "quality" }, srt = asset_arg(false, true),
  speaker_num = { type = "integer", min = 1 }, folder_id = str, brand_glossary_id = id, brand_voice_id = id,
  disable_music_track = bool, enable_speech_enhancement = bool, enable_video_stretching = bool,
  keep_the_same_format = bool,
}, check = function(v)
  if (v.output_language == nil) == (v.output_languages == nil) then
    return "the request needs exactly one of output_language or output_languages, got "
      .. (v.output_language == nil and "none" or "both")
  end
  return same_glossary(v)
end }

M.proofread_generate = { type = "table", closed = true, fields = {
  captions = bool, translate_audio_only = bool, callback_url = url, callback_id = str,
} }

M.text_to_speech = { type = "table", closed = true, fields = {
  text = { type = "string", required = true, min_len = 1, max_len = rules.MAX_SCRIPT },
  voice_id = { type = "string", required = true, min_len = 1 },
  input_type = enum { "text", "ssml" }, speed = number(0.5, 2.0), language = id, locale = id,
} }

M.voices_filter = { type = "table", closed = true, fields = {
  language = id, gender = id, engine = id, type = enum { "public", "private" },
} }

M.looks_filter = { type = "table", closed = true, fields = {
  group_id = id, avatar_type = enum { "studio_avatar", "digital_twin", "photo_avatar" },
  ownership = enum { "public", "private" },
} }

M.groups_filter = { type = "table", closed = true, fields = { ownership = enum { "public", "private" } } }

M.videos_page = { type = "table", closed = true, fields = {
  limit = { type = "integer", min = 0, max = 100 }, token = id, folder_id = str, title = str,
} }

M.webhook_endpoint = { type = "table", closed = true, fields = {
  url = { type = "string", required = true, url = true, pattern = "^[Hh][Tt][Tt][Pp][Ss]://",
    pattern_text = "an https URL" },
  events = { type = "array", items = enum(M.WEBHOOK_EVENTS) },
  entity_id = id,
} }

M.webhook_update = { type = "table", closed = true, fields = {
  url = util.merge(M.webhook_endpoint.fields.url, { required = false }),
  events = M.webhook_endpoint.fields.events,
} }

M.webhook_events = { type = "table", closed = true, fields = {
  event_type = enum(M.WEBHOOK_EVENTS), entity_id = id, limit = { type = "integer", min = 1, max = 100 }, token = id,
} }


return M
