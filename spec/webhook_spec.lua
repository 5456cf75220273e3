-- heygen.webhook: reading and checking the deliveries HeyGen and fal.ai POST to a receiver.
-- Signatures here come from the openssl command line where one can (an independent
-- signer); the emulator's real deliveries are in spec/emulator/webhooks_spec.lua.
local core = require "heygen.core"
local webhook = require "heygen.webhook"
local support = require "support"

local function sh(cmd)
  local p = assert(io.popen(cmd .. " 2>&1"))
  local out = p:read("a")
  p:close()
  return out
end

local function write(path, data)
  local f = assert(io.open(path, "wb"))
  f:write(data)
  f:close()
end

local function hmac_by_openssl(secret, body)
  local path = support.tmpname(".body")
  write(path, body)
  local out = sh("openssl dgst -sha256 -r -hmac '" .. secret .. "' < " .. path)
  os.remove(path)
  return assert(out:match("^(%x+)"))
end

local SECRET = "whsec_k7x9m2Q8rTz3"
local BODY = '{"event_id":"evt_1","event_type":"avatar_video.success","created_at":"2026-07-01T12:00:00Z",'
  .. '"event_data":{"video_id":"v_1","url":"https://files.example/v_1.mp4","callback_id":"job-42"}}'

describe("webhook.verify (HeyGen, registered endpoints)", function()
  it("accepts a delivery signed as openssl signs it, and reads the event", function()
    local sig = hmac_by_openssl(SECRET, BODY)
    assert.equal(sig, webhook.sign(SECRET, BODY))
    local event = assert(webhook.verify(BODY, { Signature = sig, ["Content-Type"] = "application/json" }, SECRET))
    assert.equal("avatar_video.success", event.event_type)
    assert.equal("evt_1", event.event_id)
    assert.equal("v_1", event.event_data.video_id)
    -- both spellings of the URL (docs/heygen-v3.md 8.3)
    assert.equal("https://files.example/v_1.mp4", event.event_data.url)
    assert.equal("https://files.example/v_1.mp4", event.event_data.video_url)
    assert.equal("job-42", event.callback_id)
    assert.is_true(event.succeeded)
  end)

  it("finds the signature under each header name receivers have seen, in any case", function()
    local sig = webhook.sign(SECRET, BODY)
    for _, name in ipairs { "signature", "X-HeyGen-Signature", "HEYGEN-SIGNATURE" } do
      assert.truthy(webhook.verify(BODY, { [name] = sig }, SECRET), name)
    end
    -- upper-case hex, a list value (as some servers give repeated headers), a function
    assert.truthy(webhook.verify(BODY, { signature = sig:upper() }, SECRET))
    assert.truthy(webhook.verify(BODY, { signature = { sig } }, SECRET))
    assert.truthy(webhook.verify(BODY, function(name) return name == "x-heygen-signature" and sig or nil end, SECRET))
  end)

  it("rejects a changed body, a wrong secret and a missing signature with kind 'signature'", function()
    local sig = webhook.sign(SECRET, BODY)
    local changed = BODY:gsub("v_1", "v_2", 1)
    local ev, err = webhook.verify(changed, { Signature = sig }, SECRET)
    assert.is_nil(ev)
    assert.equal("signature", err.kind)
    assert.matches("the signature header does not match the body", err.message)
    -- re-encoding a decoded body is a changed body too
    ev, err = webhook.verify(core.json_encode(core.json_decode(BODY)), { Signature = sig }, SECRET)
    assert.is_nil(ev)
    assert.equal("signature", err.kind)
    ev, err = webhook.verify(BODY, { Signature = sig }, "whsec_rotated")
    assert.is_nil(ev)
    assert.equal("signature", err.kind)
    assert.not_matches("whsec_", tostring(err)) -- the secret never shows
    ev, err = webhook.verify(BODY, { ["Content-Type"] = "application/json" }, SECRET)
    assert.is_nil(ev)
    assert.equal("signature", err.kind)
    assert.matches("no Signature header.*webhook.parse", err.message)
  end)

  it("holds a Heygen-Timestamp to a 300 s window", function()
    local sig = webhook.sign(SECRET, BODY)
    local now = 1800000000
    assert.truthy(webhook.verify(BODY, { ["Heygen-Signature"] = sig, ["Heygen-Timestamp"] = tostring(now - 299) },
      SECRET, { now = now }))
    local ev, err = webhook.verify(BODY, { ["Heygen-Signature"] = sig, ["Heygen-Timestamp"] = tostring(now - 301) },
      SECRET, { now = now })
    assert.is_nil(ev)
    assert.equal("signature", err.kind)
    assert.matches("301 s away from this clock %(more than 300 s%)", err.message)
    ev, err = webhook.verify(BODY, { ["Heygen-Signature"] = sig, ["Heygen-Timestamp"] = "yesterday" }, SECRET)
    assert.is_nil(ev)
    assert.matches('not Unix seconds: "yesterday"', err.message)
    assert.truthy(webhook.verify(BODY, { ["Heygen-Signature"] = sig, ["Heygen-Timestamp"] = tostring(now - 900) },
      SECRET, { now = now, tolerance = 1000 }))
    assert.has_error(function() webhook.verify(BODY, { Signature = sig }, SECRET, { tolerence = 1000 }) end,
      "webhook.verify: unknown option 'tolerence' (did you mean 'tolerance'?)")
  end)

  it("says what is wrong with a signed body that is not an event", function()
    local body = "<html>oops</html>"
    local ev, err = webhook.verify(body, { Signature = webhook.sign(SECRET, body) }, SECRET)
    assert.is_nil(ev)
    assert.equal("protocol", err.kind)
    body = '{"event_data":{}}'
    ev, err = webhook.verify(body, { Signature = webhook.sign(SECRET, body) }, SECRET)
    assert.is_nil(ev)
    assert.matches("no event_type", err.message)
  end)

  it("refuses a call without a secret or a raw body before reading anything", function()
    local ev, err = webhook.verify(BODY, { Signature = "00" }, "")
    assert.is_nil(ev)
    assert.equal("invalid_argument", err.kind)
    assert.equal("secret", err.field)
    assert.has_error(function() webhook.verify(core.json_decode(BODY), {}, SECRET) end,
      "webhook.verify: body must be the raw request body (a string), got table")
    assert.has_error(function() webhook.sign(nil, BODY) end)
  end)
end)

