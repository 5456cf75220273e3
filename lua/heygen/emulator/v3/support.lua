-- heygen.emulator.v3.support: what every v3 route module needs (answers, errors, the
-- rule walker, pages, Idempotency-Key, jobs, events, ids). Independent of the client's
-- code (heygen.api / heygen.validate): the emulator checks requests by its own rules.
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
--   a pending -> running -> success job); title_updater(kinds, what, view) and deleter(kinds,
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
-- auth "api_key" and gen "v3"; they load BEFORE v3.lua's own, so a specific path such as
-- /v3/assets/search wins over v3.lua's /v3/assets/([^/]+).
local reply = require "heygen.emulator.reply"
local httpd = require "heygen.emulator.httpd"
local deliver = require "heygen.emulator.deliver"
local sign = require "heygen.emulator.sign"

local null = reply.null

local M = {}

M.KEY_TTL = 86400
M.DOC_URL = "https://developers.heygen.com/docs/error-codes#"
M.FRESH = {}
local now = function() return os.time() end

---------------------------------------------------------------------------------------
-- answers

local function v3(data) return reply.json(200, {data = data}) end

local function fail(status, code, message, param)
  return reply.json(status, {error = {code = code, message = message, param = param,
                                      doc_url = M.DOC_URL .. (code:gsub("_", "-"))}})
end

local function show(v)
  if type(v) == "string" then
    if #v > 60 then v = v:sub(1, 57) .. "..." end
    return string.format("%q", v)
  elseif v == null or v == nil then return "null"
  elseif type(v) == "table" then return v[1] ~= nil and "a list" or "an object"
  elseif type(v) == "number" and v == math.floor(v) and math.abs(v) < 2 ^ 53 then
    return string.format("%d", v)    -- JSON 7 decodes as 7.0 under Lua 5.4: said as sent
  end
  return tostring(v)
end

-- 400 invalid_parameter naming the field, the rule and the value.
local function invalid(param, rule, value)
  return fail(400, "invalid_parameter", param .. " " .. rule .. ", got " .. show(value), param)
end

local function not_found(code, what, id)
  return fail(404, code, what .. " " .. tostring(id) .. " not found")
end

local function body_object(req)
  local body = reply.decode(req.body)
  if type(body) ~= "table" or body[1] ~= nil then
    return nil, fail(400, "invalid_parameter", "request body must be a JSON object")
  end
  return body
end

local function iso(t) return os.date("!%Y-%m-%dT%H:%M:%SZ", t) end

local function opt(v) if v ~= null then return v end end

---------------------------------------------------------------------------------------
-- a small rule walker for request bodies: first error wins, as a 400 answer

local function absent(v) return v == nil or v == null end
local function is_list(v) return type(v) == "table" and (next(v) == nil or v[1] ~= nil) end

local TYPES = {
  string = function(v) return type(v) == "string" end,
  number = function(v) return type(v) == "number" end,
  integer = function(v) return type(v) == "number" and v == math.floor(v) end,
  boolean = function(v) return type(v) == "boolean" end,
  object = function(v) return type(v) == "table" and not (next(v) ~= nil and v[1] ~= nil) end,
  array = is_list,
}

local function set(list)
  local t = {}
  for _, v in ipairs(list) do t[v] = true end
  return t
end

local function sorted_keys(t)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
  return keys
end

-- One table from several (later ones win).
local function merge(...)
  local t = {}
  for i = 1, select("#", ...) do
    for k, v in pairs((select(i, ...))) do t[k] = v end
  end
  return t
end

-- Characters of a UTF-8 string (LuaJIT has no utf8 library).
local function chars(s) return #s - #s:gsub("[\128-\191]", "") end

local function names(s)
  local out = sorted_keys(s)
  for i, k in ipairs(out) do out[i] = tostring(k) end
  return table.concat(out, ", ")
end

local check
-- rule: {type, required, enum (set), min, max, min_len, max_len, url, hex, items (rule),
-- min_items, max_items, fields ({name = rule}), variants ({key=, [tag] = fields}), closed,
-- check}. closed: a field the rule (or its chosen variant) does not name is a 400 naming
-- it, where HeyGen's strict contract closes the body (additionalProperties: false).
function check(v, rule, path)
  if absent(v) then
    if rule.required then return invalid(path, "is required", nil) end
    return nil
  end
  if rule.type and not TYPES[rule.type](v) then return invalid(path, "must be a " .. rule.type, v) end
  if rule.enum and not rule.enum[v] then return invalid(path, "must be one of " .. names(rule.enum), v) end
  if type(v) == "number" and ((rule.min and v < rule.min) or (rule.max and v > rule.max)) then
    return invalid(path, "must be from " .. tostring(rule.min or "-inf") .. " to " .. tostring(rule.max or "inf"), v)
  end
  if type(v) == "string" then
    if rule.min_len and #v < rule.min_len then return invalid(path, "must not be empty", v) end
    if rule.max_len and chars(v) > rule.max_len then
      return invalid(path, "must be at most " .. rule.max_len .. " characters", chars(v) .. " characters")
    end
    if rule.url and not v:find("^https?://[^%s/]+") then return invalid(path, "must be an http(s) URL", v) end
    if rule.https and not v:find("^https://[^%s/]+") then return invalid(path, "must be an https URL", v) end
    if rule.hex and not (v:find("^#%x%x%x$") or v:find("^#%x%x%x%x%x%x$")) then
      return invalid(path, "must be a hex colour like #FFFFFF", v)
    end
  end
  if rule.items then
    if (rule.min_items and #v < rule.min_items) or (rule.max_items and #v > rule.max_items) then
      return invalid(path, "must have " .. (rule.min_items or 0) .. " to " .. (rule.max_items or "any") .. " items", #v)
    end
    for i, item in ipairs(v) do
      local e = check(item, rule.items, path .. "[" .. (i - 1) .. "]")
      if e then return e end
    end
  end
  local fields = rule.fields
  if rule.variants then
    local key = rule.variants.key
    fields = v[key] ~= "key" and rule.variants[v[key]]
    if not fields then
      local tags = sorted_keys(rule.variants)
      for i = #tags, 1, -1 do if tags[i] == "key" then table.remove(tags, i) end end
      return invalid((path == "" and "" or path .. ".") .. key, "must be one of " .. table.concat(tags, ", "), v[key])
    end
  end
  if rule.closed and fields then
    for _, name in ipairs(sorted_keys(v)) do
      if fields[name] == nil then
        return invalid(path == "" and tostring(name) or (path .. "." .. tostring(name)),
                       "is not a known field (known: " .. names(fields) .. ")", v[name])
      end
    end
  end
  for _, name in ipairs(fields and sorted_keys(fields) or {}) do
    local e = check(v[name], fields[name], path == "" and name or (path .. "." .. name))
    if e then return e end
  end
  if rule.check then return rule.check(v, path) end
end

local str = {type = "string"}
local id = {type = "string", min_len = 1}
local req_id = {type = "string", min_len = 1, required = true}
local url = {type = "string", url = true}
local bool = {type = "boolean"}
local function num(lo, hi) return {type = "number", min = lo, max = hi} end
local function one_of(list, required) return {type = "string", enum = set(list), required = required} end

-- closed: the strict contract's AssetInput (no field beside its variant's own)
local function asset(required, no_base64, closed)
  local variants = {key = "type",
                    url = {type = str, url = {type = "string", url = true, required = true}},
                    asset_id = {type = str, asset_id = req_id}}
  if not no_base64 then
    variants.base64 = {type = str, media_type = req_id, data = req_id}
  end
  return {type = "object", required = required, variants = variants, closed = closed}
end
local function closed_asset(required, no_base64) return asset(required, no_base64, true) end

-- exactly one of the named fields (script / audio_url / audio_asset_id)
local function exactly_one(keys)
  return function(v, path)
    local n = 0
    for _, k in ipairs(keys) do if not absent(v[k]) then n = n + 1 end end
    if n ~= 1 then
      local where = path == "" and "" or path .. "."
      return invalid(where .. keys[1], "needs exactly one of " .. table.concat(keys, ", "),
                     n == 0 and "none" or "several")
    end
  end
end

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

-- translations and lipsyncs run pending -> running -> completed (or "success")
local RUN_BULK = {pending = "pending", running = "processing", success = "completed"}
local function run_status(st, job)
  local s = st:status(job)
  return RUN_BULK[s] or s
end

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

M.now = now
M.v3 = v3
M.fail = fail
M.show = show
M.invalid = invalid
M.not_found = not_found
M.body_object = body_object
M.iso = iso
M.opt = opt
M.absent = absent
M.is_list = is_list
M.set = set
M.sorted_keys = sorted_keys
M.merge = merge
M.chars = chars
M.names = names
M.check = check
M.str = str
M.id = id
M.req_id = req_id
M.url = url
M.bool = bool
M.num = num
M.one_of = one_of
M.asset = asset
M.closed_asset = closed_asset
M.exactly_one = exactly_one
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

return M
