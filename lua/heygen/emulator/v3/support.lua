-- heygen.emulator.v3.support: what every v3 route module needs (answers, errors, the
-- rule walker, pages, Idempotency-Key, jobs, events, ids). The answers and the rule walker
-- are written in v3/rules.lua and re-exported here: require this file only. Independent
-- of the client's code (heygen.api / heygen.validate): the emulator checks requests by its
-- own rules.
--
-- Use:  local S = require "heygen.emulator.v3.support"
--       local v3, fail, invalid, check = S.v3, S.fail, S.invalid, S.check
--
-- Answers:  v3(data) -> 200 {"data": data}; fail(status, code, message, param?) -> the
--   error envelope {"error": {code, message, param, doc_url}}; invalid(param, rule, value)
--   -> 400 invalid_parameter "<param> <rule>, got <value>"; not_found(code, what, id) -> 404;
--   body_object(req) -> body | nil, 400; show(v) (a value for a message); iso(t); opt(v)
--   (nil for JSON null); now().
-- Rules:    check(value, rule, path) -> nil | the 400 answer (first error wins). A rule:
--   {type = string|number|integer|boolean|object|array, required, enum (a set), min, max,
--   min_len, max_len (UTF-8 characters), url, https, hex, items (rule), min_items,
--   max_items, fields ({name = rule}), variants ({key = "type", [tag] = fields}), closed
--   (unknown fields are a 400), check = fn(v, path) -> answer|nil}.
--   Pieces: str, id, req_id, url, bool, num(lo, hi), one_of(list, required), asset(required,
--   no_base64, closed), closed_asset(required, no_base64), exactly_one(keys), set(list),
--   merge(...), sorted_keys(t), names(set), chars(s) (UTF-8 length), absent(v), is_list(v).
-- Jobs:     live(st, id, kinds) -> the job not deleted of one of kinds; getter(kinds, code,
--   what, view) -> a GET handler; charged_job(st, kind, fields) (charged, fails when the
--   balance cannot pay); listed(list, v); st:id(n) makes ids ("evt_" .. st:id(24)).
-- Events:   note_event(st, job, event_type, data, callback_only) (once per job and type:
--   stored for GET /v3/webhooks/events, signed to endpoints, unsigned to job.callback_url);
--   dispatch(st, ev, callback_url, callback_only).
-- Idempotency: I(handler) (= idempotent) wraps a create: Idempotency-Key store, replay, 409
--   while in flight, the test hold (POST /_emulator/v3/hold).
-- Pages:    paginate(req, st, scope, list, key, default, max, view) -> the list answer
--   {data, has_more, next_token}; page_args(req, st, scope, default, max) -> limit, pos |
--   nil, nil, 400; cursor(st, scope, pos); positions(list) + by_position (key of list items
--   as they stand); newest_first(st, kinds, pred) + newest_key; reversed(list) (live, newest
--   first).
-- Shared by job resources: check_assets(st, body, keys, pre) (asset_id inputs must exist,
--   end_time after start_time); run_status(st, job) (pending|processing|completed|failed of
--   a pending -> running -> success job); status_in(map) -> fn(st, job) (a job's status in a
--   resource's words: map[status] or the status); title_updater(kinds, what, view) and deleter(kinds,
--   what): PATCH {title} and DELETE handlers.
-- State:    fresh(st) renews st.v3 (every reset), then calls each fn of S.FRESH (a resource
--   module's own part of st.v3, e.g. st.v3.brand_kits = {}). Everything under st.v3 is
--   saved by persist.lua (plain values only).
--
-- A resource module (lua/heygen/emulator/v3/<resource>.lua) returns
--   {routes = {{METHOD, "/v3/pattern/([^/]+)", handler}, ...}, -- handler(req, st, captures...)
--    kinds = {name = {phases = {{"status", seconds}, ...}, done =, failed =, failure =}},  -- optional
--    fresh = fn(st),              -- optional: its part of st.v3, made on every reset
--    views = {kind = fn(req, st, job) -> table with .status},  -- optional: the webhook sweep
--    register = fn(app, st)}      -- optional: anything else, called after its routes load
-- and is listed in heygen.emulator.v3's M.RESOURCE_MODULES (one line). Its routes get
-- auth "api_key" and gen "v3" and load in that list's order: a route loaded earlier wins
-- over a later one whose pattern also matches (so a module lists /v3/assets/search before
-- /v3/assets/([^/]+)).
local reply = require "heygen.emulator.reply"
local httpd = require "heygen.emulator.httpd"
local deliver = require "heygen.emulator.deliver"
local sign = require "heygen.emulator.sign"
local rules = require "heygen.emulator.v3.rules"

local null = reply.null
local now, v3, fail, invalid, not_found, body_object = rules.now, rules.v3, rules.fail, rules.invalid, rules.not_found,
  rules.body_object
local iso, check = rules.iso, rules.check

local M = {}

M.KEY_TTL = 86400
M.DOC_URL = rules.DOC_URL
M.FRESH = {}

---------------------------------------------------------------------------------------
-- v3 state: kept on the emulator state, renewed by every reset

local function fresh(st)
  st.v3 = {idem = {}, endpoints = {}, events = {}, uploads = {}, holds = {}, sessions = {}, lipsyncs = {},
           batches = {},
           billing = {billing_type = "wallet", currency = "usd"}, event_seq = 0}
  for _, fn in ipairs(M.FRESH) do fn(st) end
end

local function live(st, jid, kinds)
  local job = jid and st.jobs[jid]
  if job and not job.deleted and (not kinds or kinds[job.kind]) then return job end
end

-- GET of one job: its view, or 404 with `code`.
local function getter(kinds, code, what, view)
  return function(req, st, jid)
    local job = live(st, jid, kinds)
    if not job then return not_found(code, what, jid) end
    return v3(view(req, st, job, jid))
  end
end

-- A new job of `kind`, charged; one the balance cannot pay fails when it would finish.
local function charged_job(st, kind, fields)
  local charged = st:charge(kind, false)
  local job = st:create_job(kind, fields)
  if not charged and not job.failure then job.failure = st.CREDIT_FAILURE end
  return job
end

local function listed(list, v)
  for _, x in ipairs(list) do if x == v then return true end end
  return false
end

-- Sends an event (docs 8.3-8.5): signed to each endpoint that wants it, as the endpoints
-- are now (a deleted one gets nothing, a rotated secret signs); unsigned to the job's
-- callback_url.
local function dispatch(st, ev, callback_url, callback_only)
  local body = reply.encode({event_id = ev.event_id, event_type = ev.event_type, created_at = ev.created_at,
                             event_data = ev.event_data})
  for _, ep in ipairs(callback_only and {} or st.v3.endpoints) do
    if ep.status == "enabled" and (ep.events == nil or listed(ep.events, ev.event_type))
       and (ep.entity_id == nil or ep.entity_id == ev.entity_id) then
      local sig = sign.hmac_sha256(ep.secret, body)
      deliver.send(st, {url = ep.url, body = body, headers = {{"Signature", sig}, {"X-HeyGen-Signature", sig}},
                        event_id = ev.event_id, event_type = ev.event_type, signed = true})
    end
  end
  if callback_url then
    deliver.send(st, {url = callback_url, body = body, event_id = ev.event_id, event_type = ev.event_type,
                      signed = false})
  end
end

-- Records a webhook event once per job and outcome (GET /v3/webhooks/events) and sends it.
-- callback_only: an outcome with no documented event type (lipsync): only the job's own
-- callback_url hears of it; endpoints and GET /v3/webhooks/events know only the enum.
local function note_event(st, job, event_type, data, callback_only)
  if job.v3_event == event_type then return end
  job.v3_event = event_type
  st.v3.event_seq = st.v3.event_seq + 1
  local ev = {seq = st.v3.event_seq, event_id = "evt_" .. st:id(24), event_type = event_type,
              event_data = data, created_at = iso(now()), entity_id = job.id}
  if not callback_only then
    local list = st.v3.events
    list[#list + 1] = ev
  end
  dispatch(st, ev, job.callback_url, callback_only)
  if job.batch_id and M.batch_check then M.batch_check(st, st.v3.batches[job.batch_id]) end
end

---------------------------------------------------------------------------------------
-- idempotency and the in-flight hold

local KEY_PATTERN = "^[%w_:%.%-]+$"

-- The hold armed for this request, consumed; nil when none.
local function take_hold(st, req)
  for i, h in ipairs(st.v3.holds) do
    if (h.method or "POST") == req.method and (req.path:sub(1, #h.path) == h.path or req.path:find(h.path)) then
      h.times = h.times - 1
      if h.times <= 0 then table.remove(st.v3.holds, i) end
      return h
    end
  end
end

local function stored(res)
  return {status = res.status, body = res.body, ctype = res.headers and res.headers["Content-Type"]}
end

local function replay(entry)
  return {status = entry.status, headers = {["Content-Type"] = entry.ctype or "application/json"},
          body = entry.body}
end

-- Wraps a create handler with the Idempotency-Key store and the test hold.
local function idempotent(handler)
  return function(req, st, a, b)
    local key = req.headers["idempotency-key"]
    local hold = take_hold(st, req)
    if key == nil then
      local res = handler(req, st, a, b)
      if hold then httpd.sleep(hold.seconds) end
      return hold and hold.status and fail(hold.status, "internal_error", "Internal server error") or res
    end
    if #key > 255 or not key:match(KEY_PATTERN) then
      return invalid("Idempotency-Key", "must be 1-255 characters from [A-Za-z0-9_:.-]", key)
    end
    local slot = req.method .. " " .. req.path .. " " .. key
    local entry = st.v3.idem[slot]
    if entry and entry.done and now() - entry.t < M.KEY_TTL then return replay(entry.res) end
    if entry and not entry.done then
      return fail(409, "request_in_progress",
                  "A request with this Idempotency-Key is still being processed; retry later", "Idempotency-Key")
    end
    st.v3.idem[slot] = {done = false, key = key, method = req.method, path = req.path}
    local res = handler(req, st, a, b)
    if hold and hold.seconds then httpd.sleep(hold.seconds) end
    if res.status >= 500 then
      st.v3.idem[slot] = nil
    else
      st.v3.idem[slot] = {done = true, res = stored(res), t = now(), key = key, method = req.method, path = req.path}
    end
    if hold and hold.status then return fail(hold.status, "internal_error", "Internal server error") end
    return res
  end
end

---------------------------------------------------------------------------------------
-- pagination: opaque signed cursors over an ordered list

local function cursor(st, scope, pos) return string.format("%x", pos) .. "." .. st:sign(scope, pos):sub(1, 16) end

local function cursor_pos(st, scope, token)
  local hex, sig = token:match("^(%x+)%.(%x+)$")
  local pos = hex and tonumber(hex, 16)
  if pos and st:sign(scope, pos):sub(1, 16) == sig then return pos end
end

-- A page's limit (default .. max) and the position its token names (nil: the first
-- page); or nil, nil, the 400 naming a bad one.
local function page_args(req, st, scope, default, max)
  local q = req.query
  local limit = default
  if q.limit and q.limit ~= "" then
    limit = tonumber(q.limit)
    if not limit or limit ~= math.floor(limit) or limit < 1 or limit > max then
      return nil, nil, invalid("limit", "must be an integer from 1 to " .. max, q.limit)
    end
  end
  if q.token and q.token ~= "" then
    local pos = cursor_pos(st, scope, q.token)
    if not pos then return nil, nil, invalid("token", "is not a page token of this list", q.token) end
    return limit, pos
  end
  return limit
end

-- list is in answer order; key(item) is a number that grows along it (a position or,
-- newest first, the negated creation sequence), so new items never shift a cursor.
local function paginate(req, st, scope, list, key, default, max, view)
  local limit, after, bad = page_args(req, st, scope, default, max)
  if bad then return bad end
  if after then after = after - 2147483648 end
  local out, last, more = {}, nil, false
  for _, item in ipairs(list) do
    local k = key(item)
    if after == nil or k > after then
      if #out == limit then more = true break end
      out[#out + 1] = view(item)
      last = k
    end
  end
  return reply.json(200, {data = reply.array(out), has_more = more,
                          next_token = more and cursor(st, scope, last + 2147483648) or null})
end

-- Lists whose items carry their position.
local function positions(list)
  local out = {}
  for i, v in ipairs(list) do out[i] = {pos = i, item = v} end
  return out
end

local function by_position(p) return p.pos end

local function newest_first(st, kinds, pred)
  local out = {}
  for i = #st.videos, 1, -1 do
    local job = st.videos[i]
    if not job.deleted and kinds[job.kind] and (not pred or pred(job)) then out[#out + 1] = job end
  end
  return out
end

local function newest_key(job) return -job.seq end

-- Live jobs of an append-only list, newest first.
local function reversed(list)
  local out = {}
  for i = #list, 1, -1 do
    if not list[i].deleted then out[#out + 1] = list[i] end
  end
  return out
end


---------------------------------------------------------------------------------------
-- what jobs of several resources share (translations, lipsyncs)

-- An asset_id input must name an uploaded asset (params named under `pre`).
local function check_assets(st, body, keys, pre)
  pre = pre or ""
  for _, k in ipairs(keys) do
    local a = body[k]
    if type(a) == "table" and a.type == "asset_id" and not st.assets[a.asset_id] then
      return fail(400, "asset_not_available", "Asset " .. a.asset_id .. " not found", pre .. k .. ".asset_id")
    end
  end
  if type(body.start_time) == "number" and type(body.end_time) == "number" and body.end_time <= body.start_time then
    return invalid(pre .. "end_time", "must be after start_time", body.end_time)
  end
end

-- A job's status said in a resource's words: map[status], else the status as it is.
local function status_in(map)
  return function(st, job)
    local s = st:status(job)
    return map[s] or s
  end
end

-- translations and lipsyncs run pending -> running -> completed (or "success")
local run_status = status_in({pending = "pending", running = "processing", success = "completed"})

-- PATCH (a new title, the contract's closed {title}) and DELETE of one job: its view / {id}.
local TITLE_RULE = {type = "object", closed = true, fields = {title = {type = "string", required = true}}}

local function title_updater(kinds, what, view)
  return function(req, st, jid)
    local job = live(st, jid, kinds)
    if not job then return not_found("not_found", what, jid) end
    local body, err = body_object(req)
    err = err or check(body, TITLE_RULE, "")
    if err then return err end
    job.title = body.title
    return v3(view(req, st, job))
  end
end

local function deleter(kinds, what)
  return function(_, st, jid)
    local job = live(st, jid, kinds)
    if not job then return not_found("not_found", what, jid) end
    st:remove_job(jid)
    return v3({id = jid})
  end
end

---------------------------------------------------------------------------------------
-- exports

M.fresh = fresh
M.live = live
M.getter = getter
M.charged_job = charged_job
M.listed = listed
M.dispatch = dispatch
M.note_event = note_event
M.take_hold = take_hold
M.idempotent = idempotent
M.cursor = cursor
M.cursor_pos = cursor_pos
M.page_args = page_args
M.paginate = paginate
M.positions = positions
M.by_position = by_position
M.newest_first = newest_first
M.newest_key = newest_key
M.reversed = reversed
M.I = idempotent
M.check_assets, M.run_status, M.title_updater, M.deleter = check_assets, run_status, title_updater, deleter
M.status_in = status_in

for k, v in pairs(rules) do if M[k] == nil then M[k] = v end end   -- answers and rules, re-exported

return M
