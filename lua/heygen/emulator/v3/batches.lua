-- heygen.emulator.v3.batches: what videos, translations and lipsyncs share for many at once
-- (docs/heygen-v3.md 1.5, 1.6, 5.4, 6): bulk statuses (GET .../statuses?<kind>_ids=a,b) and
-- batches (POST .../batches, GET .../batches/{id}, and the batch.finished event). Each kind's
-- file fills in BATCH_KINDS[kind] beside its single create and adds the routes made here:
--   bulk_statuses(param, kinds, status_of) -> a GET handler
--   batch_creator(kind), batch_getter(kind) -> the POST and GET handlers of kind's batches
local reply = require "heygen.emulator.reply"
local S = require "heygen.emulator.v3.support"

local null = reply.null
local now, v3, fail, invalid, not_found, body_object = S.now, S.v3, S.fail, S.invalid, S.not_found, S.body_object
local opt, absent, live, note_event = S.opt, S.absent, S.live, S.note_event
local is_list, page_args, cursor = S.is_list, S.page_args, S.cursor

local M = {}

M.NO_CREDIT = "Your account has 0 credits but this video requires credits."

-- The 402 of a create while the account has no credit left, else nil.
function M.unpaid(st)
  if st.quota <= 0 then return fail(402, "insufficient_credit", M.NO_CREDIT) end
end

local BULK_STATUS = {pending = "queued", processing = "processing", completed = "completed", failed = "failed"}

