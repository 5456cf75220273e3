-- What the spec/api/*_legacy_spec.lua files share: a client of the HeyGen v1/v2 calls
-- (api = "v2", the default) against the emulator, the seeded ids, and the bodies it sent.
local heygen = require "heygen"
local support = require "support"

local json = heygen.json

local M = {}

M.AVATAR, M.VOICE = support.AVATAR, support.VOICE
M.NO_VOICE_FEMALE, M.NO_VOICE_MALE = "Daisy-inskirt-20220818", "Wayne_20240711"
M.FIRST_FEMALE_VOICE, M.FIRST_MALE_VOICE = "1bd001e7e50f421d891986aad5158bc8", "077ab11b14f04ce0b49b5f6e5cc20979"
M.LANDSCAPE, M.PORTRAIT = "22a48da453ef4c014a6a60d827a02f0b", "7c5e9a1b3d2f4e6a8b0c1d2e3f4a5b6c"
M.SEEDED_VIDEOS = 250
-- (the emulator's clock stepped per poll: support.wait_statuses)
function M.statuses(job, timeout) return support.wait_statuses(job, timeout, M.emu) end

--- Spawn the emulator and a default (api = "v2") client of it.
function M.start()
  M.emu = support.emulator()
  M.hg = support.client(M.emu)
  return M.emu, M.hg
end

function M.stop() if M.emu then M.emu:stop() end end

--- For a spec file: the emulator (support.use_emulator: reset before each test) and a
-- default (api = "v2") client of it.
function M.use()
  support.each_test((M.start()))
  return M.emu, M.hg
end

--- The decoded body of the last request for method and path (a pattern), and all of them.
function M.sent(method, path)
  local list = M.emu:requests { method = method, path = path }
  return list[#list] and json.decode(list[#list].body), list
end

--- One avatar scene of a v2 create_video.
function M.scene(text)
  return { character = { type = "avatar", avatar_id = M.AVATAR, avatar_style = "normal" },
    voice = { type = "text", voice_id = M.VOICE, input_text = text or "Hello." },
    background = { type = "color", value = "#FAFAFA" } }
end

return M
