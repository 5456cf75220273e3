--- Video translations and proofreads: translate_video (one Job per output language under
-- v3), the languages, proofreads (create, SRT, render); the "translate" and "proofread"
-- job kinds. Legacy: ../shared/docs/heygen-api.md 3.13; v3: ../shared/docs/heygen-v3.md 5.
local api = require "heygen.api"
local errors = require "heygen.errors"
local kinds = require "heygen.api.jobs"
local jobs = require "heygen.job"
local rules = require "heygen.api.schema.legacy"
local schema = require "heygen.api.schema.v3"
local common = require "heygen.api.schema.common"
local support = require "heygen.api.support"
local validate = require "heygen.validate"

local M = {}

local enc, get, list_of, as_asset = support.enc, support.get, support.list_of, support.as_asset

------------------------------------------------------------------ the "translate" kind

local LEGACY_STATUS = { pending = "pending", running = "processing", processing = "processing",
  success = "completed", completed = "completed", succeeded = "completed", failed = "failed" }

kinds.by_api("translate", {
  status = function(job)
    return { method = "GET", path = "/v2/video_translate/" .. enc(job.id), envelope = "v2" }
  end,
  parse = function(d, job)
    local status = LEGACY_STATUS[d.status] or "processing"
    if status == "failed" then
      return status, nil, { code = d.failure_code, message = d.message or d.failure_message }
    end
    if status == "completed" then
      return status, { video_url = d.url, url = d.url, title = d.title,
        video_translate_id = d.video_translate_id or job.id, output_language = d.output_language }
    end
    return status
  end,
}, {
  status = function(job) return get("/v3/video-translations/" .. enc(job.id)) end,
  bulk = kinds.bulk_status("/v3/video-translations/statuses", "video_translation_ids"),
  parse = kinds.run_parse(function(d, job)
    return {
      video_url = d.video_url, url = d.video_url, title = d.title, output_language = d.output_language,
      video_translate_id = d.id or job.id, video_translation_id = d.id or job.id,
      input_language = d.input_language, audio_url = d.audio_url, duration = d.duration,
      srt_caption_url = d.srt_caption_url, vtt_caption_url = d.vtt_caption_url,
      created_at = d.created_at, callback_id = d.callback_id,
    }
  end),
})

-- A proofread (docs 5.3): processing -> completed | failed; its result names it and its
-- language (its subtitles: hg:proofread_srt(id); its render: hg:generate_proofread(id)).
jobs.register_kind("proofread", {
  status = function(job) return get("/v3/video-translations/proofreads/" .. enc(job.id)) end,
  parse = kinds.run_parse(function(d, job)
    return { proofread_id = d.id or job.id, title = d.title, input_language = d.input_language,
      output_language = d.output_language, submitted_for_review = d.submitted_for_review, created_at = d.created_at }
  end, "proofread_failed"),
})

------------------------------------------------------------------ one Job per language

