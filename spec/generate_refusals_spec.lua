-- hg:generate where it must not fall back: HeyGen's retired workflow endpoint, refusals that
-- end a run, a request checked before anything is sent; and the examples built on it
-- (fal_seedance.lua, auto_generate.lua) run as a user runs them.
local heygen = require "heygen"
local support = require "support"
local G = require "generate_env"

local emu, hg = G.use()
local CINEMATIC, control, submits = G.CINEMATIC, G.control, G.submits

describe("HeyGen's retired workflow endpoint", function()
  it("a direct hg:generate_video says it is retired and names the fal model to use instead", function()
    emu:fault { method = "POST", path = "/v1/workflows", retired = true, times = -1 }
    local job, err = hg:generate_video { prompt = CINEMATIC, provider = "veo_3_1" }
    assert.is_nil(job)
    assert.are.equal("retired", err.kind)
    assert.are.equal(410, err.status)
    assert.are.equal("fal_veo_3_1", err.alternative)
    assert.matches("retired on 2026%-11%-01", err.message)
    assert.matches('provider = "fal_veo_3_1"', err.message)
    assert.matches("fal model fal%-ai/veo3%.1", err.message)
  end)

  it("hg:generate falls back to the same family on fal.ai", function()
    emu:fault { method = "POST", path = "/v1/workflows", retired = true, times = -1 }
    local job = assert(hg:generate { prompt = CINEMATIC,
      provider = { "veo_3_1", "sora_v2_pro", "kling_v3_standard", "fal_veo_3_1_fast" } })
    assert.are.equal("fal_veo_3_1_fast", job.provider)
    assert.are.equal("retired", job.attempts[1].error.kind)
    assert.are.same({ "/v1/workflows/executions", "/fal/fal-ai/veo3.1/fast" }, submits())
    assert.are.equal("sora_v2_pro", job.skipped[1].provider)
    assert(job:wait { timeout = 30 })
  end)
end)

