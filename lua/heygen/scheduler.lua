--- One loop per Lua state: tasks (coroutines), timers and the curl multi handle.
--
-- Everything that waits goes through `suspend`: inside a heygen task it
-- yields; outside one it drives the loop until its own wake-up arrives. So the
-- same code serves blocking scripts, game loops calling `step(0)`, and editors.
local core = require "heygen.core"
local slots = require "heygen.scheduler.slots"

local M = {}

local unpack = table.unpack or unpack
local pack = table.pack or function(...) return { n = select("#", ...), ... } end
local traceback = debug.traceback

local YIELD = setmetatable({}, { __tostring = function() return "heygen.scheduler.yield" end })

-- Connections per host, and transfers handed to libcurl per origin (the rest
-- wait in heygen.scheduler.slots)
local PER_ORIGIN = 64
local multi = core.multi { max_host_connections = PER_ORIGIN }
local task_of = setmetatable({}, { __mode = "k" }) -- coroutine -> task
local waiters = {}  -- request id -> wake function
local nwaiting = 0  -- requests in flight
local ready_task, ready_values = {}, {} -- tasks to resume and their values, FIFO
local ready_head, ready_tail = 1, 0
local NO_VALUES = { n = 0 }

--- Set by hosts that drive the loop from an event loop of their own
-- (heygen.uv): called whenever work is added (a runnable task, a timer, a
-- transfer), so they can wake up and call step.
M.on_work = nil
local function work_added()
  local hook = M.on_work
  if hook then hook() end
end

local timers = require("heygen.scheduler.timers").new(work_added)
local fire_timers = timers.fire

--- Call fn(arg) after `seconds`; returns a handle whose `cancel()` disarms it.
M.after = timers.after

------------------------------------------------------------------- tasks

local Task = {}
Task.__index = Task
Task.__name = "heygen.Task"

function Task:__tostring()
  return string.format("heygen.Task (%s)", self.status)
end

local function task_finish(task, ok, ...)
  task.status = ok and "done" or "failed"
  task.results = pack(ok, ...)
  task_of[task.co] = nil
  for _, wake in ipairs(task.joiners) do wake() end
  task.joiners = {}
end

-- What coroutine.resume gave back (no table built: this runs for every wake-up).
local function resumed(task, ok, first, ...)
  local co = task.co
  if not ok then
    -- an error escaped our own wrapper: report it like any task failure
    return task_finish(task, false, traceback(co, tostring(first)))
  end
  if coroutine.status(co) == "dead" then
    return task_finish(task, first, ...)
  end
  if first ~= YIELD then
    return task_finish(task, false, traceback(co,
      "coroutine.yield called directly inside a heygen task (use heygen.sleep or a job call)"))
  end
end

local function resume(task, values)
  if values.n == 0 then return resumed(task, coroutine.resume(task.co)) end
  return resumed(task, coroutine.resume(task.co, unpack(values, 1, values.n)))
end

local function run_ready()
  while ready_head <= ready_tail do
    local i = ready_head
    local task, values = ready_task[i], ready_values[i]
    ready_task[i], ready_values[i] = nil, nil
    ready_head = i + 1
    resume(task, values)
  end
  ready_head, ready_tail = 1, 0
end

local function schedule(task, values)
  ready_tail = ready_tail + 1
  ready_task[ready_tail], ready_values[ready_tail] = task, values or NO_VALUES
  work_added()
end

--- The heygen task running now, or nil when the caller is not in one.
function M.current()
  local co = coroutine.running()
  return co and task_of[co] or nil
end

--- A wake-up for the current waiter (task or blocking caller). Only the first
-- call of a given wake-up counts; later ones are ignored, so several event
-- sources (a reply, a timer) can race safely.
function M.waiter()
  local task = M.current()
  local w = { task = task, fired = false, wake = false } -- every field now: no rehash below
  function w.wake(...)
    if w.fired then return end
    w.fired = true
    local values = select("#", ...) == 0 and NO_VALUES or pack(...)
    if task then
      schedule(task, values)
    else
      w.values = values
    end
  end
  return w
end

