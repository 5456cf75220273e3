--- Job: one remote render, whatever API made it. The kinds (how to ask for a
-- status, how to read it) are data in KINDS; the engine below is shared.
local core = require "heygen.core"
local scheduler = require "heygen.scheduler"
local errors = require "heygen.errors"
local util = require "heygen.util"
local journal = require "heygen.journal"

local M = {}

---@class heygen.Job
---@field id string
---@field kind string "workflow" | "video" | "translate" | "fal" | ...
---@field status string "pending" | "processing" | "completed" | "failed" | "cancelled"
---@field result table|nil video_url, video_id, thumbnail_url, duration, ...
---@field provider string|nil
---@field attempts table|nil
local Job = {}
Job.__index = Job
Job.__name = "heygen.Job"
M.Job = Job

local TERMINAL = { completed = true, failed = true, cancelled = true }

--- Kind name -> { status = fn(job) -> request spec, parse = fn(data, job) ->
--  status, result, failure{code=,message=}, cancel = fn(job) -> request spec?,
--  cancel_answer = fn(job, data, err) -> data | nil, err (reads the cancel answer)? }
M.KINDS = {}

function M.register_kind(name, spec)
  assert(type(spec.status) == "function" and type(spec.parse) == "function", "kind needs status and parse")
  M.KINDS[name] = spec
end

function Job:__tostring()
  return string.format("heygen.Job (%s %s, %s)", self.kind, tostring(self.id), self.status)
end

--- Make a Job for an id the API gave us (or that the user re-attaches to).
function M.new(client, kind, id, fields)
  if not M.KINDS[kind] then
    error(string.format("heygen: unknown job kind %q (known: %s)", tostring(kind), util.keys_text(M.KINDS)), 3)
  end
  if type(id) ~= "string" or id == "" then error("heygen: job id must be a non-empty string", 3) end
  local job = setmetatable({ id = id, kind = kind, status = "pending" }, Job)
  for k, v in pairs(fields or {}) do job[k] = v end
  job._state = { client = client, spec = M.KINDS[kind], polls = 0 }
  return job
end

--- Record a created job in the client's journal, flushed before the create
-- call returns, so a crash right after still leaves its id on disk. When the
-- journal cannot be written the error carries the job (it exists and is paid for).
function M.journal_created(job)
  local ok, err = journal.job_created(job)
  if ok then return true end
  return nil, errors.new {
    kind = "io", job_id = job.id, job = job,
    message = string.format("job %s was created but the journal could not be written (%s); "
      .. "do not create it again: follow it with %s", job.id, tostring(err), M.reattach_text(job)),
  }
end

-- Append one entry to the client's journal (heygen.journal: one write, checksummed,
-- flushed). Returns true, or nil and the system's message. For heygen.batch.
function M.journal_append(client, entry) return journal.append(client.journal, entry) end

--- The call that re-attaches `job` (for messages): hg:fal_job(MODEL, ID) for a fal request,
-- whose queue URLs need its model, else hg:job(KIND, ID).
function M.reattach_text(job, who)
  who = who or "client"
  if job.kind == "fal" then
    return string.format("%s:fal_job(%q, %q)", who, tostring(job.model_id or "MODEL_ID"), job.id)
  end
  return string.format("%s:job(%q, %q)", who, job.kind, job.id)
end

local file_url = journal.file_url

-- Wait for this client's poll budget: status requests are spread so that all
-- jobs together stay under `poll_budget` requests per second, in FIFO order.
-- Returns false, reserving nothing, when the slot would come after `deadline`.
local function take_poll_slot(client, deadline)
  local budget = client.poll_budget
  if not budget or budget <= 0 then return true end
  local now = core.now()
  local slot = math.max(now, (client._next_poll or 0))
  if deadline and slot > deadline then return false end
  client._next_poll = slot + 1 / budget
  if slot > now then scheduler.sleep(slot - now) end
  return true
end

M.take_poll_slot = take_poll_slot -- for batches (heygen.batch)

-- Every raw status word a kind's API is documented to send (all kinds, any case). A
-- status outside it is one this library does not know: parse calls it "processing",
-- and after UNKNOWN_SIGHTINGS polls in a row the wait ends with a protocol error naming
-- it, rather than polling until its deadline.
M.KNOWN_RAW_STATUS = {}
for w in ([[submitted pending queued waiting processing running in_progress completed success succeeded
  failed not_found thinking waiting_for_input reviewing generating in_queue error canceled cancelled
  draft]]):gmatch("%S+") do
  M.KNOWN_RAW_STATUS[w] = true
end
local UNKNOWN_SIGHTINGS = 3

