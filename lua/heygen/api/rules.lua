--- Validation rules for the HeyGen v1/v2 calls, as data (see heygen.validate).
-- Every documented constraint of ../shared/docs/heygen-api.md section 3 and 4
-- lives here; the emulator enforces the same ones on its side.
local validate = require "heygen.validate"
local util = require "heygen.util"

local enum = validate.enum

local M = {}

------------------------------------------------------------------ vocabularies (docs 3.1 - 3.16)

M.WORKFLOW_PROVIDERS = { "veo_3_1", "veo_3_1_fast", "veo3", "veo3_fast", "veo2", "kling_pro", "kling_v2",
  "sora_v2", "sora_v2_pro", "runway_gen4", "seedance_lite", "seedance_pro", "ltx_distilled" }
M.DEFAULT_PROVIDER = "veo_3_1"
M.WORKFLOW_ASPECT_RATIOS = { "16:9", "9:16", "1:1" }
M.DEFAULT_ASPECT_RATIO = "16:9"
M.AVATAR_STYLES = { "normal", "closeUp", "circle", "full", "voiceOnly" }
M.WEBM_STYLES = { "normal", "closeUp" }
M.EMOTIONS = { "Excited", "Friendly", "Serious", "Soothing", "Broadcaster" }
M.FITS = { "cover", "crop", "contain", "none" }
M.PLAY_STYLES = { "fit_to_scene", "freeze", "loop", "once", "full_video" }
M.TEMPLATE_FPS = { 25, 30, 60 }
M.TRANSLATE_MODES = { "fast", "quality" }
M.DELETE_TYPES = { "heygen_video", "video_translate" }
M.MAX_SCRIPT = 5000          -- characters per scene script ("input text < 5000 chars")
M.MAX_SCENES = 50
M.MAX_PROMPT = 10000

-- Asset upload (docs 3.15, 4): MIME types the upload host takes, by extension,
-- and the size limit of each file type.
M.UPLOAD_TYPES = {
  jpg = "image/jpeg", jpeg = "image/jpeg", png = "image/png",
  mp4 = "video/mp4", webm = "video/webm", mp3 = "audio/mpeg",
}
M.UPLOAD_MIME = { "image/jpeg", "image/png", "video/mp4", "video/webm", "audio/mpeg" }
M.UPLOAD_MAX_BYTES = { image = 50 * 1048576, video = 100 * 1048576, audio = 50 * 1048576 }

------------------------------------------------------------------ shared pieces

local function url() return { type = "string", url = true } end
local function id() return { type = "string", min_len = 1 } end
local bool = { type = "boolean" }
local text = { type = "string" }

-- `<break time="1.5s"/>` pauses go to the API untouched; a malformed one would be
-- read aloud, so it is caught here.
local BREAK = '^<break time="%d+%.?%d*m?s"%s*/>$'
function M.check_breaks(script, path)
  for tag in script:gmatch("<%s*[Bb][Rr][Ee][Aa][Kk][^>]*>?") do
    if not tag:match(BREAK) then
      return string.format('%s has a malformed pause %q: write it as <break time="1.5s"/>', path, tag)
    end
  end
end

local function script(required)
  return { type = "string", required = required, min_len = 1, max_len = M.MAX_SCRIPT, check = M.check_breaks }
end

M.dimension = {
  type = "table",
  fields = {
    width = { type = "integer", required = true, min = 128, max = 4096, even = true },
    height = { type = "integer", required = true, min = 128, max = 4096, even = true },
  },
}

local offset = { type = "table", fields = { x = { type = "number" }, y = { type = "number" } } }

------------------------------------------------------------------ POST /v1/workflows/executions (3.1)

M.generate_video = {
  type = "table",
  fields = {
    prompt = { type = "string", required = true, min_len = 1, max_len = M.MAX_PROMPT },
    provider = enum(M.WORKFLOW_PROVIDERS),
    aspect_ratio = enum(M.WORKFLOW_ASPECT_RATIOS),
    reference_image_url = url(),
    tail_image_url = url(),
    config = { type = "table" },
  },
}

