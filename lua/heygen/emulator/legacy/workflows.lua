-- heygen.emulator.legacy.workflows: the v1 workflow executions (docs 3.1).
local reply = require "heygen.emulator.reply"
local S = require "heygen.emulator.legacy.support"

local set, PROVIDER_SET, WORKFLOW_RATIOS, invalid = S.set, S.PROVIDER_SET, S.WORKFLOW_RATIOS, S.invalid
local check_string, check_enum, check_url, check_object = S.check_string, S.check_enum, S.check_url, S.check_object
local first, wf_fail, body_object = S.first, S.wf_fail, S.body_object

---------------------------------------------------------------------------------------
-- workflows (docs 3.1)

local function check_workflow(body)
  local err = check_enum(body, "workflow_type", "workflow_type",
                         set({"GenerateVideoNode", "FaceswapNode"}), true)
              or check_object(body.input, "input", true)
  if err then return err end
  local input = body.input
  if body.workflow_type == "FaceswapNode" then
    return first(check_url(input, "source_image_url", "input.source_image_url", true),
                 check_url(input, "target_video_url", "input.target_video_url", true))
  end
  local prompt = input.prompt
  if type(prompt) == "string" and #prompt > 10000 then
    return invalid("input.prompt", "must be at most 10000 characters (got " .. #prompt .. ")")
  end
  return first(check_string(input, "prompt", "input.prompt", true),
               check_enum(input, "provider", "input.provider", PROVIDER_SET),
               check_enum(input, "aspect_ratio", "input.aspect_ratio", WORKFLOW_RATIOS),
               check_url(input, "reference_image_url", "input.reference_image_url"),
               check_url(input, "tail_image_url", "input.tail_image_url"),
               check_object(input.config, "input.config", false))
end

local function create_workflow(req, st)
  local body, err = body_object(req)
  err = err or check_workflow(body)
  if err then return wf_fail(400, err) end
  local input = body.input
  local charged = st:charge("workflow", false)
  local job = st:create_job("workflow", {
    id = "node-gw-" .. st:id(12), workflow_type = body.workflow_type, video_id = st:id(),
    asset_id = "asset-" .. st:id(12), list_type = "GENERATED",
    provider = input.provider or "veo_3_1", aspect_ratio = input.aspect_ratio or "16:9",
  })
  if not charged and not job.failure then job.failure = st.CREDIT_FAILURE end
  st.jobs[job.video_id] = job            -- the output video is also readable by its id
  return reply.v3({execution_id = job.id, status = "submitted"})
end

local function get_workflow(req, st, id)
  local job = st.jobs[id]
  if not job or job.kind ~= "workflow" or job.id ~= id then
    return reply.json(404, {data = {execution_id = id, status = "not_found"},
                            error = {code = "not_found", message = "Workflow not found"}})
  end
  local status = st:status(job)
  local data = {execution_id = id, status = status}
  if status == "completed" then
    local url = st:signed_url(req, job.video_id .. ".mp4")
    if job.workflow_type == "FaceswapNode" then
      data.output = {video_url = url}
    else
      data.output = {video = {video_url = url, video_id = job.video_id}, asset_id = job.asset_id}
    end
  elseif status == "failed" then
    local f = st:failure(job)
    data.error = {code = f.code, message = f.message}
  end
  return reply.v3(data)
end

return {create_workflow = create_workflow, get_workflow = get_workflow}
