-- heygen.emulator.v3.lipsyncs: lipsyncs (docs/heygen-v3.md 6): a video's speech replaced by an
-- audio track, pending -> running -> completed|failed; create, read, list (newest first),
-- statuses, batches, PATCH {title}, DELETE. Its outcome reaches only its callback_url (no
-- documented event type).
local reply = require "heygen.emulator.reply"
local media = require "heygen.emulator.media"
local S = require "heygen.emulator.v3.support"
local batches = require "heygen.emulator.v3.batches"

local null = reply.null
local v3, check, body_object, opt = S.v3, S.check, S.body_object, S.opt
local str, url, bool, num, one_of, closed_asset = S.str, S.url, S.bool, S.num, S.one_of, S.closed_asset
local getter, charged_job, note_event = S.getter, S.charged_job, S.note_event
local check_assets, run_status, I = S.check_assets, S.run_status, S.I

local M = {}

M.kinds = {
  lipsync = {phases = {{"pending", 20}, {"running", 120}}, done = "completed", failed = "failed",
             failure = {code = "lipsync_failed", message = "No face was found in the video"}},
}

local LIPSYNC_RULE = {type = "object", closed = true, fields = {
  video = closed_asset(true, true), audio = closed_asset(true, true), mode = one_of({"speed", "precision"}),
  title = str, folder_id = str, enable_caption = bool, enable_watermark = bool, disable_music_track = bool,
  enable_speech_enhancement = bool, enable_dynamic_duration = bool, keep_the_same_format = bool,
  fps_mode = one_of({"vfr", "cfr", "passthrough"}), start_time = num(0), end_time = num(0),
  callback_url = url, callback_id = str,
}}

local function check_lipsync(st, body, pre)
  pre = pre or ""
  return check(body, LIPSYNC_RULE, pre) or check_assets(st, body, {"video", "audio"}, pre)
end

local function lipsync_from(st, body)
  local job = charged_job(st, "lipsync", {title = opt(body.title) or "Lipsync", callback_id = opt(body.callback_id),
                                         callback_url = opt(body.callback_url), caption = body.enable_caption == true})
  table.insert(st.v3.lipsyncs, job)
  return job
end

local function create_lipsync(req, st)
  local body, err = body_object(req)
  err = err or check_lipsync(st, body)
  if err then return err end
  return v3({lipsync_id = lipsync_from(st, body).id})
end

local function lipsync_view(req, st, job)
  local status = st:status(job)
  local d = {id = job.id, title = job.title, status = status, duration = null, created_at = job.created_at,
             callback_id = job.callback_id or null, video_url = null, caption_url = null, failure_message = null}
  if status == "completed" then
    d.duration = media.SAMPLE_DURATION
    d.video_url = st:signed_url(req, job.id .. ".mp4")
    if job.caption then d.caption_url = st:signed_url(req, job.id .. ".srt") end
    note_event(st, job, "lipsync.success", {lipsync_id = job.id, url = d.video_url, video_url = d.video_url,
                                            callback_id = d.callback_id}, true)    -- [INF] event name
  elseif status == "failed" then
    d.failure_message = st:failure(job).message
    note_event(st, job, "lipsync.fail", {lipsync_id = job.id, message = d.failure_message,
                                         callback_id = d.callback_id}, true)
  end
  return d
end

local get_lipsync = getter({lipsync = true}, "not_found", "Lipsync", lipsync_view)
local lipsync_statuses = batches.bulk_statuses("lipsync_ids", {lipsync = true}, run_status)

batches.BATCH_KINDS.lipsync = {list = "lipsyncs", what = "lipsync bodies", check = check_lipsync,
                       make = function(st, item) return {lipsync_from(st, item)} end, status = run_status}


local function list_lipsyncs(req, st)
  return S.paginate(req, st, "lipsyncs", S.reversed(st.v3.lipsyncs), S.newest_key, 10, 100,
                  function(job) return lipsync_view(req, st, job) end)
end

M.routes = {
  {"POST", "/v3/lipsyncs", I(create_lipsync)},
  {"GET", "/v3/lipsyncs", list_lipsyncs},
  {"GET", "/v3/lipsyncs/statuses", lipsync_statuses},
  {"POST", "/v3/lipsyncs/batches", I(batches.batch_creator("lipsync"))},
  {"GET", "/v3/lipsyncs/batches/([^/]+)", batches.batch_getter("lipsync")},
  {"GET", "/v3/lipsyncs/([^/]+)", get_lipsync},
  {"PATCH", "/v3/lipsyncs/([^/]+)", S.title_updater({lipsync = true}, "Lipsync", lipsync_view)},
  {"DELETE", "/v3/lipsyncs/([^/]+)", S.deleter({lipsync = true}, "Lipsync")},
}

M.views = {lipsync = lipsync_view}

return M