------------------------------------------------------------------ POST /v2/video/generate (3.2)

local character_common = {
  type = text, scale = { type = "number", min = 0, max = 5 }, offset = offset, matting = bool,
  circle_background_color = { type = "string", hex_color = true },
}

M.character = {
  type = "table", required = true,
  variants = {
    key = "type",
    avatar = { fields = util.merge(character_common, {
      avatar_id = { type = "string", required = true, min_len = 1 },
      avatar_style = enum(M.AVATAR_STYLES),
    }) },
    talking_photo = { fields = util.merge(character_common, {
      talking_photo_id = { type = "string", required = true, min_len = 1 },
      talking_photo_style = enum({ "square", "circle" }),
      talking_style = enum({ "stable", "expressive" }),
      expression = enum({ "default", "happy" }),
      super_resolution = bool,
    }) },
  },
}

M.voice = {
  type = "table", required = true,
  variants = {
    key = "type",
    text = { fields = {
      type = text,
      voice_id = { type = "string", required = true, min_len = 1 },
      input_text = script(true),
      speed = { type = "number", min = 0.5, max = 2.0, min_text = "0.5", max_text = "2.0" },
      pitch = { type = "number", min = -20, max = 20 },
      emotion = enum(M.EMOTIONS),
      locale = text,
    } },
    audio = { xor = { { "audio_url" }, { "audio_asset_id" } }, fields = {
      type = text, audio_url = url(), audio_asset_id = id(),
    } },
    silence = { fields = {
      type = text, duration = { type = "number", required = true, gt = 0, max = 100 },
    } },
  },
}

M.background = {
  type = "table",
  variants = {
    key = "type",
    color = { fields = { type = text, value = { type = "string", required = true, hex_color = true } } },
    image = { xor = { { "url" }, { "image_asset_id" } }, fields = {
      type = text, url = url(), image_asset_id = id(), fit = enum(M.FITS),
    } },
    video = { xor = { { "url" }, { "video_asset_id" } }, fields = {
      type = text, url = url(), video_asset_id = id(), play_style = enum(M.PLAY_STYLES), fit = enum(M.FITS),
    } },
  },
}

M.scene = {
  type = "table",
  fields = { character = M.character, voice = M.voice, background = M.background },
}

-- Fields every render request may carry (v2 generate, template generate, avatar_video).
local render_fields = {
  dimension = M.dimension,
  title = text,
  test = bool,
  caption = bool,
  callback_id = text,
  callback_url = url(),
  folder_id = text,
}

M.create_video = {
  type = "table",
  fields = util.merge(render_fields, {
    video_inputs = { type = "array", required = true, min_items = 1, max_items = M.MAX_SCENES,
      items_name = "scenes", items = M.scene },
    aspect_ratio = { type = "string", pattern = "^%d+:%d+$", pattern_text = 'a ratio like "16:9"' },
  }),
}

------------------------------------------------------------------ hg:avatar_video (the production workflow)

M.avatar_video = {
  type = "table", closed = true,
  fields = util.merge(render_fields, {
    script = script(true),
    avatar_id = id(),
    voice_id = id(),
    avatar_style = enum(M.AVATAR_STYLES),
    background = { by_type = { string = { type = "string", hex_color = true }, table = M.background } },
  }),
}

------------------------------------------------------------------ POST /v1/video.webm (3.4)

M.create_webm = {
  type = "table",
  xor = { { "input_text", "voice_id" }, { "input_audio" } },
  fields = {
    avatar_pose_id = { type = "string", required = true, min_len = 1 },
    avatar_style = enum(M.WEBM_STYLES),
    input_text = script(false),
    voice_id = id(),
    input_audio = id(),
    dimension = M.dimension,
  },
}

------------------------------------------------------------------ catalogue calls (3.5 - 3.10)

M.voices_filter = {
  type = "table", closed = true,
  fields = { language = { type = "string", min_len = 1 }, gender = { type = "string", min_len = 1 } },
}

