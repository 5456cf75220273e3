-- heygen.emulator.v3.catalogue: the seeded public catalogue through v3 (docs/heygen-v3.md 3,
-- 4): avatar groups and looks (made once per state from the shared seed's avatars and talking
-- photos), the public voices, and text to speech with one of them. The emulator's own avatars
-- and voices (v3/avatars.lua, v3/voices.lua) hand the reads they do not own on to these.
-- Also what other resources check against it: catalogue(st), check_voice, no_look.
local reply = require "heygen.emulator.reply"
local S = require "heygen.emulator.v3.support"

local null = reply.null
local v3, fail, invalid, not_found, body_object, check = S.v3, S.fail, S.invalid, S.not_found, S.body_object,
  S.check
local set, names, id, req_id, num, one_of = S.set, S.names, S.id, S.req_id, S.num, S.one_of
local absent, paginate, positions, by_position = S.absent, S.paginate, S.positions, S.by_position

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


-- Server-side checks beyond the shapes: ids that must exist.
local function no_look(look_id, param)
  return fail(404, "avatar_not_found", "Avatar look " .. tostring(look_id) .. " not found", param)
end

local function check_voice(st, voice_id, path)
  if not absent(voice_id) and not st.catalogue.voice_by_id[voice_id] then
    return fail(404, "voice_not_found", "Voice " .. voice_id .. " not found", path)
  end
end

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

M.catalogue, M.check_voice, M.no_look = catalogue, check_voice, no_look

M.routes = {
  {"GET", "/v3/avatars", list_groups},
  {"GET", "/v3/avatars/looks", list_looks},
  {"GET", "/v3/avatars/looks/([^/]+)", get_look},
  {"GET", "/v3/avatars/([^/]+)", get_group},
  {"GET", "/v3/voices", list_voices},
  {"POST", "/v3/voices/speech", speech},
  {"GET", "/v3/voices/([^/]+)", get_voice},
}

return M
