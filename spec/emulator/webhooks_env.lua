-- What spec/emulator/webhooks*_spec.lua share: the emulator with plain-http webhooks, a
-- real receiver on loopback (spec/receiver.lua) made fresh for each test, and raw API calls.
local socket = require "socket"
local http = require "socket.http"
local ltn12 = require "ltn12"
local cjson = require "cjson"
local emulator = require "heygen.emulator"
local receiver = require "receiver"
local assert = require "luassert" -- busted's assert, as in the spec files

local M = {}

M.KEY = "webhook-test-key"
M.AVATAR_V3 = "Abigail_expressive_2024112501"
M.AVATAR_V2 = "Josh_lite3_20230714"
M.VOICE_V2 = "077ab11b14f04ce0b49b5f6e5cc20979"

--- The emulator of this spec file, reset before each test; M.rx is that test's receiver.
function M.use()
  local busted = require "busted" -- the DSL of the spec file being run (a module has no globals of it)
  M.emu = emulator.spawn({time_scale = 200, api_keys = {M.KEY}, webhook_plain_http = true,
                          lua = os.getenv("HEYGEN_EMULATOR_LUA") or "lua5.4"})
  busted.teardown(function() M.emu:stop() end)
  busted.before_each(function()
    M.emu:reset()
    M.rx = receiver.new()
  end)
  busted.after_each(function() M.rx:close() end)
  return M.emu
end

function M.api(method, path, body, headers)
  local out, text = {}, body ~= nil and cjson.encode(body) or nil
  local h = {["x-api-key"] = M.KEY, authorization = "Key " .. M.KEY, ["content-type"] = "application/json",
             ["content-length"] = tostring(text and #text or 0)}
  for k, v in pairs(headers or {}) do h[k] = v end
  local _, code = http.request({url = M.emu.url .. path, method = method, sink = ltn12.sink.table(out),
                                source = text and ltn12.source.string(text) or nil, headers = h})
  local raw = table.concat(out)
  local ok, json = pcall(cjson.decode, raw)
  return code, ok and json or raw
end

function M.endpoint(spec)
  local code, res = M.api("POST", "/v3/webhooks/endpoints", spec)
  assert.are.equal(200, code)
  return res.data
end

function M.v3_video(extra)
  local body = {type = "avatar", avatar_id = M.AVATAR_V3, script = "Hello from the webhook spec."}
  for k, v in pairs(extra or {}) do body[k] = v end
  local code, res = M.api("POST", "/v3/videos", body)
  assert.are.equal(200, code)
  return res.data.video_id
end

-- Deliveries once `n` of them have settled (delivered, or failed for good).
function M.settled(n, timeout)
  local deadline = socket.gettime() + (timeout or 10)
  local list
  repeat
    list = M.emu:deliveries()
    local done = 0
    for _, d in ipairs(list) do
      if d.delivered or (d.attempts == 4 and d.error ~= cjson.null) then done = done + 1 end
    end
    if done >= n then return list end
    socket.sleep(0.05)
  until socket.gettime() > deadline
  error("deliveries did not settle: " .. cjson.encode(list))
end

-- The requests the receiver gets within `seconds`, by path.
function M.by_path(list)
  local t = {}
  for _, r in ipairs(list) do t[r.path] = r end
  return t
end

function M.events(entity)
  local _, res = M.api("GET", "/v3/webhooks/events?entity_id=" .. entity)
  return res.data
end

-- the JWKS key, read as a receiver reads it (heygen.webhook's decoder)
M.base64url_decode = require("heygen.webhook").base64url_decode

function M.unhex(s) return (s:gsub("%x%x", function(h) return string.char(tonumber(h, 16)) end)) end

return M