local variable_props = {
  text = { fields = { content = { type = "string", required = true } } },
  voice = { fields = { voice_id = { type = "string", required = true, min_len = 1 }, locale = text } },
  character = { fields = { character_id = { type = "string", required = true, min_len = 1 }, type = text } },
}
local media_props = { xor = { { "url" }, { "asset_id" } },
  fields = { url = url(), asset_id = id(), fit = enum(M.FITS), play_style = enum(M.PLAY_STYLES) } }
variable_props.image, variable_props.video, variable_props.audio = media_props, media_props, media_props

local function variable_of(kind)
  return { fields = {
    name = text, type = text,
    properties = util.merge(variable_props[kind], { type = "table", required = true }),
  } }
end

-- A template variable: {name=, type=, properties=} keyed by its name (docs 3.9),
-- or a plain string, which the call turns into a text variable.
M.variable = {
  by_type = {
    string = { type = "string" },
    table = { variants = { key = "type", text = variable_of("text"), voice = variable_of("voice"),
      character = variable_of("character"), image = variable_of("image"), video = variable_of("video"),
      audio = variable_of("audio") } },
  },
}

M.generate_from_template = {
  type = "table",
  fields = util.merge(render_fields, {
    variables = { type = "table", values = M.variable },
    include_gif = bool,
    enable_sharing = bool,
    brand_voice_id = text,
    keep_text_vertically_centered = bool,
    fps = enum(M.TEMPLATE_FPS),
    scene_ids = { type = "array", items = { type = "string", min_len = 1 } },
    reorder_music = bool,
  }),
}

------------------------------------------------------------------ video translate (3.11)

M.translate_video = {
  type = "table",
  fields = {
    video_url = { type = "string", required = true, url = true },
    output_language = { type = "string", required = true, min_len = 1 },
    output_languages = { forbidden = "a Job follows one language: call hg:translate_video once per output_language" },
    title = text,
    speaker_num = { type = "integer", min = 1 },
    translate_audio_only = bool,
    callback_id = text,
    callback_url = url(),
    enable_dynamic_duration = bool,
    brand_voice_id = text,
    keep_the_same_format = bool,
    mode = enum(M.TRANSLATE_MODES),
  },
}

------------------------------------------------------------------ video list / delete (3.12, 3.13)

M.videos_page = {
  type = "table",
  fields = {
    limit = { type = "integer", min = 0, max = 100 },
    token = { type = "string", min_len = 1 },
    folder_id = text,
  },
}

M.delete_video = {
  type = "table", closed = true,
  fields = { type = enum(M.DELETE_TYPES) },
}

------------------------------------------------------------------ asset upload (3.15)

-- Size of a regular file; nil for a missing path or a directory.
local function file_size(path)
  local dir = io.open(path .. "/", "rb")
  if dir then dir:close() return nil end
  return util.file_size(path)
end

--- The MIME type for a file name, from its extension (nil when not supported).
function M.mime_for(path)
  local ext = path:match("%.([%w]+)$")
  return ext and M.UPLOAD_TYPES[ext:lower()]
end

local function upload_check(t)
  local path = t.path
  local size = file_size(path)
  if not size then
    return string.format("path must be a readable file, got %q", path)
  end
  local mime = t.content_type or M.mime_for(path)
  if not mime then
    return string.format("path must end in one of .%s (or pass a content_type), got %q",
      table.concat(util.sorted_keys(M.UPLOAD_TYPES), ", ."), path)
  end
  if size == 0 then return string.format("path must not be an empty file, got %q", path) end
  local kind = mime:match("^(%a+)/")
  local limit = M.UPLOAD_MAX_BYTES[kind]
  if limit and size > limit then
    return string.format("path must be at most %d MB for %s files, got %d bytes", limit / 1048576, kind, size)
  end
end

M.upload_asset = {
  type = "table",
  fields = {
    path = { type = "string", required = true, min_len = 1 },
    content_type = enum(M.UPLOAD_MIME),
  },
  check = function(t) return upload_check(t) end,
}

return M
