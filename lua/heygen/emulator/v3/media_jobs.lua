-- heygen.emulator.v3.media_jobs: background removal (POST/GET /v3/background-removals,
-- GET/DELETE .../{job_id}) and AI clipping (POST/GET /v3/ai-clipping, GET/DELETE
-- .../{job_id}): jobs on the emulator's clock (M.KINDS), newest first in their lists.
--
-- Background removal: pending -> processing -> completed | failed. Once completed its
-- `layers` maps each layer asked for (foreground, mask, background; all three by default)
-- to a presigned URL (/files/<id>_<layer>.webm|mp4). Its create dedups on the body's
-- request_id (the contract: the Idempotency-Key header is not honoured there): the same
-- request_id answers the original job, whatever the body.
-- AI clipping: pending -> running (progress 0-99 on the clock) -> completed | failed; once
-- completed, two clips per duration type asked for (default "60"), best virality first,
-- each with a presigned video and thumbnail. Its create takes Idempotency-Key; its end is
-- an ai_clipping.success / ai_clipping.fail event (to endpoints and its callback_url).
local reply = require "heygen.emulator.reply"
local media = require "heygen.emulator.media"
local S = require "heygen.emulator.v3.support"

local null = reply.null
local v3, check, body_object, live, not_found = S.v3, S.check, S.body_object, S.live, S.not_found
local str, url, bool, one_of, asset, absent = S.str, S.url, S.bool, S.one_of, S.asset, S.absent
local paginate, reversed, note_event, charged_job = S.paginate, S.reversed, S.note_event, S.charged_job

local M = {}

M.KINDS = {
  background_removal = {phases = {{"pending", 5}, {"processing", 45}}, done = "completed", failed = "failed",
                        failure = {code = "background_removal_failed", message = "No subject was found in the video"}},
  ai_clipping = {phases = {{"pending", 10}, {"running", 120}}, done = "completed", failed = "failed",
                 failure = {code = "ai_clipping_failed", message = "No speech was found to cut clips from"}},
}
M.LAYERS = {"foreground", "mask", "background"}
local LAYER_EXT = {foreground = "webm", mask = "mp4", background = "mp4"}
local CLIP_SECONDS = {["30"] = 30, ["60"] = 60, ["180"] = 180, long = 300}

local REMOVAL_RULE = {type = "object", fields = {
  video = asset(true),
  layers = {type = "array", min_items = 1, max_items = 3, items = one_of(M.LAYERS, true)},
  request_id = {type = "string", min_len = 1, max_len = 255}, title = str,
}}
local CLIPPING_RULE = {type = "object", fields = {
  video = asset(true, true), title = str, input_language = str, callback_url = url, callback_id = str,
  output_settings = {type = "object", fields = {
    aspect_ratio = one_of({"landscape", "portrait", "square"}), caption_style = str, captions = bool,
    duration_types = {type = "array", min_items = 1, items = one_of({"30", "60", "180", "long"}, true)},
    prompt = str,
  }},
}}

local function fresh(st)
  st.v3.background_removals, st.v3.removal_requests, st.v3.clippings = {}, {}, {}
end

-- The moment a job was first seen finished, kept (a later read answers the same).
local function completed_at(job)
  job.completed_at = job.completed_at or reply.int(S.now())
  return job.completed_at
end

