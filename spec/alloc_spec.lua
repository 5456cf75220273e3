-- Issue 22.5: an allocation that fails while heygen.core makes a finished
-- transfer's record (the record, its strings, the list of records) never
-- escapes heygen.step() and never leaves a task waiting: that one request
-- fails with a typed error (or its record comes at the next step), and the
-- loop goes on. spec/c/alloc_fail.c (heygen_test_alloc, Lua 5.4 builds only)
-- makes the n-th allocation fail, counted only inside Multi:perform, for
-- every n until one run reaches no failure.
local heygen = require "heygen"
local core = require "heygen.core"
local support = require "support"

local has_hook, alloc = pcall(require, "heygen_test_alloc")

describe("an allocation failure while records are made", function()
  if not has_hook then
    pending("needs heygen_test_alloc (built for Lua 5.4 only; LuaJIT's allocator cannot be replaced)")
    return
  end

  local emu, hg, methods, perform, nils
  setup(function()
    emu = support.emulator()
    hg = support.client(emu, { max_retries = 0 })
    assert(hg:avatars()) -- connections made, modules loaded
    methods = debug.getregistry()["heygen.Multi"].__index
    perform = methods.perform
    -- count allocations only inside the C call (the scheduler's own Lua is not under test)
    methods.perform = function(self, ms)
      alloc.counting(true)
      local records = perform(self, ms)
      alloc.counting(false)
      if records == nil then nils = nils + 1 end
      return records
    end
    alloc.counting(false)
  end)
  teardown(function()
    if methods then methods.perform = perform end
    alloc.fail(nil)
    alloc.counting(true)
    if emu then emu:stop() end
  end)

  it("fails that request with a typed error, never raises from step, and the loop goes on", function()
    local short_records, runs, n = 0, 0, 0
    nils = 0
    while true do
      n = n + 1
      local results, errs, tasks = {}, {}, {}
      for i = 1, 3 do
        tasks[i] = heygen.spawn(function() results[i], errs[i] = hg:avatars() end)
      end
      local before = alloc.failed()
      alloc.fail(n)
      local deadline = core.now() + 20
      while heygen.pending() > 0 do
        assert(core.now() < deadline, "a task still waits 20 s after allocation " .. n .. " failed")
        local ok, err = pcall(heygen.step, 0.05)
        assert(ok, "heygen.step raised with allocation " .. n .. " failing: " .. tostring(err))
      end
      alloc.fail(nil)
      runs = runs + 1
      for i = 1, 3 do
        assert(tasks[i]:done(), "task " .. i .. " still waits")
        assert(tasks[i]:result())
        if not results[i] then
          local e = errs[i]
          assert.are.equal("network", e.kind)
          assert.matches("out of memory making the response record", tostring(e))
          short_records = short_records + 1
        end
      end
      if alloc.failed() == before then break end -- allocation n came after the last record
      assert(n < 500, "more than 500 allocations to make 3 records")
    end
    assert.is_true(runs > 3, "the records took " .. runs .. " allocations")
    assert.is_true(short_records > 0, "no request failed for want of memory")
    assert.is_true(nils > 0, "no step went without the list of records")
    -- and the loop goes on: nothing armed, requests succeed
    local tasks = {}
    for i = 1, 3 do tasks[i] = heygen.spawn(function() return assert(hg:avatars()) end) end
    local results, errs = heygen.all(tasks)
    assert.is_nil(errs)
    assert.are.equal(3, #results)
  end)
end)