local function unknown_status_error(job, raw)
  return errors.new {
    kind = "protocol", job_id = job.id, retryable = false, job_status = raw,
    message = string.format("job %s reports status %q, which heygen-lua does not know (seen %d times in a "
      .. "row); it was not treated as running: check it with %s:refresh() and job.raw",
      job.id, raw, UNKNOWN_SIGHTINGS, M.reattach_text(job)),
  }
end

local function failure_error(job, failure)
  failure = failure or {}
  local kind = "job_failed"
  if failure.code ~= nil and errors.kind_for(nil, failure.code) == "insufficient_credit" then
    kind = "insufficient_credit"
  end
  return errors.new {
    kind = kind, code = failure.code, job_id = job.id, retryable = false,
    message = (failure.message or "the job failed")
      .. ((failure.detail and failure.detail ~= failure.message) and (": " .. failure.detail) or ""),
    detail = failure.detail,
  }
end

-- One status request, unless the poll budget has no slot before `deadline`
-- (then false). Returns job.status, or nil, err.
local function refresh(self, deadline)
  local st = self._state
  if st.cancelled then return self.status end
  if not take_poll_slot(st.client, deadline) then return false end
  local spec = st.spec.status(self)
  spec.deadline = deadline -- the wait's deadline bounds this request and its retries too
  local data, err = st.client:request(spec)
  st.polls = st.polls + 1
  -- cancelled while the answer was on its way: the cancel stands
  if st.cancelled then return self.status end
  if data == nil and errors.is(err) then
    if err.kind == "not_found" then err.job_id = self.id end
    return nil, err
  end
  if type(data) ~= "table" then
    return nil, errors.new {
      kind = "protocol", job_id = self.id, retryable = false,
      message = string.format("the status answer for job %s holds no data object (data is %s)", self.id,
        data == nil and "null or missing" or type(data)),
    }
  end
  local okp, status, result, failure = pcall(st.spec.parse, data, self)
  if not okp then
    return nil, errors.new { kind = "protocol", job_id = self.id, retryable = false,
      message = "the status answer for job " .. self.id .. " could not be read: " .. tostring(status) }
  end
  local raw = data.status
  if status == "processing" and type(raw) == "string" and not M.KNOWN_RAW_STATUS[raw:lower()] then
    st.unknown = (st.unknown or 0) + 1
    if st.unknown >= UNKNOWN_SIGHTINGS then
      self.raw = data
      return nil, unknown_status_error(self, raw)
    end
  else
    st.unknown = nil
  end
  self.raw = data
  self.status = status
  if result then
    -- the new fields over the old ones, in the fresh table parse made
    local old = self.result
    if old then
      for k, v in pairs(old) do
        if result[k] == nil then result[k] = v end
      end
    end
    self.result = result
  end
  if status == "failed" then self.error = failure_error(self, failure) end
  if TERMINAL[status] then journal.job_finished(self) end
  return status
end

--- One status request. Returns job.status, or nil, err.
function Job:refresh()
  return refresh(self)
end

local WAIT_OPTIONS = { timeout = "number", on_progress = "function", poll = "table" }

local check_opts = util.check_options

-- The longest wait or timeout accepted, in seconds (a year): more is a mistake, and a
-- huge number would overflow the transfer layer's milliseconds.
M.MAX_SECONDS = 366 * 86400

--- Check a poll table {initial=, factor=, max=}: finite, initial and max > 0, factor >= 1.
function M.check_poll(where, poll)
  if poll == nil then return end
  util.check_number(where, "poll.initial", poll.initial, 0.001, M.MAX_SECONDS)
  util.check_number(where, "poll.factor", poll.factor, 1, 100)
  util.check_number(where, "poll.max", poll.max, 0.001, M.MAX_SECONDS)
end
M.check_opts = check_opts -- for job-like objects (heygen.generate)

local function outcome(job)
  if job.status == "completed" then return job.result or {} end
  if job.status == "cancelled" then
    return nil, errors.new { kind = "cancelled", message = "the job was cancelled", job_id = job.id }
  end
  return nil, job.error or failure_error(job)
end

local function timeout_error(job, timeout)
  return errors.new {
    kind = "timeout", job_id = job.id, retryable = false,
    message = string.format("job %s still %s after %gs; it keeps running remotely: "
      .. "resume with %s:wait(), do not submit it again", job.id, job.status, timeout, M.reattach_text(job)),
  }
end

