-- A video agent's brand_kit_id must be one of the account's kits: the ids GET /v3/brand-kits lists
-- are the ones a session takes, and any other is the API's error, naming the field and the value.
local env = require "api.v3_env"

local emu, hg
setup(function() emu, hg = env.start() end)
teardown(env.stop)
before_each(function() emu:reset() end)

describe("brand kits in a video agent session", function()
  it("a listed kit is taken, followed to the video; the id is sent as given", function()
    local kits = assert(hg:brand_kits())
    local kit = kits[1].brand_kit_id
    assert.matches("^bk_%x+$", kit)
    local job = assert(hg:video_agent { prompt = "A teaser in our colours", brand_kit_id = kit })
    assert.are.equal(kit, (env.sent("POST", "^/v3/video%-agents$")).brand_kit_id)
    local result = assert(job:wait { timeout = 30 })
    assert.is_string(result.video_url)
  end)

  it("an id that is not a kit of the account is refused: no session is made", function()
    local job, err = hg:video_agent { prompt = "A teaser in our colours", brand_kit_id = "bk_0000000000000000" }
    assert.is_nil(job)
    assert.are.equal("invalid_argument", err.kind)
    assert.matches("brand_kit_id", err.message)
    assert.matches("is not a brand kit of this account", err.message)
    assert.matches("bk_0000000000000000", err.message)
    assert.are.equal(0, #emu:requests { method = "GET", path = "^/v3/video%-agents" })
  end)

  it("a message in a chat session is held to the same rule", function()
    local job = assert(hg:video_agent { prompt = "A teaser", mode = "chat" })
    local _, err = job:wait { timeout = 30 }
    assert.are.equal("needs_input", err.kind)
    local ok, rerr = job:reply { message = "Use our brand", brand_kit_id = "bk_nope" }
    assert.is_nil(ok)
    assert.matches("brand_kit_id", rerr.message)
    assert.matches("bk_nope", rerr.message)
    local kit = assert(hg:brand_kits())[2].brand_kit_id
    assert(job:reply { message = "Use our social kit", brand_kit_id = kit })
    assert.is_string(assert(job:wait { timeout = 30 }).video_url)
  end)
end)
