-- The emulator's closed bodies under the strict contract (the client's calls: spec/api/*_spec.lua).
local env = require "api.v3_env"
local support = require "support"

local _, hg = env.use()
local VOICE = env.VOICE

describe("the emulator's closed bodies (the strict contract's additionalProperties: false)", function()
  local function post(method, path, body)
    return hg:request { method = method, path = path, envelope = "v3", json = body }
  end
  local VIDEO = { type = "url", url = "https://example.com/in.mp4" }

  it("answers 400 invalid_parameter naming an unknown field, at the top and inside an AssetInput", function()
    local cases = {
      { "POST", "/v3/video-agents", { prompt = "x", auto_proceed = true }, "auto_proceed" },
      { "POST", "/v3/voices/speech", { text = "Hi", voice_id = VOICE, pitch = 2 }, "pitch" },
      { "POST", "/v3/video-translations", { video = VIDEO, output_languages = { "French (France)" }, colour = 1 },
        "colour" },
      { "POST", "/v3/video-translations", { video = { type = "url", url = VIDEO.url, asset_id = "a" },
        output_languages = { "French (France)" } }, "video.asset_id" },
      { "POST", "/v3/video-translations/proofreads", { video = VIDEO, title = "T",
        output_languages = { "French (France)" }, enable_caption = true }, "enable_caption" },
      { "POST", "/v3/lipsyncs", { video = VIDEO, audio = { type = "url", url = "https://example.com/a.mp3" },
        srt = VIDEO }, "srt" },
      { "POST", "/v3/webhooks/endpoints", { url = "https://example.com/h", secret = "s" }, "secret" },
      { "POST", "/v3/videos", { type = "image", script = "Hi", voice_id = VOICE,
        image = { type = "url", url = "https://example.com/p.png", media_type = "image/png" } }, "image.media_type" },
    }
    for _, c in ipairs(cases) do
      local data, err = post(c[1], c[2], c[3])
      assert.is_nil(data, c[2])
      assert.are.equal(400, err.status, c[2])
      assert.are.equal("invalid_parameter", err.code, c[2])
      assert.matches(c[4] .. " is not a known field (known: ", err.message, 1, true)
    end
    local ep = assert(hg:create_webhook_endpoint { url = "https://example.com/h" })
    local _, err = post("PATCH", "/v3/webhooks/endpoints/" .. ep.endpoint_id, { entity_id = "x" })
    assert.are.equal(400, err.status)
    assert.matches("entity_id is not a known field", err.message, 1, true)
    -- the known fields still pass, the contract's newer ones included
    assert(post("POST", "/v3/video-translations", { video = VIDEO, output_languages = { "French (France)" },
      stock_voice_config = { use_stock_voice = true }, brand_glossary_id = "bg_2d9e4a7c0f1b6835" }))
  end)

  it("stays independent of the client's validation code", function()
    local src = support.read("lua/heygen/emulator/v3.lua")
    assert.is_nil(src:find("heygen.validate", 1, true))
    assert.is_nil(src:find("heygen.api", 1, true))
  end)
end)
