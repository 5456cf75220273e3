-- DEVELOPERS.md stays a true map of the tree: every module, C file, script,
-- benchmark and spec helper is named in it (as `path`), and every path it names
-- exists. Spec files, examples and fuzz corpora are covered by its group rows.
local support = require "support"

local ROOT = io.popen("pwd"):read("l")

local function files_under(dirs, pattern)
  local out = {}
  local p = assert(io.popen("cd '" .. ROOT .. "' && find " .. dirs
    .. " -type f -not -path '*/__pycache__/*' -not -path '*/node_modules/*' 2>/dev/null | sort"))
  for line in p:lines() do
    if line:match(pattern) then out[#out + 1] = line:gsub("^%./", "") end
  end
  p:close()
  return out
end

-- where DEVELOPERS.md's short forms (`api/v3.lua`, `http.c`) are read from
local PREFIXES = { "", "lua/heygen/", "lua/heygen/emulator/", "lua/heygen/api/schema/", "src/", "spec/",
  "spec/api/", "spec/contract/", "spec/emulator/", "spec/c/", "bench/", "scripts/", "scripts/test.d/", "docs/",
  "examples/", "examples/embed/", "fuzz/", "../shared/", "../shared/docs/" }

-- the kinds of file a path in the text is checked for (build products such as core.so are not)
local SOURCE = { lua = true, c = true, h = true, mjs = true, sh = true, py = true, md = true, json = true }

local function exists(path)
  local f = io.open(ROOT .. "/" .. path, "rb")
  if f then f:close() end
  return f ~= nil
end

describe("DEVELOPERS.md", function()
  local text = assert(support.read(ROOT .. "/DEVELOPERS.md"))

  it("names every module, C file, script, benchmark and spec helper of the tree", function()
    local missing = {}
    local groups = {
      files_under("lua src bench scripts", "%.[%a%.]+$"),
      files_under("spec", "^spec/[^/]+%.lua$"),
      files_under("spec", "_env%.lua$"),
      files_under("spec/contract", "%.mjs$"),
    }
    for _, list in ipairs(groups) do
      for _, path in ipairs(list) do
        local spec_file = path:match("_spec%.lua$")
        if not spec_file and not text:find("`" .. path .. "`", 1, true) then missing[#missing + 1] = path end
      end
    end
    assert.are.same({}, missing, "files DEVELOPERS.md does not name (add a row saying what each holds)")
  end)

  it("names no file that is gone", function()
    local gone = {}
    for path in text:gmatch("`([%w_%./%-]+%.%a+)`") do
      local ext = path:match("%.(%a+)$")
      if SOURCE[ext] and (path:find("/", 1, true) or ext ~= "md") then
        local found = false
        for _, pre in ipairs(PREFIXES) do
          if exists(pre .. path) then
            found = true
            break
          end
        end
        -- a short form kept relative to the row's own folder (`legacy.lua` beside `api/schema/v3.lua`)
        if not found and not path:find("/", 1, true) then
          found = #files_under("lua src spec bench scripts examples", "/" .. path:gsub("%p", "%%%0") .. "$") > 0
        end
        if not found then gone[#gone + 1] = path end
      end
    end
    assert.are.same({}, gone, "paths DEVELOPERS.md names that are not in the tree")
  end)
end)
