--- heygen.api.fal_models: the one registry of the fal.ai models this client knows.
--
-- ENDPOINTS: model id -> {family, app, mode, input = {rule set, options}, price}
--   family   the model family (a key of heygen.providers FIT: seedance, kling, ...)
--   app      the fal service the id runs on: ids of one app share its outages
--            (seedance_2 and seedance_2_fast, kling v3 standard and pro)
--   mode     "text" | "image" | "first_last" | "reference"
--   input    the input rules heygen.api.fal checks before sending: input[1] names the
--            rule set, the other fields are its options
--   price    the provider's published rule, with `source` (a URL) and `as_of` (the date
--            it was read); nil where nothing is published. Rule shapes (M.estimate):
--              per_second = r [, audio = r2]          r x seconds (r2 with audio)
--              first = p, first_seconds = n, extra = x  p for the first n s, x per second after
--              per_second = {res = r}, audio = {res = r2}, resolution = default
--              per_clip = {["6"] = p, ...}            one price per clip length
-- PROVIDERS: the selector's entries for these models (heygen.providers reads them):
--   models (mode -> endpoint id), input names, capabilities, limits, quality, speed.
-- The emulator keeps its own list: it plays the provider and must not read ours.
local M = {}

M.AS_OF = "2026-12-03"

local function page(id) return "https://fal.ai/models/" .. id end

local function price(rule, source)
  rule.source, rule.as_of = source, M.AS_OF
  return rule
end

------------------------------------------------------------------ prices as published

local ISSUE = " (the figure issue 17 cites from that page; not found in our stored pages)"

local SEEDANCE = price({ per_second = 0.3034 }, page("bytedance/seedance-2.0/text-to-video"))
local SEEDANCE_I2V = price({ per_second = 0.3024 }, page("bytedance/seedance-2.0/image-to-video")
  .. " (via docs/fal-api.md 3.2)")
local SEEDANCE_FAST = price({ per_second = 0.2419 }, page("bytedance/seedance-2.0/fast/text-to-video") .. "/llms.txt")
local KLING_V3_STD = price({ per_second = 0.084, audio = 0.126 },
  page("fal-ai/kling-video/v3/standard/text-to-video") .. "/llms.txt")
local KLING_V3_PRO = price({ per_second = 0.112, audio = 0.168 },
  page("fal-ai/kling-video/v3/pro/text-to-video") .. " (via docs/fal-api.md 3.3)")
local function kling_v21(tier, mode, first, extra)
  local id = "fal-ai/kling-video/v2.1/" .. tier .. "/" .. mode .. "-to-video"
  return price({ first = first, first_seconds = 5, extra = extra }, page(id) .. "/llms.txt")
end
local HAILUO_02_STD = price({ per_second = { ["768P"] = 0.045, ["512P"] = 0.017 }, resolution = "768P" },
  page("fal-ai/minimax/hailuo-02/standard/image-to-video") .. "/llms.txt")
local function hailuo_23(path, six, ten)
  return price({ per_clip = { ["6"] = six, ["10"] = ten } }, page("fal-ai/minimax/" .. path) .. "/llms.txt")
end
local VEO = price({ per_second = { ["720p"] = 0.20, ["1080p"] = 0.20, ["4k"] = 0.40 },
  audio = { ["720p"] = 0.40, ["1080p"] = 0.40, ["4k"] = 0.60 }, resolution = "720p" },
  page("fal-ai/veo3.1") .. "/llms.txt")
local VEO_FAST = price({ per_second = 0.10, audio = 0.15 }, page("fal-ai/veo3.1/fast")
  .. ISSUE .. "; $0.10/s without audio from docs/fal-api.md 3.5")

------------------------------------------------------------------ endpoints

M.ENDPOINTS = {}

local function endpoint(id, family, app, mode, input, rule)
  M.ENDPOINTS[id] = { id = id, family = family, app = app, mode = mode, input = input, price = rule }
end

for _, tier in ipairs { "", "fast/" } do
  local resolutions = tier == "" and { "480p", "720p", "1080p", "4k" } or { "480p", "720p" }
  for _, mode in ipairs { "text", "image", "reference" } do
    local rule = tier == "fast/" and SEEDANCE_FAST or (mode == "image" and SEEDANCE_I2V or SEEDANCE)
    endpoint("bytedance/seedance-2.0/" .. tier .. mode .. "-to-video", "seedance", "bytedance/seedance-2.0", mode,
      { "seedance", resolutions = resolutions }, rule)
  end
end
for _, tier in ipairs { "standard", "pro" } do
  for _, mode in ipairs { "text", "image" } do
    endpoint("fal-ai/kling-video/v3/" .. tier .. "/" .. mode .. "-to-video", "kling", "fal-ai/kling-video/v3",
      mode, { "kling_v3" }, tier == "pro" and KLING_V3_PRO or KLING_V3_STD)
  end
end
local KLING_V21 = "fal-ai/kling-video/v2.1"
endpoint(KLING_V21 .. "/master/text-to-video", "kling", KLING_V21, "text", { "kling_v21" },
  kling_v21("master", "text", 1.40, 0.28))
