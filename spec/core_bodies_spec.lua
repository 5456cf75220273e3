-- heygen.core's answers: bodies streamed to files and resumed (Range, 206 checks) and the
-- response headers, against the emulator's test routes (requests and options: spec/core_spec.lua).
local core = require "heygen.core"
local support = require "support"
local C = require "core_env"

local emu = C.use()
local one, rss_kb, file_with, expected_bytes = C.one, C.rss_kb, C.file_with, C.expected_bytes

describe("heygen.core HTTP", function()
  local m
  before_each(function() m = core.multi() end)
  after_each(function() m:close() end)

  it("streams a 50 MB body to a file with constant memory", function()
    local path = os.tmpname()
    local before = rss_kb()
    local n = 50 * 1024 * 1024
    local r = one(m, { url = emu.url .. "/_emulator/test/bytes?n=" .. n, file = path }, 120)
    local growth = rss_kb() - before
    assert.are.equal(0, r.code)
    assert.are.equal(200, r.status)
    assert.are.equal(n, r.file_bytes)
    assert.are.equal("", r.body)
    local f = assert(io.open(path, "rb"))
    assert.are.equal(n, f:seek("end"))
    f:seek("set", 1234567)
    assert.are.equal(expected_bytes(1234567, 64), f:read(64))
    f:seek("set", n - 64)
    assert.are.equal(expected_bytes(n - 64, 64), f:read(64))
    f:close()
    os.remove(path)
    -- under valgrind RSS is mostly valgrind's own (its translation cache grows with the code run):
    -- still well under the 50 MB a body held in memory would add
    local allowed = os.getenv("HEYGEN_TEST_RUNTIME") == "valgrind" and 40 * 1024 or 16 * 1024
    assert.is_true(growth < allowed, "RSS grew by " .. growth .. " KB")
  end)

  it("resumes a download at an offset with Range and appends", function()
    local path = file_with(expected_bytes(0, 1000))
    local r = one(m, { url = emu.url .. "/_emulator/test/bytes?n=5000", file = path, resume_from = 1000 })
    assert.are.equal(206, r.status)
    assert.is_true(r.resumed)
    assert.are.equal(4000, r.file_bytes)
    local f = assert(io.open(path, "rb"))
    assert.are.equal(expected_bytes(0, 5000), f:read("*a"))
    f:close()
    os.remove(path)
  end)

  it("takes a 200 to a resumed request as the whole file, written over what was there", function()
    local path = file_with(("x"):rep(1000))
    emu:fault { path = "/_emulator/test/bytes", ignore_range = true }
    local r = one(m, { url = emu.url .. "/_emulator/test/bytes?n=5000", file = path, resume_from = 1000 })
    assert.are.equal(0, r.code)
    assert.are.equal(200, r.status)
    assert.is_false(r.resumed)
    assert.are.equal(5000, r.file_bytes)
    assert.are.equal(expected_bytes(0, 5000), support.read(path))
    local sent = emu:requests { path = "^/_emulator/test/bytes" }
    assert.are.equal("bytes=1000-", sent[#sent].headers.range)
    os.remove(path)
  end)

  it("says where a resumed body starts: resume_from, or 0 once the server sends it all", function()
    local function body_start(fault)
      local path = file_with(("x"):rep(1000))
      if fault then emu:fault { path = "/_emulator/test/bytes", [fault] = true } end
      local id = assert(m:add { url = emu.url .. "/_emulator/test/bytes?n=" .. 64 * 1048576, file = path,
        resume_from = 1000 })
      local first_from, seen
      while true do -- watch the transfer until its body has begun
        local done, _, from = m:progress(id)
        first_from = first_from or from
        if not done then break end
        if done > 0 then seen = from break end
        m:perform(10)
      end
      m:cancel(id)
      os.remove(path)
      return first_from, seen
    end
    local before, during = body_start(nil)
    assert.are.equal(1000, before) -- nothing received yet: where we asked it to start
    assert.are.equal(1000, during)  -- a 206 from byte 1000, appended
    before, during = body_start("ignore_range")
    assert.are.equal(1000, before)
    assert.are.equal(0, during)     -- a 200 of the whole file, written over what was there
  end)

  it("never writes a 206 that does not start at the byte asked for (range_mismatch)", function()
    local path = file_with(expected_bytes(0, 1000))
    emu:fault { path = "/_emulator/test/bytes", lie_206 = true } -- 206 "bytes 0-4999/5000"
    local r = one(m, { url = emu.url .. "/_emulator/test/bytes?n=5000", file = path, resume_from = 1000 })
    assert.are.equal(206, r.status)
    assert.are.equal(23, r.code)
    assert.is_true(r.range_mismatch)
    assert.are.equal(expected_bytes(0, 1000), support.read(path)) -- untouched
    -- nor one we did not ask for: a Range of our own, no resume_from
    r = one(m, { url = emu.url .. "/_emulator/test/bytes?n=5000", file = path, headers = { Range = "bytes=10-" } })
    assert.are.equal(206, r.status)
    assert.is_true(r.range_mismatch)
    assert.are.equal(expected_bytes(0, 1000), support.read(path))
    -- a 206 from the byte asked for is appended, and has no range_mismatch
    r = one(m, { url = emu.url .. "/_emulator/test/bytes?n=5000", file = path, resume_from = 1000 })
    assert.are.equal(0, r.code)
    assert.is_nil(r.range_mismatch)
    assert.are.equal(expected_bytes(0, 5000), support.read(path))
    os.remove(path)
  end)

  it("keeps an error body in memory instead of writing it to the file", function()
    local path = os.tmpname()
    os.remove(path)
    local r = one(m, { url = emu.url .. "/_emulator/test/status?code=404", file = path })
    assert.are.equal(404, r.status)
    assert.is_false(r.to_file)
    assert.is_nil(io.open(path, "rb"))
  end)

  describe("response headers", function()
    local function fetch()
      return one(m, { url = emu.url .. "/_emulator/test/status?code=503&retry_after=7" })
    end

    it("come as the raw block, and as a table made when rec.headers is first read", function()
      local r = fetch()
      assert.matches("^HTTP/1%.1 503", r.raw_headers)
      assert.truthy(r.raw_headers:find("\r\nRetry-After: 7\r\n", 1, true))
      assert.is_nil(rawget(r, "headers"))
      local h = r.headers
      assert.are.equal("7", h["retry-after"])
      assert.are.equal(h, rawget(r, "headers")) -- kept: parsed once
      local names = {}
      for name in pairs(r.headers) do names[#names + 1] = name end
      assert.is_true(#names >= 3)
      for _, name in ipairs(names) do assert.are.equal(name:lower(), name) end
    end)

    it("are looked up by core.header without making the table, in any case", function()
      local r = fetch()
      local retry, missing, ctype = core.header(r, "RETRY-After", "x-nope", "content-type")
      assert.are.same({ "7", nil, "application/json" },
        { retry, missing, ctype and ctype:match("^[^;]+") })
      assert.is_nil(rawget(r, "headers"))
      assert.are.equal(r.headers["retry-after"], (core.header(r, "Retry-After")))
      -- records made in Lua (tests, hosts) with a plain headers table
      assert.are.equal("3", core.header({ headers = { ["retry-after"] = "3" } }, "Retry-After"))
      assert.is_nil(core.header({}, "retry-after"))
      assert.has_error(function() core.header("not a record", "x") end)
    end)

    it("agree between core.header and the table on repeated, odd and hostile lines", function()
      local mt = getmetatable(fetch())
      local function parsed(block)
        return setmetatable({ raw_headers = block }, mt).headers
      end
      local fixed = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nSet-Cookie: a=1\r\n"
        .. "X-Spaced: \t padded \t\r\nset-cookie: b=2\r\nno colon here\r\n: empty name\r\n"
        .. "X-Last:no-crlf"
      assert.are.equal("a=1, b=2", core.header({ raw_headers = fixed }, "Set-Cookie"))
      assert.are.equal("padded", core.header({ raw_headers = fixed }, "x-spaced"))
      assert.are.equal("no-crlf", core.header({ raw_headers = fixed }, "X-LAST"))
      assert.is_nil(core.header({ raw_headers = fixed }, "http/1.1 200 ok\r\nset-cookie"))
      -- random blocks: every name of the table reads the same through core.header
      math.randomseed(7)
      local pieces = { "HTTP/1.1 200 OK", "A: 1", "a: 2", "B:3", "C : 4", "\0D: 5", "E:", ":", "",
        "x-request-id: r1", "X-Request-ID: r2", "Long-" .. ("n"):rep(80) .. ": v", "F: a:b", "\tG: 6" }
      for _ = 1, 300 do
        local lines = {}
        for i = 1, math.random(0, 12) do
          lines[i] = pieces[math.random(#pieces)] .. (math.random() < 0.8 and "\r" or "")
        end
        local block = table.concat(lines, "\n")
        local t = parsed(block)
        -- and all at once (one pass per 8 names), among names the block lacks, in both cases
        local names = { "x-absent" }
        for name, value in pairs(t) do
          assert.are.equal(value, core.header({ raw_headers = block }, name), block)
          assert.are.equal(value, core.header({ raw_headers = block }, name:upper()), block)
          names[#names + 1] = name
          names[#names + 1] = name:upper()
          names[#names + 1] = "x-absent-" .. #names
        end
        local function pack(...) return { n = select("#", ...), ... } end
        local got = pack(core.header({ raw_headers = block }, (table.unpack or unpack)(names)))
        assert.are.equal(#names, got.n)
        for i, name in ipairs(names) do assert.are.equal(t[name:lower()], got[i], block) end
      end
    end)
  end)
end)
