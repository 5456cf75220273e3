-- The emulator's webhook deliveries (heygen.emulator.deliver), seen by a real receiver on
-- loopback: v3 endpoints (signed) and callback_url (unsigned), legacy callbacks, fal
-- webhooks (Ed25519 over the JWKS key), retries, duplicates, and the control routes.
local socket = require "socket"
local http = require "socket.http"
local ltn12 = require "ltn12"
local cjson = require "cjson"
local core = require "heygen.core"
local emulator = require "heygen.emulator"
local receiver = require "receiver"

local KEY = "webhook-test-key"
local AVATAR_V3 = "Abigail_expressive_2024112501"
local AVATAR_V2 = "Josh_lite3_20230714"
local VOICE_V2 = "077ab11b14f04ce0b49b5f6e5cc20979"

local emu, rx

local function api(method, path, body, headers)
  local out, text = {}, body ~= nil and cjson.encode(body) or nil
  local h = {["x-api-key"] = KEY, authorization = "Key " .. KEY, ["content-type"] = "application/json",
             ["content-length"] = tostring(text and #text or 0)}
  for k, v in pairs(headers or {}) do h[k] = v end
  local _, code = http.request({url = emu.url .. path, method = method, sink = ltn12.sink.table(out),
                                source = text and ltn12.source.string(text) or nil, headers = h})
  local raw = table.concat(out)
  local ok, json = pcall(cjson.decode, raw)
  return code, ok and json or raw
end

local function endpoint(spec)
  local code, res = api("POST", "/v3/webhooks/endpoints", spec)
  assert.are.equal(200, code)
  return res.data
end

local function v3_video(extra)
  local body = {type = "avatar", avatar_id = AVATAR_V3, script = "Hello from the webhook spec."}
  for k, v in pairs(extra or {}) do body[k] = v end
  local code, res = api("POST", "/v3/videos", body)
  assert.are.equal(200, code)
  return res.data.video_id
end

-- Deliveries once `n` of them have settled (delivered, or failed for good).
local function settled(n, timeout)
  local deadline = socket.gettime() + (timeout or 10)
  local list
  repeat
    list = emu:deliveries()
    local done = 0
    for _, d in ipairs(list) do
      if d.delivered or (d.attempts == 4 and d.error ~= cjson.null) then done = done + 1 end
    end
    if done >= n then return list end
    socket.sleep(0.05)
  until socket.gettime() > deadline
  error("deliveries did not settle: " .. cjson.encode(list))
end

-- The requests the receiver gets within `seconds`, by path.
local function by_path(list)
  local t = {}
  for _, r in ipairs(list) do t[r.path] = r end
  return t
end

local function events(entity)
  local _, res = api("GET", "/v3/webhooks/events?entity_id=" .. entity)
  return res.data
end

-- the JWKS key, read as a receiver reads it (heygen.webhook's decoder)
local base64url_decode = require("heygen.webhook").base64url_decode

local function unhex(s) return (s:gsub("%x%x", function(h) return string.char(tonumber(h, 16)) end)) end

setup(function()
  emu = emulator.spawn({time_scale = 200, api_keys = {KEY}, webhook_plain_http = true,
                        lua = os.getenv("HEYGEN_EMULATOR_LUA") or "lua5.4"})
end)

teardown(function() emu:stop() end)

before_each(function()
  emu:reset()
  rx = receiver.new()
end)

after_each(function() rx:close() end)

describe("the emulator's v3 webhooks", function()
  it("POSTs the event to a registered endpoint, signed with its secret, as GET /v3/webhooks/events lists it",
     function()
    local ep = endpoint({url = rx.https_url .. "/hooks/heygen"})
    local vid = v3_video({callback_id = "job-42"})
    emu:job(vid, {complete = true})
    local req = assert(rx:next(10))
    assert.are.equal("POST", req.method)
    assert.are.equal("/hooks/heygen", req.path)
    assert.are.equal("application/json", req.headers["content-type"])
    assert.are.equal(core.hmac_sha256(ep.secret, req.body), req.headers["signature"])
    assert.are.equal(req.headers["signature"], req.headers["x-heygen-signature"])
    local ev = cjson.decode(req.body)
    assert.are.equal("avatar_video.success", ev.event_type)
    assert.are.equal(vid, ev.event_data.video_id)
    assert.are.equal("job-42", ev.event_data.callback_id)
    assert.truthy(ev.event_data.url:find("/files/" .. vid .. ".mp4?Expires=", 1, true))
    assert.are.equal(ev.event_data.url, ev.event_data.video_url)
    assert.are.same({ev}, events(vid))
    local d = settled(1)
    assert.are.equal(1, #d)
    assert.are.same({event_id = ev.event_id, event_type = "avatar_video.success", url = rx.https_url .. "/hooks/heygen",
                     signed = true, attempts = 1, status = 200, error = cjson.null, delivered = true,
                     duplicate = false, body = req.body}, {event_id = d[1].event_id, event_type = d[1].event_type,
                     url = d[1].url, signed = d[1].signed, attempts = d[1].attempts, status = d[1].status,
                     error = d[1].error, delivered = d[1].delivered, duplicate = d[1].duplicate, body = d[1].body})
  end)

  it("sends a create's callback_url the same body unsigned", function()
    local ep = endpoint({url = rx.https_url .. "/ep"})
    local vid = v3_video({callback_url = rx.url .. "/cb", callback_id = "c1"})
    emu:job(vid, {fail = {code = 40119, message = "Video is too long"}})
    local got = by_path({assert(rx:next(10)), assert(rx:next(10))})
    assert.are.equal(got["/ep"].body, got["/cb"].body)
    assert.is_nil(got["/cb"].headers["signature"])
    assert.is_nil(got["/cb"].headers["x-heygen-signature"])
    assert.are.equal(core.hmac_sha256(ep.secret, got["/ep"].body), got["/ep"].headers["signature"])
    local ev = cjson.decode(got["/cb"].body)
    assert.are.equal("avatar_video.fail", ev.event_type)
    assert.are.equal("Video is too long", ev.event_data.msg)
    assert.are.equal("c1", ev.event_data.callback_id)
  end)

  it("delivers a job's end with nobody polling it, when the clock gets there", function()
    emu:config({time_scale = 1000})
    local vid = v3_video({callback_url = rx.url .. "/cb"})
    local req = assert(rx:next(10))                  -- 140 nominal seconds: 0.14 s
    assert.are.equal(vid, cjson.decode(req.body).event_data.video_id)
    assert.are.equal(0, emu:count("GET", "^/v3/videos/"))
    emu:config({time_scale = 200})
  end)

  it("sends only the events an endpoint lists, and only its entity's", function()
    local vid = v3_video()
    local other = v3_video()
    endpoint({url = rx.https_url .. "/fail-only", events = {"avatar_video.fail"}})
    endpoint({url = rx.https_url .. "/success", events = {"avatar_video.success"}})
    endpoint({url = rx.https_url .. "/entity", entity_id = vid})
    emu:job(vid, {complete = true})
    emu:job(other, {complete = true})
    local got = rx:collect(1.5)
    local paths = {}
    for _, r in ipairs(got) do
      paths[#paths + 1] = r.path .. " " .. cjson.decode(r.body).event_data.video_id
    end
    table.sort(paths)
    local want = {"/entity " .. vid, "/success " .. other, "/success " .. vid}
    table.sort(want)
    assert.are.same(want, paths)
  end)

  it("applies a PATCHed events list, a rotated secret and a deletion to later events", function()
    local ep = endpoint({url = rx.https_url .. "/ep", events = {"avatar_video.fail"}})
    local first = v3_video()
    emu:job(first, {complete = true})
    assert.are.same({}, rx:collect(0.5))
    local code = api("PATCH", "/v3/webhooks/endpoints/" .. ep.endpoint_id, {events = {"avatar_video.success"}})
    assert.are.equal(200, code)
    local _, rotated = api("POST", "/v3/webhooks/endpoints/" .. ep.endpoint_id .. "/rotate-secret")
    assert.are_not.equal(ep.secret, rotated.data.secret)
    local second = v3_video()
    emu:job(second, {complete = true})
    local req = assert(rx:next(10))
    assert.are.equal(second, cjson.decode(req.body).event_data.video_id)
    assert.are.equal(core.hmac_sha256(rotated.data.secret, req.body), req.headers["signature"])
    assert.are_not.equal(core.hmac_sha256(ep.secret, req.body), req.headers["signature"])
    api("DELETE", "/v3/webhooks/endpoints/" .. ep.endpoint_id)
    emu:job(v3_video(), {complete = true})
    assert.are.same({}, rx:collect(0.5))
  end)

  it("does not send outcomes from before the first endpoint existed", function()
    local vid = v3_video()
    emu:job(vid, {complete = true})
    endpoint({url = rx.https_url .. "/late"})
    assert.are.same({}, rx:collect(0.5))
    assert.are.equal(0, #emu:deliveries())
  end)

  it("never notes or sends an outcome twice when the job is also polled", function()
    endpoint({url = rx.https_url .. "/ep"})
    local vid = v3_video()
    local status
    repeat
      local _, res = api("GET", "/v3/videos/" .. vid)
      status = res.data.status
    until status == "completed"
    for _ = 1, 5 do api("GET", "/v3/videos/" .. vid) end
    assert(rx:next(10))
    assert.are.same({}, rx:collect(0.5))
    assert.are.equal(1, #events(vid))
    assert.are.equal(1, #settled(1))
  end)

  it("retries a 500 and records two attempts", function()
    endpoint({url = rx.https_url .. "/flaky"})
    local vid = v3_video()
    emu:job(vid, {complete = true})
    local first = assert(rx:next(10, 500))
    local second = assert(rx:next(10, 200))
    assert.are.equal(first.body, second.body)
    assert.are.equal(first.headers["signature"], second.headers["signature"])
    local d = settled(1)[1]
    assert.are.equal(2, d.attempts)
    assert.are.equal(200, d.status)
    assert.is_true(d.delivered)
    assert.are.equal(cjson.null, d.error)
  end)

  it("gives up after four attempts at a receiver that is down, naming the refusal", function()
    local url = "http://127.0.0.1:" .. receiver.closed_port() .. "/down"
    local vid = v3_video({callback_url = url})
    emu:job(vid, {complete = true})
    local d = settled(1, 15)[1]
    assert.are.equal(url, d.url)
    assert.are.equal(4, d.attempts)
    assert.are.equal(0, d.status)
    assert.is_false(d.delivered)
    assert.matches("refused", d.error)
  end)

  it("gives an attempt 10 real seconds to answer, then tries again", function()
    local vid = v3_video({callback_url = rx.url .. "/slow"})
    emu:job(vid, {complete = true})
    local hung = assert(rx:silent(10))
    local started = socket.gettime()
    local d
    repeat
      socket.sleep(0.2)
      d = emu:deliveries()[1]
    until d.attempts == 2 or socket.gettime() - started > 15
    hung:close()
    assert.is_true(socket.gettime() - started > 9)
    assert.are.equal(2, d.attempts)
    assert.are.equal(0, d.status)
    assert.matches("no answer within 10 s", d.error)
    assert(rx:next(5))
    d = settled(1)[1]
    assert.is_true(d.delivered)
    assert.are.equal(2, d.attempts)
  end)

  it("records the last non-2xx status of a receiver that keeps failing", function()
    local vid = v3_video({callback_url = rx.url .. "/busy"})
    emu:job(vid, {complete = true})
    for _ = 1, 4 do assert(rx:next(10, 503)) end
    local d = settled(1)[1]
    assert.are.equal(4, d.attempts)
    assert.are.equal(503, d.status)
    assert.are.equal("HTTP 503", d.error)
  end)

  it("sends the next N successful deliveries twice, same id, body and signature", function()
    emu:webhooks({duplicate = 1})
    endpoint({url = rx.https_url .. "/dup"})
    local a, b = v3_video(), v3_video()
    emu:job(a, {complete = true})
    local one, two = assert(rx:next(10)), assert(rx:next(10))
    assert.are.equal(one.body, two.body)
    assert.are.equal(one.headers["signature"], two.headers["signature"])
    emu:job(b, {complete = true})
    local three = assert(rx:next(10))
    assert.are.equal(b, cjson.decode(three.body).event_data.video_id)
    assert.are.same({}, rx:collect(0.5))
    local d = settled(3)
    assert.are.same({false, true, false}, {d[1].duplicate, d[2].duplicate, d[3].duplicate})
    assert.are.equal(d[1].event_id, d[2].event_id)
    local later = emu:deliveries(d[2].seq)
    assert.are.equal(1, #later)
    assert.are.equal(d[3].seq, later[1].seq)
  end)

  it("sends batch.finished to the batch's callback_url when every item ended", function()
    local item = {type = "avatar", avatar_id = AVATAR_V3, script = "One of many."}
    local code, res = api("POST", "/v3/videos/batches", {videos = {item, item}, callback_url = rx.url .. "/batch"})
    assert.are.equal(202, code)
    local bid = res.data.batch_id
    local _, view = api("GET", "/v3/videos/batches/" .. bid)
    emu:job(view.data.items[1].video_id, {complete = true})
    assert.are.same({}, rx:collect(0.3))
    emu:job(view.data.items[2].video_id, {fail = true})
    local req = assert(rx:next(10))
    local ev = cjson.decode(req.body)
    assert.are.equal("batch.finished", ev.event_type)
    assert.are.equal(bid, ev.event_data.batch_id)
    assert.are.equal("completed", ev.event_data.status)
    assert.are.equal(2, #ev.event_data.items)
    assert.are.same({completed = 1, failed = 1}, ev.event_data.counts_by_status)
    assert.are.same({}, rx:collect(0.3))
  end)

  it("calls back translations, lipsyncs and video agent sessions", function()
    local _, tr = api("POST", "/v3/video-translations", {video = {type = "url", url = "https://example.com/v.mp4"},
      output_languages = {"Spanish (Spain)"}, callback_url = rx.url .. "/translation", callback_id = "t1"})
    local _, ls = api("POST", "/v3/lipsyncs", {video = {type = "url", url = "https://example.com/v.mp4"},
      audio = {type = "url", url = "https://example.com/a.mp3"}, callback_url = rx.url .. "/lipsync"})
    local _, ag = api("POST", "/v3/video-agents", {prompt = "A short hello", callback_url = rx.url .. "/agent"})
    emu:job(tr.data.video_translation_ids[1], {complete = true})
    emu:job(ls.data.lipsync_id, {complete = true})
    emu:job(ag.data.session_id, {fail = true})
    local got = by_path(rx:collect(1.5))
    local t = cjson.decode(got["/translation"].body)
    assert.are.equal("video_translate.success", t.event_type)
    assert.are.same({tr.data.video_translation_ids[1], "t1", "Spanish (Spain)"},
                    {t.event_data.video_translate_id, t.event_data.callback_id, t.event_data.output_language})
    assert.are.equal("lipsync.success", cjson.decode(got["/lipsync"].body).event_type)
    assert.are.equal("video_agent.fail", cjson.decode(got["/agent"].body).event_type)
  end)

  it("tells a lipsync's outcome (no documented event type) to its callback_url only", function()
    local ep = endpoint({url = rx.https_url .. "/all"})     -- events = null: every event type
    local _, ls = api("POST", "/v3/lipsyncs", {video = {type = "url", url = "https://example.com/v.mp4"},
      audio = {type = "url", url = "https://example.com/a.mp3"}, callback_url = rx.url .. "/lipsync"})
    emu:job(ls.data.lipsync_id, {complete = true})
    local got = by_path(rx:collect(1.5))
    assert.are.equal("lipsync.success", cjson.decode(got["/lipsync"].body).event_type)
    assert.is_nil(got["/all"])
    assert.are.same({}, events(ls.data.lipsync_id))
    api("DELETE", "/v3/webhooks/endpoints/" .. ep.endpoint_id)
  end)

  it("forgets deliveries, retries and the duplicate counter on reset", function()
    emu:webhooks({duplicate = 3})
    local vid = v3_video({callback_url = rx.url .. "/r"})
    emu:job(vid, {complete = true})
    assert(rx:next(10, 500))                          -- a retry is now pending
    emu:reset()
    assert.are.same({}, rx:collect(1.5))
    assert.are.equal(0, #emu:deliveries())
    vid = v3_video({callback_url = rx.url .. "/r"})
    emu:job(vid, {complete = true})
    assert(rx:next(10))
    assert.are.same({}, rx:collect(0.5))               -- no duplicate left over
  end)

  it("speaks TLS to an https endpoint without webhook_plain_http (no certificate checks)", function()
    local dir = os.tmpname()
    os.remove(dir)
    assert(os.execute("mkdir -p " .. dir .. " && openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost"
                      .. " -keyout " .. dir .. "/key.pem -out " .. dir .. "/cert.pem 2>/dev/null"))
    local tls_rx = receiver.new({tls = {certificate = dir .. "/cert.pem", key = dir .. "/key.pem"}})
    emu:config({webhook_plain_http = false})
    local ep = endpoint({url = tls_rx.https_url .. "/secure"})
    emu:job(v3_video(), {complete = true})
    local req, err = tls_rx:next(10)
    emu:config({webhook_plain_http = true})
    tls_rx:close()
    os.execute("rm -rf " .. dir)
    assert.is_nil(err)
    assert.are.equal("/secure", req.path)
    assert.are.equal(core.hmac_sha256(ep.secret, req.body), req.headers["signature"])
    assert.is_true(settled(1)[1].delivered)
  end)

  it("fails an https endpoint it cannot speak TLS to without webhook_plain_http, naming TLS", function()
    emu:config({webhook_plain_http = false})
    local vid = v3_video({callback_url = rx.https_url .. "/tls"})
    emu:job(vid, {complete = true})
    for _ = 1, 4 do assert(rx:silent(10)):close() end     -- no server hello: the handshake fails
    local d = settled(1)[1]
    emu:config({webhook_plain_http = true})
    assert.is_false(d.delivered)
    assert.matches("TLS", d.error)
  end)
end)

describe("the emulator's legacy (v1/v2) callbacks", function()
  local function scene()
    return {character = {type = "avatar", avatar_id = AVATAR_V2, avatar_style = "normal"},
            voice = {type = "text", input_text = "Hello.", voice_id = VOICE_V2}}
  end

  it("POSTs avatar_video.success unsigned with a signed download url", function()
    local _, res = api("POST", "/v2/video/generate", {video_inputs = {scene()}, callback_url = rx.url .. "/v2",
                                                      callback_id = "legacy-1"})
    local vid = res.data.video_id
    emu:job(vid, {complete = true})
    local req = assert(rx:next(10))
    assert.is_nil(req.headers["signature"])
    local ev = cjson.decode(req.body)
    assert.are.equal("avatar_video.success", ev.event_type)
    assert.are.same({"callback_id", "url", "video_id"}, (function()
      local keys = {}
      for k in pairs(ev.event_data) do keys[#keys + 1] = k end
      table.sort(keys)
      return keys
    end)())
    assert.are.equal("legacy-1", ev.event_data.callback_id)
    local _, code = http.request(ev.event_data.url)
    assert.are.equal(200, code)
    assert.is_nil(ev.event_id)
  end)

  it("POSTs avatar_video.fail with msg, once, however often the job is polled", function()
    local _, res = api("POST", "/v2/video/generate", {video_inputs = {scene()}, callback_url = rx.url .. "/v2"})
    local vid = res.data.video_id
    emu:job(vid, {fail = {code = 40119, message = "Video is too long"}})
    for _ = 1, 3 do api("GET", "/v1/video_status.get?video_id=" .. vid) end
    local ev = cjson.decode(assert(rx:next(10)).body)
    assert.are.same({event_type = "avatar_video.fail",
                     event_data = {video_id = vid, msg = "Video is too long", callback_id = cjson.null}}, ev)
    assert.are.same({}, rx:collect(0.5))
  end)

  it("POSTs video_translate.success and .fail with the output language", function()
    local _, ok = api("POST", "/v2/video_translate", {video_url = "https://example.com/v.mp4",
      output_language = "Spanish (Spain)", callback_url = rx.url .. "/ok", callback_id = "tr"})
    local _, bad = api("POST", "/v2/video_translate", {video_url = "https://example.com/v.mp4",
      output_language = "Spanish (Spain)", callback_url = rx.url .. "/bad"})
    emu:job(ok.data.video_translate_id, {complete = true})
    emu:job(bad.data.video_translate_id, {fail = {message = "No speech detected"}})
    local got = by_path(rx:collect(1.5))
    local s = cjson.decode(got["/ok"].body)
    assert.are.equal("video_translate.success", s.event_type)
    assert.are.same({ok.data.video_translate_id, "tr", "Spanish (Spain)"},
                    {s.event_data.video_translate_id, s.event_data.callback_id, s.event_data.output_language})
    assert.truthy(s.event_data.url:find("Expires=", 1, true))
    local f = cjson.decode(got["/bad"].body)
    assert.are.equal("video_translate.fail", f.event_type)
    assert.are.equal("No speech detected", f.event_data.message)
  end)
end)

describe("the emulator's fal webhooks", function()
  local MODEL = "bytedance/seedance-2.0/text-to-video"

  local function submit(hook)
    local code, res = api("POST", "/fal/" .. MODEL .. "?fal_webhook=" .. hook:gsub("[:/?=&]", function(c)
      return string.format("%%%02X", c:byte())
    end), {prompt = "a knight"})
    assert.are.equal(200, code)
    return res
  end

  it("POSTs the result, signed with Ed25519 by the key in the JWKS", function()
    local res = submit(rx.url .. "/fal?x=1")
    assert.are.equal(res.request_id, res.gateway_request_id)
    emu:job(res.request_id, {complete = true})
    local req = assert(rx:next(10))
    assert.are.equal("/fal", req.path)
    assert.are.equal("/fal?x=1", req.target)
    local body = cjson.decode(req.body)
    assert.are.equal(res.request_id, body.request_id)
    assert.are.equal(res.request_id, body.gateway_request_id)
    assert.are.equal("OK", body.status)
    assert.are.equal(cjson.null, body.error)
    local _, result = api("GET", "/fal/bytedance/seedance-2.0/requests/" .. res.request_id)
    assert.are.equal(result.video.file_size, body.payload.video.file_size)
    assert.are.equal(res.request_id, req.headers["x-fal-webhook-request-id"])
    assert.are.equal("emulator-user", req.headers["x-fal-webhook-user-id"])
    local ts = req.headers["x-fal-webhook-timestamp"]
    assert.matches("^%d+$", ts)
    assert.is_true(math.abs(tonumber(ts) - os.time()) < 300)
    local jwks, code = http.request(emu.url .. "/fal/.well-known/jwks.json")
    assert.are.equal(200, code)
    local key = cjson.decode(jwks).keys[1]
    assert.are.same({"OKP", "Ed25519", "emulator-1", "sig", "EdDSA"}, {key.kty, key.crv, key.kid, key.use, key.alg})
    local public = base64url_decode(key.x)
    assert.are.equal(32, #public)
    local message = req.headers["x-fal-webhook-request-id"] .. "\n" .. req.headers["x-fal-webhook-user-id"] .. "\n"
                    .. ts .. "\n" .. core.sha256(req.body)
    local sig = unhex(req.headers["x-fal-webhook-signature"])
    assert.is_true(core.ed25519_verify(public, message, sig))
    assert.is_false(core.ed25519_verify(public, message .. "x", sig))
    local d = settled(1)[1]
    assert.are.equal(res.request_id, d.event_id)
    assert.is_true(d.signed)
  end)

  it("POSTs status ERROR with the error detail when the request failed", function()
    local res = submit(rx.url .. "/fal")
    emu:job(res.request_id, {fail = {code = "runner_disconnected", message = "Runner disconnected"}})
    local body = cjson.decode(assert(rx:next(10)).body)
    assert.are.equal("ERROR", body.status)
    assert.are.equal("Runner disconnected", body.payload.detail)
    assert.matches("^Invalid status code: %d+$", body.error)
  end)

  it("keeps its key across resets", function()
    local before = http.request(emu.url .. "/fal/.well-known/jwks.json")
    emu:reset()
    assert.are.equal(before, http.request(emu.url .. "/fal/.well-known/jwks.json"))
  end)

  it("sends nothing for a cancelled request", function()
    local res = submit(rx.url .. "/fal")
    local code = api("PUT", "/fal/bytedance/seedance-2.0/requests/" .. res.request_id .. "/cancel")
    assert.are.equal(202, code)
    emu:advance(100)
    assert.are.same({}, rx:collect(1))
    assert.are.equal(0, #emu:deliveries())
  end)
end)
