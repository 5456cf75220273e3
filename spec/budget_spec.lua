-- heygen.client{budget = {usd = N, journal = path}}: the spend guard. Every paid submit is
-- reserved in the budget journal before it leaves; one that would cross the cap is refused
-- before any request; the spend survives a restart through that file.
local heygen = require "heygen"
local budget = require "heygen.budget"
local support = require "support"

local CINEMATIC = "A cinematic trailer shot of a knight on a cliff at dawn"

local emu = support.use_emulator()

local function guarded(usd, path) return support.client(emu, { budget = { usd = usd, journal = path } }) end

local function submits()
  local n = 0
  for _, r in ipairs(emu:requests { method = "POST" }) do
    if r.path:find("^/fal/") or r.path:find("^/v1/workflows") then n = n + 1 end
  end
  return n
end

describe("the budget option", function()
  it("is checked when the client is made, naming the field, the rule and the value", function()
    local path = support.tmpname(".budget")
    local cases = {
      { { usd = 0, journal = path }, "option 'budget.usd' must be a finite number of dollars > 0, got 0" },
      { { usd = -1, journal = path }, "option 'budget.usd' must be a finite number of dollars > 0, got -1" },
      { { usd = math.huge, journal = path }, "option 'budget.usd' must be a finite number of dollars > 0, got inf" },
      { { usd = "5", journal = path }, "option 'budget.usd' must be a finite number of dollars > 0, got \"5\"" },
      { { usd = 5 }, "option 'budget.journal' must be a file path, got nil" },
      { { usd = 5, journal = 7 }, "option 'budget.journal' must be a file path, got 7" },
      { { usd = 5, journal = "/nonexistent-dir/b.log" }, "option 'budget.journal' must be a file that can be " },
      { { usd = 5, journal = path, cap = 1 }, "option 'budget.cap' is not a budget field (usd, journal)" },
    }
    for _, case in ipairs(cases) do
      local ok, err = pcall(heygen.client, { budget = case[1] })
      assert.is_false(ok)
      assert.truthy(tostring(err):find(case[2], 1, true), tostring(err))
    end
    local ok, err = pcall(heygen.client, { budget = 5 })
    assert.is_false(ok)
    assert.matches("option 'budget' must be a table", err)
    os.remove(path)
  end)
end)

describe("the spend guard", function()
  local path
  before_each(function() path = support.tmpname(".budget") os.remove(path) end)
  after_each(function() os.remove(path) end)

  it("records each submit's estimate and refuses the one that would cross the cap, before any request", function()
    local hg = guarded(2, path)
    local job = assert(hg:generate { prompt = CINEMATIC })
    assert.are.equal("seedance_2", job.provider)
    assert.are.equal(1.517, budget.spent(path))
    assert.are.equal(1, submits())
    local again, err = hg:generate { prompt = CINEMATIC }
    assert.is_nil(again)
    assert.are.equal("budget_exceeded", err.kind)
    assert.matches("%$1%.52 spent %+ %$1%.52 estimated would pass the cap of %$2%.00", err.message)
    assert.are.same({ 1.517, 1.517, 2 }, { err.spent, err.estimate, err.cap })
    assert.are.equal(1, submits())
    assert.is_nil(tostring(err):find(support.FAL_KEY, 1, true))
  end)

  it("survives a restart: a new client on the same journal knows what was spent", function()
    assert(guarded(2, path):generate { prompt = CINEMATIC })
    local _, err = guarded(2, path):generate { prompt = CINEMATIC }
    assert.are.equal("budget_exceeded", err.kind)
    assert.are.equal(1, submits())
    -- a higher cap on the same journal lets the next one through
    assert(guarded(3.1, path):generate { prompt = CINEMATIC })
    assert.are.equal(2, submits())
    assert.are.equal(3.034, budget.spent(path))
  end)

  it("gives back a submit that was clearly refused, and keeps one that may have created a job", function()
    emu:call("POST", "/_emulator/fal/account", { locked = true })
    local hg = guarded(5, path)
    local job = assert(hg:generate { prompt = CINEMATIC })
    assert.are.equal("heygen", job.gateway)
    assert.are.equal(job.est_cost, budget.spent(path)) -- the refused fal submit was refunded
  end)

  it("guards a direct hg:fal_submit at the registry's price", function()
    local hg = guarded(1, path)
    local job, err = hg:fal_submit("bytedance/seedance-2.0/text-to-video", { prompt = "a fox", duration = "5" })
    assert.is_nil(job)
    assert.are.equal("budget_exceeded", err.kind)
    assert.matches("fal model bytedance/seedance%-2%.0/text%-to%-video", err.message)
    assert.are.equal(0, submits())
    assert(hg:fal_submit("fal-ai/kling-video/v3/standard/text-to-video", { prompt = "a fox", duration = "5",
      generate_audio = false }))
    assert.are.equal(0.42, budget.spent(path))
  end)

  it("counts only intact lines: a torn or altered entry is skipped", function()
    assert(guarded(5, path):generate { prompt = CINEMATIC })
    local f = assert(io.open(path, "a"))
    f:write('\n{"usd":100,"what":"forged"}\t00000000\n{"usd":3')
    f:close()
    local spent, skipped = budget.spent(path)
    assert.are.equal(1.517, spent)
    assert.are.equal(2, skipped)
  end)
end)
