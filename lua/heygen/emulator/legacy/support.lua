-- heygen.emulator.legacy.support: what the legacy (v1/v2) route modules share: the
-- documented enums and limits, the validation checks (each returns nil or an error
-- {message, v1 code, string code, status}), the three envelopes' failures, the v1 view
-- of a job and the legacy callback (docs 3.17). Every name below is a field of the module.
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

-- The fields every video create accepts (docs 3.2, 3.10).
local function check_common(body)
  return first(check_string(body, "title", "title"), check_bool(body, "test", "test"),
               check_bool(body, "caption", "caption"), check_string(body, "callback_id", "callback_id"),
               check_url(body, "callback_url", "callback_url"), check_string(body, "folder_id", "folder_id"))
end

-- A job by id, unless deleted.
local function live_job(st, id)
  local job = id and st.jobs[id]
  if job and not job.deleted then return job end
end

-- For an avatar or voice id the seeded catalogue does not have: nil when it names a look (of
-- avatar_type `look_type`) or a voice the account made through v3 (v3/avatars.lua,
-- v3/voices.lua: `what` "avatars" or "voices") and can use now, else the 400 to answer:
-- `unknown` for an id the account does not have (or deleted), else why not yet.
local function own_refusal(st, what, id, look_type, unknown)
  local found, why
  if st.v3 then found, why = require("heygen.emulator.v3." .. what).usable(st, id) end
  local code = what == "voices" and "voice_not_found" or "avatar_not_found"
  if found and look_type and found.avatar_type ~= look_type then
    return {status = 400, code = code, message = unknown .. " (look " .. id .. " is a " .. found.avatar_type .. ")"}
  end
  if found then return nil end
  if why and why.status ~= 404 then return {status = 400, code = why.code, message = why.message} end
  return {status = 400, code = code, message = unknown}
end

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

-- (the exports)
for k, v in pairs({
  LEGACY_HEADERS = LEGACY_HEADERS, MAX_SCENES = MAX_SCENES, MAX_TEXT = MAX_TEXT,
  KEEP_ASSET_BYTES = KEEP_ASSET_BYTES, set = set, PROVIDER_SET = PROVIDER_SET, WORKFLOW_RATIOS = WORKFLOW_RATIOS,
  VIDEO_RATIOS = VIDEO_RATIOS, AVATAR_STYLES = AVATAR_STYLES, WEBM_STYLES = WEBM_STYLES, EMOTIONS = EMOTIONS,
  PLAY_STYLES = PLAY_STYLES, FITS = FITS, TALKING_PHOTO_STYLES = TALKING_PHOTO_STYLES,
  TALKING_STYLES = TALKING_STYLES, EXPRESSIONS = EXPRESSIONS, FPS = FPS, TRANSLATE_MODES = TRANSLATE_MODES,
  DELETE_TYPES = DELETE_TYPES, absent = absent, show = show, invalid = invalid, missing = missing, is_int = is_int,
  chars = chars, check_script = check_script, check_string = check_string, check_bool = check_bool,
  check_enum = check_enum, check_range = check_range, check_url = check_url, check_object = check_object,
  check_dimension = check_dimension, check_color = check_color, first = first, v1_fail = v1_fail,
  v2_fail = v2_fail, wf_fail = wf_fail, body_object = body_object, video_not_found = video_not_found,
  VIDEO_STATUS = VIDEO_STATUS, video_status = video_status, video_data = video_data, callback = callback,
  new_video_job = new_video_job, check_common = check_common, live_job = live_job, cached_v2 = cached_v2,
  own_refusal = own_refusal
}) do M[k] = v end
M.null, M.int = null, int

return M
