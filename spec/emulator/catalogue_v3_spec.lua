-- The emulator's seeded brand kits and glossaries (emulator/v3/brands.lua) and its sound search
-- (emulator/v3/audio.lua) over raw HTTP: pages, query rules, scores, downloadable audio.
local h = require "emulator.http"

setup(function() h.start() end)
teardown(h.stop)

local call, data = h.call, h.data

describe("emulator: brand kits and glossaries", function()
  it("lists the seeded brand kits in pages, logos downloadable", function()
    local _, all = data("GET", "/v3/brand-kits")
    assert.are.equal(3, #all.data)
    assert.is_false(all.has_more)
    assert.are.equal("Acme Corporate", all.data[1].name)
    assert.matches("^bk_%x+$", all.data[1].brand_kit_id)
    assert.are.same({"#0B3D91", "#FFFFFF", "#FC3D21"}, all.data[1].colors)
    assert.are.same({}, all.data[3].colors)
    assert.are.equal(require("cjson").null, all.data[3].logo_url)
    local status, bytes = h.fetch(all.data[1].logo_url)
    assert.are.equal(200, status)
    assert.are.equal("\255\216", bytes:sub(1, 2))                 -- a JPEG
    local _, p1 = data("GET", "/v3/brand-kits?limit=2")
    assert.are.equal(2, #p1.data)
    assert.is_true(p1.has_more)
    local _, p2 = data("GET", "/v3/brand-kits?limit=2&token=" .. p1.next_token)
    assert.are.equal(all.data[3].brand_kit_id, p2.data[1].brand_kit_id)
    local s, v = call("GET", "/v3/brand-kits?limit=101")
    assert.are.equal(400, s)
    assert.are.equal('limit must be an integer from 1 to 100, got "101"', v.error.message)
  end)

  it("lists the seeded glossaries with their dates", function()
    local _, all = data("GET", "/v3/brand-glossaries")
    assert.are.equal(2, #all.data)
    assert.matches("^bg_%x+$", all.data[1].brand_glossary_id)
    assert.are.equal("Product names", all.data[1].name)
    assert.matches("^%d%d%d%d%-%d%d%-%d%dT", all.data[1].updated_at)
  end)
end)

describe("emulator: brand ids other calls take", function()
  it("a translation's brand_glossary_id must be one GET /v3/brand-glossaries lists", function()
    local _, glossaries = data("GET", "/v3/brand-glossaries")
    local body = {video = {type = "url", url = "https://example.com/in.mp4"}, output_languages = {"French (France)"}}
    body.brand_glossary_id = "bg_unknown"
    local s, v = call("POST", "/v3/video-translations", body)
    assert.are.equal(400, s)
    assert.are.equal("brand_glossary_id", v.error.param)
    assert.matches('^brand_glossary_id is not a brand glossary of this account .*got "bg_unknown"', v.error.message)
    body.brand_glossary_id = glossaries.data[2].brand_glossary_id
    assert.are.equal(200, (call("POST", "/v3/video-translations", body)))
  end)
end)

describe("emulator: sound search", function()
  it("scores tracks by the query's words, best first, filtered by type and min_score", function()
    local _, r = data("GET", "/v3/audio/sounds?query=calm%20piano%20background")
    assert.are.equal("snd_calm_piano", r.data[1].id)
    assert.are.equal(1, r.data[1].score)
    for i = 2, #r.data do assert.is_true(r.data[i].score <= r.data[i - 1].score) end
    local status, wav = h.fetch(r.data[1].audio_url)
    assert.are.equal(200, status)
    assert.are.equal("RIFF", wav:sub(1, 4))
    local _, sfx = data("GET", "/v3/audio/sounds?query=bell%20transition&type=sound_effects")
    local ids = {}
    for _, t in ipairs(sfx.data) do ids[#ids + 1] = t.id; assert.are.equal("sound_effects", t.type) end
    table.sort(ids)
    assert.are.same({"sfx_ding", "sfx_whoosh"}, ids)
    local _, strict = data("GET", "/v3/audio/sounds?query=calm%20piano%20background&min_score=0.9")
    assert.are.equal(1, #strict.data)
    local _, none = data("GET", "/v3/audio/sounds?query=zzzz")
    assert.are.equal(0, #none.data)
  end)

  it("pages a search and names a bad query argument", function()
    local _, p1 = data("GET", "/v3/audio/sounds?query=background&limit=1")
    assert.are.equal(1, #p1.data)
    assert.is_true(p1.has_more)
    local _, p2 = data("GET", "/v3/audio/sounds?query=background&limit=1&token=" .. p1.next_token)
    assert.are_not.equal(p1.data[1].id, p2.data[1].id)
    local s, v = call("GET", "/v3/audio/sounds")
    assert.are.equal(400, s)
    assert.matches("^query is required", v.error.message)
    s, v = call("GET", "/v3/audio/sounds?query=x&type=speech")
    assert.are.equal(400, s)
    assert.are.equal('type must be one of music, sound_effects, got "speech"', v.error.message)
    s, v = call("GET", "/v3/audio/sounds?query=x&min_score=2")
    assert.are.equal(400, s)
    assert.are.equal('min_score must be a number from 0 to 1, got "2"', v.error.message)
    s = call("GET", "/v3/audio/sounds?query=x&limit=51")
    assert.are.equal(400, s)
  end)
end)