endpoint(KLING_V21 .. "/master/image-to-video", "kling", KLING_V21, "image", { "kling_v21" },
  kling_v21("master", "image", 1.40, 0.28))
endpoint(KLING_V21 .. "/pro/image-to-video", "kling", KLING_V21, "image", { "kling_v21", tail = true },
  kling_v21("pro", "image", 0.49, 0.098))
endpoint(KLING_V21 .. "/standard/image-to-video", "kling", KLING_V21, "image", { "kling_v21" },
  kling_v21("standard", "image", 0.28, 0.056))
local HAILUO_02 = "fal-ai/minimax/hailuo-02"
endpoint(HAILUO_02 .. "/standard/text-to-video", "minimax", HAILUO_02, "text", { "hailuo", durations = true },
  price({ per_second = HAILUO_02_STD.per_second, resolution = "768P" }, HAILUO_02_STD.source
    .. " (its 768P rate; the standard text-to-video endpoint makes 768P, as its page says)"))
endpoint(HAILUO_02 .. "/standard/image-to-video", "minimax", HAILUO_02, "image",
  { "hailuo", durations = true, end_frame = true, resolution = true }, HAILUO_02_STD)
endpoint(HAILUO_02 .. "/pro/text-to-video", "minimax", HAILUO_02, "text", { "hailuo" })
endpoint(HAILUO_02 .. "/pro/image-to-video", "minimax", HAILUO_02, "image", { "hailuo", end_frame = true })
for _, app in ipairs { "hailuo-2.3", "hailuo-2.3-fast" } do
  local base = "fal-ai/minimax/" .. app
  for _, tier in ipairs { "standard", "pro" } do
    local std = tier == "standard"
    if app == "hailuo-2.3" then -- 2.3-fast has no text-to-video (docs/fal-api.md 3.4)
      endpoint(base .. "/" .. tier .. "/text-to-video", "minimax", base, "text", { "hailuo", durations = std },
        std and hailuo_23(app .. "/standard/text-to-video", 0.28, 0.56) or nil)
    end
    local i2v = std and (app == "hailuo-2.3" and hailuo_23(app .. "/standard/image-to-video", 0.28, 0.56)
      or hailuo_23(app .. "/standard/image-to-video", 0.19, 0.32)) or nil
    endpoint(base .. "/" .. tier .. "/image-to-video", "minimax", base, "image", { "hailuo", durations = std }, i2v)
  end
end
for _, tier in ipairs { "", "/fast" } do
  local base, rule = "fal-ai/veo3.1" .. tier, tier == "" and VEO or VEO_FAST
  endpoint(base, "veo", "fal-ai/veo3.1", "text", { "veo" }, rule)
  endpoint(base .. "/image-to-video", "veo", "fal-ai/veo3.1", "image", { "veo" }, rule)
  endpoint(base .. "/first-last-frame-to-video", "veo", "fal-ai/veo3.1", "first_last", { "veo" }, rule)
end
endpoint("fal-ai/veo3.1/reference-to-video", "veo", "fal-ai/veo3.1", "reference", { "veo" }, VEO)

------------------------------------------------------------------ estimating a price

local function rate_of(r, resolution)
  if type(r) == "table" then return r[resolution] end
  return r
end

--- The cost of one clip under `rule`: opts {duration = seconds, audio = bool, resolution =}.
-- Returns dollars and a one-line account of the rule applied, or nil and why not.
function M.estimate(rule, opts)
  local d, res = opts.duration, opts.resolution or rule.resolution
  if rule.per_clip then
    local p = type(rule.per_clip) == "table" and rule.per_clip[tostring(d)] or rule.per_clip
    if type(p) ~= "number" then return nil, string.format("no published price for a %s s clip", tostring(d)) end
    return p, string.format("$%.2f per clip", p) .. (type(rule.per_clip) == "table" and (" of " .. d .. " s") or "")
  end
  if rule.first then
    local extra = math.max(0, d - rule.first_seconds)
    local text = string.format("$%.2f for %d s", rule.first, rule.first_seconds)
    if extra > 0 then text = text .. string.format(" + %d s at $%.4g/s", extra, rule.extra) end
    return rule.first + extra * rule.extra, text
  end
  local with_audio = opts.audio and rule.audio ~= nil
  local rate = rate_of(with_audio and rule.audio or rule.per_second, res)
  if type(rate) ~= "number" then return nil, "no published price at " .. tostring(res) end
  return rate * d, string.format("%d s at $%.4g/s%s%s", d, rate, with_audio and " with audio" or "",
    type(rule.per_second) == "table" and (" at " .. res) or "")
end

------------------------------------------------------------------ the selector's entries

local function modes(prefix, paths)
  local t = {}
  for mode, path in pairs(paths) do t[mode] = prefix .. path end
  return t
end

local SEEDANCE_PATHS = { text = "text-to-video", image = "image-to-video", reference = "reference-to-video" }
local KLING_PATHS = { text = "/text-to-video", image = "/image-to-video" }
local VEO_PATHS = { text = "", image = "/image-to-video", first_last = "/first-last-frame-to-video" }