local function jobs_of(st, ids)
  local out = {}
  for _, jid in ipairs(ids) do out[#out + 1] = st.jobs[jid] or {deleted = true} end
  return out
end

local function list_key(job) return -job.seq end

---------------------------------------------------------------------------------------
-- background removal

local function removal_view(req, st, job)
  local status = st:status(job)
  local d = {id = job.id, status = status, created_at = job.created_at, completed_at = null, duration = null,
             error = null, layers = {}}
  if job.title then d.title = job.title end
  if status == "completed" then
    d.completed_at, d.duration = completed_at(job), media.SAMPLE_DURATION
    for _, layer in ipairs(job.layers) do
      d.layers[layer] = st:signed_url(req, job.id .. "_" .. layer .. "." .. LAYER_EXT[layer])
    end
  elseif status == "failed" then
    d.error = st:failure(job).message
  end
  return d
end

local function create_removal(req, st)
  local body, err = body_object(req)
  err = err or check(body, REMOVAL_RULE, "")
  if err then return err end
  local rid = S.opt(body.request_id)
  local known = rid and live(st, st.v3.removal_requests[rid], {background_removal = true})
  if known then return v3(removal_view(req, st, known)) end
  local layers = {}
  for _, l in ipairs(absent(body.layers) and M.LAYERS or body.layers) do
    if not S.listed(layers, l) then layers[#layers + 1] = l end
  end
  local job = charged_job(st, "background_removal", {id = "br_" .. st:id(24), layers = layers,
                                                     title = S.opt(body.title), request_id = rid})
  local list = st.v3.background_removals
  list[#list + 1] = job.id
  if rid then st.v3.removal_requests[rid] = job.id end
  return v3(removal_view(req, st, job))
end

local function list_removals(req, st)
  return paginate(req, st, "background-removals", reversed(jobs_of(st, st.v3.background_removals)), list_key,
                  20, 100, function(job) return removal_view(req, st, job) end)
end

---------------------------------------------------------------------------------------
-- AI clipping

local function progress(st, job, status)
  if status == "completed" then return 100 end
  local pending, running = job.def.phases[1][2], job.def.phases[2][2]
  local t = st:vnow() - job.created_v - pending
  if status ~= "running" or t <= 0 then return 0 end
  return math.max(1, math.min(99, math.floor(t / running * 100)))
end

local function clips(req, st, job)
  local out, settings = {}, job.settings
  local score = 96
  for _, dt in ipairs(settings.duration_types or {"60"}) do
    for n = 1, 2 do
      local cid = job.id .. "_clip" .. (#out + 1)
      out[#out + 1] = {id = cid, status = "completed", aspect_ratio = settings.aspect_ratio or "portrait",
                       duration_seconds = CLIP_SECONDS[dt], virality_score = score, failure_message = null,
                       title = (job.title or "Clip") .. " (" .. dt .. (dt == "long" and "" or " s") .. ", " .. n .. ")",
                       video_url = st:signed_url(req, cid .. ".mp4"),
                       thumbnail_url = st:signed_url(req, cid .. ".jpg")}
      score = score - 7
    end
  end
  return out
end

local function clipping_view(req, st, job)
  local status = st:status(job)
  local s = job.settings
  local d = {id = job.id, status = status, progress = progress(st, job, status), title = job.title or null,
             created_at = job.created_at, callback_id = job.callback_id or null,
             input_language = job.input_language or null, source_duration = null, failure_message = null,
             clips = reply.array({}),
             output_settings = {aspect_ratio = s.aspect_ratio or "portrait", captions = s.captions ~= false,
                                caption_style = s.caption_style or null, prompt = s.prompt or null,
                                duration_types = reply.array(s.duration_types or {"60"})}}
  if status == "completed" then
    d.clips = clips(req, st, job)
    note_event(st, job, "ai_clipping.success", {id = job.id, callback_id = d.callback_id, clips = d.clips})
  elseif status == "failed" then
    d.failure_message = st:failure(job).message
    note_event(st, job, "ai_clipping.fail", {id = job.id, callback_id = d.callback_id,
                                             failure_message = d.failure_message})
  end
  return d
end

local function create_clipping(req, st)
  local body, err = body_object(req)
  err = err or check(body, CLIPPING_RULE, "")
  if err then return err end
  local o = S.opt(body.output_settings) or {}
  local settings = {aspect_ratio = S.opt(o.aspect_ratio), captions = S.opt(o.captions),
                    caption_style = S.opt(o.caption_style), prompt = S.opt(o.prompt),
                    duration_types = S.opt(o.duration_types)}
  local job = charged_job(st, "ai_clipping", {id = "clip_" .. st:id(24), settings = settings,
                                              title = S.opt(body.title), input_language = S.opt(body.input_language),
                                              callback_url = S.opt(body.callback_url),
                                              callback_id = S.opt(body.callback_id)})
  local list = st.v3.clippings
  list[#list + 1] = job.id
  return v3(clipping_view(req, st, job))
end

local function list_clippings(req, st)
  return paginate(req, st, "ai-clipping", reversed(jobs_of(st, st.v3.clippings)), list_key, 20, 100,
                  function(job) return clipping_view(req, st, job) end)
end

---------------------------------------------------------------------------------------

local function deleter(kind, what, answer)
  return function(_, st, jid)
    local job = live(st, jid, {[kind] = true})
    if not job then return not_found("not_found", what, jid) end
    st:remove_job(jid)
    return v3(answer(jid))
  end
end

M.kinds, M.fresh = M.KINDS, fresh
M.views = {ai_clipping = clipping_view}
M.routes = {
  {"POST", "/v3/background%-removals", create_removal},
  {"GET", "/v3/background%-removals", list_removals},
  {"GET", "/v3/background%-removals/([^/]+)",
   S.getter({background_removal = true}, "not_found", "Background removal", removal_view)},
  {"DELETE", "/v3/background%-removals/([^/]+)",
   deleter("background_removal", "Background removal", function(jid) return {id = jid, deleted = true} end)},
  {"POST", "/v3/ai%-clipping", S.I(create_clipping)},
  {"GET", "/v3/ai%-clipping", list_clippings},
  {"GET", "/v3/ai%-clipping/([^/]+)", S.getter({ai_clipping = true}, "not_found", "AI clipping job", clipping_view)},
  {"DELETE", "/v3/ai%-clipping/([^/]+)",
   deleter("ai_clipping", "AI clipping job", function(jid) return {id = jid} end)},
}

return M
