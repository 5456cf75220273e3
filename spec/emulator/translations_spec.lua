-- The emulator's PATCH and DELETE of /v3/video-translations/{id} over raw HTTP.
local h = require "emulator.http"

local emu
setup(function() emu = h.start() end)
teardown(h.stop)
before_each(function() emu:reset() end)

local call, data = h.call, h.data
local VIDEO = {type = "url", url = "https://example.com/in.mp4"}

local function translation()
  local d = data("POST", "/v3/video-translations", {video = VIDEO, output_languages = {"French (France)"},
                                                     title = "Original"})
  return d.video_translation_ids and d.video_translation_ids[1] or d.video_translation_id or d.id
end

describe("emulator: PATCH /v3/video-translations/{id}", function()
  it("renames it: the answer and every later read carry the new title", function()
    local tid = translation()
    local d = data("PATCH", "/v3/video-translations/" .. tid, {title = "Renamed"})
    assert.are.equal(tid, d.id)
    assert.are.equal("Renamed", d.title)
    assert.is_string(d.status)
    assert.are.equal("Renamed", data("GET", "/v3/video-translations/" .. tid).title)
    local list = data("GET", "/v3/video-translations")
    assert.are.equal("Renamed", list[1].title)
  end)

  it("needs a title and no other field; an unknown id is a 404", function()
    local tid = translation()
    local status, v = call("PATCH", "/v3/video-translations/" .. tid, {})
    assert.are.equal(400, status)
    assert.are.equal("title is required, got null", v.error.message)
    status, v = call("PATCH", "/v3/video-translations/" .. tid, {title = "x", name = "y"})
    assert.are.equal(400, status)
    assert.matches("name is not a known field %(known: title%)", v.error.message)
    status, v = call("PATCH", "/v3/video-translations/" .. tid, {title = 7})
    assert.are.equal(400, status)
    assert.are.equal("title must be a string, got 7", v.error.message)
    status, v = call("PATCH", "/v3/video-translations/nope", {title = "x"})
    assert.are.equal(404, status)
    assert.are.equal("Video translation nope not found", v.error.message)
  end)
end)

describe("emulator: DELETE /v3/video-translations/{id}", function()
  it("answers its id; it is then gone from reads and lists, and a second delete is a 404", function()
    local tid = translation()
    local d = data("DELETE", "/v3/video-translations/" .. tid)
    assert.are.same({id = tid}, d)
    local status = call("GET", "/v3/video-translations/" .. tid)
    assert.are.equal(404, status)
    for _, t in ipairs(data("GET", "/v3/video-translations")) do assert.are_not.equal(tid, t.id) end
    status = call("DELETE", "/v3/video-translations/" .. tid)
    assert.are.equal(404, status)
  end)
end)

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
