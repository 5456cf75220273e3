--- heygen.providers: the provider registry, one entry per provider across both
-- gateways (the 13 HeyGen workflow providers and the fal.ai models). Entries
-- are data; `pairs(heygen.providers)` walks them, the functions live on the
-- metatable. Numbers come from ../shared/docs/fal-api.md (sections 1.2, 3) and
-- heygen-api.md (3.1); `source` says which, [INF] marks our own judgement.
--
-- An entry:
--   name, label, gateway ("heygen" | "fal"), family (a key of FIT)
--   models        mode -> fal model id or HeyGen provider string; modes are
--                 "text", "image" (first frame), "first_last" (first + last frame
--                 endpoint), "reference" (reference images)
--   inputs        how a request's fields are named for it: image, end_image,
--                 references (field names or false), duration ("%d" | "%ds" | false:
--                 cannot be set), audio ("generate_audio" | false), aspect_ratio (field
--                 or false), extra (always sent); inputs_by_mode[mode] overrides them
--   capabilities  native_audio, multi_shot, lip_sync, camera_control, end_frame,
--                 negative_prompt, seed (true when the provider has it)
--   aspect_ratios what `aspect_ratio` may be (fixed_aspect: the only one when it
--                 cannot be chosen); durations (seconds it can make, nil: the
--                 provider's own length) and default_duration
--   quality 0..1, speed (typical render seconds), reliability 0..1
--   cost          per_second, per_second_audio, per_clip, by_mode = {mode = {...}}
--   fit           intent -> 0..1, over FIT[family]
local fal = require "heygen.api.fal"
local util = require "heygen.util"

local M = {}
local methods = {}

------------------------------------------------------------------ how well a family fits each intent [INF]

-- Read from each family's documented strengths (fal-api.md 1.2 best_for, 1.6),
-- replacing OpenMontage's token overlap of marketing text (which penalised Kling
-- and MiniMax for the words "B-roll" and "footage").
methods.FIT = {
  --            cinematic explainer social product b_roll dialogue animation general
  seedance  = { 1.00, 0.75, 0.85, 0.85, 0.75, 0.90, 0.80, 0.85 },
  seedance1 = { 0.70, 0.65, 0.70, 0.70, 0.70, 0.30, 0.65, 0.70 },
  kling     = { 0.85, 0.70, 0.80, 0.90, 0.90, 0.50, 0.75, 0.80 },
  minimax   = { 0.65, 0.80, 0.75, 0.75, 0.85, 0.30, 0.70, 0.75 },
  veo       = { 0.90, 0.85, 0.80, 0.80, 0.80, 1.00, 0.70, 0.85 },
  sora      = { 0.90, 0.75, 0.80, 0.75, 0.75, 0.85, 0.80, 0.80 },
  runway    = { 0.80, 0.70, 0.75, 0.80, 0.80, 0.30, 0.75, 0.75 },
  ltx       = { 0.40, 0.55, 0.60, 0.50, 0.60, 0.20, 0.50, 0.55 },
}
methods.INTENT_COLUMNS = { "cinematic", "explainer", "social", "product", "b_roll", "dialogue", "animation",
  "general" }

------------------------------------------------------------------ HeyGen workflow providers
-- (heygen-api.md 3.1, fal-api.md 1.2)

-- HEYGEN_PROVIDERS quality and speed tiers, and heygen_video's per-clip price by tier.
local TIER_QUALITY = { highest = 0.90, high = 0.80, medium = 0.65, low = 0.45 }
local TIER_PRICE = { highest = 0.50, high = 0.35, medium = 0.20, low = 0.15 }
local TIER_SECONDS = { fastest = 30, fast = 60, medium = 120, slow = 300 }

local HEYGEN_INPUTS = { image = "reference_image_url", end_image = "tail_image_url", references = false,
  duration = false, audio = false, aspect_ratio = "aspect_ratio" }