--- Wait until w.wake is called; returns the values given to it.
function M.suspend(w)
  if w.task then return coroutine.yield(YIELD) end
  while not w.fired do
    if M.step(3600) == 0 and not w.fired then
      error("heygen: nothing is in flight that could end this wait (deadlock)", 2)
    end
  end
  return unpack(w.values, 1, w.values.n)
end

--- Start fn(...) as a task on the loop; it first runs at the next step.
function M.spawn(fn, ...)
  assert(type(fn) == "function", "heygen.spawn: function expected")
  local args = pack(...)
  local task = setmetatable({ status = "running", joiners = {} }, Task)
  task.co = coroutine.create(function()
    return xpcall(function() return fn(unpack(args, 1, args.n)) end,
      function(e) return traceback(type(e) == "string" and e or tostring(e), 2) end)
  end)
  task_of[task.co] = task
  schedule(task)
  return task
end

--- Non-raising result: true, ... on success; false, message on error.
function Task:result()
  if self.status == "running" then return nil, "task still running" end
  return unpack(self.results, 1, self.results.n)
end

--- Wait for the task; returns its results, or raises its error (with the
-- task's traceback) in the waiter.
function Task:wait()
  if self.status == "running" then
    local w = M.waiter()
    self.joiners[#self.joiners + 1] = w.wake
    M.suspend(w)
  end
  local r = self.results
  if r[1] then return unpack(r, 2, r.n) end
  error(r[2], 0)
end

function Task:done() return self.status ~= "running" end

------------------------------------------------------------------ requests

-- records: what perform/action returned; nil when heygen.core had no memory
-- even for the list (what finished stays queued there for the next step).
local function dispatch(records)
  if not records then return end
  for i = 1, #records do
    local rec = records[i]
    local wake = waiters[rec.id]
    if wake then
      waiters[rec.id] = nil
      nwaiting = nwaiting - 1
      wake("done", rec)
    end
  end
end

--- Start an HTTP transfer (options of core Multi:add); returns its id, or
-- nil, message, curl code. `wake("done", record)` runs when it finishes.
function M.start(opts, wake)
  local id, err, code = multi:add(opts)
  if not id then return nil, err, code end
  waiters[id] = wake
  nwaiting = nwaiting + 1
  work_added()
  return id
end

--- Abandon a transfer; its wake-up never runs.
function M.cancel(id)
  if waiters[id] then
    waiters[id] = nil
    nwaiting = nwaiting - 1
    multi:cancel(id)
  end
end

--- Bytes done, total (or nil) and the file offset its body starts at, of a
-- transfer in flight.
function M.progress(id)
  return multi:progress(id)
end

local origin_of = slots.origin_of
--- The scheme://authority of a URL, as M.request's slots count them (a caller that
-- knows it passes it as M.request's 4th argument).
M.origin_of = origin_of
local acquire, release = slots.new(PER_ORIGIN, M.waiter, M.suspend)

--- Perform one HTTP transfer and wait for its completion record. With
-- `tick` (seconds) and `on_tick(id)`, calls on_tick at that interval while
-- in flight, from the waiting task itself (so its errors stay in that task).
-- `origin`: the URL's M.origin_of when the caller knows it (else found here).
-- A transfer without tick (every API call): one closure, and no waiter table or
-- packed wake values, which the general path below makes per request.
local function request_untimed(opts, origin)
  local task = M.current()
  local rec
  local id, err, code = M.start(opts, function(_, r)
    rec = r
    release(origin)
    if task then schedule(task, NO_VALUES) end
  end)
  if not id then
    release(origin)
    return nil, err, code
  end
  while not rec do
    if task then
      coroutine.yield(YIELD)
    elseif M.step(3600) == 0 and not rec then
      error("heygen: nothing is in flight that could end this wait (deadlock)", 3)
    end
  end
  return rec
end

function M.request(opts, tick, on_tick, origin)
  local rec
  origin = origin or origin_of(opts.url or "")
  acquire(origin)
  if not tick then return request_untimed(opts, origin) end
  local w = M.waiter()
  local id, err, code = M.start(opts, function(_, r)
    rec = r
    release(origin)
    w.wake()
  end)
  if not id then
    release(origin)
    return nil, err, code
  end
  while true do
    local timer = tick and M.after(tick, function() w.wake() end)
    M.suspend(w)
    if timer then timer.cancel() end
    if rec then return rec end
    on_tick(id)
    w = M.waiter()
  end
end

--- Sleep: yields inside a task, drives the loop (so other tasks run) outside.
function M.sleep(seconds)
  local w = M.waiter()
  M.after(seconds, w.wake)
  M.suspend(w)
end

------------------------------------------------------------------- driving

--- Operations in flight: transfers, armed timers and runnable tasks.
function M.pending()
  return nwaiting + timers.live() + (ready_tail - ready_head + 1)
end

--- HTTP transfers in flight. While there are any, a host loop that does not
-- watch their sockets (see fds) steps more often than timeout() says.
function M.transfers()
  return nwaiting
end

--- Seconds until the loop next needs attention (0: now), or nil when idle.
function M.timeout()
  if ready_tail >= ready_head then return 0 end
  local t, at = nil, timers.next_at()
  if at then t = math.max(at - core.now(), 0) end
  if nwaiting > 0 then
    local ms = multi:timeout()
    if ms >= 0 and (not t or ms / 1000 < t) then t = ms / 1000 end
    t = t or 1
  end
  return t
end

local prepared = {} -- cainfo .. "\0" .. capath -> true: CA stores the multi holds parsed

--- Parse the CA store now, not inside the step of the first HTTPS connection (Debian's
-- bundle: about 20 ms). The multi keeps it for every later connection (libcurl's CA
-- cache), so a host pays it at setup (heygen.client{} does, for an https:// base URL).
-- Only while nothing is in flight; once per CA file and directory. Returns true, or
-- nil and why it could not (the first connection then parses it, as before).
---@param cainfo? string CA bundle file (default: libcurl's)
---@param capath? string CA directory
---@return true|nil ok
---@return string? why
function M.prepare_tls(cainfo, capath)
  local key = (cainfo or "") .. "\0" .. (capath or "")
  if prepared[key] then return true end
  -- libcurl that cannot be loaded (heygen-lua loads it on first use) is the first transfer's error
  local called, ok, why = pcall(multi.prepare_tls, multi, { cainfo = cainfo, capath = capath })
  if not called then return nil, tostring(ok) end
  if ok then prepared[key] = true end
  return ok, why
end

--- Drive I/O and timers once, waiting at most `timeout` seconds (default 0)
-- for something to happen. Returns the number of operations still pending.
-- One step does a bounded amount of transfer work (heygen.core's work_bytes
-- and work_ms); what is left waits for the next step, and timeout() says 0.
function M.step(timeout)
  timeout = timeout or 0
  run_ready()
  fire_timers()
  run_ready()
  if nwaiting > 0 or (timeout > 0 and timers.live() > 0) then
    local wait, at = timeout, timers.next_at()
    if ready_tail >= ready_head then wait = 0 end
    if at then wait = math.min(wait, math.max(at - core.now(), 0)) end
    dispatch(multi:perform(wait * 1000))
    fire_timers()
    run_ready()
  end
  return M.pending()
end

--- The sockets of the transfers in flight, for a host loop that watches them
-- instead of stepping on a timer: the first call (or `all` true) lists every
-- one, later calls what changed since, in order; each `{fd=, events=}` with
-- events "r", "w", "rw", or "" for a socket no longer to watch. `all` false:
-- the host stops watching (changes are no longer kept). A host calls step(0)
-- when a socket is ready or timeout() has passed, then reads fds() again.
function M.fds(all)
  return multi:fds(all)
end

--- Act on one socket a host saw ready (`events` "r", "w", "rw"; "e" for an
-- error), or with no fd on libcurl's timer, then run what that woke; one work
-- budget, like step(0). Returns the number of operations still pending.
function M.action(fd, events)
  fire_timers()
  run_ready()
  if nwaiting > 0 then
    dispatch(multi:action(fd, events))
    fire_timers()
    run_ready()
  end
  return M.pending()
end

--- Run fn(...) as a task and drive the loop until it returns; returns its
-- results or raises its error.
function M.run(fn, ...)
  local task = M.spawn(fn, ...)
  while not task:done() do M.step(3600) end
  return task:wait()
end

--- Wait for every job or task in `list` concurrently (heygen.scheduler.all).
M.all = require("heygen.scheduler.all").new(M.spawn, Task)

M.Task = Task
return M
