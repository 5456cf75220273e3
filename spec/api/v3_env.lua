-- What the spec/api/*_spec.lua files share for api = "v3" clients against the emulator:
-- the emulator and client (start/stop), the seeded ids, and the readers of what the
-- emulator received.
local heygen = require "heygen"
local support = require "support"

local json = heygen.json

local M = {}

M.AVATAR, M.VOICE = support.AVATAR, support.VOICE
M.NO_AVATAR_IV = "Kristin_public_3_20240108"
M.PHOTO = "6013fc758b5446a2ba17d8c459538bb4"
M.JAPANESE_VOICE = "f5b1d1c0e3a24e52b0f7a7b9c6d8e4a1"
M.KEY_PATTERN = "^[%w_:%.%-]+$"
M.PNG = "\137PNG\r\n\26\n" .. string.rep("\0\1\2\3", 64)

--- Spawn the emulator and an api = "v3" client of it (opts: more client options).
function M.start(opts)
  M.emu = support.emulator()
  local o = { api = "v3" }
  for k, v in pairs(opts or {}) do o[k] = v end
  M.hg = support.client(M.emu, o)
  return M.emu, M.hg
end

function M.stop() if M.emu then M.emu:stop() end end

--- For a spec file: the emulator (support.use_emulator: reset before each test) and an
-- api = "v3" client of it (opts: more client options).
function M.use(opts)
  support.each_test((M.start(opts)))
  return M.emu, M.hg
end

--- The last request the emulator received for method and path (a pattern), and all of them.
function M.last(method, path)
  local list = M.emu:requests { method = method, path = path }
  return list[#list], list
end

--- The decoded JSON body of that request, and the request.
function M.sent(method, path)
  local req = M.last(method, path)
  return req and json.decode(req.body), req
end

--- job:wait, and the statuses it went through in order.
-- (the emulator's clock stepped per poll: support.wait_statuses)
function M.statuses(job, timeout) return support.wait_statuses(job, timeout, M.emu) end

--- The bytes at a media URL the emulator answered, through job:download.
function M.download(url)
  local out = support.tmpname(".bin")
  local job = M.hg:job("video", "x")
  job.status, job.result = "completed", { video_url = url }
  assert(job:download(out))
  local bytes = support.read(out)
  os.remove(out)
  return bytes
end

function M.avatar_body(extra)
  local body = { type = "avatar", avatar_id = M.AVATAR, script = "Hello from v3.", voice_id = M.VOICE }
  for k, v in pairs(extra or {}) do body[k] = v end
  return body
end

function M.v2_scene(text, extra)
  local s = { character = { type = "avatar", avatar_id = M.AVATAR, avatar_style = "normal" },
    voice = { type = "text", voice_id = M.VOICE, input_text = text or "Hello." },
    background = { type = "color", value = "#FAFAFA" } }
  for k, v in pairs(extra or {}) do s[k] = v end
  return s
end

function M.write_file(bytes, suffix)
  local path = support.tmpname(suffix)
  local f = assert(io.open(path, "wb"))
  f:write(bytes)
  f:close()
  return path
end

return M
