--- Workflows: text-to-video through a HeyGen workflow provider (POST /v1/workflows/executions,
-- ../shared/docs/heygen-api.md 3.1) and the "workflow" job kind. No v3 form: every client
-- uses this row.
local api = require "heygen.api"
local jobs = require "heygen.job"
local rules = require "heygen.api.schema.legacy"
local support = require "heygen.api.support"
local util = require "heygen.util"

local WORKFLOW_STATUS = { submitted = "pending", pending = "pending", queued = "pending",
  processing = "processing", running = "processing", in_progress = "processing",
  completed = "completed", failed = "failed", not_found = "failed" }

jobs.register_kind("workflow", {
  status = function(job)
    return { method = "GET", path = "/v1/workflows/executions/" .. support.enc(job.id), envelope = "v3" }
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

api.rows {
  generate_video = {
    doc = { args = "req: {prompt: string, provider?: string, aspect_ratio?: string, reference_image_url?: string, "
      .. "tail_image_url?: string, config?: table}", returns = "heygen.Job",
      text = "Text-to-video through a HeyGen workflow provider (VEO, Kling, Sora, Runway, Seedance, LTX)" },
    legacy = {
      method = "POST", path = "/v1/workflows/executions", creates = true, schema = rules.generate_video,
      body = function(_, a)
        return { workflow_type = "GenerateVideoNode", input = util.merge(a, {
          provider = a.provider or rules.DEFAULT_PROVIDER,
          aspect_ratio = a.aspect_ratio or rules.DEFAULT_ASPECT_RATIO,
        }) }
      end,
      job = { kind = "workflow", id = "execution_id",
        fields = function(_, _, a) return { provider = a.provider or rules.DEFAULT_PROVIDER } end },
    },
  },
}

return {}
