--- The direct generation calls under the client's budget (part of heygen.generate, which
-- re-exports is_retired and generate_video): hg:generate_video through HeyGen's retired
-- workflow endpoint, answered with the fal.ai model of the same family, and hg:fal_submit.
local errors = require "heygen.errors"
local api = require "heygen.api"
local budget = require "heygen.budget"
local providers = require "heygen.providers"
local Client = require("heygen.client").Client

local M = {}

-- The fal entry of a family that stands in for a HeyGen provider (the best by quality).
local function fal_alternative(provider)
  local entry = providers[provider or "veo_3_1"]
  local best
  for _, e in ipairs(providers.list("fal")) do
    if entry and e.family == entry.family and (not best or e.quality > best.quality) then best = e end
  end
  return best
end

--- Is `err` HeyGen saying the workflow endpoint is gone (404/410, or a retirement message)?
function M.is_retired(err)
  if not errors.is(err) then return false end
  if err.kind == "retired" then return true end
  local status = err.status or 0
  return status == 410 or status == 404 or (status >= 400 and tostring(err.message):lower():find("retire") ~= nil)
end

--- hg:generate_video, and the same call for hg:generate: a retired endpoint becomes a
-- `retired` error naming the retirement and the fal.ai model of the same family.
function M.generate_video(client, req)
  local job, err = api.call(client, "generate_video", req)
  if job or not M.is_retired(err) then return job, err end
  local provider = type(req) == "table" and req.provider or "veo_3_1"
  local alt = fal_alternative(provider)
  local instead = alt and string.format("make it on fal.ai instead: hg:generate{prompt = ..., provider = %q} "
    .. "(fal model %s)", alt.name, alt.models.text) or "make it on fal.ai instead: hg:generate{prompt = ...}"
  return nil, errors.new { kind = "retired", status = err.status, code = err.code, request_id = err.request_id,
    alternative = alt and alt.name, retryable = false,
    message = string.format("HeyGen's text-to-video workflow endpoint (POST /v1/workflows/executions, a legacy "
      .. "v1 endpoint; the v1/v2 endpoints were retired on 2026-11-01) is gone: HTTP %d: %s; %s",
      err.status or 0, tostring(err.message), instead) }
end

--- Generate a clip through HeyGen's workflow endpoint (see heygen.api.legacy), under the
-- client's budget; a retired endpoint answers kind "retired" with the fal alternative.
function Client:generate_video(req)
  local entry = type(req) == "table" and providers[req.provider or "veo_3_1"]
  local usd = entry and entry.gateway == "heygen" and providers.cost(entry, "text", entry.default_duration) or nil
  return budget.guarded(self, usd, "HeyGen workflow " .. tostring(type(req) == "table" and req.provider or
    "veo_3_1"), "heygen", function() return M.generate_video(self, req) end)
end

-- The estimate of a direct fal submit: the registry entry's rule for this input.
local function fal_estimate(model_id, input)
  if type(model_id) ~= "string" or type(input) ~= "table" then return nil end
  for _, e in ipairs(providers.list("fal")) do
    for mode, id in pairs(e.models) do
      if id == model_id then
        local d = tonumber(tostring(input.duration or ""):match("^(%d+)"))
          or (input.duration == "auto" and e.durations and e.durations[#e.durations]) or e.default_duration
        local audio = input.generate_audio
        if audio == nil then audio = e.capabilities.native_audio or false end
        return (providers.cost(e, mode, d, audio, input.resolution))
      end
    end
  end
end

--- hg:fal_submit under the client's budget (see heygen.api.fal).
function Client:fal_submit(model_id, input, opts)
  if not self.budget then return api.call(self, "fal_submit", model_id, input, opts) end
  return budget.guarded(self, fal_estimate(model_id, input), "fal model " .. tostring(model_id), "fal",
    function() return api.call(self, "fal_submit", model_id, input, opts) end)
end

return M
