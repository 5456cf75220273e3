-- text-to-video workflows (hg:generate_video) under the v1/v2 API
-- (the client against the emulator: the requests it sent, what the user sees).
local env = require "api.legacy_env"

local _, hg = env.use()
local sent = env.sent

describe("hg:generate_video (text-to-video workflows)", function()
  it("accepts every documented provider and sends it with GenerateVideoNode", function()
    local providers = require("heygen.api.rules").WORKFLOW_PROVIDERS
    assert.are.equal(13, #providers)
    for _, p in ipairs(providers) do
      local job = assert(hg:generate_video { prompt = "A lighthouse at dusk", provider = p })
      assert.are.equal(p, job.provider)
      local body = sent("POST", "^/v1/workflows/executions$")
      assert.are.same({ workflow_type = "GenerateVideoNode",
        input = { prompt = "A lighthouse at dusk", provider = p, aspect_ratio = "16:9" } }, body)
    end
  end)

  it("defaults to veo_3_1 and 16:9, and sends every aspect ratio, image, tail image and config", function()
    local job = assert(hg:generate_video { prompt = "x" })
    assert.are.equal("veo_3_1", job.provider)
    assert.are.same({ prompt = "x", provider = "veo_3_1", aspect_ratio = "16:9" }, sent("POST", "^/v1/workflows").input)
    for _, ratio in ipairs({ "16:9", "9:16", "1:1" }) do
      assert(hg:generate_video { prompt = "x", aspect_ratio = ratio })
      assert.are.equal(ratio, sent("POST", "^/v1/workflows").input.aspect_ratio)
    end
    assert(hg:generate_video { prompt = "The photo comes alive", provider = "kling_pro",
      reference_image_url = "https://example.com/first.png", tail_image_url = "https://example.com/last.png",
      config = { duration = 8, seed = 42 } })
    assert.are.same({ prompt = "The photo comes alive", provider = "kling_pro", aspect_ratio = "16:9",
      reference_image_url = "https://example.com/first.png", tail_image_url = "https://example.com/last.png",
      config = { duration = 8, seed = 42 } }, sent("POST", "^/v1/workflows").input)
  end)

  it("completes with the output video, and reports an unknown execution as not_found", function()
    local job = assert(hg:generate_video { prompt = "x", provider = "veo3_fast" })
    local result = assert(job:wait { timeout = 30 })
    assert.matches("/files/.+%.mp4%?Expires=", result.video_url)
    assert.are.equal(job.id, result.execution_id)
    local ghost = hg:job("workflow", "node-gw-doesnotexist")
    local status, err = ghost:refresh()
    assert.is_nil(status)
    assert.are.equal("not_found", err.kind)
    assert.are.equal("node-gw-doesnotexist", err.job_id)
  end)
end)
