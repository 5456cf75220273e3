-- heygen.emulator.v3.translations: video translations and their proofreads (docs/heygen-v3.md
-- 5): create (one job per output language), read, list, statuses, batches, PATCH {title},
-- DELETE, languages; a proofread's subtitles to review and replace, then generate. States:
-- translation pending -> running -> completed|failed; proofread processing -> completed|failed.
local reply = require "heygen.emulator.reply"
local media = require "heygen.emulator.media"
local S = require "heygen.emulator.v3.support"
local batches = require "heygen.emulator.v3.batches"

local null = reply.null
local v3, fail, invalid, check, body_object, opt = S.v3, S.fail, S.invalid, S.check, S.body_object, S.opt
local str, url, bool, num, one_of, closed_asset, req_id = S.str, S.url, S.bool, S.num, S.one_of, S.closed_asset,
  S.req_id
local live, getter, not_found, charged_job, note_event = S.live, S.getter, S.not_found, S.charged_job, S.note_event
local check_assets, run_status, I = S.check_assets, S.run_status, S.I

local M = {}

M.kinds = {
  proofread = {phases = {{"processing", 90}}, done = "completed", failed = "failed",
               failure = {code = "proofread_failed", message = "The speech could not be transcribed"}},
}

-- a brand glossary of the account (emulator/v3/brands.lua seeds them, GET /v3/brand-glossaries lists them)
local GLOSSARY = require("heygen.emulator.v3.brands").glossary_rule

local TRANSLATE_RULE = {type = "object", closed = true, fields = {
  video = closed_asset(true, true), output_languages = {type = "array", required = true, min_items = 1, items = req_id},
  mode = one_of({"speed", "precision"}), title = str, folder_id = str, input_language = str,
  speaker_num = {type = "integer", min = 1}, translate_audio_only = bool, enable_dynamic_duration = bool,
  disable_music_track = bool, enable_speech_enhancement = bool, enable_caption = bool, enable_watermark = bool,
  keep_the_same_format = bool, start_time = num(0), end_time = num(0), audio = closed_asset(false, true),
  fps_mode = one_of({"vfr", "cfr", "passthrough"}), srt = closed_asset(false, true),
  srt_role = one_of({"input", "output"}), callback_url = url, callback_id = str, brand_glossary_id = GLOSSARY,
  brand_voice_id = GLOSSARY,
  stock_voice_config = {type = "object", fields = {use_stock_voice = bool,
                                                   preferred_stock_voice_ids = {type = "array", items = req_id}}},
}}

-- The error for the first of body.output_languages that is not a known language, or nil.
local function check_languages(st, body, pre)
  for i, lang in ipairs(body.output_languages) do
    if not st.catalogue.language_by_name[lang:lower()] then
      return invalid(pre .. "output_languages[" .. (i - 1) .. "]",
                     "must be a language from /v3/video-translations/languages", lang)
    end
  end
end

-- A translation body's problem (its params named under `pre`), or nil.
local function check_translation(st, body, pre)
  pre = pre or ""
  return check(body, TRANSLATE_RULE, pre) or check_assets(st, body, {"video", "audio", "srt"}, pre)
    or check_languages(st, body, pre)
end

-- The jobs of a checked translation body: one per output language, in order.
local function translations_from(st, body)
  local list = {}
  for _, name in ipairs(body.output_languages) do
    list[#list + 1] = charged_job(st, "translate", {title = opt(body.title) or "Translated video",
      list_type = "TRANSLATED", output_language = st.catalogue.language_by_name[name:lower()],
      callback_id = opt(body.callback_id), callback_url = opt(body.callback_url),
      input_language = opt(body.input_language) or "English", enable_caption = body.enable_caption == true,
      translate_audio_only = body.translate_audio_only == true})
  end
  return list
end

