-- The account's own resources, made, changed and deleted through the client: the calls the
-- contract pass (scripts/test.d/30-contract.sh, Prism in front of the emulator) would otherwise
-- see only as refusals. Outside the pass the same calls run straight against the emulator.
local env = require "api.v3_env"

local emu, hg
setup(function() emu, hg = env.start() end)
teardown(env.stop)
before_each(function() emu:reset() end)

local IMAGE = { type = "url", url = "https://example.com/me.jpg" }

describe("the account's own avatars, voices and media jobs through the client", function()
  it("an avatar is created, its look renamed and deleted, then its group", function()
    local made = assert(hg:create_avatar { type = "photo", name = "Me", file = IMAGE })
    local look, group = made.avatar_item.id, made.avatar_group.id
    assert.is_string(look)
    local renamed = assert(hg:update_avatar_look(look, { name = "Me at work" }))
    assert.are.equal("Me at work", renamed.name)
    local second = assert(hg:create_avatar { type = "prompt", name = "Me, in a suit", prompt = "in a grey suit",
      avatar_group_id = group })
    assert.is_true(assert(hg:delete_avatar_look(look)))
    local _, err = hg:avatar_look(look)
    assert.are.equal("not_found", err.kind)
    assert.is_true(assert(hg:delete_avatar_group(group)))
    _, err = hg:avatar_look(second.avatar_item.id)
    assert.are.equal("not_found", err.kind)
  end)

  it("a voice is designed, read and deleted", function()
    local designed = assert(hg:design_voice { prompt = "A warm narrator, calm and slow", locale = "en-US" })
    local voice = designed.voices[1].voice_id
    assert.is_string(voice)
    assert.are.equal(voice, assert(hg:voice(voice)).voice_id)
    assert.is_true(assert(hg:delete_voice(voice)))
    assert.is_truthy(env.last("DELETE", "^/v3/voices/" .. voice .. "$"))
    local _, err = hg:voice(voice)
    assert.are.equal("not_found", err.kind)
  end)

  it("a background removal and an AI clipping job are deleted after they finish", function()
    local removal = assert(hg:remove_background { video = "https://example.com/talk.mp4" })
    local clips = assert(hg:ai_clipping { video = "https://example.com/talk.mp4" })
    assert(require("heygen").all({ removal, clips }, { timeout = 30 }))
    assert.is_true(assert(hg:delete_background_removal(removal.id)))
    assert.is_true(assert(hg:delete_ai_clipping(clips.id)))
    assert.is_truthy(env.last("DELETE", "^/v3/background%-removals/" .. removal.id .. "$"))
    assert.is_truthy(env.last("DELETE", "^/v3/ai%-clipping/" .. clips.id .. "$"))
  end)
end)
