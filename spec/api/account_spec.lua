-- users/me and remaining_quota under api v3
-- (the client against the emulator: the requests it sent, what the user sees).
local env = require "api.v3_env"

local emu, hg = env.use()

describe("users/me and remaining_quota under api v3", function()
  local function billing(kind, currency)
    emu:call("POST", "/_emulator/v3/billing", { billing_type = kind, currency = currency })
  end

  it("me answers the wallet shape by default, and remaining_quota keeps the legacy unit", function()
    local me = assert(hg:me())
    assert.are.equal("wallet", me.billing_type)
    assert.are.equal("usd", me.wallet.currency)
    assert.are.equal(234445.2, me.wallet.remaining_balance)
    assert.is_nil(me.subscription)
    assert.is_nil(me.usage_based)
    local q = assert(hg:remaining_quota())
    assert.are.equal(2344452, q.remaining_quota)
    assert.are.equal(2344452 / 60, q.credits)
    assert.are.equal("wallet", q.billing_type)
  end)

  it("reads the subscription and usage-based shapes too", function()
    billing("subscription")
    local me = assert(hg:me())
    assert.are.equal("pro", me.subscription.plan)
    assert.is_nil(me.wallet)
    assert.are.equal(39074 * 60, assert(hg:remaining_quota()).remaining_quota)
    billing("usage_based")
    assert.are.equal(2344452, assert(hg:remaining_quota()).remaining_quota)
    billing("wallet", "credits")
    assert.are.equal(2344452, assert(hg:remaining_quota()).remaining_quota)
    assert.is_true(assert(hg:remaining_quota()).balance_known)
  end)

  it("answers what is known when billing_type or the balance is null (the contract allows both)", function()
    emu:call("POST", "/_emulator/v3/billing", { billing_type = "none" })
    local q, err = hg:remaining_quota()
    assert.is_nil(err)
    assert.is_false(q.balance_known)
    assert.is_nil(q.remaining_quota)
    assert.is_nil(q.credits)
    assert.is_nil(q.billing_type)
    for _, kind in ipairs { "wallet", "subscription", "usage_based" } do
      emu:call("POST", "/_emulator/v3/billing", { billing_type = kind, unknown_balance = true })
      q, err = hg:remaining_quota()
      assert.is_nil(err, kind)
      assert.are.same({ false, kind }, { q.balance_known, q.billing_type })
      assert.is_nil(q.remaining_quota)
    end
  end)
end)
