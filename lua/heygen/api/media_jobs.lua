--- Background removal and AI clipping (v3, ../shared/docs/heygen-v3.md 10): each a Job
-- whose result names what to download (job:download takes result.video_url: the
-- foreground layer, or the best clip), plus their lists, reads and deletes.
local api = require "heygen.api"
local jobs = require "heygen.job"
local journal = require "heygen.journal"
local schema = require "heygen.api.schema.v3"
local support = require "heygen.api.support"
local util = require "heygen.util"

local M = {}

local enc, get = support.enc, support.get

local STATUS = { pending = "pending", queued = "pending", processing = "processing", running = "processing",
  completed = "completed", failed = "failed", deleted = "failed", cancelled = "failed" }

------------------------------------------------------------------ background removal

jobs.register_kind("background_removal", {
  status = function(job) return get("/v3/background-removals/" .. enc(job.id)) end,
  parse = function(d, job)
    local status = STATUS[d.status] or "processing"
    if status == "failed" then
      return status, nil, { code = d.status == "deleted" and "deleted" or "background_removal_failed",
        message = d.error or ("the background removal " .. d.status) }
    end
    if status ~= "completed" then return status end
    local layers = type(d.layers) == "table" and d.layers or {}
    local _, any = next(layers)
    return status, { id = d.id or job.id, layers = layers, foreground_url = layers.foreground,
      mask_url = layers.mask, background_url = layers.background, video_url = layers.foreground or any,
      duration = d.duration, completed_at = d.completed_at }
  end,
})

-- The create: the API dedups on the body's request_id (it ignores Idempotency-Key), so the
-- key this call sends (the journal's on a resume) is the request_id too.
local function removal_request(_, a)
  local body = util.merge(a, { video = support.as_asset(a.video) })
  local spec = support.create("/v3/background-removals", body)
  local call = journal.current()
  body.request_id = a.request_id or (call and call.key) or spec.idempotency_key
  return spec
end

------------------------------------------------------------------ AI clipping

-- The best clip: the completed one with the highest virality score (the first on a tie).
local function best_clip(clips)
  local best
  for _, c in ipairs(clips) do
    if type(c) == "table" and c.status == "completed" and c.video_url
      and (not best or (c.virality_score or 0) > (best.virality_score or 0)) then
      best = c
    end
  end
  return best
end

jobs.register_kind("ai_clipping", {
  status = function(job) return get("/v3/ai-clipping/" .. enc(job.id)) end,
  parse = function(d, job)
    job.progress = d.progress
    local status = STATUS[d.status] or "processing"
    if status == "failed" then
      return status, nil, { code = "ai_clipping_" .. tostring(d.status), message = d.failure_message }
    end
    if status ~= "completed" then return status end
    local clips = type(d.clips) == "table" and d.clips or {}
    local best = best_clip(clips) or {}
    return status, { id = d.id or job.id, clips = clips, video_url = best.video_url, clip_id = best.id,
      title = d.title, input_language = d.input_language }
  end,
})

------------------------------------------------------------------ rows


api.rows {
  remove_background = {
    doc = { args = "o: {video: string|table, layers?: string[], title?: string, request_id?: string}",
      returns = "heygen.Job", text = "Remove a video's background: a Job whose result has the layer URLs "
        .. "(job:download writes the foreground)" },
    v3 = { schema = schema.background_removal, request = removal_request,
      job = { kind = "background_removal", id = "id" } },
  },
  background_removals = {
    doc = { args = "o?: {limit?: integer, token?: string}", returns = "table[], string?",
      text = "One page of background removals, and the next page's token" },
    v3 = support.page_row("/v3/background-removals", schema.page100),
  },
  background_removal = {
    doc = { args = "job_id: string", returns = "table", text = "One background removal" },
    v3 = { args = "id", path = "/v3/background-removals/{1}" },
  },
  delete_background_removal = {
    doc = { args = "job_id: string", returns = "true", text = "Delete a background removal" },
    v3 = { args = "id", method = "DELETE", path = "/v3/background-removals/{1}", result = support.yes },
  },

  ai_clipping = {
    doc = { args = "o: {video: string|table, title?: string, input_language?: string, output_settings?: table, "
      .. "callback_url?: string, callback_id?: string}", returns = "heygen.Job",
      text = "Short clips cut from a long video: a Job whose result lists the clips (job:download writes "
        .. "the best one)" },
    v3 = { method = "POST", path = "/v3/ai-clipping", creates = true, idempotent = false, schema = schema.ai_clipping,
      body = function(_, a) return util.merge(a, { video = support.as_asset(a.video) }) end,
      job = { kind = "ai_clipping", id = function(_, d) return d.id or d.job_id end } },
  },
  ai_clipping_jobs = {
    doc = { args = "o?: {limit?: integer, token?: string}", returns = "table[], string?",
      text = "One page of AI clipping jobs, and the next page's token" },
    v3 = support.page_row("/v3/ai-clipping", schema.page100),
  },
  ai_clipping_job = {
    doc = { args = "job_id: string", returns = "table", text = "One AI clipping job and its clips" },
    v3 = { args = "id", path = "/v3/ai-clipping/{1}" },
  },
  delete_ai_clipping = {
    doc = { args = "job_id: string", returns = "true", text = "Delete an AI clipping job" },
    v3 = { args = "id", method = "DELETE", path = "/v3/ai-clipping/{1}", result = support.yes },
  },
}

return M
