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
local journal = require "heygen.journal"
local util = require "heygen.util"

api.install_lazy(client.Client) -- endpoint groups load on first use

local M = {}

M.VERSION = core.VERSION
M.core = core
M.errors = errors
M.json = { encode = core.json_encode, decode = core.json_decode, array = core.json_array, null = core.json_null }

-- the scheduler (docs/jobs.md)

--- Run fn(...) as a task and drive the loop until it returns; its results, or its error raised.
---@type fun(fn: function, ...: any): ...: any
M.run = scheduler.run
--- Start fn(...) as a task; returns the task (`task:wait()` for its results).
---@type fun(fn: function, ...: any): heygen.Task
M.spawn = scheduler.spawn
--- Wait `seconds`: yields inside a task, drives the loop (blocks the caller) outside one.
---@type fun(seconds: number)
function M.sleep(seconds)
  -- a NaN or infinite timer would sit at the head of the timer heap and stall every other
  util.check_number("heygen.sleep", "seconds", seconds, 0, jobs.MAX_SECONDS)
  if seconds == nil then error("heygen.sleep: seconds expected", 2) end
  return scheduler.sleep(seconds)
end
--- Wait for jobs or tasks concurrently: results in order, and errors (index -> err) or nil.
---@type fun(list: table[]): table, table|nil
M.all = scheduler.all
--- Drive I/O and timers once, never longer than `timeout` seconds (default 0); returns
--- the operations still pending. What a game calls each frame.
---@type fun(timeout?: number): integer
function M.step(timeout)
  util.check_number("heygen.step", "timeout", timeout, 0, jobs.MAX_SECONDS)
  return scheduler.step(timeout)
