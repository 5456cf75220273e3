-- heygen.emulator.v3: HeyGen's v3 endpoints (docs/heygen-v3.md) on the same state as the
-- legacy routes: a video made through v2 is readable through v3 and the other way round.
--
-- Envelopes: {"data": ...}, lists {"data": [...], "has_more", "next_token"}, errors
-- {"error": {code, message, param?, doc_url}}. State machines (nominal seconds, divided
-- by the time scale): video waiting (create) -> pending -> processing -> completed|failed;
-- translation and lipsync pending -> running -> completed|failed; proofread processing ->
-- completed|failed (then generate starts a translation); video agent sessions (a chat that
-- waits for input, messages, revisions): v3/video_agents.lua.
--
-- Idempotency-Key (docs 0.5) on every documented create: the first answer is stored per
-- (method, path, key) for 24 h and replayed verbatim; a retry while the first is still in
-- flight gets 409 request_in_progress; a malformed key gets 400 invalid_parameter.
--
-- Control (no auth, not logged), beside /_emulator/ (see init.lua):
--   POST /_emulator/v3/hold    {path=, method="POST", seconds=, times=1, status=}
--        the next matching v3 create is processed, then kept in flight `seconds` (its key
--        answers 409 meanwhile); with `status` its answer is then lost and replaced by
--        that status (the job exists, the client never saw it)
--   POST /_emulator/v3/billing {billing_type = "wallet"|"subscription"|"usage_based",
--                               currency = "usd"|"credits", unknown_balance = true}
--        the users/me shape; "none": billing_type null (no billing object); unknown_balance:
--        the billing object with its balance null (both allowed by the contract)
--   GET  /_emulator/v3/idempotency   stored keys {method, path, key, state}
--
-- Layout: the helpers every resource needs are in v3/support.lua (its top comment lists
-- them); resources live in v3/<resource>.lua, each listed in M.RESOURCE_MODULES below and
-- loaded by M.register: its kinds, its part of st.v3 (fresh), its sweep views, its routes
-- (before this file's), then its own register(app, st) if any.
local reply = require "heygen.emulator.reply"
local media = require "heygen.emulator.media"
local S = require "heygen.emulator.v3.support"

local null = reply.null
local int = reply.int

local M = {}

-- Route modules by resource (lua/heygen/emulator/v3/<resource>.lua, see v3/support.lua for
-- what one returns): their routes load before the ones below. Add yours with one line.
M.RESOURCE_MODULES = {
  "heygen.emulator.v3.video_agents",
  "heygen.emulator.v3.assets", "heygen.emulator.v3.translations", "heygen.emulator.v3.lipsyncs",
  "heygen.emulator.v3.brand", "heygen.emulator.v3.audio", "heygen.emulator.v3.media_jobs",
  "heygen.emulator.v3.voices", "heygen.emulator.v3.avatars",
  "heygen.emulator.v3.webhooks", "heygen.emulator.v3.account", "heygen.emulator.v3.templates",
}

M.KINDS = {}     -- the resource modules bring theirs (translations: proofread; lipsyncs: lipsync)

M.EVENT_TYPES = require("heygen.emulator.v3.webhooks").EVENT_TYPES   -- {type, description} pairs
M.KEY_TTL = S.KEY_TTL
M.USD_PER_SECOND = require("heygen.emulator.v3.account").USD_PER_SECOND
M.DOC_URL = S.DOC_URL
M.STARFISH_LANGUAGES = {English = true, Spanish = true, French = true}
M.SEEDED_LANGUAGE = "Spanish (Spain)"   -- the output language of the seeded translated videos

local now = S.now
local v3 = S.v3
local fail = S.fail
local invalid = S.invalid
local not_found = S.not_found
local body_object = S.body_object
local opt = S.opt
local absent = S.absent
local set = S.set
local merge = S.merge
local check = S.check
local str = S.str
local id = S.id
local req_id = S.req_id
local url = S.url
local bool = S.bool
local num = S.num
local one_of = S.one_of
local asset = S.asset
local closed_asset = S.closed_asset
local exactly_one = S.exactly_one
local live = S.live
local getter = S.getter
local charged_job = S.charged_job
local listed = S.listed
local is_list, page_args, cursor, names, fresh = S.is_list, S.page_args, S.cursor, S.names, S.fresh
local note_event = S.note_event
local idempotent = S.idempotent
local paginate = S.paginate
local positions = S.positions
local by_position = S.by_position
local newest_first = S.newest_first
local newest_key = S.newest_key


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

---------------------------------------------------------------------------------------
-- catalogue views (avatar groups and looks, voices, templates) from the shared seed

local function group_of(name) return "ag_" .. (name:match("^([%a]+)") or name):lower() end

local function catalogue(st)
  if st.v3_catalogue then return st.v3_catalogue end
  local c = {looks = {}, look_by_id = {}, groups = {}, group_by_id = {}}
  local function add(look)
    c.looks[#c.looks + 1] = look
    c.look_by_id[look.id] = look
    local g = c.group_by_id[look.group_id]
    if not g then
      g = {id = look.group_id, name = look.name:match("^([%a]+)") or look.name, gender = look.gender,
           looks = {}, default_voice_id = look.default_voice_id}
      c.group_by_id[g.id] = g
      c.groups[#c.groups + 1] = g
    end
    g.looks[#g.looks + 1] = look
  end
  for _, a in ipairs(st.catalogue.avatars) do
    local engines = {"avatar_iv", "avatar_iii"}
    for _, tag in ipairs(a.tags) do if tag == "AVATAR_IV" then table.insert(engines, 1, "avatar_v") end end
    add({id = a.avatar_id, name = a.avatar_name, avatar_type = "studio_avatar", group_id = group_of(a.avatar_name),
         gender = a.gender, default_voice_id = a.default_voice_id, tags = a.tags, engines = engines,
         media = "/static/avatars/" .. a.avatar_id, orientation = "landscape", width = 1920, height = 1080})
  end
  for _, p in ipairs(st.catalogue.talking_photos) do
    add({id = p.talking_photo_id, name = p.talking_photo_name, avatar_type = "photo_avatar",
         group_id = group_of(p.talking_photo_name), gender = null, tags = {},
         engines = {"avatar_v", "avatar_iv", "avatar_iii"}, media = "/static/talking_photos/" .. p.talking_photo_id,
         orientation = "portrait", width = 1080, height = 1920})
  end
  st.v3_catalogue = c
  return c
end

local function look_view(req, st, l)
  local base = st:base(req) .. l.media
  return {id = l.id, name = l.name, avatar_type = l.avatar_type, group_id = l.group_id, gender = l.gender,
          default_voice_id = l.default_voice_id or null, preview_image_url = base .. ".jpg",
          preview_video_url = l.avatar_type == "studio_avatar" and (base .. ".mp4") or null,
          image_width = l.width, image_height = l.height, preferred_orientation = l.orientation,
          supported_api_engines = l.engines, tags = reply.array(l.tags), status = null, error = null}
end

local function group_view(req, st, g)
  local first = g.looks[1]
  return {id = g.id, name = g.name, gender = g.gender, looks_count = #g.looks, created_at = 1735689600,
          default_voice_id = g.default_voice_id or null,
          preview_image_url = st:base(req) .. first.media .. ".jpg", preview_video_url = null,
          status = null, consent_status = null, error = null}
end

local function voice_view(req, st, v)
  return {voice_id = v.voice_id, name = v.name, language = v.language, gender = v.gender,
          preview_audio_url = st:base(req) .. "/static/voices/" .. v.voice_id .. ".wav",
          support_pause = v.support_pause, support_locale = M.STARFISH_LANGUAGES[v.language] == true,
          type = "public"}
end

local function lower(s) return type(s) == "string" and s:lower() or s end

local function list_voices(req, st)
  local q, list = req.query, {}
  if q.type and q.type ~= "" and q.type ~= "public" and q.type ~= "private" then
    return invalid("type", "must be public or private", q.type)
  end
  if q.type ~= "private" then
    for _, v in ipairs(st.catalogue.voices) do
      if (not q.language or q.language == "" or lower(v.language) == lower(q.language))
         and (not q.gender or q.gender == "" or lower(v.gender) == lower(q.gender))
         and (not q.engine or q.engine == "" or (q.engine == "starfish" and M.STARFISH_LANGUAGES[v.language])) then
        list[#list + 1] = v
      end
    end
  end
  return paginate(req, st, "voices", positions(list), by_position, 20, 100,
                  function(p) return voice_view(req, st, p.item) end)
end

---------------------------------------------------------------------------------------
-- videos (docs 1)

local VIDEO_STATUS = {waiting = "pending", submitted = "pending", draft = "pending", running = "processing",
                      success = "completed"}

local function video_status(st, job)
  local s = st:status(job)
  return VIDEO_STATUS[s] or s
end

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
local function no_look(look_id, param)
  return fail(404, "avatar_not_found", "Avatar look " .. tostring(look_id) .. " not found", param)
end

local function check_look(st, body, path)
  local look = catalogue(st).look_by_id[body.avatar_id]
  if not look then return no_look(body.avatar_id, path .. "avatar_id") end
  local engine_type = type(body.engine) == "table" and body.engine.type or "avatar_iv"
  if not set(look.engines)[engine_type] then
    return invalid(path .. "engine.type", "is not supported by look " .. look.id .. " (supported: "
                   .. table.concat(look.engines, ", ") .. ")", engine_type)
  end
  if absent(body.voice_id) and not absent(body.script) and not look.default_voice_id then
    return invalid(path .. "voice_id", "is required: look " .. look.id .. " has no default voice", nil)
  end
end

local function check_voice(st, voice_id, path)
  if not absent(voice_id) and not st.catalogue.voice_by_id[voice_id] then
    return fail(404, "voice_not_found", "Voice " .. voice_id .. " not found", path)
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
      if not catalogue(st).look_by_id[look] then return no_look(look, pre .. "avatar_id[" .. (i - 1) .. "]") end
    end
  end
end

local function new_video(st, fields)
  fields.list_type = fields.list_type or "GENERATED"
  return charged_job(st, "video", fields)
end

local NO_CREDIT = "Your account has 0 credits but this video requires credits."

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
  err = err or check_create(st, body)
  if err then return err end
  if st.quota <= 0 then return fail(402, "insufficient_credit", NO_CREDIT) end
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

local BULK_STATUS = {pending = "queued", processing = "processing", completed = "completed", failed = "failed"}

-- Bulk status (docs 1.5, 5.4): up to 100 ids of `kinds`, each item with its id under
-- video_id (the documents name it so for translations too), its status and its error.
local function bulk_statuses(param, kinds, status_of)
  return function(req, st)
    local out = {}
    for vid in (req.query[param] or ""):gmatch("[^,]+") do
      local job = live(st, vid, kinds)
      local status = job and BULK_STATUS[status_of(st, job)] or "not_found"
      local err = null
      if status == "failed" then
        local f = st:failure(job)
        err = {code = tostring(f.code), message = f.message}
      end
      out[#out + 1] = {video_id = vid, status = status, batch_id = null, item_index = null, error = err}
      if #out > 100 then return invalid(param, "must name at most 100 ids", #out) end
    end
    return reply.json(200, {data = reply.array(out), has_more = false, next_token = null})
  end
end

local video_statuses = bulk_statuses("video_ids", VIDEO_KINDS, video_status)

-- batches (docs 1.6, 5.4, 6): every item is checked before any job is made (all or
-- nothing); the answer is 202 with the batch id (documented for translations and lipsyncs,
-- inferred for videos [INF]). What each kind checks and makes is filled in below, where
-- its single create lives: {list = body field, check = fn(st, item, pre) -> err,
-- count = fn(item) -> items it makes, make = fn(st, item) -> jobs, status = fn(st, job)}.
local BATCH_MAX = 100
local BATCH_KINDS = {}

local function batch_creator(kind)
  return function(req, st)
    local spec = BATCH_KINDS[kind]
    local body, err = body_object(req)
    if err then return err end
    local list = body[spec.list]
    if not is_list(list) or #list < 1 or #list > BATCH_MAX then
      return invalid(spec.list, "must be a list of 1 to " .. BATCH_MAX .. " " .. spec.what,
                     is_list(list) and (#list .. " items") or list)
    end
    for _, k in ipairs({"title", "callback_url"}) do
      if not absent(body[k]) and type(body[k]) ~= "string" then return invalid(k, "must be a string", body[k]) end
    end
    local total = 0
    for i, item in ipairs(list) do
      local pre = spec.list .. "[" .. (i - 1) .. "]."
      if type(item) ~= "table" or item[1] ~= nil then return invalid(pre:sub(1, -2), "must be an object", item) end
      err = spec.check(st, item, pre)
      if err then return err end
      total = total + (spec.count and spec.count(item) or 1)
    end
    if total > BATCH_MAX then   -- translations fan out to one item per language (docs 5.4)
      return invalid(spec.list, "must expand to at most " .. BATCH_MAX .. " items (one per output language)",
                     total .. " items")
    end
    if st.quota <= 0 then return fail(402, "insufficient_credit", NO_CREDIT) end
    local batch = {id = "batch_" .. st:id(), kind = kind, title = not absent(body.title) and body.title or null,
                   created_at = now(), items = {}, callback_url = opt(body.callback_url),
                   callback_id = opt(body.callback_id)}
    for _, item in ipairs(list) do
      for _, job in ipairs(spec.make(st, item)) do
        batch.items[#batch.items + 1] = job.id
        job.batch_id, job.item_index = batch.id, #batch.items - 1
        if batch.callback_url then
          job.batch_callback_url = batch.callback_url   -- watched even while no endpoint exists
          st.webhooks:watch(job)
        end
      end
    end
    st.v3.batches[batch.id] = batch
    return reply.json(202, {data = {batch_id = batch.id}})
  end
end

-- GET /v3/.../batches/{id}: the aggregate status (processing until every item ends,
-- then completed unless all failed), counts, and a page of items, with has_more and
-- next_token inside data (docs 0.4 exception). Items name their job's id video_id
-- whatever the kind (docs 5.4).
-- The batch's aggregate status, counts and items from index `start` (at most `limit`).
local function batch_summary(st, batch, start, limit)
  local counts, items, ended, completed = {}, {}, 0, 0
  local item_status = BATCH_KINDS[batch.kind or "video"].status
  for i, vid in ipairs(batch.items) do
    local job = st.jobs[vid]
    local status = job and not job.deleted and BULK_STATUS[item_status(st, job)] or "failed"
    counts[status] = (counts[status] or 0) + 1
    if status == "completed" or status == "failed" then ended = ended + 1 end
    if status == "completed" then completed = completed + 1 end
    if i > start and #items < limit then
      local e = null
      if status == "failed" then
        local f = job and not job.deleted and st:failure(job) or {code = "deleted", message = "deleted"}
        e = {code = tostring(f.code), message = f.message}
      end
      items[#items + 1] = {item_index = i - 1, video_id = vid, status = status, error = e}
    end
  end
  local aggregate = ended < #batch.items and "processing" or (completed > 0 and "completed" or "failed")
  return aggregate, counts, items
end

-- batch.finished once every item ended (docs 8.2): the batch view's fields [INF payload].
local function batch_check(st, batch)
  if not batch or batch.v3_event then return end
  local aggregate, counts, items = batch_summary(st, batch, 0, #batch.items)
  if aggregate == "processing" then return end
  note_event(st, batch, "batch.finished", {batch_id = batch.id, status = aggregate, total_items = #batch.items,
                                           counts_by_status = counts, items = reply.array(items),
                                           callback_id = batch.callback_id or null})
end
S.batch_check = batch_check   -- note_event re-checks a job's batch

local function batch_getter(kind)
  return function(req, st, bid)
    local batch = st.v3.batches[bid]
    if not batch or (batch.kind or "video") ~= kind then return not_found("batch_not_found", "Batch", bid) end
    local limit, start, bad = page_args(req, st, "batch:" .. bid, 100, 100)
    if bad then return bad end
    start = start or 0
    local aggregate, counts, items = batch_summary(st, batch, start, limit)
    batch_check(st, batch)
    local more = start + #items < #batch.items
    return v3({batch_id = batch.id, title = batch.title, created_at = batch.created_at, status = aggregate,
               total_items = #batch.items, counts_by_status = counts, items = reply.array(items), has_more = more,
               next_token = more and cursor(st, "batch:" .. bid, start + #items) or null})
  end
end

BATCH_KINDS.video = {list = "videos", what = "video bodies", check = check_create,
                     make = function(st, item) return {(video_from(st, item))} end,
                     status = function(st, job) return video_status(st, job) end}

---------------------------------------------------------------------------------------
-- avatars and voices (docs 3, 4)

local OWNERSHIP = set({"public", "private"})

local function list_groups(req, st)
  local own = req.query.ownership
  if own and own ~= "" and not OWNERSHIP[own] then return invalid("ownership", "must be public or private", own) end
  local list = own == "private" and {} or catalogue(st).groups
  return paginate(req, st, "groups", positions(list), by_position, 20, 50,
                  function(g) return group_view(req, st, g.item) end)
end

local function list_looks(req, st)
  local q = req.query
  if q.ownership and q.ownership ~= "" and not OWNERSHIP[q.ownership] then
    return invalid("ownership", "must be public or private", q.ownership)
  end
  local types = set({"studio_avatar", "digital_twin", "photo_avatar"})
  if q.avatar_type and q.avatar_type ~= "" and not types[q.avatar_type] then
    return invalid("avatar_type", "must be one of " .. names(types), q.avatar_type)
  end
  local list = {}
  if q.ownership ~= "private" then
    for _, l in ipairs(catalogue(st).looks) do
      if (not q.group_id or q.group_id == "" or l.group_id == q.group_id)
         and (not q.avatar_type or q.avatar_type == "" or l.avatar_type == q.avatar_type) then
        list[#list + 1] = l
      end
    end
  end
  return paginate(req, st, "looks", positions(list), by_position, 20, 50,
                  function(p) return look_view(req, st, p.item) end)
end

local function get_look(req, st, lid)
  local l = catalogue(st).look_by_id[lid]
  if not l then return not_found("avatar_not_found", "Avatar look", lid) end
  return v3(look_view(req, st, l))
end

local function get_group(req, st, gid)
  local g = catalogue(st).group_by_id[gid]
  if not g then return not_found("not_found", "Avatar group", gid) end
  return v3(group_view(req, st, g))
end

local function get_voice(req, st, vid)
  local v = st.catalogue.voice_by_id[vid]
  if not v then return not_found("voice_not_found", "Voice", vid) end
  local d = voice_view(req, st, v)
  d.created_at, d.support_interactive_avatar, d.status, d.failure_message = 1735689600,
    v.support_interactive_avatar, null, null
  return v3(d)
end

local TTS_RULE = {type = "object", closed = true, fields = {
  text = {type = "string", required = true, min_len = 1, max_len = 5000}, voice_id = req_id,
  input_type = one_of({"text", "ssml"}), speed = num(0.5, 2.0), language = id, locale = id,
}}

local function speech(req, st)
  local body, err = body_object(req)
  err = err or check(body, TTS_RULE, "") or check_voice(st, body.voice_id, "voice_id")
  if err then return err end
  local voice = st.catalogue.voice_by_id[body.voice_id]
  if not M.STARFISH_LANGUAGES[voice.language] then
    return fail(400, "voice_not_usable", "Voice " .. body.voice_id .. " does not support the starfish engine",
                "voice_id")
  end
  local speed = body.speed ~= null and body.speed or 1
  local words, t = {}, 0
  for word in body.text:gmatch("%S+") do
    local len = (0.12 + 0.05 * #word) / speed
    words[#words + 1] = {word = word, start = t, ["end"] = t + len}
    t = t + len + 0.04 / speed
  end
  local rid = st:id(20)
  return v3({audio_url = st:signed_url(req, "speech_" .. rid .. ".wav"), duration = t,
             request_id = "req_" .. rid, word_timestamps = reply.array(words)})
end

---------------------------------------------------------------------------------------
-- control

local function control_hold(req, st)
  local spec = reply.decode(req.body)
  if type(spec) ~= "table" or type(spec.path) ~= "string" then
    return reply.json(400, {error = {code = "invalid_control_request", message = "hold needs a path"}})
  end
  if spec.seconds ~= nil and (type(spec.seconds) ~= "number" or spec.seconds < 0) then
    return reply.json(400, {error = {code = "invalid_control_request", message = "seconds must be >= 0"}})
  end
  table.insert(st.v3.holds, {path = spec.path, method = spec.method and spec.method:upper(),
                             seconds = spec.seconds or 0, times = int(spec.times or 1),
                             status = spec.status and int(spec.status)})
  return reply.json(200, {ok = true})
end

local BILLING = set({"wallet", "subscription", "usage_based", "none"})

local function control_billing(req, st)
  local spec = reply.decode(req.body)
  if type(spec) ~= "table" or not BILLING[spec.billing_type] then
    return reply.json(400, {error = {code = "invalid_control_request",
                                     message = "billing_type must be one of " .. names(BILLING)}})
  end
  st.v3.billing = {billing_type = spec.billing_type, currency = spec.currency == "credits" and "credits" or "usd",
                   unknown_balance = spec.unknown_balance == true}
  return reply.json(200, {ok = true})
end

local function control_keys(_, st)
  local out = {}
  for _, e in pairs(st.v3.idem) do
    out[#out + 1] = {method = e.method, path = e.path, key = e.key, state = e.done and "done" or "in_flight"}
  end
  table.sort(out, function(a, b) return a.key < b.key end)
  return reply.json(200, reply.array(out))
end

---------------------------------------------------------------------------------------

local K = "api_key"
local I = idempotent

-- for the resource modules (v3/*.lua): the video pieces they build on
M.new_video, M.video_status, M.video_view = new_video, video_status, video_view
M.check_voice, M.catalogue, M.no_look = check_voice, catalogue, no_look
M.bulk_statuses, M.batch_creator, M.batch_getter, M.BATCH_KINDS = bulk_statuses, batch_creator, batch_getter,
  BATCH_KINDS

M.routes = {
  {"POST", "/v3/videos", I(create_video)},
  {"GET", "/v3/videos", list_videos},
  {"GET", "/v3/videos/statuses", video_statuses},
  {"POST", "/v3/videos/batches", I(batch_creator("video"))},
  {"GET", "/v3/videos/batches/([^/]+)", batch_getter("video")},
  {"GET", "/v3/videos/([^/]+)", get_video},
  {"DELETE", "/v3/videos/([^/]+)", delete_video},
  {"GET", "/v3/avatars", list_groups},
  {"GET", "/v3/avatars/looks", list_looks},
  {"GET", "/v3/avatars/looks/([^/]+)", get_look},
  {"GET", "/v3/avatars/([^/]+)", get_group},
  {"GET", "/v3/voices", list_voices},
  {"POST", "/v3/voices/speech", speech},
  {"GET", "/v3/voices/([^/]+)", get_voice},
}
for _, r in ipairs(M.routes) do r.auth, r.gen = K, "v3" end

M.control_routes = {
  {"POST", "/_emulator/v3/hold", control_hold, gen = "control"},
  {"POST", "/_emulator/v3/billing", control_billing, gen = "control"},
  {"GET", "/_emulator/v3/idempotency", control_keys, gen = "control"},
}

---------------------------------------------------------------------------------------
-- the sweep (deliver.lua): views built so events are noted when jobs end, not when polled

local VIEWS = {video = video_view, workflow = video_view}    -- and the resource modules' views
local TERMINAL = {completed = true, failed = true}

-- True once the job's terminal event is noted; jobs nobody listens to are left alone.
function M.watch(st, job, req)
  local view = VIEWS[job.kind]
  if not view or not (job.callback_url or job.batch_callback_url or st.v3.endpoints[1]) then return false end
  if job.def and job.kind ~= "video_agent" then
    -- the clock says whether it has ended: the view (URLs signed, tables built) only then
    local s = st:status(job)
    if s ~= job.def.done and s ~= job.def.failed then return false end
  end
  local d = view(req, st, job)
  return job.v3_event ~= nil and TERMINAL[d.status] == true
end

local function endpoints_exist(st) return st.v3.endpoints[1] ~= nil end

-- One resource module (see v3/support.lua): its kinds, state, sweep views and routes.
local function load_resource(app, st, mod)
  for name, kind in pairs(mod.kinds or {}) do st.kinds[name] = kind end
  for kind, view in pairs(mod.views or {}) do VIEWS[kind] = view end
  for _, r in ipairs(mod.routes or {}) do r.auth, r.gen = r.auth or K, r.gen or "v3" end
  app:load(mod.routes or {})
  if mod.register then mod.register(app, st) end
end

function M.register(app, st)
  for name, kind in pairs(M.KINDS) do st.kinds[name] = kind end
  st.webhooks:watcher(M.watch, endpoints_exist)
  local mods = {}
  for i, name in ipairs(M.RESOURCE_MODULES) do mods[i] = require(name) end
  for _, mod in ipairs(mods) do
    if mod.fresh and not listed(S.FRESH, mod.fresh) then S.FRESH[#S.FRESH + 1] = mod.fresh end
  end
  fresh(st)
  st:on_reset(fresh)                  -- v3 state goes with every reset
  for _, mod in ipairs(mods) do load_resource(app, st, mod) end
  app:load(M.routes)
  app:load(M.control_routes)
end

return M
