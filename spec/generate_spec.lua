-- hg:generate against the emulator: the best candidate first, real fallback (on submit and
-- while waiting), and what ends a gateway or a provider for the rest of a run. Where it must
-- not fall back, and the examples: spec/generate_refusals_spec.lua.
local heygen = require "heygen"
local support = require "support"
local G = require "generate_env"

local emu, hg = G.use()
local CINEMATIC, control, submits = G.CINEMATIC, G.control, G.submits

local function no_env_key(names)
  for _, n in ipairs(names) do
    if os.getenv(n) and os.getenv(n) ~= "" then return false end
  end
  return true
end

-- The log index of the status read that first showed job `id` terminal.
local function terminal_read(id)
  for _, r in ipairs(emu:requests { method = "GET", path = "/status$" }) do
    if r.path:find(id, 1, true) and r.status == 200 then return r.seq end
  end
end

local function submit_seq(path)
  for _, r in ipairs(emu:requests { method = "POST" }) do
    if r.path == path then return r.seq end
  end
end

describe("hg:generate", function()
  it("submits the best candidate's own input and downloads its video", function()
    local job = assert(hg:generate { prompt = CINEMATIC })
    assert.are.equal("seedance_2", job.provider)
    assert.are.equal("fal", job.gateway)
    assert.are.equal("fal", job.kind)
    assert.are.equal(1, #job.attempts)
    assert.are.equal(job.id, job.attempts[1].job_id)
    assert.are.same({ "/fal/bytedance/seedance-2.0/text-to-video" }, submits())
    local body = heygen.json.decode(emu:requests { method = "POST", path = "^/fal/" }[1].body)
    assert.are.same({ prompt = CINEMATIC, duration = "5", resolution = "720p", generate_audio = true }, body)
    local result = assert(job:wait { timeout = 30 })
    assert.are.equal("completed", job.status)
    local out = support.tmpname(".mp4")
    assert.are.equal(out, job:download(out))
    assert.are.equal(support.sample_mp4(), support.read(out))
    os.remove(out)
    assert.is_string(result.video_url)
  end)

  it("falls back when the first provider refuses the submit, recording the attempt", function()
    control("bytedance/seedance-2.0", { reject = { status = 503 } })
    local job = assert(hg:generate { prompt = CINEMATIC })
    assert.are.equal("kling_v3_standard", job.provider)
    assert.are.equal(2, #job.attempts)
    local first = job.attempts[1]
    assert.are.equal("seedance_2", first.provider)
    assert.is_nil(first.job_id)
    assert.are.equal("server", first.error.kind)
    assert.are.equal("runner_scheduling_failure", first.error.fal_error_type)
    assert.are.same({ "/fal/bytedance/seedance-2.0/text-to-video",
      "/fal/fal-ai/kling-video/v3/standard/text-to-video" }, submits())
    assert(job:wait { timeout = 30 })
  end)

  it("falls back while waiting when the render fails on the provider's side, only once it is over", function()
    control("fal-ai/kling-video/v3/standard", { fail = true })
    local job = assert(hg:generate { prompt = CINEMATIC, provider = { "kling_v3_standard", "fal_veo_3_1_fast" } })
    local failed_id = job.id
    local seen = {}
    local result = assert(job:wait { timeout = 30, on_progress = function(j) seen[j.provider] = true end })
    assert.is_true(seen.kling_v3_standard and seen.fal_veo_3_1_fast)
    assert.are.equal("fal_veo_3_1_fast", job.provider)
    assert.are.equal(job.attempts[2].job_id, job.id)
    assert.are.equal("job_failed", job.attempts[1].error.kind)
    assert.are.equal("runner_disconnected", job.attempts[1].error.code)
    assert.are.equal(failed_id, job.attempts[1].job_id)
    -- the replacement left only after the emulator had said the first one was over
    assert.is_true(terminal_read(failed_id) < submit_seq("/fal/fal-ai/veo3.1/fast"))
    assert.are.equal(0.63 + 1.2, job.spent) -- Kling v3 Standard 5 s with audio, Veo 3.1 Fast 8 s with audio
    assert.is_string(result.video_url)
  end)

  it("falls back on a rate limit that outlasts the client's retries", function()
    control("bytedance/seedance-2.0", { reject = { status = 429, retry_after = 0 } })
    local job = assert(hg:generate { prompt = CINEMATIC })
    assert.are.equal("rate_limit", job.attempts[1].error.kind)
    assert.are.equal("kling_v3_standard", job.provider)
    assert.are.equal(3, #emu:requests { method = "POST", path = "^/fal/bytedance" }) -- 1 + max_retries
  end)

  it("falls back to HeyGen when the fal gateway is down", function()
    local down = support.client(emu, { fal_url = "http://127.0.0.1:9/fal" })
    local job = assert(down:generate { prompt = CINEMATIC, provider = { "seedance_2", "veo_3_1" } })
    assert.are.equal("network", job.attempts[1].error.kind)
    assert.are.equal("veo_3_1", job.provider)
    assert.are.equal("workflow", job.kind)
    assert(job:wait { timeout = 30 })
    local out = support.tmpname(".mp4")
    assert(job:download(out))
    assert.are.equal(support.sample_mp4(), support.read(out))
    os.remove(out)
  end)

  it("uses HeyGen when fal has no key, and sends nothing to fal", function()
    if not no_env_key { "FAL_KEY", "FAL_AI_API_KEY" } then pending("FAL_KEY is set in this environment") return end
    local heygen_only = heygen.client { api_key = support.API_KEY, api = "v2", base_url = emu.url,
      fal_url = emu.fal_url, poll = { initial = 0.05, factor = 1.5, max = 0.25 }, poll_budget = 0 }
    local job = assert(heygen_only:generate { prompt = CINEMATIC })
    assert.are.equal("heygen", job.gateway)
    assert.are.equal("workflow", job.kind)
    local seedance_excluded
    for _, e in ipairs(job.excluded) do
      if e.provider == "seedance_2" then seedance_excluded = e.reasons[1] end
    end
    assert.are.equal("no fal.ai key (set FAL_KEY or pass fal_key)", seedance_excluded)
    assert(job:wait { timeout = 30 })
    assert.are.equal(0, #emu:requests { path = "^/fal/" })
    local body = heygen.json.decode(emu:requests { method = "POST", path = "^/v1/workflows" }[1].body)
    assert.are.equal(job.provider, body.input.provider)
    assert.are.equal(CINEMATIC, body.input.prompt)
  end)

  it("lists each attempt when every candidate fails", function()
    for _, app in ipairs { "bytedance/seedance-2.0", "fal-ai/kling-video", "fal-ai/veo3.1" } do
      control(app, { reject = { status = 502 } })
    end
    local job, err = hg:generate { prompt = CINEMATIC, provider = { "seedance_2", "kling_v3_pro", "fal_veo_3_1" } }
    assert.is_nil(job)
    assert.are.equal("server", err.kind)
    assert.are.equal(3, #err.attempts)
    assert.matches("every candidate failed after 3 attempts: 1%) seedance_2 %(fal%): server: ", err.message)
    assert.matches("2%) kling_v3_pro %(fal%): server: ", err.message)
    assert.matches("3%) fal_veo_3_1 %(fal%): server: Runner returned an incomplete response", err.message)
    assert.are.equal(3, #submits())
  end)

  it("lists each attempt and job when every render fails on the provider's side", function()
    control("fal-ai/kling-video", { fail = true })
    control("fal-ai/veo3.1", { fail = { error = "Request timed out", error_type = "request_timeout" } })
    local job = assert(hg:generate { prompt = CINEMATIC, provider = { "kling_v3_standard", "fal_veo_3_1_fast" } })
    local ids = { job.id }
    local result, err = job:wait { timeout = 30 }
    ids[2] = job.id
    assert.is_nil(result)
    assert.are.equal("job_failed", err.kind)
    assert.are.equal("failed", job.status)
    assert.truthy(err.message:find("1) kling_v3_standard (fal, job " .. ids[1] .. "): job_failed: Runner disconnected",
      1, true), err.message)
    assert.truthy(err.message:find("2) fal_veo_3_1_fast (fal, job " .. ids[2] .. "): job_failed: Request timed out",
      1, true), err.message)
    assert.is_true(terminal_read(ids[1]) < submit_seq("/fal/fal-ai/veo3.1/fast"))
  end)

  it("stops at max_attempts", function()
    for _, app in ipairs { "bytedance/seedance-2.0", "fal-ai/kling-video" } do
      control(app, { reject = { status = 503 } })
    end
    local _, err = hg:generate { prompt = CINEMATIC, max_attempts = 2 }
    assert.matches("^stopped at max_attempts 2 after 2 attempts: 1%) seedance_2", err.message)
    assert.are.equal(2, #submits())
  end)

  it("stops when the next candidate would take the spend past max_cost", function()
    control("bytedance/seedance-2.0", { fail = true })
    local job = assert(hg:generate { prompt = CINEMATIC, provider = { "seedance_2", "kling_v3_pro" }, max_cost = 2 })
    local _, err = job:wait { timeout = 30 }
    assert.are.equal("job_failed", err.kind)
    assert.are.equal("Runner disconnected (stopped: the next candidate, kling_v3_pro at $0.84, would take the "
      .. "spend past max_cost $2.00)", err.message)
    assert.are.equal(1, #err.attempts)
    assert.are.equal(1, #submits())
  end)

  it("stops at the first failure with fallback = false", function()
    control("bytedance/seedance-2.0", { reject = { status = 503 } })
    local job, err = hg:generate { prompt = CINEMATIC, fallback = false }
    assert.is_nil(job)
    assert.are.equal("server", err.kind)
    assert.are.equal(1, #err.attempts)
    assert.are.equal(1, #submits())
  end)
end)

describe("hg:generate ends a gateway, not one model", function()
  local function fal_submits()
    local n = 0
    for _, p in ipairs(submits()) do if p:find("^/fal/") then n = n + 1 end end
    return n
  end

  it("after fal's 'User is locked: Exhausted balance' it goes to HeyGen with one fal submit spent", function()
    emu:call("POST", "/_emulator/fal/account", { locked = true })
    local job = assert(hg:generate { prompt = CINEMATIC, max_attempts = 10 })
    assert.are.equal("heygen", job.gateway)
    assert.are.equal(2, #job.attempts)
    assert.are.equal("insufficient_credit", job.attempts[1].error.kind)
    assert.is_true(job.attempts[1].error.account_locked)
    assert.are.equal(1, fal_submits())
    assert.is_true(#job.skipped >= 6)
    for _, sk in ipairs(job.skipped) do assert.are.equal("fal", sk.gateway) end
    assert.matches("gateway fal failed %(insufficient_credit: User is locked", job.skipped[1].reason)
    assert(job:wait { timeout = 30 })
  end)

  it("after an auth failure on fal it skips the other fal models and tries HeyGen", function()
    local wrong = support.client(emu, { fal_key = "fal-wrong-key-000000" })
    local job = assert(wrong:generate { prompt = CINEMATIC, provider = { "seedance_2", "kling_v3_pro", "veo_3_1" } })
    assert.are.equal("veo_3_1", job.provider)
    assert.are.equal("auth", job.attempts[1].error.kind)
    assert.are.same({ "/fal/bytedance/seedance-2.0/text-to-video", "/v1/workflows/executions" }, submits())
    assert.are.equal("kling_v3_pro", job.skipped[1].provider)
    assert.is_nil(tostring(job.attempts[1].error):find("fal-wrong-key-000000", 1, true))
  end)

  it("after HeyGen answers insufficient credit it skips the other HeyGen providers", function()
    emu:fault { method = "POST", path = "/v1/workflows", no_credit = true, times = -1 }
    local job = assert(hg:generate { prompt = CINEMATIC, provider = { "veo_3_1", "kling_pro", "kling_v3_standard" } })
    assert.are.equal("kling_v3_standard", job.provider)
    assert.are.equal("insufficient_credit", job.attempts[1].error.kind)
    assert.are.same({ "/v1/workflows/executions", "/fal/fal-ai/kling-video/v3/standard/text-to-video" }, submits())
  end)

  it("after an app's outage it skips the sibling variants of that app", function()
    control("bytedance/seedance-2.0", { reject = { status = 503 } })
    local job = assert(hg:generate { prompt = CINEMATIC,
      provider = { "seedance_2", "seedance_2_fast", "fal_veo_3_1" } })
    assert.are.equal("fal_veo_3_1", job.provider)
    assert.are.same({ "/fal/bytedance/seedance-2.0/text-to-video", "/fal/fal-ai/veo3.1" }, submits())
    assert.are.same({ provider = "seedance_2_fast", gateway = "fal" },
      { provider = job.skipped[1].provider, gateway = job.skipped[1].gateway })
    control("fal-ai/kling-video/v3/standard", { reject = { status = 502 } })
    job = assert(hg:generate { prompt = CINEMATIC, provider = { "kling_v3_standard", "kling_v3_pro", "fal_veo_3_1" } })
    assert.are.equal("fal_veo_3_1", job.provider)
    assert.are.equal("kling_v3_pro", job.skipped[1].provider)
  end)
end)
