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
local fal_models = require "heygen.api.fal_models"
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

-- HeyGen's documented default provider (heygen-api.md 3.1): ties go to it.
local DEFAULT_HEYGEN = "veo_3_1"

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
    cost = { per_clip = TIER_PRICE[quality], as_of = fal_models.AS_OF,
      source = "https://github.com/calesthio/OpenMontage heygen_video per-clip price by tier (docs/fal-api.md 1.2)" },
    default = name == DEFAULT_HEYGEN or nil, app = name,
    source = "HEYGEN_PROVIDERS tiers (" .. quality .. ", " .. speed .. ") and heygen_video per-clip prices; "
      .. "audio and clip length [INF]",
  }
end

------------------------------------------------------------------ fal.ai models (heygen.api.fal_models)

local function copy(v)
  if type(v) ~= "table" then return v end
  local t = {}
  for k, x in pairs(v) do t[k] = copy(x) end
  return t
end

-- An entry from the registry: its shared fields, its own, and per mode the endpoint's
-- published price (cost.by_mode) and app.
for name, spec in pairs(fal_models.PROVIDERS) do
  local e = copy(spec.base or {})
  for k, v in pairs(spec) do
    if k ~= "base" then e[k] = copy(v) end
  end
  e.name, e.gateway, e.reliability = name, "fal", e.reliability or 0.8
  e.cost, e.apps = { by_mode = {} }, {}
  local sources = {}
  for mode, id in pairs(e.models) do
    local ep = assert(fal_models.ENDPOINTS[id], id)
    e.cost.by_mode[mode], e.apps[mode] = ep.price, ep.app
    sources[#sources + 1] = mode .. ": " .. ep.price.source .. " (" .. ep.price.as_of .. ")"
  end
  table.sort(sources)
  e.app = e.apps.text or e.apps.image
  e.source = "prices " .. table.concat(sources, "; ") .. "; quality and speed [INF]"
  M[name] = e
end

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
  if not (e.cost.per_second or e.cost.per_clip or e.cost.first or e.cost.by_mode) then
    return "provider " .. e.name .. ": cost needs per_second, per_clip, first or by_mode"
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

--- The price of a plan under the entry's cost rule for `mode` (cost.by_mode[mode], else
-- cost itself; the rule shapes of heygen.api.fal_models.estimate, per_second_audio naming
-- the audio rate too). Returns dollars and how, or nil and why no price is known.
function methods.cost(entry, mode, duration, audio, resolution)
  local c = entry.cost
  local rule = (c.by_mode or {})[mode] or c
  if rule.per_second_audio and rule.audio == nil then rule = util.merge(rule, { audio = rule.per_second_audio }) end
  if not (rule.per_second or rule.per_clip or rule.first) then return nil, "no published price for " .. mode end
  return fal_models.estimate(rule, { duration = duration, audio = audio, resolution = resolution })
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
  plan.est_cost, plan.cost_text = methods.cost(entry, mode, plan.duration, plan.audio, input.resolution)
  if not plan.est_cost then return nil, plan.cost_text end
  plan.price_source = ((entry.cost.by_mode or {})[mode] or entry.cost).source
  if entry.gateway == "fal" and req.prompt then
    local ok, err = fal.check_input(model, input)
    if not ok then return nil, "its input check failed: " .. err.message end
  end
  return plan
end

setmetatable(M, { __index = methods })
return M
