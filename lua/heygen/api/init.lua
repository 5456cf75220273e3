--- Endpoint groups as data, and the one function that walks them.
--
-- An endpoint definition (see api/legacy.lua):
--   request  = fn(client, a, b, c) -> request spec for Client:request (required)
--   validate = fn(a, b, client, c) -> true | nil, err   (runs before any request)
--   result   = fn(data, a, b, doc, client) -> value    (shape the answer)
--   job      = { kind = "video", id = fn(data) -> id, fields = fn(data, a) -> table }
--   args     = "table" | "id" | "none" | "id_table" (how the Lua call takes arguments),
--              or fn(a, b) -> ok, "what it expects"
--   run      = fn(client, a, b) -> value | nil, err: a call made of several
--              requests (after validate; replaces request/job/result)
-- A group maps call names to definitions; a client uses the group of its
-- `api` first and the legacy group for calls that have no v3 equivalent.
local errors = require "heygen.errors"
local jobs = require "heygen.job"
local journal = require "heygen.journal"

local M = {}

M.groups = {}

local loaded = false    -- have the group modules been loaded (see load_all)?
local installed_on = {} -- client classes whose methods follow the groups

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

local call_endpoint

--- Call endpoint `name` for `client` with the user's arguments. The call is known to
-- the journal while it runs (heygen.journal: a create's intent records it, so that
-- heygen.resume can make it again with the same Idempotency-Key).
function M.call(client, name, a, b, c)
  local key
  key, a, b = take_key(a, b)
  if key == false then return nil, a end
  local ctx = journal.begin_call(client, name, c == nil and (b == nil and { a } or { a, b }) or nil, key)
  ctx.own_key = key ~= nil
  return journal.end_call(ctx, call_endpoint(client, name, a, b, c))
end

function call_endpoint(client, name, a, b, c)
  if not loaded then M.load_all() end
  local def = (M.groups[client.api] or {})[name] or M.groups.legacy[name]
  if not def then error("heygen: no endpoint " .. name, 4) end
  local ok, what = (type(def.args) == "function" and def.args or ARG_CHECKS[def.args or "table"])(a, b, c)
  if not ok then
    error(string.format("hg:%s expects %s", name, what), 4)
  end
  if def.validate then
    local valid, err = def.validate(a, b, client, c)
    if not valid then return nil, err end
  end
  if def.run then return def.run(client, a, b, c) end
  local spec = def.request(client, a, b, c)
  if spec == nil then return nil, errors.new { kind = "invalid_argument", message = name .. ": nothing to send" } end
  local data, rec, doc = client:request(spec)
  if data == nil and errors.is(rec) then return nil, rec end
  if def.job then
    if type(data) ~= "table" then
      return nil, errors.new { kind = "protocol", message = name .. ": the answer holds no data object (data is "
        .. (data == nil and "null" or type(data)) .. ")" }
    end
    local id = def.job.id(data, doc)
    if type(id) ~= "string" or id == "" then
      return nil, errors.new { kind = "protocol", message = name .. ": the answer carried no job id" }
    end
    local job = jobs.new(client, def.job.kind, id, def.job.fields and def.job.fields(data, a, client, c))
    local okj, jerr = jobs.journal_created(job)
    if not okj then return nil, jerr end
    return job
  end
  if def.result then return def.result(data, a, b, doc, client) end
  return data
end

--- Add (or override) endpoints of a group.
function M.define(group, defs)
  M.groups[group] = M.groups[group] or {}
  for name, def in pairs(defs) do M.groups[group][name] = def end
end

-- The modules that define endpoint groups and job kinds. They are loaded on
-- first use (the first call, hg:job, heygen.resume), so `require "heygen"`
-- compiles only what every program needs. Optional ones may be absent.
M.GROUP_MODULES = { "heygen.api.legacy", "heygen.api.v3", "heygen.api.fal", "heygen.api.extra", "heygen.generate" }
M.REQUIRED = { ["heygen.api.legacy"] = true }


-- The class metatable until the groups are loaded: the first lookup of a
-- method the class does not have loads them, installs them, and answers.
local LAZY_MT = { __index = function(Client, key)
  if loaded or type(key) ~= "string" or key:sub(1, 2) == "__" then return nil end
  M.load_all()
  return rawget(Client, key)
end }

--- Load every endpoint group (once) and install its calls on the client class.
function M.load_all()
  if loaded then return end
  loaded = true
  for _, name in ipairs(M.GROUP_MODULES) do
    if M.REQUIRED[name] then
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

--- Install client methods for every endpoint name known to any group.
function M.install(Client)
  for _, group in pairs(M.groups) do
    for name in pairs(group) do
      if not rawget(Client, name) then
        Client[name] = function(self, a, b, c) return M.call(self, name, a, b, c) end
      end
    end
  end
end

--- Install calls on Client lazily: the first lookup of a method the class
-- does not have yet loads the groups, installs them, and answers.
function M.install_lazy(Client)
  installed_on[Client] = true
  if loaded then return M.install(Client) end
  setmetatable(Client, LAZY_MT)
end

return M
