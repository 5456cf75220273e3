--- Video Agent sessions (v3 only, ../shared/docs/heygen-v3.md 2): a prompt becomes a video;
-- the "video_agent" job kind follows the session, then its video.
local api = require "heygen.api"
local jobs = require "heygen.job"
local schema = require "heygen.api.schema.v3"
local support = require "heygen.api.support"
local videos = require "heygen.api.videos"
local util = require "heygen.util"

local M = {}

local enc, get = support.enc, support.get

-- A session's status until it names its video, then the video's (docs 2.2: "When
-- completed, fetch the video through GET /v3/videos/{video_id}").
local AGENT_STATUS = { thinking = "pending", waiting_for_input = "processing", reviewing = "processing",
  generating = "processing", completed = "processing", failed = "failed" }

local function agent_failure(d)
  for _, m in ipairs(d.messages or {}) do
    if m.type == "error" then return { code = "video_agent_failed", message = m.content } end
  end
  return { code = "video_agent_failed", message = "the video agent session failed" }
end

jobs.register_kind("video_agent", {
  -- job:cancel() stops the session remotely ("halts at its next checkpoint", docs 2.3)
  cancel = function(job) return support.send("POST", "/v3/video-agents/" .. enc(job.id) .. "/stop") end,
  status = function(job)
    if job.video_id then return get("/v3/videos/" .. enc(job.video_id)) end
    return get("/v3/video-agents/" .. enc(job.id))
  end,
  parse = function(d, job)
    if d.session_id == nil then -- the video
      local status, result, failure = videos.parse(d)
      if status == "pending" then status = "processing" end -- the session is past thinking
      if result then result.session_id = job.id end
      return status, result, failure
    end
    job.progress = d.progress
    local status = AGENT_STATUS[d.status] or "processing"
    if status == "failed" then return status, { session_id = job.id }, agent_failure(d) end
    if d.video_id then job.video_id = d.video_id end
    return status, { session_id = job.id, video_id = d.video_id }
  end,
})

api.rows {
  video_agent = {
    doc = { args = "o: heygen.VideoAgentOptions", returns = "heygen.Job", text = "A video from a prompt" },
    v3 = { method = "POST", path = "/v3/video-agents", creates = true, schema = schema.video_agent,
      -- not documented as idempotent (docs 0.5): sent without a key, never retried after it left
      idempotent = false,
      body = function(_, a)
        local body = util.merge(a)
        if a.files then body.files = support.map(a.files, support.as_asset) end
        return body
      end,
      job = { kind = "video_agent", id = "session_id",
        fields = function(_, d) return { session_id = d.session_id, video_id = d.video_id } end } },
  },
}

return M
