--- Voices: the list (filtered case-insensitively on the client too) and v3 text to
-- speech. Legacy: ../shared/docs/heygen-api.md 3.6; v3: ../shared/docs/heygen-v3.md 4.
local api = require "heygen.api"
local jobs = require "heygen.job"
local rules = require "heygen.api.schema.legacy"
local schema = require "heygen.api.schema.v3"
local support = require "heygen.api.support"
local util = require "heygen.util"

local M = {}

M.PAGE = 100

local function voice_item(v) return util.merge(v, { preview_audio = v.preview_audio_url }) end

-- A cloned voice trains (docs 4: "Poll GET /v3/voices/{voice_clone_id} until complete").
local CLONE_STATUS = { processing = "processing", pending = "pending", complete = "completed",
  completed = "completed", failed = "failed" }

jobs.register_kind("voice_clone", {
  status = function(job) return support.get("/v3/voices/" .. support.enc(job.id)) end,
  parse = function(d, job)
    local status = CLONE_STATUS[d.status] or "processing"
    if status == "failed" then return status, nil, { code = "voice_clone_failed", message = d.failure_message } end
    if status ~= "completed" then return status end
    return status, util.merge(voice_item(d), { voice_id = d.voice_id or job.id })
  end,
})

local function as_asset_field(field)
  return function(_, a) return util.merge(a, { [field] = support.as_asset(a[field]) }) end
end

api.rows {
  voices = {
    doc = { args = "filter?: {language?: string, gender?: string, engine?: string, type?: string}",
      returns = "heygen.Voice[]", text = "Every voice, filtered by language and gender (case-insensitively)" },
    legacy = { args = "optional_table", schema = rules.voices_filter, path = "/v2/voices", envelope = "v2",
      result = function(_, d, _, a) return support.filter_voices(d and d.voices, a) end },
    v3 = { args = "optional_table", schema = schema.voices_filter, path = "/v3/voices", pages = M.PAGE,
      query = function(a) return { language = a.language, gender = a.gender, engine = a.engine, type = a.type } end,
      -- the filters hold client-side too, whatever the server did
      result = function(_, items, _, a) return support.filter_voices(items, a, voice_item) end },
  },

  voice = {
    doc = { args = "voice_id: string", returns = "heygen.Voice", text = "One voice (a clone's training status too)" },
    v3 = { args = "id", path = "/v3/voices/{1}", result = function(_, d) return voice_item(d) end },
  },

  delete_voice = {
    doc = { args = "voice_id: string", returns = "true", text = "Delete a voice of yours" },
    v3 = { args = "id", method = "DELETE", path = "/v3/voices/{1}", result = support.yes },
  },

  design_voice = {
    doc = { args = "o: {prompt: string, gender?: string, locale?: string, seed?: integer}",
      returns = "{seed: integer, voices: heygen.Voice[]}", text = "Voices designed from a description" },
    v3 = { method = "POST", path = "/v3/voices", creates = true, idempotent = false, schema = schema.design_voice,
      body = "table",
      result = function(_, d)
        d = support.list_of(d)
        return { seed = d.seed, voices = support.map(support.list_of(d.voices), voice_item) }
      end },
  },

  clone_voice = {
    doc = { args = "o: {voice_name: string, audio: string|table, language?: string, remove_background_noise?: boolean}",
      returns = "heygen.Job", text = "Clone a voice from a recording: a Job that ends when the voice is ready" },
    v3 = { method = "POST", path = "/v3/voices/clone", creates = true, idempotent = false, schema = schema.clone_voice,
      body = as_asset_field("audio"), job = { kind = "voice_clone", id = "voice_clone_id" } },
  },

  text_to_speech = {
    doc = { args = "o: heygen.SpeechOptions", returns = "heygen.Speech", text = "Speech audio from text" },
    v3 = { method = "POST", path = "/v3/voices/speech", schema = schema.text_to_speech, body = "table" },
  },
}

return M
