--- heygen.selector: rank the usable providers for one request.
--
-- Each provider gets a plan (what would be sent, for how long, at what cost:
-- heygen.providers.plan), then a score from six dimensions, weighted by the
-- intent (the OpenMontage scorer of fal-api.md 1.4, corrected):
--   fit          the family's fit for the intent, less a duration mismatch
--   quality      the entry's quality; a premium bonus for cinematic intents
--   control      camera control, multi-shot, last frame, negative prompt, seed
--   reliability  the entry's reliability
--   cost         the estimated cost of *this* request (duration, audio, mode),
--                against max_cost when there is one
--   latency      the typical render time
-- What it fixes: costs come from the request, not from default settings; the
-- prompt may only suggest an intent, never penalise a provider for a word; what
-- a provider cannot do excludes it with a reason instead of lowering a score.
-- Deterministic: ties go to the cheaper, then to a gateway's documented default
-- (HeyGen's veo_3_1), then to the name.
local providers = require "heygen.providers"
local validate = require "heygen.validate"
local util = require "heygen.util"

local M = {}

M.WEIGHTS = { fit = 0.30, quality = 0.20, control = 0.15, reliability = 0.15, cost = 0.10, latency = 0.10 }

--- Intents: which fit column they read, defaults they give the request
-- (aspect_ratio, audio), weight overrides, `order` (a candidate field ranked
-- before the score: cheapest and fastest mean just that), and the prompt words
-- that suggest them when no intent is given.
M.INTENTS = {
  cinematic = { fit = "cinematic", premium = true,
    words = { "cinematic", "film", "movie", "trailer", "teaser", "dramatic", "epic", "premium" } },
  explainer = { fit = "explainer", weights = { fit = 0.35, control = 0.05 },
    words = { "explainer", "educational", "tutorial", "teaching", "lesson", "how-to", "explain" } },
  social = { fit = "social", aspect_ratio = "9:16",
    weights = { quality = 0.15, control = 0.10, cost = 0.15, latency = 0.15 },
    words = { "social", "tiktok", "instagram", "reels", "reel", "shorts", "viral", "vertical" } },
  product = { fit = "product", weights = { control = 0.20, cost = 0.05 },
    words = { "product", "packshot", "e-commerce", "ecommerce", "unboxing" } },
  b_roll = { fit = "b_roll", words = { "b-roll", "broll", "footage", "stock" } },
  dialogue = { fit = "dialogue", audio = true,
    words = { "dialogue", "says", "speaks", "conversation", "interview", "lip-sync" } },
  animation = { fit = "animation", words = { "animation", "animated", "cartoon", "stylized", "pixar", "anime" } },
  cheapest = { fit = "general", audio = false, order = "est_cost",
    weights = { fit = 0.15, quality = 0.10, control = 0.05, reliability = 0.10, cost = 0.55, latency = 0.05 } },
  fastest = { fit = "general", order = "speed",
    weights = { fit = 0.15, quality = 0.10, control = 0.05, reliability = 0.10, cost = 0.05, latency = 0.55 } },
  general = { fit = "general" },
}
M.INFER_ORDER = { "cinematic", "dialogue", "social", "product", "explainer", "b_roll", "animation" }

M.SPEEDS = { fast = 3, normal = 1, slow = 0 } -- multiplies the latency weight

M.CONTROL = { camera_control = 0.35, multi_shot = 0.20, end_frame = 0.20, negative_prompt = 0.15, seed = 0.10 }

-- The premium-cinematic bonus (the documents' bias toward Seedance 2.0): fit
-- +0.04 per trait, quality +0.10 from 4 traits; quality >= 0.9 is a trait too.
M.PREMIUM = { "native_audio", "multi_shot", "camera_control", "lip_sync" }

M.COST_REFERENCE = 0.50 -- dollars per clip that score 0.5 on cost without a budget

M.ASPECT_RATIOS = { "16:9", "9:16", "1:1", "21:9", "4:3", "3:4" }

local URL = { type = "string", url = true }

--- The request fields select and generate share.
M.FIELDS = {
  prompt = { type = "string", min_len = 1, max_len = 10000 },
  intent = validate.enum(util.sorted_keys(M.INTENTS)),
  duration = { type = "number", min = 1, max = 60 },
  aspect_ratio = validate.enum(M.ASPECT_RATIOS),
  image_url = URL, end_image_url = URL,
  reference_image_urls = { type = "array", min_items = 1, max_items = 9, items = URL, items_name = "URLs" },
  audio = { type = "boolean" },
  max_cost = { type = "number", gt = 0 },
  speed = validate.enum(util.sorted_keys(M.SPEEDS)),
  provider = { by_type = { string = { type = "string", min_len = 1 },
    table = { type = "array", min_items = 1, items = { type = "string", min_len = 1 } } } },
}

--- Check a request against `fields` (default M.FIELDS); true or nil, invalid_argument.
function M.check(req, fields)
  if type(req) ~= "table" then error("a request table expected, got " .. type(req), 3) end
  local ok, err = validate.check(req, { type = "table", closed = true, fields = fields or M.FIELDS,
    requires = { end_image_url = { "image_url" } } }, "")
  if not ok then return nil, err end
  for _, name in ipairs(type(req.provider) == "table" and req.provider or { req.provider }) do
    if name ~= "auto" and not providers[name] then
      local _, why = providers.get(name)
      return validate.fail("provider", "must be \"auto\" or a provider of heygen.providers", name,
        why:match("%(did you mean.*%)") and (string.format("%q ", name) .. why:match("%(did you mean.*%)")))
    end
  end
  return true
end

------------------------------------------------------------------ the request as the scorer sees it

local function words_of(text)
  local set = {}
  for w in tostring(text or ""):lower():gmatch("[%w][%w%-']*") do set[w] = true end
  return set
end

local function intent_of(req)
  if req.intent then return req.intent, nil end
  local words = words_of(req.prompt)
  for _, name in ipairs(M.INFER_ORDER) do
    for _, w in ipairs(M.INTENTS[name].words) do
      if words[w] then return name, w end
    end
  end
  return "general", nil
end

local function weights_of(profile, speed)
  local w = util.merge(M.WEIGHTS, profile.weights)
  w.latency = w.latency * M.SPEEDS[speed or "normal"]
  local sum = 0
  for _, v in pairs(w) do sum = sum + v end
  for k, v in pairs(w) do w[k] = v / sum end
  return w
end

-- The request with the intent's defaults filled in, and what the scorer needs.
local function context_of(req)
  local intent, word = intent_of(req)
  local profile = M.INTENTS[intent]
  local effective = util.merge(req, {})
  if effective.aspect_ratio == nil and not req.image_url then effective.aspect_ratio = profile.aspect_ratio end
  if effective.audio == nil then effective.audio = profile.audio end
  return { intent = intent, word = word, profile = profile, req = effective,
    weights = weights_of(profile, req.speed), max_cost = req.max_cost }
end

------------------------------------------------------------------ scoring

local function round(x, places)
  local m = 10 ^ places
  return math.floor(x * m + 0.5) / m
end

local function premium(entry)
  local caps, have = entry.capabilities, {}
  for _, c in ipairs(M.PREMIUM) do
    if caps[c] then have[#have + 1] = (c:gsub("multi_shot", "multi-shot"):gsub("_", " ")) end
  end
  if entry.quality >= 0.9 then have[#have + 1] = "cinematic quality" end
  return 0.04 * #have, #have >= 4 and 0.10 or 0, have
end

local function dimensions(entry, plan, ctx)
  local d = { fit = providers.fit(entry, ctx.profile.fit) * (1 - math.min(0.5, plan.duration_gap)),
    quality = entry.quality, reliability = entry.reliability }
  local control = 0
  for cap, w in pairs(M.CONTROL) do
    if entry.capabilities[cap] then control = control + w end
  end
  d.control = control
  d.cost = ctx.max_cost and math.max(0, 1 - plan.est_cost / ctx.max_cost)
    or 1 / (1 + plan.est_cost / M.COST_REFERENCE)
  d.latency = 1 / (1 + entry.speed / 60)
  local bonus
  if ctx.profile.premium then
    local fit_bonus, quality_bonus, have = premium(entry)
    d.fit, d.quality = d.fit + fit_bonus, d.quality + quality_bonus
    if fit_bonus > 0 then bonus = string.format("(+%.2f premium: %s)", fit_bonus, table.concat(have, ", ")) end
  end
  return d, bonus
end

local function minutes(seconds)
  if seconds < 90 then return string.format("about %g s", seconds) end
  return string.format("about %g min", round(seconds / 60, 1))
end

local function reasons_of(entry, plan, ctx, d, bonus)
  local r = {
    string.format("fit for %s %.2f%s", ctx.profile.fit, d.fit, bonus and (" " .. bonus) or ""),
    string.format("quality %.2f", entry.quality),
    string.format("estimated $%.2f (%s%s)", plan.est_cost, plan.cost_text,
      ctx.max_cost and string.format("; budget $%.2f", ctx.max_cost) or ""),
    "renders in " .. minutes(entry.speed),
  }
  if plan.audio then r[#r + 1] = "with native audio" end
  for _, note in ipairs(plan.notes) do r[#r + 1] = note end
  return r
end

local function score(entry, plan, ctx)
  local d, bonus = dimensions(entry, plan, ctx)
  local total = 0
  for k, w in pairs(ctx.weights) do total = total + w * d[k] end
  for k, v in pairs(d) do d[k] = round(v, 3) end
  return {
    provider = entry.name, gateway = entry.gateway, model = plan.model, mode = plan.mode, speed = entry.speed,
    family = entry.family, app = (entry.apps or {})[plan.mode] or entry.app or entry.name, default = entry.default,
    score = round(total, 3), est_cost = round(plan.est_cost, 4), duration = plan.duration, audio = plan.audio,
    scores = d, reasons = reasons_of(entry, plan, ctx, d, bonus), plan = plan,
  }
end

local KEY_HINT = { heygen = "no HeyGen API key (set HEYGEN_API_KEY or pass api_key)",
  fal = "no fal.ai key (set FAL_KEY or pass fal_key)" }

-- The candidate for one entry, or nil and why it is left out.
local function consider(client, entry, ctx)
  if not client:has_key(entry.gateway) then return nil, KEY_HINT[entry.gateway] end
  local plan, why = providers.plan(entry, ctx.req)
  if not plan then return nil, why end
  if ctx.max_cost and plan.est_cost > ctx.max_cost then
    return nil, string.format("estimated $%.2f (%s) is over max_cost $%.2f", plan.est_cost, plan.cost_text,
      ctx.max_cost)
  end
  return score(entry, plan, ctx)
end

local function ordering(order)
  return function(a, b)
    if order and a[order] ~= b[order] then return a[order] < b[order] end
    if a.score ~= b.score then return a.score > b.score end
    if a.est_cost ~= b.est_cost then return a.est_cost < b.est_cost end
    if (a.default or false) ~= (b.default or false) then return a.default == true end
    return a.provider < b.provider
  end
end

--- Rank the providers for a checked request. Returns the candidates (best
-- first; the list also carries .intent and .intent_reason) and the excluded
-- providers ({provider=, gateway=, reasons={...}}, by name).
function M.rank(client, req)
  local ctx = context_of(req)
  local only
  if req.provider and req.provider ~= "auto" then
    only = {}
    for _, name in ipairs(type(req.provider) == "table" and req.provider or { req.provider }) do only[name] = true end
  end
  local ranked, excluded = {}, {}
  for _, entry in ipairs(providers.list()) do
    if not only or only[entry.name] then
      local c, why = consider(client, entry, ctx)
      if c then
        ranked[#ranked + 1] = c
      else
        excluded[#excluded + 1] = { provider = entry.name, gateway = entry.gateway, reasons = { why } }
      end
    end
  end
  table.sort(ranked, ordering(ctx.profile.order))
  ranked.intent = ctx.intent
  ranked.intent_reason = ctx.word and string.format("intent %q suggested by the prompt word %q", ctx.intent, ctx.word)
    or (req.intent and ("intent " .. req.intent .. " as asked") or "no intent given or suggested: general")
  return ranked, excluded
end

return M
