-- fal.ai through hg:fal_submit against the emulator's fal queue: each model's
-- request shape, status / logs / result / cancel, and every documented error.
local heygen = require "heygen"
local support = require "support"

local emu = support.use_emulator()
local hg = support.client(emu)

local IMAGE, LAST = "https://example.com/first.png", "https://example.com/last.png"

local function control(model, spec) return emu:call("POST", "/_emulator/fal/models/" .. model, spec) end

local function posts() return emu:requests { method = "POST", path = "^/fal/" } end

describe("hg:fal_submit sends each model its own input, as the emulator receives it", function()
  local cases = {
    { "bytedance/seedance-2.0/text-to-video", "bytedance/seedance-2.0",
      { prompt = "Shot 1 (wide, slow push-in): a knight", duration = "8", aspect_ratio = "21:9",
        resolution = "720p", generate_audio = true } },
    { "bytedance/seedance-2.0/image-to-video", "bytedance/seedance-2.0",
      { prompt = "she turns", image_url = IMAGE, end_image_url = LAST, duration = "auto" } },
    { "bytedance/seedance-2.0/reference-to-video", "bytedance/seedance-2.0",
      { prompt = "@Image1 walks in", image_urls = { IMAGE }, audio_urls = { "https://example.com/a.mp3" } } },
    { "bytedance/seedance-2.0/fast/text-to-video", "bytedance/seedance-2.0",
      { prompt = "b-roll of a street", duration = "5", resolution = "480p" } },
    { "fal-ai/kling-video/v3/pro/text-to-video", "fal-ai/kling-video",
      { prompt = "a fox", duration = "10", aspect_ratio = "9:16", generate_audio = false,
        negative_prompt = "blur", cfg_scale = 0.5 } },
    { "fal-ai/kling-video/v3/standard/image-to-video", "fal-ai/kling-video",
      { prompt = "the fox runs", start_image_url = IMAGE, end_image_url = LAST, duration = "5" } },
    { "fal-ai/kling-video/v3/pro/text-to-video", "fal-ai/kling-video",
      { multi_prompt = { { prompt = "wide shot", duration = "3" }, { prompt = "close-up", duration = "4" } } } },
    { "fal-ai/kling-video/v2.1/master/text-to-video", "fal-ai/kling-video",
      { prompt = "a river", duration = "10", aspect_ratio = "1:1" } },
    { "fal-ai/kling-video/v2.1/pro/image-to-video", "fal-ai/kling-video",
      { prompt = "the river flows", image_url = IMAGE, tail_image_url = LAST, duration = "5" } },
    { "fal-ai/minimax/hailuo-02/standard/text-to-video", "fal-ai/minimax",
      { prompt = "[Push in] a lighthouse", duration = "6", prompt_optimizer = true } },
    { "fal-ai/minimax/hailuo-02/standard/image-to-video", "fal-ai/minimax",
      { prompt = "waves", image_url = IMAGE, end_image_url = LAST, duration = "10", resolution = "768P" } },
    { "fal-ai/veo3.1", "fal-ai/veo3.1",
      { prompt = "a chef says: \"Bon appetit\"", duration = "8s", aspect_ratio = "16:9", generate_audio = true,
        seed = 42, safety_tolerance = "4" } },
    { "fal-ai/veo3.1/fast/image-to-video", "fal-ai/veo3.1",
      { prompt = "the chef smiles", image_url = IMAGE, duration = "4s", aspect_ratio = "auto" } },
    { "fal-ai/veo3.1/first-last-frame-to-video", "fal-ai/veo3.1",
      { prompt = "day to night", first_frame_url = IMAGE, last_frame_url = LAST } },
    { "fal-ai/veo3.1/reference-to-video", "fal-ai/veo3.1",
      { prompt = "the same dog at the beach", image_urls = { IMAGE, LAST }, duration = "8s" } },
  }
  for _, case in ipairs(cases) do
    local model, app, input = case[1], case[2], case[3]
    it(model .. " gets the bare input with Key auth and answers with URLs under " .. app, function()
      local job = assert(hg:fal_submit(model, input))
      assert.are.equal("fal", job.kind)
      assert.are.equal(model, job.model_id)
      local sent = posts()
      assert.are.equal(1, #sent)
      assert.are.equal("/fal/" .. model, sent[1].path)
      assert.are.equal("Key " .. support.FAL_KEY, sent[1].headers.authorization)
      assert.is_nil(sent[1].headers["x-api-key"])
      assert.matches("application/json", sent[1].headers["content-type"])
      assert.are.same(input, heygen.json.decode(sent[1].body))
      local base = emu.fal_url .. "/" .. app .. "/requests/" .. job.id
      assert.are.equal(base .. "/status", job.status_url)
      assert.are.equal(base, job.response_url)
      assert.are.equal(base .. "/cancel", job.cancel_url)
    end)
  end
end)

describe("fal input checks happen before anything is sent", function()
  local bad = {
    { "fal-ai/kling-video/v3/pro/image-to-video", { prompt = "x", image_url = IMAGE },
      "image_url is not supported: Kling v3 takes the first frame as start_image_url" },
    { "fal-ai/kling-video/v3/pro/image-to-video", { prompt = "x", start_image_url = IMAGE, aspect_ratio = "1:1" },
      "aspect_ratio is not supported: Kling v3 image-to-video follows the start image's aspect ratio" },
    { "fal-ai/kling-video/v2.1/pro/image-to-video", { prompt = "x", image_url = IMAGE, end_image_url = LAST },
      "end_image_url is not supported: Kling v2.1 names the last frame tail_image_url" },
    { "fal-ai/kling-video/v2.1/master/text-to-video", { prompt = "x", duration = "8" },
      'duration must be one of "5", "10", got "8"' },
    { "fal-ai/veo3.1", { prompt = "x", duration = "8" }, 'duration must be one of "4s", "6s", "8s", got "8"' },
    { "fal-ai/minimax/hailuo-02/standard/text-to-video", { prompt = "x", duration = 6 },
      'duration must be one of "6", "10", got 6' },
    { "bytedance/seedance-2.0/text-to-video", { prompt = "x", seed = 7 },
      "seed is not supported: Seedance 2.0 returns a seed but takes none" },
    { "bytedance/seedance-2.0/fast/text-to-video", { prompt = "x", resolution = "1080p" },
      'resolution must be one of "480p", "720p", got "1080p"' },
    { "bytedance/seedance-2.0/reference-to-video", { prompt = "x", audio_urls = { "https://example.com/a.mp3" } },
      "reference-to-video needs image_urls or video_urls" },
    { "bytedance/seedance-2.0/image-to-video", { prompt = "x" }, "image_url is required, got nothing" },
    { "bytedance/seedance-2.0/text-to-video", { prompt = "x", durration = "5" },
      "durration is not a known field (did you mean duration?)" },
    { "fal-ai/kling-video/v3/pro/text-to-video", { prompt = "x", multi_prompt = { { prompt = "y" } } },
      "needs exactly one of {prompt} or {multi_prompt}, got both" },
    { "bytedance/seedance-2.0/text-to-vide", { prompt = "x" },
      'unknown fal model "bytedance/seedance-2.0/text-to-vide" '
        .. '(did you mean "bytedance/seedance-2.0/text-to-video"?)' },
    { "../../etc/passwd", { prompt = "x" }, 'model_id must look like "owner/app[/path]"' },
  }
  for _, case in ipairs(bad) do
    it("rejects " .. case[3], function()
      local job, err = hg:fal_submit(case[1], case[2])
      assert.is_nil(job)
      assert.are.equal("invalid_argument", err.kind)
      assert.truthy(err.message:find(case[3], 1, true), err.message)
      assert.are.equal(0, #posts())
    end)
  end

  it("raises on a missing model id (a programmer error)", function()
    assert.has_error(function() hg:fal_submit(nil, { prompt = "x" }) end)
  end)
end)

describe("a fal job", function()
  it("reports queue positions and new log lines to on_progress, then downloads the MP4", function()
    control("bytedance/seedance-2.0/text-to-video", { queue = 2, logs = { "Loading", "Rendering", "Muxing" } })
    local job = assert(hg:fal_submit("bytedance/seedance-2.0/text-to-video", { prompt = "a knight" }))
    assert.are.equal(2, job.queue_position)
    local positions, lines, statuses = {}, {}, {}
    local result = assert(job:wait { timeout = 30, on_progress = function(j)
      if j.queue_position then positions[#positions + 1] = j.queue_position end
      for _, l in ipairs(j.new_logs or {}) do lines[#lines + 1] = l.message end
      if statuses[#statuses] ~= j.status then statuses[#statuses + 1] = j.status end
    end })
    assert.are.same({ 2, 1, 0 }, positions)
    assert.are.same({ "Loading", "Rendering", "Muxing" }, lines)
    assert.are.same({ "pending", "processing", "completed" }, statuses)
    assert.are.equal(3, #job.logs)
    assert.are.equal(123456789, result.seed)
    assert.are.equal("video/mp4", result.content_type)
    local polls = emu:requests { method = "GET", path = "/status$" }
    assert.is_true(#polls >= 7)
    for _, p in ipairs(polls) do
      assert.are.equal("1", p.query.logs)
      assert.are.equal("/fal/bytedance/seedance-2.0/requests/" .. job.id .. "/status", p.path)
    end
    local out = support.tmpname(".mp4")
    assert.are.equal(out, job:download(out))
    assert.are.equal(support.sample_mp4(), support.read(out))
    assert.are.equal(#support.sample_mp4(), result.file_size)
    os.remove(out)
    assert.are.equal(1, #emu:requests { method = "GET", path = "^/fal/bytedance/seedance%-2%.0/requests/[^/]+$" })
  end)

  it("fails with job_failed carrying error and error_type when COMPLETED has an error", function()
    control("fal-ai/veo3.1", { fail = { error = "Runner disconnected", error_type = "runner_disconnected" } })
    local job = assert(hg:fal_submit("fal-ai/veo3.1", { prompt = "x" }))
    local result, err = job:wait { timeout = 30 }
    assert.is_nil(result)
    assert.are.equal("job_failed", err.kind)
    assert.are.equal("runner_disconnected", err.code)
    assert.matches("Runner disconnected", err.message)
    assert.are.equal(job.id, err.job_id)
    assert.are.equal("failed", job.status)
    -- a failed run is never asked for its output
    assert.are.equal(0, #emu:requests { method = "GET", path = "/requests/[^/]+$" })
  end)

  it("fails with the result endpoint's error when the output cannot be fetched", function()
    control("fal-ai/kling-video", { result = { status = 422, detail = { { loc = { "body", "prompt" },
      msg = "The prompt was flagged by the content checker", type = "content_policy_violation" } } } })
    local job = assert(hg:fal_submit("fal-ai/kling-video/v3/pro/text-to-video", { prompt = "x" }))
    local _, err = job:wait { timeout = 30 }
    -- a content-policy refusal at result time is the prompt's problem: its own kind (issue 17)
    assert.are.equal("content_policy", err.kind)
    assert.are.equal("content_policy_violation", err.code)
    assert.matches("prompt: The prompt was flagged by the content checker", err.message)
    assert.are.equal("failed", job.status)
  end)

  it("reads a job failed through the emulator's job control", function()
    emu:next_job { kind = "fal", fail = { code = "request_timeout", message = "Request timed out" } }
    local job = assert(hg:fal_submit("fal-ai/veo3.1/fast", { prompt = "x" }))
    local _, err = job:wait { timeout = 30 }
    assert.are.equal("request_timeout", err.code)
    assert.matches("Request timed out", err.message)
  end)

  it("reads statuses fal does not send (FAILED, CANCELED) defensively", function()
    local job = assert(hg:fal_submit("fal-ai/veo3.1", { prompt = "x" }))
    emu:fault { method = "GET", path = "/status$", status = 200, body = { status = "FAILED", error = "boom" } }
    assert.are.equal("failed", job:refresh())
    assert.matches("boom", job.error.message)
    local other = assert(hg:fal_submit("fal-ai/veo3.1", { prompt = "y" }))
    emu:fault { method = "GET", path = "/status$", status = 200, body = { status = "CANCELED" } }
    assert.are.equal("cancelled", other:refresh())
  end)

  it("re-attaches by model id and request id, rebuilding the queue URLs", function()
    local first = assert(hg:fal_submit("fal-ai/minimax/hailuo-02/standard/text-to-video", { prompt = "x" }))
    local again = hg:fal_job("fal-ai/minimax/hailuo-02/standard/text-to-video", first.id)
    local result = assert(again:wait { timeout = 30 })
    assert.is_string(result.video_url)
    assert.are.equal(1, #posts())
    local polls = emu:requests { method = "GET", path = "/status$" }
    assert.are.equal("/fal/fal-ai/minimax/requests/" .. first.id .. "/status", polls[#polls].path)
  end)

  it("resumes from the journal after a crash without submitting again", function()
    local journal = support.tmpname(".jsonl")
    local jhg = support.client(emu, { journal = journal })
    local job = assert(jhg:fal_submit("bytedance/seedance-2.0/fast/text-to-video", { prompt = "x" }))
    local list = heygen.resume(journal, support.client(emu))
    assert.are.equal(1, #list)
    assert.are.equal(job.id, list[1].id)
    assert(list[1]:wait { timeout = 30 })
    assert.are.equal(1, #posts())
    os.remove(journal)
  end)

  it("never sends the key to a URL outside the fal base it was given", function()
    local job = hg:fal_job("fal-ai/veo3.1", "abc")
    job.status_url = "https://evil.example.com/steal"
    local _, err = job:refresh()
    assert.are.equal("not_found", err.kind) -- asked the emulator (rebuilt URL), not evil.example.com
    assert.are.equal("/fal/fal-ai/veo3.1/requests/abc/status", emu:requests { path = "^/fal/" }[1].path)
  end)
end)

describe("cancelling a fal job", function()
  it("sends PUT cancel_url while queued: CANCELLATION_REQUESTED, then the job reads cancelled", function()
    control("fal-ai/kling-video", { queue = 5 })
    local job = assert(hg:fal_submit("fal-ai/kling-video/v3/standard/text-to-video", { prompt = "x" }))
    local ok, answer = job:cancel()
    assert.is_true(ok)
    assert.are.equal("CANCELLATION_REQUESTED", answer.status)
    assert.are.equal("cancelled", job.status)
    local put = emu:requests { method = "PUT" }
    assert.are.equal(1, #put)
    assert.are.equal("/fal/fal-ai/kling-video/requests/" .. job.id .. "/cancel", put[1].path)
    assert.are.equal("Key " .. support.FAL_KEY, put[1].headers.authorization)
    local view = hg:fal_job("fal-ai/kling-video/v3/standard/text-to-video", job.id)
    assert.are.equal("cancelled", view:refresh())
  end)

  it("keeps the real outcome on ALREADY_COMPLETED", function()
    local job = assert(hg:fal_submit("fal-ai/veo3.1", { prompt = "x" }))
    emu:job(job.id, { complete = true })
    local ok, answer = job:cancel()
    assert.is_true(ok)
    assert.are.equal("ALREADY_COMPLETED", answer.status)
    assert.are.equal("completed", job.status)
    assert.is_string(job.result.video_url)
  end)

  it("stops following a request fal does not know (NOT_FOUND)", function()
    local job = hg:fal_job("fal-ai/veo3.1", "00000000-0000-4000-a000-000000000000")
    local ok, answer = job:cancel()
    assert.is_true(ok)
    assert.are.equal("NOT_FOUND", answer.status)
    assert.are.equal("cancelled", job.status)
  end)

  it("accepts a 200 {status = OK}", function()
    local job = assert(hg:fal_submit("fal-ai/veo3.1", { prompt = "x" }))
    emu:fault { method = "PUT", path = "/fal/", status = 200, body = { status = "OK" } }
    local ok, answer = job:cancel()
    assert.is_true(ok)
    assert.are.equal("OK", answer.status)
    assert.are.equal("cancelled", job.status)
  end)
end)

describe("fal errors", function()
  it("turns a 422 detail list into invalid_argument naming the fields", function()
    control("bytedance/seedance-2.0/text-to-video", { reject = { status = 422, detail = {
      { loc = { "body", "prompt" }, msg = "The prompt was flagged", type = "value_error.prompt" },
      { loc = { "body", "duration" }, msg = "too long for this account", type = "value_error" } } } })
    local job, err = hg:fal_submit("bytedance/seedance-2.0/text-to-video", { prompt = "x" })
    assert.is_nil(job)
    assert.are.equal("invalid_argument", err.kind)
    assert.are.equal(422, err.status)
    assert.matches("fal rejected the input: prompt: The prompt was flagged; duration: too long", err.message)
    assert.are.equal("value_error.prompt", err.detail[1].type)
    assert.are.equal(1, #posts())
  end)

  it("keeps X-Fal-Error-Type and never repeats a submit that got a 5xx", function()
    control("fal-ai/veo3.1", { reject = { status = 503 } })
    local _, err = hg:fal_submit("fal-ai/veo3.1", { prompt = "x" })
    assert.are.equal("server", err.kind)
    assert.are.equal(503, err.status)
    assert.are.equal("runner_scheduling_failure", err.fal_error_type)
    assert.are.equal("runner_scheduling_failure", err.code)
    assert.matches("No runner could be scheduled", err.message)
    assert.are.equal(1, #posts())
  end)

  it("retries a submit refused with 429 (nothing was created) and then succeeds", function()
    control("fal-ai/veo3.1", { reject = { status = 429, retry_after = 0 }, times = 1 })
    local job = assert(hg:fal_submit("fal-ai/veo3.1", { prompt = "x" }))
    assert.is_string(job.id)
    assert.are.equal(2, #posts())
  end)

  it("answers 404 for a model fal does not serve", function()
    local _, err = hg:fal_submit("fal-ai/kling-video/v2.1/pro/text-to-video", { prompt = "x" })
    assert.are.equal("not_found", err.kind)
    assert.matches("not found", err.message)
  end)

  it("is auth on a key the gateway refuses, and the key never shows", function()
    local wrong = support.client(emu, { fal_key = "fal-wrong-key-000000" })
    local _, err = wrong:fal_submit("fal-ai/veo3.1", { prompt = "x" })
    assert.are.equal("auth", err.kind)
    assert.are.equal(401, err.status)
    assert.is_nil(tostring(err):find("fal-wrong-key-000000", 1, true))
    assert.are.equal("Key fal-wrong-key-000000", posts()[1].headers.authorization)
  end)

  it("is auth before any request without a fal key", function()
    local heygen_only = heygen.client { api_key = support.API_KEY, fal_url = emu.fal_url, base_url = emu.url }
    local saved = { os.getenv("FAL_KEY"), os.getenv("FAL_AI_API_KEY") }
    if saved[1] or saved[2] then pending("FAL_KEY is set in this environment") return end
    local _, err = heygen_only:fal_submit("fal-ai/veo3.1", { prompt = "x" })
    assert.are.equal("auth", err.kind)
    assert.matches("FAL_KEY", err.message)
    assert.are.equal(0, #posts())
  end)
end)
