-- heygen.emulator.legacy.videos: avatar videos: generate, status, WebM, list, delete, share
-- (docs 3.2 - 3.4, 3.12 - 3.14).
local reply = require "heygen.emulator.reply"
local S = require "heygen.emulator.legacy.support"
local check_common = S.check_common
local null = reply.null

local MAX_SCENES, set, VIDEO_RATIOS, AVATAR_STYLES = S.MAX_SCENES, S.set, S.VIDEO_RATIOS, S.AVATAR_STYLES
local WEBM_STYLES, EMOTIONS, PLAY_STYLES, FITS = S.WEBM_STYLES, S.EMOTIONS, S.PLAY_STYLES, S.FITS
local TALKING_PHOTO_STYLES, TALKING_STYLES, EXPRESSIONS = S.TALKING_PHOTO_STYLES, S.TALKING_STYLES, S.EXPRESSIONS
local DELETE_TYPES, absent, invalid, missing = S.DELETE_TYPES, S.absent, S.invalid, S.missing
local check_script, check_string, check_bool, check_enum = S.check_script, S.check_string, S.check_bool, S.check_enum
local check_range, check_url, check_object = S.check_range, S.check_url, S.check_object
local check_dimension, check_color, first, v1_fail = S.check_dimension, S.check_color, S.first, S.v1_fail
local v2_fail, body_object, video_not_found = S.v2_fail, S.body_object, S.video_not_found
local video_status, video_data, callback, new_video_job = S.video_status, S.video_data, S.callback, S.new_video_job
local live_job, own_refusal = S.live_job, S.own_refusal

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
    err = not cat.avatar_by_id[ch.avatar_id]
          and own_refusal(st, "avatars", ch.avatar_id, "digital_twin",
                          "Avatar " .. ch.avatar_id .. " not found or no longer available.")
    if err then return err end
    err = check_enum(ch, "avatar_style", f .. ".avatar_style", AVATAR_STYLES)
  else
    err = check_string(ch, "talking_photo_id", f .. ".talking_photo_id", true)
    if err then return err end
    err = not cat.talking_photo_by_id[ch.talking_photo_id]
          and own_refusal(st, "avatars", ch.talking_photo_id, "photo_avatar",
                          "Talking photo " .. ch.talking_photo_id .. " not found or no longer available.")
    if err then return err end
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
    err = not st.catalogue.voice_by_id[v.voice_id]
          and own_refusal(st, "voices", v.voice_id, nil, "Voice " .. v.voice_id .. " not found")
    if err then return err end
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

return {generate_video = generate_video, video_status_get = video_status_get, create_webm = create_webm,
        list_videos = list_videos, delete_video = delete_video, share_video = share_video}
