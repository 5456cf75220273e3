-- heygen.emulator.v3.catalogue: the seeded public catalogue in v3 shapes (docs/heygen-v3.md 3,
-- 4), as data and views, no routes: avatar groups and looks (made once per state from the
-- shared seed's avatars and talking photos) and the public voices. v3/avatars.lua and
-- v3/voices.lua serve every /v3/avatars and /v3/voices route, the catalogue's and the
-- account's own, from these: catalogue(st) (looks, look_by_id, groups, group_by_id),
-- public_looks(st, q), public_voices(st, q), bad_filter(q) (a looks/groups query's 400),
-- look_view, group_view, voice_view, voice_detail, STARFISH_LANGUAGES.
local reply = require "heygen.emulator.reply"
local S = require "heygen.emulator.v3.support"

local null = reply.null
local invalid, set, names = S.invalid, S.set, S.names

local M = {}

M.STARFISH_LANGUAGES = {English = true, Spanish = true, French = true}

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
local function any(v) return not v or v == "" end

-- The public voices a GET /v3/voices query picks (language, gender, engine).
local function public_voices(st, q)
  local list = {}
  for _, v in ipairs(st.catalogue.voices) do
    if (any(q.language) or lower(v.language) == lower(q.language))
       and (any(q.gender) or lower(v.gender) == lower(q.gender))
       and (any(q.engine) or (q.engine == "starfish" and M.STARFISH_LANGUAGES[v.language])) then
      list[#list + 1] = v
    end
  end
  return list
end

-- A public voice as GET /v3/voices/{id} answers it: the contract's VoiceDetail, which has
-- no support_locale or type (those are the list item's).
local function voice_detail(req, st, v)
  local d = voice_view(req, st, v)
  d.support_locale, d.type = nil, nil
  d.created_at, d.support_interactive_avatar, d.status, d.failure_message = 1735689600,
    v.support_interactive_avatar, null, null
  return d
end

M.OWNERSHIP = set({"public", "private"})
M.LOOK_TYPES = set({"studio_avatar", "digital_twin", "photo_avatar"})

-- The 400 for a bad ownership or avatar_type query, if any.
local function bad_filter(q)
  if not any(q.ownership) and not M.OWNERSHIP[q.ownership] then
    return invalid("ownership", "must be public or private", q.ownership)
  end
  if not any(q.avatar_type) and not M.LOOK_TYPES[q.avatar_type] then
    return invalid("avatar_type", "must be one of " .. names(M.LOOK_TYPES), q.avatar_type)
  end
end

-- The public looks a GET /v3/avatars/looks query picks (group_id, avatar_type).
local function public_looks(st, q)
  local list = {}
  for _, l in ipairs(catalogue(st).looks) do
    if (any(q.group_id) or l.group_id == q.group_id) and (any(q.avatar_type) or l.avatar_type == q.avatar_type) then
      list[#list + 1] = l
    end
  end
  return list
end

M.catalogue, M.public_voices, M.public_looks, M.bad_filter = catalogue, public_voices, public_looks, bad_filter
M.look_view, M.group_view, M.voice_view, M.voice_detail = look_view, group_view, voice_view, voice_detail

return M