local function create_translation(req, st)
  local body, err = body_object(req)
  err = err or check_translation(st, body)
  if err then return err end
  local ids = {}
  for _, job in ipairs(translations_from(st, body)) do ids[#ids + 1] = job.id end
  return v3({video_translation_ids = ids})
end

local translation_status = S.status_in({success = "completed"})

local function translation_view(req, st, job)
  local status = translation_status(st, job)
  local d = {id = job.id, title = job.title or null, status = status, input_language = job.input_language or "English",
             output_language = job.output_language or null, duration = null, created_at = job.created_at,
             callback_id = job.callback_id or null, translate_audio_only = job.translate_audio_only or false,
             failure_message = null, video_url = null, audio_url = null, srt_caption_url = null, vtt_caption_url = null}
  if status == "completed" then
    d.duration = media.SAMPLE_DURATION
    d.video_url = st:signed_url(req, job.id .. ".mp4")
    d.audio_url = st:signed_url(req, job.id .. ".wav")
    if job.enable_caption then
      d.srt_caption_url = st:signed_url(req, job.id .. ".srt")
      d.vtt_caption_url = st:signed_url(req, job.id .. ".vtt")
    end
    note_event(st, job, "video_translate.success", {video_translate_id = job.id, url = d.video_url,
                                                    callback_id = d.callback_id, output_language = d.output_language})
  elseif status == "failed" then
    d.failure_message = st:failure(job).message
    note_event(st, job, "video_translate.fail", {video_translate_id = job.id, message = d.failure_message,
                                                 callback_id = d.callback_id, output_language = d.output_language})
  end
  return d
end

local get_translation = getter({translate = true}, "not_found", "Video translation", translation_view)

local translation_statuses = batches.bulk_statuses("video_translation_ids", {translate = true}, run_status)

local function list_translations(req, st)
  return S.paginate(req, st, "translations", S.newest_first(st, {translate = true}), S.newest_key, 10, 100,
                  function(job) return translation_view(req, st, job) end)
end

-- GET .../{id}/caption?format=srt|vtt (the strict contract): a completed translation made
-- with enable_caption gives its caption file's presigned URL.
local CAPTION_QUERY = {type = "object", fields = {format = one_of({"srt", "vtt"}, true)}}

local function caption(req, st, tid)
  local job = live(st, tid, {translate = true})
  if not job then return not_found("not_found", "Video translation", tid) end
  local err = check({format = req.query.format}, CAPTION_QUERY, "")
  if err then return err end
  if not job.enable_caption then
    return fail(400, "invalid_parameter", "Video translation " .. tid .. " was created without enable_caption",
                "video_translation_id")
  end
  if run_status(st, job) ~= "completed" then
    return fail(400, "invalid_parameter", "Video translation " .. tid .. " is not completed", "video_translation_id")
  end
  return v3({caption_url = st:signed_url(req, job.id .. "." .. req.query.format)})
end

local function languages(_, st) return v3({languages = st.catalogue.languages}) end

---------------------------------------------------------------------------------------
-- proofreads (docs 5.3): a translation's subtitles to review (and replace) before the
-- render; generate then starts an ordinary translation of the proofread's language.

local PROOFREAD_RULE = {type = "object", closed = true, fields = {
  video = closed_asset(true, true),
  output_languages = {type = "array", required = true, min_items = 1, items = req_id},
  title = {type = "string", required = true, min_len = 1}, mode = one_of({"speed", "precision"}),
  srt = closed_asset(false, true), speaker_num = {type = "integer", min = 1}, folder_id = str,
  brand_glossary_id = GLOSSARY, brand_voice_id = GLOSSARY, -- brand_voice_id: the legacy name of brand_glossary_id
  disable_music_track = bool, enable_speech_enhancement = bool, enable_video_stretching = bool,
  keep_the_same_format = bool,
}}

local function proofread_view(_, st, job)
  local status = st:status(job)
  local d = {id = job.id, title = job.title, status = status, input_language = "English",
             output_language = job.output_language, submitted_for_review = job.srt_replaced == true,
             created_at = job.created_at, failure_message = null}
  if status == "completed" then
    note_event(st, job, "proofread_creation.success", {proofread_id = job.id, output_language = job.output_language})
  elseif status == "failed" then
    d.failure_message = st:failure(job).message
    note_event(st, job, "proofread_creation.fail", {proofread_id = job.id, message = d.failure_message,
                                                   output_language = job.output_language})
  end
  return d
end

local get_proofread = getter({proofread = true}, "not_found", "Proofread", proofread_view)

local function create_proofread(req, st)
  local body, err = body_object(req)
  err = err or check(body, PROOFREAD_RULE, "") or check_assets(st, body, {"video", "srt"})
    or check_languages(st, body, "")
  if err then return err end
  local ids = {}
  for _, name in ipairs(body.output_languages) do
    ids[#ids + 1] = st:create_job("proofread", {title = body.title,
                                               output_language = st.catalogue.language_by_name[name:lower()]}).id
  end
  return v3({proofread_ids = ids, status = "processing"})
