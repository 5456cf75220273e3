-- What spec/generate*_spec.lua share: the emulator, a client of it, and the readers of the
-- submits it received (hg:generate across fal.ai and HeyGen).
local support = require "support"

local M = {}

M.CINEMATIC = "A cinematic trailer shot of a knight on a cliff at dawn"

--- For a spec file: the emulator (reset before each test) and a client of it.
function M.use()
  M.emu = support.use_emulator()
  M.hg = support.client(M.emu)
  return M.emu, M.hg
end

--- Sets how the emulator's fal model `model` behaves (reject, fail, ...).
function M.control(model, spec) return M.emu:call("POST", "/_emulator/fal/models/" .. model, spec) end

--- The paths of the submits (fal queue and HeyGen workflow POSTs) the emulator received, in order.
function M.submits()
  local out = {}
  for _, r in ipairs(M.emu:requests { method = "POST" }) do
    if r.path:find("^/fal/") or r.path:find("^/v1/workflows") then out[#out + 1] = r.path end
  end
  return out
end

return M
