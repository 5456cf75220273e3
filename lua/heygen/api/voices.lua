--- Voices: the list (filtered case-insensitively on the client too) and v3 text to
-- speech. Legacy: ../shared/docs/heygen-api.md 3.6; v3: ../shared/docs/heygen-v3.md 4.
local api = require "heygen.api"
local rules = require "heygen.api.schema.legacy"
local schema = require "heygen.api.schema.v3"
local support = require "heygen.api.support"
local util = require "heygen.util"

local M = {}

M.PAGE = 100

local function voice_item(v) return util.merge(v, { preview_audio = v.preview_audio_url }) end

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

  text_to_speech = {
    doc = { args = "o: heygen.SpeechOptions", returns = "heygen.Speech", text = "Speech audio from text" },
    v3 = { method = "POST", path = "/v3/voices/speech", schema = schema.text_to_speech, body = "table" },
  },
}

return M
