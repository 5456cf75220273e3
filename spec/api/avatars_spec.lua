-- avatars, looks, groups and voices under api v3
-- (the client against the emulator: the requests it sent, what the user sees).
local env = require "api.v3_env"

local emu, hg = env.use()
local AVATAR, VOICE, PHOTO, JAPANESE_VOICE, last = env.AVATAR, env.VOICE, env.PHOTO, env.JAPANESE_VOICE, env.last
local download = env.download

describe("avatars, looks, groups and voices under api v3", function()
  it("avatars answers the legacy {avatars=, talking_photos=} from the looks, following every page", function()
    local row = require("heygen.api").calls.avatars.v3
    local size = row.pages
    row.pages = 4
    local list, err = hg:avatars()
    row.pages = size
    assert.is_nil(err)
    assert.are.equal(7, #list.avatars)
    assert.are.equal(2, #list.talking_photos)
    assert.are.equal(AVATAR, list.avatars[1].avatar_id)
    assert.are.equal("Abigail (Upper Body)", list.avatars[1].avatar_name)
    assert.are.equal(VOICE, list.avatars[1].default_voice_id)
    assert.is_string(list.avatars[1].preview_image_url)
    assert.are.equal(PHOTO, list.talking_photos[1].talking_photo_id)
    assert.are.equal(3, emu:count("GET", "^/v3/avatars/looks$"))
  end)

  it("avatar(id) is the look with avatar_id and its engines", function()
    local a = assert(hg:avatar(AVATAR))
    assert.are.equal(AVATAR, a.avatar_id)
    assert.are.equal(AVATAR, a.id)
    assert.are.same({ "avatar_v", "avatar_iv", "avatar_iii" }, a.supported_api_engines)
    local none, err = hg:avatar("missing")
    assert.is_nil(none)
    assert.are.equal("not_found", err.kind)
  end)

  it("avatar_group(id) answers one group; an unknown one is not_found", function()
    local g = assert(hg:avatar_group("ag_josh"))
    assert.are.equal("Josh", g.name)
    assert.are.equal("077ab11b14f04ce0b49b5f6e5cc20979", g.default_voice_id)
    local none, err = hg:avatar_group("ag_nobody")
    assert.is_nil(none)
    assert.are.equal("not_found", err.kind)
  end)

  it("avatar_groups and avatar_looks{group_id=} list groups and their looks", function()
    local groups = assert(hg:avatar_groups())
    assert.are.equal(9, #groups)
    assert.are.equal("ag_abigail", groups[1].id)
    assert.are.equal(1, groups[1].looks_count)
    local looks = assert(hg:avatar_looks { group_id = "ag_abigail" })
    assert.are.equal(1, #looks)
    assert.are.equal(AVATAR, looks[1].avatar_id)
    assert.are.same({ group_id = "ag_abigail", limit = "50" }, last("GET", "^/v3/avatars/looks$").query)
    local _, err = hg:avatar_looks { avatar_type = "cartoon" }
    assert.matches('avatar_type must be one of "studio_avatar", "digital_twin", "photo_avatar", got "cartoon"',
      err.message)
  end)

  it("voices filters by language and gender (case-insensitively) and keeps preview_audio", function()
    local voices = assert(hg:voices { language = "english", gender = "FEMALE" })
    assert.are.equal(2, #voices)
    for _, v in ipairs(voices) do
      assert.are.equal("English", v.language)
      assert.are.equal("female", v.gender:lower())
      assert.are.equal(v.preview_audio_url, v.preview_audio)
    end
    assert.are.same({ language = "english", gender = "FEMALE", limit = "100" }, last("GET", "^/v3/voices$").query)
  end)

  it("text_to_speech answers audio_url, duration and word timestamps", function()
    local d = assert(hg:text_to_speech { text = "Hello world", voice_id = VOICE, speed = 1.0 })
    assert.are.equal(2, #d.word_timestamps)
    assert.are.equal("Hello", d.word_timestamps[1].word)
    assert.is_true(d.duration > 0)
    assert.are.equal("RIFF", download(d.audio_url):sub(1, 4))
    local none, err = hg:text_to_speech { text = "Konnichiwa", voice_id = JAPANESE_VOICE }
    assert.is_nil(none)
    assert.are.equal("voice_not_usable", err.code)
    assert.matches("starfish engine %(param: voice_id%)", err.message)
  end)
end)

describe("avatars: create, consent, looks update and delete, groups delete", function()
  it("avatar_look reads one look from any client", function()
    local looks = assert(hg:avatar_looks())
    local one = assert(hg:avatar_look(looks[1].id))
    assert.are.equal(looks[1].id, one.avatar_id)
    assert.is_truthy(last("GET", "^/v3/avatars/looks/" .. looks[1].id .. "$"))
  end)

  it("create, consent and look updates check their fields before any request", function()
    local before = #emu:requests()
    local _, err = hg:create_avatar { type = "photo", name = "Me" }
    assert.are.equal("invalid_argument", err.kind)
    assert.matches("file is required", err.message)
    _, err = hg:create_avatar { type = "selfie", name = "Me" }
    assert.matches("type must be one of", err.message)
    _, err = hg:create_avatar { type = "prompt", name = "Me" }
    assert.matches("prompt is required", err.message)
    _, err = hg:avatar_consent("g1", { reroute_url = "not a url" })
    assert.matches("reroute_url", err.message)
    _, err = hg:update_avatar_look("l1", { title = "x" })
    assert.matches("title is not a known field", err.message)
    assert.has_error(function() hg:delete_avatar_group(7) end,
      "hg:delete_avatar_group expects an id string, got number 7")
    assert.are.equal(before, #emu:requests())
  end)
end)
