--- heygen: generate AI videos from Lua through HeyGen and fal.ai.
--
--   local heygen = require "heygen"
--   local hg = heygen.client{}              -- keys from HEYGEN_API_KEY / FAL_KEY
--   local job = assert(hg:generate_video{prompt = "A drone shot over a coastal city"})
--   assert(job:wait{on_progress = function(j) print(j.status) end})
--   print(assert(job:download("city.mp4")))
local core = require "heygen.core"
local scheduler = require "heygen.scheduler"
local client = require "heygen.client"
local api = require "heygen.api"
local jobs = require "heygen.job"
local errors = require "heygen.errors"

require "heygen.api.legacy"
for _, group in ipairs { "heygen.api.v3", "heygen.api.fal", "heygen.api.extra", "heygen.generate" } do
  -- optional groups: present in a full install, absent while being developed
  local ok, err = pcall(require, group)
  if not ok and not tostring(err):find("module '" .. group .. "' not found", 1, true) then error(err, 0) end
end
api.install(client.Client)

local M = {}

M.VERSION = core.VERSION
M.core = core
M.errors = errors
M.json = { encode = core.json_encode, decode = core.json_decode, array = core.json_array, null = core.json_null }

-- the scheduler (design.md section 3)
M.run = scheduler.run
M.spawn = scheduler.spawn
M.sleep = scheduler.sleep
M.all = scheduler.all
M.step = scheduler.step
M.pending = scheduler.pending
M.timeout = scheduler.timeout

--- Create a client; see design.md section 4 for the options.
---@return heygen.Client
function M.client(opts) return client.new(opts) end

--- Re-attach to a job by id (after a crash, or from another process).
---@return heygen.Job
function client.Client:job(kind, id)
  return jobs.new(self, kind, id)
end

--- Jobs recorded in a journal that have not finished, re-attached.
-- `hg` is the client to use (default: a client with `journal = path`).
function M.resume(path, hg)
  hg = hg or M.client { journal = path }
  local f = io.open(path, "r")
  if not f then return {} end
  local open, order = {}, {}
  for line in f:lines() do
    local e = core.json_decode(line)
    if type(e) == "table" and e.id then
      local key = tostring(e.kind) .. ":" .. e.id
      if e.event == "created" then
        if not open[key] then order[#order + 1] = key end
        open[key] = e
      elseif e.event == "finished" then
        open[key] = false
      end
    end
  end
  f:close()
  local list = {}
  for _, key in ipairs(order) do
    local e = open[key]
    if e then
      local job = jobs.new(hg, e.kind, e.id, type(e.fields) == "table" and e.fields or { provider = e.provider })
      list[#list + 1] = job
    end
  end
  return list
end

setmetatable(M, { __index = function(_, k)
  if k == "providers" then
    local ok, providers = pcall(require, "heygen.providers")
    if ok then rawset(M, "providers", providers) return providers end
  elseif k == "emulator" then
    return require "heygen.emulator"
  end
end })

return M
