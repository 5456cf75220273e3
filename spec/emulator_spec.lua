-- heygen.emulator over real loopback HTTP, seen the way a client sees it.
-- Runs under lua5.4 and LuaJIT (`luajit /usr/bin/busted spec/emulator_spec.lua`); the
-- emulator child runs under the same kind of interpreter unless HEYGEN_EMULATOR_LUA says.
local socket = require "socket"
local cjson = require "cjson"
local emulator = require "heygen.emulator"

local KEY = "emulator-spec-key"
local null = cjson.null

local function interpreter()
  local env = os.getenv("HEYGEN_EMULATOR_LUA")
  if env and env ~= "" then return env end
  local i = -1
  while arg and arg[i - 1] do i = i - 1 end
  local running = arg and arg[i] or ""
  return running:find("luajit") and "luajit" or "lua5.4"
end

local emu, port

---------------------------------------------------------------------------------------
-- a raw HTTP/1.1 client on luasocket: keep-alive, pipelining, and visible faults

local function connect()
  local s = assert(socket.tcp())
  s:settimeout(10)
  assert(s:connect("127.0.0.1", port))
  return s
end

local function request_bytes(method, path, opts)
  opts = opts or {}
  local lines = {method .. " " .. path .. " HTTP/1.1", "Host: 127.0.0.1:" .. port}
  local headers = opts.headers or {}
  if opts.key ~= false and headers["X-Api-Key"] == nil then lines[#lines + 1] = "X-Api-Key: " .. (opts.key or KEY) end
  for k, v in pairs(headers) do lines[#lines + 1] = k .. ": " .. v end
  local body = opts.body
  if type(body) == "table" then body = cjson.encode(body) end
  if body and not opts.chunked then lines[#lines + 1] = "Content-Length: " .. #body end
  if body and not headers["Content-Type"] then lines[#lines + 1] = "Content-Type: application/json" end
  return table.concat(lines, "\r\n") .. "\r\n\r\n" .. (body or "")
end

-- Reads one response; {status, headers, body, raw_status_line, closed = "why"|nil}.
local function read_response(s, method)
  local line, err = s:receive("*l")
  if not line then return {closed = err, status = 0} end
  local res = {status = tonumber(line:match("^HTTP/1%.%d (%d+)")), status_line = line, headers = {}}
  while true do
    local h = assert(s:receive("*l"))
    if h == "" then break end
    local k, v = h:match("^([^:]+):%s*(.*)$")
    res.headers[k:lower()] = v
  end
  if res.status == 100 then return read_response(s, method) end
  if method == "HEAD" or res.status == 204 or res.status == 304 then res.body = "" return res end
  local n = tonumber(res.headers["content-length"] or "")
  if n == 0 then
    res.body = ""                        -- luasocket's receive(0) would wait for data
  elseif n then
    local body, rerr, partial = s:receive(n)
    res.body, res.closed = body or partial, rerr
  elseif (res.headers["transfer-encoding"] or ""):find("chunked") then
    local parts = {}
    while true do
      local size = tonumber(assert(s:receive("*l")), 16)
      if size == 0 then assert(s:receive("*l")) break end
      parts[#parts + 1] = assert(s:receive(size))
      assert(s:receive("*l"))
    end
    res.body = table.concat(parts)
  else
    local body, rerr, partial = s:receive("*a")
    res.body, res.closed = body or partial, rerr
  end
  return res
end

local function decode(res)
  local ok, v = pcall(cjson.decode, res.body)
  assert(ok, "not JSON: " .. tostring(res.body))
  res.json = v
  return v
end

-- One request on a fresh connection (or opts.sock); decodes JSON answers.
local function http(method, path, opts)
  opts = opts or {}
  local s = opts.sock or connect()
  assert(s:send(request_bytes(method, path, opts)))
  local res = read_response(s, method)
  if not opts.sock then s:close() end
  if res.body and (res.headers or {})["content-type"] == "application/json" and res.body ~= "" then
    pcall(decode, res)
  end
  return res
end

local function get(path, opts) return http("GET", path, opts) end
local function post(path, body, opts)
  opts = opts or {}
  opts.body = body
  return http("POST", path, opts)
end

-- The path and query of an absolute URL the emulator handed out.
local function local_path(url)
  return (assert(url:match("^http://[^/]+(/.*)$"), "not a local URL: " .. tostring(url)))
end

local function read_file(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local s = f:read("*a")
  f:close()
  return s
end

local function sample_mp4()
  return read_file(package.searchpath("heygen.emulator.sample", (package.path:gsub("%.lua", ".mp4"))))
end

local function has_ffprobe() return os.execute("command -v ffprobe >/dev/null 2>&1") == true
  or os.execute("command -v ffprobe >/dev/null 2>&1") == 0 end

local function ffprobe(bytes, suffix)
  local path = os.tmpname() .. suffix
  local f = assert(io.open(path, "wb"))
  f:write(bytes)
  f:close()
  local p = io.popen("ffprobe -v error -show_entries stream=codec_name -of csv=p=0 " .. path .. " 2>&1")
  local out = p:read("*a")
  p:close()
  os.remove(path)
  return out
end

local function wait_until(fn, limit)
  local deadline = socket.gettime() + (limit or 5)
  while socket.gettime() < deadline do
    local v = fn()
    if v then return v end
    socket.sleep(0.02)
  end
  error("condition not met in time")
end

local VOICE = "077ab11b14f04ce0b49b5f6e5cc20979"
local AVATAR = "Josh_lite3_20230714"

local function scene(extra)
  local s = {character = {type = "avatar", avatar_id = AVATAR, avatar_style = "normal"},
             voice = {type = "text", input_text = "Hello from the emulator.", voice_id = VOICE},
             background = {type = "color", value = "#FFFFFF"}}
  for k, v in pairs(extra or {}) do s[k] = v end
  return s
end

local function text_voice(extra)
  local v = {type = "text", input_text = "x", voice_id = VOICE}
  for k, val in pairs(extra or {}) do v[k] = val end
  return {voice = v}
end

local function avatar(extra)
  local c = {type = "avatar", avatar_id = AVATAR}
  for k, val in pairs(extra or {}) do c[k] = val end
  return {character = c}
end

local function create_video(body)
  local res = post("/v2/video/generate", body or {video_inputs = {scene()}, dimension = {width = 1280, height = 720}})
  assert(res.status == 200, res.body)
  return res.json.data.video_id
end

local function status_of(id) return get("/v1/video_status.get?video_id=" .. id).json.data end

---------------------------------------------------------------------------------------

setup(function()
  emu = emulator.spawn({time_scale = 200, api_keys = {KEY}, lua = interpreter()})
  port = emu.port
end)

teardown(function() if emu then emu:stop() end end)

before_each(function()
  emu:reset()
  emu:config({time_scale = 200, url_ttl = 7 * 86400, api_keys = {KEY}})
end)

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

describe("POST /v1/workflows/executions", function()
  local function create(input, wtype)
    return post("/v1/workflows/executions", {workflow_type = wtype or "GenerateVideoNode", input = input})
  end

  it("creates an execution and runs it submitted -> processing -> completed", function()
    emu:config({time_scale = 1})
    local res = create({prompt = "A drone shot over a coastal city", provider = "kling_pro", aspect_ratio = "9:16"})
    assert.equal(200, res.status)
    local id = res.json.data.execution_id
    assert.matches("^node%-gw%-", id)
    assert.same({data = {execution_id = id, status = "submitted"}}, res.json)
    assert.equal("submitted", get("/v1/workflows/executions/" .. id).json.data.status)
    emu:advance(6)
    assert.equal("processing", get("/v1/workflows/executions/" .. id).json.data.status)
    emu:advance(60)
    local data = get("/v1/workflows/executions/" .. id).json.data
    assert.equal("completed", data.status)
    assert.matches("^http://127%.0%.0%.1:%d+/files/%x+%.mp4%?Expires=%d+&Signature=%x+$", data.output.video.video_url)
    assert.matches("^%x+$", data.output.video.video_id)
    assert.matches("^asset%-", data.output.asset_id)
  end)

  it("gives FaceswapNode a flat output", function()
    emu:config({time_scale = 1})
    local id = create({source_image_url = "https://example.com/face.jpg",
                       target_video_url = "https://example.com/clip.mp4"}, "FaceswapNode").json.data.execution_id
    emu:advance(100)
    local data = get("/v1/workflows/executions/" .. id).json.data
    assert.matches("/files/%x+%.mp4%?", data.output.video_url)
    assert.is_nil(data.output.video)
  end)

  it("answers an unknown execution with status not_found", function()
    local res = get("/v1/workflows/executions/node-gw-missing")
    assert.equal(404, res.status)
    assert.equal("not_found", res.json.data.status)
  end)

  it("rejects unknown providers, aspect ratios and missing prompts", function()
    local res = create({prompt = "x", provider = "veo9"})
    assert.equal(400, res.status)
    assert.equal("invalid_parameter", res.json.error.code)
    assert.matches("input.provider", res.json.error.message)
    assert.matches('"veo9"', res.json.error.message)
    assert.equal(400, create({prompt = "x", aspect_ratio = "4:3"}).status)
    assert.matches("input.prompt", create({}).json.error.message)
    assert.equal(400, post("/v1/workflows/executions", {workflow_type = "Nope", input = {}}).status)
  end)
end)

describe("POST /v2/video/generate and GET /v1/video_status.get", function()
  it("returns a 32-hex video_id in the v2 envelope", function()
    local res = post("/v2/video/generate", {video_inputs = {scene()}})
    assert.equal(200, res.status)
    assert.equal(null, res.json.error)
    assert.matches("^%x+$", res.json.data.video_id)
    assert.equal(32, #res.json.data.video_id)
  end)

  it("walks waiting -> pending -> processing -> completed by clock", function()
    emu:config({time_scale = 1})
    local id = create_video()
    local d = status_of(id)
    assert.equal("waiting", d.status)
    for _, k in ipairs({"video_url", "thumbnail_url", "gif_url", "duration", "error", "caption_url",
                        "video_url_caption", "callback_id"}) do
      assert.equal(null, d[k], k)
    end
    emu:advance(6)
    assert.equal("pending", status_of(id).status)
    emu:advance(20)
    assert.equal("processing", status_of(id).status)
    emu:advance(120)
    d = status_of(id)
    assert.equal("completed", d.status)
    assert.equal(id, d.id)
    assert.equal(3, d.duration)
    assert.is_number(d.created_at)
    assert.matches("/files/" .. id .. "%.mp4%?Expires=%d+&Signature=%x+$", d.video_url)
    assert.matches("/files/" .. id .. "%.jpg%?Expires=", d.thumbnail_url)
    assert.matches("/files/" .. id .. "%.gif%?Expires=", d.gif_url)
    assert.equal(null, d.video_url_caption)
  end)

  it("finishes within about a second at time_scale 200", function()
    local t0 = socket.gettime()
    local id = create_video()
    wait_until(function() return status_of(id).status == "completed" end, 3)
    assert.is_true(socket.gettime() - t0 < 2)
  end)

  it("regenerates Expires on every status read", function()
    local id = create_video()
    emu:advance(200)
    local first = status_of(id).video_url
    socket.sleep(1.05)
    local second = status_of(id).video_url
    local e1, e2 = tonumber(first:match("Expires=(%d+)")), tonumber(second:match("Expires=(%d+)"))
    assert.is_true(e2 > e1)
    assert.is_true(math.abs(e1 - (os.time() + 7 * 86400)) < 5)
  end)

  it("adds caption URLs and the callback_id when asked", function()
    local id = create_video({video_inputs = {scene()}, caption = true, callback_id = "cb-1"})
    emu:advance(200)
    local d = status_of(id)
    assert.equal("cb-1", d.callback_id)
    assert.matches("_caption%.mp4%?Expires=", d.video_url_caption)
    assert.matches("%.ass%?Expires=", d.caption_url)
    assert.matches("Dialogue:", get(local_path(d.caption_url)).body)
  end)

  it("answers an unknown avatar 400 avatar_not_found", function()
    local res = post("/v2/video/generate",
                     {video_inputs = {scene(avatar({avatar_id = "6c6486f966a74669b07b4b11146a0a94"}))}})
    assert.equal(400, res.status)
    assert.same({error = {code = "avatar_not_found",
                          message = "Avatar 6c6486f966a74669b07b4b11146a0a94 not found or no longer available."},
                 data = null}, res.json)
  end)

  local bad_bodies = {
    ["missing video_inputs"] = {{}, "video_inputs"},
    ["more than 50 scenes"] = {"51 scenes", "video_inputs"},
    ["a bad voice speed"] = {{video_inputs = {scene(text_voice({speed = 3}))}}, "speed"},
    ["a bad colour"] = {{video_inputs = {scene({background = {type = "color", value = "white"}})}}, "background.value"},
    ["a colour background without value"] = {{video_inputs = {scene({background = {type = "color"}})}},
                                              "background.value"},
    ["a bad avatar_style"] = {{video_inputs = {scene(avatar({avatar_style = "huge"}))}}, "avatar_style"},
    ["an over-long script"] = {{video_inputs = {scene(text_voice({input_text = string.rep("a", 5001)}))}},
                               "input_text"},
    ["a bad aspect ratio"] = {{video_inputs = {scene()}, aspect_ratio = "3:1"}, "aspect_ratio"},
    ["a too small dimension"] = {{video_inputs = {scene()}, dimension = {width = 100, height = 720}},
                                 "dimension.width"},
    ["a non-JSON body"] = {"not json", "JSON"},
  }
  for name, case in pairs(bad_bodies) do
    it("answers " .. name .. " 400 invalid_parameter naming the field", function()
      local body = case[1]
      if body == "51 scenes" then
        body = {video_inputs = {}}
        for i = 1, 51 do body.video_inputs[i] = scene() end
      end
      local res = post("/v2/video/generate", body)
      assert.equal(400, res.status)
      assert.equal("invalid_parameter", res.json.error.code)
      assert.equal(null, res.json.data)
      assert.matches(case[2], res.json.error.message, 1, true)
    end)
  end

  it("answers an unknown voice 400 voice_not_found", function()
    local res = post("/v2/video/generate", {video_inputs = {scene(text_voice({voice_id = "nope"}))}})
    assert.equal(400, res.status)
    assert.equal("voice_not_found", res.json.error.code)
  end)

  it("answers video_status.get for an unknown id 404 with v1 code 40031", function()
    local res = get("/v1/video_status.get?video_id=ffffffffffffffffffffffffffffffff")
    assert.equal(404, res.status)
    assert.equal(40031, res.json.code)
    local missing = get("/v1/video_status.get")
    assert.equal(400, missing.status)
    assert.equal(40001, missing.json.code)
  end)

  it("accepts talking photos and audio voices", function()
    local res = post("/v2/video/generate", {video_inputs = {
      {character = {type = "talking_photo", talking_photo_id = "6013fc758b5446a2ba17d8c459538bb4",
                     talking_style = "expressive"},
       voice = {type = "audio", audio_url = "https://example.com/a.mp3"}},
      {voice = {type = "silence", duration = 1.5}, character = {type = "avatar", avatar_id = AVATAR}}}})
    assert.equal(200, res.status)
  end)
end)

describe("POST /v1/video.webm", function()
  local base = {avatar_pose_id = "Vanessa-invest-20220722", avatar_style = "normal",
                input_text = "Hello!", voice_id = "1bd001e7e50f421d891986aad5158bc8"}
  local function with(changes)
    local t = {}
    for k, v in pairs(base) do t[k] = v end
    for k, v in pairs(changes) do if v == false then t[k] = nil else t[k] = v end end
    return t
  end

  it("answers in the v1 envelope and renders a .webm", function()
    local res = post("/v1/video.webm", base)
    assert.equal(200, res.status)
    assert.equal(100, res.json.code)
    local id = res.json.data.video_id
    emu:advance(200)
    local d = status_of(id)
    assert.matches("/files/" .. id .. "%.webm%?Expires=", d.video_url)
    local file = get(local_path(d.video_url))
    assert.equal("video/webm", file.headers["content-type"])
    assert.equal("\26\69\223\163", file.body:sub(1, 4))        -- EBML magic
    if has_ffprobe() then assert.matches("vp9", ffprobe(file.body, ".webm")) end
  end)

  it("rejects avatar_style other than normal/closeUp", function()
    local res = post("/v1/video.webm", with({avatar_style = "circle"}))
    assert.equal(400, res.status)
    assert.equal(400175, res.json.code)
    assert.matches("avatar_style", res.json.message)
  end)

  it("takes input_text xor input_audio", function()
    local both = post("/v1/video.webm", with({input_audio = "asset123"}))
    assert.equal(400, both.status)
    assert.equal(400175, both.json.code)
    local neither = post("/v1/video.webm", with({input_text = false, voice_id = false}))
    assert.equal(40001, neither.json.code)
    local audio = post("/v1/video.webm", with({input_text = false, voice_id = false, input_audio = "asset123"}))
    assert.equal(200, audio.status)
  end)
end)

describe("the catalogue", function()
  it("lists avatars and talking photos, with and without default voices", function()
    local res = get("/v2/avatars")
    assert.equal(null, res.json.error)
    local avatars = res.json.data.avatars
    assert.is_true(#avatars >= 5)
    local genders, null_voice = {}, false
    for _, a in ipairs(avatars) do
      genders[a.gender] = true
      if a.default_voice_id == null then null_voice = true end
      assert.is_string(a.avatar_id)
      assert.is_string(a.preview_image_url)
      assert.is_boolean(a.premium)
      assert.equal(null, a.type)
      assert.is_table(a.tags)
    end
    assert.is_true(genders.male and genders.female)
    assert.is_true(null_voice)
    assert.matches('"tags":%[%]', res.body)
    assert.is_true(#res.json.data.talking_photos >= 1)
    assert.equal(200, get(local_path(avatars[1].preview_image_url)).status)
  end)

  it("details one avatar and answers unknown ones 404 avatar_not_found", function()
    local d = get("/v2/avatar/" .. AVATAR .. "/details").json.data
    assert.equal("avatar", d.type)
    assert.equal(AVATAR, d.id)
    assert.equal(VOICE, d.default_voice_id)
    assert.is_true(d.is_public)
    local res = get("/v2/avatar/nobody/details")
    assert.equal(404, res.status)
    assert.equal("avatar_not_found", res.json.error.code)
  end)

  it("lists voices in several languages with mixed-case genders", function()
    local voices = get("/v2/voices").json.data.voices
    local langs, cases = {}, {}
    for _, v in ipairs(voices) do
      langs[v.language] = true
      cases[v.gender] = true
      assert.is_string(v.preview_audio)
      assert.is_boolean(v.support_pause)
    end
    local n = 0
    for _ in pairs(langs) do n = n + 1 end
    assert.is_true(n >= 3)
    assert.is_true(cases.Female and cases.female and true)
  end)

  it("lists templates and details their variables keyed by name", function()
    local list = get("/v2/templates").json.data.templates
    assert.is_true(#list >= 2)
    assert.equal(null, list[1].thumbnail_image_url)
    local t = get("/v2/template/" .. list[1].template_id).json.data
    assert.equal("first_name", t.variables.first_name.name)
    assert.equal("text", t.variables.first_name.type)
    assert.equal("John", t.variables.first_name.properties.content)
    assert.equal(404, get("/v2/template/0000").status)
  end)

  it("generates from a template and rejects flat variables", function()
    local id = "22a48da453ef4c014a6a60d827a02f0b"
    local ok = post("/v2/template/" .. id .. "/generate", {title = "T", test = true,
      dimension = {width = 1280, height = 720},
      variables = {first_name = {name = "first_name", type = "text", properties = {content = "Ada"}}}})
    assert.equal(200, ok.status)
    assert.equal(32, #ok.json.data.video_id)
    local flat = post("/v2/template/" .. id .. "/generate", {variables = {first_name = "Ada"}})
    assert.equal(400, flat.status)
    assert.matches("variables.first_name", flat.json.error.message, 1, true)
    local unknown = post("/v2/template/" .. id .. "/generate",
                         {variables = {nope = {type = "text", properties = {content = "x"}}}})
    assert.equal(400, unknown.status)
    local portrait = post("/v2/template/" .. id .. "/generate", {dimension = {width = 720, height = 1280}})
    assert.equal(400, portrait.status)
    local missing = post("/v2/template/ffff/generate", {})
    assert.equal(404, missing.status)
    assert.equal("not_found", missing.json.error.code)
  end)
end)

describe("video translate", function()
  it("lists target languages as display names", function()
    local langs = get("/v2/video_translate/target_languages").json.data.languages
    assert.is_true(#langs > 5)
    assert.equal("English", langs[1])
  end)

  it("runs pending -> running -> success with the link in url", function()
    emu:config({time_scale = 1})
    local res = post("/v2/video_translate", {video_url = "https://example.com/v.mp4",
                                             output_language = "Spanish (Spain)", title = "Hola"})
    assert.equal(200, res.status)
    local id = res.json.data.video_translate_id
    local d = get("/v2/video_translate/" .. id).json.data
    assert.same({video_translate_id = id, title = "Hola", status = "pending", url = null, message = null}, d)
    emu:advance(31)
    assert.equal("running", get("/v2/video_translate/" .. id).json.data.status)
    emu:advance(300)
    d = get("/v2/video_translate/" .. id).json.data
    assert.equal("success", d.status)
    assert.matches("/files/" .. id .. "%.mp4%?Expires=", d.url)
    local cap = get("/v2/video_translate/caption?video_translate_id=" .. id .. "&caption_type=vtt").json.data
    assert.matches("^WEBVTT", get(local_path(cap.caption_url)).body)
  end)

  it("fails with a message and answers unknown ids 404", function()
    local src = "https://example.com/v.mp4"
    local id = post("/v2/video_translate", {video_url = src, output_language = "English"}).json.data.video_translate_id
    emu:job(id, {fail = {message = "No speech detected"}})
    local d = get("/v2/video_translate/" .. id).json.data
    assert.equal("failed", d.status)
    assert.equal(null, d.url)
    assert.equal("No speech detected", d.message)
    assert.equal(404, get("/v2/video_translate/ffff").status)
    assert.equal(400, post("/v2/video_translate", {video_url = src, output_language = "es-ES"}).status)
  end)
end)

describe("GET /v1/video.list", function()
  it("pages through 250+ videos with tokens and ends with token null", function()
    local mine = create_video()
    local seen, pages, token = {}, 0, nil
    repeat
      local res = get("/v1/video.list?limit=100" .. (token and ("&token=" .. token) or ""))
      assert.equal(200, res.status)
      assert.equal(100, res.json.code)
      pages = pages + 1
      for _, v in ipairs(res.json.data.videos) do
        assert.is_nil(seen[v.video_id], "duplicate " .. v.video_id)
        seen[v.video_id] = v
        assert.is_number(v.created_at)
        assert.is_true(v.type == "GENERATED" or v.type == "TRANSLATED")
      end
      token = res.json.data.token
      if token == null then token = nil end
    until not token
    local n = 0
    for _ in pairs(seen) do n = n + 1 end
    assert.equal(3, pages)
    assert.equal(251, n)
    assert.truthy(seen[mine])
    local statuses = {}
    for _, v in pairs(seen) do statuses[v.status] = true end
    assert.is_true(statuses.completed and statuses.failed and statuses.processing and statuses.draft)
  end)

  it("lists newest first and rejects bad limits and tokens", function()
    local mine = create_video()
    local res = get("/v1/video.list?limit=1")
    assert.equal(mine, res.json.data.videos[1].video_id)
    assert.matches('"message":null', res.body)
    assert.equal(400, get("/v1/video.list?limit=101").status)
    assert.equal(40012, get("/v1/video.list?token=forged").json.code)
  end)

  it("deletes videos and shares them", function()
    local id = create_video()
    local share = post("/v1/video/share", {video_id = id})
    assert.equal(100, share.json.code)
    assert.matches("/share/" .. id .. "$", share.json.data)
    assert.equal(200, get(local_path(share.json.data)).status)
    local del = http("DELETE", "/v1/video.delete?video_id=" .. id)
    assert.same({code = 100, data = null, message = "Success"}, del.json)
    assert.equal(40031, get("/v1/video_status.get?video_id=" .. id).json.code)
    assert.equal(404, http("DELETE", "/v1/video.delete?video_id=" .. id).status)
    assert.equal(404, post("/v1/video/share", {video_id = id}).status)
  end)
end)

describe("quota and assets", function()
  it("reports remaining quota and spends it on non-test videos", function()
    local q = get("/v2/user/remaining_quota").json.data
    assert.is_number(q.remaining_quota)
    assert.equal(q.remaining_quota, q.details.api)
    create_video()
    assert.equal(q.remaining_quota - 60, get("/v2/user/remaining_quota").json.data.remaining_quota)
  end)

  it("fails a video at poll time with MOVIO_PAYMENT_INSUFFICIENT_CREDIT when the wallet is empty", function()
    emu:config({quota = 0})
    local id = create_video()
    emu:advance(200)
    local d = status_of(id)
    assert.equal("failed", d.status)
    assert.equal("MOVIO_PAYMENT_INSUFFICIENT_CREDIT", d.error.code)
  end)

  it("uploads raw bytes and answers the documented v1 shape", function()
    local png = "\137PNG\r\n\26\n" .. string.rep("\0", 100)
    local res = post("/v1/asset", png, {headers = {["Content-Type"] = "image/png"}})
    assert.equal(200, res.status)
    local j = res.json
    assert.equal(100, j.code)
    assert.equal(null, j.msg)
    assert.equal(null, j.message)
    local d = j.data
    assert.equal(d.id, d.name)
    assert.equal("image", d.file_type)
    assert.equal("", d.folder_id)
    assert.equal(null, d.meta)
    assert.is_number(d.created_ts)
    assert.equal("image/" .. d.id .. "/original.png", d.image_key)
    assert.equal(png, get(local_path(d.url)).body)
  end)

  it("rejects a Content-Type outside the documented list", function()
    local res = post("/v1/asset", "x", {headers = {["Content-Type"] = "application/pdf"}})
    assert.equal(400, res.status)
    assert.is_number(res.json.code)
    assert.equal(400, post("/v1/asset", "", {headers = {["Content-Type"] = "video/mp4"}}).status)
  end)
end)

describe("downloads", function()
  local function video_url()
    local id = create_video()
    emu:advance(200)
    return local_path(status_of(id).video_url), id
  end

  it("serves the MP4 byte-identical to sample.mp4, and ffprobe reads it", function()
    local res = get(video_url())
    assert.equal(200, res.status)
    assert.equal("video/mp4", res.headers["content-type"])
    assert.equal("bytes", res.headers["accept-ranges"])
    local sample = sample_mp4()
    assert.is_true(#sample > 10000 and #sample < 150000)
    assert.equal(#sample, #res.body)
    assert.is_true(sample == res.body)
    if has_ffprobe() then
      local out = ffprobe(res.body, ".mp4")
      assert.matches("h264", out)
      assert.matches("aac", out)
    end
  end)

  it("serves a JPEG thumbnail and a GIF", function()
    local id = create_video()
    emu:advance(200)
    local d = status_of(id)
    assert.equal("\255\216\255", get(local_path(d.thumbnail_url)).body:sub(1, 3))
    assert.equal("GIF89a", get(local_path(d.gif_url)).body:sub(1, 6))
  end)

  it("honours Range: bytes=N- with 206 and Content-Range", function()
    local path = video_url()
    local sample = sample_mp4()
    local res = get(path, {headers = {Range = "bytes=1000-"}})
    assert.equal(206, res.status)
    assert.equal("bytes 1000-" .. (#sample - 1) .. "/" .. #sample, res.headers["content-range"])
    assert.is_true(sample:sub(1001) == res.body)
    local mid = get(path, {headers = {Range = "bytes=10-19"}})
    assert.equal(sample:sub(11, 20), mid.body)
    assert.equal(416, get(path, {headers = {Range = "bytes=" .. #sample .. "-"}}).status)
  end)

  it("gives files a strong ETag and honours If-Range: a match gets the range, else all of it", function()
    local path = video_url()
    local sample = sample_mp4()
    local etag = get(path).headers["etag"]
    assert.matches('^"%x+"$', etag)
    assert.equal(etag, get(path).headers["etag"]) -- the same file, the same tag
    local res = get(path, {headers = {Range = "bytes=1000-", ["If-Range"] = etag}})
    assert.equal(206, res.status)
    assert.is_true(sample:sub(1001) == res.body)
    res = get(path, {headers = {Range = "bytes=1000-", ["If-Range"] = '"another-file"'}})
    assert.equal(200, res.status)
    assert.is_nil(res.headers["content-range"])
    assert.is_true(sample == res.body)
  end)

  it("ignores Range, or answers it with a lying 206, on demand", function()
    local path = video_url()
    local sample = sample_mp4()
    emu:fault({path = "/files/", ignore_range = true})
    local res = get(path, {headers = {Range = "bytes=1000-"}})
    assert.equal(200, res.status)
    assert.is_true(sample == res.body)
    emu:fault({path = "/files/", lie_206 = true})
    res = get(path, {headers = {Range = "bytes=1000-"}})
    assert.equal(206, res.status)
    assert.equal("bytes 0-" .. (#sample - 1) .. "/" .. #sample, res.headers["content-range"])
    assert.is_true(sample == res.body)
    assert.equal(206, get(path, {headers = {Range = "bytes=1000-"}}).status) -- faults consumed
    assert.equal("bytes 1000-" .. (#sample - 1) .. "/" .. #sample,
      get(path, {headers = {Range = "bytes=1000-"}}).headers["content-range"])
  end)

  it("answers HEAD on a download", function()
    local res = http("HEAD", video_url())
    assert.equal(200, res.status)
    assert.equal(tostring(#sample_mp4()), res.headers["content-length"])
  end)

  it("answers 403 once Expires is past, and for a bad signature", function()
    emu:config({url_ttl = 1})
    local path = video_url()
    assert.equal(200, get(path).status)
    -- change the signature's first digit to a different one (never to itself)
    local bad = path:gsub("Signature=(%x)", function(d) return "Signature=" .. (d == "0" and "1" or "0") end)
    assert.equal(403, get(bad).status)
    assert.equal(403, get((path:gsub("Expires=(%d+)", function(e) return "Expires=" .. (e + 100) end))).status)
    socket.sleep(2.1)
    local res = get(path)
    assert.equal(403, res.status)
    assert.matches("expired", res.body)
  end)

  it("pads a job's MP4 to a requested size and keeps it playable", function()
    local id = create_video()
    emu:job(id, {size = 1048576, complete = true})
    local res = get(local_path(status_of(id).video_url))
    assert.equal(1048576, #res.body)
    assert.is_true(res.body:sub(1, #sample_mp4()) == sample_mp4())
    if has_ffprobe() then assert.matches("h264", ffprobe(res.body, ".mp4")) end
  end)
end)

describe("fault injection", function()
  it("answers 429 with Retry-After, then lets the next request through", function()
    emu:fault({method = "GET", path = "/v2/voices", status = 429, retry_after = 2})
    local res = get("/v2/voices")
    assert.equal(429, res.status)
    assert.equal("2", res.headers["retry-after"])
    assert.equal("rate_limit_exceeded", res.json.error.code)
    assert.equal(200, get("/v2/voices").status)
  end)

  it("fires N times, takes a custom body and an HTTP-date Retry-After", function()
    emu:fault({path = "/v2/avatars", status = 429, times = 2, retry_after_date = -10,
               body = {data = null, error = {code = "trial_video_limit_exceeded", message = "limit 5"}}})
    local a = get("/v2/avatars")
    assert.equal("trial_video_limit_exceeded", a.json.error.code)
    assert.matches("GMT$", a.headers["retry-after"])
    assert.equal(429, get("/v2/avatars").status)
    assert.equal(200, get("/v2/avatars").status)
  end)

  it("answers 5xx in the endpoint's envelope", function()
    emu:fault({path = "/v1/video.list", status = 503})
    local v1 = get("/v1/video.list")
    assert.equal(503, v1.status)
    assert.equal(503, v1.json.code)
    emu:fault({path = "^/v2/voices$", status = 500})
    assert.equal("internal_error", get("/v2/voices").json.error.code)
  end)

  it("stalls one connection without blocking the others", function()
    emu:fault({path = "/v2/voices", delay = 0.8})
    local slow = connect()
    assert(slow:send(request_bytes("GET", "/v2/voices")))
    socket.sleep(0.05)
    local t0 = socket.gettime()
    assert.equal(200, get("/_emulator/test/echo").status)
    assert.is_true(socket.gettime() - t0 < 0.4)
    local res = read_response(slow)
    slow:close()
    assert.equal(200, res.status)
    assert.is_true(socket.gettime() - t0 > 0.6)
  end)

  it("resets the connection before reading the body", function()
    emu:fault({method = "POST", path = "/v2/video/generate", reset = "before_body"})
    local res = post("/v2/video/generate", {video_inputs = {scene()}})
    assert.equal(0, res.status)
    assert.truthy(res.closed)
    local log = emu:requests({path = "/v2/video/generate"})
    assert.equal(0, log[#log].status)
    assert.equal(0, #emu:jobs())
  end)

  it("resets the connection after reading the body", function()
    emu:fault({method = "POST", path = "/v2/video/generate", reset = "after_body"})
    local res = post("/v2/video/generate", {video_inputs = {scene()}})
    assert.equal(0, res.status)
    local log = emu:requests({path = "/v2/video/generate"})
    assert.matches("video_inputs", log[#log].body)
  end)

  it("truncates a body under a full Content-Length", function()
    emu:fault({path = "/v2/voices", truncate = 10})
    local res = get("/v2/voices")
    assert.equal(200, res.status)
    assert.is_true(tonumber(res.headers["content-length"]) > 10)
    assert.equal(10, #res.body)
    assert.truthy(res.closed)
  end)

  it("answers malformed JSON, an HTML 502 and HTTP 200 error bodies", function()
    emu:fault({path = "/v2/voices", malformed = true})
    local m = get("/v2/voices")
    assert.equal(200, m.status)
    assert.is_false(pcall(cjson.decode, m.body))
    emu:fault({path = "/v2/voices", html = true})
    local h = get("/v2/voices")
    assert.equal(502, h.status)
    assert.matches("^text/html", h.headers["content-type"])
    assert.matches("<html>", h.body)
    emu:fault({path = "/v1/video_status.get", error_body = true})
    local v1 = get("/v1/video_status.get?video_id=x")
    assert.equal(200, v1.status)
    assert.equal(400105, v1.json.code)
    emu:fault({path = "/v2/voices", error_body = true})
    local v2 = get("/v2/voices")
    assert.equal(200, v2.status)
    assert.equal(null, v2.json.data)
    assert.is_string(v2.json.error.code)
  end)

  it("drops a download after N bytes, and expires one on demand", function()
    local id = create_video()
    emu:advance(200)
    local path = local_path(status_of(id).video_url)
    emu:fault({path = "/files/", drop_after = 5000})
    local res = get(path)
    assert.equal(tostring(#sample_mp4()), res.headers["content-length"])
    assert.equal(5000, #res.body)
    emu:fault({path = "/files/", expire = true})
    assert.equal(403, get(path).status)
    assert.equal(200, get(path).status)
  end)

  it("lets `skip` matches through first and lists and clears armed faults", function()
    local fid = emu:fault({path = "/v2/voices", status = 503, skip = 1, times = -1})
    assert.equal(200, get("/v2/voices").status)
    assert.equal(503, get("/v2/voices").status)
    assert.equal(503, get("/v2/voices").status)
    local list = emu:faults()
    assert.equal(1, #list)
    assert.equal(fid, list[1].id)
    assert.equal(2, list[1].hits)
    emu:clear_faults()
    assert.equal(0, #emu:faults())
    assert.equal(200, get("/v2/voices").status)
  end)

  it("rejects specs with unknown keys or two actions", function()
    assert.has_error(function() emu:fault({path = "/x", stauts = 500}) end)
    assert.has_error(function() emu:fault({path = "/x", status = 500, html = true}) end)
  end)
end)

describe("job control", function()
  it("keeps a stuck job processing forever", function()
    local id = create_video()
    emu:job(id, {stuck = true})
    emu:advance(100000)
    assert.equal("processing", status_of(id).status)
    emu:job(id, {complete = true})
    assert.equal("completed", status_of(id).status)
  end)

  it("fails a job now with the given code", function()
    local id = create_video()
    emu:job(id, {fail = {code = "MOVIO_PAYMENT_INSUFFICIENT_CREDIT", message = "Insufficient credit"}})
    local d = status_of(id)
    assert.equal("failed", d.status)
    assert.same({code = "MOVIO_PAYMENT_INSUFFICIENT_CREDIT", message = "Insufficient credit",
                 detail = "Insufficient credit"}, d.error)
    assert.equal(200, get("/v1/video_status.get?video_id=" .. id).status)
  end)

  it("fails with the documented numeric error by default", function()
    local id = create_video()
    emu:job(id, {fail = true})
    local e = status_of(id).error
    assert.equal(40119, e.code)
    assert.equal("Video is too long", e.message)
    assert.matches('"code":40119[,}]', get("/v1/video_status.get?video_id=" .. id).body)
  end)

  it("applies next_job to the next created job, failing at poll time", function()
    emu:config({time_scale = 1})
    emu:next_job({fail = {code = 40119, message = "Video is too long"}})
    local id = create_video()
    local other = create_video()
    assert.equal("waiting", status_of(id).status)
    emu:advance(30)
    assert.equal("processing", status_of(id).status)
    emu:advance(200)
    assert.equal("failed", status_of(id).status)
    assert.equal("completed", status_of(other).status)
  end)

  it("applies next_job to workflows too", function()
    emu:next_job({kind = "workflow", stuck = true})
    local res = post("/v1/workflows/executions", {workflow_type = "GenerateVideoNode", input = {prompt = "x"}})
    local id = res.json.data.execution_id
    emu:advance(1000)
    assert.equal("processing", get("/v1/workflows/executions/" .. id).json.data.status)
    emu:job(id, {fail = {message = "workflow internal error: Queue is closed"}})
    local d = get("/v1/workflows/executions/" .. id).json.data
    assert.equal("failed", d.status)
    assert.equal("workflow internal error: Queue is closed", d.error.message)
  end)

  it("rejects unknown ids and spec keys", function()
    assert.has_error(function() emu:job("nope", {stuck = true}) end)
    local id = create_video()
    assert.has_error(function() emu:job(id, {stcuk = true}) end)
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
