-- heygen.emulator.v3.asset_batches: many assets at once (docs/heygen-v3.md 7.2): batches of
-- presigned direct uploads (POST /v3/assets/direct-uploads/batches: slots for up to 100
-- files, all or nothing; POST /v3/assets/complete/batches finalises every slot; GET
-- /v3/assets/batches/{id}) and GET /v3/assets/statuses. The slots and the assets they
-- become are v3/assets.lua's; a batch is st.v3.asset_batches[id] = {id, title, created_at,
-- items = {asset ids in order}, completed = bool}. Listed before v3/assets.lua in the
-- loader, so /v3/assets/statuses wins over /v3/assets/{id}.
local reply = require "heygen.emulator.reply"
local S = require "heygen.emulator.v3.support"
local assets = require "heygen.emulator.v3.assets"
local batches = require "heygen.emulator.v3.batches"

local null, int = reply.null, reply.int
local v3, invalid, check, body_object = S.v3, S.invalid, S.check, S.body_object
local not_found, now, req_id = S.not_found, S.now, S.req_id
local new_slot, finalise = assets.new_slot, assets.finalise

local M = {}

M.BATCH_MAX = assets.BATCH_MAX

local BATCH_RULE = {type = "object", fields = {
  files = {type = "array", required = true, min_items = 1, max_items = M.BATCH_MAX, items = {type = "object"}},
  title = S.str, callback_url = S.url,
}}

local function create_batch(req, st)
  local body, err = body_object(req)
  err = err or check(body, BATCH_RULE, "")
  if err then return err end
  local slots = {}
  for i, file in ipairs(body.files) do
    slots[i], err = new_slot(req, st, file, "files[" .. (i - 1) .. "]")
    if err then
      for j = 1, i - 1 do st.v3.uploads[slots[j].asset_id] = nil end    -- all or nothing
      return err
    end
  end
  local batch = {id = "ab_" .. st:id(24), title = S.opt(body.title), created_at = int(now()), items = {}}
  for i, slot in ipairs(slots) do batch.items[i] = slot.asset_id end
  st.v3.asset_batches[batch.id] = batch
  return v3({batch_id = batch.id, items = reply.array(slots)})
end

-- An item: queued until the batch is completed, then completed (an asset) or failed.
local function item_status(st, batch, aid)
  local slot = st.v3.uploads[aid]
  if st.assets[aid] then return "completed" end
  if not batch.completed then return "queued" end
  return "failed", slot and slot.error or {code = "asset_deleted", message = "Asset " .. aid .. " was deleted"}
end

local function complete_batch(req, st)
  local body, err = body_object(req)
  err = err or check(body, {type = "object", fields = {batch_id = req_id}}, "")
  if err then return err end
  local batch = st.v3.asset_batches[body.batch_id]
  if not batch then return not_found("batch_not_found", "Asset batch", body.batch_id) end
  if not batch.completed then                   -- a repeated call re-drives the same batch
    for _, aid in ipairs(batch.items) do
      local slot = st.v3.uploads[aid]
      if slot and not slot.done then
        local a, why = finalise(st, slot)
        if not a then slot.error = reply.decode(why.body).error end
      end
    end
    batch.completed = true
  end
  return reply.json(202, {data = {batch_id = batch.id, status = "completed"}})
end

local function get_batch(req, st, bid)
  local batch = st.v3.asset_batches[bid]
  if not batch then return not_found("batch_not_found", "Asset batch", bid) end
  return batches.batch_page(req, st, "asset_batch:" .. bid, batch, function(aid)
    local status, e = item_status(st, batch, aid)
    return status, e and {code = e.code, message = e.message}
  end)
end

-- GET /v3/assets/statuses: asset_ids and/or batch_ids (comma-separated, at most 100 ids in
-- all); the item's id is under video_id, as the contract names it.
local function statuses(req, st)
  local q = req.query
  local out = {}
  local function add(item)
    out[#out + 1] = item
    return #out <= M.BATCH_MAX
  end
  if (q.asset_ids or "") == "" and (q.batch_ids or "") == "" then
    return invalid("asset_ids", "needs asset_ids or batch_ids", "none")
  end
  for aid in (q.asset_ids or ""):gmatch("[^,]+") do
    local slot = st.v3.uploads[aid]
    local status = st.assets[aid] and "completed" or (slot and (slot.error and "failed" or "queued")) or "not_found"
    local e = status == "failed" and {code = slot.error.code, message = slot.error.message} or null
    if not add({video_id = aid, status = status, batch_id = null, item_index = null, error = e}) then
      return invalid("asset_ids", "must name at most " .. M.BATCH_MAX .. " ids", #out)
    end
  end
  for bid in (q.batch_ids or ""):gmatch("[^,]+") do
    local batch = st.v3.asset_batches[bid]
    if not batch then
      add({video_id = null, status = "not_found", batch_id = bid, item_index = null, error = null})
    end
    for i, aid in ipairs(batch and batch.items or {}) do
      local status, e = item_status(st, batch, aid)
      if not add({video_id = aid, status = status, batch_id = bid, item_index = i - 1,
                  error = e and {code = e.code, message = e.message} or null}) then
        return invalid("batch_ids", "must name at most " .. M.BATCH_MAX .. " ids in all", #out)
      end
    end
  end
  return reply.json(200, {data = reply.array(out), has_more = false, next_token = null})
end

M.routes = {
  {"GET", "/v3/assets/statuses", statuses},
  {"POST", "/v3/assets/direct%-uploads/batches", S.I(create_batch)},
  {"POST", "/v3/assets/complete/batches", complete_batch},
  {"GET", "/v3/assets/batches/([^/]+)", get_batch},
}

function M.fresh(st) st.v3.asset_batches = {} end

return M