end

-- The proofread, when it exists and is completed; else the error answer [INF: the
-- documents say only "completed proofreads only"].
local function completed_proofread(st, pid)
  local job = live(st, pid, {proofread = true})
  if not job then return nil, not_found("not_found", "Proofread", pid) end
  if st:status(job) ~= "completed" then
    return nil, fail(400, "invalid_parameter", "Proofread " .. pid .. " is not completed", "proofread_id")
  end
  return job
end

local function proofread_srt(req, st, pid)
  local job, err = completed_proofread(st, pid)
  if not job then return err end
  if job.srt_replaced then
    return v3({srt_url = st:signed_url(req, job.id .. "_reviewed.srt"),
               original_srt_url = st:signed_url(req, job.id .. ".srt")})
  end
  return v3({srt_url = st:signed_url(req, job.id .. ".srt"), original_srt_url = null})
end

local SRT_RULE = {type = "object", closed = true, fields = {srt = closed_asset(true, true)}}

local function replace_proofread_srt(req, st, pid)
  local job, err = completed_proofread(st, pid)
  if not job then return err end
  local body
  body, err = body_object(req)
  err = err or check(body, SRT_RULE, "") or check_assets(st, body, {"srt"})
  if err then return err end
  job.srt_replaced = true
  return v3(proofread_view(req, st, job))
end

local GENERATE_RULE = {type = "object", closed = true,
                       fields = {captions = bool, translate_audio_only = bool, callback_url = url, callback_id = str}}

local function generate_proofread(req, st, pid)
  local job, err = completed_proofread(st, pid)
  if not job then return err end
  local body
  body, err = body_object(req)
  err = err or check(body, GENERATE_RULE, "")
  if err then return err end
  local t = charged_job(st, "translate", {title = job.title, list_type = "TRANSLATED",
    output_language = job.output_language, input_language = "English", enable_caption = body.captions == true,
    translate_audio_only = body.translate_audio_only == true, callback_id = opt(body.callback_id),
    callback_url = opt(body.callback_url), proofread_id = job.id})
  return v3({video_translation_id = t.id, status = "processing"})
end

batches.BATCH_KINDS.translation = {list = "video_translations", what = "translation bodies", check = check_translation,
                           count = function(item) return #item.output_languages end, make = translations_from,
                           status = run_status}

local TRANSLATE = {translate = true}

M.routes = {
  {"POST", "/v3/video%-translations", I(create_translation)},
  {"GET", "/v3/video%-translations", list_translations},
  {"GET", "/v3/video%-translations/languages", languages},
  {"GET", "/v3/video%-translations/statuses", translation_statuses},
  {"POST", "/v3/video%-translations/proofreads", I(create_proofread)},
  {"GET", "/v3/video%-translations/proofreads/([^/]+)", get_proofread},
  {"GET", "/v3/video%-translations/proofreads/([^/]+)/srt", proofread_srt},
  {"PUT", "/v3/video%-translations/proofreads/([^/]+)/srt", replace_proofread_srt},
  {"POST", "/v3/video%-translations/proofreads/([^/]+)/generate", I(generate_proofread)},
  {"POST", "/v3/video%-translations/batches", I(batches.batch_creator("translation"))},
  {"GET", "/v3/video%-translations/batches/([^/]+)", batches.batch_getter("translation")},
  {"GET", "/v3/video%-translations/([^/]+)/caption", caption},
  {"GET", "/v3/video%-translations/([^/]+)", get_translation},
  {"PATCH", "/v3/video%-translations/([^/]+)", S.title_updater(TRANSLATE, "Video translation", translation_view)},
  {"DELETE", "/v3/video%-translations/([^/]+)", S.deleter(TRANSLATE, "Video translation")},
}

M.views = {translate = translation_view, proofread = proofread_view}

return M
