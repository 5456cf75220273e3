--- heygen.batch: a v3 batch of videos, translations or lipsyncs (POST .../batches,
-- docs/heygen-v3.md 1.6, 5.4, 6) as an object: its aggregate status, its items, the Job
-- of each item, and a wait that ends with every item's result or typed error, by item.
local core = require "heygen.core"
local scheduler = require "heygen.scheduler"
local errors = require "heygen.errors"
local util = require "heygen.util"
local jobs = require "heygen.job"
local journal = require "heygen.journal"

local M = {}

--- Items asked for per GET (the documented maximum).
M.PAGE = 100

--- What each kind of batch is: its path, the job kind of its items (whose id the
-- batch's items carry as video_id, whatever the kind), and the call that re-attaches it.
M.KINDS = {
  video = { path = "/v3/videos/batches", job = "video", reattach = "video_batch" },
  translation = { path = "/v3/video-translations/batches", job = "translate", reattach = "translation_batch" },
  lipsync = { path = "/v3/lipsyncs/batches", job = "lipsync", reattach = "lipsync_batch" },
}

local Batch = {}
Batch.__index = Batch
Batch.__name = "heygen.Batch"

local TERMINAL = { completed = true, failed = true }

--- A batch of `client` known by its id and kind ("video" (default), "translation",
-- "lipsync"): made by hg:create_video_batch & co., or re-attached with
-- hg:video_batch(id) & co. (a batch is never submitted again).
function M.new(client, id, kind)
  kind = kind or "video"
  local spec = assert(M.KINDS[kind], "heygen.batch: unknown batch kind")
  return setmetatable({ id = id, kind = spec.reattach, status = "processing", items = {},
    _state = { client = client, jobs = {}, spec = spec, batch_kind = kind } }, Batch)
end

--- The batch kind ("video", ...) a journal's kind ("video_batch", ...) names, or nil.
function M.kind_of(journal_kind)
  for kind, spec in pairs(M.KINDS) do
    if spec.reattach == journal_kind then return kind end
  end
end

--- Record a created batch in the client's journal (kind "video_batch"), flushed
-- before hg:create_video_batch returns, as jobs are (heygen.resume gives it back).
-- When the journal cannot be written the error carries the batch: it exists and is
-- paid for.
function M.journal_created(batch)
  local client = batch._state.client
  local ok, err = jobs.journal_append(client, {
    event = "created", kind = batch.kind, id = batch.id, api = client.api, time = os.time(),
    intent = journal.current_intent() })
  if ok then return batch end
  return nil, errors.new {
    kind = "io", batch_id = batch.id, batch = batch,
    message = string.format("batch %s was created but the journal could not be written (%s); "
      .. "do not create it again: follow it with hg:%s(%q)", batch.id, tostring(err), batch.kind, batch.id),
  }
end

function Batch:__tostring()
  return string.format("heygen.Batch (%s, %s)", tostring(self.id), self.status)
end

-- The client as the page requests of one refresh see it: each request carries `deadline`
-- (bounding it and its retries, as job:wait's polls are), nil for none.
local function bounded(client, deadline)
  if not deadline then return client end
  return setmetatable({ request = function(_, spec)
    spec.deadline = deadline
    return client:request(spec)
  end }, { __index = client })
end

--- Read the batch: its status (processing, completed or failed), counts and
-- every page of its items. Returns the status, or nil, err.
function Batch:refresh()
  return self:_refresh()
end

-- refresh, every page request cut to what is left before `deadline` (batch:wait's)
function Batch:_refresh(deadline)
  local last -- the batch as the last page answered it
  local list, err = require("heygen.api.v3").all_pages(bounded(self._state.client, deadline),
    self._state.spec.path .. "/" .. util.encode_component(self.id), nil, M.PAGE, function(data)
      if type(data) ~= "table" then return nil end
      last = data
      return data.items, data.has_more, data.next_token
    end)
  if not list then return nil, err end
  if not last then
    return nil, errors.new { kind = "protocol", message = "batch " .. self.id .. ": the answer holds no batch" }
  end
  local items = {}
  for k, item in ipairs(list) do
    if type(item) == "table" then
      local n = tonumber(item.item_index)
      local i = (n and n >= 0 and n == math.floor(n) and n or k - 1) + 1
      items[i] = { index = i, video_id = item.video_id, status = item.status, error = item.error }
    end
  end
  self.items, self.total_items, self.counts = items, last.total_items or #items, last.counts_by_status
  self.title, self.created_at = last.title, last.created_at
  self.status = TERMINAL[last.status] and last.status or "processing"
  if TERMINAL[self.status] and not self._state.journaled_end then
    self._state.journaled_end = true
    -- the batch is over, its videos are not on disk: the journal keeps each one as a job
    -- of its own (heygen.resume gives them back until they are downloaded or forgotten)
    local api_name = self._state.client.api
    for _, item in pairs(items) do
      if type(item.video_id) == "string" and item.video_id ~= "" then
        journal.note(self, { event = "created", kind = self._state.spec.job, id = item.video_id, api = api_name,
          batch = self.id, time = os.time() })
      end
    end
    journal.note(self, { event = "finished", kind = self.kind, id = self.id, status = self.status })
  end
  return self.status
end


--- The Job of item i's video (nil while the item has none yet); the same Job
-- object on every call.
function Batch:job(i)
  local item = self.items[i]
  local vid = item and item.video_id
  if not vid then return nil end
  local cache = self._state.jobs
  if not cache[vid] then
    cache[vid] = self._state.client:job(self._state.spec.job, vid)
    cache[vid]._state.journal_path = self._state.journal_path
  end
  return cache[vid]
end

--- The Jobs of the items' videos, by item (holes for items without a video yet).
function Batch:jobs()
  local out = {}
  for i = 1, self.total_items or #self.items do out[i] = self:job(i) end
  return out
end

local WAIT_OPTIONS = { timeout = "number", on_progress = "function" }

--- Poll the batch until every item has ended (or `timeout` seconds, default
-- 1800, pass: a timeout error, the batch left running), then read each video
-- whole. Returns the results and the errors (nil when none) by item, as
-- heygen.all does for a list of jobs.
function Batch:wait(opts)
  opts = jobs.check_opts("batch:wait", opts, WAIT_OPTIONS)
  util.check_number("batch:wait", "timeout", opts.timeout, 0, jobs.MAX_SECONDS)
  local client = self._state.client
  local poll, timeout = client.poll, opts.timeout or 1800
  local deadline, interval = core.now() + timeout, poll.initial
  while true do
    local status, err
    if jobs.take_poll_slot(client, deadline) then status, err = self:_refresh(deadline) end
    if status == nil and err and not err.retryable then return nil, err end
    if opts.on_progress then opts.on_progress(self) end
    if TERMINAL[self.status] then break end
    local remaining = deadline - core.now()
    if status == nil and not err or remaining <= 0 then
      return nil, errors.new { kind = "timeout", batch_id = self.id, retryable = false,
        message = string.format("batch %s still %s after %gs; it keeps running: hg:%s(%q):wait() "
          .. "picks it up (never create it again)", self.id, self.status, timeout, self.kind, self.id) }
    end
    scheduler.sleep(math.min(interval, remaining))
    interval = math.min(interval * poll.factor, poll.max)
  end
  local list, at, results, errs = {}, {}, {}, {}
  for i = 1, self.total_items or #self.items do
    local job, item = self:job(i), self.items[i] or {}
    if job then
      list[#list + 1] = job
      at[#list] = i
    else -- an item that failed before it had a video
      local e = type(item.error) == "table" and item.error or {}
      errs[i] = errors.new { kind = "job_failed", code = e.code, batch_id = self.id, retryable = false,
        message = string.format("batch %s item %d failed: %s", self.id, i, tostring(e.message or "no video")) }
    end
  end
  local res, jerrs = jobs.wait_all(list, math.max(deadline - core.now(), 0.001)) -- the same deadline
  for k, i in ipairs(at) do
    results[i] = res[k]
    if jerrs and jerrs[k] then errs[i] = jerrs[k] end
  end
  return results, next(errs) and errs or nil
end

return M
