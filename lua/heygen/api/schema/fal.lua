--- The input rules of the fal.ai models, as data (heygen.validate; ../shared/docs/fal-api.md
-- sections 3.2 - 3.6), one rule set per family, applied to every endpoint of the one registry
-- (heygen.api.fal_models). heygen.api.fal re-exports models and the duration/ratio lists.
local validate = require "heygen.validate"
local util = require "heygen.util"
local fal_models = require "heygen.api.fal_models"

local M = {}

-- No `type` on enums: a number where fal wants "5" reads `must be one of "5", "10", got 5`.
local function enum(list) return { enum = list, enum_set = validate.set(list) } end
local URL = { type = "string", url = true }
local TEXT = { type = "string" }
local BOOL = { type = "boolean" }
local PROMPT = { type = "string", required = true, min_len = 1 }

local function required(rule) return util.merge(rule, { required = true }) end

local function url_list(max, min)
  return { type = "array", min_items = min, max_items = max, items = URL, items_name = "URLs" }
end

-- {"4", "5", ..., "15"} (with a suffix: {"4s", ...}); `extra` values go first.
local function counted(from, to, suffix, extra)
  local list = {}
  for _, v in ipairs(extra or {}) do list[#list + 1] = v end
  for n = from, to do list[#list + 1] = n .. (suffix or "") end
  return list
end

local function forbid(why) return { forbidden = why } end

local function schema(fields, extra)
  local s = { type = "table", closed = true, fields = fields }
  for k, v in pairs(extra or {}) do s[k] = v end
  return s
end

M.SEEDANCE_DURATIONS = counted(4, 15, "", { "auto" })
M.SEEDANCE_RATIOS = { "auto", "21:9", "16:9", "4:3", "1:1", "3:4", "9:16" }

-- Seedance reference-to-video: at most 12 files, audio only next to an image or video.
local function seedance_references(v)
  local images, videos, audios = #(v.image_urls or {}), #(v.video_urls or {}), #(v.audio_urls or {})
  if images + videos == 0 then return "reference-to-video needs image_urls or video_urls" end
  if images + videos + audios > 12 then
    return string.format("reference-to-video takes at most 12 files in all, got %d", images + videos + audios)
  end
end

local function seedance(mode, resolutions)
  local f = {
    prompt = PROMPT, duration = enum(M.SEEDANCE_DURATIONS), aspect_ratio = enum(M.SEEDANCE_RATIOS),
    resolution = enum(resolutions), generate_audio = BOOL, bitrate_mode = enum { "standard", "high" },
    end_user_id = TEXT, seed = forbid("Seedance 2.0 returns a seed but takes none"),
  }
  if mode == "image" then
    f.image_url, f.end_image_url = required(URL), URL
  elseif mode == "reference" then
    f.image_urls, f.video_urls, f.audio_urls = url_list(9), url_list(3), url_list(3)
    f.reference_image_urls = forbid("Seedance 2.0 names its image references image_urls")
  end
  return schema(f, { check = mode == "reference" and seedance_references or nil })
end

local KLING_RATIOS = { "16:9", "9:16", "1:1" }

local function kling_v3(mode)
  local f = {
    prompt = { type = "string", min_len = 1 },
    multi_prompt = { type = "array", min_items = 1, items_name = "shots", items = schema {
      prompt = PROMPT, duration = enum(counted(1, 15)) } },
    duration = enum(counted(3, 15)), generate_audio = BOOL, shot_type = enum { "customize", "intelligent" },
    negative_prompt = TEXT, cfg_scale = { type = "number", min = 0, max = 1 },
  }
  if mode == "text" then
    f.aspect_ratio = enum(KLING_RATIOS)
  else
    f.start_image_url, f.end_image_url = required(URL), URL
    f.elements = { type = "array", items = { type = "table" } }
    f.image_url = forbid("Kling v3 takes the first frame as start_image_url")
    f.aspect_ratio = forbid("Kling v3 image-to-video follows the start image's aspect ratio")
  end
  return schema(f, { xor = { { "prompt" }, { "multi_prompt" } } })
end

local function kling_v21(mode, tail)
  local f = { prompt = PROMPT, duration = enum { "5", "10" }, negative_prompt = TEXT,
    cfg_scale = { type = "number", min = 0, max = 1 } }
  if mode == "text" then
    f.aspect_ratio = enum(KLING_RATIOS)
  else
    f.image_url = required(URL)
    f.start_image_url = forbid("Kling v2.1 takes the first frame as image_url")
  end
  if tail then
    f.tail_image_url = URL
    f.end_image_url = forbid("Kling v2.1 names the last frame tail_image_url")
  end
  return schema(f)
end

-- opts: durations (6 or 10 s can be chosen), end_frame, resolution
local function hailuo(mode, opts)
  local f = { prompt = PROMPT, prompt_optimizer = BOOL }
  f.duration = opts.durations and enum { "6", "10" } or forbid("this endpoint makes clips of a fixed length")
  if mode == "image" then f.image_url = required(URL) end
  if opts.end_frame then f.end_image_url = URL end
  if opts.resolution then f.resolution = enum { "512P", "768P" } end
  return schema(f)
end

M.VEO_DURATIONS = { "4s", "6s", "8s" }

local function veo(mode)
  local f = {
    prompt = PROMPT, duration = enum(M.VEO_DURATIONS), resolution = enum { "720p", "1080p", "4k" },
    generate_audio = BOOL, auto_fix = BOOL, safety_tolerance = enum(counted(1, 6)),
    aspect_ratio = enum(mode == "text" and { "16:9", "9:16" } or { "auto", "16:9", "9:16" }),
  }
  if mode ~= "reference" then f.negative_prompt, f.seed = TEXT, { type = "integer" } end
  if mode == "image" then f.image_url = required(URL) end
  if mode == "first_last" then f.first_frame_url, f.last_frame_url = required(URL), required(URL) end
  if mode == "reference" then f.image_urls = required(url_list(nil, 1)) end
  return schema(f)
end

--- Known models: id -> {family=, app=, mode=, schema=, price=}, from the one registry
-- (heygen.api.fal_models). Other ids are sent as given (fal checks them) unless they look
-- like a typo of one of these.
M.models = {}

local RULE_SETS = {
  seedance = function(mode, o) return seedance(mode, o.resolutions) end,
  kling_v3 = function(mode) return kling_v3(mode) end,
  kling_v21 = function(mode, o) return kling_v21(mode, o.tail) end,
  hailuo = function(mode, o) return hailuo(mode, o) end,
  veo = function(mode) return veo(mode) end,
}

for id, ep in pairs(fal_models.ENDPOINTS) do
  M.models[id] = { family = ep.family, app = ep.app, mode = ep.mode, price = ep.price,
    schema = RULE_SETS[ep.input[1]](ep.mode, ep.input) }
end

return M