-- provider string, family, quality tier, speed tier, native audio [INF], clip seconds [INF]
local HEYGEN = {
  { "veo_3_1", "veo", "highest", "slow", true, 8 },
  { "veo_3_1_fast", "veo", "high", "medium", true, 8 },
  { "veo3", "veo", "high", "slow", true, 8 },
  { "veo3_fast", "veo", "high", "medium", true, 8 },
  { "veo2", "veo", "medium", "medium", false, 8 },
  { "kling_pro", "kling", "high", "medium", false, 5 },
  { "kling_v2", "kling", "medium", "fast", false, 5 },
  { "sora_v2", "sora", "high", "slow", true, 8 },
  { "sora_v2_pro", "sora", "highest", "slow", true, 8 },
  { "runway_gen4", "runway", "high", "medium", false, 5 },
  { "seedance_lite", "seedance1", "medium", "fast", false, 5 },
  { "seedance_pro", "seedance1", "high", "medium", false, 5 },
  { "ltx_distilled", "ltx", "low", "fastest", false, 5 },
}

for _, h in ipairs(HEYGEN) do
  local name, family, quality, speed, audio, seconds = h[1], h[2], h[3], h[4], h[5], h[6]
  M[name] = {
    name = name, label = name .. " (HeyGen workflow)", gateway = "heygen", family = family,
    models = { text = name, image = name }, inputs = HEYGEN_INPUTS,
    capabilities = { native_audio = audio, end_frame = true },
    aspect_ratios = { "16:9", "9:16", "1:1" }, default_duration = seconds,
    quality = TIER_QUALITY[quality], speed = TIER_SECONDS[speed], reliability = 0.8,
    cost = { per_clip = TIER_PRICE[quality] },
    source = "HEYGEN_PROVIDERS tiers (" .. quality .. ", " .. speed .. ") and heygen_video per-clip prices; "
      .. "audio and clip length [INF]",
  }
end

------------------------------------------------------------------ fal.ai models (fal-api.md 3)

local function copy(v)
  if type(v) ~= "table" then return v end
  local t = {}
  for k, x in pairs(v) do t[k] = copy(x) end
  return t
end

-- A constructor for the entries of one family: fn(name, fields) registers a
-- fresh copy of `defaults` with `fields` laid on top.
local function family(defaults)
  return function(name, fields)
    local e = copy(defaults)
    for k, v in pairs(fields) do e[k] = copy(v) end
    e.name, e.gateway, e.reliability = name, "fal", e.reliability or 0.8
    M[name] = e
  end
end

local function modes(prefix, paths)
  local t = {}
  for mode, path in pairs(paths) do t[mode] = prefix .. path end
  return t
end

local SEEDANCE_PATHS = { text = "text-to-video", image = "image-to-video", reference = "reference-to-video" }

local seedance = family {
  family = "seedance",
  inputs = { image = "image_url", end_image = "end_image_url", references = "image_urls", duration = "%d",
    audio = "generate_audio", aspect_ratio = "aspect_ratio", extra = { resolution = "720p" } },
  capabilities = { native_audio = true, multi_shot = true, lip_sync = true, camera_control = true,
    end_frame = true },
  aspect_ratios = { "21:9", "16:9", "4:3", "1:1", "3:4", "9:16" },
  durations = { 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 }, default_duration = 5,
}

seedance("seedance_2", {
  label = "Seedance 2.0 (fal.ai)", models = modes("bytedance/seedance-2.0/", SEEDANCE_PATHS),
  quality = 0.95, speed = 120, cost = { per_second = 0.3034, by_mode = { image = { per_second = 0.3024 } } },
  source = "fal-api.md 3.2 ($0.3034/s at 720p, audio free; I2V $0.3024/s), 1.2 quality 0.95, 1.6",
})
seedance("seedance_2_fast", {
  label = "Seedance 2.0 Fast (fal.ai)", models = modes("bytedance/seedance-2.0/fast/", SEEDANCE_PATHS),
  quality = 0.85, speed = 60, cost = { per_second = 0.2419 },
  -- the Seedance guide: never use fast for multi-shot or complex camera moves (1.6)
  capabilities = { native_audio = true, lip_sync = true, end_frame = true },
  source = "fal-api.md 3.2 ($0.2419/s), 1.2 runtime 60 s, 1.6 (fast: b-roll and previews only)",
})

