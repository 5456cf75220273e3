-- The emulator's captions of a video translation over raw HTTP (its PATCH and DELETE:
-- spec/emulator/patch_delete_spec.lua).
local h = require "emulator.http"

local emu = h.use()

local call, data = h.call, h.data
local VIDEO = {type = "url", url = "https://example.com/in.mp4"}

local function translation()
  local d = data("POST", "/v3/video-translations", {video = VIDEO, output_languages = {"French (France)"},
                                                     title = "Original"})
  return d.video_translation_ids and d.video_translation_ids[1] or d.video_translation_id or d.id
end

describe("emulator: GET /v3/video-translations/{id}/caption", function()
  it("a completed captioned translation gives its SRT or VTT URL; otherwise a 400 saying why", function()
    local d = data("POST", "/v3/video-translations", {video = VIDEO, output_languages = {"French (France)"},
                                                       enable_caption = true})
    local tid = d.video_translation_ids[1]
    local status, v = call("GET", "/v3/video-translations/" .. tid .. "/caption?format=srt")
    assert.are.equal(400, status)
    assert.are.equal("Video translation " .. tid .. " is not completed", v.error.message)
    emu:advance(400)
    local url = data("GET", "/v3/video-translations/" .. tid .. "/caption?format=vtt").caption_url
    local code, bytes = h.fetch(url)
    assert.are.equal(200, code)
    assert.matches("^WEBVTT", bytes)
    status, v = call("GET", "/v3/video-translations/" .. tid .. "/caption?format=ass")
    assert.are.equal(400, status)
    assert.are.equal('format must be one of srt, vtt, got "ass"', v.error.message)
    local plain = translation()
    emu:advance(400)
    status, v = call("GET", "/v3/video-translations/" .. plain .. "/caption?format=srt")
    assert.are.equal(400, status)
    assert.matches("was created without enable_caption", v.error.message)
    assert.are.equal(404, (call("GET", "/v3/video-translations/nope/caption?format=srt")))
  end)
end)