-- The Jobs of a create that makes one per output language: one Job for output_language, a
-- list in the order asked for output_languages.
-- The answer's ids pair with the languages by position, so a count that differs from the
-- languages asked is a protocol error (err.asked, err.got); the jobs of the ids that came
-- exist all the same: they are in err.jobs (their language unknown) to follow, never to
-- create again.
local function jobs_per_language(client, kind, ids, a)
  local langs, list = a.output_languages or { a.output_language }, {}
  ids = type(ids) == "table" and ids or {}
  local matched = #ids == #langs
  for i, jid in ipairs(ids) do
    local job, err = support.new_job(client, kind, jid, { output_language = matched and langs[i] or nil })
    if not job then
      err.jobs = list -- the ones before it exist too: follow them, never create them again
      return nil, err
    end
    list[i] = job
  end
  if #list == 0 and #langs == 1 then return support.new_job(client, kind, nil) end
  if not matched then
    local err = errors.new { kind = "protocol", asked = #langs, got = #list,
      message = string.format("the create answer carried %d %s id%s for %d output language%s asked (%s); "
        .. "the ids that came are in err.jobs", #list, kind, #list == 1 and "" or "s", #langs,
        #langs == 1 and "" or "s", table.concat(langs, ", ")) }
    err.jobs = list -- set after new: the error's fields are scrubbed copies
    return nil, err
  end
  return a.output_languages and list or list[1]
end

--- The POST /v3/video-translations body for a translate_video table (checked).
function M.body(a)
  local body = {}
  for k, v in pairs(a) do body[k] = v end
  body.video = as_asset(a.video or a.video_url)
  body.video_url, body.output_language = nil, nil
  body.output_languages = a.output_languages or { a.output_language }
  body.mode = ({ fast = "speed", quality = "precision" })[a.mode] or a.mode
  body.audio, body.srt = as_asset(a.audio), as_asset(a.srt)
  return body
end

local function translation_body(_, a) return M.body(a) end

------------------------------------------------------------------ rows

local SRT = { type = "table", fields = { srt = common.asset_arg(true, true) } }


api.rows {
  video_translations = {
    doc = { args = "o?: {limit?: integer, token?: string}", returns = "table[], string?",
      text = "One page of your video translations, and the next page's token" },
    v3 = support.page_row("/v3/video-translations", schema.page100),
  },

  translation_status = {
    doc = { args = "video_translation_id: string", returns = "table", text = "One status read of a translation" },
    v3 = { args = "id", path = "/v3/video-translations/{1}" },
  },

  update_translation = {
    doc = { args = "video_translation_id: string, o: {title: string}", returns = "table",
      text = "Rename a translation" },
    v3 = { args = "id_table", schema = schema.title_update, method = "PATCH", path = "/v3/video-translations/{1}",
      body = "table" },
  },

  delete_translation = {
    doc = { args = "video_translation_id: string", returns = "true", text = "Delete a translation" },
    v3 = { args = "id", method = "DELETE", path = "/v3/video-translations/{1}", result = support.yes },
  },

  translate_video = {
    doc = { args = "req: {video_url: string, output_language?: string, output_languages?: string[], title?: string}",
      returns = "heygen.Job", text = "Translate a video (v3: a list of Jobs for output_languages)" },
    legacy = { method = "POST", path = "/v2/video_translate", envelope = "v2", creates = true, body = "table",
      schema = rules.translate_video, job = { kind = "translate", id = "video_translate_id",
        fields = function(_, _, a) return { output_language = a.output_language } end } },
    v3 = { method = "POST", path = "/v3/video-translations", creates = true, schema = schema.translate_video,
      body = translation_body,
      result = function(client, d, _, a) return jobs_per_language(client, "translate", d and d.video_translation_ids, a)
      end },
  },

  translate_languages = {
    doc = { returns = "string[]", text = "The languages a video can be translated to" },
    legacy = { args = "none", path = "/v2/video_translate/target_languages", envelope = "v2",
      result = function(_, d) return list_of(d and d.languages) end },
    v3 = { args = "none", path = "/v3/video-translations/languages",
      result = function(_, d) return d and d.languages or {} end },
  },

  create_proofread = {
    doc = { args = "req: table", returns = "heygen.Job|heygen.Job[]",
      text = "A proofread of a translation before it is rendered (one Job per output language)" },
    v3 = { method = "POST", path = "/v3/video-translations/proofreads", creates = true, schema = schema.proofread,
      body = translation_body,
      result = function(client, d, _, a) return jobs_per_language(client, "proofread", d and d.proofread_ids, a) end },
  },

  proofread_srt = {
    doc = { args = "proofread_id: string", returns = "table", text = "A proofread's subtitles" },
    v3 = { args = "id", path = "/v3/video-translations/proofreads/{1}/srt" },
  },

  replace_proofread_srt = {
    doc = { args = "proofread_id: string, srt: string|table", returns = "table",
      text = "Replace a proofread's subtitles (a URL or an AssetInput)" },
    v3 = {
      args = function(pid, srt)
        return type(pid) == "string" and pid ~= "" and srt ~= nil, "a proofread id and the new SRT (a URL or an asset)"
      end,
      validate = function(_, _, srt) return validate.check({ srt = srt }, SRT, "") end,
      method = "PUT", path = "/v3/video-translations/proofreads/{1}/srt",
      body = function(_, _, srt) return { srt = as_asset(srt) } end,
    },
  },

  generate_proofread = {
    doc = { args = "proofread_id: string, opts?: table", returns = "heygen.Job",
      text = "Render a proofread translation (a \"translate\" Job)" },
    v3 = { args = "id_table", schema = schema.proofread_generate, method = "POST", creates = true,
      path = "/v3/video-translations/proofreads/{1}/generate", body = "table",
      job = { kind = "translate", id = "video_translation_id",
        fields = function(_, _, pid) return { proofread_id = pid } end } },
  },
}

return M
