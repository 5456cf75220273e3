-- The account's own avatars and voices in videos (issue 19; emulator/v3/avatars.lua and
-- voices.lua): a voice cloned or designed and a photo avatar made through the client are listed
-- with the account's things, refused while they train, then shown and spoken in a video that
-- completes and downloads; once deleted, refused like an unknown id, before any job is made.
local env = require "api.v3_env"
local support = require "support"

local emu, hg = env.use()
local AVATAR, VOICE = env.AVATAR, env.VOICE
local IMAGE = { type = "url", url = "https://example.com/me.jpg" }

-- The jobs of one kind the emulator made (whatever the client saw): how many, the newest's id.
local function jobs_made(kind)
  local n, newest = 0, nil
  for _, j in ipairs(emu:jobs()) do
    if j.kind == kind then n, newest = n + 1, j.id end
  end
  return n, newest
end

local function ids(list, key)
  local out = {}
  for _, x in ipairs(list) do out[x[key or "id"]] = true end
  return out
end

local function video(avatar_id, voice_id)
  return hg:create_video { type = "avatar", avatar_id = avatar_id, voice_id = voice_id, script = "Made by me." }
end

-- create_video refused: the error the user sees, and no video job on the emulator.
local function refused(avatar_id, voice_id, kind, code, message)
  local before = jobs_made("video")
  local job, err = video(avatar_id, voice_id)
  assert.is_nil(job)
  assert.are.equal(kind, err.kind)
  assert.are.equal(code, err.code)
  assert.are.equal(message, err.message)
  assert.are.equal(before, jobs_made("video"))
  return err
end

