-- The status-poll path's shared pieces: core.header_list (request headers made into a
-- curl list once, shared by many transfers) and the client's use of it for plain GETs.
local core = require "heygen.core"
local heygen = require "heygen"
local C = require "core_env"

local emu = C.use()
local one = C.one

local function echoed(m, opts)
  local r = C.one(m, opts)
  assert.are.equal(0, r.code)
  assert.are.equal(200, r.status)
  return assert(core.json_decode(r.body))
end

describe("core.header_list", function()
  local m
  before_each(function() m = core.multi() end)
  after_each(function() m:close() end)

  it("sends its lines (a list or a map) on every transfer that is given it", function()
    local list = core.header_list { "X-Listed: one", "Accept: application/json" }
    local map = core.header_list { ["X-Mapped"] = "two", ["X-Number"] = 3 }
    assert.are.equal("heygen.HeaderList (2 lines)", tostring(list))
    for i = 1, 3 do
      local echo = echoed(m, { url = emu.url .. "/_emulator/test/echo?i=" .. i, headers = list, details = false })
      assert.are.equal("one", echo.headers["x-listed"])
      assert.are.equal("application/json", echo.headers["accept"])
      assert.is_nil(echo.headers["expect"])
      assert.are.equal(tostring(i), echo.query.i)
    end
    local echo = echoed(m, { method = "POST", url = emu.url .. "/_emulator/test/echo", headers = map,
      body = string.rep("x", 2048) })
    assert.are.equal("two", echo.headers["x-mapped"])
    assert.are.equal("3", echo.headers["x-number"])
    assert.are.equal(2048, #echo.body)
    assert.is_nil(echo.headers["expect"]) -- no 100-continue wait on a shared list either
  end)

  it("serves many transfers in flight at once, and outlives its last reference while they run", function()
    local ids = {}
    do
      local list = core.header_list { "X-Shared: yes" }
      for i = 1, 20 do ids[i] = assert(m:add { url = emu.url .. "/_emulator/test/echo?i=" .. i, headers = list }) end
    end
    collectgarbage()
    collectgarbage() -- the userdata is gone; the transfers still hold its lines
    local got = C.collect(m, ids)
    for i = 1, 20 do
      local echo = assert(core.json_decode(got[ids[i]].body))
      assert.are.equal("yes", echo.headers["x-shared"])
      assert.are.equal(tostring(i), echo.query.i)
    end
  end)

  it("adds a resume's Range line to a copy, leaving the shared list as it was", function()
    local list = core.header_list { "X-Shared: yes" }
    local path = C.file_with(C.expected_bytes(0, 100))
    local r = one(m, { url = emu.url .. "/_emulator/test/bytes?n=300", headers = list, file = path,
      resume_from = 100 })
    assert.are.equal(206, r.status)
    local f = assert(io.open(path, "rb"))
    local bytes = f:read("a")
    f:close()
    os.remove(path)
    assert.are.equal(C.expected_bytes(0, 300), bytes)
    local echo = echoed(m, { url = emu.url .. "/_emulator/test/echo", headers = list })
    assert.are.equal("yes", echo.headers["x-shared"])
    assert.is_nil(echo.headers["range"])
  end)

  it("refuses what Multi:add refuses, naming it, before making anything", function()
    local cases = {
      { { ["X-A"] = true }, "Multi:add: header 'X-A' must be a string (got boolean)" },
      { { {} }, "Multi:add: a header line must be a string (got table)" },
    }
    for _, case in ipairs(cases) do
      local ok, err = pcall(core.header_list, case[1])
      assert.is_false(ok)
      assert.matches(case[2], tostring(err), 1, true)
    end
    local ok, err = pcall(core.header_list, "Accept: */*")
    assert.is_false(ok)
    assert.matches("table expected", tostring(err), 1, true)
    -- any other userdata is still no header table
    ok, err = pcall(m.add, m, { url = emu.url .. "/_emulator/test/echo", headers = io.stdout })
    assert.is_false(ok)
    assert.matches("option 'headers' must be a table (got userdata)", tostring(err), 1, true)
  end)
end)

describe("Multi ids in flight", function()
  it("find each transfer by its id through adds, cancels and records, hundreds at once", function()
    local m = core.multi { max_host_connections = 4 }
    local ids, cancelled, seen = {}, {}, {}
    for i = 1, 300 do
      ids[i] = assert(m:add { url = emu.url .. "/_emulator/test/echo?i=" .. i, details = false })
      assert.is_nil(seen[ids[i]])
      seen[ids[i]] = true
    end
    for i = 3, 300, 3 do -- out of order, across the table's probe runs
      assert.is_true(m:cancel(ids[i]))
      cancelled[ids[i]] = true
    end
    for i = 1, 300 do
      if cancelled[ids[i]] then
        assert.is_false(m:cancel(ids[i]))
        assert.is_nil(m:progress(ids[i]))
      else
        assert.is_number((m:progress(ids[i])))
      end
    end
    assert.are.equal(200, m:running())
    local want = {}
    for i = 1, 300 do if not cancelled[ids[i]] then want[#want + 1] = ids[i] end end
    local got = C.collect(m, want)
    for i = 1, 300 do
      if cancelled[ids[i]] then
        assert.is_nil(got[ids[i]])
      else
        assert.are.equal(tostring(i), assert(core.json_decode(got[ids[i]].body)).query.i)
        assert.is_false(m:cancel(ids[i])) -- delivered: no longer in flight
      end
    end
    assert.are.equal(0, m:running())
    m:close()
  end)
end)

describe("the client's status polls", function()
  it("send the key, User-Agent and Accept on every poll through one shared list", function()
    local hg = heygen.client { api_key = "poll-key-0123", base_url = emu.url, user_agent = "poll-path/1",
      api = "v2", max_retries = 0, poll_budget = 0 }
    -- the emulator refuses this key: the answers do not matter here, the requests do
    for i = 1, 3 do
      local _, err = hg:job("video", "nope" .. i):refresh()
      assert.are.equal("auth", err.kind)
    end
    local log = emu:requests()
    local polls = {}
    for _, req in ipairs(log) do
      if (req.path or ""):find("video_status", 1, true) then polls[#polls + 1] = req end
    end
    assert.are.equal(3, #polls)
    for i, req in ipairs(polls) do
      assert.are.equal("poll-key-0123", req.headers["x-api-key"])
      assert.are.equal("poll-path/1", req.headers["user-agent"])
      assert.are.equal("application/json", req.headers["accept"])
      assert.are.equal("nope" .. i, req.query.video_id)
    end
  end)
end)
