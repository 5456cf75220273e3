-- The emulator's legacy (v1/v2) callbacks (unsigned callback_url) and fal webhooks (Ed25519
-- over the JWKS key), seen by a real receiver on loopback.
local http = require "socket.http"
local cjson = require "cjson"
local core = require "heygen.core"
local W = require "emulator.webhooks_env"

local emu = W.use()
local AVATAR_V2, VOICE_V2, api, settled, by_path = W.AVATAR_V2, W.VOICE_V2, W.api, W.settled, W.by_path
local base64url_decode, unhex = W.base64url_decode, W.unhex

describe("the emulator's legacy (v1/v2) callbacks", function()
  local function scene()
    return {character = {type = "avatar", avatar_id = AVATAR_V2, avatar_style = "normal"},
            voice = {type = "text", input_text = "Hello.", voice_id = VOICE_V2}}
  end

  it("POSTs avatar_video.success unsigned with a signed download url", function()
    local _, res = api("POST", "/v2/video/generate", {video_inputs = {scene()}, callback_url = W.rx.url .. "/v2",
                                                      callback_id = "legacy-1"})
    local vid = res.data.video_id
    emu:job(vid, {complete = true})
    local req = assert(W.rx:next(10))
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
    local _, res = api("POST", "/v2/video/generate", {video_inputs = {scene()}, callback_url = W.rx.url .. "/v2"})
    local vid = res.data.video_id
    emu:job(vid, {fail = {code = 40119, message = "Video is too long"}})
    for _ = 1, 3 do api("GET", "/v1/video_status.get?video_id=" .. vid) end
    local ev = cjson.decode(assert(W.rx:next(10)).body)
    assert.are.same({event_type = "avatar_video.fail",
                     event_data = {video_id = vid, msg = "Video is too long", callback_id = cjson.null}}, ev)
    assert.are.same({}, W.rx:collect(0.5))
  end)

  it("POSTs video_translate.success and .fail with the output language", function()
    local _, ok = api("POST", "/v2/video_translate", {video_url = "https://example.com/v.mp4",
      output_language = "Spanish (Spain)", callback_url = W.rx.url .. "/ok", callback_id = "tr"})
    local _, bad = api("POST", "/v2/video_translate", {video_url = "https://example.com/v.mp4",
      output_language = "Spanish (Spain)", callback_url = W.rx.url .. "/bad"})
    emu:job(ok.data.video_translate_id, {complete = true})
    emu:job(bad.data.video_translate_id, {fail = {message = "No speech detected"}})
    local got = by_path(W.rx:collect(1.5))
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
    local res = submit(W.rx.url .. "/fal?x=1")
    assert.are.equal(res.request_id, res.gateway_request_id)
    emu:job(res.request_id, {complete = true})
    local req = assert(W.rx:next(10))
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
    local res = submit(W.rx.url .. "/fal")
    emu:job(res.request_id, {fail = {code = "runner_disconnected", message = "Runner disconnected"}})
    local body = cjson.decode(assert(W.rx:next(10)).body)
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
    local res = submit(W.rx.url .. "/fal")
    local code = api("PUT", "/fal/bytedance/seedance-2.0/requests/" .. res.request_id .. "/cancel")
    assert.are.equal(202, code)
    emu:advance(100)
    assert.are.same({}, W.rx:collect(1))
    assert.are.equal(0, #emu:deliveries())
  end)
end)
