--[[ heygen.emulator: an offline, stateful HeyGen (v1/v2, v3) and fal.ai emulator.

Runs under lua5.4, LuaJIT and heygen-lua with luasocket and lua-cjson (and the openssl
command line to sign webhook deliveries: never heygen.core); never needs the network.
One port serves the API, the presigned downloads and the control interface.

START

  bin/heygen-emulator --port 8080 [--host 127.0.0.1] [--time-scale 200] [--api-key K]...
                      [--url-ttl SECONDS] [--quota UNITS] [--webhook-plain-http]
  heygen-lua bin/heygen-emulator --port 8080          (or luajit, lua5.4: any of them)
  heygen-lua -e 'require("heygen.emulator").main{"--port", "8080"}'

  prints exactly one line, then serves until POST /_emulator/shutdown:
    heygen-emulator listening on http://127.0.0.1:PORT
  --port 0 picks a free port. Without --api-key any non-empty X-Api-Key passes.
  --tls-cert CERT.pem --tls-key KEY.pem serve HTTPS instead (needs luasec, Debian lua-sec);
  clients then trust CERT.pem (heygen.client{cainfo = "CERT.pem"}) or refuse to connect.
  --state PATH keeps jobs, videos and the rest in PATH (heygen.emulator.persist): read at
  start when it exists, written after each request; a job survives a restart, and its
  render time goes on while the emulator is down.

FROM LUA (tests, the demo, users' CI)

  local emulator = require "heygen.emulator"
  local h = emulator.spawn{time_scale = 200, api_keys = {"k"}, port = 0, lua = "lua5.4"}
  h.url, h.fal_url, h.upload_url    -- "http://127.0.0.1:PORT", h.url .. "/fal", h.url
  h:requests(filter)                -- logged requests; filter = path pattern or
                                    --   {method=, path=, since=}
  h:count(method, path_pattern)     -- how many logged requests match (method may be nil)
  h:reset()  h:config{time_scale=, api_keys=, url_ttl=, quota=, webhook_plain_http=}
  h:fault(spec) -> id   h:faults()   h:clear_faults()
  h:job(id, spec) -> job view       h:jobs()   h:next_job(spec)   h:advance(seconds)
  h:deliveries(since) -> webhook deliveries made (see WEBHOOKS)   h:webhooks{duplicate = N}
  h:stop()                          -- shutdown, wait for the process, remove temp files
  The child runs `lua` (default: the interpreter running this code, else lua5.4) with
  package.path led by this checkout's lua/ directory, and exits by itself when the
  parent process goes away. The control client is luasocket's socket.http, so the
  emulator never depends on the code it tests.
  emulator.new(opts) / emulator.serve(opts) run one in-process instead (blocking).
  spawn and new also take webhook_plain_http = true (see WEBHOOKS).

CONTROL INTERFACE (same port, no auth, control requests are not logged)

  GET    /_emulator/health                  {ok, url, time_scale}
  GET    /_emulator/requests[?since=SEQ&method=M&path=P]
         -> [{seq, conn, method, path, query, headers (lower-case), body (first 64 KB),
              body_size, status (0 = closed without an answer), t, request_id, fault}]
  POST   /_emulator/reset                   clears log, jobs, faults, queued job specs,
                                            webhook deliveries, pending retries and the
                                            duplicate counter; restores seed data and the
                                            starting quota (--quota); keeps time_scale,
                                            api_keys, url_ttl, webhook_plain_http
  GET|POST /_emulator/config                {time_scale, api_keys, url_ttl, quota, log_limit,
                                             webhook_plain_http}
  POST   /_emulator/shutdown
  POST   /_emulator/faults   spec | [spec]  -> {ok, id, ids}       (see faults.lua)
         match:  method, path (plain prefix or Lua pattern), times (default 1, -1 always),
                 skip (let N matches through first)
         action: status (+ body, headers, retry_after, retry_after_date) | delay (seconds,
                 may precede any action) | reset = "before_body"|"after_body" | truncate = N
                 | drop_after = N | malformed | html | error_body | expire | ignore_range
                 (a 200 of the whole file to a Range) | lie_206 (a 206 of it all from byte 0);
                 processed = true runs the route first (a create takes effect), then the
                 fault spoils the answer
  GET    /_emulator/faults                  armed faults with remaining counts and hits
  DELETE /_emulator/faults                  disarm all
  GET    /_emulator/jobs, /_emulator/jobs/{id}    job views {id, kind, status, ...}
  POST   /_emulator/jobs/{id}   {stuck = true|false} stays in its last running phase
                                {fail = true | {code=, message=, detail=}} fails now
                                {complete = true}   completes now
                                {size = N}          pads its .mp4 download to N bytes
  POST   /_emulator/next_job    same spec (+ kind = "video"|"workflow"|"translate"|...) for
                                the next created job; `fail` then happens when it would
                                have completed (a poll-time failure)
  POST   /_emulator/advance     {seconds = N}  jumps job time N nominal seconds ahead
  GET    /_emulator/deliveries[?since=SEQ]
         -> [{seq, event_id (request_id for fal), event_type, url, signed, attempts,
              status (last HTTP status, 0 = no answer), error, delivered, duplicate, body}]
  POST   /_emulator/webhooks    {duplicate = N}  the next N successful deliveries are each
                                sent a second time right after (same id, body, signature)

  Test routes for the C core (logged and faultable like the API):
  ANY /_emulator/test/echo             {method, path, query, headers, body, conn}
  GET /_emulator/test/bytes?n=N        N bytes, byte i = i % 251; Range and HEAD honoured
  GET /_emulator/test/delay?ms=M       answers after M ms
  ANY /_emulator/test/status?code=C[&retry_after=S]
  GET /_emulator/test/redirect?to=URL[&code=302]

TIME

  Jobs advance by clock: nominal durations (video waiting 5 s + pending 15 s + processing
  120 s; workflow submitted 5 s + processing 60 s; translate pending 30 s + running 300 s)
  divided by time_scale. Download URLs /files/<id>.<ext>?Expires=&Signature= are signed
  afresh on each status read, valid url_ttl seconds (7 days); expired or tampered ones 403.

WEBHOOKS (heygen.emulator.deliver; docs/heygen-v3.md 8, heygen-api.md 3.17, fal-api.md 2.4)

  Events are noted when a job ends, polled or not: a sweep of the server loop (every
  50 ms, only while a v3 endpoint is registered or a job has a callback) builds the view
  of each unfinished job. A poll and the sweep never note or send an outcome twice.
  v3: every endpoint (POST /v3/webhooks/endpoints) whose events are null or list the
    event type and whose entity_id (if set) is the job's id gets the event exactly as
    GET /v3/webhooks/events lists it, {event_id, event_type, created_at, event_data},
    signed: `Signature` and `X-HeyGen-Signature` are both the hex HMAC-SHA256 of the raw
    body keyed by the endpoint secret, whsec_ prefix included [INF: documented headers
    were not found; these are what community receivers check]. Endpoints and secrets are
    read when the event happens (a rotated secret signs later events, a deleted endpoint
    gets nothing, PATCHed events apply from then on); outcomes that happened before the
    first endpoint existed are not sent. A create's callback_url (videos, video agents,
    translations, lipsyncs, templates) gets the same body unsigned (8.5). Video batches
    send batch.finished {batch_id, status, total_items, counts_by_status, items,
    callback_id} when every item ended, to the batch's callback_url and endpoints.
    Lipsyncs send lipsync.success | lipsync.fail [INF: not in the event enum] to
    their own callback_url only (never to endpoints, never in GET /v3/webhooks/events).
  v1/v2 creates with callback_url get the legacy body, unsigned (3.17):
    {"event_type": "avatar_video.success", "event_data": {video_id, url, callback_id}},
    avatar_video.fail {video_id, msg, callback_id}, video_translate.success
    {video_translate_id, url, callback_id, output_language}, .fail with message.
  fal: submit ?fal_webhook=URL (the answer gains gateway_request_id); when the request
    ends: {request_id, gateway_request_id, status = "OK" | "ERROR", payload (the result
    route's body), error (null | "Invalid status code: N")} with X-Fal-Webhook-Request-Id,
    -User-Id ("emulator-user"), -Timestamp (unix s) and -Signature: hex Ed25519 over
    request_id \n user_id \n timestamp \n sha256_hex(body), one key pair per process,
    public key at GET /fal/.well-known/jwks.json (kid "emulator-1"). A cancelled request
    gets nothing.
  Sending [INF]: one queue per URL in event order; 10 s per attempt; a refused or timed
  out connection or a non-2xx answer is retried, 4 attempts in all, after 1, 2, 4 s
  nominal time (divided by time_scale). https:// goes through luasec without certificate
  checks (a test tool), or as plain HTTP to the same host:port with webhook_plain_http.

ROUTE MODULES

  Route files are loaded in order: heygen.emulator.control, heygen.emulator.deliver,
  heygen.emulator.legacy, then
  heygen.emulator.v3 and heygen.emulator.fal when they exist (fal routes live under the
  path prefix /fal/, e.g. POST /fal/bytedance/seedance-2.0/text-to-video). A module returns
  either
    { register = function(app, state) ... end }     or
    { {method, path_pattern, handler, auth=, gen=, headers=}, ... }   (a list of routes)
  app:add(method, pattern, handler, opts) adds one route:
    method   "GET" | "POST" | "PUT" | "DELETE" | ... | "ANY" (HEAD uses GET routes)
    pattern  Lua pattern on the path, anchored for you; captures become handler args
    handler  function(req, state, cap1, cap2, cap3) -> res
    opts.auth   "api_key" (X-Api-Key, 401 in the route's generation) or
                function(req, state) -> error response | nil
    opts.gen    "v1" | "v2" | "v3" | "workflow" | "fal": error envelope for 401/404/405
                and for faults (default from the path prefix)
    opts.headers  added to every answer of the route
  req = {conn, method, path, target, query, headers (lower-case), body, t, id, gen};
  res = {status, headers, body | stream = {size, read(off, len)} | chunks = fn, ranges,
         close} (see httpd.lua). heygen.emulator.httpd.sleep(s) stalls one connection.
  Helpers: heygen.emulator.reply (JSON envelopes, reply.null, reply.array for lists that
  may be empty), state:create_job(kind, fields), state:status(job), state:failure(job),
  state.kinds[name] = {phases = {{name, seconds}...}, done =, failed =, failure =},
  state:signed_url(req, name), state:base(req), state:id(n), state:charge(kind, test),
  state:authorized(key), state:on_reset(fn) (clear a module's own state on reset),
  state:on_create(fn) (every new job), state.webhooks (deliver.lua: send, watcher),
  state.jobs, state.catalogue, heygen.emulator.media.

LIMITS

  One process, one thread: about 1000 simultaneous connections (select()), roughly
  5-15k small requests per second on loopback depending on the interpreter.
]]
local State = require "heygen.emulator.state"
local App = require "heygen.emulator.app"
local httpd = require "heygen.emulator.httpd"

local M = {}

M.ROUTE_MODULES = {"heygen.emulator.control", "heygen.emulator.deliver", "heygen.emulator.legacy"}
M.OPTIONAL_MODULES = {"heygen.emulator.v3", "heygen.emulator.fal"}

-- require() that returns nil only when the module itself does not exist.
local function optional(name)
  local ok, mod = pcall(require, name)
  if ok then return mod end
  if tostring(mod):find("module '" .. name .. "' not found", 1, true) then return nil end
  error(mod, 0)
end

local NEW_KEYS = {host = true, port = true, time_scale = true, api_keys = true, url_ttl = true,
                  quota = true, log_limit = true, watch_stdin = true, modules = true,
                  tls_cert = true, tls_key = true, webhook_plain_http = true, state = true}

local Emulator = {}
Emulator.__index = Emulator
Emulator.__name = "heygen.emulator.Emulator"

--- Builds an emulator bound to host:port (not yet serving). nil, message on failure.
--- opts: host, port (0), time_scale, api_keys, url_ttl, quota, log_limit,
--- watch_stdin (stop at EOF on stdin), modules (extra route modules),
--- webhook_plain_http (https:// webhook URLs sent as plain HTTP).
function M.new(opts)
  opts = opts or {}
  for k in pairs(opts) do
    if not NEW_KEYS[k] then error("heygen.emulator.new: unknown option '" .. tostring(k) .. "'", 2) end
  end
  local state, err = State.new({time_scale = opts.time_scale, api_keys = opts.api_keys,
                                url_ttl = opts.url_ttl, quota = opts.quota, log_limit = opts.log_limit,
                                webhook_plain_http = opts.webhook_plain_http})
  if not state then return nil, err end
  local app = App.new(state)
  for _, name in ipairs(M.ROUTE_MODULES) do app:load(require(name)) end
  for _, name in ipairs(M.OPTIONAL_MODULES) do
    local mod = optional(name)
    if mod then app:load(mod) end
  end
  for _, mod in ipairs(opts.modules or {}) do
    app:load(type(mod) == "string" and require(mod) or mod)
  end
  if opts.state then
    local persist = require "heygen.emulator.persist"
    local loaded, lerr = persist.load(state, opts.state)
    if loaded == nil then return nil, lerr end
    local saved, serr = persist.save(state, opts.state) -- a path it cannot write is said now
    if not saved then return nil, "emulator state " .. opts.state .. ": " .. tostring(serr) end
    state.persist_path = opts.state
  end
  local tls = opts.tls_cert and {certificate = opts.tls_cert, key = opts.tls_key or opts.tls_cert}
  local server, serr = httpd.new({host = opts.host or "127.0.0.1", port = opts.port or 0,
                                  app = app:handlers(), tls = tls})
  if not server then return nil, serr end
  if opts.watch_stdin then server:watch_fd(0) end
  app.server = server
  state.scheme = tls and "https" or "http"
  state.base_url = state.scheme .. "://" .. server.host .. ":" .. server.port
  return setmetatable({url = state.base_url, port = server.port, state = state, app = app,
                       server = server}, Emulator)
end

function Emulator:run()
  self.server:run()
  require("heygen.emulator.sign").forget(self.state.fal_keys) -- the fal signing key's file
end
function Emulator:stop() self.server:stop() end

--- Runs an emulator in this process until shutdown (blocking).
function M.serve(opts)
  local emu, err = M.new(opts)
  if not emu then return nil, err end
  emu:run()
  return true
end

---------------------------------------------------------------------------------------
-- command line

local USAGE = [[
usage: heygen-emulator [--port N] [--host H] [--time-scale N] [--api-key K]...
                       [--url-ttl SECONDS] [--quota UNITS] [--tls-cert PEM --tls-key PEM]
                       [--webhook-plain-http] [--state PATH]
]]

local FLAGS = {
  ["--port"] = {"port", tonumber}, ["--host"] = {"host", tostring},
  ["--time-scale"] = {"time_scale", tonumber}, ["--url-ttl"] = {"url_ttl", tonumber},
  ["--quota"] = {"quota", tonumber}, ["--api-key"] = {"api_keys", tostring, true},
  ["--tls-cert"] = {"tls_cert", tostring}, ["--tls-key"] = {"tls_key", tostring},
  ["--state"] = {"state", tostring},
}

local function parse_args(argv)
  local opts, i = {}, 1
  while argv[i] do
    local a = argv[i]
    local name, inline = a:match("^(%-%-[%w-]+)=(.*)$")
    name = name or a
    local flag = FLAGS[name]
    if a == "--parent-watch" then
      opts.watch_stdin = true
    elseif a == "--webhook-plain-http" then
      opts.webhook_plain_http = true
    elseif a == "-h" or a == "--help" then
      return nil, nil, true
    elseif not flag then
      return nil, "unknown argument '" .. a .. "'"
    else
      local raw = inline
      if raw == nil then i = i + 1; raw = argv[i] end
      local v = raw and flag[2](raw)
      if v == nil then return nil, name .. " needs a value" end
      if flag[3] then
        opts[flag[1]] = opts[flag[1]] or {}
        table.insert(opts[flag[1]], v)
      else
        opts[flag[1]] = v
      end
    end
    i = i + 1
  end
  return opts
end

--- CLI entry: parses argv (default: the global arg), prints the listening line, serves.
--- Returns true after a clean shutdown; nil, message on bad arguments or bind errors.
function M.main(argv)
  argv = argv or _G.arg or {}
  local opts, err, help = parse_args(argv)
  if help then io.stdout:write(USAGE) return true end
  if not opts then
    io.stderr:write("heygen-emulator: ", err, "\n", USAGE)
    return nil, err
  end
  local emu, nerr = M.new(opts)
  if not emu then
    io.stderr:write("heygen-emulator: ", tostring(nerr), "\n")
    return nil, nerr
  end
  io.stdout:write("heygen-emulator listening on ", emu.url, "\n")
  io.stdout:flush()
  emu:run()
  return true
end

---------------------------------------------------------------------------------------
-- spawn: a child process and its control client (emulator/spawn.lua)

M.spawn = require("heygen.emulator.spawn").spawn

return M
