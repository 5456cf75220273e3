-- heygen.emulator.legacy.translations: video translation (docs 3.11).
local reply = require "heygen.emulator.reply"
local S = require "heygen.emulator.legacy.support"
local null = reply.null

local TRANSLATE_MODES, absent, invalid, missing, is_int = S.TRANSLATE_MODES, S.absent, S.invalid, S.missing, S.is_int
local check_string, check_bool, check_enum, check_url = S.check_string, S.check_bool, S.check_enum, S.check_url
local first, v2_fail, body_object, callback, live_job = S.first, S.v2_fail, S.body_object, S.callback, S.live_job

local function check_translate(st, body)
  local err = check_url(body, "video_url", "video_url", true)
  if err then return err end
  local one, many = body.output_language, body.output_languages
  if absent(one) and absent(many) then return missing("output_language") end
  if not absent(one) and not absent(many) then
    return invalid("output_language/output_languages", "take one of the two, not both")
  end
  local list = absent(many) and {one} or many
  if type(list) ~= "table" or #list == 0 then return invalid("output_languages", "must be a non-empty list", many) end
  for i, lang in ipairs(list) do
    local f = absent(many) and "output_language" or "output_languages[" .. i .. "]"
    if type(lang) ~= "string" or not st.catalogue.language_by_name[lang:lower()] then
      return invalid(f, "must be a language from /v2/video_translate/target_languages", lang)
    end
  end
  err = first(check_string(body, "title", "title"), check_bool(body, "translate_audio_only", "translate_audio_only"),
              check_enum(body, "mode", "mode", TRANSLATE_MODES), check_string(body, "callback_id", "callback_id"),
              check_url(body, "callback_url", "callback_url"))
  if err then return err end
  if not absent(body.speaker_num) and (not is_int(body.speaker_num) or body.speaker_num < 1) then
    return invalid("speaker_num", "must be a positive integer", body.speaker_num)
  end
  return nil, list
end

local function create_translate(req, st)
  local body, err = body_object(req)
  local langs
  if not err then err, langs = check_translate(st, body) end
  if err then return v2_fail(400, err) end
  local ids = {}
  for _, lang in ipairs(langs) do
    local charged = st:charge("translate", false)
    local job = st:create_job("translate", {title = body.title or "Translated video", list_type = "TRANSLATED",
                                            output_language = st.catalogue.language_by_name[lang:lower()],
                                            legacy_callback_url = not absent(body.callback_url) and body.callback_url
                                                                  or nil,
                                            callback_id = body.callback_id ~= null and body.callback_id or nil})
    if not charged and not job.failure then job.failure = st.CREDIT_FAILURE end
    ids[#ids + 1] = job.id
  end
  local data = {video_translate_id = ids[1]}
  if not absent(body.output_languages) then data.video_translate_ids = ids end   -- [INF]
  return reply.v2(data)
end

local function translate_job(st, id)
  local job = live_job(st, id)
  if job and job.kind == "translate" then return job end
end

local function translate_not_found(id)
  return reply.error("v2", 404, "not_found", "Video translate " .. tostring(id) .. " not found")
end

local function get_translate(req, st, id)
  local job = translate_job(st, id)
  if not job then return translate_not_found(id) end
  local status = st:status(job)
  local data = {video_translate_id = id, title = job.title or null, status = status, url = null, message = null}
  if status == "success" then
    data.url = st:signed_url(req, id .. ".mp4")
  elseif status == "failed" then
    data.message = st:failure(job).message
  end
  if job.legacy_callback_url then callback(st, req, job) end
  return reply.v2(data)
end

local function translate_caption(req, st)
  local id = req.query.video_translate_id
  if not id or id == "" then return v2_fail(400, missing("video_translate_id")) end
  local kind = req.query.caption_type or "vtt"
  if kind ~= "vtt" and kind ~= "srt" then return v2_fail(400, invalid("caption_type", "must be vtt or srt", kind)) end
  local job = translate_job(st, id)
  if not job then return translate_not_found(id) end
  if st:status(job) ~= "success" then
    return v2_fail(400, invalid("video_translate_id", "is not finished yet", id))
  end
  return reply.v2({caption_url = st:signed_url(req, id .. "." .. kind)})
end

local function target_languages(_, st)
  return reply.v2({languages = st.catalogue.languages})
end

return {create_translate = create_translate, get_translate = get_translate, translate_caption = translate_caption,
        target_languages = target_languages}
