-- heygen.uv: the scheduler driven from a libuv loop. First in this process
-- with luv (the host's own 10 ms timer must keep firing), then inside a real
-- headless Neovim running the LuaJIT build and examples/nvim_plugin.lua.
local heygen = require "heygen"
local core = require "heygen.core"
local hguv = require "heygen.uv"
local support = require "support"

local ROOT = os.getenv("PWD")

local emu, hg
setup(function()
  emu = support.emulator()
  hg = support.client(emu)
end)
teardown(function()
  if emu then emu:stop() end
end)
before_each(function() emu:reset() end)
after_each(function()
  hguv.detach()
  -- let libuv finish closing the timer while this Lua state still exists
  require("luv").run("nowait")
end)

-- A luv loop with a 10 ms "frame" timer; run() drives it until every handle
-- is gone, so it returns only once heygen.uv has stopped its own timer.
local function host_loop(uv)
  local loop = { ticks = {} }
  local ticker = uv.new_timer()
  ticker:start(10, 10, function() loop.ticks[#loop.ticks + 1] = core.now() end)
  function loop.stop_ticker()
    if not ticker:is_closing() then ticker:stop() ticker:close() end
  end
  function loop.run(limit)
    local watchdog = uv.new_timer()
    local expired = false
    watchdog:start(limit * 1000, 0, function() expired = true loop.stop_ticker() uv.stop() end)
    uv.unref(watchdog) -- it must not keep the loop alive by itself
    uv.run("default")
    watchdog:close()
    uv.run("nowait")
    assert(not expired, "the loop was still busy after " .. limit .. " s")
  end
  function loop.max_gap(from, to)
    local gap, prev = 0, nil
    for _, t in ipairs(loop.ticks) do
      if (not from or t >= from) and (not to or t <= to) then
        if prev then gap = math.max(gap, t - prev) end
        prev = t
      end
    end
    return gap
  end
  function loop.count(from, to)
    local n = 0
    for _, t in ipairs(loop.ticks) do if t >= from and t <= to then n = n + 1 end end
    return n
  end
  return loop
end

describe("heygen.uv on a libuv loop (luv)", function()
  local uv = require "luv"

  it("keeps the host's 10 ms timer firing while jobs poll and a file downloads, then goes idle", function()
    local loop = host_loop(uv)
    local scheduled, delivered = 0, 0
    hguv.attach(uv, { schedule = function(fn) scheduled = scheduled + 1 fn() scheduled = scheduled - 1 end })
    emu:next_job { size = 32 * 1024 * 1024 }
    local outcomes, window, left = {}, {}, 3
    local paths = {}
    for i = 1, 3 do
      paths[i] = support.tmpname(".mp4")
      hguv.run(function()
        local job = assert(hg:generate_video { prompt = "clip " .. i })
        assert(job:wait { timeout = 30 })
        local t0 = core.now()
        local path, err = job:download(paths[i])
        window[i] = { t0, core.now() }
        return path, err
      end, function(ok, value)
        outcomes[i] = { ok, value }
        -- through the schedule function, and outside any heygen task
        if scheduled > 0 and not require("heygen.scheduler").current() then delivered = delivered + 1 end
        left = left - 1
        if left == 0 then loop.stop_ticker() end
      end)
    end
    assert.is_true(hguv.active())
    loop.run(60)
    local big -- the job the emulator padded (whichever create it saw first)
    for i = 1, 3 do
      assert.are.same({ true, paths[i] }, outcomes[i])
      local bytes = support.read(paths[i])
      if #bytes == 32 * 1024 * 1024 then
        big = i
      else
        assert.are.equal(support.sample_mp4(), bytes)
      end
      os.remove(paths[i])
    end
    assert.is_number(big)
    assert.is_true(loop.max_gap() < 0.5, "longest pause of the host timer: " .. loop.max_gap())
    -- the 32 MB download itself did not hold the loop: the timer fired during it
    assert.is_true(loop.count(window[big][1], window[big][2]) >= 1, "host ticks during the download")
    assert.is_true(#loop.ticks >= 10)
    assert.are.equal(3, delivered)
    assert.is_false(hguv.active())
    assert.are.equal(0, heygen.pending())
    assert.are.equal(3, #emu:requests { method = "POST", path = "^/v1/workflows/executions" })
    assert.is_true(#emu:requests { method = "GET", path = "^/v1/workflows/executions/" } >= 3)
  end)

  it("reports a failed job to on_done as false and the typed error", function()
    local loop = host_loop(uv)
    hguv.attach(uv)
    emu:next_job { fail = { code = 40119, message = "Video is too long" } }
    local got
    hguv.run(function()
      local job = assert(hg:generate_video { prompt = "too long" })
      return job:wait { timeout = 30 }
    end, function(ok, err)
      got = { ok = ok, err = err }
      loop.stop_ticker()
    end)
    loop.run(30)
    assert.is_false(got.ok)
    assert.are.equal("job_failed", got.err.kind)
    assert.matches("Video is too long", got.err.message)
  end)

  it("reports an error raised in the task to on_done", function()
    local loop = host_loop(uv)
    hguv.attach(uv)
    local got
    hguv.run(function() heygen.sleep(0.02) error("boom in the plugin") end,
      function(ok, err) got = { ok, err } loop.stop_ticker() end)
    loop.run(10)
    assert.is_false(got[1])
    assert.matches("boom in the plugin", got[2])
  end)

  it("starts again by itself when work is added after it went idle", function()
    local loop = host_loop(uv)
    hguv.attach(uv)
    hguv.run(function() heygen.sleep(0.03) return "first" end, function() loop.stop_ticker() end)
    loop.run(10) -- returns only once heygen.uv has stopped its timer
    assert.is_false(hguv.active())
    local steps = hguv.steps()
    loop = host_loop(uv)
    local second
    hguv.run(function() heygen.sleep(0.03) return "second" end, function(ok, v)
      second = { ok, v }
      loop.stop_ticker()
    end)
    assert.is_true(hguv.active())
    loop.run(10)
    assert.are.same({ true, "second" }, second)
    assert.is_true(hguv.steps() > steps)
    assert.is_false(hguv.active())
  end)

  it("wakes only when a timer is due while no transfer is in flight", function()
    local loop = host_loop(uv)
    hguv.attach(uv)
    local got
    hguv.run(function() heygen.sleep(0.5) return "slept" end, function(ok, v)
      got = { ok, v }
      loop.stop_ticker()
    end)
    loop.run(10)
    assert.are.same({ true, "slept" }, got)
    assert.is_true(hguv.steps() <= 5, "steps while sleeping 0.5 s: " .. hguv.steps())
    assert.is_true(#loop.ticks >= 30)
  end)

  it("completes requests as their sockets become ready, with no 10 ms timer floor", function()
    local n = 20
    -- the same requests blocking, as the baseline of this machine at this moment
    local t0 = core.now()
    for _ = 1, n do assert(hg:avatars()) end
    local blocking = (core.now() - t0) / n
    local loop = host_loop(uv)
    hguv.attach(uv)
    local took
    hguv.run(function()
      local t1 = core.now()
      for _ = 1, n do assert(hg:avatars()) end
      took = (core.now() - t1) / n
    end, function(ok, err)
      assert(ok, err)
      loop.stop_ticker()
    end)
    loop.run(30)
    -- stepping on a 10 ms timer made every request take >= 10 ms
    assert.is_true(took < math.max(0.008, blocking * 2), string.format(
      "per request: %.1f ms on the loop, %.1f ms blocking", took * 1000, blocking * 1000))
  end)

  it("serves a host adapter in a few lines: watch fds(), wait timeout(), step(0)", function()
    -- what a cqueues, copas or LOVE adapter does, here with luv's poll handles
    local scheduler = require "heygen.scheduler"
    local polls, timer, steps = {}, uv.new_timer(), 0
    local drive
    local function sync()
      for _, w in ipairs(scheduler.fds()) do
        local p = polls[w.fd]
        if w.events == "" then
          if p then p:close() polls[w.fd] = nil end
        else
          if not p then p = uv.new_poll(w.fd) polls[w.fd] = p end
          p:start(w.events, drive)
        end
      end
      local wait = scheduler.pending() > 0 and scheduler.timeout()
      timer:stop()
      if wait then timer:start(math.max(1, math.floor(wait * 1000)), 0, drive) end
    end
    drive = function()
      steps = steps + 1
      heygen.step(0)
      sync()
    end
    local got
    heygen.spawn(function() got = assert(hg:avatars()) end)
    sync()
    uv.run("default") -- returns when nothing is watched and no timer is armed
    timer:close()
    scheduler.fds(false)
    assert.is_table(got)
    assert.is_nil(next(polls))
    assert.is_true(steps < 50, "steps: " .. steps)
  end)

  it("rejects what it cannot use", function()
    assert.has_error(function() hguv.attach(uv, { intervall = 1 }) end,
      "heygen.uv.attach: unknown option 'intervall' (known: interval, schedule, on_error)")
    assert.has_error(function() hguv.attach(uv, { interval = 0 }) end,
      "heygen.uv.attach: option 'interval' must be > 0, got 0")
    assert.has_error(function() hguv.attach({}) end,
      "heygen.uv.attach: a luv module expected (vim.uv, vim.loop or require 'luv'), got table")
    assert.has_error(function() hguv.run(function() end) end,
      "heygen.uv.run: call require('heygen.uv').attach(vim.uv or vim.loop) first")
  end)
end)

-- The LuaJIT build of heygen.core that Neovim loads; built here when missing.
local function luajit_build()
  local dir = os.getenv("HEYGEN_LUAJIT_BUILD") or (ROOT .. "/build-luajit")
  if not io.open(dir .. "/heygen/core.so") then
    local log = support.tmpname(".log")
    local ok = os.execute(string.format("cmake -S %q -B %q -DHEYGEN_LUA=luajit -DHEYGEN_INTERPRETER=OFF >%q 2>&1 "
      .. "&& cmake --build %q -j2 >>%q 2>&1", ROOT, dir, log, dir, log))
    assert(ok == true or ok == 0, "building the LuaJIT core failed: " .. tostring(support.read(log)))
    os.remove(log)
  end
  return dir
end

-- Run spec/uv_nvim_driver.lua in a headless Neovim; returns its report.
local function nvim(config)
  config.root, config.cpath = ROOT, luajit_build()
  local out = support.tmpname(".json")
  local cmd = string.format("HEYGEN_NVIM_CONFIG=%q HEYGEN_NVIM_OUT=%q nvim --headless -u NONE -i NONE -n "
    .. "-c %q </dev/null >/dev/null 2>&1", heygen.json.encode(config), out,
    "luafile " .. ROOT .. "/spec/uv_nvim_driver.lua")
  os.execute(cmd)
  local text = support.read(out)
  os.remove(out)
  assert(text, "Neovim wrote no report (command: " .. cmd .. ")")
  return heygen.json.decode(text)
end

describe("heygen.uv in headless Neovim (LuaJIT)", function()
  local slow_emu -- jobs that take seconds, polled every second: like real use
  setup(function() slow_emu = support.emulator { time_scale = 30 } end)
  teardown(function() if slow_emu then slow_emu:stop() end end)

  local function client_opts()
    return { api_key = support.API_KEY, api = "v2", base_url = slow_emu.url,
      poll = { initial = 1, factor = 1.5, max = 2 }, poll_budget = 0 }
  end

  it("runs the plugin example's jobs and a download while the editor's 10 ms timer keeps firing", function()
    slow_emu:reset()
    slow_emu:next_job { size = 32 * 1024 * 1024 }
    local dir = support.tmpname()
    assert(os.execute("mkdir -p " .. dir))
    local report = nvim { mode = "plugin", jobs = 4, out_dir = dir, client = client_opts(), deadline = 60 }
    assert.is_nil(report.error)
    assert.matches("^LuaJIT", report.lua)
    local sizes = {}
    for i = 1, 4 do
      local r = report.results[i]
      assert.is_true(r.ok, r.value)
      assert.are.equal(dir .. "/clip-" .. i .. "-" .. i .. ".mp4", r.value)
      if i < 4 then assert.is_false(r.fast_event) end -- on_done came through vim.schedule
      local bytes = support.read(r.value)
      sizes[#bytes] = (sizes[#bytes] or 0) + 1
      if #bytes ~= 32 * 1024 * 1024 then assert.are.equal(support.sample_mp4(), bytes) end
      os.remove(r.value)
    end
    assert.are.same({ [32 * 1024 * 1024] = 1, [#support.sample_mp4()] = 3 }, sizes)
    os.remove(dir)
    assert.matches("^1  done", report.lines[1])
    assert.matches("\n4  done +[%w%-]+ +clip 4  %-> " .. dir:gsub("%p", "%%%0") .. "/clip%-4%-4%.mp4$", report.listing)
    assert.are.equal("", report.statusline)
    -- the jobs took seconds and were polled every 1-2 s, yet the editor never paused
    assert.is_true(report.elapsed > 2, "elapsed " .. report.elapsed)
    assert.is_true(report.max_gap < 0.5, "longest pause of the editor timer: " .. report.max_gap)
    assert.is_true(report.ticks > report.elapsed * 50, report.ticks .. " ticks in " .. report.elapsed .. " s")
    assert.is_false(report.uv_active)
    assert.are.equal(4, #slow_emu:requests { method = "POST", path = "^/v1/workflows/executions" })
    assert.is_true(#slow_emu:requests { method = "GET", path = "^/v1/workflows/executions/" } >= 8)
  end)

  it("works without a cjson module, through Neovim's vim.json", function()
    local report = nvim { mode = "json", client = client_opts(), deadline = 30, hide_cjson = true }
    assert.is_nil(report.error)
    assert.are.equal("vim.json", report.json)
    assert.is_true(report.results[1].ok, tostring(report.results[1].value))
    assert.is_true(report.results[1].value > 0)
    -- what the API needs from an encoder: [] when marked, {} otherwise, null
    local e = report.encoded
    assert.matches('"a":%[%]', e)
    assert.matches('"o":{}', e)
    assert.matches('"n":null', e)
  end)

  it("shows a blocking wait on the editor's loop as a stall (the measurement can fail)", function()
    slow_emu:reset()
    slow_emu:next_job { stuck = true }
    local report = nvim { mode = "blocking", client = client_opts(), wait_timeout = 1.5, deadline = 30 }
    assert.is_nil(report.error)
    assert.are.equal("timeout", report.results[1].kind)
    assert.is_true(report.max_gap >= 1.4, "longest pause: " .. report.max_gap)
  end)
end)
