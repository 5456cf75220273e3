--- heygen.uv: drive the heygen scheduler from a libuv loop (Neovim's
-- `vim.uv` / `vim.loop`, or luv), so the host never blocks while jobs poll
-- and files download.
--
--   local hguv = require "heygen.uv"
--   hguv.attach(vim.uv or vim.loop)
--   hguv.run(function()
--     local job = assert(hg:generate_video { prompt = "A lighthouse at dawn" })
--     assert(job:wait())
--     return job:download("lighthouse.mp4")
--   end, function(ok, path_or_err) print(ok, path_or_err) end)
--
-- libcurl's sockets are watched with libuv poll handles (scheduler.fds) and
-- one libuv timer stands for timeout(): either calls `step(0)`, which does a
-- bounded amount of work, and re-arms what is needed next. Nothing polls on a
-- fixed interval (only a luv without new_poll falls back to stepping every
-- `interval` while transfers are in flight). The timer stops when the loop is
-- idle and starts again by itself when new work is added. Inside Neovim every
-- step and every callback runs through `vim.schedule`, so task code and
-- callbacks may call `vim.api` freely.
local scheduler = require "heygen.scheduler"

local M = {}

local pack = table.pack or function(...) return { n = select("#", ...), ... } end
local unpack = table.unpack or unpack

local ATTACH_OPTIONS = { interval = "number", schedule = "function", on_error = "function" }

local DEFAULT_INTERVAL = 0.01 -- seconds between steps while transfers are in flight (no new_poll)

local st -- the attachment: {uv=, timer=, interval=, schedule=, on_error=, polls=, ...}

local function check_options(opts)
  for k, v in pairs(opts) do
    if not ATTACH_OPTIONS[k] then
      error(string.format("heygen.uv.attach: unknown option '%s' (known: interval, schedule, on_error)",
        tostring(k)), 3)
    end
    if type(v) ~= ATTACH_OPTIONS[k] then
      error(string.format("heygen.uv.attach: option '%s' must be a %s, got %s", k, ATTACH_OPTIONS[k], type(v)), 3)
    end
  end
  if opts.interval and opts.interval <= 0 then
    error("heygen.uv.attach: option 'interval' must be > 0, got " .. tostring(opts.interval), 3)
  end
end

local function report(err)
  local msg = "heygen.uv: " .. tostring(err)
  if st and st.on_error then return st.on_error(msg) end
  io.stderr:write(msg, "\n")
end

local function call_now(fn)
  local ok, err = pcall(fn)
  if not ok then report(err) end
end

-- Neovim's vim.schedule when there is one; else call at once.
local function default_schedule()
  local vim = rawget(_G, "vim")
  if type(vim) == "table" and type(vim.schedule) == "function" then return vim.schedule end
  return call_now
end

local arm, step_now

local function queue_step()
  if st.queued or st.stepping then return end
  st.queued = true
  st.schedule(step_now)
end

-- A watched socket is ready: its poll handle stops until the step has run (in
-- Neovim the step waits for vim.schedule, and a still-readable socket would
-- call back on every pass of the loop meanwhile).
local function on_ready(entry)
  return function()
    if not st or entry.closed then return end
    entry.handle:stop()
    entry.stopped = true
    queue_step()
  end
end

local function close_poll(fd)
  local entry = st.polls[fd]
  st.polls[fd] = nil
  entry.closed = true
  if not entry.handle:is_closing() then entry.handle:close() end
end

local function watch(fd, events)
  local entry = st.polls[fd]
  if events == "" then
    if entry then close_poll(fd) end
    return
  end
  if not entry then
    local handle, err = st.uv.new_poll(fd)
    if not handle then -- unwatchable: step on the interval instead, and say why once
      if not st.blind then report("cannot watch socket " .. fd .. ": " .. tostring(err)) end
      st.blind = true
      return
    end
    entry = { handle = handle }
    entry.cb = on_ready(entry)
    st.polls[fd] = entry
  elseif entry.events == events and not entry.stopped then
    return
  end
  entry.events, entry.stopped = events, false
  entry.handle:start(events, entry.cb)
end

-- Bring the poll handles in line with the sockets libcurl wants watched.
local function sync_polls()
  local all = st.resync
  local list = scheduler.fds(all or nil)
  st.resync = false
  if all then
    local wanted = {}
    for _, w in ipairs(list) do wanted[w.fd] = true end
    for fd in pairs(st.polls) do if not wanted[fd] then close_poll(fd) end end
  end
  for _, w in ipairs(list) do watch(w.fd, w.events) end
  for _, entry in pairs(st.polls) do
    if entry.stopped then
      entry.stopped = false
      entry.handle:start(entry.events, entry.cb)
    end
  end
end

-- Drive the scheduler once, then re-arm for the next moment it needs us.
step_now = function()
  if not st then return end
  st.queued = false
  st.stepping = true
  local ok, err = pcall(scheduler.step, 0)
  st.stepping = false
  st.steps = st.steps + 1
  if not ok then report(err) end
  if not st then return end -- detached from inside a task
  local outbox = st.outbox
  st.outbox = {}
  for _, fn in ipairs(outbox) do st.schedule(fn) end
  if st.polls then sync_polls() end
  local wait = scheduler.pending() > 0 and scheduler.timeout() or nil
  if wait then
    -- timers say exactly when they are due; sockets are watched, unless luv cannot
    if (st.blind or not st.polls) and scheduler.transfers() > 0 then wait = math.min(wait, st.interval) end
    arm(wait)
  else
    st.timer:stop()
    st.due = nil
    if st.idling then
      st.idle:stop()
      st.idling = false
    end
  end
