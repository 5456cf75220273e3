-- heygen.emulator.legacy: the HeyGen v1/v2 endpoints of docs/heygen-api.md section 3,
-- plus the presigned downloads (/files/), catalogue media (/static/) and share pages.
--
-- Each endpoint answers in its own generation's envelope (heygen.emulator.reply) and
-- validates the documented constraints the way the API would, naming field and value.
local reply = require "heygen.emulator.reply"
local media = require "heygen.emulator.media"
local deliver = require "heygen.emulator.deliver"

local null = reply.null
local int = reply.int

local M = {}

local LEGACY_HEADERS = {Deprecation = "true", Sunset = "Sat, 31 Oct 2026 00:00:00 GMT"}

M.PROVIDERS = {"veo_3_1", "veo_3_1_fast", "veo3", "veo3_fast", "veo2", "kling_pro", "kling_v2",
               "sora_v2", "sora_v2_pro", "runway_gen4", "seedance_lite", "seedance_pro", "ltx_distilled"}
M.ASSET_TYPES = {["image/jpeg"] = {"image", "jpg"}, ["image/png"] = {"image", "png"},
                 ["video/mp4"] = {"video", "mp4"}, ["video/webm"] = {"video", "webm"},
                 ["audio/mpeg"] = {"audio", "mp3"}}
local MAX_SCENES, MAX_TEXT = 50, 5000
local KEEP_ASSET_BYTES = 32 * 1048576
-- Input limits per file type (docs section 4): images and audio 50 MB, video 100 MB.
M.ASSET_LIMITS = {image = 50 * 1048576, audio = 50 * 1048576, video = 100 * 1048576}

local function set(list)
  local t = {}
  for _, v in ipairs(list) do t[v] = true end
  return t
end

local PROVIDER_SET = set(M.PROVIDERS)
local WORKFLOW_RATIOS = set({"16:9", "9:16", "1:1"})
local VIDEO_RATIOS = set({"16:9", "9:16", "1:1", "4:5"})
local AVATAR_STYLES = set({"normal", "closeUp", "circle", "full", "voiceOnly"})
local WEBM_STYLES = set({"normal", "closeUp"})
local EMOTIONS = set({"Excited", "Friendly", "Serious", "Soothing", "Broadcaster"})
local PLAY_STYLES = set({"fit_to_scene", "freeze", "loop", "once", "full_video"})
local FITS = set({"cover", "crop", "contain", "none"})
local TALKING_PHOTO_STYLES = set({"square", "circle"})
local TALKING_STYLES = set({"stable", "expressive"})
local EXPRESSIONS = set({"default", "happy"})
local FPS = set({25, 30, 60})
local TRANSLATE_MODES = set({"fast", "quality"})
local DELETE_TYPES = set({"heygen_video", "video_translate"})

---------------------------------------------------------------------------------------
-- validation: each check returns nil or an error {message, v1 code, string code, status}

local function absent(v) return v == nil or v == null end

local function show(v)
  if type(v) == "string" then
    if #v > 60 then v = v:sub(1, 57) .. "..." end
    return string.format("%q", v)
  elseif v == null then return "null"
  elseif type(v) == "table" then return "a " .. (v[1] ~= nil and "list" or "object")
  end
  return tostring(v)
end

local function invalid(field, rule, value)
  local msg = field .. " " .. rule
  if value ~= nil then msg = msg .. ", got " .. show(value) end
  return {message = msg, v1 = 400175, code = "invalid_parameter"}
end

local function missing(field)
  return {message = "Missing required input parameters: " .. field, v1 = 40001,
          code = "invalid_parameter"}
end

local function is_int(v) return type(v) == "number" and v == math.floor(v) end

-- Script limits are in characters: UTF-8 bytes that do not continue a sequence.
local function chars(s)
  local _, continuation = s:gsub("[\128-\191]", "")
  return #s - continuation
end

local function check_script(text, field)
  local n = chars(text)
  if n > MAX_TEXT then
    return invalid(field, "must be at most " .. MAX_TEXT .. " characters (got " .. n .. ")")
  end
end

local function check_string(obj, key, field, required)
  local v = obj[key]
  if absent(v) then return required and missing(field) or nil end
  if type(v) ~= "string" then return invalid(field, "must be a string", v) end
  if required and v == "" then return invalid(field, "must not be empty", v) end
end

local function check_bool(obj, key, field)
  local v = obj[key]
  if not absent(v) and type(v) ~= "boolean" then return invalid(field, "must be true or false", v) end
end

