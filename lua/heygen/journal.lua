--- heygen.journal: the job journal (docs/reliability.md), one JSON entry a line.
--
-- Each entry stands alone, whatever else writes the file or however a write ends:
--   * it is written with one write() (an unbuffered stream, one f:write of the whole
--     line) on a file opened for appending (O_APPEND), so entries from two processes
--     never interleave, however long;
--   * it starts on a fresh line ("\n" before it), so a line cut short by a full disk or
--     a crash never swallows the next entry;
--   * it ends with a tab and the Adler-32 of its JSON, so a torn or altered line is
--     recognised and skipped (with a warning), never half-read;
--   * it is flushed before the call that wrote it returns. heygen.core offers no fsync,
--     so an entry is in the kernel when the call returns (it survives the process being
--     killed), not necessarily on the platter when the machine loses power.
--
-- Entries ("event"):
--   intent   a create about to be sent: id (its Idempotency-Key on v3, else a fresh
--            token), key (v3), call, args, api, method, path, time
--   created  a job or batch the API made: kind, id, api, fields, intent (the create's)
--   settled  an intent's create is over (outcome "done" | "failed" | "checked")
--   finished a job or batch ended: kind, id, status; a completed job with a file to
--            download also its result (it stays kept until "downloaded" or "forgotten")
--   downloaded a job's file is on disk: kind, id, path
--   forgotten the user dropped a job (heygen.forget): kind, id
-- Lines of the format before checksums (no tab) are read as they are.
local core = require "heygen.core"
local util = require "heygen.util"

local M = {}

M.EVENTS = { intent = true, created = true, settled = true, finished = true, downloaded = true, forgotten = true }
-- the events about one job or batch, which carry its kind and id
local ABOUT_JOB = { created = true, finished = true, downloaded = true, forgotten = true }

--- The line an entry is written as (with its leading and trailing newline).
function M.line(entry)
  local json, err = core.json_encode(entry)
  if not json then return nil, err end
  return "\n" .. json .. "\t" .. util.adler32(json) .. "\n"
end

--- Append one entry to the journal at `path`. Returns true, or nil and the system's message.
function M.append(path, entry)
  if not path then return true end
  local line, lerr = M.line(entry)
  if not line then return nil, "cannot encode the entry: " .. tostring(lerr) end
  local f, err = io.open(path, "a")
  if not f then return nil, err end
  f:setvbuf("no") -- the whole line in one write(), never split at a buffer's edge
  local ok, werr = f:write(line)
  if ok then ok, werr = f:flush() end
  f:close()
  if not ok then return nil, werr end
  return true
end

-- One line -> entry, or nil and why it was skipped.
local function parse(line)
  local json, sum = line:match("^(.*)\t(%x%x%x%x%x%x%x%x)%s*$")
  if json then
    if util.adler32(json) ~= sum:lower() then return nil, "checksum mismatch (a torn or altered line)" end
  else
    json = line
  end
  local e = core.json_decode(json)
  if type(e) ~= "table" then return nil, "not a JSON object" end
  if not M.EVENTS[e.event] then return nil, "unknown event " .. tostring(e.event) end
  if ABOUT_JOB[e.event] then
    if type(e.kind) ~= "string" or type(e.id) ~= "string" or e.id == "" then
      return nil, "an entry without a kind and an id string"
    end
  elseif e.event == "intent" then
    if type(e.id) ~= "string" or e.id == "" then return nil, "an intent without an id string" end
    if e.key ~= nil and type(e.key) ~= "string" then return nil, "an intent whose key is not a string" end
  elseif type(e.intent) ~= "string" then
    return nil, "a settled entry without an intent id"
  end
  return e
end

--- Every entry of the journal, in order; lines that are not entries are skipped,
-- each reported to warn(message). A missing file is no entries.
function M.read(path, warn)
  local f = io.open(path, "rb")
  if not f then return {} end
  local out, n = {}, 0
  for line in f:lines() do
    n = n + 1
    if line:find("%S") then
      local e, why = parse(line)
      if e then
        out[#out + 1] = e
      elseif warn then
        warn(string.format("heygen.resume: %s line %d skipped: %s", path, n, why))
      end
    end
  end
  f:close()
  return out
end

------------------------------------------------------------------ what happens to a job

--- The URL of the file a completed job made (what job:download fetches), or nil.
function M.file_url(job)
  local r = job.result
  return type(r) == "table" and (r.video_url or r.url) or nil
end

-- The plain (string, number, boolean) fields of `t` under string keys, but for `skip`'s.
local function plain(t, skip)
  local out, any = {}, false
  for k, v in pairs(t or {}) do
    local ty = type(v)
    if type(k) == "string" and not (skip and skip[k]) and (ty == "string" or ty == "number" or ty == "boolean") then
      out[k], any = v, true
    end
  end
  return out, any
end

--- One entry about a job (or batch) in its client's journal, and in the journal
-- heygen.resume read it from (so that journal learns its end, whatever client follows it).
function M.note(job, entry)
  local st = job._state
  local ok, err = M.append(st.client.journal, entry)
  if st.journal_path and st.journal_path ~= st.client.journal then M.append(st.journal_path, entry) end
  return ok, err
end

-- fields a created entry leaves out: what it says in its own words, and private ones
local NOT_FIELDS = { id = true, kind = true, status = true }

--- A job was created: its kind, id and the plain fields re-attaching needs (a fal job's
-- queue URLs, a workflow's provider, ...). Returns true, or nil and the system's message.
function M.job_created(job)
  local fields, any = plain(job, NOT_FIELDS)
  for k in pairs(fields) do
    if k:sub(1, 1) == "_" then fields[k] = nil end
  end
  return M.note(job, { event = "created", kind = job.kind, id = job.id, api = job._state.client.api,
    provider = job.provider, fields = any and fields or nil, time = os.time(), intent = M.current_intent() })
end

--- A job ended (once). A completed job with a file to download carries its result (its
-- plain fields): the journal keeps it until "downloaded" or "forgotten", and heygen.resume
-- gives it back done.
-- A completed job whose status is asked again (a download refreshing an expired
-- URL) is noted again when its file URL changed: resume then starts from the freshest.
function M.job_finished(job)
  local st = job._state
  local url = job.status == "completed" and M.file_url(job) or nil
  if st.journaled_end and (url == nil or url == st.journaled_url) then return end
  st.journaled_end, st.journaled_url = true, url
  local entry = { event = "finished", kind = job.kind, id = job.id, status = job.status }
  if url then entry.result = plain(job.result) end
  M.note(job, entry)
end

--- A job given back done by heygen.resume from its journaled end: that end (and its file
-- URL) is already written, so job_finished writes again only when the URL changes.
function M.job_resumed_finished(job)
  job._state.journaled_end, job._state.journaled_url = true, M.file_url(job)
end

--- A job's file is on disk at `path`: the journal no longer keeps the job.
function M.job_downloaded(job, path)
  M.note(job, { event = "downloaded", kind = job.kind, id = job.id, path = path, time = os.time() })
end

------------------------------------------------------------------ the call being made

-- Per coroutine, the endpoint calls in progress (innermost last): what an intent
-- records, so that heygen.resume can make the same call again.
local CALLS = setmetatable({}, { __mode = "k" })
local MAIN = {} -- Lua 5.1/LuaJIT: coroutine.running() is nil outside a coroutine

local function stack()
  local co = coroutine.running() or MAIN
  local s = CALLS[co]
  if not s then
    s = {}
    CALLS[co] = s
  end
  return s
end

--- An endpoint call begins: name, its positional arguments, and the caller's
-- Idempotency-Key (nil: the endpoint makes one). An inner call inherits the key.
function M.begin_call(client, name, args, key)
  local s = stack()
  local outer = s[#s]
  local ctx = { client = client, name = name, args = args, key = key or (outer and outer.key), intents = {},
    depth = #s + 1 }
  s[#s + 1] = ctx
  return ctx
end

--- The call in progress in this coroutine, or nil.
function M.current()
  local s = CALLS[coroutine.running() or MAIN]
  return s and s[#s]
end

--- The call ends (value: what it returned; err: its error). Every intent it opened
-- that is not left open on purpose (a create that may exist) is settled.
function M.end_call(ctx, value, err)
  local s = stack()
  for i = #s, ctx.depth, -1 do s[i] = nil end
  for _, intent in ipairs(ctx.intents) do
    if intent.open then
      intent.open = false
      M.append(ctx.client.journal, { event = "settled", intent = intent.id,
        outcome = value ~= nil and "done" or "failed" })
    end
  end
  return value, err
end

-- What an intent can record of the call's arguments: tables, strings, numbers and
-- booleans only (a function cannot be replayed).
local function replayable(args)
  if args == nil then return nil end
  local ok = core.json_encode(args)
  if not ok then return nil end
  return args
end

--- A create is about to be sent: journal it, with its Idempotency-Key when it has one.
-- Returns the intent ({id=, key=}), or nil and an io error: nothing may be sent
-- then, since a kill afterwards would leave a paid render no journal knows.
function M.open_intent(client, spec, url)
  local ctx = M.current()
  local key = spec.idempotency_key
  local intent = { id = key or ("intent-" .. util.random_hex(8)), key = key, open = true }
  local ok, err = M.append(client.journal, {
    event = "intent", id = intent.id, key = key, call = ctx and ctx.name, args = ctx and replayable(ctx.args),
    api = client.api, method = spec.method or "GET", path = spec.path or (url or ""):gsub("%?.*", ""),
    time = os.time(),
  })
  if not ok then return nil, err end
  if ctx then ctx.intents[#ctx.intents + 1] = intent end
  return intent
end

--- The create failed. When it may have made the render the intent stays open (resume
-- deals with it: re-sent with its key on v3, reported on legacy); else it is settled.
-- A create outside an endpoint call is settled as soon as it succeeds.
function M.close_intent(client, intent, err)
  if not intent.open then return end
  if err and err.maybe_created then
    err.intent = intent.id
    intent.open = false -- left open in the journal on purpose
    return
  end
  if err or not M.current() then
    intent.open = false
    M.append(client.journal, { event = "settled", intent = intent.id, outcome = err and "failed" or "done" })
  end
end

--- The intent the current call's latest create opened (for its created entry), or nil.
function M.current_intent()
  local ctx = M.current()
  local last = ctx and ctx.intents[#ctx.intents]
  return last and last.id
end

return M
