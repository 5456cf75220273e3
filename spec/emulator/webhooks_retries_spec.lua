-- The emulator's v3 webhook deliveries when the receiver fails: retries, a receiver down or
-- slow or failing, duplicates on demand, and TLS to https endpoints.
local socket = require "socket"
local cjson = require "cjson"
local core = require "heygen.core"
local receiver = require "receiver"
local support = require "support"
local W = require "emulator.webhooks_env"

local emu = W.use()
local endpoint, v3_video, settled = W.endpoint, W.v3_video, W.settled

describe("the emulator's v3 webhooks: retries, duplicates and TLS", function()
  it("retries a 500 and records two attempts", function()
    endpoint({url = W.rx.https_url .. "/flaky"})
    local vid = v3_video()
    emu:job(vid, {complete = true})
    local first = assert(W.rx:next(10, 500))
    local second = assert(W.rx:next(10, 200))
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
    local vid = v3_video({callback_url = W.rx.url .. "/slow"})
    emu:job(vid, {complete = true})
    local hung = assert(W.rx:silent(10))
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
    assert(W.rx:next(5))
    d = settled(1)[1]
    assert.is_true(d.delivered)
    assert.are.equal(2, d.attempts)
  end)

  it("records the last non-2xx status of a receiver that keeps failing", function()
    local vid = v3_video({callback_url = W.rx.url .. "/busy"})
    emu:job(vid, {complete = true})
    for _ = 1, 4 do assert(W.rx:next(10, 503)) end
    local d = settled(1)[1]
    assert.are.equal(4, d.attempts)
    assert.are.equal(503, d.status)
    assert.are.equal("HTTP 503", d.error)
  end)

  it("sends the next N successful deliveries twice, same id, body and signature", function()
    emu:webhooks({duplicate = 1})
    endpoint({url = W.rx.https_url .. "/dup"})
    local a, b = v3_video(), v3_video()
    emu:job(a, {complete = true})
    local one, two = assert(W.rx:next(10)), assert(W.rx:next(10))
    assert.are.equal(one.body, two.body)
    assert.are.equal(one.headers["signature"], two.headers["signature"])
    emu:job(b, {complete = true})
    local three = assert(W.rx:next(10))
    assert.are.equal(b, cjson.decode(three.body).event_data.video_id)
    assert.are.same({}, W.rx:collect(0.5))
    local d = settled(3)
    assert.are.same({false, true, false}, {d[1].duplicate, d[2].duplicate, d[3].duplicate})
    assert.are.equal(d[1].event_id, d[2].event_id)
    local later = emu:deliveries(d[2].seq)
    assert.are.equal(1, #later)
    assert.are.equal(d[3].seq, later[1].seq)
  end)

  it("speaks TLS to an https endpoint without webhook_plain_http (no certificate checks)", function()
    local dir = support.tmpname()
    local cert, key = support.certificate(dir)
    local tls_rx = receiver.new({tls = {certificate = cert, key = key}})
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
    local vid = v3_video({callback_url = W.rx.https_url .. "/tls"})
    emu:job(vid, {complete = true})
    for _ = 1, 4 do assert(W.rx:silent(10)):close() end     -- no server hello: the handshake fails
    local d = settled(1)[1]
    emu:config({webhook_plain_http = true})
    assert.is_false(d.delivered)
    assert.matches("TLS", d.error)
  end)
end)
