-- v1/v2 catalogue (avatars, voices, templates) and hg:generate_from_template
-- (the client against the emulator: the requests it sent, what the user sees).
local env = require "api.legacy_env"

local emu, hg = env.use()
local AVATAR, VOICE, LANDSCAPE, PORTRAIT, sent = env.AVATAR, env.VOICE, env.LANDSCAPE, env.PORTRAIT, env.sent

describe("catalogue calls", function()
  it("hg:avatars() lists avatars and talking photos in the documented shape", function()
    local list = assert(hg:avatars())
    assert.are.equal(7, #list.avatars)
    assert.are.equal(2, #list.talking_photos)
    local a = list.avatars[1]
    assert.are.equal(AVATAR, a.avatar_id)
    assert.are.equal("Abigail (Upper Body)", a.avatar_name)
    assert.are.equal("female", a.gender)
    assert.are.equal(VOICE, a.default_voice_id)
    assert.are.same({ "NEW", "AVATAR_IV" }, a.tags)
    assert.is_nil(list.avatars[5].default_voice_id) -- JSON null arrives as nil
    assert.are.equal("Veronica", list.talking_photos[1].talking_photo_name)
  end)

  it("hg:avatar(id) gives the details, and not_found for an unknown id", function()
    local d = assert(hg:avatar("Josh_lite3_20230714"))
    assert.are.same({ "avatar", "Josh_lite3_20230714", "Josh_lite3_20230714", "Josh", "male", true },
      { d.type, d.id, d.avatar_id, d.name, d.gender, d.is_public })
    local none, err = hg:avatar("ghost")
    assert.is_nil(none)
    assert.are.equal("not_found", err.kind)
    assert.are.equal(404, err.status)
  end)

  it("hg:voices{} filters by language and gender, case-insensitively, on the client", function()
    local all = assert(hg:voices())
    local female = assert(hg:voices { gender = "FEMALE" })
    local english_male = assert(hg:voices { language = "english", gender = "Male" })
    assert.is_true(#all > #female and #female > 0)
    for _, v in ipairs(female) do assert.are.equal("female", v.gender:lower()) end
    for _, v in ipairs(english_male) do
      assert.are.same({ "english", "male" }, { v.language:lower(), v.gender:lower() })
    end
    assert.are.same({}, assert(hg:voices { language = "Klingon" }))
    for _, r in ipairs(emu:requests { path = "^/v2/voices" }) do assert.are.same({}, r.query) end
  end)

  it("hg:templates() and hg:template(id) give variables keyed by name", function()
    local list = assert(hg:templates())
    assert.are.same({ LANDSCAPE, "landscape" }, { list[1].template_id, list[1].aspect_ratio })
    local t = assert(hg:template(LANDSCAPE))
    assert.are.equal(LANDSCAPE, t.template_id)
    assert.are.same({ name = "first_name", type = "text", properties = { content = "John" } }, t.variables.first_name)
    local none, err = hg:template("0000")
    assert.is_nil(none)
    assert.are.equal("not_found", err.kind)
  end)

  it("hg:translate_languages() lists display names", function()
    local langs = assert(hg:translate_languages())
    assert.is_true(#langs > 10)
    assert.are.equal("English", langs[1])
  end)
end)

describe("hg:generate_from_template", function()
  it("sends variables keyed by name (a string is a text variable) and renders a video job", function()
    local job = assert(hg:generate_from_template(LANDSCAPE, {
      variables = { first_name = "Ana",
        logo = { type = "image", properties = { url = "https://example.com/ana.png", fit = "contain" } } },
      title = "For Ana", caption = false, test = true, dimension = { width = 1280, height = 720 }, fps = 30 }))
    assert.are.equal("video", job.kind)
    assert.are.equal(LANDSCAPE, job.template_id)
    assert.are.same({
      variables = { first_name = { name = "first_name", type = "text", properties = { content = "Ana" } },
        logo = { name = "logo", type = "image",
          properties = { url = "https://example.com/ana.png", fit = "contain" } } },
      title = "For Ana", caption = false, test = true, dimension = { width = 1280, height = 720 }, fps = 30,
    }, sent("POST", "^/v2/template/" .. LANDSCAPE .. "/generate$"))
    assert(job:wait { timeout = 30 })
  end)

  it("lets the API reject what only it can know: unknown variables, a dimension against the template", function()
    local job, err = hg:generate_from_template(LANDSCAPE, { variables = { nickname = "Ana" } })
    assert.is_nil(job)
    assert.are.equal("invalid_argument", err.kind)
    assert.are.equal(400, err.status)
    assert.are.equal("invalid_parameter", err.code)
    assert.matches("variables.nickname is not a variable of template", err.message, 1, true)
    job, err = hg:generate_from_template(PORTRAIT, { dimension = { width = 1920, height = 1080 } })
    assert.is_nil(job)
    assert.are.equal("invalid_argument", err.kind)
    assert.matches("dimension must match the template's portrait aspect ratio", err.message, 1, true)
    job, err = hg:generate_from_template("0000", {})
    assert.is_nil(job)
    assert.are.equal("not_found", err.kind)
  end)
end)
