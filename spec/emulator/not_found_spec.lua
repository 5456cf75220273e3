-- Every v3 operation of the contract (shared/contracts/heygen-v3.openapi.json) whose path names
-- a resource, called by the emulator with ids it never made: each answers 404 in the contract's
-- error shape ({"error": {"code", "message"}}), the message naming the id, and nothing changes.
-- The list is read from the contract at run time, so an operation added there is covered here.
local h = require "emulator.http"

local emu = h.use()

local contract = h.contract

-- Bodies that pass each operation's checks, so only the unknown id is wrong.
local BODIES = {
  ["PATCH /v3/avatars/looks/{look_id}"] = {name = "Renamed"},
  ["POST /v3/avatars/{group_id}/consent"] = {consent_text = "I agree"},
  ["PATCH /v3/lipsyncs/{lipsync_id}"] = {title = "Renamed"},
  ["PATCH /v3/video-translations/{video_translation_id}"] = {title = "Renamed"},
  ["POST /v3/templates/{template_id}"] = {variables = {}},
  ["POST /v3/video-agents/{session_id}"] = {message = "Go ahead"},
  ["PATCH /v3/webhooks/endpoints/{endpoint_id}"] = {url = "https://example.com/hook"},
  ["PUT /v3/video-translations/proofreads/{proofread_id}/srt"] = {srt = "1\n00:00:00,000 --> 00:00:01,000\nHola\n"},
}

local function operations()
  local out = {}
  for path, item in pairs(contract().paths) do
    for method, op in pairs(item) do
      if type(op) == "table" and op.operationId and path:find("{", 1, true) then
        out[#out + 1] = {method = method:upper(), path = path, id = op.operationId}
      end
    end
  end
  table.sort(out, function(a, b) return a.method .. a.path < b.method .. b.path end)
  return out
end

describe("emulator: unknown ids", function()
  it("every contract operation on a resource answers 404 {error: {code, message}} naming the id", function()
    local ops = operations()
    assert.is_true(#ops >= 40, "the contract lists " .. #ops .. " operations on a resource")
    local wrong, jobs = {}, #emu:jobs()
    for i, op in ipairs(ops) do
      local unknown = string.format("nope%028x", i)
      local path = op.path:gsub("{[^}]+}", unknown)
      local key = op.method .. " " .. op.path
      local body = BODIES[key]
      if body == nil and op.method ~= "GET" and op.method ~= "DELETE" then body = {} end
      local status, v, raw = h.call(op.method, path, body)
      local e = type(v) == "table" and type(v.error) == "table" and v.error or {}
      if status ~= 404 or type(e.code) ~= "string" or type(e.message) ~= "string"
         or not e.message:find(unknown, 1, true) then
        wrong[#wrong + 1] = key .. " (" .. op.id .. "): " .. tostring(status) .. " " .. raw:sub(1, 200)
      end
    end
    assert.are.same({}, wrong)
    assert.are.equal(jobs, #emu:jobs()) -- no job was made on the way
  end)
end)
