--- Video Agent sessions (v3 only, ../shared/docs/heygen-v3.md 2): a prompt becomes a video;
-- the "video_agent" job kind follows the session, then its video.
local api = require "heygen.api"
local errors = require "heygen.errors"
local jobs = require "heygen.job"
local schema = require "heygen.api.schema.v3"
local support = require "heygen.api.support"
local videos = require "heygen.api.videos"
local util = require "heygen.util"
local validate = require "heygen.validate"

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

-- What a waiting session asks: its last message that is not the user's, with a key that
-- tells one question from the next (job:reply marks the key answered).
local function question_of(d)
  local list = type(d.messages) == "table" and d.messages or {}
  for i = 1, #list do -- newest first (docs/heygen-v3.md: a session's messages)
    local m = list[i]
    if type(m) == "table" and m.role ~= "user" then
      return { text = tostring(m.content), key = i .. ":" .. tostring(m.created_at) .. ":" .. tostring(m.content) }
    end
  end
  return { text = "the agent waits for your input", key = #list .. ":" }
end

-- The message body of a reply: a string is the message; a table has the contract's fields.
local function message_body(message)
  local body = type(message) == "string" and { message = message } or message
  if type(body) ~= "table" then
    return nil, errors.invalid("message", "must be a string or a table of message fields", message)
  end
  local ok, err = validate.check(body, schema.agent_message, "")
  if not ok then return nil, err end
  body = util.merge(body)
  if body.files then body.files = support.map(body.files, support.as_asset) end
  return body
end

local function send_message(client, session_id, message)
  local body, err = message_body(message)
  if not body then return nil, err end
  return client:request(support.send("POST", "/v3/video-agents/" .. enc(session_id), body))
end

-- job:reply: the answer (or a revision request once the video is done) goes to the session;
-- the job follows the session again until it names a new video.
local function reply(job, message)
  local client = job._state.client
  local data, err = send_message(client, job.id, message)
  if data == nil then return nil, err end
  job.answered = job.question and job.question.key or job.answered
  job.question = nil
  if job.video_id then
    job.old_videos = job.old_videos or {}
    job.old_videos[job.video_id] = true
    job.video_id = nil
  end
  if job.status == "completed" or job.status == "failed" then job.status = "processing" end
  job.run_id = type(data) == "table" and data.run_id or nil
  return job
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
    job.question = d.status == "waiting_for_input" and question_of(d) or nil
    if status == "failed" then return status, { session_id = job.id }, agent_failure(d) end
    local vid = d.video_id
    if vid and not (job.old_videos and job.old_videos[vid]) then job.video_id = vid else vid = nil end
    return status, { session_id = job.id, video_id = vid }
  end,
  -- a session waiting for input ends job:wait with err.kind "needs_input" (once per question)
  needs_input = function(job)
    local q = job.question
    if not q or q.key == job.answered then return nil end
    return errors.new { kind = "needs_input", job_id = job.id, session_id = job.id, question = q.text,
      message = string.format("video agent session %s waits for input: %s (answer with job:reply(text), "
        .. "then wait again)", job.id, q.text) }
  end,
  reply = reply,
})

local function page(_, d, doc) return support.one_page(d, doc) end

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
  video_agent_message = {
    doc = { args = "session_id: string, message: string|table", returns = "{session_id: string, run_id: string}",
      text = "Send a message to a session: an answer, a follow-up or a revision request (job:reply does this)" },
    v3 = { args = function(sid, m)
      return type(sid) == "string" and sid ~= "" and m ~= nil, "a session id and a message (a string or a table)"
    end, run = send_message, http = "POST /v3/video-agents/{1}" },
  },

  video_agent_session = {
    doc = { args = "session_id: string", returns = "table",
      text = "One session: status, progress, messages, video_id" },
    v3 = { args = "id", path = "/v3/video-agents/{1}" },
  },

  video_agent_sessions = {
    doc = { args = "o?: {limit?: integer, token?: string}", returns = "table[], string?",
      text = "One page of your sessions, and the next page's token" },
    v3 = { args = "optional_table", schema = schema.agent_sessions, path = "/v3/video-agents", query = "table",
      result = page },
  },

  video_agent_videos = {
    doc = { args = "session_id: string", returns = "table[]", text = "The videos a session made (legacy names added)" },
    v3 = { args = "id", path = "/v3/video-agents/{1}/videos",
      result = function(_, d) return support.map(support.list_of(d), videos.result) end },
  },

  video_agent_resource = {
    doc = { args = "session_id: string, resource_id: string", returns = "table",
      text = "A resource a session message names (resource_ids): its type and URLs" },
    v3 = { args = function(sid, rid)
      return type(sid) == "string" and sid ~= "" and type(rid) == "string" and rid ~= "",
        "a session id and a resource id"
    end, path = "/v3/video-agents/{1}/resources/{2}" },
  },

  stop_video_agent = {
    doc = { args = "session_id: string", returns = "{session_id: string}",
      text = "Stop a session at its next checkpoint (job:cancel does this for a Job)" },
    v3 = { args = "id", method = "POST", path = "/v3/video-agents/{1}/stop" },
  },

  video_agent_styles = {
    doc = { args = "o?: {tag?: string}", returns = "table[]", text = "Every style a session can take (style_id)" },
    v3 = { args = "optional_table", schema = schema.agent_styles, path = "/v3/video-agents/styles", query = "table",
      pages = 100 },
  },
}

return M