local function check_enum(obj, key, field, allowed, required)
  local v = obj[key]
  if absent(v) then return required and missing(field) or nil end
  if not allowed[v] then
    local names = {}
    for k in pairs(allowed) do names[#names + 1] = tostring(k) end
    table.sort(names)
    return invalid(field, "must be one of " .. table.concat(names, ", "), v)
  end
end

local function check_range(obj, key, field, lo, hi)
  local v = obj[key]
  if absent(v) then return nil end
  if type(v) ~= "number" or v < lo or v > hi then
    return invalid(field, "must be a number from " .. lo .. " to " .. hi, v)
  end
end

local function check_url(obj, key, field, required)
  local err = check_string(obj, key, field, required)
  if err then return err end
  local v = obj[key]
  if type(v) == "string" and not v:find("^https?://[^%s/]+") then
    return invalid(field, "must be an http(s) URL", v)
  end
end

local function check_object(v, field, required)
  if absent(v) then return required and missing(field) or nil end
  if type(v) ~= "table" or v[1] ~= nil then return invalid(field, "must be an object", v) end
end

local function check_dimension(v, field, even)
  local err = check_object(v, field, false)
  if err or absent(v) then return err end
  for _, side in ipairs({"width", "height"}) do
    local n = v[side]
    if not is_int(n) or n < 128 or n > 4096 then
      return invalid(field .. "." .. side, "must be an integer from 128 to 4096", n)
    end
    if even and n % 2 ~= 0 then return invalid(field .. "." .. side, "must be even", n) end
  end
end

local function check_color(v, field)
  if type(v) ~= "string" or not (v:find("^#%x%x%x%x%x%x$") or v:find("^#%x%x%x$")
                                 or v:find("^#%x%x%x%x%x%x%x%x$")) then
    return invalid(field, "must be a hex colour like #FFFFFF", v)
  end
end

-- Runs checks in order; the first error wins.
local function first(...)
  for i = 1, select("#", ...) do
    local e = select(i, ...)
    if e then return e end
  end
end

---------------------------------------------------------------------------------------
-- answers in each envelope

local function v1_fail(status, err)
  return reply.json(status, {code = err.v1 or 400175, message = err.message})
end

local function v2_fail(status, err)
  return reply.error("v2", status, err.code or "invalid_parameter", err.message)
end

local function wf_fail(status, err)
  return reply.error("workflow", status, err.code or "invalid_parameter", err.message)
end

local function body_object(req)
  local body, derr = reply.decode(req.body)
  if type(body) ~= "table" or body[1] ~= nil then
    return nil, {message = "request body must be a JSON object" .. (derr and (": " .. derr) or ""),
                 v1 = 400175, code = "invalid_parameter"}
  end
  return body
end

local function video_not_found(id)
  return reply.json(404, {code = 40031, message = "Invalid video id" .. (id and (": " .. id) or "")})
end

---------------------------------------------------------------------------------------
-- job views

-- The v1 video vocabulary for any job: translate and workflow phases mapped onto it.
local VIDEO_STATUS = {success = "completed", running = "processing", submitted = "pending"}

local function video_status(st, job)
  local s = st:status(job)
  return VIDEO_STATUS[s] or s
end

local function video_data(st, req, job, id)
  local status = video_status(st, job)
  local d = {id = id, status = status, callback_id = job.callback_id or null, created_at = job.created_at,
             caption_url = null, duration = null, error = null, gif_url = null,
             thumbnail_url = null, video_url = null, video_url_caption = null}
  if status == "completed" then
    d.duration = media.SAMPLE_DURATION
    d.video_url = st:signed_url(req, id .. "." .. (job.ext or "mp4"))
    d.thumbnail_url = st:signed_url(req, id .. ".jpg")
    d.gif_url = st:signed_url(req, id .. ".gif")
    if job.caption then
      d.video_url_caption = st:signed_url(req, id .. "_caption.mp4")
      d.caption_url = st:signed_url(req, id .. ".ass")
    end
  elseif status == "failed" then
    local f = st:failure(job)
    d.error = {code = f.code, message = f.message, detail = f.detail or f.message}
  end
  return d
end

-- The legacy webhook (docs 3.17) to the create's callback_url once the job ended,
-- unsigned, once per job (a poll and the sweep share job.legacy_event). True once sent.
local function callback(st, req, job)
  if job.legacy_event then return true end
  local event, data
  local cid = job.callback_id or null
  if job.kind == "translate" then
    local s = st:status(job)
    local lang = job.output_language or null
    if s == "success" then
      event, data = "video_translate.success", {video_translate_id = job.id, url = st:signed_url(req, job.id .. ".mp4"),
                                                callback_id = cid, output_language = lang}
    elseif s == "failed" then
      event, data = "video_translate.fail", {video_translate_id = job.id, message = st:failure(job).message,
                                             callback_id = cid, output_language = lang}
    end
  else
    local s = video_status(st, job)
    if s == "completed" then
      event, data = "avatar_video.success", {video_id = job.id, callback_id = cid,
                                             url = st:signed_url(req, job.id .. "." .. (job.ext or "mp4"))}
    elseif s == "failed" then
      event, data = "avatar_video.fail", {video_id = job.id, msg = st:failure(job).message, callback_id = cid}
    end
  end
  if not event then return false end
  job.legacy_event = event
  deliver.send(st, {url = job.legacy_callback_url, body = reply.encode({event_type = event, event_data = data}),
                    event_type = event, signed = false})
  return true
end

-- The sweep's watcher (deliver.lua): jobs made here with a callback_url.
function M.watch(st, job, req)
  if not job.legacy_callback_url then return false end
  return callback(st, req, job)
end

local function new_video_job(st, fields, test)
  fields.list_type = fields.list_type or "GENERATED"
  local charged = st:charge("video", test)
  local job = st:create_job("video", fields)
  if not charged and not job.failure then job.failure = st.CREDIT_FAILURE end
  return job
end

---------------------------------------------------------------------------------------
-- workflows (docs 3.1)

local function check_workflow(body)
  local err = check_enum(body, "workflow_type", "workflow_type",
                         set({"GenerateVideoNode", "FaceswapNode"}), true)
              or check_object(body.input, "input", true)
  if err then return err end
  local input = body.input
  if body.workflow_type == "FaceswapNode" then
    return first(check_url(input, "source_image_url", "input.source_image_url", true),
                 check_url(input, "target_video_url", "input.target_video_url", true))
  end
  local prompt = input.prompt
  if type(prompt) == "string" and #prompt > 10000 then
    return invalid("input.prompt", "must be at most 10000 characters (got " .. #prompt .. ")")
  end
  return first(check_string(input, "prompt", "input.prompt", true),
               check_enum(input, "provider", "input.provider", PROVIDER_SET),
               check_enum(input, "aspect_ratio", "input.aspect_ratio", WORKFLOW_RATIOS),
               check_url(input, "reference_image_url", "input.reference_image_url"),
               check_url(input, "tail_image_url", "input.tail_image_url"),
               check_object(input.config, "input.config", false))
end

local function create_workflow(req, st)
  local body, err = body_object(req)
  err = err or check_workflow(body)
  if err then return wf_fail(400, err) end
  local input = body.input
  local charged = st:charge("workflow", false)
  local job = st:create_job("workflow", {
    id = "node-gw-" .. st:id(12), workflow_type = body.workflow_type, video_id = st:id(),
    asset_id = "asset-" .. st:id(12), list_type = "GENERATED",
    provider = input.provider or "veo_3_1", aspect_ratio = input.aspect_ratio or "16:9",
  })
  if not charged and not job.failure then job.failure = st.CREDIT_FAILURE end
  st.jobs[job.video_id] = job            -- the output video is also readable by its id
  return reply.v3({execution_id = job.id, status = "submitted"})
end

local function get_workflow(req, st, id)
  local job = st.jobs[id]
  if not job or job.kind ~= "workflow" or job.id ~= id then
    return reply.json(404, {data = {execution_id = id, status = "not_found"},
                            error = {code = "not_found", message = "Workflow not found"}})
  end
  local status = st:status(job)
  local data = {execution_id = id, status = status}
  if status == "completed" then
    local url = st:signed_url(req, job.video_id .. ".mp4")
    if job.workflow_type == "FaceswapNode" then
      data.output = {video_url = url}
    else
      data.output = {video = {video_url = url, video_id = job.video_id}, asset_id = job.asset_id}
    end
  elseif status == "failed" then
    local f = st:failure(job)
    data.error = {code = f.code, message = f.message}
  end
  return reply.v3(data)
end

---------------------------------------------------------------------------------------
-- POST /v2/video/generate (docs 3.2)

local function check_character(st, ch, f)
  local err = check_object(ch, f, true)
  if err then return err end
  err = check_enum(ch, "type", f .. ".type", set({"avatar", "talking_photo"}), true)
  if err then return err end
  local cat = st.catalogue
  if ch.type == "avatar" then
    err = check_string(ch, "avatar_id", f .. ".avatar_id", true)
    if err then return err end
    if not cat.avatar_by_id[ch.avatar_id] then
      return {status = 400, code = "avatar_not_found",
              message = "Avatar " .. ch.avatar_id .. " not found or no longer available."}
    end
    err = check_enum(ch, "avatar_style", f .. ".avatar_style", AVATAR_STYLES)
  else
    err = check_string(ch, "talking_photo_id", f .. ".talking_photo_id", true)
    if err then return err end
    if not cat.talking_photo_by_id[ch.talking_photo_id] then
      return {status = 400, code = "avatar_not_found",
              message = "Talking photo " .. ch.talking_photo_id .. " not found or no longer available."}
    end
    err = first(check_enum(ch, "talking_photo_style", f .. ".talking_photo_style", TALKING_PHOTO_STYLES),
                check_enum(ch, "talking_style", f .. ".talking_style", TALKING_STYLES),
                check_enum(ch, "expression", f .. ".expression", EXPRESSIONS),
                check_bool(ch, "super_resolution", f .. ".super_resolution"))
  end
  if err then return err end
  if not absent(ch.circle_background_color) then
    err = check_color(ch.circle_background_color, f .. ".circle_background_color")
  end
  return err or check_range(ch, "scale", f .. ".scale", 0, 5) or check_bool(ch, "matting", f .. ".matting")
end

local function check_voice(st, v, f)
  local err = check_object(v, f, true)
              or check_enum(v, "type", f .. ".type", set({"text", "audio", "silence"}), true)
  if err then return err end
  if v.type == "text" then
    err = check_string(v, "input_text", f .. ".input_text", true) or check_string(v, "voice_id", f .. ".voice_id", true)
    if err then return err end
    err = check_script(v.input_text, f .. ".input_text")
    if err then return err end
    if not st.catalogue.voice_by_id[v.voice_id] then
      return {status = 400, code = "voice_not_found", message = "Voice " .. v.voice_id .. " not found"}
    end
    return first(check_range(v, "speed", f .. ".speed", 0.5, 2.0),
                 check_range(v, "pitch", f .. ".pitch", -20, 20),
                 check_enum(v, "emotion", f .. ".emotion", EMOTIONS))
  elseif v.type == "audio" then
    if absent(v.audio_url) and absent(v.audio_asset_id) then
      return missing(f .. ".audio_url or " .. f .. ".audio_asset_id")
    end
    return check_url(v, "audio_url", f .. ".audio_url") or check_string(v, "audio_asset_id", f .. ".audio_asset_id")
  end
  if type(v.duration) ~= "number" or v.duration <= 0 or v.duration > 100 then
    return invalid(f .. ".duration", "must be a number of seconds from 0 to 100", v.duration)
  end
end

local function check_background(bg, f)
  local err = check_object(bg, f, false)
  if err or absent(bg) then return err end
  err = check_enum(bg, "type", f .. ".type", set({"color", "image", "video"}), true)
  if err then return err end
  if bg.type == "color" then
    if absent(bg.value) then return missing(f .. ".value") end
    return check_color(bg.value, f .. ".value")
  end
  local key = bg.type == "image" and "image_asset_id" or "video_asset_id"
  if absent(bg.url) and absent(bg[key]) then return missing(f .. ".url or " .. f .. "." .. key) end
  err = check_url(bg, "url", f .. ".url") or check_string(bg, key, f .. "." .. key)
        or check_enum(bg, "fit", f .. ".fit", FITS)
  if err or bg.type == "image" then return err end
  return check_enum(bg, "play_style", f .. ".play_style", PLAY_STYLES)
end

local function check_common(body)
  return first(check_string(body, "title", "title"), check_bool(body, "test", "test"),
               check_bool(body, "caption", "caption"), check_string(body, "callback_id", "callback_id"),
               check_url(body, "callback_url", "callback_url"), check_string(body, "folder_id", "folder_id"))
end

local function check_generate(st, body)
  local inputs = body.video_inputs
  if absent(inputs) then return missing("video_inputs") end
  if type(inputs) ~= "table" or (next(inputs) ~= nil and inputs[1] == nil) then
    return invalid("video_inputs", "must be a list of scenes", inputs)
  end
  if #inputs < 1 or #inputs > MAX_SCENES then
    return invalid("video_inputs", "must have 1 to " .. MAX_SCENES .. " scenes (got " .. #inputs .. ")")
  end
  for i, scene in ipairs(inputs) do
    local f = "video_inputs[" .. i .. "]"
    local err = check_object(scene, f, true)
    if err then return err end
    if absent(scene.character) and absent(scene.voice) then return missing(f .. ".character or " .. f .. ".voice") end
    err = (not absent(scene.character) and check_character(st, scene.character, f .. ".character"))
          or check_voice(st, scene.voice, f .. ".voice") or check_background(scene.background, f .. ".background")
    if err then return err end
  end
  return first(check_dimension(body.dimension, "dimension", false),
               check_enum(body, "aspect_ratio", "aspect_ratio", VIDEO_RATIOS), check_common(body))
end

local function generate_video(req, st)
  local body, err = body_object(req)
  err = err or check_generate(st, body)
  if err then return v2_fail(err.status or 400, err) end
  local job = new_video_job(st, {title = body.title, caption = body.caption == true,
                                 callback_id = body.callback_id ~= null and body.callback_id or nil,
                                 legacy_callback_url = body.callback_url ~= null and body.callback_url or nil,
                                 ext = "mp4", test = body.test == true}, body.test == true)
  return reply.v2({video_id = job.id})
end

---------------------------------------------------------------------------------------
-- GET /v1/video_status.get (docs 3.3), POST /v1/video.webm (3.4)

local function live_job(st, id)
  local job = id and st.jobs[id]
  if job and not job.deleted then return job end
end

local function video_status_get(req, st)
  local id = req.query.video_id
  if not id or id == "" then return v1_fail(400, missing("video_id")) end
  local job = live_job(st, id)
  if not job then return video_not_found(id) end
  local d = video_data(st, req, job, id)
  if job.legacy_callback_url then callback(st, req, job) end
  return reply.v1(d)
end

local function check_webm(st, body)
  local err = check_string(body, "avatar_pose_id", "avatar_pose_id", true)
              or check_enum(body, "avatar_style", "avatar_style", WEBM_STYLES)
  if err then return err end
  if not st.catalogue.avatar_by_id[body.avatar_pose_id] then
    return {v1 = 400144, message = "Avatar " .. body.avatar_pose_id .. " not found or no longer available."}
  end
  local text, audio = not absent(body.input_text), not absent(body.input_audio)
  if text and audio then
    return invalid("input_text/input_audio", "take input_text with voice_id, or input_audio, not both")
  elseif not text and not audio then
    return missing("input_text (with voice_id) or input_audio")
  end
  if audio then
    err = check_string(body, "input_audio", "input_audio", true)
  else
    err = check_string(body, "input_text", "input_text", true) or check_string(body, "voice_id", "voice_id", true)
    err = err or check_script(body.input_text, "input_text")
    if not err and not st.catalogue.voice_by_id[body.voice_id] then
      err = {v1 = 400116, message = "Voice " .. body.voice_id .. " not found"}
    end
  end
  return err or check_dimension(body.dimension, "dimension", false)
end

local function create_webm(req, st)
  local body, err = body_object(req)
  err = err or check_webm(st, body)
  if err then return v1_fail(400, err) end
  local job = new_video_job(st, {title = "WebM " .. body.avatar_pose_id, ext = "webm"}, false)
  return reply.v1({video_id = job.id})
end

---------------------------------------------------------------------------------------
-- catalogue (docs 3.5 - 3.9)

-- The catalogue never changes, so its answers are encoded once per base URL.
local catalogue_cache, cache_size = {}, 0

local function cached_v2(st, req, name, build)
  local key = name .. " " .. st:base(req)
  local body = catalogue_cache[key]
  if not body then
    if cache_size >= 64 then catalogue_cache, cache_size = {}, 0 end
    body = reply.encode({error = null, data = build(req, st)})
    catalogue_cache[key], cache_size = body, cache_size + 1
  end
  return {status = 200, headers = {["Content-Type"] = "application/json"}, body = body}
end

local function avatar_item(st, req, a)
  local base = st:base(req) .. "/static/avatars/" .. a.avatar_id
  return {avatar_id = a.avatar_id, avatar_name = a.avatar_name, gender = a.gender,
          preview_image_url = base .. ".jpg", preview_video_url = base .. ".mp4",
          premium = a.premium, type = null, tags = reply.array(a.tags),
          default_voice_id = a.default_voice_id or null}
end

local function avatars_data(req, st)
  local avatars, photos = {}, {}
  for _, a in ipairs(st.catalogue.avatars) do avatars[#avatars + 1] = avatar_item(st, req, a) end
  for _, p in ipairs(st.catalogue.talking_photos) do
    local preview = st:base(req) .. "/static/talking_photos/" .. p.talking_photo_id .. ".jpg"
    photos[#photos + 1] = {talking_photo_id = p.talking_photo_id, talking_photo_name = p.talking_photo_name,
                           preview_image_url = preview}
  end
  return {avatars = reply.array(avatars), talking_photos = reply.array(photos)}
end

local function list_avatars(req, st) return cached_v2(st, req, "avatars", avatars_data) end

local function avatar_details(req, st, id)
  local a = st.catalogue.avatar_by_id[id]
  if not a then
    return reply.error("v2", 404, "avatar_not_found", "Avatar " .. id .. " not found or no longer available.")
  end
  local item = avatar_item(st, req, a)
  return reply.v2({type = "avatar", id = a.avatar_id, name = a.avatar_name, gender = a.gender,
                   preview_image_url = item.preview_image_url, preview_video_url = item.preview_video_url,
                   premium = a.premium, is_public = true, default_voice_id = item.default_voice_id,
                   tags = item.tags})
end

local function voices_data(req, st)
  local out = {}
  for _, v in ipairs(st.catalogue.voices) do
    out[#out + 1] = {voice_id = v.voice_id, language = v.language, gender = v.gender, name = v.name,
                     preview_audio = st:base(req) .. "/static/voices/" .. v.voice_id .. ".wav",
                     support_pause = v.support_pause, emotion_support = v.emotion_support,
                     support_interactive_avatar = v.support_interactive_avatar}
  end
  return {voices = reply.array(out)}
end

local function list_voices(req, st) return cached_v2(st, req, "voices", voices_data) end

local function templates_data(req, st)
  local out = {}
  for _, t in ipairs(st.catalogue.templates) do
    out[#out + 1] = {template_id = t.template_id, name = t.name, aspect_ratio = t.aspect_ratio,
                     thumbnail_image_url = t.thumbnail and (st:base(req) .. t.thumbnail) or null}
  end
  return {templates = reply.array(out)}
end

local function list_templates(req, st) return cached_v2(st, req, "templates", templates_data) end

local function template_not_found(id)
  return reply.error("v2", 404, "not_found", "Template " .. id .. " not found")
end

local function get_template(_, st, id)
  local t = st.catalogue.template_by_id[id]
  if not t then return template_not_found(id) end
  return reply.v2({version = t.version, variables = t.variables, scenes = t.scenes})
end

-- property keys by variable type (docs 3.9)
local PROPERTY_RULES = {
  text = {"content"}, voice = {"voice_id"}, character = {"character_id"},
  image = {"url", "asset_id"}, video = {"url", "asset_id"}, audio = {"url", "asset_id"},
}

local function check_variables(t, vars)
  local err = check_object(vars, "variables", false)
  if err or absent(vars) then return err end
  for name, v in pairs(vars) do
    local f = "variables." .. tostring(name)
    local known = t.variables[name]
    if not known then return invalid(f, "is not a variable of template " .. t.template_id) end
    if type(v) ~= "table" then
      return invalid(f, "must be an object {name, type, properties}", v)
    end
    if not absent(v.type) and v.type ~= known.type then
      return invalid(f .. ".type", "must be " .. known.type, v.type)
    end
    err = check_object(v.properties, f .. ".properties", true)
    if err then return err end
    local keys, found = PROPERTY_RULES[known.type], false
    for _, k in ipairs(keys) do
      if not absent(v.properties[k]) then
        if type(v.properties[k]) ~= "string" then
          return invalid(f .. ".properties." .. k, "must be a string", v.properties[k])
        end
        found = true
      end
    end
    if not found then return missing(f .. ".properties." .. table.concat(keys, " or ")) end
  end
end

local function check_template_generate(t, body)
  local err = first(check_variables(t, body.variables), check_dimension(body.dimension, "dimension", true),
                    check_common(body), check_bool(body, "include_gif", "include_gif"),
                    check_bool(body, "enable_sharing", "enable_sharing"))
  if err then return err end
  local d = body.dimension
  if not absent(d) then
    local landscape = d.width > d.height
    if (t.aspect_ratio == "landscape") ~= landscape then
      return invalid("dimension", "must match the template's " .. t.aspect_ratio .. " aspect ratio",
                     d.width .. "x" .. d.height)
    end
  end
  if not absent(body.fps) and not FPS[body.fps] then return invalid("fps", "must be 25, 30 or 60", body.fps) end
  if not absent(body.scene_ids) then
    if type(body.scene_ids) ~= "table" then return invalid("scene_ids", "must be a list", body.scene_ids) end
    local ids = {}
    for _, s in ipairs(t.scenes) do ids[s.id] = true end
    for i, sid in ipairs(body.scene_ids) do
      if not ids[sid] then return invalid("scene_ids[" .. i .. "]", "is not a scene of the template", sid) end
    end
  end
end

local function generate_from_template(req, st, id)
  local t = st.catalogue.template_by_id[id]
  if not t then return template_not_found(id) end
  local body, err = body_object(req)
  err = err or check_template_generate(t, body)
  if err then return v2_fail(err.status or 400, err) end
  local job = new_video_job(st, {title = body.title or t.name, caption = body.caption == true,
                                 callback_id = body.callback_id ~= null and body.callback_id or nil,
                                 legacy_callback_url = body.callback_url ~= null and body.callback_url or nil,
                                 ext = "mp4", template_id = id}, body.test == true)
  return reply.v2({video_id = job.id})
end

---------------------------------------------------------------------------------------
-- video translate (docs 3.11)

local function check_translate(st, body)
  local err = check_url(body, "video_url", "video_url", true)
  if err then return err end
  local one, many = body.output_language, body.output_languages
  if absent(one) and absent(many) then return missing("output_language") end
  if not absent(one) and not absent(many) then
    return invalid("output_language/output_languages", "take one of the two, not both")
  end
  local list = absent(many) and {one} or many
  if type(list) ~= "table" or #list == 0 then return invalid("output_languages", "must be a non-empty list", many) end
  for i, lang in ipairs(list) do
    local f = absent(many) and "output_language" or "output_languages[" .. i .. "]"
    if type(lang) ~= "string" or not st.catalogue.language_by_name[lang:lower()] then
      return invalid(f, "must be a language from /v2/video_translate/target_languages", lang)
    end
  end
  err = first(check_string(body, "title", "title"), check_bool(body, "translate_audio_only", "translate_audio_only"),
              check_enum(body, "mode", "mode", TRANSLATE_MODES), check_string(body, "callback_id", "callback_id"),
              check_url(body, "callback_url", "callback_url"))
  if err then return err end
  if not absent(body.speaker_num) and (not is_int(body.speaker_num) or body.speaker_num < 1) then
    return invalid("speaker_num", "must be a positive integer", body.speaker_num)
  end
  return nil, list
end

local function create_translate(req, st)
  local body, err = body_object(req)
  local langs
  if not err then err, langs = check_translate(st, body) end
  if err then return v2_fail(400, err) end
  local ids = {}
  for _, lang in ipairs(langs) do
    local charged = st:charge("translate", false)
    local job = st:create_job("translate", {title = body.title or "Translated video", list_type = "TRANSLATED",
                                            output_language = st.catalogue.language_by_name[lang:lower()],
                                            legacy_callback_url = not absent(body.callback_url) and body.callback_url
                                                                  or nil,
                                            callback_id = body.callback_id ~= null and body.callback_id or nil})
    if not charged and not job.failure then job.failure = st.CREDIT_FAILURE end
    ids[#ids + 1] = job.id
  end
  local data = {video_translate_id = ids[1]}
  if not absent(body.output_languages) then data.video_translate_ids = ids end   -- [INF]
  return reply.v2(data)
end

local function translate_job(st, id)
  local job = live_job(st, id)
  if job and job.kind == "translate" then return job end
end

local function translate_not_found(id)
  return reply.error("v2", 404, "not_found", "Video translate " .. tostring(id) .. " not found")
end

local function get_translate(req, st, id)
  local job = translate_job(st, id)
  if not job then return translate_not_found(id) end
  local status = st:status(job)
  local data = {video_translate_id = id, title = job.title or null, status = status, url = null, message = null}
  if status == "success" then
    data.url = st:signed_url(req, id .. ".mp4")
  elseif status == "failed" then
    data.message = st:failure(job).message
  end
  if job.legacy_callback_url then callback(st, req, job) end
  return reply.v2(data)
end

local function translate_caption(req, st)
  local id = req.query.video_translate_id
  if not id or id == "" then return v2_fail(400, missing("video_translate_id")) end
  local kind = req.query.caption_type or "vtt"
  if kind ~= "vtt" and kind ~= "srt" then return v2_fail(400, invalid("caption_type", "must be vtt or srt", kind)) end
  local job = translate_job(st, id)
  if not job then return translate_not_found(id) end
  if st:status(job) ~= "success" then
    return v2_fail(400, invalid("video_translate_id", "is not finished yet", id))
  end
  return reply.v2({caption_url = st:signed_url(req, id .. "." .. kind)})
end

local function target_languages(_, st)
  return reply.v2({languages = st.catalogue.languages})
end

---------------------------------------------------------------------------------------
-- video list / delete / share (docs 3.12 - 3.14), quota (3.16), asset upload (3.15)

local LIST_STATUS = {completed = "completed", failed = "failed", draft = "draft"}

-- Page tokens name the list position they continue after, signed so they stay opaque.
local function page_token(st, seq)
  return string.format("%x", seq) .. "." .. st:sign("video.list", seq):sub(1, 12)
end

local function token_seq(st, token)
  local hex, sig = token:match("^(%x+)%.(%x+)$")
  local seq = hex and tonumber(hex, 16)
  if seq and st:sign("video.list", seq):sub(1, 12) == sig then return seq end
end

local function list_videos(req, st)
  local q = req.query
  local limit = 100
  if q.limit and q.limit ~= "" then
    limit = tonumber(q.limit)
    if not limit or limit ~= math.floor(limit) or limit < 0 or limit > 100 then
      return reply.json(400, {code = 40012,
                              message = "Invalid querying parameter: limit must be 0-100, got " .. q.limit})
    end
    if limit == 0 then limit = 100 end
  end
  local after = math.huge
  if q.token and q.token ~= "" then
    after = token_seq(st, q.token)
    if not after then
      return reply.json(400, {code = 40012, message = "Invalid querying parameter: token " .. q.token})
    end
  end
  local videos, out, last = st.videos, {}, nil
  local i = #videos
  while i >= 1 and videos[i].seq >= after do i = i - 1 end
  while i >= 1 and #out < limit do
    local job = videos[i]
    if not job.deleted and (not q.folder_id or q.folder_id == "" or job.folder_id == q.folder_id) then
      local s = video_status(st, job)
      out[#out + 1] = {video_id = job.video_id or job.id, status = LIST_STATUS[s] or "processing",
                       created_at = job.created_at, type = job.list_type}
      last = job.seq
    end
    i = i - 1
  end
  local more = false
  for j = i, 1, -1 do
    if not videos[j].deleted then more = true break end
  end
  return reply.json(200, {code = 100, data = {token = more and page_token(st, last) or null,
                                             videos = reply.array(out)}, message = null})
end

local function delete_video(req, st)
  local id, kind = req.query.video_id, req.query.type
  if not id or id == "" then
    local body = reply.decode(req.body)              -- some clients send it as a JSON body
    id = type(body) == "table" and type(body.video_id) == "string" and body.video_id or nil
  end
  if not id or id == "" then return v1_fail(400, missing("video_id")) end
  if kind and not DELETE_TYPES[kind] then
    return v1_fail(400, invalid("type", "must be heygen_video or video_translate", kind))
  end
  local job = live_job(st, id)
  if not job then return video_not_found(id) end
  job.deleted = true
  st.jobs[id] = nil
  return reply.v1(null)
end

local function share_video(req, st)
  local body, err = body_object(req)
  err = err or check_string(body, "video_id", "video_id", true)
  if err then return v1_fail(400, err) end
  if not live_job(st, body.video_id) then return video_not_found(body.video_id) end
  return reply.v1_msg(st:base(req) .. "/share/" .. body.video_id)
end

local function remaining_quota(_, st)
  return reply.v2({remaining_quota = st.quota,
                   details = {api = st.quota, plan_credit = 0, streaming_avatar = 0, seat = 1}})
end

local function upload_asset(req, st)
  local ctype = (req.headers["content-type"] or ""):match("^%s*([^;%s]+)")
  local known = ctype and M.ASSET_TYPES[ctype:lower()]
  if not known then
    return v1_fail(400, {v1 = 400543, message = "Content-Type must be one of image/jpeg, image/png, "
                         .. "video/mp4, video/webm, audio/mpeg; got " .. show(ctype or "")})
  end
  if #req.body == 0 then return v1_fail(400, missing("file body")) end
  local file_type, ext = known[1], known[2]
  if #req.body > M.ASSET_LIMITS[file_type] then
    return reply.error("v1", 413, nil, string.format("%s files must be at most %d MB, got %d bytes", file_type,
                                                     M.ASSET_LIMITS[file_type] / 1048576, #req.body))
  end
  local id = st:id()
  local asset = {id = id, ext = ext, content_type = ctype:lower(), size = #req.body}
  if #req.body <= KEEP_ASSET_BYTES then asset.bytes = req.body end
  st.assets[id] = asset
  local data = {id = id, name = id, file_type = file_type, folder_id = "", meta = null,
                created_ts = int(st:now()), url = st:signed_url(req, "assets/" .. id .. "." .. ext)}
  if file_type == "image" then data.image_key = "image/" .. id .. "/original." .. ext end
  return reply.v1_msg(data)
end

---------------------------------------------------------------------------------------
-- downloads: /files/ (presigned), /static/ (catalogue media), /share/ pages

-- Files carry a strong ETag named after their content (what it is made from), so a
-- client resuming with If-Range gets the whole file again when it changed.
local function file_answer(st, body, ctype, identity)
  local etag = '"' .. st:sign("etag", identity):sub(1, 32) .. '"'
  local res = {status = 200, headers = {["Content-Type"] = ctype, ETag = etag}, ranges = true}
  if type(body) == "string" then res.body = body else res.stream = body end
  return res
end

local function forbidden(message)
  return {status = 403, headers = {["Content-Type"] = "application/xml"},
          body = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>'
                 .. message .. "</Message></Error>\n"}
end

local function get_file(req, st, name)
  local check = st:check_signature(req.path, req.query)
  if check == "expired" then return forbidden("Request has expired") end
  if check ~= "ok" then return forbidden("Invalid signature") end
  local stem, ext = name:match("^(.-)%.(%w+)$")
  if not stem then return {status = 404, headers = {["Content-Type"] = "text/plain"}, body = "not found\n"} end
  local asset_id = stem:match("^assets/(%x+)$")
  local asset = asset_id and st.assets[asset_id]
  if asset and asset.bytes then return file_answer(st, asset.bytes, asset.content_type, "asset:" .. asset_id) end
  local job = st.jobs[stem] or st.jobs[stem:gsub("_caption$", "")]
  local body, ctype = media.body(ext, job and job.size)
  if not body then return {status = 404, headers = {["Content-Type"] = "text/plain"}, body = "not found\n"} end
  return file_answer(st, body, ctype, ext .. ":" .. tostring(job and job.size))
end

local function get_static(_, st, name)
  local ext = name:match("%.(%w+)$")
  local body, ctype = media.body(ext or "")
  if not body then return {status = 404, headers = {["Content-Type"] = "text/plain"}, body = "not found\n"} end
  return file_answer(st, body, ctype, "static:" .. (ext or ""))
end

local function share_page(req, st, id)
  local job = live_job(st, id)
  if not job then return {status = 404, headers = {["Content-Type"] = "text/html"}, body = "<h1>Not found</h1>\n"} end
  local url = st:signed_url(req, id .. "." .. (job.ext or "mp4"))
  return {status = 200, headers = {["Content-Type"] = media.CONTENT_TYPES.html},
          body = "<!doctype html><title>" .. (job.title or id):gsub("[<>&]", "") ..
                 "</title><video controls src=\"" .. url .. "\"></video>\n"}
end

---------------------------------------------------------------------------------------

local K = "api_key"

M.routes = {
  {"POST", "/v1/workflows/executions", create_workflow, auth = K, gen = "workflow"},
  {"GET", "/v1/workflows/executions/([^/]+)", get_workflow, auth = K, gen = "workflow"},
  {"POST", "/v2/video/generate", generate_video, auth = K, gen = "v2"},
  {"GET", "/v1/video_status%.get", video_status_get, auth = K, gen = "v1"},
  {"POST", "/v1/video%.webm", create_webm, auth = K, gen = "v1"},
  {"GET", "/v2/avatars", list_avatars, auth = K, gen = "v2"},
  {"GET", "/v2/avatar/([^/]+)/details", avatar_details, auth = K, gen = "v2"},
  {"GET", "/v2/voices", list_voices, auth = K, gen = "v2"},
  {"GET", "/v2/templates", list_templates, auth = K, gen = "v2"},
  {"GET", "/v2/template/([^/]+)", get_template, auth = K, gen = "v2"},
  {"POST", "/v2/template/([^/]+)/generate", generate_from_template, auth = K, gen = "v2"},
  {"GET", "/v2/video_translate/target_languages", target_languages, auth = K, gen = "v2"},
  {"GET", "/v2/video_translate/caption", translate_caption, auth = K, gen = "v2"},
  {"POST", "/v2/video_translate", create_translate, auth = K, gen = "v2"},
  {"GET", "/v2/video_translate/([^/]+)", get_translate, auth = K, gen = "v2"},
  {"GET", "/v1/video%.list", list_videos, auth = K, gen = "v1"},
  {"DELETE", "/v1/video%.delete", delete_video, auth = K, gen = "v1"},
  {"POST", "/v1/video/share", share_video, auth = K, gen = "v1"},
  {"GET", "/v2/user/remaining_quota", remaining_quota, auth = K, gen = "v2"},
  {"POST", "/v1/asset", upload_asset, auth = K, gen = "v1"},
}
for _, r in ipairs(M.routes) do r.headers = LEGACY_HEADERS end

M.media_routes = {
  {"GET", "/files/(.+)", get_file, gen = "files"},
  {"GET", "/static/(.+)", get_static, gen = "files"},
  {"GET", "/share/([^/]+)", share_page, gen = "files"},
}

function M.register(app, st)
  st.webhooks:watcher(M.watch)
  app:load(M.routes)
  app:load(M.media_routes)
end

return M
