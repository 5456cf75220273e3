--- Brand kits and brand glossaries (v3): the ids video_agent{brand_kit_id=} and
-- translate_video{brand_glossary_id=} take, discoverable.
local api = require "heygen.api"

local M = {}

M.PAGE = 100

api.rows {
  brand_kits = {
    doc = { returns = "{brand_kit_id: string, name: string, colors: string[]?, logo_url: string?}[]",
      text = "Every brand kit of the account (brand_kit_id for video_agent and its messages)" },
    v3 = { args = "none", path = "/v3/brand-kits", pages = M.PAGE },
  },

  brand_glossaries = {
    doc = { returns = "{brand_glossary_id: string, name: string, created_at: string, updated_at: string}[]",
      text = "Every brand glossary of the account (brand_glossary_id for translate_video and proofreads)" },
    v3 = { args = "none", path = "/v3/brand-glossaries", pages = M.PAGE },
  },
}

return M
