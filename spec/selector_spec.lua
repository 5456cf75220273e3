-- hg:select and the provider registry: rankings per intent, costs for the
-- request at hand, usable gateways, reasons, determinism and user entries.
-- Selection sends nothing, so the clients point at a closed port.
local heygen = require "heygen"
local providers = require "heygen.providers"
local rules = require "heygen.api.rules"
local fal = require "heygen.api.fal"

local CLOSED = "http://127.0.0.1:9"
local function client(keys)
  keys = keys or { api_key = "heygen-key-0123", fal_key = "fal-key-0123" }
  return heygen.client { api_key = keys.api_key, fal_key = keys.fal_key, base_url = CLOSED,
    fal_url = CLOSED .. "/fal" }
end

local hg = client()

local function names(list, n)
  local out = {}
  for i = 1, math.min(n or #list, #list) do out[i] = list[i].provider end
  return out
end

local function by_name(list)
  local t = {}
  for _, c in ipairs(list) do t[c.provider] = c end
  return t
end

local function util_merge(a, b)
  local t = {}
  for k, v in pairs(a) do t[k] = v end
  for k, v in pairs(b) do t[k] = v end
  return t
end

local function excluded_reason(excluded, name)
  for _, e in ipairs(excluded) do
    if e.provider == name then return e.reasons[1] end
  end
end

describe("the registry", function()
  it("has the 13 HeyGen workflow providers, each sent as its own provider string", function()
    local list = providers.list("heygen")
    assert.are.equal(13, #list)
    for _, name in ipairs(rules.WORKFLOW_PROVIDERS) do
      assert.are.equal("heygen", providers[name].gateway)
      assert.are.equal(name, providers[name].models.text)
      -- heygen_video's flat price per clip by quality tier (fal-api.md 1.2)
      local tier_price = { [0.9] = 0.5, [0.8] = 0.35, [0.65] = 0.2, [0.45] = 0.15 }
      assert.are.equal(tier_price[providers[name].quality], providers[name].cost.per_clip)
    end
  end)

  it("has Seedance 2.0, Kling v3 and v2.1, MiniMax Hailuo and Veo 3.1 on fal, every model id checked", function()
    local fal_names = {}
    for i, e in ipairs(providers.list("fal")) do fal_names[i] = e.name end
    assert.are.same({ "fal_veo_3_1", "fal_veo_3_1_fast", "kling_v2_1", "kling_v3_pro", "kling_v3_standard",
      "minimax_hailuo_02", "seedance_2", "seedance_2_fast" }, fal_names)
    for _, e in ipairs(providers.list("fal")) do
      for mode, model in pairs(e.models) do
        assert.is_table(fal.models[model], e.name .. " " .. mode .. ": " .. model)
      end
    end
  end)

  it("walks only entries with pairs, with the functions on the side", function()
    local n = 0
    for name, e in pairs(heygen.providers) do
      assert.are.equal(name, e.name)
      n = n + 1
    end
    assert.are.equal(21, n)
    assert.are.equal(providers, heygen.providers)
  end)
end)

describe("hg:select ranks by intent", function()
  it("cinematic: Seedance 2.0 first, with the premium reason", function()
    local list = assert(hg:select { prompt = "A cinematic trailer shot of a knight on a cliff at dawn" })
    assert.are.equal("cinematic", list.intent)
    assert.matches('suggested by the prompt word "cinematic"', list.intent_reason)
    assert.are.same({ "seedance_2", "kling_v3_standard", "kling_v3_pro", "fal_veo_3_1_fast" }, names(list, 4))
    local top = list[1]
    assert.are.equal(0.861, top.score)
    assert.are.equal(1.517, top.est_cost) -- 5 s at $0.3034/s (audio is free on Seedance)
    assert.are.equal("bytedance/seedance-2.0/text-to-video", top.model)
    assert.matches("premium: native audio, multi%-shot, camera control, lip sync, cinematic quality", top.reasons[1])
    assert.matches("estimated %$1%.52 %(5 s at %$0%.3034/s%)", top.reasons[3])
  end)

  it("explainer: Veo 3.1 Fast first, prompt-following MiniMax in the top five", function()
    local list = assert(hg:select { prompt = "A simple explainer clip of a coffee cup on a table" })
    assert.are.equal("explainer", list.intent)
    assert.are.same({ "fal_veo_3_1_fast", "minimax_hailuo_02", "veo3_fast", "veo_3_1_fast" }, names(list, 4))
    assert.are.equal(1.2, list[1].est_cost) -- 8 s at $0.15/s with audio
  end)

  it("social vertical: 9:16 only, landscape-only MiniMax left out with the reason", function()
    local list, excluded = assert(hg:select { prompt = "a dance clip", intent = "social" })
    assert.are.same({ "kling_v3_standard", "kling_v3_pro", "seedance_2", "kling_v2" }, names(list, 4))
    for _, c in ipairs(list) do assert.are.equal("9:16", c.plan.input.aspect_ratio) end
    assert.are.equal("makes only 16:9 video", excluded_reason(excluded, "minimax_hailuo_02"))
  end)

  it("product image-to-video: Kling v3 Pro first, each model given the image under its own name", function()
    local list = assert(hg:select { prompt = "the sneaker turns slowly", intent = "product",
      image_url = "https://example.com/shoe.png" })
    assert.are.same({ "kling_v3_pro", "kling_v3_standard", "seedance_2", "kling_v2_1" }, names(list, 4))
    local c = by_name(list)
    assert.are.equal("fal-ai/kling-video/v3/pro/image-to-video", c.kling_v3_pro.model)
    assert.are.equal("https://example.com/shoe.png", c.kling_v3_pro.plan.input.start_image_url)
    assert.is_nil(c.kling_v3_pro.plan.input.image_url)
    assert.are.equal("https://example.com/shoe.png", c.seedance_2.plan.input.image_url)
    assert.are.equal("https://example.com/shoe.png", c.veo_3_1.plan.input.reference_image_url)
    assert.are.equal(1.512, c.seedance_2.est_cost) -- the image-to-video rate, $0.3024/s
    assert.are.equal(0.49, c.kling_v2_1.est_cost)  -- $0.49 per 5 s for pro image-to-video
  end)

  it("cheapest: ordered by the estimated cost of this request", function()
    local list = assert(hg:select { prompt = "a tree", intent = "cheapest" })
    assert.are.same({ "ltx_distilled", "kling_v2", "veo2", "seedance_lite", "minimax_hailuo_02" }, names(list, 5))
    for i = 2, #list do assert.is_true(list[i - 1].est_cost <= list[i].est_cost) end
    -- cheapest leaves audio off: Kling v3 Standard is priced without it
    assert.are.equal(0.42, by_name(list).kling_v3_standard.est_cost)
    assert.is_false(by_name(list).kling_v3_standard.plan.input.generate_audio)
  end)

  it("fastest: ordered by typical render time", function()
    local list = assert(hg:select { prompt = "a tree", intent = "fastest" })
    assert.are.same({ "ltx_distilled", "fal_veo_3_1_fast", "kling_v3_standard" }, names(list, 3))
    for i = 2, #list do assert.is_true(list[i - 1].speed <= list[i].speed) end
  end)

  it("with audio: only providers with native audio, Seedance first", function()
    local list, excluded = assert(hg:select { prompt = "she says hello", audio = true })
    assert.are.equal("dialogue", list.intent)
    assert.are.same({ "seedance_2", "fal_veo_3_1_fast", "fal_veo_3_1" }, names(list, 3))
    for _, c in ipairs(list) do assert.is_true(c.audio) end
    assert.are.equal("no native audio", excluded_reason(excluded, "kling_v2_1"))
    assert.are.equal("no native audio", excluded_reason(excluded, "runway_gen4"))
  end)

  it("with a budget: what the request would cost over max_cost is left out, with the sum", function()
    local list, excluded = assert(hg:select { prompt = "a trailer", intent = "cinematic", duration = 10,
      max_cost = 2 })
    assert.are.same({ "kling_v3_standard", "kling_v3_pro", "fal_veo_3_1_fast" }, names(list, 3))
    assert.are.equal(1.26, list[1].est_cost)
    assert.matches("budget %$2%.00", list[1].reasons[3])
    assert.are.equal("estimated $3.03 (10 s at $0.3034/s) is over max_cost $2.00",
      excluded_reason(excluded, "seedance_2"))
    for _, c in ipairs(list) do assert.is_true(c.est_cost <= 2) end
  end)

  it("b-roll from the prompt: Kling and MiniMax are not penalised for the word", function()
    local list = assert(hg:select { prompt = "cheap b-roll footage of a city street" })
    assert.are.equal("b_roll", list.intent)
    local c = by_name(list)
    assert.are.equal(0.9, c.kling_v3_standard.scores.fit)
    assert.are.equal(0.85, c.minimax_hailuo_02.scores.fit)
    assert.are.same({ "kling_v3_standard", "kling_v3_pro", "kling_v2_1" }, names(list, 3))
  end)
end)

describe("speed", function()
  it("weighs render time: fast lifts the quick ones, slow lets quality lead", function()
    local function top(speed) return names(assert(hg:select { prompt = "a fox", speed = speed }), 3) end
    assert.are.same({ "kling_v3_standard", "kling_v3_pro", "fal_veo_3_1_fast" }, top("fast"))
    assert.are.same({ "kling_v3_standard", "kling_v3_pro", "seedance_2" }, top("normal"))
    assert.are.same({ "kling_v3_pro", "seedance_2", "kling_v3_standard" }, top("slow"))
    assert.are.same(top("normal"), top(nil))
  end)
end)

describe("costs are for this request, not a default", function()
  it("follow duration, audio and mode", function()
    local c = by_name(assert(hg:select { prompt = "x", duration = 10 }))
    assert.are.equal(3.034, c.seedance_2.est_cost)
    assert.are.equal(1.68, c.kling_v3_pro.est_cost)
    c = by_name(assert(hg:select { prompt = "x", duration = 10, audio = false }))
    assert.are.equal(1.12, c.kling_v3_pro.est_cost)
    assert.are.equal(3.034, c.seedance_2.est_cost) -- Seedance charges the same without audio
    c = by_name(assert(hg:select { prompt = "x", duration = 4, audio = false }))
    assert.are.equal(0.8, c.fal_veo_3_1.est_cost)
    assert.are.equal("4s", c.fal_veo_3_1.plan.input.duration)
    assert.is_false(c.fal_veo_3_1.plan.input.generate_audio)
  end)

  it("snap the duration to what a model makes and say so", function()
    local c = by_name(assert(hg:select { prompt = "x", duration = 7 }))
    assert.are.equal(5, c.kling_v2_1.duration)
    assert.are.equal("5", c.kling_v2_1.plan.input.duration)
    assert.are.equal("8s", c.fal_veo_3_1.plan.input.duration)
    assert.are.equal("7", c.seedance_2.plan.input.duration)
    local found
    for _, r in ipairs(c.kling_v2_1.reasons) do found = found or r:find("duration 7 s becomes 5 s", 1, true) end
    assert.truthy(found)
  end)
end)

describe("prices are facts with sources", function()
  local fal_models = require "heygen.api.fal_models"

  it("every registry price names its published page and the date it was read", function()
    for id, ep in pairs(fal_models.ENDPOINTS) do
      if ep.price then
        assert.matches("^https://", ep.price.source, id)
        assert.matches("^%d%d%d%d%-%d%d%-%d%d$", ep.price.as_of, id)
      end
    end
    for _, e in ipairs(providers.list()) do
      for mode in pairs(e.models) do
        local rule = (e.cost.by_mode or {})[mode] or e.cost
        assert.matches("^https://", rule.source, e.name .. " " .. mode)
        assert.is_string(rule.as_of, e.name .. " " .. mode)
      end
    end
  end)

  it("follow each provider's rule: base per 5 s plus per extra second, per second by resolution, audio", function()
    local function cost(req, name) return by_name(assert(hg:select(req)))[name] end
    local c = cost({ prompt = "x" }, "kling_v2_1")
    assert.are.equal(1.4, c.est_cost) -- master text-to-video: $1.40 for 5 s
    assert.matches("%$1%.40 for 5 s", c.reasons[3])
    assert.are.equal(2.8, cost({ prompt = "x", duration = 10 }, "kling_v2_1").est_cost) -- + 5 s at $0.28
    local img = { prompt = "x", image_url = "https://example.com/a.png" }
    assert.are.equal(0.49, cost(img, "kling_v2_1").est_cost) -- pro image-to-video
    assert.are.equal(0.98, cost(util_merge(img, { duration = 10 }), "kling_v2_1").est_cost) -- + 5 s at $0.098
    assert.are.equal(0.27, cost({ prompt = "x" }, "minimax_hailuo_02").est_cost) -- 6 s at $0.045/s, 768P
    assert.are.equal(0.45, cost({ prompt = "x", duration = 10 }, "minimax_hailuo_02").est_cost)
    assert.matches("6 s at %$0%.045/s at 768P", cost({ prompt = "x" }, "minimax_hailuo_02").reasons[3])
    assert.are.equal(1.2, cost({ prompt = "x", audio = true }, "fal_veo_3_1_fast").est_cost) -- 8 s at $0.15/s
    assert.are.equal(0.8, cost({ prompt = "x", audio = false }, "fal_veo_3_1_fast").est_cost)
  end)

  it("a budget request never runs a $1.40 clip", function()
    local list, excluded = assert(hg:select { prompt = "a knight", max_cost = 0.5 })
    for _, c in ipairs(list) do assert.is_true(c.est_cost <= 0.5, c.provider) end
    assert.are.equal("estimated $1.40 ($1.40 for 5 s) is over max_cost $0.50", excluded_reason(excluded, "kling_v2_1"))
  end)
end)

describe("usable gateways", function()
  it("are those with a key: no fal key leaves only HeyGen providers, and says why", function()
    local saved = os.getenv("FAL_KEY") or os.getenv("FAL_AI_API_KEY")
    if saved then pending("FAL_KEY is set in this environment") return end
    local list, excluded = assert(client { api_key = "heygen-key-0123" }:select { prompt = "a trailer" })
    assert.are.equal(13, #list)
    for _, c in ipairs(list) do assert.are.equal("heygen", c.gateway) end
    assert.are.equal("no fal.ai key (set FAL_KEY or pass fal_key)", excluded_reason(excluded, "seedance_2"))
    -- equal scores and prices go to HeyGen's documented default (veo_3_1), not to the name
    assert.are.same({ "veo_3_1", "sora_v2_pro" }, names(list, 2))
    assert.are.equal(list[1].est_cost, list[2].est_cost)
    assert.are.equal(list[1].score, list[2].score)
  end)

  it("without a HeyGen key leave only fal models", function()
    if os.getenv("HEYGEN_API_KEY") or os.getenv("HEYGEN_TOKEN") then pending("HEYGEN_API_KEY is set") return end
    local list, excluded = assert(client { fal_key = "fal-key-0123" }:select { prompt = "a trailer" })
    assert.are.equal(8, #list)
    assert.matches("^no HeyGen API key", excluded_reason(excluded, "veo_3_1"))
  end)
end)

describe("hg:select", function()
  it("gives the same ranking for the same request, every time and on every client", function()
    local req = { prompt = "a fox in the snow", duration = 6, aspect_ratio = "16:9" }
    local first = assert(hg:select(req))
    for _ = 1, 5 do
      local again = assert(client():select(req))
      assert.are.same(names(first), names(again))
      for i, c in ipairs(first) do assert.are.equal(c.score, again[i].score) end
    end
  end)

  it("rejects bad input naming the field, the rule and the value", function()
    local cases = {
      { { prompt = "x", duration = 0 }, "duration must be between 1 and 60, got 0" },
      { { prompt = "x", durration = 5 }, "durration is not a known field (did you mean duration?)" },
      { { prompt = "x", intent = "cinematik" }, 'intent must be one of' },
      { { prompt = "x", aspect_ratio = "5:4" },
        'aspect_ratio must be one of "16:9", "9:16", "1:1", "21:9", "4:3", "3:4", got "5:4"' },
      { { prompt = "x", image_url = "file:///tmp/a.png" },
        'image_url must be an http(s) URL, got "file:///tmp/a.png"' },
      { { prompt = "x", end_image_url = "https://example.com/b.png" },
        "image_url is required when end_image_url is set" },
      { { prompt = "x", max_cost = 0 }, "max_cost must be greater than 0, got 0" },
      { { prompt = "x", provider = "seedanse_2" },
        'provider must be "auto" or a provider of heygen.providers, got "seedanse_2" (did you mean "seedance_2"?)' },
    }
    for _, case in ipairs(cases) do
      local list, err = hg:select(case[1])
      assert.is_nil(list)
      assert.are.equal("invalid_argument", err.kind)
      assert.truthy(err.message:find(case[2], 1, true), err.message)
    end
  end)

  it("leaves out what a provider cannot make, with the reason", function()
    local list, excluded = assert(hg:select { prompt = "x", aspect_ratio = "21:9" })
    assert.are.same({ "seedance_2", "seedance_2_fast" }, names(list))
    assert.are.equal("no 21:9 (offers 16:9, 9:16, 1:1)", excluded_reason(excluded, "kling_v3_pro"))
    list = hg:select { prompt = "x", image_url = "https://example.com/a.png",
      end_image_url = "https://example.com/b.png" }
    assert.are.equal("fal-ai/veo3.1/first-last-frame-to-video", by_name(list).fal_veo_3_1.model)
    assert.are.equal("https://example.com/b.png", by_name(list).fal_veo_3_1.plan.input.last_frame_url)
    assert.are.equal("https://example.com/b.png", by_name(list).kling_v2_1.plan.input.tail_image_url)
    list, excluded = hg:select { prompt = "x", reference_image_urls = { "https://example.com/a.png" } }
    assert.are.same({ "seedance_2", "fal_veo_3_1", "seedance_2_fast" }, names(list))
    assert.are.equal("no reference-to-video", excluded_reason(excluded, "kling_v3_pro"))
  end)
end)

describe("users", function()
  after_each(function()
    providers.remove("seedance_2_1080p")
    providers.kling_v3_pro.quality = 0.88
  end)

  it("add an entry that extends another, priced and ranked like the rest", function()
    providers.add { extends = "seedance_2", name = "seedance_2_1080p", label = "Seedance 2.0 at 1080p",
      inputs = { image = "image_url", end_image = "end_image_url", references = "image_urls", duration = "%d",
        audio = "generate_audio", aspect_ratio = "aspect_ratio", extra = { resolution = "1080p" } },
      cost = { per_second = 0.6804 }, quality = 0.97 }
    local c = by_name(assert(hg:select { prompt = "a cinematic shot", duration = 5 }))
    assert.are.equal(3.402, c.seedance_2_1080p.est_cost)
    assert.are.equal("1080p", c.seedance_2_1080p.plan.input.resolution)
    assert.are.equal("720p", c.seedance_2.plan.input.resolution)
  end)

  it("override a number and the ranking follows", function()
    local req = { prompt = "a dance", intent = "social" }
    assert.are.same({ "kling_v3_standard", "kling_v3_pro", "seedance_2" }, names(assert(hg:select(req)), 3))
    providers.kling_v3_pro.quality = 0.99
    assert.are.same({ "kling_v3_pro", "kling_v3_standard", "seedance_2" }, names(assert(hg:select(req)), 3))
  end)

  it("get a clear error for a malformed entry", function()
    assert.has_error(function() providers.add { name = "mine", gateway = "fal" } end)
    assert.has_error(function() providers.add { extends = "nope", name = "mine" } end,
      "providers.add: unknown provider to extend: nope")
  end)
end)
