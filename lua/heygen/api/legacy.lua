--- HeyGen v1/v2 endpoints (the product documents' API), as data.
-- Shapes: ../shared/docs/heygen-api.md section 3.
local api = require "heygen.api"
local jobs = require "heygen.job"
local validate = require "heygen.validate"
local rules = require "heygen.api.rules"

local M = {}

local function checker(schema)
  return function(a) return validate.check(a, schema, "") end
end

------------------------------------------------------------------ job kinds

local WORKFLOW_STATUS = { submitted = "pending", pending = "pending", queued = "pending",
  processing = "processing", running = "processing", in_progress = "processing",
  completed = "completed", failed = "failed", not_found = "failed" }

jobs.register_kind("workflow", {
  status = function(job)
    return { method = "GET", path = "/v1/workflows/executions/" .. job.id, envelope = "v3" }
  end,
  parse = function(d)
    local status = WORKFLOW_STATUS[d.status] or "processing"
    if status == "completed" then
      local out = d.output or {}
      local video = out.video or out
      return status, { video_url = video.video_url, video_id = video.video_id, asset_id = out.asset_id,
        execution_id = d.execution_id }
    elseif status == "failed" then
      local e = d.error or {}
      return status, nil, { code = e.code or (d.status == "not_found" and "not_found" or nil),
        message = e.message or (d.status == "not_found" and "Workflow not found" or nil) }
    end
    return status
  end,
})

local VIDEO_STATUS = { waiting = "pending", pending = "pending", processing = "processing",
  completed = "completed", failed = "failed" }

-- Fields of video_status.get passed through to job.result as they are.
local VIDEO_FIELDS = { "video_url", "thumbnail_url", "duration", "gif_url", "caption_url",
  "video_url_caption", "created_at", "callback_id" }

local function video_result(d)
  local r = { video_id = d.id or d.video_id }
  for _, k in ipairs(VIDEO_FIELDS) do r[k] = d[k] end
  return r
end

jobs.register_kind("video", {
  status = function(job)
    return { method = "GET", path = "/v1/video_status.get", query = { video_id = job.id }, envelope = "v1" }
  end,
  parse = function(d)
    local status = VIDEO_STATUS[d.status] or "processing"
    if status == "failed" then
      local e = d.error or {}
      return status, video_result(d), {
        code = e.code or d.failure_code, message = e.message or d.failure_message, detail = e.detail,
      }
    end
    return status, status == "completed" and video_result(d) or nil
  end,
})

local TRANSLATE_STATUS = { pending = "pending", running = "processing", processing = "processing",
  success = "completed", completed = "completed", succeeded = "completed", failed = "failed" }

jobs.register_kind("translate", {
  status = function(job)
    return { method = "GET", path = "/v2/video_translate/" .. job.id, envelope = "v2" }
  end,
  parse = function(d, job)
    local status = TRANSLATE_STATUS[d.status] or "processing"
    if status == "failed" then
      return status, nil, { code = d.failure_code, message = d.message or d.failure_message }
    end
    if status == "completed" then
      return status, { video_url = d.url, url = d.url, title = d.title,
        video_translate_id = d.video_translate_id or job.id, output_language = d.output_language }
    end
    return status
  end,
})

------------------------------------------------------------------ endpoints

M.endpoints = {
  generate_video = {
    validate = checker(rules.generate_video),
    request = function(_, a)
      local input = {}
      for k, v in pairs(a) do input[k] = v end
      input.provider = input.provider or "veo_3_1"
      input.aspect_ratio = input.aspect_ratio or "16:9"
      return { method = "POST", path = "/v1/workflows/executions", envelope = "v3", creates = true,
        json = { workflow_type = "GenerateVideoNode", input = input } }
    end,
    job = { kind = "workflow", id = function(d) return d and d.execution_id end,
      fields = function(_, a) return { provider = a.provider or "veo_3_1" } end },
  },

  create_video = {
    validate = checker(rules.create_video),
    request = function(_, a)
      return { method = "POST", path = "/v2/video/generate", envelope = "v2", creates = true, json = a }
    end,
    job = { kind = "video", id = function(d) return d and d.video_id end },
  },

  video_status = {
    args = "id",
    request = function(_, id)
      return { method = "GET", path = "/v1/video_status.get", query = { video_id = id }, envelope = "v1" }
    end,
  },
}

api.define("legacy", M.endpoints)
return M
