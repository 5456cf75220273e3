-- What spec/faults*_spec.lua share: the emulator, clients of it, and the readers of what it
-- received (the client under every fault of the reliability issue, injected by the emulator).
local core = require "heygen.core"
local socket = require "socket"
local support = require "support"

local M = {}

M.VIDEO_ID = "0123456789abcdef0123456789abcdef"
M.CREATE_PATH = "^/v2/video/generate"

--- The emulator of this spec file (support.use_emulator).
function M.use()
  M.emu = support.use_emulator()
  return M.emu
end

--- A v2 create_video of one avatar scene.
function M.create(hg)
  return hg:create_video { video_inputs = { {
    character = { type = "avatar", avatar_id = support.AVATAR, avatar_style = "normal" },
    voice = { type = "text", voice_id = support.VOICE, input_text = "Faults are survived." } } } }
end

function M.client(extra) return support.client(M.emu, extra) end

--- fn's two results and the seconds it took.
function M.timed(fn)
  local t0 = core.now()
  local a, b = fn()
  return a, b, core.now() - t0
end

--- Seconds between consecutive logged requests.
function M.gaps(reqs)
  local out = {}
  for i = 2, #reqs do out[#out + 1] = reqs[i].t - reqs[i - 1].t end
  return out
end

function M.statuses(reqs)
  local out = {}
  for i, r in ipairs(reqs) do out[i] = math.floor(r.status) end
  return out
end

--- The emulator logs a request once it has answered it: wait (a bounded time) for a
--- stalled one to show up.
function M.logged(method, path, n)
  local deadline = core.now() + 5
  while M.emu:count(method, path) < n and core.now() < deadline do socket.sleep(0.05) end
  return M.emu:count(method, path)
end

function M.sha256(path)
  local p = io.popen("sha256sum " .. string.format("%q", path))
  local sum = p:read("*a"):match("^(%x+)")
  p:close()
  return sum
end

return M
