-- What spec/core*_spec.lua share: heygen.core against a real HTTP server on loopback (the
-- emulator's test routes), and the drivers of a multi.
local core = require "heygen.core"
local support = require "support"

local M = {}

--- The emulator of this spec file (no reset between tests: these routes keep no state).
function M.use()
  local busted = require "busted" -- the DSL of the spec file being run (a module has no globals of it)
  M.emu = support.emulator()
  busted.teardown(function() M.emu:stop() end)
  return M.emu
end

-- Drive m until every id in `ids` has a record; returns records by id.
function M.collect(m, ids, limit)
  local want, got, n = {}, {}, 0
  for _, id in ipairs(ids) do want[id] = true n = n + 1 end
  local deadline = core.now() + (limit or 30)
  while n > 0 do
    assert(core.now() < deadline, "transfers did not finish in time")
    for _, r in ipairs(m:perform(100)) do
      if want[r.id] then got[r.id], want[r.id], n = r, nil, n - 1 end
    end
  end
  return got
end

function M.one(m, opts)
  local id = assert(m:add(opts))
  return M.collect(m, { id })[id]
end

function M.rss_kb()
  local f = io.open("/proc/self/status")
  local s = f:read("*a")
  f:close()
  return tonumber(s:match("VmRSS:%s*(%d+)"))
end

-- byte i (from 0) of the test stream is i % 251
-- A temporary file holding `bytes`; returns its path.
function M.file_with(bytes)
  local path = os.tmpname()
  local f = assert(io.open(path, "wb"))
  f:write(bytes)
  f:close()
  return path
end

function M.expected_bytes(from, n)
  local t = {}
  for i = from, from + n - 1 do t[#t + 1] = string.char(i % 251) end
  return table.concat(t)
end

return M
