-- heygen.emulator.fal.models: the fal models the emulator serves (docs/fal-api.md 3), as
-- data: required inputs, one-of groups and enumerated values, and how fal checks an input
-- against them. Add a model with one model(...) line (spec/contract/fal_client.mjs drives
-- every one listed here, through GET /_emulator/fal/registry).
--   MODELS[id] = {required = {field, ...}, enums = {field = {values}}, one_of = {a, b}?}
--   check_input(spec, input) -> fal's (pydantic's) 422 entries, or nil
--   has_seed(model_id), app_of(model_id) ({owner}/{app}: the queue URLs' part), registry()
local reply = require "heygen.emulator.reply"

local M = {}

local function seq(from, to, suffix, first)
  local t = {first}
  for n = from, to do t[#t + 1] = n .. (suffix or "") end
  return t
end

local SEEDANCE = {duration = seq(4, 15, "", "auto"),
                  aspect_ratio = {"auto", "21:9", "16:9", "4:3", "1:1", "3:4", "9:16"}}
local KLING_RATIOS = {"16:9", "9:16", "1:1"}
local VEO = {duration = {"4s", "6s", "8s"}, resolution = {"720p", "1080p", "4k"}}

M.MODELS = {}

local function model(id, required, enums, one_of)
  M.MODELS[id] = {required = required, enums = enums or {}, one_of = one_of}
end

local function with(base, extra)
  local t = {}
  for k, v in pairs(base) do t[k] = v end
  for k, v in pairs(extra or {}) do t[k] = v end
  return t
end

for _, tier in ipairs({"", "fast/"}) do
  local res = tier == "" and {"480p", "720p", "1080p", "4k"} or {"480p", "720p"}
  local enums = with(SEEDANCE, {resolution = res})
  model("bytedance/seedance-2.0/" .. tier .. "text-to-video", {"prompt"}, enums)
  model("bytedance/seedance-2.0/" .. tier .. "image-to-video", {"prompt", "image_url"}, enums)
  model("bytedance/seedance-2.0/" .. tier .. "reference-to-video", {"prompt"}, enums)
end
for _, tier in ipairs({"standard", "pro"}) do
  local base = "fal-ai/kling-video/v3/" .. tier
  model(base .. "/text-to-video", {}, {duration = seq(3, 15), aspect_ratio = KLING_RATIOS},
        {"prompt", "multi_prompt"})
  model(base .. "/image-to-video", {"start_image_url"}, {duration = seq(3, 15)}, {"prompt", "multi_prompt"})
end
model("fal-ai/kling-video/v2.1/master/text-to-video", {"prompt"},
      {duration = {"5", "10"}, aspect_ratio = KLING_RATIOS})
for _, tier in ipairs({"master", "pro", "standard"}) do
  model("fal-ai/kling-video/v2.1/" .. tier .. "/image-to-video", {"prompt", "image_url"}, {duration = {"5", "10"}})
end
local HAILUO = {duration = {"6", "10"}}
model("fal-ai/minimax/hailuo-02/standard/text-to-video", {"prompt"}, HAILUO)
model("fal-ai/minimax/hailuo-02/standard/image-to-video", {"prompt", "image_url"},
      with(HAILUO, {resolution = {"512P", "768P"}}))
model("fal-ai/minimax/hailuo-02/pro/text-to-video", {"prompt"})
model("fal-ai/minimax/hailuo-02/pro/image-to-video", {"prompt", "image_url"})
model("fal-ai/minimax/hailuo-2.3/standard/text-to-video", {"prompt"}, HAILUO)
model("fal-ai/minimax/hailuo-2.3/pro/text-to-video", {"prompt"})
for _, app in ipairs({"hailuo-2.3", "hailuo-2.3-fast"}) do
  model("fal-ai/minimax/" .. app .. "/standard/image-to-video", {"prompt", "image_url"}, HAILUO)
  model("fal-ai/minimax/" .. app .. "/pro/image-to-video", {"prompt", "image_url"})
end
for _, tier in ipairs({"", "/fast"}) do
  local base = "fal-ai/veo3.1" .. tier
  model(base, {"prompt"}, with(VEO, {aspect_ratio = {"16:9", "9:16"}}))
  model(base .. "/image-to-video", {"prompt", "image_url"}, with(VEO, {aspect_ratio = {"auto", "16:9", "9:16"}}))
  model(base .. "/first-last-frame-to-video", {"prompt", "first_frame_url", "last_frame_url"}, VEO)
end
model("fal-ai/veo3.1/reference-to-video", {"prompt", "image_urls"}, VEO)

-- Seedance answers with a seed too (doc 3.1).
local function has_seed(model_id) return model_id:find("seedance", 1, true) ~= nil end

local function quoted(list)
  local t = {}
  for i, v in ipairs(list) do t[i] = "'" .. v .. "'" end
  return table.concat(t, ", ")
end

local function in_list(list, v)
  for _, x in ipairs(list) do if x == v then return true end end
  return false
end

-- fal's (pydantic's) 422 entries for an input; nil when it is acceptable.
local function check_input(spec, input)
  local errs = {}
  for _, field in ipairs(spec.required) do
    if input[field] == nil or input[field] == reply.null then
      errs[#errs + 1] = {loc = {"body", field}, msg = "field required", type = "value_error.missing"}
    end
  end
  if spec.one_of and input[spec.one_of[1]] == nil and input[spec.one_of[2]] == nil then
    errs[#errs + 1] = {loc = {"body", spec.one_of[1]}, type = "value_error",
                       msg = "either " .. spec.one_of[1] .. " or " .. spec.one_of[2] .. " is required"}
  end
  local names = {}
  for field in pairs(spec.enums) do names[#names + 1] = field end
  table.sort(names)
  for _, field in ipairs(names) do
    local v, allowed = input[field], spec.enums[field]
    if v ~= nil and not in_list(allowed, v) then
      errs[#errs + 1] = {loc = {"body", field}, type = "value_error.const",
                         msg = "unexpected value; permitted: " .. quoted(allowed),
                         ctx = {given = v, permitted = allowed}}
    end
  end
  if #errs > 0 then return errs end
end

-- The {owner}/{app} of a model id (its first two parts; three under workflows/ and comfy/).
local function app_of(model_id)
  local n = (model_id:find("^workflows/") or model_id:find("^comfy/")) and 3 or 2
  local parts = {}
  for p in model_id:gmatch("[^/]+") do
    parts[#parts + 1] = p
    if #parts == n then break end
  end
  return table.concat(parts, "/")
end

-- GET /_emulator/fal/registry (the handler): the models served, {model id = {required = [...],
-- one_of = [a, b] | absent, enums = {field = [values]}}}, for drivers that build inputs.
local function registry()
  local out = {}
  for id, spec in pairs(M.MODELS) do
    local enums = {}
    for field, values in pairs(spec.enums) do enums[field] = values end
    out[id] = {required = reply.array(spec.required), one_of = spec.one_of,
               enums = next(enums) and enums or reply.null}
  end
  return reply.json(200, out)
end

M.check_input, M.has_seed, M.app_of, M.registry = check_input, has_seed, app_of, registry

return M