-- One round of a wait: poll once. Returns true, result | true, nil, err when
-- the wait is over, else false, the seconds to sleep and the next interval.
-- (Plain values, not a state table: ten thousand waiting jobs hold them.)
local function wait_round(job, poll, interval, deadline, timeout, on_progress)
  if TERMINAL[job.status] then return true, outcome(job) end
  local status, err = refresh(job, deadline)
  if status == false then return true, nil, timeout_error(job, timeout) end
  if not status and not err.retryable then return true, nil, err end
  if on_progress then on_progress(job) end
  -- a kind whose job may stop to ask (a video agent session in chat mode): the wait ends
  -- with err.kind "needs_input"; job:reply answers and the job goes on
  local asks = job._state.spec.needs_input
  local question = asks and asks(job)
  if question then return true, nil, question end
  if TERMINAL[job.status] then return true, outcome(job) end
  local remaining = deadline - core.now()
  if remaining <= 0 then return true, nil, timeout_error(job, timeout) end
  return false, math.min(interval, remaining), math.min(interval * poll.factor, poll.max)
end

--- Answer a job that waits for input (job:wait gave err.kind == "needs_input"): its kind
-- sends `message` (a string, or a table of the kind's fields); wait again afterwards.
-- Returns the job, or nil, err.
function Job:reply(message)
  local reply = self._state.spec.reply
  if not reply then error(string.format("heygen: a %s job takes no reply", self.kind), 2) end
  return reply(self, message)
end

--- Poll until the job ends or `timeout` seconds pass. Returns the result
-- table, or nil, err (kind "timeout" leaves the job resumable: it is never
-- submitted again).
function Job:wait(opts)
  opts = check_opts("job:wait", opts, WAIT_OPTIONS)
  util.check_number("job:wait", "timeout", opts.timeout, 0, M.MAX_SECONDS)
  M.check_poll("job:wait", opts.poll)
  local poll = self._state.client.poll
  if opts.poll then poll = util.merge(poll, opts.poll) end
  local timeout = opts.timeout or 600
  local deadline, interval = core.now() + timeout, poll.initial
  while true do
    local done, a, b = wait_round(self, poll, interval, deadline, timeout, opts.on_progress)
    if done then return a, b end
    scheduler.sleep(a)
    interval = b
  end
end

--- Wait for many jobs as job:wait() does for one (heygen.job.wait_all); heygen.all
-- uses it for jobs.
M.wait_all = require("heygen.job.wait_all").new {
  wait_round = wait_round, take_poll_slot = take_poll_slot, timeout_error = timeout_error, TERMINAL = TERMINAL,
}
Job.__wait_all = M.wait_all

--- Stop following the job. fal jobs are also cancelled remotely.
function Job:cancel()
  local st = self._state
  local remote
  if st.spec.cancel and not TERMINAL[self.status] then
    local data, err = st.client:request(st.spec.cancel(self))
    if st.spec.cancel_answer then data, err = st.spec.cancel_answer(self, data, err) end
    if data == nil and err then return nil, err end
    remote = data
  end
  if not TERMINAL[self.status] then
    self.status = "cancelled"
    st.cancelled = true
    journal.job_finished(self)
  end
  return true, remote
end

local DOWNLOAD_OPTIONS = { on_progress = "function", timeout = "number", max_resumes = "number", wait = "table",
  stall_timeout = "number", overwrite = "boolean" }

--- Download the result video to `path` (heygen.download: a fresh part file per download,
-- resumed with Range and If-Range, every 206 checked against the file's validator and
-- size, renamed to `path` only when complete). Returns path, or nil, err.
function Job:download(path, opts)
  opts = check_opts("job:download", opts, DOWNLOAD_OPTIONS)
  if type(path) ~= "string" or path == "" then error("job:download: path must be a non-empty string", 2) end
  util.check_number("job:download", "timeout", opts.timeout, 0, M.MAX_SECONDS)
  util.check_number("job:download", "stall_timeout", opts.stall_timeout, 0.001, M.MAX_SECONDS)
  util.check_number("job:download", "max_resumes", opts.max_resumes, 0, 1000, true)
  local dl = require "heygen.download"
  if opts.overwrite == false then -- the caller asked to keep an existing file
    local ok, err = dl.check_target(path, false, "job:download path")
    if not ok then
      err.job_id = self.id
      return nil, err
    end
  end
  if self.status ~= "completed" then
    local _, err = self:wait(opts.wait)
    if err then return nil, err end
  end
  local url = file_url(self)
  if not url then
    return nil, errors.new { kind = "protocol", job_id = self.id, message = "the completed job has no video URL" }
  end
  local done, err = dl.download(self, path, opts, url)
  if not done then return nil, err end
  journal.job_downloaded(self, path)
  return done -- one value: print(assert(job:download(p))) prints the path alone
end

return M