-- Bulk status (docs 1.5, 5.4): up to 100 ids of `kinds`, each item with its id under
-- video_id (the documents name it so for translations too), its status and its error.
local function bulk_statuses(param, kinds, status_of)
  return function(req, st)
    local out = {}
    for vid in (req.query[param] or ""):gmatch("[^,]+") do
      local job = live(st, vid, kinds)
      local status = job and BULK_STATUS[status_of(st, job)] or "not_found"
      local err = null
      if status == "failed" then
        local f = st:failure(job)
        err = {code = tostring(f.code), message = f.message}
      end
      out[#out + 1] = {video_id = vid, status = status, batch_id = null, item_index = null, error = err}
      if #out > 100 then return invalid(param, "must name at most 100 ids", #out) end
    end
    return reply.json(200, {data = reply.array(out), has_more = false, next_token = null})
  end
end


-- batches (docs 1.6, 5.4, 6): every item is checked before any job is made (all or
-- nothing); the answer is 202 with the batch id (documented for translations and lipsyncs,
-- inferred for videos [INF]). What each kind checks and makes is filled in below, where
-- its single create lives: {list = body field, check = fn(st, item, pre) -> err,
-- count = fn(item) -> items it makes, make = fn(st, item) -> jobs, status = fn(st, job)}.
local BATCH_MAX = 100
local BATCH_KINDS = {}

local function batch_creator(kind)
  return function(req, st)
    local spec = BATCH_KINDS[kind]
    local body, err = body_object(req)
    if err then return err end
    local list = body[spec.list]
    if not is_list(list) or #list < 1 or #list > BATCH_MAX then
      return invalid(spec.list, "must be a list of 1 to " .. BATCH_MAX .. " " .. spec.what,
                     is_list(list) and (#list .. " items") or list)
    end
    for _, k in ipairs({"title", "callback_url"}) do
      if not absent(body[k]) and type(body[k]) ~= "string" then return invalid(k, "must be a string", body[k]) end
    end
    local total = 0
    for i, item in ipairs(list) do
      local pre = spec.list .. "[" .. (i - 1) .. "]."
      if type(item) ~= "table" or item[1] ~= nil then return invalid(pre:sub(1, -2), "must be an object", item) end
      err = spec.check(st, item, pre)
      if err then return err end
      total = total + (spec.count and spec.count(item) or 1)
    end
    if total > BATCH_MAX then   -- translations fan out to one item per language (docs 5.4)
      return invalid(spec.list, "must expand to at most " .. BATCH_MAX .. " items (one per output language)",
                     total .. " items")
    end
    err = M.unpaid(st)
    if err then return err end
    local batch = {id = "batch_" .. st:id(), kind = kind, title = not absent(body.title) and body.title or null,
                   created_at = now(), items = {}, callback_url = opt(body.callback_url),
                   callback_id = opt(body.callback_id)}
    for _, item in ipairs(list) do
      for _, job in ipairs(spec.make(st, item)) do
        batch.items[#batch.items + 1] = job.id
        job.batch_id, job.item_index = batch.id, #batch.items - 1
        if batch.callback_url then
          job.batch_callback_url = batch.callback_url   -- watched even while no endpoint exists
          st.webhooks:watch(job)
        end
      end
    end
    st.v3.batches[batch.id] = batch
    return reply.json(202, {data = {batch_id = batch.id}})
  end
end

-- GET /v3/.../batches/{id}: the aggregate status (processing until every item ends,
-- then completed unless all failed), counts, and a page of items, with has_more and
-- next_token inside data (docs 0.4 exception). Items name their id video_id whatever the
-- kind (docs 5.4). Asset batches (v3/asset_batches.lua) answer the same way.

-- The aggregate status, counts by status and the items from index `start` (at most
-- `limit`) of a batch's ids; read(id, on_page) -> its status, and when on_page its error
-- ({code, message}, a failed item's).
local function summary(ids, start, limit, read)
  local counts, items, ended, completed = {}, {}, 0, 0
  for i, id in ipairs(ids) do
    local on_page = i > start and #items < limit
    local status, e = read(id, on_page)
    counts[status] = (counts[status] or 0) + 1
    if status == "completed" or status == "failed" then ended = ended + 1 end
    if status == "completed" then completed = completed + 1 end
    if on_page then items[#items + 1] = {item_index = i - 1, video_id = id, status = status, error = e or null} end
  end
  local aggregate = ended < #ids and "processing" or (completed > 0 and "completed" or "failed")
  return aggregate, counts, items
end

-- A batch's GET answer, one page of its items (scope: its page tokens'); batch = {id, title,
-- created_at, items = ids}, read as summary reads them.
local function batch_page(req, st, scope, batch, read)
  local limit, start, bad = page_args(req, st, scope, 100, 100)
  if bad then return bad end
  start = start or 0
  local aggregate, counts, items = summary(batch.items, start, limit, read)
  local more = start + #items < #batch.items
  return v3({batch_id = batch.id, title = batch.title or null, created_at = batch.created_at, status = aggregate,
             total_items = #batch.items, counts_by_status = counts, items = reply.array(items), has_more = more,
             next_token = more and cursor(st, scope, start + #items) or null})
end

-- A job batch's items: the status of each job (a deleted one failed), the job's failure.
local function job_reader(st, batch)
  local item_status = BATCH_KINDS[batch.kind or "video"].status
  return function(vid, on_page)
    local job = st.jobs[vid]
    local live_job = job and not job.deleted and job
    local status = live_job and BULK_STATUS[item_status(st, job)] or "failed"
    if not (on_page and status == "failed") then return status end
    local f = live_job and st:failure(job) or {code = "deleted", message = "deleted"}
    return status, {code = tostring(f.code), message = f.message}
  end
end

-- batch.finished once every item ended (docs 8.2): the batch view's fields [INF payload].
local function batch_check(st, batch)
  if not batch or batch.v3_event then return end
  local aggregate, counts, items = summary(batch.items, 0, #batch.items, job_reader(st, batch))
  if aggregate == "processing" then return end
  note_event(st, batch, "batch.finished", {batch_id = batch.id, status = aggregate, total_items = #batch.items,
                                           counts_by_status = counts, items = reply.array(items),
                                           callback_id = batch.callback_id or null})
end
S.batch_check = batch_check   -- note_event re-checks a job's batch

local function batch_getter(kind)
  return function(req, st, bid)
    local batch = st.v3.batches[bid]
    if not batch or (batch.kind or "video") ~= kind then return not_found("batch_not_found", "Batch", bid) end
    local res = batch_page(req, st, "batch:" .. bid, batch, job_reader(st, batch))
    if res.status == 200 then batch_check(st, batch) end
    return res
  end
end

M.batch_page = batch_page
M.bulk_statuses, M.batch_creator, M.batch_getter, M.BATCH_KINDS = bulk_statuses, batch_creator, batch_getter,
  BATCH_KINDS

return M