local kling_v3 = family {
  family = "kling",
  inputs = { image = "start_image_url", end_image = "end_image_url", references = false, duration = "%d",
    audio = "generate_audio", aspect_ratio = "aspect_ratio" },
  inputs_by_mode = { image = { aspect_ratio = false } }, -- follows the start image
  capabilities = { native_audio = true, multi_shot = true, camera_control = true, end_frame = true,
    negative_prompt = true },
  aspect_ratios = { "16:9", "9:16", "1:1" },
  durations = { 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 }, default_duration = 5,
}

local KLING_PATHS = { text = "/text-to-video", image = "/image-to-video" }

kling_v3("kling_v3_pro", {
  label = "Kling v3 Pro (fal.ai)", models = modes("fal-ai/kling-video/v3/pro", KLING_PATHS),
  quality = 0.88, speed = 90, cost = { per_second = 0.112, per_second_audio = 0.168 },
  source = "fal-api.md 3.3 ($0.112/s, $0.168/s with audio); quality and speed [INF]",
})
kling_v3("kling_v3_standard", {
  label = "Kling v3 Standard (fal.ai)", models = modes("fal-ai/kling-video/v3/standard", KLING_PATHS),
  quality = 0.80, speed = 60, cost = { per_second = 0.084, per_second_audio = 0.126 },
  source = "fal-api.md 3.3 ($0.084/s, $0.126/s with audio); quality [INF]",
})

family {} ("kling_v2_1", {
  label = "Kling v2.1 (fal.ai: master T2V, pro I2V)", family = "kling",
  models = { text = "fal-ai/kling-video/v2.1/master/text-to-video",
    image = "fal-ai/kling-video/v2.1/pro/image-to-video" },
  inputs = { image = "image_url", end_image = "tail_image_url", references = false, duration = "%d",
    audio = false, aspect_ratio = "aspect_ratio" },
  inputs_by_mode = { image = { aspect_ratio = false }, text = { end_image = false } },
  capabilities = { camera_control = true, end_frame = true, negative_prompt = true },
  aspect_ratios = { "16:9", "9:16", "1:1" }, durations = { 5, 10 }, default_duration = 5,
  quality = 0.75, speed = 60, cost = { per_second = 0.06, by_mode = { image = { per_second = 0.04 } } },
  source = "fal-api.md 3.3 (no published price: OpenMontage's $0.30 master / $0.20 pro per 5 s)",
})

family {} ("minimax_hailuo_02", {
  label = "MiniMax Hailuo-02 Standard (fal.ai)", family = "minimax",
  models = modes("fal-ai/minimax/hailuo-02/standard/", { text = "text-to-video", image = "image-to-video" }),
  inputs = { image = "image_url", end_image = "end_image_url", references = false, duration = "%d",
    audio = false, aspect_ratio = false, extra = { prompt_optimizer = true } },
  inputs_by_mode = { text = { end_image = false } },
  capabilities = { camera_control = true, end_frame = true },
  aspect_ratios = { "16:9" }, fixed_aspect = "16:9", durations = { 6, 10 }, default_duration = 6,
  quality = 0.72, speed = 60, cost = { per_clip = 0.45 },
  source = "fal-api.md 3.4 ($0.45 per generation [3P]); landscape-only text-to-video [INF]",
})

local VEO_PATHS = { text = "", image = "/image-to-video", first_last = "/first-last-frame-to-video" }

local veo = family {
  family = "veo",
  inputs = { image = "image_url", end_image = false, references = "image_urls", duration = "%ds",
    audio = "generate_audio", aspect_ratio = "aspect_ratio" },
  inputs_by_mode = { first_last = { image = "first_frame_url", end_image = "last_frame_url" } },
  capabilities = { native_audio = true, lip_sync = true, end_frame = true, negative_prompt = true, seed = true },
  aspect_ratios = { "16:9", "9:16" }, durations = { 4, 6, 8 }, default_duration = 8,
}

