--- A v2-shaped create_video table (video_inputs, dimension, ...) as a v3 POST /v3/videos
-- body, for api = "v3" clients and video batches: what v3 cannot say is an error naming
-- the field. Also the check every v3 create_video runs.
local rules = require "heygen.api.schema.legacy"
local schema = require "heygen.api.schema.v3"
local support = require "heygen.api.support"
local util = require "heygen.util"
local validate = require "heygen.validate"

local M = {}

local fail = validate.fail
local merged = support.merged

-- dimension {width, height} -> resolution and aspect_ratio.
local RATIOS = { { "16:9", 16 / 9 }, { "9:16", 9 / 16 }, { "1:1", 1 }, { "4:5", 4 / 5 }, { "5:4", 5 / 4 } }

local function from_dimension(d)
  if not d then return nil, nil end
  local short = math.min(d.width, d.height)
  local resolution = short >= 2160 and "4k" or short >= 1080 and "1080p" or "720p"
  local ratio, best = "auto", 0.02
  for _, r in ipairs(RATIOS) do
    local off = math.abs(d.width / d.height - r[2]) / r[2]
    if off <= best then ratio, best = r[1], off end
  end
  return resolution, ratio
end
M.from_dimension = from_dimension

local EXPRESSIVENESS = { stable = "low", expressive = "high" }

-- The speech fields of a v2 voice, or nil, err naming what v3 cannot say.
local function v2_speech(voice, path)
  if voice.type == "silence" then
    return fail(path .. ".type", 'has no v3 equivalent (use api = "v2" for silent scenes)', voice.type)
  elseif voice.type == "audio" then
    return { audio_url = voice.audio_url, audio_asset_id = voice.audio_asset_id }
  end
  if voice.speed and voice.speed > schema.SPEED_MAX then
    return fail(path .. ".speed", "must be at most " .. schema.SPEED_MAX .. " under api v3", voice.speed)
  end
  local settings
  if voice.speed or voice.pitch or voice.locale then
    settings = { speed = voice.speed, pitch = voice.pitch, locale = voice.locale }
  end
  return { script = voice.input_text, voice_id = voice.voice_id, voice_settings = settings }
end

local function v2_background(bg, path, studio)
  if bg == nil then return nil end
  if bg.type == "color" then
    if studio then return { type = "color", color = bg.value } end
    return { type = "color", value = bg.value }
  elseif bg.type == "image" and not studio then
    return { type = "image", url = bg.url, asset_id = bg.image_asset_id }
  end
  return fail(path .. ".type", studio and "must be \"color\" in a multi-scene video under api v3"
    or "has no v3 equivalent (use api = \"v2\" for video backgrounds)", bg.type)
end

-- One v2 scene as the fields of a v3 avatar input.
local function v2_scene(scene, path, studio)
  local ch = scene.character
  local fields, err = v2_speech(scene.voice, path .. ".voice")
  if not fields then return nil, err end
  fields.avatar_id = ch.avatar_id or ch.talking_photo_id
  fields.expressiveness = EXPRESSIVENESS[ch.talking_style]
  if not studio then fields.remove_background = ch.matting end
  local bg
  bg, err = v2_background(scene.background, path .. ".background", studio)
  if err then return nil, err end
  fields.background = bg
  return fields
end

--- A v2 create_video table as a v3 POST /v3/videos body (one scene: type
-- "avatar"; several: type "studio"), or nil, err.
function M.v3_body(a)
  local resolution, ratio = from_dimension(a.dimension)
  local body = { title = a.title, callback_id = a.callback_id, callback_url = a.callback_url,
    resolution = resolution, aspect_ratio = ratio,
    caption = a.caption and { file_format = "srt", style = "default" } or nil }
  local inputs = a.video_inputs
  if #inputs == 1 then
    local fields, err = v2_scene(inputs[1], "video_inputs[1]", false)
    if not fields then return nil, err end
    return merged(body, fields, { type = "avatar" })
  end
  body.type, body.scenes = "studio", {}
  for i, scene in ipairs(inputs) do
    local fields, err = v2_scene(scene, "video_inputs[" .. i .. "]", true)
    if not fields then return nil, err end
    body.scenes[i] = { type = "avatar_video", input = util.merge(fields, { type = "avatar" }) }
  end
  return body
end

--- The check of a v3 create_video: a v3 body (it has a type), or the v2 shape that
-- converts to one.
function M.check(a)
  if a.type ~= nil then return validate.check(a, schema.create_video, "") end
  local ok, err = validate.check(a, rules.create_video, "")
  if not ok then return nil, err end
  local body
  body, err = M.v3_body(a)
  if not body then return nil, err end
  return true
end

--- The body to send for a checked create_video table.
function M.body(a) return a.type ~= nil and a or assert(M.v3_body(a)) end

return M