end

local function on_timer()
  if not st then return end
  st.due = nil
  queue_step()
end

-- Start the one-shot timer `delay` seconds from now, unless it already fires
-- sooner. Never 0 ms: libuv (before 1.45) runs a timer re-armed for "now"
-- again in the same pass, which would starve the host's own timers.
local function on_idle()
  if not st then return end
  st.idle:stop()
  st.idling = false
  queue_step()
end

arm = function(delay)
  if delay <= 0 and st.idle then
    -- now: on the loop's next pass, after the host's own due timers and I/O
    -- (an idle handle, not a 1 ms timer: that was a floor under every request)
    if not st.idling then
      st.idling = true
      st.idle:start(on_idle)
    end
    return
  end
  local ms = math.max(math.floor(delay * 1000 + 0.5), 1)
  local due = st.uv.now() + ms
  if st.due and st.due <= due then return end
  st.timer:stop()
  st.due = due
  st.timer:start(ms, 0, on_timer)
end

local function on_work()
  if st.stepping or st.queued then return end -- the step in progress re-arms
  arm(0)
end

--- Drive heygen from a libuv loop. `uv` is `vim.uv`, `vim.loop` or luv.
--- Idempotent for the same loop; attaching to another loop moves the timer.
---@param uv table a luv module (vim.uv / vim.loop / require "luv")
---@param opts? {interval?: number, schedule?: fun(fn: function), on_error?: fun(message: string)}
---  interval: longest pause between steps while transfers are in flight, for a luv without
---    new_poll only (seconds, default 0.01): otherwise libcurl's sockets are watched;
---  schedule: how steps and callbacks reach the host (default vim.schedule, else direct);
---  on_error: where errors raised by loop callbacks go (default stderr).
---@return table uv the loop given
function M.attach(uv, opts)
  if type(uv) ~= "table" or type(uv.new_timer) ~= "function" then
    error("heygen.uv.attach: a luv module expected (vim.uv, vim.loop or require 'luv'), got " .. type(uv), 2)
  end
  opts = opts or {}
  check_options(opts)
  if st and st.uv ~= uv then M.detach() end
  if not st then
    st = { uv = uv, timer = uv.new_timer(), steps = 0, outbox = {},
      idle = type(uv.new_idle) == "function" and uv.new_idle() or nil,
      polls = type(uv.new_poll) == "function" and {} or nil, resync = true }
  end
  st.interval = opts.interval or DEFAULT_INTERVAL
  st.schedule = opts.schedule or default_schedule()
  st.on_error = opts.on_error
  scheduler.on_work = on_work
  if scheduler.pending() > 0 then arm(0) end
  return uv
end

--- Stop driving heygen from the loop and close the timer.
function M.detach()
  if not st then return end
  if scheduler.on_work == on_work then scheduler.on_work = nil end
  if st.polls then
    for fd in pairs(st.polls) do close_poll(fd) end
    scheduler.fds(false)
  end
  st.timer:stop()
  if not st.timer:is_closing() then st.timer:close() end
  if st.idle then
    st.idle:stop()
    if not st.idle:is_closing() then st.idle:close() end
  end
  st = nil
end

--- True while the timer is armed (work pending); false when idle or detached.
---@return boolean
function M.active()
  return st ~= nil and (st.due ~= nil or st.queued == true or st.idling == true)
end

--- Steps taken since attach (for status lines and tests).
---@return integer
function M.steps()
  return st and st.steps or 0
end

-- What fn's outcome means for a callback: heygen's `nil, err` convention and
-- raised errors both become `false, err`.
local function outcome(res)
  if not res[1] then return false, res[2] end
  if res[2] == nil and res.n >= 3 and res[3] ~= nil then return false, res[3] end
  return true, unpack(res, 2, res.n)
end

--- Run fn(...) as a heygen task on the attached loop; when it ends, call
--- on_done(true, results...) or on_done(false, err) through the schedule
--- function (vim.schedule in Neovim). `fn` returning `nil, err` counts as a
--- failure, as does an error it raises. Returns the task.
---@param fn function runs inside a heygen task: waits yield, they never block
---@param on_done? fun(ok: boolean, ...: any)
---@return heygen.Task
function M.run(fn, on_done, ...)
  if not st then error("heygen.uv.run: call require('heygen.uv').attach(vim.uv or vim.loop) first", 2) end
  if type(fn) ~= "function" then error("heygen.uv.run: function expected, got " .. type(fn), 2) end
  if on_done ~= nil and type(on_done) ~= "function" then
    error("heygen.uv.run: on_done must be a function, got " .. type(on_done), 2)
  end
  return scheduler.spawn(function(...)
    local res = pack(pcall(fn, ...))
    if on_done and st then
      -- delivered after the step, outside any task, through the schedule function
      local done = pack(outcome(res))
      st.outbox[#st.outbox + 1] = function() on_done(unpack(done, 1, done.n)) end
      on_work()
    elseif not res[1] then
      report(res[2]) -- nobody else would see it
    end
    if not res[1] then error(res[2], 0) end
    return unpack(res, 2, res.n)
  end, ...)
end

return M
