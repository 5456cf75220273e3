-- heygen.emulator over real loopback HTTP, seen the way a client sees it: the server itself over raw HTTP/1.1:
-- keep-alive, pipelining, chunked bodies, 100-continue, HEAD, 404/405 envelopes, the bin/heygen-emulator command,
-- authentication, test routes, the request log.
-- Moved from spec/emulator_spec.lua (issue 18); the raw client and fixtures are spec/emulator/raw.lua.
-- Runs under lua5.4 and LuaJIT; the emulator child runs under the same kind of interpreter.
local R = require "emulator.raw"
local socket, cjson, KEY, null = R.socket, R.cjson, R.KEY, R.null
local connect, request_bytes, read_response, decode = R.connect, R.request_bytes, R.read_response, R.decode
local http, get, post, scene = R.http, R.get, R.post, R.scene
local create_video, interpreter = R.create_video, R.interpreter

local emu = R.use()

describe("the server", function()
  it("prints a loopback URL and exposes it on the handle", function()
    assert.matches("^http://127%.0%.0%.1:%d+$", emu.url)
    assert.equal(emu.url .. "/fal", emu.fal_url)
    assert.equal(emu.url, emu.upload_url)
  end)

  it("answers JSON with an X-Request-Id on every answer, errors included", function()
    for _, path in ipairs({"/v2/voices", "/v1/video_status.get?video_id=nope", "/v9/unknown"}) do
      local res = get(path)
      assert.equal("application/json", res.headers["content-type"])
      assert.matches("^%x+$", res.headers["x-request-id"])
    end
    local a, b = get("/v2/voices"), get("/v2/voices")
    assert.are_not.equal(a.headers["x-request-id"], b.headers["x-request-id"])
  end)

  it("keeps a connection alive across sequential requests", function()
    local s = connect()
    local first = http("GET", "/_emulator/test/echo", {sock = s})
    local second = http("GET", "/_emulator/test/echo?n=2", {sock = s})
    s:close()
    assert.equal(200, second.status)
    assert.equal(first.json.conn, second.json.conn)
    assert.equal("2", second.json.query.n)
  end)

  it("answers pipelined requests in order", function()
    local s = connect()
    assert(s:send(request_bytes("GET", "/_emulator/test/echo?i=1") .. request_bytes("GET", "/_emulator/test/echo?i=2")
                  .. request_bytes("POST", "/_emulator/test/echo?i=3", {body = "three"})))
    for i = 1, 3 do
      local res = read_response(s)
      assert.equal(tostring(i), decode(res).query.i)
    end
    s:close()
  end)

  it("reads chunked request bodies", function()
    local s = connect()
    assert(s:send(request_bytes("POST", "/_emulator/test/echo", {headers = {["Transfer-Encoding"] = "chunked"},
                                                                 chunked = true, body = ""})
                  .. "5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\n\r\n"))
    local res = read_response(s)
    s:close()
    assert.equal("hello world", decode(res).body)
  end)

  it("answers Expect: 100-continue before the body is sent", function()
    local s = connect()
    local body = string.rep("x", 2000)
    assert(s:send("POST /_emulator/test/echo HTTP/1.1\r\nHost: x\r\nContent-Length: " .. #body ..
                  "\r\nExpect: 100-continue\r\n\r\n"))
    assert.equal("HTTP/1.1 100 Continue", s:receive("*l"))
    assert.equal("", s:receive("*l"))
    assert(s:send(body))
    local res = read_response(s)
    s:close()
    assert.equal(200, res.status)
    assert.equal(#body, #decode(res).body)
  end)

  it("serves 200 concurrent keep-alive connections", function()
    local socks = {}
    for i = 1, 200 do socks[i] = connect() end
    for i = 1, 200 do assert(socks[i]:send(request_bytes("GET", "/_emulator/test/echo?i=" .. i))) end
    local conns = {}
    for i = 1, 200 do
      local res = read_response(socks[i])
      assert.equal(200, res.status)
      local v = decode(res)
      assert.equal(tostring(i), v.query.i)
      conns[v.conn] = true
    end
    -- and a second round on the same 200 connections
    for i = 1, 200 do assert(socks[i]:send(request_bytes("GET", "/_emulator/test/echo?again=" .. i))) end
    for i = 1, 200 do
      assert.equal(200, read_response(socks[i]).status)
      socks[i]:close()
    end
    local n = 0
    for _ in pairs(conns) do n = n + 1 end
    assert.equal(200, n)
  end)

  it("streams a 64 MB response without stalling", function()
    local n = 64 * 1048576
    local s = connect()
    assert(s:send(request_bytes("GET", "/_emulator/test/bytes?n=" .. n)))
    local t0 = socket.gettime()
    local line = s:receive("*l")
    assert.equal("HTTP/1.1 200 OK", line)
    repeat line = s:receive("*l") until line == ""
    local got, last = 0, nil
    while got < n do
      local chunk, err, partial = s:receive(math.min(1048576, n - got))
      chunk = chunk or partial
      assert(chunk and #chunk > 0, err)
      got = got + #chunk
      last = chunk
    end
    s:close()
    assert.equal(n, got)
    assert.equal(string.char((n - 1) % 251), last:sub(-1))
    assert.is_true(socket.gettime() - t0 < 20)
  end)

  it("answers HEAD with the headers of the GET", function()
    local res = http("HEAD", "/_emulator/test/bytes?n=1000")
    assert.equal(200, res.status)
    assert.equal("1000", res.headers["content-length"])
    assert.equal("", res.body)
  end)

  it("answers unknown routes 404 and wrong methods 405 in the path's envelope", function()
    local v1 = get("/v1/nope")
    assert.equal(404, v1.status)
    assert.is_number(v1.json.code)
    local v2 = get("/v2/nope")
    assert.equal(404, v2.status)
    assert.equal("not_found", v2.json.error.code)
    assert.equal(null, v2.json.data)
    local wrong = http("DELETE", "/v2/voices")
    assert.equal(405, wrong.status)
    assert.equal("GET", wrong.headers.allow)
    assert.equal(200, http("OPTIONS", "/v2/voices").status)
  end)
end)

describe("bin/heygen-emulator", function()
  local script = package.searchpath("heygen.emulator", package.path):gsub("lua/heygen/emulator/init%.lua$", "")
                 .. "bin/heygen-emulator"

  it("prints exactly one listening line, serves, and exits on shutdown", function()
    local proc = io.popen(interpreter() .. " " .. script .. " --port 0 --time-scale 50 --api-key a --api-key=b")
    local line = proc:read("*l")
    local url = line:match("^heygen%-emulator listening on (http://127%.0%.0%.1:%d+)$")
    assert.truthy(url, line)
    local httpc = require "socket.http"
    local body = assert(httpc.request(url .. "/_emulator/config"))
    local config = cjson.decode(body)
    assert.equal(50, config.time_scale)
    assert.same({"a", "b"}, config.api_keys)
    assert(httpc.request(url .. "/_emulator/shutdown", "{}"))
    assert.equal("", proc:read("*a"))
    proc:close()
  end)

  it("refuses unknown arguments", function()
    local proc = io.popen(interpreter() .. " " .. script .. " --nope 2>&1")
    local out = proc:read("*a")
    proc:close()
    assert.matches("unknown argument '%-%-nope'", out)
  end)
end)

describe("authentication", function()
  it("answers v1 endpoints without a key 401 {code:400112}", function()
    local res = get("/v1/video.list", {key = false})
    assert.equal(401, res.status)
    assert.same({code = 400112, message = "Unauthorized"}, res.json)
    assert.matches('"code":400112[,}]', res.body)
  end)

  it("answers v2 endpoints with a wrong key 401 internal_error", function()
    local res = get("/v2/avatars", {key = "wrong"})
    assert.equal(401, res.status)
    assert.same({data = null, error = {code = "internal_error", message = "Unauthorized"}}, res.json)
  end)

  it("takes the key header in any case", function()
    local res = get("/v2/voices", {key = false, headers = {["x-api-key"] = KEY}})
    assert.equal(200, res.status)
    res = get("/v2/voices", {key = false, headers = {["X-API-KEY"] = KEY}})
    assert.equal(200, res.status)
  end)

  it("lets any non-empty key through when none is configured", function()
    emu:config({api_keys = {}})
    assert.equal(200, get("/v2/voices", {key = "anything"}).status)
    assert.equal(401, get("/v2/voices", {key = ""}).status)
  end)
end)

describe("test routes", function()
  it("echoes method, path, query, lower-cased headers and body", function()
    local res = http("PUT", "/_emulator/test/echo?a=1&b=x%20y", {body = "payload", headers = {["X-Thing"] = "T"}})
    local v = res.json
    assert.equal("PUT", v.method)
    assert.equal("/_emulator/test/echo", v.path)
    assert.same({a = "1", b = "x y"}, v.query)
    assert.equal("T", v.headers["x-thing"])
    assert.equal("payload", v.body)
    assert.is_number(v.conn)
  end)

  it("streams deterministic bytes and honours Range", function()
    local res = get("/_emulator/test/bytes?n=1000")
    assert.equal(1000, #res.body)
    for _, i in ipairs({0, 1, 250, 251, 999}) do assert.equal(i % 251, res.body:byte(i + 1)) end
    local part = get("/_emulator/test/bytes?n=1000", {headers = {Range = "bytes=500-"}})
    assert.equal(206, part.status)
    assert.equal(res.body:sub(501), part.body)
  end)

  it("delays, answers any status and redirects", function()
    local t0 = socket.gettime()
    assert.equal(200, get("/_emulator/test/delay?ms=300").status)
    assert.is_true(socket.gettime() - t0 >= 0.29)
    assert.equal(503, get("/_emulator/test/status?code=503").status)
    local r = get("/_emulator/test/redirect?to=http%3A%2F%2F127.0.0.1%2Fx")
    assert.equal(302, r.status)
    assert.equal("http://127.0.0.1/x", r.headers.location)
  end)
end)

describe("the request log", function()
  it("records each request with lower-cased headers, query and body, not control calls", function()
    post("/v2/video/generate", {video_inputs = {scene()}}, {headers = {["X-Trace"] = "t1"}})
    get("/v2/voices?x=1")
    local log = emu:requests()
    assert.equal(2, #log)
    local first = log[1]
    assert.equal("POST", first.method)
    assert.equal("/v2/video/generate", first.path)
    assert.equal("t1", first.headers["x-trace"])
    assert.equal(KEY, first.headers["x-api-key"])
    assert.matches("video_inputs", first.body)
    assert.equal(200, first.status)
    assert.is_number(first.conn)
    assert.is_number(first.t)
    assert.equal("1", log[2].query.x)
    assert.is_true(log[2].seq > first.seq)
    assert.equal(1, emu:count("GET", "/v2/voices"))
    assert.equal(1, #emu:requests({since = first.seq}))
  end)

  it("keeps the first 64 KB of large bodies", function()
    post("/_emulator/test/echo", string.rep("z", 100000), {headers = {["Content-Type"] = "text/plain"}})
    local e = emu:requests("/_emulator/test/echo")[1]
    assert.equal(65536, #e.body)
    assert.equal(100000, e.body_size)
  end)

  it("is cleared by reset, which keeps the seed data", function()
    get("/v2/voices")
    create_video()
    emu:fault({path = "/v2/avatars", status = 500})
    emu:reset()
    assert.equal(0, #emu:requests())
    assert.equal(0, #emu:jobs())
    assert.equal(0, #emu:faults())
    assert.equal(200, get("/v2/avatars").status)
    assert.equal(100, #get("/v1/video.list").json.data.videos)
  end)
end)
