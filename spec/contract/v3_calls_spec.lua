-- Every v3 call of the client, once each way: the answer it gets when things go well
-- and the typed error when they do not (an unknown id, a bad key). In the contract
-- pass (scripts/test.d/30-contract.sh) each of these exchanges is also judged by
-- Stoplight Prism against HeyGen's schemas; elsewhere it is a plain emulator spec.
local heygen = require "heygen"
local support = require "support"

local emu, hg
setup(function()
  emu = support.emulator()
  hg = support.client(emu, { api = "v3" })
end)
teardown(function() if emu then emu:stop() end end)
before_each(function() emu:reset() end)

local AVATAR, VOICE = "Abigail_expressive_2024112501", "1bd001e7e50f421d891986aad5158bc8"
local TEMPLATE = "22a48da453ef4c014a6a60d827a02f0b"
local NO_SUCH = "0000000000000000000000000000dead"

describe("v3 reads", function()
  it("lists answer lists", function()
    for _, name in ipairs { "avatars", "voices", "templates", "translate_languages", "avatar_groups",
                            "avatar_looks", "webhook_endpoints", "webhook_event_types" } do
      local list, err = hg[name](hg)
      assert.is_nil(err, name)
      assert.are.equal("table", type(list), name)
    end
    assert.is_true(#assert(hg:webhook_event_types()) >= 30)
    local page = assert(hg:videos { limit = 5 })
    assert.are.equal("table", type(page.videos))
  end)

  it("reads one of each by id", function()
    local look = assert(hg:avatar(AVATAR))
    assert.are.equal(AVATAR, look.avatar_id)
    local groups = assert(hg:avatar_groups())
    assert.is_truthy(assert(hg:avatar_group(groups[1].id or groups[1].group_id)))
    local t = assert(hg:template(TEMPLATE))
    assert.is_truthy(t.variables)
    assert.is_truthy(assert(hg:me()).billing_type)
    assert.is_number(assert(hg:remaining_quota()).remaining_quota)
  end)

  it("answers not_found, typed and naming the id, for an unknown id", function()
    for _, call in ipairs {
      function() return hg:avatar(NO_SUCH) end,
      function() return hg:avatar_group(NO_SUCH) end,
      function() return hg:template(NO_SUCH) end,
      function() return hg:video_status(NO_SUCH) end,
      function() return hg:delete_video(NO_SUCH) end,
      function() return hg:proofread_srt(NO_SUCH) end,
      function() return hg:update_webhook_endpoint(NO_SUCH, { events = { "avatar_video.success" } }) end,
      function() return hg:delete_webhook_endpoint(NO_SUCH) end,
      function() return hg:rotate_webhook_secret(NO_SUCH) end,
      function() return hg:video_agent_videos(NO_SUCH) end,
      function() return hg:video_agent_resource(NO_SUCH, NO_SUCH) end,
      function() return hg:asset_batch(NO_SUCH) end,
      function() return hg:avatar_consent(NO_SUCH, { consent_text = "I agree" }) end,
      function() return hg:background_removal(NO_SUCH) end,
      function() return hg:ai_clipping_job(NO_SUCH) end,
    } do
      local v, err = call()
      assert.is_nil(v)
      assert.are.equal("not_found", err.kind, tostring(err))
      assert.are.equal(404, err.status)
    end
  end)
end)

describe("v3 requests as the contract has them (what the emulator received)", function()
  local function got(method, path)
    local list = emu:requests { method = method, path = path }
    local req = assert(list[#list], "no " .. method .. " " .. path)
    return req, req.body and req.body ~= "" and heygen.json.decode(req.body) or nil
  end

  it("brand kits, glossaries, sounds and the media job lists send their queries", function()
    hg:brand_kits()
    hg:brand_glossaries()
    assert.are.equal("100", got("GET", "^/v3/brand%-kits$").query.limit)
    assert.are.equal("100", got("GET", "^/v3/brand%-glossaries$").query.limit)
    hg:audio_sounds { query = "rain", type = "sound_effects", min_score = 0.5 }
    local q = got("GET", "^/v3/audio/sounds$").query
    assert.are.same({ "rain", "sound_effects", "0.5" }, { q.query, q.type, q.min_score })
    hg:background_removals { limit = 5 }
    assert.are.equal("5", got("GET", "^/v3/background%-removals$").query.limit)
    hg:ai_clipping_jobs { limit = 7 }
    assert.are.equal("7", got("GET", "^/v3/ai%-clipping$").query.limit)
  end)

  it("background removal sends its request_id (the call's key), clipping its settings", function()
    hg:remove_background { video = "https://example.com/a.mp4", layers = { "foreground", "mask" } }
    local req, body = got("POST", "^/v3/background%-removals$")
    assert.are.same({ type = "url", url = "https://example.com/a.mp4" }, body.video)
    assert.are.same({ "foreground", "mask" }, body.layers)
    assert.are.equal(req.headers["idempotency-key"], body.request_id)
    hg:ai_clipping { video = "https://example.com/long.mp4", output_settings = { aspect_ratio = "square",
      duration_types = { "30", "60" } } }
    local _, clip = got("POST", "^/v3/ai%-clipping$")
    assert.are.same({ video = { type = "url", url = "https://example.com/long.mp4" },
      output_settings = { aspect_ratio = "square", duration_types = { "30", "60" } } }, clip)
  end)

  it("an asset batch reserves one slot per file, and completes by batch id", function()
    local path = support.tmpname(".png")
    support.write_file(path, "\137PNG\r\n\26\n" .. string.rep("p", 100))
    hg:upload_assets { paths = { path }, title = "B" }
    os.remove(path)
    local _, body = got("POST", "^/v3/assets/direct%-uploads/batches$")
    assert.are.same({ files = { { filename = path:match("[^/]+$"), content_type = "image/png", size_bytes = 108 } },
      title = "B" }, body)
    hg:complete_asset_batch(NO_SUCH)
    local _, done = got("POST", "^/v3/assets/complete/batches$")
    assert.are.same({ batch_id = NO_SUCH }, done)
  end)
end)

describe("v3 creates", function()
  it("a template render follows the video to a playable file on disk", function()
    local job = assert(hg:generate_from_template(TEMPLATE, { variables = { first_name = "Ada" }, title = "T" }))
    assert(job:wait { timeout = 30 })
    local out = support.tmpname(".mp4")
    assert(job:download(out))
    assert.are.equal(support.sample_mp4(), support.read(out))
    os.remove(out)
  end)

  it("a webhook endpoint goes through create, update, rotate and delete", function()
    local ep = assert(hg:create_webhook_endpoint { url = "https://example.com/hook",
      events = { "avatar_video.success" } })
    local id = ep.endpoint_id
    assert.is_truthy(assert(hg:update_webhook_endpoint(id, { events = { "avatar_video.fail" } })))
    local rotated = assert(hg:rotate_webhook_secret(id))
    assert.are_not.equal(ep.secret, rotated.secret)
    assert.is_true(assert(hg:delete_webhook_endpoint(id)))
  end)

  it("speech answers audio", function()
    local d = assert(hg:text_to_speech { text = "Hello there", voice_id = VOICE })
    assert.is_string(d.audio_url)
  end)

  it("a bad key is auth on reads and creates alike, and sends the create once", function()
    local bad = support.client(emu, { api = "v3", api_key = "not-a-key-0123456789" })
    local list, err = bad:voices()
    assert.is_nil(list)
    assert.are.equal("auth", err.kind)
    local job
    job, err = bad:create_video { type = "avatar", avatar_id = AVATAR, script = "Hi.", voice_id = VOICE }
    assert.is_nil(job)
    assert.are.equal("auth", err.kind)
    assert.are.equal(401, err.status)
    assert.are.equal(1, emu:count("POST", "^/v3/videos$"))
  end)

  it("bad input sends nothing", function()
    local job, err = hg:create_video { type = "avatar", avatar_id = AVATAR, script = 42, voice_id = VOICE }
    assert.is_nil(job)
    assert.are.equal("invalid_argument", err.kind)
    assert.matches("script", err.message)
    assert.are.equal(0, #emu:requests "^/v3/")
  end)
end)
