-- heygen.emulator.v3.control: the v3 test controls (no auth, not logged), beside /_emulator/
-- (see init.lua):
--   POST /_emulator/v3/hold    {path=, method="POST", seconds=, times=1, status=}
--        the next matching v3 create is processed, then kept in flight `seconds` (its key
--        answers 409 meanwhile); with `status` its answer is then lost and replaced by
--        that status (the job exists, the client never saw it)
--   POST /_emulator/v3/billing {billing_type = "wallet"|"subscription"|"usage_based",
--                               currency = "usd"|"credits", unknown_balance = true}
--        the users/me shape; "none": billing_type null (no billing object); unknown_balance:
--        the billing object with its balance null (both allowed by the contract)
--   GET  /_emulator/v3/idempotency   stored keys {method, path, key, state}
local reply = require "heygen.emulator.reply"
local S = require "heygen.emulator.v3.support"

local int = reply.int
local set, names = S.set, S.names

local M = {}

local function control_hold(req, st)
  local spec = reply.decode(req.body)
  if type(spec) ~= "table" or type(spec.path) ~= "string" then
    return reply.json(400, {error = {code = "invalid_control_request", message = "hold needs a path"}})
  end
  if spec.seconds ~= nil and (type(spec.seconds) ~= "number" or spec.seconds < 0) then
    return reply.json(400, {error = {code = "invalid_control_request", message = "seconds must be >= 0"}})
  end
  table.insert(st.v3.holds, {path = spec.path, method = spec.method and spec.method:upper(),
                             seconds = spec.seconds or 0, times = int(spec.times or 1),
                             status = spec.status and int(spec.status)})
  return reply.json(200, {ok = true})
end

local BILLING = set({"wallet", "subscription", "usage_based", "none"})

local function control_billing(req, st)
  local spec = reply.decode(req.body)
  if type(spec) ~= "table" or not BILLING[spec.billing_type] then
    return reply.json(400, {error = {code = "invalid_control_request",
                                     message = "billing_type must be one of " .. names(BILLING)}})
  end
  st.v3.billing = {billing_type = spec.billing_type, currency = spec.currency == "credits" and "credits" or "usd",
                   unknown_balance = spec.unknown_balance == true}
  return reply.json(200, {ok = true})
end

local function control_keys(_, st)
  local out = {}
  for _, e in pairs(st.v3.idem) do
    out[#out + 1] = {method = e.method, path = e.path, key = e.key, state = e.done and "done" or "in_flight"}
  end
  table.sort(out, function(a, b) return a.key < b.key end)
  return reply.json(200, reply.array(out))
end

M.control_routes = {
  {"POST", "/_emulator/v3/hold", control_hold, gen = "control"},
  {"POST", "/_emulator/v3/billing", control_billing, gen = "control"},
  {"GET", "/_emulator/v3/idempotency", control_keys, gen = "control"},
}

-- Loaded last, as they are: not v3 routes (no API key, the control error shape).
function M.register(app) app:load(M.control_routes) end

return M
