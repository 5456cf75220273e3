--- Lipsyncs (v3 only, ../shared/docs/heygen-v3.md 6): a video dubbed with new audio; the
-- "lipsync" job kind.
local api = require "heygen.api"
local jobs = require "heygen.job"
local kinds = require "heygen.api.jobs"
local schema = require "heygen.api.schema.v3"
local support = require "heygen.api.support"
local util = require "heygen.util"

local M = {}

local LIPSYNC_BULK = kinds.bulk_status("/v3/lipsyncs/statuses", "lipsync_ids")

jobs.register_kind("lipsync", {
  status = function(job) return support.get("/v3/lipsyncs/" .. support.enc(job.id)) end,
  bulk = function() return LIPSYNC_BULK end,
  parse = kinds.run_parse(function(d, job)
    return { video_url = d.video_url, url = d.video_url, lipsync_id = d.id or job.id,
      caption_url = d.caption_url, duration = d.duration, title = d.title, created_at = d.created_at,
      callback_id = d.callback_id }
  end),
})

--- The POST /v3/lipsyncs body for a lipsync table (checked).
function M.body(a)
  return util.merge(a, { video = support.as_asset(a.video), audio = support.as_asset(a.audio) })
end


api.rows {
  lipsyncs = {
    doc = { args = "o?: {limit?: integer, token?: string}", returns = "table[], string?",
      text = "One page of your lipsyncs, and the next page's token" },
    v3 = support.page_row("/v3/lipsyncs", schema.page100),
  },

  lipsync_status = {
    doc = { args = "lipsync_id: string", returns = "table", text = "One status read of a lipsync" },
    v3 = { args = "id", path = "/v3/lipsyncs/{1}" },
  },

  update_lipsync = {
    doc = { args = "lipsync_id: string, o: {title: string}", returns = "table", text = "Rename a lipsync" },
    v3 = { args = "id_table", schema = schema.title_update, method = "PATCH", path = "/v3/lipsyncs/{1}",
      body = "table" },
  },

  delete_lipsync = {
    doc = { args = "lipsync_id: string", returns = "true", text = "Delete a lipsync" },
    v3 = { args = "id", method = "DELETE", path = "/v3/lipsyncs/{1}", result = support.yes },
  },

  lipsync = {
    doc = { args = "o: heygen.LipsyncOptions", returns = "heygen.Job", text = "Dub a video with new audio" },
    v3 = { method = "POST", path = "/v3/lipsyncs", creates = true, schema = schema.lipsync,
      body = function(_, a) return M.body(a) end, job = { kind = "lipsync", id = "lipsync_id" } },
  },
}

return M