end
--- Operations in flight: transfers, armed timers and runnable tasks.
---@type fun(): integer
M.pending = scheduler.pending
--- Seconds until the loop next needs attention (0: now), or nil when idle.
---@type fun(): number|nil
M.timeout = scheduler.timeout
--- Parse the CA store now (about 20 ms for Debian's bundle), not in the step of the first
--- HTTPS connection: for a game's loading screen or a plugin's setup. heygen.client{} does
--- it for an https:// base URL. Returns true, or nil and why (something is in flight).
---@type fun(cainfo?: string, capath?: string): true|nil, string?
M.prepare_tls = scheduler.prepare_tls

-- HEYGEN_EMULATOR=1: clients made without keys or URLs talk to an offline
-- emulator, started on first use and shared by the process (stopped when it is
-- collected, or at exit). The switch that runs every documented snippet offline.
local offline

local function env_set(name)
  local v = os.getenv(name)
  return v ~= nil and v ~= ""
end

local function offline_options(opts)
  local flag = os.getenv("HEYGEN_EMULATOR")
  if flag == nil or flag == "" or flag == "0" then return opts end
  opts = opts or {}
  if opts.api_key or opts.fal_key or opts.base_url or env_set("HEYGEN_API_KEY") or env_set("FAL_KEY") then
    return opts
  end
  if not offline then
    offline = require("heygen.emulator").spawn {
      time_scale = tonumber(os.getenv("HEYGEN_EMULATOR_SPEED")) or 60,
      lua = os.getenv("HEYGEN_EMULATOR_LUA") }
    io.stderr:write("heygen: HEYGEN_EMULATOR is set: using the offline emulator at ", offline.url, "\n")
  end
  local t = {}
  for k, v in pairs(opts) do t[k] = v end
  t.api_key, t.fal_key = "emulator-key", "emulator-fal-key"
  t.base_url, t.upload_url, t.fal_url = offline.url, offline.upload_url, offline.fal_url
  return t
end

--- Create a client; see docs/client.md for the options. With the
--- environment variable HEYGEN_EMULATOR=1 and no key, it talks to an offline
--- emulator started for the process.
---@param opts? heygen.ClientOptions
---@return heygen.Client
function M.client(opts) return client.new(offline_options(opts)) end

--- Re-attach to a job by id (after a crash, or from another process).
---@return heygen.Job
function client.Client:job(kind, id)
  api.load_all() -- the job kinds live with their endpoint groups
  if kind == "fal" then -- a fal request's queue URLs are built from its model id
    error(string.format("hg:job(\"fal\", %q) cannot follow a fal request without its model: call "
      .. "hg:fal_job(MODEL_ID, %q) (MODEL_ID as submitted, e.g. \"fal-ai/kling-video/v3/standard/text-to-video\")",
      tostring(id), tostring(id)), 2)
  end
  return jobs.new(self, kind, id)
end

-- How long a v3 Idempotency-Key is honoured (HeyGen keeps keys about a day): an intent
-- older than this is reported, not re-sent, since the key may no longer reach its render.
M.KEY_TTL = 23 * 3600

local function is_job(v) return getmetatable(v) == jobs.Job end

-- An intent whose outcome the journal cannot know, as a typed error saying how to check.
local function unsure(path, e, why)
  return errors.new {
    kind = "maybe_created", maybe_created = true, retryable = false, intent = e.id, call = e.call,
    idempotency_key = e.key, time = e.time,
    message = string.format("%s %s%s was sent at %s and the script stopped before the answer was journaled "
      .. "(%s): the render may exist. Look for it (hg:videos(), the dashboard) before creating it again; "
      .. "follow it with hg:job(kind, id) if it does, then heygen.settle(%q, %q) so resume stops reporting it",
      tostring(e.method), tostring(e.path), e.call and (" (hg:" .. e.call .. ")") or "",
      os.date("!%Y-%m-%d %H:%M:%S UTC", tonumber(e.time) or 0), why, path, e.id),
  }
end

--- Jobs recorded in a journal whose file is not on disk yet, re-attached: those still
-- running, and those that completed but were never downloaded (status "completed", their
-- result kept: wait returns it at once, download fetches the file, refreshing an expired
-- URL); second, the batches
-- (hg:create_video_batch & co.) that have not finished, as heygen.Batch objects; third,
-- the creates the journal cannot settle, as errors of kind "maybe_created" (nil when none).
-- A create cut off between sending and journaling its answer (the script killed) is
-- made again with its Idempotency-Key on v3 (the API answers with the render it made, or
-- makes it now), and reported on legacy endpoints, which cannot deduplicate. Lines that
-- are not entries (torn, altered, of an unknown kind) are skipped with a warning to
-- hg.on_warning (else stderr). `hg` is the client to use (default: a client with
-- `journal = path` and the api each entry was made with).
---@param path string the journal file
---@param hg? heygen.Client
---@return heygen.Job[] jobs
---@return heygen.Batch[] batches
---@return heygen.Error[]|nil unsure
function M.resume(path, hg)
  api.load_all()
  local given = hg
  local clients = {}
  local function client_for(api_name)
    if given then return given end
    local name = api_name == "v2" and "v2" or "v3"
    clients[name] = clients[name] or M.client { journal = path, api = name }
    return clients[name]
  end
  local function warn(msg)
    local w = given and given.on_warning
    if w then w(msg) else io.stderr:write(msg, "\n") end
  end
  local open, order, intents, intent_order = {}, {}, {}, {}
  local batch_mod = require "heygen.batch"
  for _, e in ipairs(journal.read(path, warn)) do
    local key = e.kind and (e.kind .. ":" .. e.id)
    if e.event == "created" then
      if not jobs.KINDS[e.kind] and not batch_mod.kind_of(e.kind) then
        warn(string.format("heygen.resume: %s: job %s of unknown kind %q skipped", path, e.id, e.kind))
      else
        if open[key] == nil then order[#order + 1] = key end
        if open[key] ~= false then open[key] = { created = e } end
      end
      local it = e.intent and intents[e.intent]
      if it then it.created = true end
    elseif e.event == "finished" then
      -- a completed render with a file is kept until that file is on disk
      local o = open[key]
      if o and e.status == "completed" and type(e.result) == "table" and (e.result.video_url or e.result.url) then
        o.completed = e.result
      else
        open[key] = false
      end
    elseif e.event == "downloaded" or e.event == "forgotten" then
      open[key] = false
    elseif e.event == "intent" then
      local it = intents[e.id]
      if not it then
        it = { entry = e }
        intents[e.id] = it
        intent_order[#intent_order + 1] = e.id
      end
    elseif e.event == "settled" then
      local it = intents[e.intent]
      if it then it.settled = true end
    end
  end
  local list, batches, doubts, seen = {}, {}, {}, {}
  local function take(v)
    if is_job(v) then
      local key = v.kind .. ":" .. v.id
      if not seen[key] then
        seen[key] = true
        list[#list + 1] = v
      end
    elseif getmetatable(v) and getmetatable(v).__name == "heygen.Batch" then
      batches[#batches + 1] = v
    elseif type(v) == "table" and getmetatable(v) == nil then
      for _, x in ipairs(v) do take(x) end
    end
  end
  for _, key in ipairs(order) do
    local o = open[key]
    local e = o and o.created
    if e then
      local hg_e = client_for(e.api)
      local batch_kind = batch_mod.kind_of(e.kind)
      if batch_kind then
        local batch = batch_mod.new(hg_e, e.id, batch_kind)
        batch._state.journal_path = path
        batches[#batches + 1] = batch
      else
        seen[key] = true
        local fields = type(e.fields) == "table" and e.fields or { provider = e.provider }
        local job = jobs.new(hg_e, e.kind, e.id, fields)
        job._state.journal_path = path -- its end and its download are written where it came from
        if o.completed then -- done, not on disk: wait returns at once, download fetches it
          job.status, job.result = "completed", util.merge(o.completed)
          journal.job_resumed_finished(job)
        end
        list[#list + 1] = job
      end
    end
  end
  for _, id in ipairs(intent_order) do
    local it = intents[id]
    local e = it.entry
    local over = it.settled or (it.created and not e.key) -- answered (legacy: its job is journaled)
    if over then
      seen[id] = true
    elseif not e.key then
      doubts[#doubts + 1] = unsure(path, e,
        "a legacy endpoint takes no Idempotency-Key, so it cannot be asked again safely")
    elseif type(e.call) ~= "string" or type(e.args) ~= "table" then
      doubts[#doubts + 1] = unsure(path, e, "the journal does not hold the call's arguments to send it again")
    elseif os.time() - (tonumber(e.time) or 0) > M.KEY_TTL then
      doubts[#doubts + 1] = unsure(path, e, "its Idempotency-Key is older than the API keeps keys")
    else
      local hg_e = client_for(e.api)
      if hg_e.api ~= (e.api or hg_e.api) then
        doubts[#doubts + 1] = unsure(path, e, "it was made under api " .. tostring(e.api)
          .. "; resume it with a client of that api")
      elseif type(hg_e[e.call]) ~= "function" then
        doubts[#doubts + 1] = unsure(path, e, "this version has no call hg:" .. e.call)
      else
        -- the same call, the same arguments, the same key: the API answers with the render
        -- the first attempt made (or makes it now, if that attempt never arrived)
        local args = e.args
        local first, second = args[1], args[2]
        local t = type(first) == "table" and first or type(second) == "table" and second
        if not t then
          t = {}
          if first == nil then first = t else second = t end
        end
        t.idempotency_key = e.key
        local value, err = hg_e[e.call](hg_e, first, second)
        if value ~= nil then
          take(value)
        elseif err then
          err.intent = err.intent or e.id
          doubts[#doubts + 1] = err
        end
      end
    end
  end
  return list, batches, #doubts > 0 and doubts or nil
end

-- "kind:id", or a job or batch object -> kind, id (kind nil for a bare id)
local function job_key(ref)
  if type(ref) == "table" and type(ref.id) == "string" and type(ref.kind) == "string" then
    return ref.kind, ref.id
  end
  if type(ref) ~= "string" or ref == "" then return nil, nil end
  local kind, id = ref:match("^([%w_]+):(.+)$")
  if kind == "fal" then return kind, id:match("([^:]+)$") end -- fal:MODEL_ID:REQUEST_ID (the CLI's)
  if kind and (jobs.KINDS[kind] or require("heygen.batch").kind_of(kind)) then return kind, id end
  return nil, ref
end

--- Drop a job (or batch) from the journal at `path`, so heygen.resume no longer gives it
-- back: one you do not want downloaded, or one you follow elsewhere. The render itself is
-- not cancelled (job:cancel() does that). `job` is a Job or Batch, a reference as the CLI
-- prints it ("kind:id", "fal:MODEL_ID:REQUEST_ID"), or an id.
-- Returns true, or nil and an error: "not_found" when the journal keeps no such job, "io"
-- when it cannot be written.
---@param path string the journal file
---@param job heygen.Job|heygen.Batch|string
---@return true|nil, heygen.Error|nil
function M.forget(path, job)
  api.load_all()
  local kind, id = job_key(job)
  if type(path) ~= "string" or path == "" or not id then
    error("heygen.forget(path, job): path is the journal file; job a Job, a Batch, \"kind:id\" or an id, got "
      .. type(path) .. ", " .. type(job), 2)
  end
  local kept, hits = {}, {}
  for _, e in ipairs(journal.read(path)) do
    if e.id == id and (kind == nil or e.kind == kind) then
      if e.event == "created" then
        if kept[e.kind] == nil then hits[#hits + 1] = e.kind end
        if kept[e.kind] ~= false then kept[e.kind] = true end
      elseif e.event == "downloaded" or e.event == "forgotten" then
        kept[e.kind] = false
      elseif e.event == "finished" and not (e.status == "completed" and type(e.result) == "table") then
        kept[e.kind] = false
      end
    end
  end
  local any = false
  for _, k in ipairs(hits) do
    if kept[k] then
      any = true
      local ok, err = journal.append(path, { event = "forgotten", kind = k, id = id, time = os.time() })
      if not ok then return nil, errors.new { kind = "io", message = "cannot write the journal: " .. tostring(err) } end
    end
  end
  if not any then
    return nil, errors.new { kind = "not_found", job_id = id, message = string.format(
      "the journal %s keeps no job %s%s (never created there, already downloaded, ended or forgotten)",
      path, kind and (kind .. ":") or "", id) }
  end
  return true
end

--- Can the render you are about to pay for be saved at `path`? Call it before the
-- submit: the folder must take a new file, and an existing file is refused unless
-- opts.overwrite. Returns true, or nil and an error of kind "io" (code "file_exists" or
-- "not_writable") naming opts.option (default "path") and the path.
---@param path string
---@param opts? {overwrite?: boolean, option?: string}
---@return true|nil, heygen.Error|nil
function M.check_output(path, opts)
  opts = util.check_options("heygen.check_output", opts, { overwrite = "boolean", option = "string" })
  return require("heygen.download").check_target(path, opts.overwrite, opts.option)
end

--- Mark a create the journal reported as unsure (err.intent from heygen.resume) as
-- checked, so heygen.resume stops reporting it. Returns true, or nil, err.
function M.settle(path, intent_id)
  if type(path) ~= "string" or type(intent_id) ~= "string" then error("heygen.settle(path, intent_id)", 2) end
  local ok, err = journal.append(path, { event = "settled", intent = intent_id, outcome = "checked" })
  if not ok then return nil, errors.new { kind = "io", message = "cannot write the journal: " .. tostring(err) } end
  return true
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
