--- Validation rules for the HeyGen endpoints, as data (see heygen.validate).
-- Every documented constraint of ../shared/docs/heygen-api.md lives here.
local M = {}

M.WORKFLOW_PROVIDERS = { "veo_3_1", "veo_3_1_fast", "veo3", "veo3_fast", "veo2", "kling_pro", "kling_v2",
  "sora_v2", "sora_v2_pro", "runway_gen4", "seedance_lite", "seedance_pro", "ltx_distilled" }
M.WORKFLOW_ASPECT_RATIOS = { "16:9", "9:16", "1:1" }

M.generate_video = {
  type = "table",
  fields = {
    prompt = { type = "string", required = true, min_len = 1, max_len = 10000 },
    provider = { type = "string", enum = M.WORKFLOW_PROVIDERS },
    aspect_ratio = { type = "string", enum = M.WORKFLOW_ASPECT_RATIOS },
    reference_image_url = { type = "string", url = true },
    tail_image_url = { type = "string", url = true },
    config = { type = "table" },
  },
}

local dimension = {
  type = "table",
  fields = {
    width = { type = "integer", required = true, min = 128, max = 4096, even = true },
    height = { type = "integer", required = true, min = 128, max = 4096, even = true },
  },
}
M.dimension = dimension

local offset = { type = "table", fields = { x = { type = "number" }, y = { type = "number" } } }

local character = {
  type = "table", required = true,
  variants = {
    key = "type",
    avatar = { fields = {
      type = { type = "string" },
      avatar_id = { type = "string", required = true, min_len = 1 },
      avatar_style = { type = "string", enum = { "normal", "closeUp", "circle", "full", "voiceOnly" } },
      scale = { type = "number", min = 0, max = 5 },
      offset = offset,
      matting = { type = "boolean" },
      circle_background_color = { type = "string", hex_color = true },
    } },
    talking_photo = { fields = {
      type = { type = "string" },
      talking_photo_id = { type = "string", required = true, min_len = 1 },
      talking_photo_style = { type = "string", enum = { "square", "circle" } },
      talking_style = { type = "string", enum = { "stable", "expressive" } },
      expression = { type = "string", enum = { "default", "happy" } },
      super_resolution = { type = "boolean" },
      scale = { type = "number", min = 0, max = 5 },
      offset = offset,
      matting = { type = "boolean" },
      circle_background_color = { type = "string", hex_color = true },
    } },
  },
}

M.EMOTIONS = { "Excited", "Friendly", "Serious", "Soothing", "Broadcaster" }
M.MAX_SCRIPT = 5000

local voice = {
  type = "table", required = true,
  variants = {
    key = "type",
    text = { fields = {
      type = { type = "string" },
      voice_id = { type = "string", required = true, min_len = 1 },
      input_text = { type = "string", required = true, min_len = 1, max_len = M.MAX_SCRIPT },
      speed = { type = "number", min = 0.5, max = 2.0, min_text = "0.5", max_text = "2.0" },
      pitch = { type = "number", min = -20, max = 20 },
      emotion = { type = "string", enum = M.EMOTIONS },
      locale = { type = "string" },
    } },
    audio = { xor = { { "audio_url" }, { "audio_asset_id" } }, fields = {
      type = { type = "string" },
      audio_url = { type = "string", url = true },
      audio_asset_id = { type = "string", min_len = 1 },
    } },
    silence = { fields = {
      type = { type = "string" },
      duration = { type = "number", min = 1, max = 100 },
    } },
  },
}

local background = {
  type = "table",
  variants = {
    key = "type",
    color = { fields = {
      type = { type = "string" },
      value = { type = "string", required = true, hex_color = true },
    } },
    image = { xor = { { "url" }, { "image_asset_id" } }, fields = {
      type = { type = "string" },
      url = { type = "string", url = true },
      image_asset_id = { type = "string", min_len = 1 },
      fit = { type = "string", enum = { "cover", "crop", "contain", "none" } },
    } },
    video = { xor = { { "url" }, { "video_asset_id" } }, fields = {
      type = { type = "string" },
      url = { type = "string", url = true },
      video_asset_id = { type = "string", min_len = 1 },
      play_style = { type = "string", enum = { "fit_to_scene", "freeze", "loop", "once", "full_video" } },
      fit = { type = "string", enum = { "cover", "crop", "contain", "none" } },
    } },
  },
}

M.scene = {
  type = "table",
  fields = { character = character, voice = voice, background = background },
}

M.create_video = {
  type = "table",
  fields = {
    video_inputs = { type = "array", required = true, min_items = 1, max_items = 50, items = M.scene },
    dimension = dimension,
    aspect_ratio = { type = "string" },
    title = { type = "string", max_len = 1000 },
    test = { type = "boolean" },
    caption = { type = "boolean" },
    callback_id = { type = "string" },
    callback_url = { type = "string", url = true },
    folder_id = { type = "string" },
  },
}

return M
