-- The scheduler: tasks, timers and requests on one loop (design.md section 3).
local heygen = require "heygen"
local scheduler = require "heygen.scheduler"
local core = require "heygen.core"
local support = require "support"

local emu
setup(function() emu = support.emulator() end)
teardown(function() if emu then emu:stop() end end)

describe("heygen scheduler", function()
  it("runs a function as a task and returns its results", function()
    local a, b = heygen.run(function(x) heygen.sleep(0.01) return x * 2, "ok" end, 21)
    assert.are.equal(42, a)
    assert.are.equal("ok", b)
  end)

  it("sleeps by blocking outside a task", function()
    assert.is_nil(scheduler.current())
    local t0 = core.now()
    heygen.sleep(0.05)
    assert.is_true(core.now() - t0 >= 0.05)
  end)

  it("lets other tasks run while one sleeps", function()
    local order = {}
    heygen.run(function()
      local a = heygen.spawn(function() heygen.sleep(0.05) order[#order + 1] = "slow" end)
      local b = heygen.spawn(function() heygen.sleep(0.01) order[#order + 1] = "fast" end)
      a:wait()
      b:wait()
    end)
    assert.are.same({ "fast", "slow" }, order)
  end)

  it("runs 1,000 tasks sleeping and requesting at once on one thread", function()
    emu:reset()
    local hg = support.client(emu)
    local tasks = {}
    for i = 1, 1000 do
      tasks[i] = heygen.spawn(function()
        heygen.sleep(0.01 * (i % 7))
        local data, err = hg:request { method = "GET", path = "/_emulator/test/echo", query = { i = i },
          envelope = "raw", auth = false }
        assert(data, err and tostring(err))
        return data.query.i
      end)
    end
    local results, errs = heygen.all(tasks)
    assert.is_nil(errs)
    for i = 1, 1000 do assert.are.equal(tostring(i), results[i]) end
    assert.are.equal(1000, #emu:requests { path = "^/_emulator/test/echo" })
  end)

  it("gives a task's error, with its traceback, to whoever waits, and the loop goes on", function()
    local survivor
    local bad = heygen.spawn(function()
      heygen.sleep(0.01)
      local t = nil
      return t.field
    end)
    local good = heygen.spawn(function() heygen.sleep(0.03) survivor = "finished" return 1 end)
    local ok, err = pcall(bad.wait, bad)
    assert.is_false(ok)
    assert.matches("attempt to index", err)
    assert.matches("stack traceback", err)
    assert.matches("scheduler_spec", err)
    assert.are.equal(1, good:wait())
    assert.are.equal("finished", survivor)
  end)

  it("re-raises an error from heygen.run", function()
    assert.has_error(function() heygen.run(function() error("boom") end) end)
  end)

  it("step(0) returns at once while requests are in flight", function()
    local task = heygen.spawn(function()
      return support.client(emu):request { path = "/_emulator/test/delay", query = { ms = 400 }, envelope = "raw",
        auth = false }
    end)
    heygen.step(0) -- start the task: its request is now in flight
    assert.is_true(heygen.pending() > 0)
    local slowest = 0
    local steps = 0
    while not task:done() do
      local t0 = core.now()
      local pending = heygen.step(0)
      slowest = math.max(slowest, core.now() - t0)
      steps = steps + 1
      assert.is_number(pending)
      core.sleep(0.005)
    end
    assert.is_true(steps > 10, "steps: " .. steps)
    assert.is_true(slowest < 0.1, "slowest step(0): " .. slowest)
    assert.are.equal(0, heygen.pending())
  end)

  it("step(t) waits no longer than asked", function()
    local timer = scheduler.after(10, function() end)
    local t0 = core.now()
    heygen.step(0.05)
    local took = core.now() - t0
    timer.cancel()
    assert.is_true(took >= 0.04 and took < 0.5, "took " .. took)
  end)

  it("heygen.all returns results in order and the errors by index", function()
    local list = {
      heygen.spawn(function() heygen.sleep(0.03) return "a" end),
      heygen.spawn(function() error("nope") end),
      heygen.spawn(function() return "c" end),
    }
    local results, errs = heygen.all(list)
    assert.are.equal("a", results[1])
    assert.is_nil(results[2])
    assert.are.equal("c", results[3])
    assert.matches("nope", errs[2])
  end)

  it("heygen.all reports a task that returns nil, err as failed", function()
    local results, errs = heygen.all {
      heygen.spawn(function() return nil, "not found" end),
      heygen.spawn(function() return "fine" end),
    }
    assert.is_nil(results[1])
    assert.are.equal("not found", errs[1])
    assert.are.equal("fine", results[2])
    assert.is_nil(errs[2])
  end)

  it("refuses a bare coroutine.yield inside a task with a clear error", function()
    local t = heygen.spawn(function() coroutine.yield() end)
    local ok, err = pcall(t.wait, t)
    assert.is_false(ok)
    assert.matches("coroutine.yield called directly", err)
  end)
end)