describe("webhook.job", function()
  it("re-attaches the job an event is about, by kind, and refuses events about none", function()
    local hg = require("heygen").client { api_key = "k", base_url = "http://127.0.0.1:9" }
    local cases = {
      { "avatar_video.fail", { video_id = "v1" }, "video", "v1" },
      { "avatar_video_caption.success", { video_id = "v2" }, "video", "v2" },
      { "video_translate.success", { video_translate_id = "t1" }, "translate", "t1" },
      { "video_agent.success", { session_id = "s1", video_id = "v3" }, "video_agent", "s1" },
    }
    for _, c in ipairs(cases) do
      local job = assert(webhook.job(hg, { event_type = c[1], event_data = c[2] }))
      assert.are.same({ c[3], c[4] }, { job.kind, job.id })
    end
    local job, err = webhook.job(hg, { event_type = "batch.finished", event_data = { batch_id = "b" } })
    assert.is_nil(job)
    assert.are.equal("invalid_argument", err.kind)
    assert.matches("webhook.job: batch.finished names no job", err.message, 1, true)
    assert.is_nil((webhook.job(hg, { event_type = "avatar_video.success", event_data = {} })))
  end)
end)

describe("webhook.parse (per-job callback_url, unsigned)", function()
  it("reads a failure with both spellings of its message", function()
    local ev = assert(webhook.parse('{"event_type":"avatar_video.fail","event_data":'
      .. '{"video_id":"v_9","msg":"MOVIO_PAYMENT_INSUFFICIENT_CREDIT","callback_id":"c-1"}}'))
    assert.is_false(ev.succeeded)
    assert.equal("MOVIO_PAYMENT_INSUFFICIENT_CREDIT", ev.event_data.message)
    assert.equal("MOVIO_PAYMENT_INSUFFICIENT_CREDIT", ev.event_data.msg)
    assert.equal("c-1", ev.callback_id)
    ev = assert(webhook.parse('{"event_type":"video_translate.fail","event_data":{"video_translate_id":"t",'
      .. '"message":"bad audio","callback_id":null,"output_language":"French"}}'))
    assert.equal("bad audio", ev.event_data.msg)
    assert.is_nil(ev.callback_id)
    local _, err = webhook.parse("not json")
    assert.equal("protocol", err.kind)
  end)
end)

