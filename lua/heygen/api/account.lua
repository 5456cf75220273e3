--- The account: remaining quota (legacy: /v2/user/remaining_quota; v3: from users/me) and
-- v3 users/me. ../shared/docs/heygen-api.md 3.16, ../shared/docs/heygen-v3.md 9.
local api = require "heygen.api"
local support = require "heygen.api.support"

local M = {}

-- users/me as remaining_quota: seconds of video the balance pays for, the legacy unit
-- (60 = 1 credit; a USD wallet counts at the Avatar IV rate of $0.10 per second).
M.USD_PER_SECOND = 0.10

local function remaining_seconds(me)
  local w, s, u = me.wallet, me.subscription, me.usage_based
  if me.billing_type == "wallet" and w and w.remaining_balance then
    if w.currency == "credits" then return w.remaining_balance * 60 end
    return w.remaining_balance / M.USD_PER_SECOND
  elseif me.billing_type == "subscription" and s and s.credits then
    local premium = s.credits.premium_credits or {}
    local addon = s.credits.add_on_credits or {}
    if premium.remaining or addon.remaining then return ((premium.remaining or 0) + (addon.remaining or 0)) * 60 end
  elseif me.billing_type == "usage_based" and u and u.remaining_credits then
    return u.remaining_credits * 60
  end
end

local function legacy_quota(_, d)
  local q = type(d) == "table" and d.remaining_quota
  if type(q) ~= "number" then return support.protocol("remaining_quota: the answer carried no number") end
  return { remaining_quota = q, credits = support.credits(q), balance_known = true,
    details = support.list_of(d.details) }
end

-- billing_type and every balance are nullable in the contract: what is known is answered,
-- with balance_known = false (remaining_quota and credits nil) when the balance is not
local function v3_quota(_, me)
  local seconds = remaining_seconds(me)
  local credits
  if seconds then
    seconds = math.floor(seconds + 0.5)
    credits = support.credits(seconds)
  end
  return { remaining_quota = seconds, credits = credits, balance_known = seconds ~= nil,
    billing_type = me.billing_type,
    details = { api = seconds, wallet = me.wallet, subscription = me.subscription, usage_based = me.usage_based } }
end

api.rows {
  remaining_quota = {
    doc = { returns = "heygen.Quota", text = "Seconds of video the balance pays for (credits = seconds / 60)" },
    legacy = { args = "none", path = "/v2/user/remaining_quota", envelope = "v2", result = legacy_quota },
    v3 = { args = "none", path = "/v3/users/me", result = v3_quota },
  },

  me = {
    doc = { returns = "heygen.Me", text = "The account: username and one billing object" },
    v3 = { args = "none", path = "/v3/users/me" },
  },
}

return M
