--- What the job kinds of the resource files share: status vocabularies, the bulk status
-- reader, and a kind that follows the legacy or the v3 endpoints by the client's `api`.
-- (The Job engine itself is heygen.job; each kind lives in its resource's file.)
local jobs = require "heygen.job"
local support = require "heygen.api.support"

local M = {}

-- v3 run statuses (translations, lipsyncs, proofreads, ...) as job statuses.
M.RUN_STATUS = { pending = "pending", running = "processing", processing = "processing",
  completed = "completed", failed = "failed" }

-- Bulk status (docs 1.5 and 5.4: GET .../statuses?<param>=a,b,c, up to 100 ids per
-- request). heygen.all polls a group of v3 jobs with it; one that ends (or is
-- not_found) is then read whole.
local BULK_STATUS = { queued = "pending", processing = "processing", completed = "completed",
  failed = "failed", not_found = "not_found" }

--- A kind's bulk reader for GET `path`?`param`=ids.
function M.bulk_status(path, param)
  return {
    max = 100,
    request = function(list)
      local ids = {}
      for k, job in ipairs(list) do ids[k] = job.id end
      return support.get(path, { [param] = table.concat(ids, ",") })
    end,
    -- id -> "pending" | "processing" | "completed" | "failed" | "not_found"
    read = function(items)
      local out = {}
      for _, item in ipairs(type(items) == "table" and items or {}) do
        local id = type(item) == "table" and (item.video_id or item.video_translation_id)
        if id then out[id] = BULK_STATUS[item.status] or "processing" end
      end
      return out
    end,
  }
end

--- Register kind `name` that follows the `legacy` spec for api = "v2" clients and the
-- `v3` spec for api = "v3" ones (status, parse, bulk; the rest from legacy).
function M.by_api(name, legacy, v3)
  local function pick(job) return job._state.client.api == "v3" and v3 or legacy end
  local spec = {}
  for k, v in pairs(legacy) do spec[k] = v end
  spec.status = function(job) return pick(job).status(job) end
  spec.parse = function(d, job) return pick(job).parse(d, job) end
  if v3.bulk then spec.bulk = function(job) return pick(job).bulk end end
  jobs.register_kind(name, spec)
end

--- A v3 run's parse: status, then `result(d, job)` when completed, the failure when failed.
function M.run_parse(result, failure_code)
  return function(d, job)
    local status = M.RUN_STATUS[d.status] or "processing"
    if status == "failed" then
      return status, nil, { code = failure_code or d.failure_code, message = d.failure_message }
    end
    if status ~= "completed" then return status end
    return status, result(d, job)
  end
end

return M
