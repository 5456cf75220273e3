-- Background removal and AI clipping (the client against the emulator: what it sent, what the
-- user sees).
local env = require "api.v3_env"

local emu, hg = env.use()

describe("background removal and AI clipping", function()
  it("check their fields before any request, naming field, rule and value", function()
    local _, err = hg:remove_background {}
    assert.are.equal("invalid_argument", err.kind)
    assert.matches("video is required", err.message)
    _, err = hg:remove_background { video = "https://example.com/a.mp4", layers = { "alpha" } }
    assert.matches('layers%[1%] must be one of "foreground", "mask", "background", got "alpha"', err.message)
    _, err = hg:ai_clipping { video = { type = "base64", data = "AAAA", media_type = "video/mp4" } }
    assert.matches("video", err.message)
    _, err = hg:ai_clipping { video = "https://example.com/a.mp4", output_settings = { duration_types = { "90" } } }
    assert.matches('output_settings.duration_types%[1%] must be one of "30", "60", "180", "long", got "90"',
      err.message)
    _, err = hg:ai_clipping { video = "https://example.com/a.mp4", output_settings = { prompt = string.rep("p", 501) } }
    assert.matches("output_settings.prompt must be at most 500 characters, got 501 characters", err.message)
    _, err = hg:background_removals { limit = 500 }
    assert.matches("limit must be between 1 and 100, got 500", err.message)
    assert.are.equal(0, #emu:requests())
  end)

  it("re-attached jobs follow their own endpoints", function()
    local job = hg:job("background_removal", "br1")
    assert.are.equal("background_removal", job.kind)
    local clip = hg:job("ai_clipping", "c1")
    assert.are.equal("ai_clipping", clip.kind)
    local _, err = job:refresh()
    assert.is_truthy(env.last("GET", "^/v3/background%-removals/br1$"))
    assert.are.equal("not_found", err.kind)
    _, err = clip:refresh()
    assert.is_truthy(env.last("GET", "^/v3/ai%-clipping/c1$"))
    assert.are.equal("not_found", err.kind)
  end)
end)
