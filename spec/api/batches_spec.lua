-- v3 batches: video, translation and lipsync batches
-- (the client against the emulator: the requests it sent, what the user sees).
local env = require "api.v3_env"
local support = require "support"

local emu, hg = env.use()
local KEY_PATTERN, sent, download, avatar_body = env.KEY_PATTERN, env.sent, env.download, env.avatar_body
local v2_scene = env.v2_scene

describe("video batches", function()
  it("sends up to 100 videos in one request with one Idempotency-Key, and waits for every item", function()
    emu:next_job { fail = { code = "BAD_AVATAR", message = "Avatar not supported" } } -- the first item
    local batch = assert(hg:create_video_batch { title = "Launch", videos = {
      avatar_body { title = "one" }, avatar_body { title = "two" }, { video_inputs = { v2_scene("Three.") } } } })
    assert.matches("^batch_", batch.id)
    local body, req = sent("POST", "^/v3/videos/batches$")
    assert.matches(KEY_PATTERN, req.headers["idempotency-key"])
    assert.are.equal("Launch", body.title)
    assert.are.equal(3, #body.videos)
    assert.are.equal("two", body.videos[2].title)
    assert.are.equal("avatar", body.videos[3].type) -- the v2 shape became a v3 body
    assert.are.equal(0, emu:count("POST", "^/v3/videos$"))
    local seen = {}
    local results, errs = batch:wait { timeout = 30, on_progress = function(b) seen[b.status] = true end }
    assert.is_true(seen.completed)
    assert.are.equal("completed", batch.status)
    assert.are.equal(3, batch.total_items)
    assert.are.equal("job_failed", errs[1].kind)
    assert.are.equal("BAD_AVATAR", errs[1].code)
    for i = 2, 3 do
      assert.are.equal(batch.items[i].video_id, results[i].video_id)
      assert.matches("%.mp4%?Expires=", results[i].video_url)
    end
    assert.are.same({ "failed", "completed", "completed" },
      { batch.items[1].status, batch.items[2].status, batch.items[3].status })
    assert.are.equal(batch:job(2), batch:jobs()[2]) -- one Job per item's video
  end)

  it("reads every page of a batch's items", function()
    local bodies = {}
    for i = 1, 5 do bodies[i] = avatar_body { title = "clip " .. i } end
    local batch = assert(hg:create_video_batch { videos = bodies })
    local page = require("heygen.batch").PAGE
    require("heygen.batch").PAGE = 2
    local status = batch:refresh()
    require("heygen.batch").PAGE = page
    assert.are.equal("processing", status)
    assert.are.equal(5, #batch.items)
    for i = 1, 5 do assert.are.equal(i, batch.items[i].index) end
    local gets = emu:requests { method = "GET", path = "^/v3/videos/batches/" }
    assert.are.equal(3, #gets)
    assert.is_nil(gets[1].query.token)
    assert.is_string(gets[3].query.token)
  end)

  it("re-attaches to a batch by id, without creating it again", function()
    local made = assert(hg:create_video_batch { videos = { avatar_body() } })
    local again = hg:video_batch(made.id)
    local results, errs = again:wait { timeout = 30 }
    assert.is_nil(errs)
    assert.are.equal(again.items[1].video_id, results[1].video_id)
    assert.are.equal(1, emu:count("POST", "^/v3/videos/batches$"))
    local _, err = hg:video_batch("batch_nope"):wait { timeout = 5 }
    assert.are.equal("not_found", err.kind)
  end)

  it("is answered as documented by the emulator: 202 with batch_id, items and counts, all or nothing", function()
    local _, err = hg:request { method = "POST", path = "/v3/videos/batches", envelope = "v3",
      json = { videos = { avatar_body(), avatar_body { voice_id = "no-such-voice" } } } }
    assert.are.equal(404, err.status)
    assert.matches("videos%[1%]%.voice_id", err.message)
    assert.are.equal(0, #emu:jobs())
    local data, rec = assert(hg:request { method = "POST", path = "/v3/videos/batches", envelope = "v3",
      json = { videos = { avatar_body(), avatar_body() } } })
    assert.are.equal(202, rec.status)
    local batch = assert(hg:request { method = "GET", path = "/v3/videos/batches/" .. data.batch_id,
      query = { limit = 1 }, envelope = "v3" })
    assert.are.equal(data.batch_id, batch.batch_id)
    assert.are.equal(2, batch.total_items)
    assert.are.equal(1, #batch.items)
    assert.are.equal(0, batch.items[1].item_index)
    assert.is_true(batch.has_more)
    assert.is_string(batch.next_token)
    assert.is_table(batch.counts_by_status)
    local _, bad = hg:request { method = "GET", path = "/v3/videos/batches/" .. data.batch_id,
      query = { limit = "ten" }, envelope = "v3" }
    assert.are.equal(400, bad.status)
    assert.matches('limit must be an integer from 1 to 100, got "ten"', bad.message, 1, true)
  end)

  it("checks every item before anything is sent, naming the item, the field and the value", function()
    local many = {}
    for i = 1, 101 do many[i] = avatar_body() end
    local cases = {
      { { videos = many }, "create_video_batch: videos must be a list of 1 to 100 video tables, got 101 items" },
      { { videos = {} }, "create_video_batch: videos must be a list of 1 to 100 video tables, got 0 items" },
      { { videos = { avatar_body() }, titel = "x" }, "create_video_batch: unknown field 'titel'" },
      { { videos = { avatar_body(), avatar_body { script = 42 } } }, "create_video_batch: videos[2]: script" },
    }
    for _, c in ipairs(cases) do
      local batch, err = hg:create_video_batch(c[1])
      assert.is_nil(batch)
      assert.are.equal("invalid_argument", err.kind)
      assert.are.equal(c[2], err.message:sub(1, #c[2]))
    end
    assert.are.equal(0, #emu:requests())
  end)
end)

describe("translation and lipsync batches", function()
  it("create_translation_batch fans out per language and ends with each translation read whole", function()
    local batch = assert(hg:create_translation_batch { title = "Dubs", video_translations = {
      { video_url = "https://example.com/a.mp4", output_languages = { "French (France)", "German (Germany)" } },
      { video = { type = "url", url = "https://example.com/b.mp4" }, output_language = "Spanish (Spain)",
        mode = "quality" } } })
    assert.are.equal("translation_batch", batch.kind)
    local body, req = sent("POST", "^/v3/video%-translations/batches$")
    assert.matches(KEY_PATTERN, req.headers["idempotency-key"])
    assert.are.same({ video = { type = "url", url = "https://example.com/b.mp4" },
      output_languages = { "Spanish (Spain)" }, mode = "precision" }, body.video_translations[2])
    assert.are.equal(0, emu:count("POST", "^/v3/video%-translations$"))
    local results, errs = batch:wait { timeout = 30 }
    assert.is_nil(errs)
    assert.are.equal(3, batch.total_items)
    assert.are.same({ "French (France)", "German (Germany)", "Spanish (Spain)" },
      { results[1].output_language, results[2].output_language, results[3].output_language })
    assert.are.equal("translate", batch:job(1).kind)
    assert.are.equal(batch.items[3].video_id, results[3].video_translate_id)
    assert.are.equal(support.sample_mp4(), download(results[1].video_url))
    -- re-attached by id: the same items, no second create
    local again = hg:translation_batch(batch.id)
    assert.are.equal("completed", again:refresh())
    assert.are.equal(1, emu:count("POST", "^/v3/video%-translations/batches$"))
    -- a batch id of another kind is not found here
    local _, err = hg:lipsync_batch(batch.id):refresh()
    assert.are.equal("not_found", err.kind)
  end)

  it("create_lipsync_batch makes one lipsync per item, a failed one an error by item", function()
    emu:next_job { kind = "lipsync", fail = { code = "lipsync_failed", message = "No face was found" } }
    local batch, err = hg:create_lipsync_batch { callback_url = "https://hooks.example.com/b", lipsyncs = {
      { video = "https://example.com/in.mp4", audio = "https://example.com/a.mp3" },
      { video = "https://example.com/in2.mp4", audio = { type = "asset_id", asset_id = "nope" } } } }
    assert.is_nil(batch) -- the second names an asset that does not exist: nothing is made
    assert.are.equal("asset_not_available", err.code)
    assert.matches("lipsyncs%[1%]%.audio%.asset_id", err.message)
    assert.are.equal(0, #emu:jobs())
    local batch2, err0 = hg:create_lipsync_batch { lipsyncs = {
      { video = "https://example.com/in.mp4", audio = "https://example.com/a.mp3" },
      { video = "https://example.com/in2.mp4", audio = "https://example.com/b.mp3", enable_caption = true } } }
    assert(batch2, tostring(err0))
    local body = sent("POST", "^/v3/lipsyncs/batches$")
    assert.are.same({ type = "url", url = "https://example.com/b.mp3" }, body.lipsyncs[2].audio)
    local results, errs = batch2:wait { timeout = 30 }
    assert.are.equal("job_failed", errs[1].kind)
    assert.matches("No face was found", errs[1].message) -- a lipsync carries failure_message, no code
    assert.are.equal(batch2.items[2].video_id, results[2].lipsync_id)
    assert.matches("%.srt%?", results[2].caption_url)
    assert.are.equal("lipsync", batch2:job(2).kind)
  end)

  it("checks every item before anything is sent, and the expanded size", function()
    local langs = {}
    for i = 1, 51 do langs[i] = "French (France)" end
    local item = { video_url = "https://example.com/a.mp4", output_languages = langs }
    local cases = {
      { "create_translation_batch", { video_translations = { item, item } },
        "create_translation_batch: video_translations make 102 items (one per output language), more than the 100" },
      { "create_translation_batch", { video_translations = { { video_url = "https://example.com/a.mp4" } } },
        "create_translation_batch: video_translations[1]: the request needs exactly one of output_language or "
          .. "output_languages, got none" },
      { "create_lipsync_batch", { lipsyncs = { { video = "https://example.com/in.mp4" } } },
        "create_lipsync_batch: lipsyncs[1]: audio" },
      { "create_lipsync_batch", { lipsyncs = {} },
        "create_lipsync_batch: lipsyncs must be a list of 1 to 100 lipsync tables, got 0 items" },
      { "create_lipsync_batch", { lipsyncs = { {} }, titel = "x" }, "create_lipsync_batch: unknown field 'titel'" },
    }
    for _, c in ipairs(cases) do
      local batch, err = hg[c[1]](hg, c[2])
      assert.is_nil(batch)
      assert.are.equal("invalid_argument", err.kind)
      assert.are.equal(c[3], err.message:sub(1, #c[3]))
    end
    assert.are.equal(0, #emu:requests())
  end)

  it("the emulator expands translations and caps the expanded total at 100, all or nothing", function()
    local langs = {}
    for i = 1, 60 do langs[i] = "French (France)" end
    local item = { video = { type = "url", url = "https://example.com/a.mp4" }, output_languages = langs }
    local _, err = hg:request { method = "POST", path = "/v3/video-translations/batches", envelope = "v3",
      json = { video_translations = { item, item } } }
    assert.are.equal(400, err.status)
    assert.matches("must expand to at most 100 items %(one per output language%), got \"120 items\"", err.message)
    local bad = { video = { type = "url", url = "https://example.com/a.mp4" }, output_languages = { "Klingon" } }
    _, err = hg:request { method = "POST", path = "/v3/video-translations/batches", envelope = "v3",
      json = { video_translations = { { video = item.video, output_languages = { "French (France)" } }, bad } } }
    assert.are.equal(400, err.status)
    assert.matches("video_translations%[1%]%.output_languages%[0%]", err.message)
    assert.are.equal(0, #emu:jobs())
  end)
end)