describe("hg:generate never falls back", function()
  it("on invalid_argument from the gateway", function()
    control("bytedance/seedance-2.0", { reject = { status = 422, detail = { { loc = { "body", "prompt" },
      msg = "prompt is too long", type = "value_error" } } } })
    local job, err = hg:generate { prompt = CINEMATIC }
    assert.is_nil(job)
    assert.are.equal("invalid_argument", err.kind)
    assert.matches("prompt: prompt is too long", err.message)
    assert.are.equal(1, #submits())
  end)

  it("on a content-policy refusal at submit: the prompt goes to no other paid provider", function()
    control("bytedance/seedance-2.0", { content_policy = "submit" })
    local job, err = hg:generate { prompt = CINEMATIC }
    assert.is_nil(job)
    assert.are.equal("content_policy", err.kind)
    assert.matches("flagged by a content checker", err.message)
    assert.matches("refused the prompt under its content policy: it is not sent to another paid provider",
      err.message)
    assert.are.same({ "/fal/bytedance/seedance-2.0/text-to-video" }, submits())
  end)

  it("on a content-policy refusal at result: the job fails content_policy and nothing is re-submitted", function()
    control("bytedance/seedance-2.0", { content_policy = "result" })
    local job = assert(hg:generate { prompt = CINEMATIC })
    local result, err = job:wait { timeout = 30 }
    assert.is_nil(result)
    assert.are.equal("content_policy", err.kind)
    assert.are.equal("content_policy_violation", err.code)
    assert.are.equal(1, #job.attempts)
    assert.are.same({ "/fal/bytedance/seedance-2.0/text-to-video" }, submits())
  end)

  it("when a HeyGen submit answered 5xx, since the render may exist", function()
    emu:fault { method = "POST", path = "/v1/workflows", status = 500 }
    local job, err = hg:generate { prompt = CINEMATIC, provider = { "veo_3_1", "kling_pro" } }
    assert.is_nil(job)
    assert.are.equal("server", err.kind)
    assert.is_true(err.maybe_created)
    assert.are.equal(1, #submits())
  end)

  it("when waiting times out: the job keeps running and is resumable", function()
    control("bytedance/seedance-2.0", { stuck = true })
    local job = assert(hg:generate { prompt = CINEMATIC })
    local result, err = job:wait { timeout = 0.3 }
    assert.is_nil(result)
    assert.are.equal("timeout", err.kind)
    assert.are.equal(job.id, err.job_id)
    assert.are.equal(1, #submits())
    emu:job(job.id, { complete = true })
    assert(job:wait { timeout = 30 })
    assert.are.equal("seedance_2", job.provider)
    assert.are.equal(1, #submits())
  end)

  it("after a cancel: the render is cancelled remotely and nothing else is submitted", function()
    control("bytedance/seedance-2.0", { queue = 50 })
    local job = assert(hg:generate { prompt = CINEMATIC })
    assert.is_true((job:cancel()))
    assert.are.equal("cancelled", job.status)
    local _, err = job:wait { timeout = 5 }
    assert.are.equal("cancelled", err.kind)
    assert.are.equal(1, #emu:requests { method = "PUT", path = "/cancel$" })
    assert.are.equal(1, #submits())
  end)
end)

describe("hg:generate checks its request before anything is sent", function()
  it("names the field, the rule and the value", function()
    local cases = {
      { {}, "prompt is required, got nothing" },
      { { prompt = "" }, "prompt must not be empty" },
      { { prompt = "x", fallbak = false }, "fallbak is not a known field (did you mean fallback?)" },
      { { prompt = "x", max_attempts = 0 }, "max_attempts must be between 1 and 10, got 0" },
      { { prompt = "x", duration = "5" }, 'duration must be a number, got "5"' },
      { { prompt = "x", provider = { "seedance_2", "klingg_pro" } }, '(did you mean "kling_pro"?)' },
      { { prompt = "x", aspect_ratio = "21:9", provider = "kling_pro" },
        "no provider can make this request: kling_pro: no 21:9" },
    }
    for _, case in ipairs(cases) do
      local job, err = hg:generate(case[1])
      assert.is_nil(job)
      assert.are.equal("invalid_argument", err.kind)
      assert.truthy(err.message:find(case[2], 1, true), err.message)
    end
    assert.are.equal(0, #emu:requests {})
  end)

  it("raises on unknown wait options", function()
    local job = assert(hg:generate { prompt = CINEMATIC })
    assert.has_error(function() job:wait { timout = 5 } end,
      "job:wait: unknown option 'timout' (did you mean 'timeout'?)")
  end)
end)

-- The two example scripts, run as a user runs them, against this emulator
-- (keys and base URLs from the environment, as in production).
describe("the examples", function()
  local shell = require "shell"
  local ROOT = io.popen("pwd"):read("l")
  local BIN = os.getenv("HEYGEN_LUA_BIN") or ROOT .. "/build/heygen-lua"
  if BIN:sub(1, 1) ~= "/" then BIN = ROOT .. "/" .. BIN end
  if not io.open(BIN, "rb") then BIN = "lua5.4" end

  local function run(name, args)
    local argv = { BIN, ROOT .. "/examples/" .. name .. ".lua" }
    for _, a in ipairs(args) do argv[#argv + 1] = a end
    return shell.run(argv, { env = {
      HEYGEN_API_KEY = support.API_KEY, FAL_KEY = support.FAL_KEY, HEYGEN_API = "v2",
      HEYGEN_BASE_URL = emu.url, HEYGEN_UPLOAD_URL = emu.upload_url, FAL_QUEUE_URL = emu.fal_url,
      HEYGEN_TOKEN = false, FAL_AI_API_KEY = false, LUA_INIT = false, LUA_INIT_5_4 = false,
      LUA_PATH = ROOT .. "/lua/?.lua;" .. ROOT .. "/lua/?/init.lua;;", LUA_CPATH = ROOT .. "/build/?.so;;",
    } })
  end

  it("fal_seedance.lua makes an image-to-video clip with Seedance's own field names and writes the MP4", function()
    local out = support.tmpname(".mp4")
    local r = run("fal_seedance", { "--prompt", "She turns to the camera", "--image", "https://example.com/a.png",
      "--duration", "8", "--aspect", "9:16", "--fast", "--out", out, "--json" })
    assert.are.equal(0, r.code, shell.describe(r))
    assert.are.equal(support.sample_mp4(), support.read(out))
    local v = heygen.json.decode(r.out)
    assert.are.equal("bytedance/seedance-2.0/fast/image-to-video", v.model)
    assert.are.equal(3, v.log_lines)
    assert.matches("fal: Encoding video", r.err)
    local body = heygen.json.decode(emu:requests { method = "POST", path = "^/fal/" }[1].body)
    assert.are.same({ prompt = "She turns to the camera", image_url = "https://example.com/a.png", duration = "8",
      aspect_ratio = "9:16", resolution = "720p", generate_audio = true }, body)
    os.remove(out)
  end)

  it("auto_generate.lua shows the ranking, falls back past a failing provider and writes the MP4", function()
    control("bytedance/seedance-2.0", { reject = { status = 503 } })
    local out = support.tmpname(".mp4")
    local r = run("auto_generate", { "--prompt", CINEMATIC, "--out", out, "--json" })
    assert.are.equal(0, r.code, shell.describe(r))
    assert.are.equal(support.sample_mp4(), support.read(out))
    assert.matches(" 1%. seedance_2 +fal +score 0%.861 +%$1%.52", r.err)
    assert.matches("made by kling_v3_standard after 2 attempts", r.err)
    local v = heygen.json.decode(r.out)
    assert.are.equal("kling_v3_standard", v.provider)
    assert.are.equal(2, #v.attempts)
    assert.matches("server: No runner could be scheduled", v.attempts[1].error)
    os.remove(out)
  end)
end)
