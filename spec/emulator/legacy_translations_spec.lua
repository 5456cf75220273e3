-- heygen.emulator over real loopback HTTP, seen the way a client sees it: the v2 video translate
-- (emulator/legacy/translations.lua).
-- Moved from spec/emulator_spec.lua (issue 18); the raw client and fixtures are spec/emulator/raw.lua.
-- Runs under lua5.4 and LuaJIT; the emulator child runs under the same kind of interpreter.
local R = require "emulator.raw"
local null, get, post, local_path = R.null, R.get, R.post, R.local_path

local emu = R.use()

describe("video translate", function()
  it("lists target languages as display names", function()
    local langs = get("/v2/video_translate/target_languages").json.data.languages
    assert.is_true(#langs > 5)
    assert.equal("English", langs[1])
  end)

  it("runs pending -> running -> success with the link in url", function()
    emu:config({time_scale = 1})
    local res = post("/v2/video_translate", {video_url = "https://example.com/v.mp4",
                                             output_language = "Spanish (Spain)", title = "Hola"})
    assert.equal(200, res.status)
    local id = res.json.data.video_translate_id
    local d = get("/v2/video_translate/" .. id).json.data
    assert.same({video_translate_id = id, title = "Hola", status = "pending", url = null, message = null}, d)
    emu:advance(31)
    assert.equal("running", get("/v2/video_translate/" .. id).json.data.status)
    emu:advance(300)
    d = get("/v2/video_translate/" .. id).json.data
    assert.equal("success", d.status)
    assert.matches("/files/" .. id .. "%.mp4%?Expires=", d.url)
    local cap = get("/v2/video_translate/caption?video_translate_id=" .. id .. "&caption_type=vtt").json.data
    assert.matches("^WEBVTT", get(local_path(cap.caption_url)).body)
  end)

  it("fails with a message and answers unknown ids 404", function()
    local src = "https://example.com/v.mp4"
    local id = post("/v2/video_translate", {video_url = src, output_language = "English"}).json.data.video_translate_id
    emu:job(id, {fail = {message = "No speech detected"}})
    local d = get("/v2/video_translate/" .. id).json.data
    assert.equal("failed", d.status)
    assert.equal(null, d.url)
    assert.equal("No speech detected", d.message)
    assert.equal(404, get("/v2/video_translate/ffff").status)
    assert.equal(400, post("/v2/video_translate", {video_url = src, output_language = "es-ES"}).status)
  end)
end)