veo("fal_veo_3_1", {
  label = "Veo 3.1 (fal.ai)",
  models = modes("fal-ai/veo3.1", util.merge(VEO_PATHS, { reference = "/reference-to-video" })),
  quality = 0.90, speed = 120, cost = { per_second = 0.20, per_second_audio = 0.40 },
  source = "fal-api.md 3.5 ($0.20/s, $0.40/s with audio at 720p/1080p); 1.2 runtime 120 s",
})
veo("fal_veo_3_1_fast", {
  label = "Veo 3.1 Fast (fal.ai)", models = modes("fal-ai/veo3.1/fast", VEO_PATHS),
  quality = 0.82, speed = 45, cost = { per_second = 0.10, per_second_audio = 0.20 },
  source = "fal-api.md 3.5 (fast price not confirmed: OpenMontage's $0.10/s, $0.20/s); 1.2 runtime 45 s",
})

------------------------------------------------------------------ the functions

local REQUIRED = { name = "string", gateway = "string", family = "string", models = "table", inputs = "table",
  capabilities = "table", aspect_ratios = "table", default_duration = "number", quality = "number",
  speed = "number", reliability = "number", cost = "table" }

local function check_entry(e)
  for field, t in pairs(REQUIRED) do
    if type(e[field]) ~= t then
      return string.format("provider %s: %s must be a %s, got %s", tostring(e.name), field, t, type(e[field]))
    end
  end
  if e.gateway ~= "heygen" and e.gateway ~= "fal" then
    return string.format("provider %s: gateway must be \"heygen\" or \"fal\", got %q", e.name, e.gateway)
  end
  if not (e.cost.per_second or e.cost.per_clip) then
    return "provider " .. e.name .. ": cost needs per_second or per_clip"
  end
  if not methods.FIT[e.family] and not e.fit then
    return "provider " .. e.name .. ": unknown family " .. e.family .. " (give it a fit table)"
  end
end

--- Add or replace an entry. `extends = "name"` starts from a copy of that entry
-- (nested tables are replaced, not merged). Raises on a malformed entry.
---@param entry table
---@return table entry
function methods.add(entry)
  if type(entry) ~= "table" then error("providers.add expects an entry table", 2) end
  local e = entry
  if entry.extends then
    local base = M[entry.extends]
    if not base then error("providers.add: unknown provider to extend: " .. tostring(entry.extends), 2) end
    e = util.merge(base, entry)
    e.extends = nil
  end
  local problem = check_entry(e)
  if problem then error("providers.add: " .. problem, 2) end
  e.label = e.label or e.name
  M[e.name] = e
  return e
end

--- Remove an entry by name.
function methods.remove(name) M[name] = nil end