describe("webhook.verify_fal", function()
  local dir, pub
  local function b64url(s)
    local p = support.tmpname(".raw")
    write(p, s)
    local out = sh("base64 -w0 < " .. p)
    os.remove(p)
    return (out:gsub("%s", ""):gsub("+", "-"):gsub("/", "_"):gsub("=", ""))
  end

  setup(function()
    -- an Ed25519 key made and used by the openssl command line, not by us
    dir = support.tmpname(".d")
    os.execute("mkdir -p " .. dir)
    sh("openssl genpkey -algorithm ed25519 -out " .. dir .. "/key.pem")
    sh("openssl pkey -in " .. dir .. "/key.pem -pubout -outform DER -out " .. dir .. "/pub.der")
    pub = support.read(dir .. "/pub.der"):sub(-32) -- the DER's last 32 bytes are the raw key
  end)
  teardown(function() os.execute("rm -rf " .. dir) end)

  local function delivery(body, over)
    local h = { ["X-Fal-Webhook-Request-Id"] = "req-1", ["X-Fal-Webhook-User-Id"] = "user-7",
      ["X-Fal-Webhook-Timestamp"] = tostring(os.time()) }
    for k, v in pairs(over or {}) do h[k] = v end
    local message = table.concat({ h["X-Fal-Webhook-Request-Id"], h["X-Fal-Webhook-User-Id"],
      h["X-Fal-Webhook-Timestamp"], core.sha256(body) }, "\n")
    write(dir .. "/msg", message)
    sh("openssl pkeyutl -sign -rawin -inkey " .. dir .. "/key.pem -in " .. dir .. "/msg -out " .. dir .. "/sig")
    local sig = support.read(dir .. "/sig")
    h["X-Fal-Webhook-Signature"] = (sig:gsub(".", function(c) return string.format("%02x", c:byte()) end))
    return h
  end

  local OK = '{"request_id":"req-1","gateway_request_id":"req-1","status":"OK","error":null,'
    .. '"payload":{"video":{"url":"https://v3.fal.media/files/x/out.mp4"},"seed":7}}'

  it("accepts a delivery signed by openssl's key, found in a JWKS", function()
    local keys = assert(webhook.fal_keys('{"keys":[{"kty":"RSA","n":"x"},{"kty":"OKP","crv":"Ed25519","x":"'
      .. b64url(pub) .. '","kid":"k1"}]}'))
    assert.same({ pub }, keys)
    local ev = assert(webhook.verify_fal(OK, delivery(OK), keys))
    assert.is_true(ev.ok)
    assert.equal("req-1", ev.request_id)
    assert.equal("https://v3.fal.media/files/x/out.mp4", ev.video_url)
    assert.is_nil(ev.error)
  end)

  it("reads an ERROR delivery", function()
    local body = '{"request_id":"req-1","status":"ERROR","error":"Invalid status code: 422",'
      .. '"payload":{"detail":[{"loc":["body","prompt"],"msg":"field required","type":"value_error.missing"}]}}'
    local ev = assert(webhook.verify_fal(body, delivery(body), { pub }))
    assert.is_false(ev.ok)
    assert.equal("Invalid status code: 422", ev.error)
    assert.equal("field required", ev.payload.detail[1].msg)
  end)

  it("rejects a changed body, a header changed after signing, another key, a stale timestamp", function()
    local h = delivery(OK)
    local ev, err = webhook.verify_fal(OK:gsub('"seed":7', '"seed":8'), h, { pub })
    assert.is_nil(ev)
    assert.equal("signature", err.kind)
    assert.matches("does not verify with any of the 1 key", err.message)
    local h2 = {}
    for k, v in pairs(h) do h2[k] = v end
    h2["X-Fal-Webhook-User-Id"] = "someone-else"
    assert.is_nil((webhook.verify_fal(OK, h2, { pub })))
    local other = select(2, core.ed25519_keypair())
    ev, err = webhook.verify_fal(OK, h, { other })
    assert.is_nil(ev)
    assert.equal("signature", err.kind)
    -- any of several keys will do (a rotation in progress)
    assert.truthy(webhook.verify_fal(OK, h, { other, pub }))
    local old = delivery(OK, { ["X-Fal-Webhook-Timestamp"] = tostring(os.time() - 400) })
    ev, err = webhook.verify_fal(OK, old, { pub })
    assert.is_nil(ev)
    assert.matches("X%-Fal%-Webhook%-Timestamp header is 40%d s away", err.message)
    -- a body whose request_id is not the signed one
    local body = OK:gsub('"request_id":"req%-1"', '"request_id":"req-2"', 1)
    ev, err = webhook.verify_fal(body, delivery(body), { pub })
    assert.is_nil(ev)
    assert.matches("not the signed X%-Fal%-Webhook%-Request%-Id", err.message)
  end)

  it("names the header that is missing, and wants keys", function()
    local h = delivery(OK)
    h["X-Fal-Webhook-Signature"] = nil
    local ev, err = webhook.verify_fal(OK, h, { pub })
    assert.is_nil(ev)
    assert.equal("signature", err.kind)
    assert.matches("no X%-Fal%-Webhook%-Signature header", err.message)
    ev, err = webhook.verify_fal(OK, delivery(OK), {})
    assert.is_nil(ev)
    assert.equal("invalid_argument", err.kind)
    local _, kerr = webhook.fal_keys('{"keys":[{"kty":"EC","crv":"P-256","x":"abc"}]}')
    assert.matches("no Ed25519", kerr.message)
  end)
end)

