--- What the resource files (lua/heygen/api/<resource>.lua) share: request builders,
-- pagination, Idempotency-Keys, the Job of a create, and the small helpers that used
-- to be copied between the legacy and the v3 files (template variables, the voice
-- filter, credits, lower-casing).
local errors = require "heygen.errors"
local jobs = require "heygen.job"
local util = require "heygen.util"
local validate = require "heygen.validate"

local M = {}

M.enc = util.encode_component

------------------------------------------------------------------ Idempotency-Key

-- A per-process salt, so two processes started in the same second never share keys.
local salt
local function process_salt()
  if salt then return salt end
  local f = io.open("/dev/urandom", "rb")
  local bytes = f and f:read(6)
  if f then f:close() end
  if bytes and #bytes == 6 then
    salt = bytes:gsub(".", function(c) return string.format("%02x", c:byte()) end)
  else
    salt = string.format("%06x%06x", math.random(0, 0xffffff), math.random(0, 0xffffff))
  end
  return salt
end

local key_count = 0

--- A fresh Idempotency-Key ("heygen-<time>-<counter>-<random hex>"), valid for
-- the documented pattern ^[A-Za-z0-9_:.-]{1,255}$.
---@return string
function M.idempotency_key()
  key_count = key_count + 1
  return string.format("heygen-%d-%d-%s%04x", os.time(), key_count, process_salt(), math.random(0, 0xffff))
end

------------------------------------------------------------------ request specs

--- A v3 GET.
function M.get(path, query) return { method = "GET", path = path, query = query, envelope = "v3" } end

--- A v3 request with a JSON body.
function M.send(method, path, body) return { method = method, path = path, json = body, envelope = "v3" } end

--- A v3 create: idempotent through its key, so Client:request may retry it.
function M.create(path, body)
  return { method = "POST", path = path, json = body, envelope = "v3", creates = true,
    idempotency_key = M.idempotency_key() }
end

--- A validate hook checking the call's table (absent = {}) against `schema`.
function M.checker(schema)
  return function(_, a) return validate.check(a or {}, schema, "") end
end

--- For calls taking (id, {options}): check the options table (absent = {}).
function M.option_checker(schema)
  return function(_, _, b) return validate.check(b or {}, schema, "") end
end

function M.protocol(message)
  return nil, errors.new { kind = "protocol", message = message }
end

function M.list_of(value) return type(value) == "table" and value or {} end

--- One table from several (later ones win); util.merge takes two.
function M.merged(...)
  local t = {}
  for i = 1, select("#", ...) do
    for k, v in pairs((select(i, ...)) or {}) do t[k] = v end
  end
  return t
end

function M.map(list, fn)
  local out = {}
  for i, v in ipairs(list) do out[i] = fn(v) end
  return out
end

function M.same(a) return a end

--- The result of a call whose answer holds nothing the caller needs (deletes, updates): true.
function M.yes() return true end

------------------------------------------------------------------ pagination

-- A list page as most v3 lists answer it: the items are data, has_more and next_token
-- sit beside it in the envelope.
local function list_page(data, doc)
  if type(doc) ~= "table" then return data end
  return data, doc.has_more, doc.next_token
end

--- Every item of a v3 list, following next_token. `page(data, doc)` gives a page's
-- items, has_more and next_token (default: the envelope's; batch GETs keep all three
-- in data). Returns the list or nil, err.
function M.all_pages(client, path, query, size, page)
  local items, seen, token = {}, {}, nil
  repeat
    local data, rec, doc = client:request(M.get(path, util.merge(query, { limit = size, token = token })))
    if data == nil and errors.is(rec) then return nil, rec end
    local list, more, next_token = (page or list_page)(data, doc)
    for _, item in ipairs(type(list) == "table" and list or {}) do items[#items + 1] = item end
    token = more and next_token or nil
    if token and seen[token] then
      return nil, errors.new { kind = "protocol", message = path .. ": the API repeated page token " .. token }
    end
    if token then seen[token] = true end
  until not token
  return items
end

--- One page of a v3 list: the items, and the token of the next page (nil on the last).
function M.one_page(data, doc)
  return M.list_of(data), type(doc) == "table" and doc.has_more and doc.next_token or nil
end

--- A row's result for a one-page list: the items, and the next page's token.
function M.page_result(_, data, doc) return M.one_page(data, doc) end

--- The v3 row of a list answered one page at a time: hg:x{limit=, token=, ...} -> items, token.
function M.page_row(path, schema)
  return { args = "optional_table", schema = schema, path = path, query = "table", result = M.page_result }
end

------------------------------------------------------------------ jobs

--- A Job for an id a create returned, recorded in the journal before the call returns.
function M.new_job(client, kind, id, fields)
  if type(id) ~= "string" or id == "" then
    return nil, errors.new { kind = "protocol", message = "the create answer carried no " .. kind .. " id" }
  end
  local job = jobs.new(client, kind, id, fields)
  local ok, err = jobs.journal_created(job)
  if not ok then return nil, err end
  return job
end

------------------------------------------------------------------ shared shapes

--- Lower-case a string; anything else is nil (so a missing or odd field matches nothing).
function M.lower(s) return type(s) == "string" and s:lower() or nil end

--- Does voice `v` pass `filter` ({language=, gender=}, compared case-insensitively)?
function M.voice_matches(v, filter)
  for _, k in ipairs { "language", "gender" } do
    if filter[k] and M.lower(v[k]) ~= filter[k]:lower() then return false end
  end
  return true
end

--- The voices of `list` that pass `filter` (nil: all), each shaped by `item` if given.
function M.filter_voices(list, filter, item)
  local out = {}
  for _, v in ipairs(M.list_of(list)) do
    if type(v) == "table" and M.voice_matches(v, filter or {}) then out[#out + 1] = item and item(v) or v end
  end
  return out
end

--- Template variables keyed by name, as the API wants them: a plain string is a text
-- variable. `name_tables`: a table variable without a name is given its key (legacy
-- v2 needs it; v3 takes the table as it is).
function M.template_variables(vars, name_tables)
  if vars == nil then return nil end
  local out = {}
  for name, v in pairs(vars) do
    if type(v) == "string" then
      out[name] = { name = name, type = "text", properties = { content = v } }
    elseif name_tables then
      out[name] = util.merge(v, { name = v.name or name })
    else
      out[name] = v
    end
  end
  return out
end

--- Seconds of video as credits (60 seconds = 1 credit), an integer when whole.
function M.credits(seconds)
  local credits = seconds / 60
  if credits == math.floor(credits) and math.tointeger then credits = math.tointeger(credits) end
  return credits
end

--- An asset argument of a Lua call (a URL string for short) as an AssetInput.
function M.as_asset(v)
  if type(v) == "string" then return { type = "url", url = v } end
  return v
end

return M
