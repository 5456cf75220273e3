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

api.install_lazy(client.Client) -- endpoint groups load on first use

local M = {}

M.VERSION = core.VERSION
M.core = core
M.errors = errors
M.json = { encode = core.json_encode, decode = core.json_decode, array = core.json_array, null = core.json_null }

-- the scheduler (design.md section 3)

--- Run fn(...) as a task and drive the loop until it returns; its results, or its error raised.
---@type fun(fn: function, ...: any): ...: any
M.run = scheduler.run
--- Start fn(...) as a task; returns the task (`task:wait()` for its results).
---@type fun(fn: function, ...: any): heygen.Task
M.spawn = scheduler.spawn
--- Wait `seconds`: yields inside a task, drives the loop (blocks the caller) outside one.
---@type fun(seconds: number)
M.sleep = scheduler.sleep
--- Wait for jobs or tasks concurrently: results in order, and errors (index -> err) or nil.
---@type fun(list: table[]): table, table|nil
M.all = scheduler.all
--- Drive I/O and timers once, never longer than `timeout` seconds (default 0); returns
--- the operations still pending. What a game calls each frame.
---@type fun(timeout?: number): integer
M.step = scheduler.step
--- Operations in flight: transfers, armed timers and runnable tasks.
---@type fun(): integer
M.pending = scheduler.pending
--- Seconds until the loop next needs attention (0: now), or nil when idle.
---@type fun(): number|nil
M.timeout = scheduler.timeout

--- Create a client; see design.md section 4 for the options.
---@param opts? table api_key, fal_key, base_url, upload_url, fal_url, api ("v2"|"v3"), timeout,
---  connect_timeout, max_retries, journal, poll, ... (unknown names are an error)
---@return heygen.Client
function M.client(opts) return client.new(opts) end

--- Re-attach to a job by id (after a crash, or from another process).
---@return heygen.Job
function client.Client:job(kind, id)
  api.load_all() -- the job kinds live with their endpoint groups
  return jobs.new(self, kind, id)
end

--- Jobs recorded in a journal that have not finished, re-attached; and, second, the
-- batches (hg:create_video_batch & co.) that have not finished, as heygen.Batch objects.
-- `hg` is the client to use (default: a client with `journal = path`).
---@param path string the journal file
---@param hg? heygen.Client
---@return heygen.Job[] jobs
---@return heygen.Batch[] batches
function M.resume(path, hg)
  api.load_all()
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
  local list, batches = {}, {}
  for _, key in ipairs(order) do
    local e = open[key]
    local batch_kind = e and require("heygen.batch").kind_of(e.kind)
    if batch_kind then
      batches[#batches + 1] = require("heygen.batch").new(hg, e.id, batch_kind)
    elseif e then
      local job = jobs.new(hg, e.kind, e.id, type(e.fields) == "table" and e.fields or { provider = e.provider })
      list[#list + 1] = job
    end
  end
  return list, batches
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
