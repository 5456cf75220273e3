-- heygen.emulator.v3.videos: videos (docs/heygen-v3.md 1): create (avatar, image, cinematic
-- avatar and studio bodies, checked against the catalogue), read, list (newest first, by folder
-- or title), delete, bulk statuses and batches. A video made through v2 is readable here and
-- the other way round (the same jobs); its state machine: waiting (create) -> pending ->
-- processing -> completed|failed. Looks and voices: public ones or the account's own once
-- ready (v3/avatars.lua, v3/voices.lua). Others build on new_video, video_status, video_view.
local reply = require "heygen.emulator.reply"
local media = require "heygen.emulator.media"
local S = require "heygen.emulator.v3.support"
local avatars = require "heygen.emulator.v3.avatars"
local voices = require "heygen.emulator.v3.voices"
local batches = require "heygen.emulator.v3.batches"

local null = reply.null
local now, v3, invalid, not_found, body_object, check = S.now, S.v3, S.invalid, S.not_found, S.body_object,
  S.check
local opt, absent, set, merge = S.opt, S.absent, S.set, S.merge
local str, id, req_id, url, bool, num, one_of = S.str, S.id, S.req_id, S.url, S.bool, S.num, S.one_of
local asset, closed_asset, exactly_one = S.asset, S.closed_asset, S.exactly_one
local live, getter, charged_job, note_event, I = S.live, S.getter, S.charged_job, S.note_event, S.idempotent
local paginate, newest_first, newest_key = S.paginate, S.newest_first, S.newest_key
local check_voice, look_for = voices.check_voice, avatars.look_for
local bulk_statuses, batch_creator, batch_getter = batches.bulk_statuses, batches.batch_creator, batches.batch_getter

local M = {}

M.SEEDED_LANGUAGE = "Spanish (Spain)"   -- the output language of the seeded translated videos

local speech_keys = {"script", "audio_url", "audio_asset_id"}

local SPEECH = {script = {type = "string", min_len = 1, max_len = 5000}, voice_id = id, audio_url = url,
                audio_asset_id = id, motion_prompt = str, expressiveness = one_of({"high", "medium", "low"}),
                voice_settings = {type = "object", fields = {speed = num(0.5, 1.5), pitch = num(-50, 50),
                                                             volume = num(0, 1), locale = str}}}
local function speech_fields(extra) return merge(SPEECH, extra) end

local engine = {type = "object", variants = {key = "type", avatar_iv = {type = str},
                                             avatar_iii = {type = str},
                                             avatar_v = {type = str, reference_look_id = id}}}
local caption = {type = "object", fields = {file_format = one_of({"srt"}), style = one_of({"default"})}}
local background = {type = "object", variants = {
  key = "type",
  color = {type = str, value = {type = "string", hex = true, required = true}},
  image = {type = str, url = url, asset_id = id},
}}
local RESOLUTIONS = {"4k", "1080p", "720p"}
local RATIOS = {"16:9", "9:16", "4:5", "5:4", "1:1", "auto"}

local RENDER = {type = str, title = str, resolution = one_of(RESOLUTIONS), aspect_ratio = one_of(RATIOS),
                fit = one_of({"contain", "cover"}), background = background, remove_background = bool,
                output_format = one_of({"mp4", "webm"}), caption = caption, callback_url = url,
                callback_id = str, watermark = {type = "object", fields = {image = asset(true)}}}

local avatar_fields = merge(RENDER, SPEECH, {avatar_id = req_id, engine = engine})
local image_fields = merge(RENDER, SPEECH, {image = closed_asset(true)})

local studio_bg = {type = "object", fields = {type = one_of({"color"}, true),
                                              color = {type = "string", hex = true, required = true}}}
local scene_avatar = speech_fields({type = str, avatar_id = req_id, engine = engine, background = studio_bg})
local scene_image = speech_fields({type = str, image = asset(true), background = studio_bg})

