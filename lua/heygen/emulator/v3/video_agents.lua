-- heygen.emulator.v3.video_agents: Video Agent sessions (docs/heygen-v3.md 2; the contract's
-- VideoAgent* operations), a conversation on the clock.
--
-- A session is a job of kind "video_agent" plus its runs: the create is run 1, every
-- message sent (POST /v3/video-agents/{id}) starts the next. A run thinks
-- (M.THINK nominal seconds; run 1 M.KINDS.video_agent's 30), then:
--   * generate mode, or a run started by a message: renders a video (a "video" job, created
--     at the virtual time thinking ended) and the session follows it: generating ->
--     completed | failed;
--   * run 1 of a chat session: waits (status waiting_for_input) until a message is sent; its
--     newest message is the agent's question (M.QUESTION), naming a storyboard resource.
-- A message to a completed session is a revision: a new run, a new video (s.video_id names
-- the newest; GET .../videos lists them all, newest first). A message while the session
-- thinks or renders, or once it failed, is a 409. Stop fails the session (code "stopped").
-- Messages are answered newest first (at most 40), roles "user" and "model".
local reply = require "heygen.emulator.reply"
local S = require "heygen.emulator.v3.support"
local videos = require "heygen.emulator.v3.videos"
local avatars = require "heygen.emulator.v3.avatars"
local check_voice = require("heygen.emulator.v3.voices").check_voice
-- a brand_kit_id must name one of the account's kits (GET /v3/brand-kits lists them)
local KIT = require("heygen.emulator.v3.brands").kit_rule

local null = reply.null
local v3, fail, check, body_object = S.v3, S.fail, S.check, S.body_object
local id, str, url, bool, one_of, closed_asset = S.id, S.str, S.url, S.bool, S.one_of, S.closed_asset
local live, not_found, absent, opt, now = S.live, S.not_found, S.absent, S.opt, S.now

local M = {}

M.KINDS = {
  -- after thinking the session follows its runs (see session_state)
  video_agent = {phases = {{"thinking", 30}}, done = "generating", failed = "failed",
                 failure = {code = "video_agent_failed",
                            message = "The agent could not plan a video for this prompt"}},
}
M.THINK = 10              -- nominal seconds a message's run thinks before it renders
M.MAX_MESSAGES = 40
M.QUESTION = "Here is my storyboard: one scene, a presenter on camera, about 3 seconds. "
  .. "Shall I go ahead, or would you like a different voice, length or style?"
M.STYLES = {
  {style_id = "style_clean_explainer", name = "Clean explainer", tags = {"explainer", "business"},
   aspect_ratio = "16:9"},
  {style_id = "style_product_demo", name = "Product demo", tags = {"product", "marketing"}, aspect_ratio = "16:9"},
  {style_id = "style_social_short", name = "Social short", tags = {"social", "marketing"}, aspect_ratio = "9:16"},
  {style_id = "style_news_desk", name = "News desk", tags = {"news", "business"}, aspect_ratio = "16:9"},
  {style_id = "style_storyteller", name = "Storyteller", tags = {"story"}, aspect_ratio = "1:1"},
}

local FILES = {type = "array", max_items = 20, items = closed_asset(false)}
local AGENT_RULE = {type = "object", closed = true, fields = {
  prompt = {type = "string", required = true, min_len = 1, max_len = 10000},
  mode = one_of({"generate", "chat"}), avatar_id = id, voice_id = id, style_id = id, brand_kit_id = KIT,
  orientation = one_of({"landscape", "portrait"}), callback_url = url, callback_id = str, incognito_mode = bool,
  files = FILES,
}}
local MESSAGE_RULE = {type = "object", closed = true, fields = {
  message = {type = "string", required = true, min_len = 1, max_len = 10000},
  avatar_id = id, voice_id = id, brand_kit_id = KIT, files = FILES,
}}

local AGENT_PROGRESS = {pending = 30, processing = 60, completed = 100}

local function msg(role, kind, content, at, resource_ids)
  return {role = role, type = kind, content = content, created_at = at, resource_ids = reply.array(resource_ids or {})}
end

-- A resource of the session (its id goes in a message's resource_ids).
local function add_resource(st, s, fields)
  fields.resource_id = "res_" .. st:id(16)
  fields.created_at = fields.created_at or now()
  s.resources[#s.resources + 1] = fields
  return fields.resource_id
end

local function file_resources(st, s, files)
  local ids = {}
  for _, f in ipairs(files ~= null and files or {}) do
    ids[#ids + 1] = add_resource(st, s, {resource_type = "file", source_type = "user_uploaded",
                                         url = f.url, asset_id = f.asset_id, media_type = f.media_type})
  end
  return ids
end

-- The run's video, made once its thinking ends (at that virtual time).
local function run_video(st, s, run, ended_v)
  if not run.video_id then
    local video = videos.new_video(st, {title = s.title, ext = "mp4", created_v = ended_v, callback_id = s.callback_id})
    run.video_id = video.id
    run.video_at = now()
    s.videos[#s.videos + 1] = video.id
    run.resource_id = add_resource(st, s, {resource_type = "video", source_type = "generated", video_id = video.id})
  end
  s.video_id = run.video_id
  return st.jobs[run.video_id]
end

-- The session's status (and, failed, why; rendering, the video's status).
local function session_state(st, s)
  local phase = st:status(s)
  if phase ~= "generating" then return phase end
  local run = s.runs[#s.runs]
  local video
  if #s.runs == 1 then
    if s.mode == "chat" then
      if not run.asked then
        run.asked = now()
        run.draft_id = add_resource(st, s, {resource_type = "draft", source_type = "generated",
                                            metadata = {scenes = 1, duration_seconds = 3}})
      end
      return "waiting_for_input"
    end
    video = run_video(st, s, run, s.created_v + M.KINDS.video_agent.phases[1][2])
  else
    if st:vnow() - run.started_v < M.THINK then return "thinking" end
    video = run_video(st, s, run, run.started_v + M.THINK)
  end
  if not video or video.deleted then return "failed", "The session's video was deleted" end
  local vs = videos.video_status(st, video)
  if vs == "failed" then return "failed", st:failure(video).message end
  if vs == "completed" then return "completed" end
  return "generating", nil, vs
end

-- The messages, oldest first while built, answered newest first.
local function messages(st, s, status, why)
  local out = {}
  for i, run in ipairs(s.runs) do
    out[#out + 1] = msg("user", "text", run.message, run.created_at, run.file_ids)
    if i == 1 and run.asked then
      out[#out + 1] = msg("model", "text", M.QUESTION, run.asked, {run.draft_id})
    elseif i == 1 and run.video_id then
      out[#out + 1] = msg("model", "text", "Storyboard ready: one scene, presenter on camera, about 3 seconds.",
                          run.created_at)
    end
    if run.video_id then
      out[#out + 1] = msg("model", "resource", "Rendering your video.", run.video_at, {run.resource_id})
    end
  end
  if status == "failed" then out[#out + 1] = msg("model", "error", why or st:failure(s).message, now()) end
  local newest = {}
  for i = #out, math.max(1, #out - M.MAX_MESSAGES + 1), -1 do newest[#newest + 1] = out[i] end
  return newest
end

local function session_view(st, s)
  local status, why, vs = session_state(st, s)
  if status == "failed" then
    S.note_event(st, s, "video_agent.fail", {session_id = s.id, message = why or st:failure(s).message,
                                             callback_id = s.callback_id or null})
  elseif status == "completed" then
    S.note_event(st, s, "video_agent.success", {session_id = s.id, video_id = s.video_id,
                                                callback_id = s.callback_id or null})
  end
  local progress = status == "waiting_for_input" and 20 or (status == "thinking" and 10)
                   or (status == "failed" and 0) or AGENT_PROGRESS[vs or "completed"]
  return {session_id = s.id, status = status, progress = progress, title = s.title,
          video_id = s.video_id or null, created_at = s.created_at, messages = messages(st, s, status, why)}
end

local function check_refs(st, body)
  local err = check_voice(st, body.voice_id, "voice_id")
  if err then return err end
  if not absent(body.avatar_id) then return select(2, avatars.look_for(st, body.avatar_id, "avatar_id")) end
end

local function create_session(req, st)
  local body, err = body_object(req)
  err = err or check(body, AGENT_RULE, "") or check_refs(st, body)
  if err then return err end
  local s = st:create_job("video_agent", {prompt = body.prompt, title = body.prompt:sub(1, 60),
                                          mode = opt(body.mode) or "generate", callback_url = opt(body.callback_url),
                                          callback_id = opt(body.callback_id), runs = {}, videos = {},
                                          resources = {}})
  s.runs[1] = {run_id = "run_" .. st:id(16), message = body.prompt, created_at = s.created_at,
               started_v = s.created_v}
  s.runs[1].file_ids = file_resources(st, s, body.files)
  st.v3.sessions[#st.v3.sessions + 1] = s
  return v3({session_id = s.id, status = "thinking", video_id = null, created_at = s.created_at})
end

local function session_of(st, sid)
  local s = live(st, sid, {video_agent = true})
  if not s then return nil, not_found("not_found", "Video agent session", sid) end
  s.runs = s.runs or {{message = s.prompt, created_at = s.created_at, started_v = s.created_v}}
  s.videos, s.resources = s.videos or {s.video_id}, s.resources or {}
  return s
end

local function get_session(_, st, sid)
  local s, err = session_of(st, sid)
  if not s then return err end
  return v3(session_view(st, s))
end

-- An answer (waiting_for_input) or a revision request (completed): a new run.
local function send_message(req, st, sid)
  local s, err = session_of(st, sid)
  if not s then return err end
  local body
  body, err = body_object(req)
  err = err or check(body, MESSAGE_RULE, "") or check_refs(st, body)
  if err then return err end
  local status = session_state(st, s)
  if status ~= "waiting_for_input" and status ~= "completed" then
    return fail(409, "conflict", "Video agent session " .. s.id .. " is " .. status
                .. ": send a message when it waits for input or has completed")
  end
  local run = {run_id = "run_" .. st:id(16), message = body.message, created_at = now(), started_v = st:vnow()}
  run.file_ids = file_resources(st, s, body.files)
  s.runs[#s.runs + 1] = run
  s.v3_event = nil                      -- the run's outcome is a new event, the sweep watches again
  if st.webhooks then st.webhooks:watch(s) end
  return v3({session_id = s.id, run_id = run.run_id, title = s.title})
end

-- Stops a running session (and its render): it ends failed with code "stopped".
local function stop_session(_, st, sid)
  local s, err = session_of(st, sid)
  if not s then return err end
  local status = session_state(st, s)
  if status ~= "completed" and status ~= "failed" then
    local why = {code = "stopped", message = "The session was stopped on request"}
    st:control_job(s.id, {fail = why})
    local run = s.runs[#s.runs]
    if run.video_id then st:control_job(run.video_id, {fail = why}) end
  end
  return v3({session_id = s.id})
end

local function list_sessions(req, st)
  return S.paginate(req, st, "sessions", S.reversed(st.v3.sessions), S.newest_key, 20, 100, function(s)
    return {session_id = s.id, title = s.title, created_at = s.created_at}
  end)
end

-- The session's videos, newest first (one page: a session makes a few).
local function list_videos(req, st, sid)
  local s, err = session_of(st, sid)
  if not s then return err end
  session_state(st, s)
  local out = {}
  for i = #s.videos, 1, -1 do
    local video = live(st, s.videos[i])
    if video then out[#out + 1] = videos.video_view(req, st, video) end
  end
  return reply.json(200, {data = reply.array(out), has_more = false, next_token = null})
end

local function get_resource(req, st, sid, rid)
  local s, err = session_of(st, sid)
  if not s then return err end
  for _, r in ipairs(s.resources) do
    if r.resource_id == rid then
      local d = {resource_id = r.resource_id, resource_type = r.resource_type, source_type = r.source_type,
                 url = r.url or null, preview_url = null, thumbnail_url = null, created_at = r.created_at,
                 metadata = r.metadata or null}
      local video = r.video_id and live(st, r.video_id)
      if video then
        local view = videos.video_view(req, st, video)
        d.url, d.preview_url, d.thumbnail_url = view.video_url, view.video_page_url, view.thumbnail_url
        d.metadata = {video_id = video.id, status = view.status}
      elseif r.asset_id then
        d.metadata = {asset_id = r.asset_id}
      end
      return v3(d)
    end
  end
  return not_found("not_found", "Resource", rid)
end

local function list_styles(req, st)
  local tag = req.query.tag
  local list = {}
  for i, style in ipairs(M.STYLES) do
    local wanted = not tag or tag == ""
    for _, t in ipairs(style.tags) do wanted = wanted or t == tag end
    if wanted then list[#list + 1] = {pos = i, item = style} end
  end
  return S.paginate(req, st, "styles", list, S.by_position, 20, 100, function(p)
    local style = p.item
    local base = st:base(req) .. "/share/styles/" .. style.style_id
    return {style_id = style.style_id, name = style.name, tags = reply.array(style.tags),
            aspect_ratio = style.aspect_ratio, thumbnail_url = base .. ".jpg", preview_video_url = base .. ".mp4"}
  end)
end

M.routes = {
  {"POST", "/v3/video%-agents", create_session},
  {"GET", "/v3/video%-agents", list_sessions},
  {"GET", "/v3/video%-agents/styles", list_styles},
  {"GET", "/v3/video%-agents/([^/]+)/videos", list_videos},
  {"GET", "/v3/video%-agents/([^/]+)/resources/([^/]+)", get_resource},
  {"POST", "/v3/video%-agents/([^/]+)/stop", stop_session},
  {"GET", "/v3/video%-agents/([^/]+)", get_session},
  {"POST", "/v3/video%-agents/([^/]+)", send_message},
}

M.kinds = M.KINDS
M.views = {video_agent = function(_, st, s) return session_view(st, s) end}

return M
