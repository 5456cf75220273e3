-- heygen.emulator.v3.account: GET /v3/users/me (docs/heygen-v3.md 9; the contract's
-- UsersMe): exactly one billing object, chosen by st.v3.billing (set through the control
-- route POST /_emulator/v3/billing, see v3/control.lua), its balance from the account's quota.
local reply = require "heygen.emulator.reply"
local S = require "heygen.emulator.v3.support"

local null = reply.null
local v3, iso, now = S.v3, S.iso, S.now

local M = {}

M.USD_PER_SECOND = 0.10          -- quota units are seconds of Avatar IV video


local function me(_, st)
  local b, q = st.v3.billing, st.quota
  local d = {username = "emulator", email = "emulator@example.com", first_name = "Emma", last_name = "Ulator",
             billing_type = b.billing_type, wallet = null, subscription = null, usage_based = null}
  if b.billing_type == "none" then
    d.billing_type = null -- the contract allows it: no billing object is known
  elseif b.unknown_balance then -- the billing object is there, its balance null
    if b.billing_type == "wallet" then
      d.wallet = {currency = b.currency, remaining_balance = null, auto_reload = null}
    elseif b.billing_type == "subscription" then
      d.subscription = {plan = "pro", credits = {premium_credits = null, add_on_credits = null}}
    else
      d.usage_based = {included_credits = null, remaining_credits = null, spending_cap_usd = null,
                       spending_current_usd = null}
    end
  elseif b.billing_type == "wallet" then
    local balance = b.currency == "credits" and q / 60 or math.floor(q * M.USD_PER_SECOND * 100 + 0.5) / 100
    d.wallet = {currency = b.currency, remaining_balance = balance,
                auto_reload = {enabled = false, threshold_usd = null, amount_usd = null}}
  elseif b.billing_type == "subscription" then
    local premium = {remaining = math.floor(q / 60), resets_at = iso(now() + 30 * 86400)}
    d.subscription = {plan = "pro", credits = {premium_credits = premium, add_on_credits = null}}
  else
    d.usage_based = {included_credits = 1000, remaining_credits = q / 60, spending_cap_usd = 500,
                     spending_current_usd = 0}
  end
  return v3(d)
end

M.routes = {
  {"GET", "/v3/users/me", me},
}

return M