-- A studio still-image scene (the contract's scene "image"): `source` is the picture;
-- silent for `duration` seconds (> 0, at most 300) or narrated by exactly one of
-- script + voice_id, audio_url, audio_asset_id.
local STILL_SCENE = {type = str, source = asset(true), duration = num(nil, 300),
                     script = SPEECH.script, voice_id = id, audio_url = url, audio_asset_id = id,
                     voice_settings = SPEECH.voice_settings}
local function still_scene_check(v, path)
  local where = path == "" and "" or path .. "."
  if v.duration ~= nil and v.duration ~= null and v.duration <= 0 then
    return invalid(where .. "duration", "must be greater than 0", v.duration)
  end
  local modes = 0
  for _, k in ipairs({"duration", "script", "audio_url", "audio_asset_id"}) do
    if not absent(v[k]) then modes = modes + 1 end
  end
  if modes ~= 1 then
    return invalid(where .. "duration", "needs exactly one of duration, script, audio_url, audio_asset_id",
                   modes == 0 and "none" or "several")
  end
  if not absent(v.script) and absent(v.voice_id) then
    return invalid(where .. "voice_id", "is required with script", nil)
  end
end

local VIDEO_RULE = {type = "object", variants = {key = "type",
  avatar = avatar_fields,
  image = image_fields,
  cinematic_avatar = {type = str, title = str, prompt = req_id,
                      avatar_id = {type = "array", required = true, min_items = 1, max_items = 3, items = id},
                      references = {type = "array", max_items = 12, items = asset(false)},
                      duration = {type = "integer", min = 4, max = 15}, auto_duration = bool,
                      enhance_prompt = bool, aspect_ratio = one_of({"16:9", "9:16", "1:1"}),
                      resolution = one_of({"720p", "1080p"})},
  studio = {type = str, title = str, aspect_ratio = one_of(RATIOS), resolution = one_of(RESOLUTIONS),
            caption = caption, callback_url = url, callback_id = str,
            scenes = {type = "array", required = true, min_items = 1, max_items = 50, items = {
              type = "object", variants = {key = "type",
                avatar_video = {type = str, input = {type = "object", required = true, variants = {key = "type",
                  avatar = scene_avatar, image = scene_image}}},
                image = STILL_SCENE,
                video = {type = str, source = asset(true),
                         playback = {type = "object", fields = {volume = num(0, 1), mute = bool}}}}}}},
}}

local VIDEO_KINDS = {video = true, workflow = true, translate = true}

local VIDEO_STATUS = {waiting = "pending", submitted = "pending", draft = "pending", running = "processing",
                      success = "completed"}

local video_status = S.status_in(VIDEO_STATUS)

local function video_view(req, st, job, vid)
  vid = vid or job.video_id or job.id
  local status = video_status(st, job)
  local d = {id = vid, title = job.title or null, status = status, created_at = job.created_at,
             completed_at = null, duration = null, video_url = null, captioned_video_url = null,
             subtitle_url = null, thumbnail_url = null, gif_url = null,
             video_page_url = st:base(req) .. "/share/" .. vid, folder_id = job.folder_id or null,
             output_language = job.output_language or (job.kind == "translate" and M.SEEDED_LANGUAGE) or null,
             failure_code = null, failure_message = null}
  if status == "completed" then
    job.completed_at = job.completed_at or now()
    d.completed_at = job.completed_at
    d.duration = media.SAMPLE_DURATION
    d.video_url = st:signed_url(req, vid .. "." .. (job.ext or "mp4"))
    d.thumbnail_url = st:signed_url(req, vid .. ".jpg")
    d.gif_url = st:signed_url(req, vid .. ".gif")
    d.subtitle_url = st:signed_url(req, vid .. ".srt")
    if job.caption then d.captioned_video_url = st:signed_url(req, vid .. "_caption.mp4") end
    note_event(st, job, "avatar_video.success", {video_id = vid, url = d.video_url, video_url = d.video_url,
                                                 callback_id = job.callback_id or null})
  elseif status == "failed" then
    local f = st:failure(job)
    d.failure_code, d.failure_message = tostring(f.code), f.message
    note_event(st, job, "avatar_video.fail", {video_id = vid, msg = f.message, message = f.message,
                                              callback_id = job.callback_id or null})
  end
  return d
end

-- Server-side checks beyond the shapes: ids that must exist, engines a look supports.
local function check_look(st, body, path)
  local look, err = look_for(st, body.avatar_id, path .. "avatar_id")
  if not look then return err end
  local engine_type = type(body.engine) == "table" and body.engine.type or "avatar_iv"
  if not set(look.engines)[engine_type] then
    return invalid(path .. "engine.type", "is not supported by look " .. look.id .. " (supported: "
                   .. table.concat(look.engines, ", ") .. ")", engine_type)
  end
  if absent(body.voice_id) and not absent(body.script) and not look.default_voice_id then
    return invalid(path .. "voice_id", "is required: look " .. look.id .. " has no default voice", nil)
  end
end


local function check_speaker(st, input, path)
  local e = exactly_one(speech_keys)(input, path:sub(1, -2)) or check_voice(st, input.voice_id, path .. "voice_id")
  if e then return e end
  if input.type == "avatar" then return check_look(st, input, path) end
end

-- A POST /v3/videos body; `pre` prefixes the params errors name (a batch's items).
local function check_create(st, body, pre)
  pre = pre or ""
  local e = check(body, VIDEO_RULE, pre)
  if e then return e end
  if body.type == "avatar" or body.type == "image" then
    e = check_speaker(st, body, pre)
    if e then return e end
    if body.output_format == "webm" and not absent(body.background) then
      return invalid(pre .. "background", "is rejected with output_format webm", body.background)
    end
    if body.type == "image" and not absent(body.engine) then
      return invalid(pre .. "engine", "is not accepted with type image", body.engine)
    end
  elseif body.type == "studio" then
    for i, scene in ipairs(body.scenes) do
      local path = pre .. "scenes[" .. (i - 1) .. "]."
      if scene.type == "avatar_video" then
        e = check_speaker(st, scene.input, path .. "input.")
      elseif scene.type == "image" then
        e = still_scene_check(scene, path:sub(1, -2)) or check_voice(st, scene.voice_id, path .. "voice_id")
      end
      if e then return e end
    end
  else
    for i, look in ipairs(body.avatar_id) do
      e = select(2, look_for(st, look, pre .. "avatar_id[" .. (i - 1) .. "]"))
      if e then return e end
    end
  end
end

local function new_video(st, fields)
  fields.list_type = fields.list_type or "GENERATED"
  return charged_job(st, "video", fields)
end

local function video_from(st, body)
  local fmt = body.output_format ~= null and body.output_format or "mp4"
  local cap = body.caption ~= null and body.caption or nil
  return new_video(st, {title = body.title ~= null and body.title or nil, ext = fmt, v3 = true,
                        caption = type(cap) == "table" and cap.style == "default",
                        callback_url = opt(body.callback_url),
                        callback_id = body.callback_id ~= null and body.callback_id or nil}), fmt
end

local function create_video(req, st)
  local body, err = body_object(req)
  err = err or check_create(st, body) or batches.unpaid(st)
  if err then return err end
  local job, fmt = video_from(st, body)
  return v3({video_id = job.id, status = "waiting", output_format = fmt})
end

local get_video = getter(VIDEO_KINDS, "video_not_found", "Video", video_view)

local function list_videos(req, st)
  local q = req.query
  local list = newest_first(st, VIDEO_KINDS, function(job)
    return (not q.folder_id or q.folder_id == "" or job.folder_id == q.folder_id)
       and (not q.title or q.title == "" or (job.title or ""):lower():find(q.title:lower(), 1, true) ~= nil)
  end)
  return paginate(req, st, "videos", list, newest_key, 10, 100, function(job) return video_view(req, st, job) end)
end

local function delete_video(_, st, vid)
  local job = live(st, vid, VIDEO_KINDS)
  if not job then return not_found("video_not_found", "Video", vid) end
  job.deleted = true
  st.jobs[vid] = nil
  return v3({id = vid, deleted = true})
end

local video_statuses = bulk_statuses("video_ids", VIDEO_KINDS, video_status)

batches.BATCH_KINDS.video = {list = "videos", what = "video bodies", check = check_create,
                             make = function(st, item) return {(video_from(st, item))} end,
                             status = function(st, job) return video_status(st, job) end}

M.new_video, M.video_status, M.video_view = new_video, video_status, video_view

M.routes = {
  {"POST", "/v3/videos", I(create_video)},
  {"GET", "/v3/videos", list_videos},
  {"GET", "/v3/videos/statuses", video_statuses},
  {"POST", "/v3/videos/batches", I(batch_creator("video"))},
  {"GET", "/v3/videos/batches/([^/]+)", batch_getter("video")},
  {"GET", "/v3/videos/([^/]+)", get_video},
  {"DELETE", "/v3/videos/([^/]+)", delete_video},
}

M.views = {video = video_view, workflow = video_view}

return M
