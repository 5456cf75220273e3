-- heygen.emulator.legacy.templates: templates and generating from one (docs 3.9, 3.10).
local reply = require "heygen.emulator.reply"
local S = require "heygen.emulator.legacy.support"
local check_common = S.check_common
local null = reply.null

local FPS, absent, invalid, missing, check_bool = S.FPS, S.absent, S.invalid, S.missing, S.check_bool
local check_object, check_dimension, first, v2_fail = S.check_object, S.check_dimension, S.first, S.v2_fail
local body_object, new_video_job, cached_v2 = S.body_object, S.new_video_job, S.cached_v2

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

return {list_templates = list_templates, get_template = get_template, generate_from_template = generate_from_template}
