--- Avatars: the legacy list and details (../shared/docs/heygen-api.md 3.5), v3 groups and
-- looks (../shared/docs/heygen-v3.md 3); under v3 the legacy calls answer from looks.
local api = require "heygen.api"
local schema = require "heygen.api.schema.v3"
local support = require "heygen.api.support"
local util = require "heygen.util"

local M = {}

M.PAGE = { looks = 50, groups = 50 }

--- A v3 avatar look as the legacy avatar item (avatar_id, avatar_name, ...).
function M.look_item(l)
  return util.merge(l, { avatar_id = l.id, avatar_name = l.name,
    type = l.avatar_type == "photo_avatar" and "talking_photo" or "avatar" })
end

-- Looks as the legacy list: avatars (studio avatars, digital twins) and talking photos.
local function split_looks(_, looks)
  local out = { avatars = {}, talking_photos = {} }
  for _, l in ipairs(looks) do
    if l.avatar_type == "photo_avatar" then
      out.talking_photos[#out.talking_photos + 1] = util.merge(l, { talking_photo_id = l.id,
        talking_photo_name = l.name })
    else
      out.avatars[#out.avatars + 1] = M.look_item(l)
    end
  end
  return out
end

local function avatar_details(_, d)
  if type(d) ~= "table" then return support.protocol("avatar details: no data in the answer") end
  d.avatar_id = d.avatar_id or d.id
  d.avatar_name = d.avatar_name or d.name
  return d
end

local function look_result(_, d) return M.look_item(d) end

local function gone() return true end

api.rows {
  create_avatar = {
    doc = { args = "o: {type: \"photo\"|\"digital_twin\"|\"prompt\", name: string, file?: table, prompt?: string, "
      .. "avatar_group_id?: string, reference_images?: table[]}", returns = "table",
      text = "Create an avatar (a group and its look) from a photo, a digital twin video or a prompt" },
    v3 = { method = "POST", path = "/v3/avatars", creates = true, schema = schema.create_avatar, body = "table" },
  },

  avatar_consent = {
    doc = { args = "group_id: string, o?: {consent_text?: string, consent_video?: string|table, reroute_url?: string}",
      returns = "table", text = "Give the consent a digital twin needs" },
    v3 = { args = "id_table", schema = schema.avatar_consent, method = "POST", creates = true,
      path = "/v3/avatars/{1}/consent",
      body = function(_, _, b)
        b = b or {}
        return util.merge(b, { consent_video = support.as_asset(b.consent_video) })
      end },
  },

  update_avatar_look = {
    doc = { args = "look_id: string, o: {name?: string}", returns = "heygen.AvatarLook", text = "Rename a look" },
    v3 = { args = "id_table", schema = schema.look_update, method = "PATCH", path = "/v3/avatars/looks/{1}",
      body = "table", result = look_result },
  },

  delete_avatar_look = {
    doc = { args = "look_id: string", returns = "true", text = "Delete a look" },
    v3 = { args = "id", method = "DELETE", path = "/v3/avatars/looks/{1}", result = gone },
  },

  delete_avatar_group = {
    doc = { args = "group_id: string", returns = "true", text = "Delete an avatar group and its looks" },
    v3 = { args = "id", method = "DELETE", path = "/v3/avatars/{1}", result = gone },
  },

  avatars = {
    doc = { returns = "heygen.AvatarList", text = "Every avatar and talking photo of the account" },
    legacy = { args = "none", path = "/v2/avatars", envelope = "v2", result = function(_, d)
      d = support.list_of(d)
      return { avatars = support.list_of(d.avatars), talking_photos = support.list_of(d.talking_photos) }
    end },
    v3 = { args = "none", path = "/v3/avatars/looks", pages = M.PAGE.looks, result = split_looks },
  },

  avatar = {
    doc = { args = "avatar_id: string", returns = "heygen.AvatarDetails", text = "One avatar (v3: one look)" },
    legacy = { args = "id", path = "/v2/avatar/{1}/details", envelope = "v2", result = avatar_details },
    v3 = { args = "id", path = "/v3/avatars/looks/{1}", result = look_result },
  },

  avatar_look = {
    doc = { args = "look_id: string", returns = "heygen.AvatarLook", text = "One look, from any client" },
    v3 = { args = "id", path = "/v3/avatars/looks/{1}", result = look_result },
  },

  avatar_groups = {
    doc = { args = "o?: {ownership?: string}", returns = "heygen.AvatarGroup[]", text = "Every avatar group" },
    v3 = { args = "optional_table", schema = schema.groups_filter, path = "/v3/avatars", query = support.same,
      pages = M.PAGE.groups },
  },

  avatar_group = {
    doc = { args = "group_id: string", returns = "heygen.AvatarGroup", text = "One avatar group" },
    v3 = { args = "id", path = "/v3/avatars/{1}" },
  },

  avatar_looks = {
    doc = { args = "o?: heygen.LooksFilter", returns = "heygen.AvatarLook[]", text = "Every avatar look" },
    v3 = { args = "optional_table", schema = schema.looks_filter, path = "/v3/avatars/looks", query = support.same,
      pages = M.PAGE.looks, item = M.look_item },
  },
}

return M
