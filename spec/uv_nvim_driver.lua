-- Runs inside `nvim --headless` for spec/uv_spec.lua: loads the LuaJIT build
-- of heygen and examples/nvim_plugin.lua, starts jobs against the emulator
-- while a 10 ms editor timer records when it fires, and writes what it saw as
-- JSON to $HEYGEN_NVIM_OUT, then quits.
--
-- $HEYGEN_NVIM_CONFIG (JSON): {root=, cpath=, out_dir=, mode="plugin"|"blocking"|"json",
--   jobs=N, client={...}, deadline=seconds, hide_cjson=bool}
local cfg_text = assert(os.getenv("HEYGEN_NVIM_CONFIG"), "HEYGEN_NVIM_CONFIG not set")
local cfg = vim.fn.json_decode(cfg_text)
package.path = cfg.root .. "/lua/?.lua;" .. cfg.root .. "/lua/?/init.lua;" .. package.path
package.cpath = cfg.cpath .. "/?.so;" .. package.cpath
if cfg.hide_cjson then -- a Neovim outside Debian: no cjson module, only vim.json
  package.preload.cjson = function() error("module 'cjson' not found (hidden by the spec)") end
end

local core = require "heygen.core"
local hguv = require "heygen.uv"

local ticks = {}
local ticker = vim.loop.new_timer()
local started = core.now()
ticker:start(10, 10, function() ticks[#ticks + 1] = core.now() end)

local function finish(report)
  ticker:stop()
  ticks[#ticks + 1] = core.now() -- a stall still going on counts too
  local gap = 0
  for i = 2, #ticks do gap = math.max(gap, ticks[i] - ticks[i - 1]) end
  report.max_gap, report.ticks, report.elapsed = gap, #ticks, core.now() - started
  report.lua = core.versions().lua
  report.uv_active, report.uv_steps = hguv.active(), hguv.steps()
  local f = assert(io.open(os.getenv("HEYGEN_NVIM_OUT"), "w"))
  f:write(core.json_encode(report))
  f:close()
  vim.cmd("qall!")
end

local watchdog = vim.loop.new_timer()
watchdog:start(cfg.deadline * 1000, 0, vim.schedule_wrap(function()
  finish { error = "watchdog: jobs still running after " .. cfg.deadline .. " s" }
end))

-- The plugin as a user drives it: the last job through :HeygenGenerate, the
-- others from Lua with a callback; done when every job has ended.
local function plugin_mode()
  local plugin = dofile(cfg.root .. "/examples/nvim_plugin.lua")
  plugin.setup { dir = cfg.out_dir, notify = false, client = cfg.client }
  local results = {}
  for i = 1, cfg.jobs - 1 do
    plugin.generate("clip " .. i, {}, function(ok, value)
      results[i] = { ok = ok, value = tostring(value), fast_event = vim.in_fast_event() }
    end)
  end
  vim.cmd("HeygenGenerate clip " .. cfg.jobs)
  local check = vim.loop.new_timer()
  check:start(50, 50, vim.schedule_wrap(function()
    for _, e in ipairs(plugin.jobs) do
      if e.status ~= "done" and e.status ~= "failed" then return end
    end
    check:stop()
    local last = plugin.jobs[cfg.jobs]
    results[cfg.jobs] = { ok = last.status == "done", value = tostring(last.path or last.error) }
    -- one more trip through the loop, so the adapter has seen it is idle
    vim.schedule(function()
      finish { results = results, lines = plugin.lines(), listing = vim.api.nvim_exec("HeygenJobs", true),
        statusline = plugin.statusline() }
    end)
  end))
end

-- The control: the same work done with a blocking wait on the editor's loop.
local function blocking_mode()
  local heygen = require "heygen"
  vim.defer_fn(function()
    local hg = heygen.client(cfg.client)
    local job = assert(hg:generate_video { prompt = "blocking" })
    local _, err = job:wait { timeout = cfg.wait_timeout }
    finish { results = { { ok = false, value = tostring(err), kind = err and err.kind } } }
  end, 100)
end

-- API calls on the editor's loop, their JSON through whatever heygen.core found.
local function json_mode()
  local heygen = require "heygen"
  hguv.attach(vim.loop)
  local hg = heygen.client(cfg.client)
  hguv.run(function() return hg:avatars() end, function(ok, value)
    finish { results = { { ok = ok, value = ok and #(value.avatars or {}) or tostring(value) } },
      json = core.versions().cjson,
      encoded = core.json_encode { a = core.json_array {}, o = {}, n = core.json_null } }
  end)
end

if cfg.mode == "blocking" then blocking_mode() elseif cfg.mode == "json" then json_mode() else plugin_mode() end
