-- v3 voices: one, delete, design, clone (the client against the emulator: what it sent, what
-- the user sees). The list and text_to_speech: spec/api/avatars_spec.lua.
local env = require "api.v3_env"

local emu, hg = env.use()

describe("voices: design, clone, one, delete", function()
  it("voice reads one voice of the list, in the legacy shape too", function()
    local one, err = hg:voice(env.VOICE)
    assert.is_nil(err)
    assert.is_truthy(env.last("GET", "^/v3/voices/" .. env.VOICE .. "$"))
    assert.are.equal(env.VOICE, one.voice_id)
    assert.are.equal(one.preview_audio_url, one.preview_audio)
  end)

  it("design and clone check their fields before any request", function()
    local _, err = hg:design_voice {}
    assert.are.equal("invalid_argument", err.kind)
    assert.matches("prompt is required", err.message)
    _, err = hg:design_voice { prompt = "warm", seed = 1.5 }
    assert.matches("seed must be an integer, got 1.5", err.message)
    _, err = hg:clone_voice { voice_name = "Me" }
    assert.matches("audio is required", err.message)
    _, err = hg:clone_voice { voice_name = "Me", audio = "ftp://x/a.mp3" }
    assert.matches("audio", err.message)
    _, err = hg:clone_voice { voice_name = "", audio = "https://example.com/a.mp3" }
    assert.matches('voice_name must not be empty, got ""', err.message, 1, true)
    assert.has_error(function() hg:delete_voice("") end, "hg:delete_voice expects an id string, got an empty string")
    assert.are.equal(0, #emu:requests())
  end)
end)
