--- Templates: list, details, and a video from a template. Legacy:
-- ../shared/docs/heygen-api.md 3.8-3.10; v3: ../shared/docs/heygen-v3.md 1.4.
local api = require "heygen.api"
local rules = require "heygen.api.schema.legacy"
local support = require "heygen.api.support"
local util = require "heygen.util"

local M = {}

M.PAGE = 100

local function template_item(t)
  return util.merge(t, { template_id = t.id, thumbnail_image_url = t.thumbnail_url })
end

local function template_fields(_, _, tid) return { template_id = tid } end

api.rows {
  templates = {
    doc = { returns = "heygen.Template[]", text = "Every template of the account" },
    legacy = { args = "none", path = "/v2/templates", envelope = "v2",
      result = function(_, d) return support.list_of(d and d.templates) end },
    v3 = { args = "none", path = "/v3/templates", pages = M.PAGE, item = template_item },
  },

  template = {
    doc = { args = "template_id: string", returns = "heygen.TemplateDetails", text = "One template and its variables" },
    legacy = { args = "id", path = "/v2/template/{1}", envelope = "v2", result = function(_, d, _, tid)
      d = support.list_of(d)
      d.template_id = d.template_id or tid
      d.variables = support.list_of(d.variables)
      return d
    end },
    v3 = { args = "id", path = "/v3/templates/{1}", result = function(_, d)
      local out = template_item(d)
      out.scenes = support.map(d.scenes or {}, function(s) return util.merge(s, { id = s.scene_id }) end)
      return out
    end },
  },

  generate_from_template = {
    doc = { args = "template_id: string, args?: {variables?: table<string, string|table>, title?: string, "
      .. "caption?: boolean, test?: boolean, dimension?: table}", returns = "heygen.Job",
      text = "A video from a template; a plain string variable is a text variable" },
    legacy = { args = "id_table", schema = rules.generate_from_template, method = "POST", creates = true,
      path = "/v2/template/{1}/generate", envelope = "v2",
      body = function(_, _, b) return util.merge(b, { variables = support.template_variables(b and b.variables, true) })
      end,
      job = { kind = "video", id = "video_id", fields = template_fields } },
    v3 = { args = "id_table", schema = rules.generate_from_template, method = "POST", creates = true,
      path = "/v3/templates/{1}",
      body = function(_, _, opts)
        local body = {}
        for k, v in pairs(opts or {}) do body[k] = v end
        body.test = nil -- v3 has no test renders
        body.variables = support.template_variables(body.variables) or {}
        return body
      end,
      job = { kind = "video", id = function(_, d) return d.id or d.video_id end, fields = template_fields } },
  },
}

return M
