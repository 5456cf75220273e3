-- The emulator's own voices over raw HTTP (emulator/v3/voices.lua): design (seeded, private),
-- clone (trains on the clock), reads, the private list, delete; the catalogue reads unchanged.
local h = require "emulator.http"

local emu = h.use()

local call, data = h.call, h.data

describe("emulator: voice design", function()
  it("designs private voices from a description, the same for the same seed", function()
    local d = data("POST", "/v3/voices", {prompt = "A warm female narrator, calm and slow", locale = "fr-FR"})
    assert.are.equal(0, d.seed)
    assert.are.equal(3, #d.voices)
    for _, v in ipairs(d.voices) do
      assert.are.equal("private", v.type)
      assert.are.equal("female", v.gender)
      assert.are.equal("French", v.language)
      assert.is_true(v.support_locale)
      assert.matches("^%x+$", v.voice_id)
    end
    local again = data("POST", "/v3/voices", {prompt = "A warm female narrator, calm and slow", locale = "fr-FR"})
    assert.are.equal(d.voices[1].voice_id, again.voices[1].voice_id)
    local other = data("POST", "/v3/voices", {prompt = "A warm female narrator, calm and slow", locale = "fr-FR",
                                              seed = 7})
    assert.are.equal(7, other.seed)
    assert.are_not.equal(d.voices[1].voice_id, other.voices[1].voice_id)
    local one = data("GET", "/v3/voices/" .. d.voices[2].voice_id)
    assert.are.equal("complete", one.status)
    local status, wav = h.fetch(one.preview_audio_url)
    assert.are.equal(200, status)
    assert.are.equal("RIFF", wav:sub(1, 4))
    local _, private = data("GET", "/v3/voices?type=private")
    assert.are.equal(6, #private.data)
    -- the public catalogue is as before
    local _, public = data("GET", "/v3/voices?limit=5")
    assert.are.equal("public", public.data[1].type)
  end)

  it("names a bad design body", function()
    local s, v = call("POST", "/v3/voices", {gender = "female"})
    assert.are.equal(400, s)
    assert.are.equal("prompt", v.error.param)
    s, v = call("POST", "/v3/voices", {prompt = "x", gender = "robot"})
    assert.are.equal(400, s)
    assert.matches('^gender must be one of .*got "robot"', v.error.message)
    s, v = call("POST", "/v3/voices", {prompt = "x", seed = 1.5})
    assert.are.equal(400, s)
    assert.are.equal("seed", v.error.param)
  end)
end)

describe("emulator: voice clone", function()
  it("trains on the clock, then reads as a complete private voice; delete removes it", function()
    local d = data("POST", "/v3/voices/clone", {voice_name = "My voice", language = "es",
                                                audio = {type = "url", url = "https://example.com/me.mp3"}})
    local vid = d.voice_clone_id
    local v = data("GET", "/v3/voices/" .. vid)
    assert.are.equal("processing", v.status)
    assert.are.equal(require("cjson").null, v.preview_audio_url)
    emu:advance(90)
    v = data("GET", "/v3/voices/" .. vid)
    assert.are.equal("complete", v.status)
    assert.are.equal("My voice", v.name)
    assert.are.equal("Spanish", v.language)
    assert.are.same({voice_id = vid}, data("DELETE", "/v3/voices/" .. vid))
    local s, e = call("GET", "/v3/voices/" .. vid)
    assert.are.equal(404, s)
    assert.are.equal("voice_not_found", e.error.code)
    assert.are.equal(404, (call("DELETE", "/v3/voices/" .. vid)))
  end)

  it("refuses a clone without audio and the deletion of a public voice", function()
    local s, v = call("POST", "/v3/voices/clone", {voice_name = "x"})
    assert.are.equal(400, s)
    assert.are.equal("audio", v.error.param)
    s, v = call("DELETE", "/v3/voices/1bd001e7e50f421d891986aad5158bc8")
    assert.are.equal(403, s)
    assert.matches("is a public voice", v.error.message)
    assert.are.equal(200, (call("GET", "/v3/voices/1bd001e7e50f421d891986aad5158bc8")))
  end)
end)