--- Entries sorted by name (optionally only one gateway's).
---@return table[]
function methods.list(gateway)
  local out = {}
  for _, name in ipairs(util.sorted_keys(M)) do
    local e = M[name]
    if not gateway or e.gateway == gateway then out[#out + 1] = e end
  end
  return out
end

--- An entry by name; nil and a hint when unknown.
function methods.get(name)
  if M[name] then return M[name] end
  local hint = util.closest(name, M)
  return nil, string.format("unknown provider %q%s", tostring(name),
    hint and (" (did you mean %q?)"):format(hint) or "")
end

--- How well `entry` fits `intent` (0..1).
function methods.fit(entry, intent)
  if entry.fit and entry.fit[intent] then return entry.fit[intent] end
  local row = methods.FIT[entry.family] or {}
  for i, column in ipairs(methods.INTENT_COLUMNS) do
    if column == intent then return row[i] or 0.5 end
  end
  return row[#methods.INTENT_COLUMNS] or 0.5
end

------------------------------------------------------------------ planning one request for one provider

local function in_list(list, v)
  for _, x in ipairs(list) do if x == v then return true end end
  return false
end

local function mode_of(entry, req)
  if req.reference_image_urls then return "reference" end
  if req.image_url then
    if req.end_image_url and entry.models.first_last then return "first_last" end
    return "image"
  end
  return "text"
end

-- The nearest duration the provider offers (ties go to the longer clip).
local function nearest(list, want)
  local best
  for _, d in ipairs(list) do
    if not best or math.abs(d - want) < math.abs(best - want)
      or (math.abs(d - want) == math.abs(best - want) and d > best) then best = d end
  end
  return best
end

local function seconds_text(list)
  local parts = {}
  for i, d in ipairs(list) do parts[i] = tostring(d) end
  if #parts > 4 then return parts[1] .. " to " .. parts[#parts] .. " s" end
  return table.concat(parts, ", ") .. " s"
end

local function pick_duration(entry, req, plan)
  if not entry.durations then
    plan.duration = entry.default_duration
    if req.duration and req.duration ~= plan.duration then
      plan.notes[#plan.notes + 1] = string.format("the clip length is the provider's own (about %d s), not %g s",
        plan.duration, req.duration)
    end
  else
    plan.duration = req.duration and nearest(entry.durations, req.duration) or entry.default_duration
    if req.duration and plan.duration ~= req.duration then
      plan.notes[#plan.notes + 1] = string.format("duration %g s becomes %d s (it makes %s)", req.duration,
        plan.duration, seconds_text(entry.durations))
    end
  end
  plan.duration_gap = req.duration and math.abs(plan.duration - req.duration) / req.duration or 0
end

--- The price of a plan, from the entry's cost formula.
function methods.cost(entry, mode, duration, audio)
  local c = util.merge(entry.cost, (entry.cost.by_mode or {})[mode])
  if c.per_clip then return c.per_clip, string.format("$%.2f per clip", c.per_clip) end
  local rate = audio and c.per_second_audio or c.per_second
  return rate * duration, string.format("%d s at $%.4g/s%s", duration, rate,
    audio and c.per_second_audio and " with audio" or "")
end

local function put(input, field, value)
  if field and value ~= nil then input[field] = value end
end

--- What `entry` would be sent for request `req` (checked fields: prompt,
-- image_url, end_image_url, reference_image_urls, duration, aspect_ratio, audio):
-- {provider, gateway, mode, model, input, duration, audio, est_cost, cost_text, notes}
-- or nil, reason when it cannot make it.
---@return table|nil plan
---@return string|nil reason
function methods.plan(entry, req)
  local mode = mode_of(entry, req)
  local model = entry.models[mode]
  if not model then return nil, "no " .. mode:gsub("_", "-") .. "-to-video" end
  local inputs = util.merge(entry.inputs, (entry.inputs_by_mode or {})[mode])
  if mode == "reference" and req.image_url then return nil, "takes reference images or a first frame, not both" end
  if req.end_image_url and not inputs.end_image then return nil, "cannot take a last frame" end
  if req.audio and not entry.capabilities.native_audio then return nil, "no native audio" end
  local plan = { provider = entry.name, gateway = entry.gateway, mode = mode, model = model, notes = {} }
  local ratio = req.aspect_ratio
  if ratio and not inputs.aspect_ratio then
    if mode ~= "text" then
      plan.notes[#plan.notes + 1] = "the aspect ratio follows the image"
    elseif ratio ~= entry.fixed_aspect then
      return nil, "makes only " .. tostring(entry.fixed_aspect) .. " video"
    end
    ratio = nil
  elseif ratio and not in_list(entry.aspect_ratios, ratio) then
    return nil, "no " .. ratio .. " (offers " .. table.concat(entry.aspect_ratios, ", ") .. ")"
  end
  pick_duration(entry, req, plan)
  plan.audio = entry.capabilities.native_audio and req.audio ~= false or false
  local input = util.merge(inputs.extra, { prompt = req.prompt })
  if entry.gateway == "heygen" then input.provider = model end
  put(input, inputs.image, req.image_url)
  put(input, inputs.end_image, req.end_image_url)
  put(input, inputs.references, req.reference_image_urls)
  put(input, inputs.aspect_ratio, ratio)
  if inputs.duration then input.duration = string.format(inputs.duration, plan.duration) end
  if inputs.audio then input[inputs.audio] = plan.audio end
  plan.input = input
  plan.est_cost, plan.cost_text = methods.cost(entry, mode, plan.duration, plan.audio)
  if entry.gateway == "fal" and req.prompt then
    local ok, err = fal.check_input(model, input)
    if not ok then return nil, "its input check failed: " .. err.message end
  end
  return plan
end

setmetatable(M, { __index = methods })
return M
