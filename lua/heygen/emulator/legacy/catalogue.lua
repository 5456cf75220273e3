-- heygen.emulator.legacy.catalogue: the avatar and voice catalogue (docs 3.5 - 3.8).
local reply = require "heygen.emulator.reply"
local S = require "heygen.emulator.legacy.support"
local null = reply.null

local cached_v2 = S.cached_v2

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

return {list_avatars = list_avatars, avatar_details = avatar_details, list_voices = list_voices}
