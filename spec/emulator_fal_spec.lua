-- The emulator's fal routes as a raw HTTP client sees them: x-fal-request-id on every
-- answer, the streaming status route (Server-Sent Events, never blocking the server),
-- the synchronous host (/fal-run), storage uploads (/fal-rest, /fal-cdn) and the model
-- registry. spec/contract/fal_client.mjs holds the same routes against fal's own client.
local socket = require "socket"
local cjson = require "cjson"
local support = require "support"

local KEY = support.FAL_KEY
local UUID = "^%x%x%x%x%x%x%x%x%-%x%x%x%x%-%x%x%x%x%-%x%x%x%x%-%x%x%x%x%x%x%x%x%x%x%x%x$"
local T2V = "bytedance/seedance-2.0/text-to-video"
local APP = "bytedance/seedance-2.0"

local emu, port

setup(function()
  emu = support.emulator()
  port = emu.port
end)
teardown(function() if emu then emu:stop() end end)
before_each(function() emu:reset() end)

---------------------------------------------------------------------------------------
-- a raw HTTP/1.1 client: one connection per request, chunked bodies read chunk by chunk

local function connect()
  local s = assert(socket.tcp())
  s:settimeout(10)
  assert(s:connect("127.0.0.1", port))
  return s
end

-- Sends a request on a new connection; returns the socket.
local function send(method, path, opts)
  opts = opts or {}
  local lines = {method .. " " .. path .. " HTTP/1.1", "Host: 127.0.0.1:" .. port}
  if opts.key ~= false then lines[#lines + 1] = "Authorization: Key " .. (opts.key or KEY) end
  for k, v in pairs(opts.headers or {}) do lines[#lines + 1] = k .. ": " .. v end
  local body = opts.body
  if type(body) == "table" then body = cjson.encode(body) end
  if body then
    lines[#lines + 1] = "Content-Length: " .. #body
    if not (opts.headers and opts.headers["Content-Type"]) then lines[#lines + 1] = "Content-Type: application/json" end
  end
  local s = connect()
  assert(s:send(table.concat(lines, "\r\n") .. "\r\n\r\n" .. (body or "")))
  return s
end

local read_head = require("emulator.raw").read_head -- status and headers, the body left unread

-- The next chunk of a chunked body; nil at its end.
local function read_chunk(s)
  local size = tonumber(assert(s:receive("*l")), 16)
  if size == 0 then assert(s:receive("*l")) return nil end
  local data = assert(s:receive(size))
  assert(s:receive("*l"))
  return data
end

local function read_body(s, res)
  local n = tonumber(res.headers["content-length"] or "")
  if n == 0 then return "" end
  if n then return (assert(s:receive(n))) end
  local parts = {}
  for chunk in function() return read_chunk(s) end do parts[#parts + 1] = chunk end
  return table.concat(parts)
end

-- One whole exchange: {status, headers, body, json}.
local function http(method, path, opts)
  local s = send(method, path, opts)
  local res = read_head(s)
  res.body = read_body(s, res)
  s:close()
  if (res.headers["content-type"] or ""):find("json") then res.json = cjson.decode(res.body) end
  return res
end

local function control(path, body) return emu:call("POST", path, body) end
local function script(model, spec) return control("/_emulator/fal/models/" .. model, spec) end

local function submit(model, input)
  local res = http("POST", "/fal/" .. (model or T2V), {body = input or {prompt = "a fox"}})
  assert.are.equal(200, res.status)
  return res.json.request_id, res
end

local function requests(app, id) return "/fal/" .. (app or APP) .. "/requests/" .. id end

-- The `data:` events of an SSE text, decoded, and the comment lines.
local function events(text)
  local out, comments = {}, {}
  for block in text:gmatch("(.-)\n\n") do
    local data = block:match("^data: (.*)$")
    if data then out[#out + 1] = cjson.decode(data)
    elseif block:match("^:") then comments[#comments + 1] = block end
  end
  return out, comments
end

---------------------------------------------------------------------------------------

describe("emulator fal: x-fal-request-id", function()
  it("is on status answers, queued and completed, and is the request's id", function()
    script(APP, {queue = 0, logs = {}, times = 1})
    local id = submit()
    local queued = http("GET", requests(nil, id) .. "/status")
    assert.are.equal(202, queued.status)
    assert.are.equal(id, queued.headers["x-fal-request-id"])
    local done = http("GET", requests(nil, id) .. "/status")
    assert.are.equal(200, done.status)
    assert.are.equal("COMPLETED", done.json.status)
    assert.are.equal(id, done.headers["x-fal-request-id"])
  end)

  it("is on cancel answers: requested, already completed, not found", function()
    local id = submit()
    local first = http("PUT", requests(nil, id) .. "/cancel")
    assert.are.same({202, "CANCELLATION_REQUESTED", id},
                    {first.status, first.json.status, first.headers["x-fal-request-id"]})
    local again = http("PUT", requests(nil, id) .. "/cancel")
    assert.are.same({400, "ALREADY_COMPLETED", id},
                    {again.status, again.json.status, again.headers["x-fal-request-id"]})
    local unknown = "00000000-0000-4000-a000-000000000000"
    local none = http("PUT", requests(nil, unknown) .. "/cancel")
    assert.are.same({404, "NOT_FOUND", unknown}, {none.status, none.json.status, none.headers["x-fal-request-id"]})
  end)

  it("is on error answers: 401, 422, unknown model, unknown request", function()
    local bad_key = http("POST", "/fal/" .. T2V, {key = "wrong", body = {prompt = "x"}})
    assert.are.equal(401, bad_key.status)
    assert.matches(UUID, bad_key.headers["x-fal-request-id"])
    local no_key = http("GET", requests(nil, "00000000-0000-4000-a000-000000000000") .. "/status", {key = false})
    assert.are.equal(401, no_key.status)
    assert.matches(UUID, no_key.headers["x-fal-request-id"])
    local invalid = http("POST", "/fal/" .. T2V, {body = {}})
    assert.are.equal(422, invalid.status)
    assert.are.same({"body", "prompt"}, invalid.json.detail[1].loc)
    assert.matches(UUID, invalid.headers["x-fal-request-id"])
    local model = http("POST", "/fal/fal-ai/no-such-model", {body = {prompt = "x"}})
    assert.are.equal(404, model.status)
    assert.matches(UUID, model.headers["x-fal-request-id"])
    local unknown = "00000000-0000-4000-a000-000000000000"
    local request = http("GET", requests(nil, unknown) .. "/status")
    assert.are.same({404, unknown}, {request.status, request.headers["x-fal-request-id"]})
    local result = http("GET", requests(nil, unknown))
    assert.are.same({404, unknown}, {result.status, result.headers["x-fal-request-id"]})
  end)
end)

describe("emulator fal: GET .../requests/{id}/status/stream", function()
  it("sends one event per step, each log line once, and ends after COMPLETED", function()
    script(T2V, {queue = 1, logs = {"one", "two"}, times = 1})
    local id = submit()
    local res = http("GET", requests(nil, id) .. "/status/stream?logs=1", {headers = {Accept = "text/event-stream"}})
    assert.are.equal(200, res.status)
    assert.are.equal("text/event-stream", res.headers["content-type"])
    assert.are.equal(id, res.headers["x-fal-request-id"])
    assert.are.equal("chunked", res.headers["transfer-encoding"])
    local list = events(res.body)
    local statuses, positions, logs = {}, {}, {}
    for i, e in ipairs(list) do
      statuses[i] = e.status
      positions[i] = e.queue_position or false
      local lines = {}
      for j, l in ipairs(type(e.logs) == "table" and e.logs or {}) do lines[j] = l.message end
      logs[i] = lines
      assert.are.equal(id, e.request_id)
    end
    assert.are.same({"IN_QUEUE", "IN_QUEUE", "IN_PROGRESS", "IN_PROGRESS", "COMPLETED"}, statuses)
    assert.are.same({1, 0, false, false, false}, positions)
    assert.are.same({{}, {}, {"one"}, {"two"}, {}}, logs)
    assert.are.equal(41.2, list[5].metrics.inference_time)
  end)

  it("carries no logs without logs=1, and a cancelled request ends with its error", function()
    script(T2V, {queue = 3, times = 1})
    local id = submit()
    assert.are.equal(202, http("PUT", requests(nil, id) .. "/cancel").status)
    local res = http("GET", requests(nil, id) .. "/status/stream")
    local list = events(res.body)
    assert.are.equal(1, #list)
    assert.are.equal("COMPLETED", list[1].status)
    assert.are.equal("client_cancelled", list[1].error_type)
    assert.are.equal(cjson.null, list[1].logs)
  end)

  it("answers an unknown request with a 404 JSON error, not a stream", function()
    local unknown = "00000000-0000-4000-a000-000000000000"
    local res = http("GET", requests(nil, unknown) .. "/status/stream")
    assert.are.equal(404, res.status)
    assert.matches("application/json", res.headers["content-type"])
    assert.are.equal(unknown, res.headers["x-fal-request-id"])
  end)

  it("follows the clock and never blocks other requests while it is open", function()
    local id = submit()                        -- unscripted: 3 s queued, 30 s running (nominal)
    local s = send("GET", requests(nil, id) .. "/status/stream")
    local head = read_head(s)
    assert.are.equal(200, head.status)
    local first = events(read_chunk(s))[1]
    assert.are.equal("IN_QUEUE", first.status)
    -- the stream is open; another connection is answered at once
    local t0 = socket.gettime()
    local other = http("GET", requests(nil, submit()) .. "/status")
    assert.are.equal(202, other.status)
    assert.is_true(socket.gettime() - t0 < 1)
    emu:advance(40)
    local rest = {}
    for chunk in function() return read_chunk(s) end do rest[#rest + 1] = chunk end
    s:close()
    local list = events(table.concat(rest))
    assert.are.equal("COMPLETED", list[#list].status)
  end)

  it("keeps a quiet stream alive with comment lines", function()
    script(T2V, {queue = 0, logs = {"x"}, stuck = true, times = 1})
    local id = submit()
    local s = send("GET", requests(nil, id) .. "/status/stream?logs=1")
    read_head(s)
    local seen = {}
    for _ = 1, 2 do seen[#seen + 1] = events(read_chunk(s))[1].status end
    assert.are.same({"IN_QUEUE", "IN_PROGRESS"}, seen)
    s:settimeout(8)
    local chunk = read_chunk(s)                 -- nothing changes: a comment within 5 s
    s:close()
    local list, comments = events(chunk)
    assert.are.same({}, list)
    assert.are.same({": keep-alive"}, comments)
  end)
end)

describe("emulator fal: POST /fal-run/{model} (the synchronous host)", function()
  it("answers with the output once the request ends, with x-fal-request-id", function()
    script(T2V, {queue = 1, logs = {"a", "b"}, times = 1})
    local res = http("POST", "/fal-run/" .. T2V, {body = {prompt = "a fox"}})
    assert.are.equal(200, res.status)
    assert.matches(UUID, res.headers["x-fal-request-id"])
    assert.are.equal("video/mp4", res.json.video.content_type)
    assert.are.equal("string", type(res.json.video.url))
    assert.are.equal(123456789, res.json.seed)
    assert.is_nil(res.json.request_id)
  end)

  it("waits on the clock without blocking the server", function()
    local s = send("POST", "/fal-run/" .. T2V, {body = {prompt = "a fox"}})   -- unscripted
    socket.sleep(0.1)
    local other = http("POST", "/fal/" .. T2V, {body = {prompt = "x"}})
    assert.are.equal(200, other.status)
    emu:advance(40)
    local res = read_head(s)
    local body = cjson.decode(read_body(s, res))
    s:close()
    assert.are.equal(200, res.status)
    assert.are.equal("video/mp4", body.video.content_type)
  end)

  it("answers bad input, a bad key and a failed run as the queue does", function()
    local invalid = http("POST", "/fal-run/" .. T2V, {body = {}})
    assert.are.same({422, "false"}, {invalid.status, invalid.headers["x-fal-retryable"]})
    assert.are.same({"body", "prompt"}, invalid.json.detail[1].loc)
    assert.are.equal(401, http("POST", "/fal-run/" .. T2V, {key = "wrong", body = {prompt = "x"}}).status)
    script(T2V, {queue = 0, logs = {}, times = 1,
                 fail = {error = "Runner disconnected", error_type = "runner_disconnected"}})
    local failed = http("POST", "/fal-run/" .. T2V, {body = {prompt = "x"}})
    assert.are.same({503, "runner_disconnected", "runner_disconnected"},
                    {failed.status, failed.json.error_type, failed.headers["x-fal-error-type"]})
    assert.matches(UUID, failed.headers["x-fal-request-id"])
  end)
end)

describe("emulator fal: storage upload (initiate, PUT, file URL)", function()
  local function initiate(body, opts)
    opts = opts or {}
    opts.body = body
    return http("POST", "/fal-rest/storage/upload/initiate?storage_type=fal-cdn-v3", opts)
  end

  local function path_of(url) return (url:gsub("^https?://[^/]+", "")) end

  it("gives a presigned upload_url whose bytes the file_url serves", function()
    local res = initiate({content_type = "image/png", file_name = "my face.png"})
    assert.are.equal(200, res.status)
    assert.matches(UUID, res.headers["x-fal-request-id"])
    local up, file = res.json.upload_url, res.json.file_url
    assert.matches("^http://127%.0%.0%.1:" .. port .. "/fal%-cdn/upload/%w+%?Expires=%d+&Signature=%x+$", up)
    assert.matches("^http://127%.0%.0%.1:" .. port .. "/fal%-cdn/files/%w+/my_face%.png$", file)
    assert.are.equal(404, http("GET", path_of(file), {key = false}).status)      -- nothing uploaded yet
    local bytes = "\137PNG\r\n\26\n" .. string.rep("\0\1\2\255", 100)
    local put = http("PUT", path_of(up), {key = false, body = bytes, headers = {["Content-Type"] = "image/png"}})
    assert.are.equal(200, put.status)
    local got = http("GET", path_of(file), {key = false})
    assert.are.same({200, "image/png", bytes}, {got.status, got.headers["content-type"], got.body})
  end)

  it("refuses a tampered upload signature, a bad key and missing fields", function()
    local res = initiate({content_type = "text/plain", file_name = "a.txt"})
    local up = path_of(res.json.upload_url)
    local tampered = up:gsub("Signature=(%x)", function(c) return "Signature=" .. (c == "0" and "1" or "0") end)
    assert.are.equal(403, http("PUT", tampered, {key = false, body = "x"}).status)
    assert.are.equal(401, initiate({content_type = "text/plain", file_name = "a.txt"}, {key = "wrong"}).status)
    local missing = initiate({file_name = "a.txt"})
    assert.are.equal(422, missing.status)
    assert.are.same({"body", "content_type"}, missing.json.detail[1].loc)
  end)

  it("forgets uploads on reset", function()
    local res = initiate({content_type = "text/plain", file_name = "a.txt"})
    local put = http("PUT", path_of(res.json.upload_url),
                     {key = false, body = "hello", headers = {["Content-Type"] = "text/plain"}})
    assert.are.equal(200, put.status)
    assert.are.equal("hello", http("GET", path_of(res.json.file_url), {key = false}).body)
    emu:reset()
    assert.are.equal(404, http("GET", path_of(res.json.file_url), {key = false}).status)
  end)
end)

describe("emulator fal: GET /_emulator/fal/registry", function()
  it("lists every model served with its required inputs", function()
    local reg = emu:call("GET", "/_emulator/fal/registry")
    local ids = {}
    for id in pairs(reg) do ids[#ids + 1] = id end
    assert.are.equal(31, #ids)
    assert.are.same({"prompt", "image_url"}, reg["bytedance/seedance-2.0/image-to-video"].required)
    assert.are.same({}, reg["fal-ai/kling-video/v3/pro/text-to-video"].required)
    assert.are.same({"prompt", "multi_prompt"}, reg["fal-ai/kling-video/v3/pro/text-to-video"].one_of)
    assert.are.same({"4s", "6s", "8s"}, reg["fal-ai/veo3.1"].enums.duration)
  end)
end)

describe("emulator fal: account and content-policy controls", function()
  it("a locked account answers 403 'User is locked' on every billable call and creates nothing", function()
    local set = control("/_emulator/fal/account", {locked = true})
    assert.is_true(set.locked)
    for _, path in ipairs({"/fal/" .. T2V, "/fal/fal-ai/kling-video/v3/pro/text-to-video", "/fal-run/" .. T2V}) do
      local res = http("POST", path, {body = {prompt = "a fox"}})
      assert.are.equal(403, res.status, path)
      assert.matches("^User is locked%. Reason: Exhausted balance", res.json.detail)
    end
    assert.are.same({}, emu:call("GET", "/_emulator/jobs"))
    control("/_emulator/fal/account", {locked = false})
    submit()
    assert.are.equal(1, #emu:call("GET", "/_emulator/jobs"))
    local bad = http("POST", "/_emulator/fal/account", {key = false, body = {locked = "yes"}})
    assert.are.equal(400, bad.status)
    assert.matches("locked must be true or false", bad.json.error.message)
  end)

  it("reset unlocks the account", function()
    control("/_emulator/fal/account", {locked = true, reason = "Exhausted balance."})
    emu:reset()
    submit()
  end)

  it("content_policy = submit refuses the prompt with a 422 content_policy_violation, creating nothing", function()
    script(APP, {content_policy = "submit"})
    local res = http("POST", "/fal/" .. T2V, {body = {prompt = "a fox"}})
    assert.are.equal(422, res.status)
    assert.are.equal("false", res.headers["x-fal-retryable"])
    assert.are.equal("content_policy_violation", res.json.detail[1].type)
    assert.are.same({"body", "prompt"}, res.json.detail[1].loc)
    assert.are.same({}, emu:call("GET", "/_emulator/jobs"))
  end)

  it("content_policy = result completes the job and answers its result GET with that 422", function()
    script(APP, {content_policy = "result", queue = 0, logs = {}})
    local id = submit()
    http("GET", requests(nil, id) .. "/status")
    assert.are.equal("COMPLETED", http("GET", requests(nil, id) .. "/status").json.status)
    local res = http("GET", requests(nil, id))
    assert.are.equal(422, res.status)
    assert.are.equal("content_policy_violation", res.json.detail[1].type)
    local bad = http("POST", "/_emulator/fal/models/" .. APP, {key = false, body = {content_policy = "later"}})
    assert.are.equal(400, bad.status)
  end)
end)
