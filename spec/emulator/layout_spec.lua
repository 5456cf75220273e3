-- The emulator's layout rules (issue 18, docs/emulator.md "Layout"), read from the files
-- themselves: each file stays small enough to read whole, none takes the client's code, and
-- the route assemblies load every part they list.
local support = require "support"

local DIR = "lua/heygen/emulator"
local MAX_LINES = 400

local function lua_files()
  local list = {}
  local p = assert(io.popen("find " .. DIR .. " -name '*.lua' | sort"))
  for path in p:lines() do list[#list + 1] = path end
  p:close()
  return list
end

local function lines_of(src)
  local n = 0
  for _ in src:gmatch("[^\n]*\n") do n = n + 1 end
  return n
end

describe("the emulator's files", function()
  local files = lua_files()

  it("are found (the rules below read every one)", function()
    assert.is_true(#files > 40, #files .. " files under " .. DIR)
  end)

  it("are each at most " .. MAX_LINES .. " lines", function()
    local over = {}
    for _, path in ipairs(files) do
      local n = lines_of(assert(support.read(path)))
      if n > MAX_LINES then over[#over + 1] = path .. " (" .. n .. " lines)" end
    end
    assert.are.same({}, over)
  end)

  it("never require the client's code (heygen.api, heygen.validate): the emulator checks by its own rules", function()
    local uses = {}
    for _, path in ipairs(files) do
      local src = assert(support.read(path))
      for name in src:gmatch("require%s*%(?%s*[\"']([%w_.]+)[\"']") do
        if name:find("^heygen%.api") or name == "heygen.validate" then uses[#uses + 1] = path .. ": " .. name end
      end
    end
    assert.are.same({}, uses)
  end)
end)

describe("the route assemblies", function()
  it("v3.lua loads every module it lists, each giving well-formed routes", function()
    local v3 = require "heygen.emulator.v3"
    assert.is_true(#v3.RESOURCE_MODULES > 10)
    for _, name in ipairs(v3.RESOURCE_MODULES) do
      local mod = require(name)
      assert.are.equal("table", type(mod), name)
      for i, r in ipairs(mod.routes or {}) do
        local where = name .. " route " .. i
        assert.is_truthy(type(r[1]) == "string" and r[1]:match("^%u+$"), where)
        assert.is_truthy(type(r[2]) == "string" and r[2]:match("^/v3/"), where)
        assert.are.equal("function", type(r[3]), where)
      end
    end
  end)

  it("fal.lua loads every part it lists, each route a fal host's or a control's", function()
    local fal = require "heygen.emulator.fal"
    for i, part in ipairs(fal.PARTS) do
      assert.is_true(#part.routes > 0, "part " .. i)
      for _, r in ipairs(part.routes) do
        assert.is_truthy(r[2]:find("^/fal") or r[2]:find("^/_emulator/fal/"), r[2])
        assert.are.equal("function", type(r[3]), r[2])
      end
    end
  end)
end)
