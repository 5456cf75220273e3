-- heygen.emulator over real loopback HTTP, seen the way a client sees it: the v2 catalogue and templates
-- (emulator/legacy/catalogue.lua, templates.lua).
-- Moved from spec/emulator_spec.lua (issue 18); the raw client and fixtures are spec/emulator/raw.lua.
-- Runs under lua5.4 and LuaJIT; the emulator child runs under the same kind of interpreter.
local R = require "emulator.raw"
local null, get, post, local_path = R.null, R.get, R.post, R.local_path
local VOICE, AVATAR = R.VOICE, R.AVATAR


R.use()

describe("the catalogue", function()
  it("lists avatars and talking photos, with and without default voices", function()
    local res = get("/v2/avatars")
    assert.equal(null, res.json.error)
    local avatars = res.json.data.avatars
    assert.is_true(#avatars >= 5)
    local genders, null_voice = {}, false
    for _, a in ipairs(avatars) do
      genders[a.gender] = true
      if a.default_voice_id == null then null_voice = true end
      assert.is_string(a.avatar_id)
      assert.is_string(a.preview_image_url)
      assert.is_boolean(a.premium)
      assert.equal(null, a.type)
      assert.is_table(a.tags)
    end
    assert.is_true(genders.male and genders.female)
    assert.is_true(null_voice)
    assert.matches('"tags":%[%]', res.body)
    assert.is_true(#res.json.data.talking_photos >= 1)
    assert.equal(200, get(local_path(avatars[1].preview_image_url)).status)
  end)

  it("details one avatar and answers unknown ones 404 avatar_not_found", function()
    local d = get("/v2/avatar/" .. AVATAR .. "/details").json.data
    assert.equal("avatar", d.type)
    assert.equal(AVATAR, d.id)
    assert.equal(VOICE, d.default_voice_id)
    assert.is_true(d.is_public)
    local res = get("/v2/avatar/nobody/details")
    assert.equal(404, res.status)
    assert.equal("avatar_not_found", res.json.error.code)
  end)

  it("lists voices in several languages with mixed-case genders", function()
    local voices = get("/v2/voices").json.data.voices
    local langs, cases = {}, {}
    for _, v in ipairs(voices) do
      langs[v.language] = true
      cases[v.gender] = true
      assert.is_string(v.preview_audio)
      assert.is_boolean(v.support_pause)
    end
    local n = 0
    for _ in pairs(langs) do n = n + 1 end
    assert.is_true(n >= 3)
    assert.is_true(cases.Female and cases.female and true)
  end)

  it("lists templates and details their variables keyed by name", function()
    local list = get("/v2/templates").json.data.templates
    assert.is_true(#list >= 2)
    assert.equal(null, list[1].thumbnail_image_url)
    local t = get("/v2/template/" .. list[1].template_id).json.data
    assert.equal("first_name", t.variables.first_name.name)
    assert.equal("text", t.variables.first_name.type)
    assert.equal("John", t.variables.first_name.properties.content)
    assert.equal(404, get("/v2/template/0000").status)
  end)

  it("generates from a template and rejects flat variables", function()
    local id = "22a48da453ef4c014a6a60d827a02f0b"
    local ok = post("/v2/template/" .. id .. "/generate", {title = "T", test = true,
      dimension = {width = 1280, height = 720},
      variables = {first_name = {name = "first_name", type = "text", properties = {content = "Ada"}}}})
    assert.equal(200, ok.status)
    assert.equal(32, #ok.json.data.video_id)
    local flat = post("/v2/template/" .. id .. "/generate", {variables = {first_name = "Ada"}})
    assert.equal(400, flat.status)
    assert.matches("variables.first_name", flat.json.error.message, 1, true)
    local unknown = post("/v2/template/" .. id .. "/generate",
                         {variables = {nope = {type = "text", properties = {content = "x"}}}})
    assert.equal(400, unknown.status)
    local portrait = post("/v2/template/" .. id .. "/generate", {dimension = {width = 720, height = 1280}})
    assert.equal(400, portrait.status)
    local missing = post("/v2/template/ffff/generate", {})
    assert.equal(404, missing.status)
    assert.equal("not_found", missing.json.error.code)
  end)
end)
