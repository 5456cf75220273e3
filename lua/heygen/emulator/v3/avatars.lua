-- heygen.emulator.v3.avatars: every /v3/avatars route (docs/heygen-v3.md 3): the public
-- groups and looks (v3/catalogue.lua's data) and the account's own (the contract's
-- AvatarCreate, AvatarConsent, AvatarLookUpdate, AvatarLookDelete, AvatarGroupDelete).
--
-- POST /v3/avatars makes a look (avatar_item) in a new private group, or in avatar_group_id
-- (one of yours): type "photo" (file: an image) and "prompt" (a generated photo; avatar_id
-- names a look of yours to vary) make a photo_avatar that trains (kind "avatar_training":
-- processing -> completed); type "digital_twin" (file: a video) waits at pending_consent
-- until POST /v3/avatars/{group_id}/consent gives consent_text or consent_video (then it
-- trains), or until the consent page that call answers (url, without either) is opened.
-- GET /v3/avatars and /v3/avatars/looks list the catalogue's (ownership=public), yours
-- (ownership=private, oldest first) or, without ownership, both (the catalogue's first); by
-- id, either. PATCH .../looks/{id} renames one of yours, DELETE removes a look (the last one
-- takes its group along) or a whole group (then 404); catalogue ones are 403.
--
-- What other resources check an avatar_id by: usable(st, id) (a public look or one of yours
-- once trained: it, or nil and why not) and look_for(st, id, param) (it, or nil and the answer).
local reply = require "heygen.emulator.reply"
local S = require "heygen.emulator.v3.support"
local catalogue = require "heygen.emulator.v3.catalogue"

local null = reply.null
local v3, fail, check, body_object, not_found, opt = S.v3, S.fail, S.check, S.body_object, S.not_found, S.opt
local str, asset, paginate, positions, by_position = S.str, S.asset, S.paginate, S.positions, S.by_position
local catalogue_of = catalogue.catalogue

local M = {}

M.KINDS = {
  avatar_training = {phases = {{"processing", 60}}, done = "completed", failed = "failed",
                     failure = {code = "avatar_training_failed", message = "No face was found in the input"}},
}
local ENGINES = {"avatar_iv", "avatar_iii"}   -- the engines your looks render with
local TYPE_OF = {photo = "photo_avatar", prompt = "photo_avatar", digital_twin = "digital_twin"}
local NAME = {type = "string", required = true, min_len = 1, max_len = 100}
local CREATE_RULE = {type = "object", variants = {key = "type",
  photo = {name = NAME, file = asset(true), avatar_group_id = str},
  digital_twin = {name = NAME, file = asset(true), avatar_group_id = str},
  prompt = {name = NAME, prompt = {type = "string", required = true, min_len = 1, max_len = 1000},
            avatar_group_id = str, avatar_id = str,
            reference_images = {type = "array", max_items = 3, items = asset(true)}},
}}
local CONSENT_RULE = {type = "object", fields = {consent_text = str, consent_video = asset(false), reroute_url = S.url}}
local RENAME_RULE = {type = "object", fields = {name = {type = "string", min_len = 1, max_len = 100}}}

local function fresh(st) st.v3.avatar_groups, st.v3.avatar_looks = {}, {} end

local function find(list, key, v)
  for i, x in ipairs(list) do
    if x[key] == v and not x.deleted then return x, i end
  end
end

local function looks_of(st, g)
  local out = {}
  for _, l in ipairs(st.v3.avatar_looks) do
    if l.group_id == g.id and not l.deleted then out[#out + 1] = l end
  end
  return out
end

-- A look's status: pending_consent until consent, then its training job's.
local function status_of(st, l)
  if l.avatar_type == "digital_twin" and not l.consented then return "pending_consent" end
  local job = l.job_id and st.jobs[l.job_id]
  return job and st:status(job) or "completed"
end

local function look_view(req, st, l)
  local status = status_of(st, l)
  local media = st:base(req) .. "/static/avatars/" .. l.id
  local job = l.job_id and st.jobs[l.job_id]
  return {id = l.id, name = l.name, avatar_type = l.avatar_type, group_id = l.group_id, gender = null,
          default_voice_id = null, status = status,
          error = status == "failed" and {code = st:failure(job).code, message = st:failure(job).message} or null,
          preview_image_url = status == "completed" and (media .. ".jpg") or null,
          preview_video_url = status == "completed" and l.avatar_type == "digital_twin" and (media .. ".mp4") or null,
          image_width = l.avatar_type == "digital_twin" and 1920 or 1080,
          image_height = l.avatar_type == "digital_twin" and 1080 or 1920,
          preferred_orientation = l.avatar_type == "digital_twin" and "landscape" or "portrait",
          supported_api_engines = ENGINES, tags = reply.array({})}
end

local function group_view(req, st, g)
  local looks = looks_of(st, g)
  local first = looks[1] and look_view(req, st, looks[1])
  local twin = g.twin and find(st.v3.avatar_looks, "group_id", g.id)
  return {id = g.id, name = g.name, created_at = g.created_at, looks_count = #looks, gender = null,
          default_voice_id = null, preview_image_url = first and first.preview_image_url or null,
          preview_video_url = first and first.preview_video_url or null, status = first and first.status or null,
          consent_status = twin and (twin.consented and "completed" or "pending") or null,
          error = first and first.error or null}
end

local function train(st, l)
  local job = S.charged_job(st, "avatar_training", {id = "train_" .. st:id(20)})
  l.job_id = job.id
end

local function create(req, st)
  local body, err = body_object(req)
  err = err or check(body, CREATE_RULE, "")
  if err then return err end
  local g
  local gid = opt(body.avatar_group_id)
  local base_look = opt(body.avatar_id) and find(st.v3.avatar_looks, "id", body.avatar_id)
  if opt(body.avatar_id) and not base_look then
    return fail(404, "avatar_not_found", "Avatar look " .. body.avatar_id .. " not found (only your own looks)",
                "avatar_id")
  end
  gid = gid or (base_look and base_look.group_id)
  if gid then
    g = find(st.v3.avatar_groups, "id", gid)
    if not g then return fail(404, "not_found", "Avatar group " .. gid .. " not found (only your own groups)",
                              "avatar_group_id") end
  else
    g = {id = st:id(), name = body.name, created_at = reply.int(S.now()), twin = body.type == "digital_twin"}
    st.v3.avatar_groups[#st.v3.avatar_groups + 1] = g
  end
  local l = {id = st:id(), name = body.name, group_id = g.id, avatar_type = TYPE_OF[body.type],
             source = body.type, prompt = opt(body.prompt)}
  st.v3.avatar_looks[#st.v3.avatar_looks + 1] = l
  if l.avatar_type == "digital_twin" then g.twin = true else train(st, l) end
  return v3({avatar_group = group_view(req, st, g), avatar_item = look_view(req, st, l)})
end

local function consent_given(st, g)
  for _, l in ipairs(looks_of(st, g)) do
    if l.avatar_type == "digital_twin" and not l.consented then
      l.consented = true
      train(st, l)
    end
  end
end

local function consent(req, st, gid)
  local g = find(st.v3.avatar_groups, "id", gid)
  if not g then return not_found("not_found", "Avatar group", gid) end
  local body, err = body_object(req)
  err = err or check(body, CONSENT_RULE, "")
  if err then return err end
  if not g.twin then
    return fail(400, "invalid_parameter", "Avatar group " .. gid .. " holds no digital twin: it needs no consent")
  end
  local url = null
  if opt(body.consent_text) or opt(body.consent_video) then
    consent_given(st, g)
  else
    g.reroute_url = opt(body.reroute_url)
    url = st:base(req) .. "/avatar-consent/" .. gid
  end
  return v3({avatar_group = group_view(req, st, g), url = url})
end

-- The consent page a person opens (no API key: it is sent to them); opening it consents.
local function consent_page(_, st, gid)
  local g = find(st.v3.avatar_groups, "id", gid)
  if not g or not g.twin then
    return {status = 404, headers = {["Content-Type"] = "text/html"}, body = "<h1>Not found</h1>\n"}
  end
  consent_given(st, g)
  if g.reroute_url then return {status = 302, headers = {Location = g.reroute_url}, body = ""} end
  return {status = 200, headers = {["Content-Type"] = "text/html"},
          body = "<!doctype html><title>Consent recorded</title><p>Consent recorded for "
                 .. g.name:gsub("[<>&]", "") .. ".</p>\n"}
end

-- The items a list answers: the catalogue's unless ownership=private, yours unless
-- ownership=public, each with the view that shows it; and the scope its page tokens name.
local function owned(q, what, public, public_view, own, own_view)
  local list = {}
  if q.ownership ~= "private" then
    for _, x in ipairs(public) do list[#list + 1] = {x, public_view} end
  end
  if q.ownership ~= "public" then
    for _, x in ipairs(own) do list[#list + 1] = {x, own_view} end
  end
  local scope = (q.ownership == "private" or q.ownership == "public") and (q.ownership .. "-" .. what) or what
  return positions(list), scope
end

local function groups(req, st)
  local q = req.query
  local bad = catalogue.bad_filter({ownership = q.ownership})
  if bad then return bad end
  local live = {}
  for _, g in ipairs(st.v3.avatar_groups) do if not g.deleted then live[#live + 1] = g end end
  local list, scope = owned(q, "groups", catalogue_of(st).groups, catalogue.group_view, live, group_view)
  return paginate(req, st, scope, list, by_position, 20, 50, function(p) return p.item[2](req, st, p.item[1]) end)
end

local function looks(req, st)
  local q = req.query
  local bad = catalogue.bad_filter(q)
  if bad then return bad end
  local live = {}
  for _, l in ipairs(st.v3.avatar_looks) do
    if not l.deleted and (not q.group_id or q.group_id == "" or l.group_id == q.group_id)
       and (not q.avatar_type or q.avatar_type == "" or l.avatar_type == q.avatar_type) then
      live[#live + 1] = l
    end
  end
  local list, scope = owned(q, "looks", catalogue.public_looks(st, q), catalogue.look_view, live, look_view)
  return paginate(req, st, scope, list, by_position, 20, 50, function(p) return p.item[2](req, st, p.item[1]) end)
end

-- GET by id: one of yours (st.v3[list]), else the catalogue's (catalogue(st)[index]), else 404.
local function reader(list, own_view, index, public_view, code, what)
  return function(req, st, xid)
    local own = find(st.v3[list], "id", xid)
    if own then return v3(own_view(req, st, own)) end
    local public = catalogue_of(st)[index][xid]
    if not public then return not_found(code, what, xid) end
    return v3(public_view(req, st, public))
  end
end
local group = reader("avatar_groups", group_view, "group_by_id", catalogue.group_view, "not_found", "Avatar group")
local look = reader("avatar_looks", look_view, "look_by_id", catalogue.look_view, "avatar_not_found", "Avatar look")

-- A look a video can show: a public one, or one of yours once trained. Returns the look
-- ({id, avatar_type, engines, default_voice_id?}), or nil and why not ({status, code,
-- message}): 404 avatar_not_found for an id the account does not have (or deleted), 400
-- invalid_parameter for one still training, waiting for consent, or whose training failed.
function M.usable(st, lid)
  local public = catalogue_of(st).look_by_id[lid]
  if public then return public end
  local l = find(st.v3.avatar_looks, "id", lid)
  if not l then
    return nil, {status = 404, code = "avatar_not_found", message = "Avatar look " .. tostring(lid) .. " not found"}
  end
  local status = status_of(st, l)
  if status == "completed" then return {id = l.id, avatar_type = l.avatar_type, engines = ENGINES} end
  local why
  if status == "pending_consent" then
    why = "waits for consent (POST /v3/avatars/" .. l.group_id .. "/consent)"
  elseif status == "failed" then
    why = "cannot be used: its training failed (" .. st:failure(st.jobs[l.job_id]).message .. ")"
  else
    why = "is not ready: it is " .. status .. " (poll GET /v3/avatars/looks/" .. lid
          .. " until its status is completed)"
  end
  return nil, {status = 400, code = "invalid_parameter", message = "Avatar look " .. lid .. " " .. why}
end

-- The look, or nil and the answer naming param.
function M.look_for(st, lid, param)
  local l, why = M.usable(st, lid)
  if l then return l end
  return nil, fail(why.status, why.code, why.message, param)
end

-- One of yours by id, or nil and the answer: 403 for a catalogue one, else 404.
local function own_look(st, lid)
  local l = find(st.v3.avatar_looks, "id", lid)
  if l then return l end
  if catalogue_of(st).look_by_id[lid] then
    return nil, fail(403, "forbidden", "Avatar look " .. lid .. " is a public avatar; only your own can be changed")
  end
  return nil, not_found("avatar_not_found", "Avatar look", lid)
end

local function rename(req, st, lid)
  local l, err = own_look(st, lid)
  if not l then return err end
  local body
  body, err = body_object(req)
  err = err or check(body, RENAME_RULE, "")
  if err then return err end
  if opt(body.name) then l.name = body.name end
  return v3(look_view(req, st, l))
end

local function delete_look(_, st, lid)
  local l, err = own_look(st, lid)
  if not l then return err end
  l.deleted = true
  local g = find(st.v3.avatar_groups, "id", l.group_id)
  if g and not looks_of(st, g)[1] then g.deleted = true end   -- its last look takes the group along
  return v3({id = lid})
end

local function delete_group(_, st, gid)
  local g = find(st.v3.avatar_groups, "id", gid)
  if not g then
    if catalogue_of(st).group_by_id[gid] then
      return fail(403, "forbidden", "Avatar group " .. gid .. " is a public avatar; only your own can be changed")
    end
    return not_found("not_found", "Avatar group", gid)
  end
  g.deleted = true
  for _, l in ipairs(looks_of(st, g)) do l.deleted = true end
  return v3({id = gid})
end

M.kinds, M.fresh = M.KINDS, fresh
M.routes = {
  {"POST", "/v3/avatars", S.I(create)},
  {"GET", "/v3/avatars", groups},
  {"GET", "/v3/avatars/looks", looks},
  {"GET", "/v3/avatars/looks/([^/]+)", look},
  {"PATCH", "/v3/avatars/looks/([^/]+)", rename},
  {"DELETE", "/v3/avatars/looks/([^/]+)", delete_look},
  {"POST", "/v3/avatars/([^/]+)/consent", consent},
  {"GET", "/v3/avatars/([^/]+)", group},
  {"DELETE", "/v3/avatars/([^/]+)", delete_group},
}

function M.register(app)
  app:load({{"GET", "/avatar%-consent/([^/]+)", consent_page, gen = "files"}})
end

return M
