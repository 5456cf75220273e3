-- Every v3 create of the contract (shared/contracts/heygen-v3.openapi.json) whose JSON body has
-- required fields, sent an empty object by the emulator: each answers 400 in the contract's error
-- shape with `param` naming one of those fields (and the message saying it), and makes nothing.
-- The list is read from the contract at run time, so a create added there is covered here.
local h = require "emulator.http"

local emu = h.use()

local contract = h.contract

-- A schema with its $ref ("#/components/schemas/X") followed.
local function resolve(c, s)
  while type(s) == "table" and s["$ref"] do
    local ref, node = s["$ref"], c
    for part in ref:gmatch("[^/#]+") do node = node[part] end
    s = node
  end
  return s
end

local function creates()
  local c, out = contract(), {}
  for path, item in pairs(c.paths) do
    for method, op in pairs(item) do
      local json = type(op) == "table" and op.requestBody and op.requestBody.content
                   and op.requestBody.content["application/json"]
      local schema = json and resolve(c, json.schema)
      if schema and type(schema.required) == "table" and #schema.required > 0 and not path:find("{", 1, true) then
        out[#out + 1] = {method = method:upper(), path = path, id = op.operationId, required = schema.required}
      end
    end
  end
  table.sort(out, function(a, b) return a.path < b.path end)
  return out
end

describe("emulator: a create without its required fields", function()
  it("answers 400 {error: {code, message, param}} naming a required field, for every such create", function()
    local ops = creates()
    assert.is_true(#ops >= 15, "the contract lists " .. #ops .. " creates with required fields")
    local wrong, jobs = {}, #emu:jobs()
    for _, op in ipairs(ops) do
      local status, v, raw = h.call(op.method, op.path, {})
      local e = type(v) == "table" and type(v.error) == "table" and v.error or {}
      local named = false
      for _, field in ipairs(op.required) do
        if e.param == field and type(e.message) == "string" and e.message:find(field, 1, true) then named = true end
      end
      if status ~= 400 or type(e.code) ~= "string" or not named then
        wrong[#wrong + 1] = op.method .. " " .. op.path .. " (" .. op.id .. ", required "
          .. table.concat(op.required, ", ") .. "): " .. tostring(status) .. " " .. raw:sub(1, 200)
      end
    end
    assert.are.same({}, wrong)
    assert.are.equal(jobs, #emu:jobs()) -- nothing was made on the way
  end)
end)