describe("the account's own avatars and voices in videos", function()
  it("a cloned voice and a photo avatar: refused while they train, then a video that downloads", function()
    emu:next_job { kind = "voice_clone", stuck = true }
    emu:next_job { kind = "avatar_training", stuck = true }
    local clone = assert(hg:clone_voice { voice_name = "My voice", audio = "https://example.com/me.mp3" })
    local made = assert(hg:create_avatar { type = "photo", name = "Me", file = IMAGE })
    local look, group = made.avatar_item.id, made.avatar_group.id
    assert.are.equal("processing", made.avatar_item.status)

    local err = refused(AVATAR, clone.id, "invalid_argument", "voice_not_usable", "Voice " .. clone.id
      .. " is not ready: its clone is processing (poll GET /v3/voices/" .. clone.id
      .. " until its status is complete) (param: voice_id)")
    assert.are.equal("voice_id", err.param)
    err = refused(look, VOICE, "invalid_argument", "invalid_parameter", "Avatar look " .. look
      .. " is not ready: it is processing (poll GET /v3/avatars/looks/" .. look
      .. " until its status is completed) (param: avatar_id)")
    assert.are.equal("avatar_id", err.param)
    assert.are.equal(2, emu:count("POST", "^/v3/videos$"))     -- the emulator answered both itself

    emu:job(clone.id, { complete = true })
    emu:job(select(2, jobs_made("avatar_training")), { complete = true })
    assert.are.equal("My voice", assert(clone:wait { timeout = 10 }).name)
    assert.are.equal("completed", assert(hg:avatar_look(look)).status)

    -- listed with the account's own, beside the catalogue where the list has no filter
    assert.is_true(ids(assert(hg:avatar_looks()))[look])
    assert.is_true(ids(assert(hg:avatar_looks()))[AVATAR])
    assert.are.same({ [look] = true }, ids(assert(hg:avatar_looks { ownership = "private" })))
    assert.is_nil(ids(assert(hg:avatar_looks { ownership = "public" }))[look])
    assert.is_true(ids(assert(hg:avatar_groups()))[group])
    assert.is_true(ids(assert(hg:avatars()).talking_photos, "talking_photo_id")[look])
    assert.is_true(ids(assert(hg:voices { type = "private" }), "voice_id")[clone.id])
    assert.is_nil(ids(assert(hg:voices()), "voice_id")[clone.id])         -- GET /v3/voices is public by default

    local job = assert(video(look, clone.id))
    local body = env.sent("POST", "^/v3/videos$")
    assert.are.same({ look, clone.id }, { body.avatar_id, body.voice_id })
    local result, werr, order = env.statuses(job)
    assert.is_nil(werr)
    assert.are.same({ "pending", "processing", "completed" }, order)
    local out = support.tmpname(".mp4")
    assert(job:download(out))
    assert.are.equal(support.sample_mp4(), support.read(out))
    os.remove(out)
    assert.are.equal(job.id, result.video_id)
  end)

  it("a designed voice speaks a studio scene of your look; deleted, both are refused like unknown ids", function()
    local voice = assert(hg:design_voice { prompt = "A warm female narrator", locale = "en-US" }).voices[1].voice_id
    local made = assert(hg:create_avatar { type = "photo", name = "Me", file = IMAGE })
    local look, group = made.avatar_item.id, made.avatar_group.id
    emu:job(select(2, jobs_made("avatar_training")), { complete = true })
    local job = assert(hg:create_video { type = "studio", scenes = {
      { type = "avatar_video", input = { type = "avatar", avatar_id = look, script = "One.", voice_id = voice } },
      { type = "image", source = IMAGE, script = "Two.", voice_id = voice } } })
    assert(job:wait { timeout = 30 })
    local speech = assert(hg:text_to_speech { text = "Hello me", voice_id = voice })
    assert.are.equal("RIFF", env.download(speech.audio_url):sub(1, 4))

    assert.is_true(assert(hg:delete_voice(voice)))
    local requests = emu:count("POST", "^/v3/videos$")
    local err = refused(AVATAR, voice, "not_found", "voice_not_found", "Voice " .. voice
      .. " not found (param: voice_id)")
    assert.are.equal("voice_id", err.param)
    assert.are.equal(requests + 1, emu:count("POST", "^/v3/videos$"))
    assert.are.equal(404, env.last("POST", "^/v3/videos$").status)
    assert.is_nil(ids(assert(hg:voices { type = "private" }), "voice_id")[voice])

    assert.is_true(assert(hg:delete_avatar_look(look)))
    refused(look, VOICE, "not_found", "avatar_not_found", "Avatar look " .. look .. " not found (param: avatar_id)")
    local _, gerr = hg:avatar_group(group)                 -- its last look took the group along
    assert.are.equal("not_found", gerr.kind)
    assert.is_nil(ids(assert(hg:avatar_looks()))[look])
  end)

  it("a digital twin is refused until its consent is given and it has trained", function()
    local made = assert(hg:create_avatar { type = "digital_twin", name = "Twin",
      file = { type = "url", url = "https://example.com/me.mp4" } })
    local look, group = made.avatar_item.id, made.avatar_group.id
    refused(look, VOICE, "invalid_argument", "invalid_parameter", "Avatar look " .. look
      .. " waits for consent (POST /v3/avatars/" .. group .. "/consent) (param: avatar_id)")
    emu:next_job { kind = "avatar_training", stuck = true }
    assert(hg:avatar_consent(group, { consent_text = "I agree" }))
    refused(look, VOICE, "invalid_argument", "invalid_parameter", "Avatar look " .. look
      .. " is not ready: it is processing (poll GET /v3/avatars/looks/" .. look
      .. " until its status is completed) (param: avatar_id)")
    emu:job(select(2, jobs_made("avatar_training")), { complete = true })
    local job = assert(video(look, VOICE))
    assert.are.equal(look, env.sent("POST", "^/v3/videos$").avatar_id)
    assert.are.equal(1, jobs_made("video"))
    assert(job:wait { timeout = 30 })
  end)

  it("a legacy client's /v2/video/generate takes them as talking_photo_id and voice_id", function()
    local voice = assert(hg:design_voice { prompt = "A calm male voice" }).voices[1].voice_id
    emu:next_job { kind = "avatar_training", stuck = true }
    local look = assert(hg:create_avatar { type = "photo", name = "Me", file = IMAGE }).avatar_item.id
    local v2 = support.client(emu, { api = "v2" })
    local scene = { character = { type = "talking_photo", talking_photo_id = look },
      voice = { type = "text", voice_id = voice, input_text = "Hello." } }
    local before = jobs_made("video")
    local job, err = v2:create_video { video_inputs = { scene } }
    assert.is_nil(job)
    assert.are.equal("invalid_parameter", err.code)
    assert.matches("^Avatar look " .. look .. " is not ready: it is processing", err.message)
    assert.are.equal(before, jobs_made("video"))
    emu:job(select(2, jobs_made("avatar_training")), { complete = true })
    job = assert(v2:create_video { video_inputs = { scene } })
    assert.is_truthy(env.last("POST", "^/v2/video/generate$"))
    assert(job:wait { timeout = 30 })
    job, err = v2:create_video { video_inputs = { { character = { type = "avatar", avatar_id = look },
      voice = scene.voice } } }
    assert.is_nil(job)
    assert.are.equal("avatar_not_found", err.code)
    assert.are.equal("Avatar " .. look .. " not found or no longer available. (look " .. look
      .. " is a photo_avatar)", err.message)
  end)
end)
