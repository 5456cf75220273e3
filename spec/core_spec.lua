-- heygen.core against a real HTTP server on loopback (the emulator's test routes): requests,
-- errors, options, limits; JSON; the clock. Bodies to files and response headers:
-- spec/core_bodies_spec.lua.
local core = require "heygen.core"
local C = require "core_env"

local emu = C.use()
local collect, one = C.collect, C.one

describe("heygen.core HTTP", function()
  local m
  before_each(function() m = core.multi() end)
  after_each(function() m:close() end)

  for _, method in ipairs { "GET", "POST", "PUT", "DELETE" } do
    it("sends " .. method .. " with its headers and body and reads the answer", function()
      local body = method ~= "GET" and ('{"m":"' .. method .. '"}') or nil
      local r = one(m, { method = method, url = emu.url .. "/_emulator/test/echo?x=1",
        headers = { ["X-Custom"] = "yes", "X-Listed: also" }, body = body })
      assert.are.equal(0, r.code)
      assert.are.equal(200, r.status)
      assert.are.equal("application/json", r.headers["content-type"]:match("^[^;]+"))
      local echo = assert(core.json_decode(r.body))
      assert.are.equal(method, echo.method)
      assert.are.equal("yes", echo.headers["x-custom"])
      assert.are.equal("also", echo.headers["x-listed"])
      assert.are.equal("1", echo.query.x)
      assert.are.equal(body or "", echo.body or "")
      assert.is_true(r.sent)
    end)
  end

  it("puts timings and byte counts in the record unless details = false", function()
    local url = emu.url .. "/_emulator/test/echo?x=1"
    local full = one(m, { url = url })
    assert.is_true(full.time.total > 0 and full.time.ttfb > 0)
    assert.is_true(full.bytes_received > 0 and full.connects >= 0)
    local lean = one(m, { url = url, details = false })
    assert.are.equal(200, lean.status)
    assert.are.equal("1", assert(core.json_decode(lean.body)).query.x)
    assert.is_nil(lean.time)
    assert.is_nil(lean.bytes_received)
    assert.is_nil(lean.connects)
  end)

  it("reuses easy handles across plain GETs and other requests without carrying options over", function()
    local echo = emu.url .. "/_emulator/test/echo"
    local function echoed(opts)
      local r = one(m, opts)
      assert.are.equal(200, r.status)
      return assert(core.json_decode(r.body)), r
    end
    local path = os.tmpname()
    assert.are.equal("GET", echoed({ url = echo .. "?n=1", headers = { "X-Step: one" } }).method)
    local post = echoed({ method = "POST", url = echo, body = '{"a":1}', headers = { "X-Step: two" } })
    assert.are.equal("POST", post.method)
    assert.are.equal('{"a":1}', post.body)
    for i = 3, 5 do -- plain GETs again, on the handles the POST and the first GET used
      local get = echoed({ url = echo .. "?n=" .. i, headers = { "X-Step: " .. i } })
      assert.are.equal("GET", get.method)
      assert.are.equal(tostring(i), get.query.n)
      assert.are.equal(tostring(i), get.headers["x-step"])
      assert.is_nil(get.headers["content-type"])
      assert.are.equal("", get.body or "")
    end
    local to_file = one(m, { url = echo .. "?n=6", file = path })
    assert.is_true(to_file.to_file)
    local f = assert(io.open(path, "rb"))
    assert.are.equal("6", assert(core.json_decode(f:read("*a"))).query.n)
    f:close()
    local get, rec = echoed({ url = echo .. "?n=7" })
    assert.are.equal("7", get.query.n)
    assert.is_nil(rec.file)
    assert.is_true(#rec.body > 0)
    assert.are.equal("DELETE", echoed({ method = "DELETE", url = echo }).method)
    assert.are.equal("GET", echoed({ url = echo .. "?n=8", cainfo = "/nonexistent/ca.pem" }).method)
    assert.are.equal("GET", echoed({ url = echo .. "?n=9" }).method)
    os.remove(path)
  end)

  it("runs 100 requests in flight at once over fewer connections than requests", function()
    emu:reset()
    local ids = {}
    for i = 1, 100 do ids[i] = assert(m:add { url = emu.url .. "/_emulator/test/echo?i=" .. i }) end
    assert.are.equal(100, m:running())
    local got = collect(m, ids)
    for i = 1, 100 do
      assert.are.equal(200, got[ids[i]].status)
      assert.are.equal(tostring(i), core.json_decode(got[ids[i]].body).query.i)
    end
    -- a second wave reuses the kept-alive connections
    local again = {}
    for i = 1, 100 do again[i] = assert(m:add { url = emu.url .. "/_emulator/test/echo?j=" .. i }) end
    collect(m, again)
    local conns = {}
    local requests = emu:requests { path = "^/_emulator/test/echo" }
    assert.are.equal(200, #requests)
    local distinct = 0
    for _, r in ipairs(requests) do
      if not conns[r.conn] then conns[r.conn] = true distinct = distinct + 1 end
    end
    assert.is_true(distinct <= 64, "connections used: " .. distinct)
    assert.is_true(distinct < 200)
  end)

  it("times out after its setting and well before twice it", function()
    local t0 = core.now()
    local r = one(m, { url = emu.url .. "/_emulator/test/delay?ms=5000", timeout = 0.5 })
    local took = core.now() - t0
    assert.are.equal(28, r.code)
    assert.are.equal(0, r.status)
    assert.matches("timed out", r.error)
    assert.is_true(took >= 0.45 and took < 1.0, "took " .. took)
  end)

  it("cancels a transfer in flight: no record, nothing running", function()
    local slow = assert(m:add { url = emu.url .. "/_emulator/test/delay?ms=3000" })
    local fast = assert(m:add { url = emu.url .. "/_emulator/test/echo" })
    local early = m:perform(10) -- on a slow runtime (valgrind) the fast one may end here
    assert.is_true(m:cancel(slow))
    assert.is_false(m:cancel(slow))
    local got = early[1] and { [early[1].id] = early[1] } or collect(m, { fast })
    assert.are.equal(200, got[fast].status)
    assert.are.equal(0, m:running())
    local t0 = core.now()
    while core.now() - t0 < 0.3 do
      for _, r in ipairs(m:perform(50)) do assert.are_not.equal(slow, r.id) end
    end
  end)

  it("reports an unreachable port as a connect failure that sent nothing", function()
    local r = one(m, { url = "http://127.0.0.1:1/", connect_timeout = 2 })
    assert.are.equal(7, r.code)
    assert.are.equal(0, r.status)
    assert.is_false(r.sent)
    assert.is_string(r.error)
  end)

  it("rejects a malformed URL before any transfer", function()
    local id, err, code = m:add { url = "not a url" }
    assert.is_nil(id)
    assert.matches("malformed URL", err)
    assert.are.equal(3, code)
    assert.are.equal(0, m:running())
  end)

  it("refuses unknown options and options of the wrong type, naming them, before any transfer", function()
    local url = emu.url .. "/_emulator/test/echo"
    local cases = {
      { { url = url, timout = 5 }, "Multi:add: unknown option 'timout'" },
      { { url = url, timeout = "5" }, "Multi:add: option 'timeout' must be a number (got string)" },
      { { url = url, follow = 1 }, "Multi:add: option 'follow' must be a boolean (got number)" },
      { { url = url, headers = "Accept: */*" }, "Multi:add: option 'headers' must be a table (got string)" },
      { { url = 42 }, "Multi:add: option 'url' must be a string (got number)" },
      { { url = url, "positional" }, "Multi:add: options are named fields (got a number key)" },
      { { method = "GET" }, "url is required" },
    }
    for _, c in ipairs(cases) do
      local ok, err = pcall(m.add, m, c[1])
      assert.is_false(ok)
      assert.truthy(tostring(err):find(c[2], 1, true), tostring(err))
    end
    assert.are.equal(0, m:running())
    -- every documented option is taken (a streamed download with them all)
    local path = os.tmpname()
    local r = one(m, { url = url, method = "GET", headers = { ["X-A"] = "1" }, file = path, resume_from = 0,
      follow = true, stall_timeout = 5, accept_encoding = false, details = true, timeout = 5,
      connect_timeout = 5 })
    os.remove(path)
    assert.are.equal(200, r.status)
    assert.is_table(r.time)
  end)

  it("does not follow redirects unless asked", function()
    local target = emu.url .. "/_emulator/test/echo"
    local url = emu.url .. "/_emulator/test/redirect?to=" .. target:gsub(":", "%%3A"):gsub("/", "%%2F")
    local r = one(m, { url = url })
    assert.are.equal(302, r.status)
    r = one(m, { url = url, follow = true })
    assert.are.equal(200, r.status)
  end)

  it("reports progress and a timeout hint while a transfer runs", function()
    local id = assert(m:add { url = emu.url .. "/_emulator/test/delay?ms=300" })
    m:perform(0)
    assert.is_number(m:timeout())
    local done = m:progress(id)
    assert.are.equal(0, done)
    collect(m, { id })
    assert.is_nil(m:progress(id))
  end)

  it("names its userdata and closes idempotently", function()
    assert.matches("^heygen%.Multi %(0x", tostring(m))
    local _, req = m:add { url = emu.url .. "/_emulator/test/echo" }
    assert.matches("^heygen%.Request %(0x", tostring(req))
    m:close()
    m:close()
    assert.are.equal("heygen.Multi (closed)", tostring(m))
    assert.has_error(function() m:perform(0) end)
    m = core.multi()
  end)

  -- its curl handle (and, in heygen-lua, libcurl itself) comes with the first add
  it("does a bounded amount of work per perform: a 32 MB body takes many, timeout() says 0 meanwhile", function()
    -- a budget well under what one socket read brings, so calls cross it even on a loaded machine
    local budget = core.multi { work_bytes = 64 * 1024, work_ms = 1000 }
    local n = 32 * 1024 * 1024
    local path = os.tmpname()
    local id = assert(budget:add { url = emu.url .. "/_emulator/test/bytes?n=" .. n, file = path })
    local calls, zero_hints, rec = 0, 0, nil
    local deadline = core.now() + 60
    while not rec do
      assert(core.now() < deadline, "the transfer did not finish in time")
      rec = budget:perform(100)[1]
      calls = calls + 1
      if not rec and budget:timeout() == 0 then zero_hints = zero_hints + 1 end
    end
    assert.are.equal(id, rec.id)
    assert.are.equal(0, rec.code)
    assert.are.equal(n, rec.file_bytes)
    -- at most a budget (and the one chunk that crossed it) per call
    assert.is_true(calls >= 16, "calls: " .. calls)
    assert.is_true(zero_hints >= 1, "calls that left work and said so: " .. zero_hints)
    budget:close()
    os.remove(path)
  end)

  it("ends a body that passes max_body, in memory or to a file, with too_large and a message", function()
    local n = 4 * 1024 * 1024
    local r = one(m, { url = emu.url .. "/_emulator/test/bytes?n=" .. n, max_body = 1000000 })
    assert.is_true(r.too_large)
    assert.are.equal(63, r.code) -- CURLE_FILESIZE_EXCEEDED
    assert.are.equal(1000000, r.max_body)
    assert.matches("larger than max_body %(1000000 bytes%)", r.error)
    assert.is_true(#r.body <= 1000000)
    local path = os.tmpname()
    r = one(m, { url = emu.url .. "/_emulator/test/bytes?n=" .. n, max_body = 1000000, file = path })
    assert.is_true(r.too_large)
    assert.is_true(r.file_bytes <= 1000000)
    os.remove(path)
    r = one(m, { url = emu.url .. "/_emulator/test/bytes?n=1000", max_body = 1000 })
    assert.are.equal(0, r.code)
    assert.is_nil(r.too_large)
    assert.are.equal(1000, #r.body)
  end)

  it("raises on a header or mime part of the wrong type before taking a handle (nothing leaks on close)", function()
    local doomed = core.multi()
    assert(one(doomed, { url = emu.url .. "/_emulator/test/echo" })) -- libcurl and the pool in use
    local ok, err = pcall(doomed.add, doomed, { url = emu.url .. "/_emulator/test/echo", headers = { ["X-A"] = true } })
    assert.is_false(ok)
    assert.matches("header 'X%-A' must be a string %(got boolean%)", err)
    ok, err = pcall(doomed.add, doomed, { url = emu.url .. "/_emulator/test/echo", headers = { {} } })
    assert.is_false(ok)
    assert.matches("a header line must be a string %(got table%)", err)
    ok, err = pcall(doomed.add, doomed, { url = emu.url .. "/_emulator/test/echo", method = "POST",
      mime = { { name = "k", data = {} } } })
    assert.is_false(ok)
    assert.matches("mime part 1: 'data' must be a string", err)
    assert.are.equal(0, doomed:running())
    doomed:close() -- before any collection: LeakSanitizer (HEYGEN_SANITIZE) sees no easy handle left
    collectgarbage()
    collectgarbage()
  end)

  it("works before its first transfer: no timeout, perform sleeps, close", function()
    local fresh = core.multi()
    assert.are.equal(-1, fresh:timeout())
    assert.are.equal(0, fresh:running())
    local t0 = core.now()
    assert.are.same({}, fresh:perform(60))
    local slept = core.now() - t0
    assert.is_true(slept >= 0.055 and slept < 1, "slept " .. slept)
    assert.is_false(fresh:cancel(1))
    assert.is_nil(fresh:progress(1))
    fresh:close()
    assert.are.equal("heygen.Multi (closed)", tostring(fresh))
    assert.has_error(function() fresh:add { url = emu.url .. "/_emulator/test/echo" } end,
      "calling 'add' on bad self (heygen.Multi is closed)")
  end)

  it("takes its connection options at creation and applies them at the first add", function()
    local one_conn = core.multi { max_host_connections = 1 }
    local ids = {}
    for i = 1, 3 do
      ids[i] = assert(one_conn:add { url = emu.url .. "/_emulator/test/delay?ms=50" })
    end
    local records = collect(one_conn, ids)
    local connects = 0
    for i = 1, 3 do
      assert.are.equal(200, records[ids[i]].status)
      connects = connects + records[ids[i]].connects
    end
    assert.are.equal(1, connects) -- one after the other, on one kept-alive connection
    one_conn:close()
  end)
end)

describe("heygen.core JSON", function()
  it("decodes integers as integers and keeps fractions", function()
    local v = core.json_decode('{"code":100,"d":42.5,"neg":-7,"big":1759307076}')
    assert.are.equal(100, v.code)
    assert.are.equal(42.5, v.d)
    assert.are.equal(-7, v.neg)
    if math.type then
      assert.are.equal("integer", math.type(v.code))
      assert.are.equal("integer", math.type(v.big))
      assert.are.equal("float", math.type(v.d))
    end
  end)

  it("turns null into nil, in objects and nested arrays", function()
    local v = core.json_decode('{"error":null,"data":{"list":[{"a":null,"b":1}],"x":null}}')
    assert.is_nil(v.error)
    assert.is_nil(v.data.x)
    assert.is_nil(v.data.list[1].a)
    assert.are.equal(1, v.data.list[1].b)
    assert.is_nil(core.json_decode("null"))
  end)

  it("encodes a marked empty table as [] and an unmarked one as {}", function()
    assert.are.equal('{"a":[]}', core.json_encode { a = core.json_array() })
    assert.are.equal('{"a":{}}', core.json_encode { a = {} })
    local s = core.json_encode { outer = { core.json_array(), { inner = core.json_array({}) } } }
    assert.are.same({ outer = { {}, { inner = {} } } }, core.json_decode(s))
    assert.matches('%[%],{"inner":%[%]}', s)
  end)

  it("round-trips nested data and explicit nulls", function()
    local s = core.json_encode { a = { 1, 2, { b = "x" } }, n = core.json_null }
    local v = core.json_decode(s)
    assert.are.same({ a = { 1, 2, { b = "x" } } }, v)
    assert.matches('"n":null', s)
  end)

  it("returns nil and a message on invalid input", function()
    local v, err = core.json_decode("{bad json")
    assert.is_nil(v)
    assert.is_string(err)
    v, err = core.json_encode { f = function() end }
    assert.is_nil(v)
    assert.matches("function", err)
  end)

  it("reports versions of heygen, Lua, libcurl and cjson", function()
    local v = core.versions()
    assert.is_boolean(v.async_dns) -- Debian's libcurl: true (the threaded resolver)
    assert.are.equal(core.VERSION, v.heygen)
    assert.matches("^%d+%.%d+", v.curl)
    assert.is_string(v.ssl)
    assert.is_string(v.cjson)
    assert.is_string(v.lua)
  end)
end)

describe("heygen.core clock", function()
  it("is monotonic and sleeps at least as asked", function()
    local t0 = core.now()
    core.sleep(0.05)
    local dt = core.now() - t0
    assert.is_true(dt >= 0.05 and dt < 0.5, "slept " .. dt)
  end)
end)