local SEEDANCE_BASE = {
  family = "seedance",
  inputs = { image = "image_url", end_image = "end_image_url", references = "image_urls", duration = "%d",
    audio = "generate_audio", aspect_ratio = "aspect_ratio", extra = { resolution = "720p" } },
  capabilities = { native_audio = true, multi_shot = true, lip_sync = true, camera_control = true,
    end_frame = true },
  aspect_ratios = { "21:9", "16:9", "4:3", "1:1", "3:4", "9:16" },
  durations = { 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 }, default_duration = 5,
}
local KLING_V3_BASE = {
  family = "kling",
  inputs = { image = "start_image_url", end_image = "end_image_url", references = false, duration = "%d",
    audio = "generate_audio", aspect_ratio = "aspect_ratio" },
  inputs_by_mode = { image = { aspect_ratio = false } }, -- follows the start image
  capabilities = { native_audio = true, multi_shot = true, camera_control = true, end_frame = true,
    negative_prompt = true },
  aspect_ratios = { "16:9", "9:16", "1:1" },
  durations = { 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 }, default_duration = 5,
}
local VEO_BASE = {
  family = "veo",
  inputs = { image = "image_url", end_image = false, references = "image_urls", duration = "%ds",
    audio = "generate_audio", aspect_ratio = "aspect_ratio" },
  inputs_by_mode = { first_last = { image = "first_frame_url", end_image = "last_frame_url" } },
  capabilities = { native_audio = true, lip_sync = true, end_frame = true, negative_prompt = true, seed = true },
  aspect_ratios = { "16:9", "9:16" }, durations = { 4, 6, 8 }, default_duration = 8,
}

-- name -> {base = shared fields, fields = own fields}; quality and speed are our judgement
-- [INF] from docs/fal-api.md 1.2 and 1.6.
M.PROVIDERS = {
  seedance_2 = { base = SEEDANCE_BASE, label = "Seedance 2.0 (fal.ai)",
    models = modes("bytedance/seedance-2.0/", SEEDANCE_PATHS), quality = 0.95, speed = 120 },
  seedance_2_fast = { base = SEEDANCE_BASE, label = "Seedance 2.0 Fast (fal.ai)",
    models = modes("bytedance/seedance-2.0/fast/", SEEDANCE_PATHS), quality = 0.85, speed = 60,
    -- the Seedance guide: never use fast for multi-shot or complex camera moves (1.6)
    capabilities = { native_audio = true, lip_sync = true, end_frame = true } },
  kling_v3_pro = { base = KLING_V3_BASE, label = "Kling v3 Pro (fal.ai)",
    models = modes("fal-ai/kling-video/v3/pro", KLING_PATHS), quality = 0.88, speed = 90 },
  kling_v3_standard = { base = KLING_V3_BASE, label = "Kling v3 Standard (fal.ai)",
    models = modes("fal-ai/kling-video/v3/standard", KLING_PATHS), quality = 0.80, speed = 60 },
  kling_v2_1 = { label = "Kling v2.1 (fal.ai: master T2V, pro I2V)", family = "kling",
    models = { text = KLING_V21 .. "/master/text-to-video", image = KLING_V21 .. "/pro/image-to-video" },
    inputs = { image = "image_url", end_image = "tail_image_url", references = false, duration = "%d",
      audio = false, aspect_ratio = "aspect_ratio" },
    inputs_by_mode = { image = { aspect_ratio = false }, text = { end_image = false } },
    capabilities = { camera_control = true, end_frame = true, negative_prompt = true },
    aspect_ratios = { "16:9", "9:16", "1:1" }, durations = { 5, 10 }, default_duration = 5,
    quality = 0.75, speed = 60 },
  minimax_hailuo_02 = { label = "MiniMax Hailuo-02 Standard (fal.ai)", family = "minimax",
    models = modes(HAILUO_02 .. "/standard/", { text = "text-to-video", image = "image-to-video" }),
    inputs = { image = "image_url", end_image = "end_image_url", references = false, duration = "%d",
      audio = false, aspect_ratio = false, extra = { prompt_optimizer = true } },
    inputs_by_mode = { text = { end_image = false } },
    capabilities = { camera_control = true, end_frame = true },
    -- landscape-only text-to-video [INF]
    aspect_ratios = { "16:9" }, fixed_aspect = "16:9", durations = { 6, 10 }, default_duration = 6,
    quality = 0.72, speed = 60 },
  fal_veo_3_1 = { base = VEO_BASE, label = "Veo 3.1 (fal.ai)",
    models = modes("fal-ai/veo3.1", { text = "", image = "/image-to-video",
      first_last = "/first-last-frame-to-video", reference = "/reference-to-video" }),
    quality = 0.90, speed = 120 },
  fal_veo_3_1_fast = { base = VEO_BASE, label = "Veo 3.1 Fast (fal.ai)",
    models = modes("fal-ai/veo3.1/fast", VEO_PATHS), quality = 0.82, speed = 45 },
}

return M