describe("hg:fal_submit with a webhook_url", function()
  local emu = support.use_emulator()
  local hg = support.client(emu)

  it("sends fal_webhook on the submit URL and keeps it on the job", function()
    local url = "https://hooks.example.com/fal?token=abc&x=1"
    local job = assert(hg:fal_submit("bytedance/seedance-2.0/text-to-video", { prompt = "a fox" },
      { webhook_url = url }))
    assert.equal(url, job.webhook_url)
    local req = emu:requests { method = "POST", path = "/fal/bytedance/seedance%-2%.0/text%-to%-video" }
    assert.equal(1, #req)
    assert.equal(url, req[1].query.fal_webhook)
  end)

  it("refuses a bad webhook_url or an unknown option before sending", function()
    local before = emu:count("POST", "/fal/")
    local job, err = hg:fal_submit("bytedance/seedance-2.0/text-to-video", { prompt = "a fox" },
      { webhook_url = "hooks.example.com" })
    assert.is_nil(job)
    assert.equal("invalid_argument", err.kind)
    assert.equal("webhook_url", err.field)
    assert.matches('webhook_url must be an http%(s%) URL, got "hooks.example.com"', err.message)
    job, err = hg:fal_submit("bytedance/seedance-2.0/text-to-video", { prompt = "a fox" }, { webhook = "x" })
    assert.is_nil(job)
    assert.matches('unknown fal_submit option "webhook"', err.message)
    assert.equal(before, emu:count("POST", "/fal/"))
  end)
end)

describe("deliveries from the emulator, checked by heygen.webhook", function()
  local receiver = require "receiver"
  local emu, hg, r
  setup(function()
    emu = support.emulator { time_scale = 600 }
    emu:config { webhook_plain_http = true }
    r = receiver.new()
  end)
  before_each(function() hg = support.client(emu, { api = "v3" }) end)
  teardown(function()
    if r then r:close() end
    if emu then emu:stop() end
  end)

  it("a registered endpoint's event verifies with its secret, and not after rotation", function()
    local ep = assert(hg:create_webhook_endpoint { url = r.https_url .. "/hook", events = { "avatar_video.success" } })
    local avatars = assert(hg:avatars())
    local avatar = avatars.avatars[1]
    local job = assert(hg:create_video { video_inputs = { {
      character = { type = "avatar", avatar_id = avatar.avatar_id },
      voice = { type = "text", voice_id = avatar.default_voice_id, input_text = "Hello." } } } })
    local req = assert(r:next(20))
    assert.are.equal("POST", req.method)
    assert.are.equal("/hook", req.path)
    local event = assert(webhook.verify(req.body, req.headers, ep.secret))
    assert.are.equal("avatar_video.success", event.event_type)
    assert.are.equal(job.id, event.event_data.video_id)
    -- the job it is about, re-attached, downloads the video
    local out = support.tmpname(".mp4")
    local about = assert(webhook.job(hg, event))
    assert.are.equal("video", about.kind)
    assert.are.equal(job.id, about.id)
    assert.are.equal(out, about:download(out))
    assert.are.equal(support.sample_mp4(), support.read(out))
    os.remove(out)
    -- after a rotation, deliveries verify with the new secret and not with the old one
    local rotated = assert(hg:rotate_webhook_secret(ep.endpoint_id))
    assert.are_not.equal(ep.secret, rotated.secret)
    assert(hg:create_video { video_inputs = { {
      character = { type = "avatar", avatar_id = avatar.avatar_id },
      voice = { type = "text", voice_id = avatar.default_voice_id, input_text = "Again." } } } })
    req = assert(r:next(20))
    assert.truthy(webhook.verify(req.body, req.headers, rotated.secret))
    local ev, err = webhook.verify(req.body, req.headers, ep.secret)
    assert.is_nil(ev)
    assert.are.equal("signature", err.kind)
    assert(hg:delete_webhook_endpoint(ep.endpoint_id))
  end)

  it("a fal request's webhook verifies with the keys hg:fal_webhook_keys fetched, without the fal key", function()
    local fal = support.client(emu, { fal_jwks_url = emu.fal_url .. "/.well-known/jwks.json" })
    local job = assert(fal:fal_submit("bytedance/seedance-2.0/text-to-video", { prompt = "a heron" },
      { webhook_url = r.url .. "/fal-hook" }))
    assert.are.equal(job.id, job.gateway_request_id)
    local keys = assert(fal:fal_webhook_keys())
    assert.are.equal(1, #keys)
    local jwks = emu:requests { path = "/fal/%.well%-known/jwks%.json" }
    assert.are.equal(1, #jwks)
    assert.is_nil(jwks[1].headers.authorization) -- no credential leaves for the keys
    local req = assert(r:next(20))
    assert.are.equal("/fal-hook", req.path)
    local result = assert(webhook.verify_fal(req.body, req.headers, keys))
    assert.is_true(result.ok)
    assert.are.equal(job.id, result.request_id)
    assert.matches("^http://127%.0%.0%.1:%d+/", result.video_url)
    -- kept: a second call makes no request; refresh = true makes one
    assert.are.equal(keys, fal:fal_webhook_keys())
    assert(fal:fal_webhook_keys { refresh = true })
    assert.has_error(function() fal:fal_webhook_keys { refesh = true } end,
      "hg:fal_webhook_keys: unknown option 'refesh' (did you mean 'refresh'?)")
    assert.are.equal(2, #emu:requests { path = "/fal/%.well%-known/jwks%.json" })
    -- a body changed on the way fails
    local _, err = webhook.verify_fal(req.body:gsub("OK", "ERROR", 1), req.headers, keys)
    assert.are.equal("signature", err.kind)
  end)
end)
