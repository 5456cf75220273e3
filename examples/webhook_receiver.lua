#!/usr/bin/env heygen-lua
--- A webhook receiver: HeyGen says when a video is done, so nothing polls.
--   heygen-lua examples/webhook_receiver.lua --port 8088 --secret whsec_... --out-dir videos
--   heygen-lua examples/webhook_receiver.lua --register https://hooks.example.com/heygen --port 8088
-- Each delivery is checked (heygen.webhook.verify: HMAC-SHA256 of the raw body with the
-- endpoint's secret) and answered 401 when it is not genuine; each genuine event is said on
-- stderr (an event delivered twice once), and with --out-dir a finished video is downloaded
-- there and its path printed on stdout. With --json, stdout has one JSON line per event
-- instead (its path in it) and nothing else. --register creates the endpoint first (its secret is
-- printed on stderr: keep it, HeyGen shows it only once); the URL must reach this port over
-- HTTPS, e.g. through a reverse proxy. --count N stops after N events.
-- Without HEYGEN_API_KEY it runs the whole loop against the offline emulator: it registers an
-- endpoint at its own address, renders one video, receives its avatar_video.success delivery
-- and downloads the MP4.
local cli = require "heygen.cli"
local core = require "heygen.core"
local errors = require "heygen.errors"
local webhook = require "heygen.webhook"
local socket = require "socket"

local spec = {
  name = "webhook_receiver.lua",
  summary = "Receive HeyGen webhook deliveries, check their signatures, print the events and download finished videos.",
  options = {
    { "port", "number", "the port to listen on (0: any free one)", default = 8088 },
    { "host", "string", "the address to listen on", default = "127.0.0.1" },
    { "secret", "string", "the endpoint's secret (or HEYGEN_WEBHOOK_SECRET)", metavar = "WHSEC" },
    { "register", "string", "create an endpoint for this public https URL first", metavar = "URL" },
    { "events", "list", "with --register: the event types (default: all)" },
    { "out-dir", "string", "download each finished video into this directory", metavar = "DIR" },
    { "count", "number", "stop after this many events (0: never)", default = 0 },
    { "timeout", "number", "stop after this many seconds without an event (0: never)", default = 0,
      metavar = "SECONDS" },
    { "quiet", "flag", "no progress output" },
  },
}
local opts = cli.parse(arg, spec)
if opts["out-dir"] then -- a directory we cannot write to is found before anything is registered
  local probe = string.format("%s/.webhook_receiver-%d", opts["out-dir"], os.time())
  local f = io.open(probe, "w")
  if not f then cli.usage(spec, "--out-dir: cannot write to " .. opts["out-dir"] .. " (does it exist?)") end
  f:close()
  os.remove(probe)
end
local hg, emu = cli.connect()

local function note(...)
  if not opts.quiet then io.stderr:write(...) io.stderr:write("\n") end
end

local server, lerr = socket.bind(opts.host, opts.port)
if not server then
  cli.finish(opts, nil, errors.new { kind = "io", message = "cannot listen on " .. opts.host .. ":"
    .. opts.port .. ": " .. tostring(lerr) }, emu)
end
local _, port = server:getsockname()
note("listening on http://", opts.host, ":", port, "/")

local secret = opts.secret or os.getenv("HEYGEN_WEBHOOK_SECRET")
local register = opts.register
if emu then opts["out-dir"] = opts["out-dir"] or "." end
if emu then
  -- the API wants an https endpoint; the emulator delivers it as plain HTTP to this port
  emu:config { webhook_plain_http = true }
  register = "https://127.0.0.1:" .. port .. "/heygen"
  opts.count = opts.count > 0 and opts.count or 1
end
if register then
  local ep, err = hg:create_webhook_endpoint { url = register, events = opts.events }
  if not ep then cli.finish(opts, nil, err, emu) end
  secret = ep.secret
  note("endpoint ", ep.endpoint_id, " for ", register, emu and "" or (": its secret is " .. ep.secret))
end
if not secret then cli.usage(spec, "--secret (or HEYGEN_WEBHOOK_SECRET, or --register) is required") end

if emu then -- something to be told about
  local avatars = assert(hg:avatars())
  local avatar
  for _, a in ipairs(avatars.avatars or {}) do
    if a.default_voice_id then avatar = a break end
  end
  local job, err = hg:create_video { video_inputs = { {
    character = { type = "avatar", avatar_id = avatar.avatar_id },
    voice = { type = "text", voice_id = avatar.default_voice_id, input_text = "Rendered, then announced." },
  } } }
  if not job then cli.finish(opts, nil, err, emu) end
  note("video ", job.id, " submitted; waiting for its webhook")
end

------------------------------------------------------------------ HTTP, just enough

local MAX_BODY = 1024 * 1024

-- One request from a connection: method, target, headers (lower-case names), raw body.
local function read_request(c)
  c:settimeout(10)
  local line = c:receive("*l")
  local method, target = (line or ""):match("^(%u+) (%S+) HTTP/1%.[01]$")
  if not method then return nil, 400 end
  local headers = {}
  while true do
    local h = c:receive("*l")
    if h == nil then return nil, 400 end
    if h == "" then break end
    local name, value = h:match("^([^:]+):%s*(.-)%s*$")
    if name then headers[name:lower()] = value end
  end
  local n = tonumber(headers["content-length"] or "0")
  if not n then return nil, 411 end
  if n > MAX_BODY then return nil, 413 end
  local body = n > 0 and c:receive(n) or ""
  if not body then return nil, 400 end
  return { method = method, target = target, headers = headers, body = body }
end

local REASONS = { [200] = "OK", [400] = "Bad Request", [401] = "Unauthorized", [405] = "Method Not Allowed",
  [411] = "Length Required", [413] = "Payload Too Large" }

local function respond(c, status, text)
  c:send(string.format("HTTP/1.1 %d %s\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n"
    .. "Connection: close\r\n\r\n%s",
    status, REASONS[status] or "Error", #text, text))
end

------------------------------------------------------------------ the loop

local seen, received, last = {}, 0, core.now()
local downloads = {}
server:settimeout(0.5)
while opts.count == 0 or received < opts.count do
  if opts.timeout > 0 and core.now() - last > opts.timeout then
    cli.finish(opts, nil, errors.new { kind = "timeout",
      message = string.format("no webhook delivery in %d s (%d received)", opts.timeout, received) }, emu)
  end
  local c = server:accept()
  if c then
    local req, status = read_request(c)
    if not req then
      respond(c, status, "unreadable request\n")
    elseif req.method ~= "POST" then
      respond(c, 405, "POST only\n")
    else
      local event, err = webhook.verify(req.body, req.headers, secret)
      if not event then
        note("refused a delivery to ", req.target, ": ", tostring(err))
        respond(c, 401, err.kind .. "\n")
      else
        respond(c, 200, "ok\n") -- answer first: the sender has a short timeout
        local id = event.event_id or (event.event_type .. ":" .. core.json_encode(event.event_data))
        if seen[id] then
          note("event ", id, " delivered again: already handled")
        else
          seen[id] = true
          received, last = received + 1, core.now()
          local data = event.event_data
          local line = { event_id = event.event_id, event_type = event.event_type, succeeded = event.succeeded,
            video_id = data.video_id, callback_id = event.callback_id, message = data.message }
          if opts["out-dir"] and event.event_type == "avatar_video.success" and data.video_id then
            local path = opts["out-dir"] .. "/" .. data.video_id .. ".mp4"
            local done, derr = webhook.job(hg, event):download(path)
            line.path, line.download_error = done and path or nil, derr and tostring(derr) or nil
            downloads[#downloads + 1] = line.path
          end
          if opts.json then
            io.stdout:write(core.json_encode(line), "\n")
          else
            note(event.event_type, " ", tostring(data.video_id or event.event_id), line.download_error
              and (": download failed: " .. line.download_error) or "")
            if line.path then io.stdout:write(line.path, "\n") end
          end
          io.stdout:flush()
        end
      end
    end
    c:close()
  end
end
server:close()
note(received, " events, ", #downloads, " videos downloaded")
if emu then emu:stop() end
os.exit(cli.EXIT.ok)
