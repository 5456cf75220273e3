--- The client's calls as rows, and the one function that walks them.
--
-- Each resource file (lua/heygen/api/<resource>.lua) defines its calls with M.rows:
--   rows{ name = { legacy = row, v3 = row, any = row, doc = {...} } }
-- `legacy` is the HeyGen v1/v2 form, `v3` the v3 form, `any` a call that is the same
-- whatever the client's `api` says (fal.ai). A client with api = "v3" takes the v3 row,
-- else the any row, else the legacy one; with api = "v2": legacy, any, then v3 (a call
-- only v3 has works from every client).
--
-- A row is data:
--   method, path ("/v3/videos/{1}": {n} is the call's n-th argument, percent-encoded),
--   envelope ("v1" | "v2" | "v3", default "v3"), base ("api" | "upload" | "fal"),
--   args = "table" | "optional_table" | "id" | "id_table" | "none" (how the Lua call takes
--     its arguments; default "table"), or fn(a, b, c) -> ok, "what it expects",
--   schema (heygen.validate rules for the call's table), query = "table" (the call's table
--   is the query) or fn(t) -> query, body = "table" (the call's table is the JSON body) or
--   fn(client, a, b, c) -> body, creates = true (a paid create; one under /v3/ sends an
--   Idempotency-Key unless idempotent = false), empty_ok,
--   pages = N (a whole list, N per page, following next_token; `item` shapes each item),
--   job = { kind =, id = "field" | fn(client, data, doc), fields = fn(client, data, a, b, c) },
--   result = fn(client, data, doc, a, b, c) -> value (shape the answer).
-- Code only where a call really is code:
--   validate = fn(client, a, b, c) -> true | nil, err (after args and schema, before any request),
--   request = fn(client, a, b, c) -> the request spec (instead of method/path/query/body),
--   run = fn(client, a, b, c) -> value | nil, err (a call made of several requests).
-- Every hook takes the client first; those that read the answer take data and doc next.
-- `doc = { args = "video_id: string", returns = "table", text = "..." }` is what
-- scripts/api-doc writes into calls.meta.lua and docs/client.md.
local errors = require "heygen.errors"
local jobs = require "heygen.job"
local journal = require "heygen.journal"
local util = require "heygen.util"
local validate = require "heygen.validate"

local M = {}

M.calls = {}   -- name -> { legacy =, v3 =, any =, doc = }
M.FORMS = { "legacy", "v3", "any" }
local ORDER = { v3 = { "v3", "any", "legacy" }, v2 = { "legacy", "any", "v3" } }

local loaded = false    -- have the resource modules been loaded (see load_all)?
local installed_on = {} -- client classes whose methods follow the rows

local ARG_CHECKS = {
  table = function(a) return type(a) == "table", "a table of fields" end,
  id = function(a) return type(a) == "string" and a ~= "", "an id string" end,
  id_table = function(a, b)
    return type(a) == "string" and a ~= "" and (b == nil or type(b) == "table"), "an id string and an optional table"
  end,
  none = function() return true end,
  optional_table = function(a) return a == nil or type(a) == "table", "an optional table" end,
}

local KEY_PATTERN = "^[%w_:%.%-]+$" -- the documented Idempotency-Key syntax, 1-255 characters

-- The caller's `idempotency_key =` taken out of the call's table (the endpoint's schema
-- does not know it): the key, the arguments without it, or nil, err for a bad key.
local function take_key(a, b)
  local t = type(a) == "table" and a or type(b) == "table" and b or nil
  local key = t and t.idempotency_key
  if key == nil then return nil, a, b end
  if type(key) ~= "string" or #key > 255 or not key:match(KEY_PATTERN) then
    return false, errors.invalid("idempotency_key", "must be 1-255 characters from [A-Za-z0-9_:.-]", key)
  end
  local copy = {}
  for k, v in pairs(t) do
    if k ~= "idempotency_key" then copy[k] = v end
  end
  if t == a then return key, copy, b end
  return key, a, copy
end

--- The row a client uses for call `name`, or nil.
function M.row(client, name)
  local call = M.calls[name]
  if not call then return nil end
  for _, form in ipairs(ORDER[client.api] or ORDER.v2) do
    if call[form] then return call[form] end
  end
end

-- The call's table: the first argument, or the second of an (id, {options}) call.
local function table_arg(row, a, b)
  if row.args == "id_table" then return b end
  if row.args == "id" or row.args == "none" then return nil end
  return type(a) == "table" and a or nil
end

-- The request spec of a data row.
local function build_request(client, row, a, b, c)
  if row.request then return row.request(client, a, b, c) end
  local argv = { a, b, c }
  local path = row.path:gsub("{(%d)}", function(n) return util.encode_component(argv[tonumber(n)]) end)
  local spec = { method = row.method or "GET", path = path, envelope = row.envelope or "v3", base = row.base,
    creates = row.creates, empty_ok = row.empty_ok }
  local t = table_arg(row, a, b)
  if row.query == "table" then spec.query = t
  elseif row.query then spec.query = row.query(t or {}) end
  if row.body == "table" then spec.json = t or {}
  elseif row.body then spec.json = row.body(client, a, b, c) end
  if row.creates and path:sub(1, 4) == "/v3/" and row.idempotent ~= false then
    spec.idempotency_key = require("heygen.api.support").idempotency_key()
  end
  return spec
end

-- The Job a create answered, recorded in the journal.
local function job_of(client, name, row, data, doc, a, b, c)
  if type(data) ~= "table" then
    return nil, errors.new { kind = "protocol", message = name .. ": the answer holds no data object (data is "
      .. (data == nil and "null" or type(data)) .. ")" }
  end
  local id = row.job.id
  if type(id) == "function" then id = id(client, data, doc) else id = data[id] end
  if type(id) ~= "string" or id == "" then
    return nil, errors.new { kind = "protocol", message = name .. ": the answer carried no job id" }
  end
  local job = jobs.new(client, row.job.kind, id, row.job.fields and row.job.fields(client, data, a, b, c))
  local okj, jerr = jobs.journal_created(job)
  if not okj then return nil, jerr end
  return job
end

-- A wrong argument as its error shows it: errors.shown's quoting, with its type named
-- (a table by its type alone: its address tells nobody anything).
local function shown(v)
  local t = type(v)
  if v == nil then return "nil" end
  if v == "" then return "an empty string" end
  if t == "string" then return errors.shown(v) end
  if t == "number" or t == "boolean" then return t .. " " .. errors.shown(v) end
  return "a " .. t
end

local function call_row(client, name, a, b, c)
  if not loaded then M.load_all() end
  local row = M.row(client, name)
  if not row then error("heygen: no endpoint " .. name, 4) end
  local ok, what = (type(row.args) == "function" and row.args or ARG_CHECKS[row.args or "table"])(a, b, c)
  if not ok then
    error(string.format("hg:%s expects %s, got %s", name, what, shown(a)), 4)
  end
  if row.schema then
    local valid, err = validate.check(table_arg(row, a, b) or {}, row.schema, "")
    if not valid then return nil, err end
  end
  if row.validate then
    local valid, err = row.validate(client, a, b, c)
    if not valid then return nil, err end
  end
  if row.run then return row.run(client, a, b, c) end
  local spec = build_request(client, row, a, b, c)
  if spec == nil then return nil, errors.new { kind = "invalid_argument", message = name .. ": nothing to send" } end
  if row.pages then
    local support = require "heygen.api.support"
    local items, err = support.all_pages(client, spec.path, spec.query, row.pages)
    if not items then return nil, err end
    if row.item then items = support.map(items, row.item) end
    if row.result then return row.result(client, items, nil, a, b, c) end
    return items
  end
  local data, rec, doc = client:request(spec)
  if data == nil and errors.is(rec) then return nil, rec end
  if row.job then return job_of(client, name, row, data, doc, a, b, c) end
  if row.result then return row.result(client, data, doc, a, b, c) end
  return data
end

--- Call `name` for `client` with the user's arguments. The call is known to the journal
-- while it runs (heygen.journal: a create's intent records it, so that heygen.resume can
-- make it again with the same Idempotency-Key).
function M.call(client, name, a, b, c)
  local key
  key, a, b = take_key(a, b)
  if key == false then return nil, a end
  local ctx = journal.begin_call(client, name, c == nil and (b == nil and { a } or { a, b }) or nil, key)
  ctx.own_key = key ~= nil
  return journal.end_call(ctx, call_row(client, name, a, b, c))
end

--- Add (or override) calls: name -> { legacy =, v3 =, any =, doc = }.
function M.rows(defs)
  for name, def in pairs(defs) do
    local call = M.calls[name] or {}
    M.calls[name] = call
    for k, v in pairs(def) do call[k] = v end
  end
end

--- Add (or override) the rows of one form: M.define("any", { name = row, ... }).
function M.define(form, defs)
  assert(form == "legacy" or form == "v3" or form == "any", "heygen.api.define: form must be legacy, v3 or any")
  for name, row in pairs(defs) do M.rows { [name] = { [form] = row } } end
end

-- The modules that define calls and job kinds, one per resource. They are loaded on
-- first use (the first call, hg:job, heygen.resume), so `require "heygen"` compiles only
-- what every program needs. Optional ones may be absent.
M.MODULES = { "heygen.api.jobs", "heygen.api.workflows", "heygen.api.videos", "heygen.api.video_agents",
  "heygen.api.translations", "heygen.api.lipsyncs", "heygen.api.batches", "heygen.api.avatars",
  "heygen.api.voices", "heygen.api.templates", "heygen.api.assets", "heygen.api.webhooks",
  "heygen.api.account", "heygen.api.brands", "heygen.api.media_jobs", "heygen.api.fal", "heygen.generate" }
M.OPTIONAL = { ["heygen.api.fal"] = true, ["heygen.generate"] = true }

-- The class metatable until the rows are loaded: the first lookup of a method the
-- class does not have loads them, installs them, and answers.
local LAZY_MT = { __index = function(Client, key)
  if loaded or type(key) ~= "string" or key:sub(1, 2) == "__" then return nil end
  M.load_all()
  return rawget(Client, key)
end }

--- Load every resource module (once) and install its calls on the client class.
function M.load_all()
  if loaded then return end
  loaded = true
  for _, name in ipairs(M.MODULES) do
    if not M.OPTIONAL[name] then
      require(name)
    else
      local ok, err = pcall(require, name)
      if not ok and not tostring(err):find("module '" .. name .. "' not found", 1, true) then
        loaded = false
        error(err, 0)
      end
    end
  end
  for Client in pairs(installed_on) do
    M.install(Client)
    -- every call is a plain method now: a missing key (an unset option such as
    -- `trace`, read on every request) no longer goes through a function
    if getmetatable(Client) == LAZY_MT then setmetatable(Client, nil) end
  end
end

--- Install a client method for every call.
function M.install(Client)
  for name in pairs(M.calls) do
    if not rawget(Client, name) then
      Client[name] = function(self, a, b, c) return M.call(self, name, a, b, c) end
    end
  end
end

--- Install calls on Client lazily: the first lookup of a method the class does not
-- have yet loads the rows, installs them, and answers.
function M.install_lazy(Client)
  installed_on[Client] = true
  if loaded then return M.install(Client) end
  setmetatable(Client, LAZY_MT)
end

return M
