--[[ heygen.emulator.deliver: outgoing webhook deliveries, and the sweep that notices job
outcomes nobody polls.

DELIVERIES. Route modules queue a POST with deliver.send(st, item); it is made from inside
the server's select loop, never blocking it: each destination URL has a queue worked by
one task (httpd server:spawn, a coroutine like a connection's) with non-blocking
luasocket connect/send/receive (one attempt: deliver/attempt.lua). Deliveries to one URL
run in the order their events occurred, one at a time [INF]. An attempt has 10 s (real seconds: the receiver is real)
to connect, send, and read the status line; the rest of the answer is drained and
ignored, the connection closed. A failed connection, a timeout or a non-2xx status is
retried, 4 attempts in all, after 1, 2 and 4 s of nominal time divided by time_scale
[INF: HeyGen and fal do not document their retry schedules]. https:// URLs go through
luasec without any certificate verification (the emulator is a test tool, never a
production sender); without luasec they fail with an error naming it. With the config
key webhook_plain_http = true an https:// URL is sent as plain HTTP to the same host
and port, so tests can register the https URL the API demands and listen on loopback.
Host names are resolved by the (blocking) system resolver: use IP addresses or
localhost.

THE SWEEP. Jobs advance by clock, and events used to be noted only when a poll built a
job's view. From the server loop, at most every 50 ms, the sweep builds the view of
every watched job (any job while a v3 endpoint is registered, else only jobs with a
callback) that has not yet had its terminal event, so the event is noted, and
delivered, when the job ends. Modules add watchers (deliver.watcher) that build their
views; a poll and the sweep share the once-per-outcome keys the modules keep on jobs.

CONTROL (no auth, not logged):
  GET  /_emulator/deliveries[?since=SEQ]  [{seq, event_id (request_id for fal),
       event_type, url, signed, attempts, status (last HTTP status, 0 = no answer),
       error, delivered, duplicate, body}]
  POST /_emulator/webhooks {duplicate = N}  the next N successful deliveries are each sent
       once more right after (same event id, body and signature)
  POST /_emulator/reset clears deliveries, pending retries and the duplicate counter.
]]
local socket = require "socket"
local httpd = require "heygen.emulator.httpd"
local wire = require "heygen.emulator.deliver.attempt"   -- one attempt (connect, send, read the status)
local reply = require "heygen.emulator.reply"

local M = {}

M.ATTEMPTS = 4
M.BACKOFF = {1, 2, 4}      -- nominal seconds before attempts 2, 3, 4 [INF]
M.TIMEOUT = 10             -- real seconds per attempt
M.SWEEP_EVERY = 0.05
-- job fields naming a URL some module delivers the job's outcome to
M.CALLBACK_FIELDS = {"callback_url", "legacy_callback_url", "batch_callback_url", "fal_webhook"}

local null = reply.null
local now = socket.gettime

---------------------------------------------------------------------------------------
-- encodings the senders need

local B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

--- base64url without padding (RFC 4648 section 5), as JWKs want.
function M.base64url(s)
  local out = {}
  for i = 1, #s, 3 do
    local a, b, c = s:byte(i, i + 2)
    local n = a * 65536 + (b or 0) * 256 + (c or 0)
    local k = (b == nil) and 2 or (c == nil) and 3 or 4
    for _ = 1, k do
      local d = math.floor(n / 262144) % 64
      n = (n * 64) % 16777216
      out[#out + 1] = B64URL:sub(d + 1, d + 1)
    end
  end
  return table.concat(out)
end

---------------------------------------------------------------------------------------
-- the engine: records, per-URL queues, tasks, the sweep

local Engine = {}
Engine.__index = Engine
Engine.__name = "heygen.emulator.Deliveries"

local ITEM_KEYS = {url = true, body = true, headers = true, event_id = true, event_type = true,
                   signed = true}

--- Queues a delivery. item: url, body (the exact bytes), headers ({{name, value}...}),
--- event_id, event_type, signed (bool). Returns its record (nil during a quiet sweep).
function Engine:send(item)
  for k in pairs(item) do assert(ITEM_KEYS[k], "unknown delivery field " .. tostring(k)) end
  if self.quiet then return nil end
  return self:enqueue(item, false)
end

function Engine:enqueue(item, duplicate, front)
  self.seq = self.seq + 1
  local rec = {seq = self.seq, event_id = item.event_id or null, event_type = item.event_type or null,
               url = item.url, signed = item.signed and true or false, attempts = 0, status = 0,
               error = null, delivered = false, duplicate = duplicate, body = item.body}
  self.records[#self.records + 1] = rec
  local q = self.queues[item.url]
  if not q then
    q = {}
    self.queues[item.url] = q
  end
  table.insert(q, front and 1 or #q + 1, {item = item, rec = rec})
  if not q.running then self:start(item.url, q) end
  return rec
end

-- The task working one URL's queue until it is empty (or a reset abandons it).
function Engine:start(url, q)
  local server = self.app.server
  if not server then return end           -- not serving (yet): the queue waits
  q.running = true
  local gen = self.gen
  server:spawn(function(task)
    task.gen = gen
    self.tasks[task] = true
    while q[1] and self.gen == gen do
      local entry = table.remove(q, 1)
      local ok, err = pcall(self.deliver, self, task, entry)   -- coroutines yield across pcall (5.2+, LuaJIT)
      if not ok then
        wire.close(task)
        entry.rec.error = "emulator error: " .. tostring(err)
        io.stderr:write("heygen-emulator: webhook delivery: ", tostring(err), "\n")
      end
    end
    q.running = false
    self.tasks[task] = nil
    if self.queues[url] == q and not q[1] then self.queues[url] = nil end
  end)
end

function Engine:deliver(task, entry)
  local rec, item, gen = entry.rec, entry.item, self.gen
  for n = 1, M.ATTEMPTS do
    rec.attempts = n
    local status, err = wire.attempt(task, item, now() + M.TIMEOUT, self.st.webhook_plain_http)
    wire.close(task)
    if self.gen ~= gen then return end
    if err == "timeout" or (err and err:find(": timeout$")) then
      err = err:gsub("timeout$", "no answer within " .. M.TIMEOUT .. " s")
    end
    rec.status = status or 0
    if status and status >= 200 and status < 300 then
      rec.delivered, rec.error = true, null
      if not rec.duplicate and self.duplicates > 0 then
        self.duplicates = self.duplicates - 1
        self:enqueue(item, true, true)
      end
      return
    end
    rec.error = err or ("HTTP " .. status)
    if n < M.ATTEMPTS then
      httpd.sleep(M.BACKOFF[n] / self.st.time_scale)
      if self.gen ~= gen then return end
    end
  end
end

--- Registers fn(st, job, req) -> true once the job's terminal outcome is noted; the sweep
--- calls it for watched jobs. gate(st) -> true when every job is worth watching (a
--- registered endpoint), not only jobs with callbacks.
function Engine:watcher(fn, gate)
  self.watchers[#self.watchers + 1] = fn
  if gate then self.gates[#self.gates + 1] = gate end
end

local function has_callback(job)
  for _, f in ipairs(M.CALLBACK_FIELDS) do
    if job[f] then return true end
  end
  return false
end

function Engine:open()
  if self.callbacks > 0 then return true end
  for _, gate in ipairs(self.gates) do
    if gate(self.st) then return true end
  end
  return false
end

--- Watches a job (every created job is; call again after giving it a callback).
function Engine:watch(job)
  if job.seeded then return end
  local was, cb = self.watched[job], has_callback(job)
  if was == cb then return end
  if was == nil or cb then
    self.watched[job] = cb
    if cb then self.callbacks = self.callbacks + 1 end
  end
end

function Engine:unwatch(job)
  local cb = self.watched[job]
  if cb == nil then return end
  self.watched[job] = nil
  if cb then self.callbacks = self.callbacks - 1 end
end

-- Builds the view of each watched job, oldest first, so that outcomes are noted as they
-- happen. quiet: only watcher `only` runs, noting outcomes without sending any.
function Engine:sweep(quiet, only)
  if next(self.watched) == nil or not (quiet or self:open()) then return end
  -- only jobs whose clock says they ended (or, for a kind whose `done` is a midway
  -- phase, passed it): thousands of jobs in progress cost one status each, no view
  local st, jobs = self.st, {}
  for job in pairs(self.watched) do
    local def = job.def
    local s = def and st.jobs[job.id] == job and st:status(job)
    if not s or s == def.done or s == def.failed then jobs[#jobs + 1] = job end
  end
  table.sort(jobs, function(a, b) return (a.seq or 0) < (b.seq or 0) end)
  local req = {headers = {}, query = {}, method = "GET", path = "/", t = now()}
  self.quiet = quiet
  for _, job in ipairs(jobs) do
    if job.deleted or self.st.jobs[job.id] ~= job then
      self:unwatch(job)
    else
      local ended = false
      for _, fn in ipairs(self.watchers) do
        if not only or fn == only then
          local ok, done = pcall(fn, self.st, job, req)
          if not ok then io.stderr:write("heygen-emulator: webhook sweep: ", tostring(done), "\n") end
          if ok and done then ended = true end
        end
      end
      if ended and not quiet then self:unwatch(job) end
    end
  end
  self.quiet = nil
end

--- Notes, without sending, what watcher fn finds of jobs that ended while nobody was
--- listening (call when the first endpoint is registered).
function Engine:catch_up(fn) self:sweep(true, fn) end

function Engine:tick(t)
  local busy = next(self.tasks) ~= nil
  if t - self.swept >= M.SWEEP_EVERY then
    self.swept = t
    self:sweep(false)
    local late = {}
    for task in pairs(self.tasks) do
      if task.gen ~= self.gen then late[#late + 1] = {task, "reset"}
      elseif task.deadline and t >= task.deadline then late[#late + 1] = {task, "timeout"} end
    end
    for _, l in ipairs(late) do self.app.server:wake(l[1], l[2]) end
  end
  if busy or (next(self.watched) ~= nil and self:open()) then return M.SWEEP_EVERY end
end

function Engine:reset()
  self.gen = self.gen + 1
  self.records, self.queues, self.seq, self.duplicates = {}, {}, 0, 0
  self.watched, self.callbacks = {}, 0
end

function Engine:list(since)
  local out = {}
  for _, rec in ipairs(self.records) do
    if rec.seq > (since or 0) then out[#out + 1] = rec end
  end
  return reply.array(out)
end

---------------------------------------------------------------------------------------
-- module interface

--- The delivery engine of a state (made by register).
function M.of(st) return st.webhooks end

--- Queues a delivery on st's engine (see Engine:send).
function M.send(st, item) return st.webhooks:send(item) end

local function bad(message)
  return reply.json(400, {error = {code = "invalid_control_request", message = message}})
end

local function list(req, st)
  return reply.json(200, st.webhooks:list(tonumber(req.query.since or "")))
end

local function configure(req, st)
  local spec = req.body == "" and {} or reply.decode(req.body)
  if type(spec) ~= "table" then return bad("body must be a JSON object") end
  for k, v in pairs(spec) do
    if k ~= "duplicate" then return bad("unknown webhooks key '" .. tostring(k) .. "'") end
    if type(v) ~= "number" or v < 0 or v ~= math.floor(v) then return bad("duplicate must be a count >= 0") end
  end
  if spec.duplicate then st.webhooks.duplicates = reply.int(spec.duplicate) end
  return reply.json(200, {ok = true, duplicate = reply.int(st.webhooks.duplicates)})
end

function M.register(app, st)
  local eng = setmetatable({st = st, app = app, gen = 0, tasks = {}, watchers = {}, gates = {},
                            swept = 0}, Engine)
  eng:reset()
  st.webhooks = eng
  st:on_reset(function() eng:reset() end)
  st:on_create(function(_, job) eng:watch(job) end)
  app:on_tick(function(t) return eng:tick(t) end)
  app:add("GET", "/_emulator/deliveries", list, {gen = "control"})
  app:add("POST", "/_emulator/webhooks", configure, {gen = "control"})
end

return M
