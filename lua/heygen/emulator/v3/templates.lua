-- heygen.emulator.v3.templates: the catalogue's templates (docs/heygen-v3.md 10; the
-- contract's Template* operations): list, get (scenes and their {{variables}}), and generate
-- a video from one (its variables checked against the template's, by name and type).
local reply = require "heygen.emulator.reply"
local S = require "heygen.emulator.v3.support"
local videos = require "heygen.emulator.v3.videos"

local null = reply.null
local v3, invalid, not_found, body_object, check = S.v3, S.invalid, S.not_found, S.body_object, S.check
local str, url, bool, set, absent, opt = S.str, S.url, S.bool, S.set, S.absent, S.opt
local paginate, positions, by_position = S.paginate, S.positions, S.by_position

local M = {}


local function template_view(req, st, t)
  return {id = t.template_id, name = t.name, aspect_ratio = t.aspect_ratio,
          thumbnail_url = t.thumbnail and (st:base(req) .. t.thumbnail) or null,
          created_at = 1735689600, updated_at = 1735689600}
end

local function list_templates(req, st)
  return paginate(req, st, "templates", positions(st.catalogue.templates), by_position, 10, 100,
                  function(p) return template_view(req, st, p.item) end)
end

local function get_template(req, st, tid)
  local t = st.catalogue.template_by_id[tid]
  if not t then return not_found("not_found", "Template", tid) end
  local d = template_view(req, st, t)
  d.scene_ids, d.scenes, d.variables = {}, {}, t.variables
  for i, s in ipairs(t.scenes) do
    local vars = {}
    for name in s.script:gmatch("{{([%w_]+)}}") do
      vars[#vars + 1] = {name = name, variable_type = t.variables[name] and t.variables[name].type or "text"}
    end
    d.scene_ids[i] = s.id
    d.scenes[i] = {scene_id = s.id, script = s.script, variables = reply.array(vars)}
  end
  return v3(d)
end

local function generate_template(req, st, tid)
  local t = st.catalogue.template_by_id[tid]
  if not t then return not_found("not_found", "Template", tid) end
  local body, err = body_object(req)
  err = err or check(body, {type = "object", fields = {
    variables = {type = "object", required = true}, title = str, folder_id = str, callback_url = url,
    callback_id = str, fps = {type = "integer", enum = set({25, 30, 60})}, include_gif = bool, enable_sharing = bool,
    dimension = {type = "object", fields = {width = {type = "integer", required = true, min = 128, max = 4096},
                                            height = {type = "integer", required = true, min = 128, max = 4096}}},
  }}, "")
  if err then return err end
  for name, v in pairs(body.variables) do
    local known = t.variables[name]
    if not known then return invalid("variables." .. name, "is not a variable of template " .. tid, name) end
    if type(v) ~= "table" or (not absent(v.type) and v.type ~= known.type) then
      return invalid("variables." .. name, "must be a " .. known.type .. " variable {name, type, properties}", v)
    end
  end
  local job = videos.new_video(st, {title = opt(body.title) or t.name, ext = "mp4", template_id = tid,
                                    callback_url = opt(body.callback_url), callback_id = opt(body.callback_id)})
  return v3(videos.video_view(req, st, job))
end

M.routes = {
  {"GET", "/v3/templates", list_templates},
  {"GET", "/v3/templates/([^/]+)", get_template},
  {"POST", "/v3/templates/([^/]+)", S.idempotent(generate_template)},
}

return M
