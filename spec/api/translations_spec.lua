-- video translations and proofreads under api v3
-- (the client against the emulator: the requests it sent, what the user sees).
local env = require "api.v3_env"
local support = require "support"

local emu, hg = env.use()
local KEY_PATTERN, sent, statuses, download = env.KEY_PATTERN, env.sent, env.statuses, env.download

describe("video translations under api v3", function()
  it("translate_video sends the v3 body and follows pending -> running -> completed", function()
    local job = assert(hg:translate_video { video_url = "https://example.com/in.mp4",
      output_language = "Spanish (Spain)", title = "ES", mode = "quality" })
    assert.are.equal("translate", job.kind)
    local body, req = sent("POST", "^/v3/video%-translations$")
    assert.are.same({ video = { type = "url", url = "https://example.com/in.mp4" },
      output_languages = { "Spanish (Spain)" }, title = "ES", mode = "precision" }, body)
    assert.matches(KEY_PATTERN, req.headers["idempotency-key"])
    local result, err, order = statuses(job)
    assert.is_nil(err)
    assert.are.same({ "pending", "processing", "completed" }, order)
    assert.are.equal("Spanish (Spain)", result.output_language)
    assert.are.equal(result.video_url, result.url)
    assert.are.equal(job.id, result.video_translate_id)
    assert.are.equal(support.sample_mp4(), download(result.video_url))
  end)

  it("sends stock_voice_config as the contract has it, and checks it first", function()
    local config = { use_stock_voice = true, preferred_stock_voice_ids = { "sv_1", "sv_2" } }
    assert(hg:translate_video { video_url = "https://example.com/in.mp4", output_language = "Spanish (Spain)",
      stock_voice_config = config, brand_voice_id = "bg_2d9e4a7c0f1b6835" })
    local body = sent("POST", "^/v3/video%-translations$")
    assert.are.same(config, body.stock_voice_config)
    assert.are.equal("bg_2d9e4a7c0f1b6835", body.brand_voice_id)
    local n = #emu:requests()
    local cases = {
      { { use_stock_voice = "yes" }, 'stock_voice_config.use_stock_voice must be true or false, got "yes"' },
      { { preferred_stock_voice_ids = "sv_1" },
        'stock_voice_config.preferred_stock_voice_ids must be a list, got "sv_1"' },
      { { preferred_stock_voice_ids = { "" } }, "stock_voice_config.preferred_stock_voice_ids[1] must not be empty" },
      { { use_stock_voce = true }, "stock_voice_config.use_stock_voce is not a known field (did you mean "
        .. "stock_voice_config.use_stock_voice?)" },
    }
    for _, c in ipairs(cases) do
      local job, err = hg:translate_video { video_url = "https://example.com/in.mp4",
        output_language = "Spanish (Spain)", stock_voice_config = c[1] }
      assert.is_nil(job)
      assert.are.equal("invalid_argument", err.kind)
      assert.matches(c[2], err.message, 1, true)
    end
    assert.are.equal(n, #emu:requests())
  end)

  it("output_languages gives one Job per language, in order", function()
    local list = assert(hg:translate_video { video = { type = "url", url = "https://example.com/in.mp4" },
      output_languages = { "French (France)", "German (Germany)" }, enable_caption = true })
    assert.are.equal(2, #list)
    assert.are.equal("French (France)", list[1].output_language)
    local r = assert(list[2]:wait { timeout = 30 })
    assert.are.equal("German (Germany)", r.output_language)
    assert.matches("%.vtt%?", r.vtt_caption_url)
  end)

  it("an answer with fewer ids than languages asked is an error naming both counts", function()
    emu:fault { method = "POST", path = "^/v3/video%-translations$", status = 200,
      body = { data = { video_translation_ids = { "vt_only_one" } } } }
    local list, err = hg:translate_video { video_url = "https://example.com/in.mp4",
      output_languages = { "French (France)", "German (Germany)" } }
    assert.is_nil(list)
    assert.are.equal("protocol", err.kind)
    assert.are.same({ 2, 1 }, { err.asked, err.got })
    assert.matches("carried 1 translate id for 2 output languages asked (French (France), German (Germany))",
      err.message, 1, true)
    assert.are.equal("vt_only_one", err.jobs[1].id) -- it exists: followed, never created again
    emu:fault { method = "POST", path = "^/v3/video%-translations/proofreads$", status = 200,
      body = { data = { proofread_ids = {}, status = "processing" } } }
    list, err = hg:create_proofread { video_url = "https://example.com/in.mp4", title = "T",
      output_languages = { "French (France)", "German (Germany)" } }
    assert.is_nil(list)
    assert.are.same({ "protocol", 2, 0 }, { err.kind, err.asked, err.got })
  end)

  it("translate_languages lists display names; an unknown one is the API's invalid_parameter", function()
    local langs = assert(hg:translate_languages())
    assert.are.equal("English", langs[1])
    assert.are.equal("Spanish (Spain)", langs[5])
    local job, err = hg:translate_video { video_url = "https://example.com/in.mp4", output_language = "es-ES" }
    assert.is_nil(job)
    assert.are.equal("invalid_argument", err.kind)
    assert.matches('output_languages%[0%] must be a language from /v3/video%-translations/languages, '
      .. 'got "es%-ES" %(param: output_languages%[0%]%)', err.message)
  end)
end)

describe("proofreads", function()
  it("reviews a translation's subtitles, replaces them, then renders the translation from them", function()
    local list = assert(hg:create_proofread { video_url = "https://example.com/talk.mp4", title = "Talk",
      output_languages = { "French (France)", "German (Germany)" }, mode = "quality" })
    assert.are.equal(2, #list)
    local body, req = sent("POST", "^/v3/video%-translations/proofreads$")
    assert.matches(KEY_PATTERN, req.headers["idempotency-key"])
    assert.are.same({ video = { type = "url", url = "https://example.com/talk.mp4" }, title = "Talk",
      output_languages = { "French (France)", "German (Germany)" }, mode = "precision" }, body)
    local pr = list[1]
    assert.are.equal("proofread", pr.kind)
    -- not ready yet: the API refuses its subtitles and its render
    local _, early = hg:proofread_srt(pr.id)
    assert.are.equal(400, early.status)
    local result, err, order = statuses(pr)
    assert.is_nil(err)
    assert.are.same({ "processing", "completed" }, order)
    assert.are.same({ pr.id, "French (France)" }, { result.proofread_id, result.output_language })
    local srt = assert(hg:proofread_srt(pr.id))
    assert.is_nil(srt.original_srt_url)
    assert.matches("^1\r?\n00:00:00", download(srt.srt_url))
    local replaced = assert(hg:replace_proofread_srt(pr.id, "https://example.com/reviewed.srt"))
    assert.is_true(replaced.submitted_for_review)
    assert.are.same({ srt = { type = "url", url = "https://example.com/reviewed.srt" } },
      (sent("PUT", "^/v3/video%-translations/proofreads/" .. pr.id .. "/srt$")))
    srt = assert(hg:proofread_srt(pr.id))
    assert.matches("_reviewed%.srt%?", srt.srt_url)
    assert.matches(pr.id .. "%.srt%?", srt.original_srt_url)
    local t = assert(hg:generate_proofread(pr.id, { captions = true, callback_id = "fr-1" }))
    assert.are.equal("translate", t.kind)
    assert.are.equal(pr.id, t.proofread_id)
    assert.are.same({ captions = true, callback_id = "fr-1" },
      (sent("POST", "^/v3/video%-translations/proofreads/" .. pr.id .. "/generate$")))
    local r = assert(t:wait { timeout = 30 })
    assert.are.equal("French (France)", r.output_language)
    assert.matches("%.vtt%?", r.vtt_caption_url)
    assert.are.equal(support.sample_mp4(), download(r.video_url))
  end)

  it("takes brand_voice_id (the contract's legacy name of brand_glossary_id) and sends it", function()
    assert(hg:create_proofread { video_url = "https://example.com/talk.mp4", title = "Talk",
      output_language = "French (France)", brand_voice_id = "bg_7b1f3c9e5a2d0864" })
    assert.are.equal("bg_7b1f3c9e5a2d0864", sent("POST", "^/v3/video%-translations/proofreads$").brand_voice_id)
    local n = #emu:requests()
    local job, err = hg:create_proofread { video_url = "https://example.com/talk.mp4", title = "Talk",
      output_language = "French (France)", brand_voice_id = "bg_7", brand_glossary_id = "bg_8" }
    assert.is_nil(job)
    assert.are.equal("invalid_argument", err.kind)
    assert.matches('brand_voice_id is the legacy name of brand_glossary_id: give one, got "bg_7" and "bg_8"',
      err.message, 1, true)
    job, err = hg:create_proofread { video_url = "https://example.com/talk.mp4", title = "Talk",
      output_language = "French (France)", brand_voice_id = "" }
    assert.is_nil(job)
    assert.matches('brand_voice_id must not be empty, got ""', err.message, 1, true)
    assert.are.equal(n, #emu:requests())
  end)

  it("checks a proofread before anything is sent", function()
    local cases = {
      { { video_url = "https://example.com/a.mp4", output_language = "French (France)" }, "title" },
      { { video_url = "https://example.com/a.mp4", title = "T" },
        "exactly one of output_language or output_languages" },
      { { video_url = "https://example.com/a.mp4", title = "T", output_language = "French (France)",
          enable_caption = true }, "enable_caption" },
    }
    for _, c in ipairs(cases) do
      local job, err = hg:create_proofread(c[1])
      assert.is_nil(job)
      assert.are.equal("invalid_argument", err.kind)
      assert.matches(c[2], err.message, 1, true)
    end
    local job, err = hg:generate_proofread("pr_1", { caption = true })
    assert.is_nil(job)
    assert.matches("caption", err.message, 1, true)
    assert.has_error(function() hg:replace_proofread_srt("pr_1") end)
    assert.are.equal(0, #emu:requests())
  end)
end)

describe("video translations: list, status, update and delete", function()
  it("video_translations answers a page and the next token; translation_status reads one", function()
    local ids = {}
    for _ = 1, 2 do
      local job = assert(hg:translate_video { video_url = "https://example.com/in.mp4",
        output_language = "Spanish (Spain)" })
      ids[job.id] = true
    end
    local page, token = hg:video_translations { limit = 1 }
    assert.are.equal(1, #page)
    assert.is_string(token)
    local rest = assert(hg:video_translations { token = token })
    local seen = { [page[1].id] = true }
    for _, t in ipairs(rest) do seen[t.id] = true end
    for id in pairs(ids) do assert.is_true(seen[id]) end
    local id = next(ids)
    local one = assert(hg:translation_status(id))
    assert.are.equal(id, one.id)
    assert.are.equal("Spanish (Spain)", one.output_language)
  end)

  it("update and delete check their arguments before any request", function()
    local before = #emu:requests()
    local _, err = hg:update_translation("t1", { title = "" })
    assert.are.equal("invalid_argument", err.kind)
    assert.matches('title must not be empty, got ""', err.message, 1, true)
    _, err = hg:video_translations { limit = 101 }
    assert.matches("limit must be between 1 and 100, got 101", err.message)
    assert.has_error(function() hg:delete_translation(nil) end, "hg:delete_translation expects an id string, got nil")
    assert.are.equal(before, #emu:requests())
  end)
end)
