-- The emulator's v3 webhook deliveries (heygen.emulator.deliver), seen by a real receiver on
-- loopback: endpoints (signed) and callback_url (unsigned), the events they list, batches,
-- translations, lipsyncs, agents, and reset. Retries, duplicates and TLS:
-- spec/emulator/webhooks_retries_spec.lua; legacy callbacks and fal webhooks:
-- spec/emulator/webhooks_legacy_fal_spec.lua.
local cjson = require "cjson"
local core = require "heygen.core"
local W = require "emulator.webhooks_env"

local emu = W.use()
local AVATAR_V3, api, endpoint, v3_video, settled = W.AVATAR_V3, W.api, W.endpoint, W.v3_video, W.settled
local by_path, events = W.by_path, W.events

describe("the emulator's v3 webhooks", function()
  it("POSTs the event to a registered endpoint, signed with its secret, as GET /v3/webhooks/events lists it",
     function()
    local ep = endpoint({url = W.rx.https_url .. "/hooks/heygen"})
    local vid = v3_video({callback_id = "job-42"})
    emu:job(vid, {complete = true})
    local req = assert(W.rx:next(10))
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
    assert.are.same({event_id = ev.event_id, event_type = "avatar_video.success",
                     url = W.rx.https_url .. "/hooks/heygen", signed = true, attempts = 1, status = 200,
                     error = cjson.null, delivered = true, duplicate = false, body = req.body},
                    {event_id = d[1].event_id, event_type = d[1].event_type,
                     url = d[1].url, signed = d[1].signed, attempts = d[1].attempts, status = d[1].status,
                     error = d[1].error, delivered = d[1].delivered, duplicate = d[1].duplicate, body = d[1].body})
  end)

  it("sends a create's callback_url the same body unsigned", function()
    local ep = endpoint({url = W.rx.https_url .. "/ep"})
    local vid = v3_video({callback_url = W.rx.url .. "/cb", callback_id = "c1"})
    emu:job(vid, {fail = {code = 40119, message = "Video is too long"}})
    local got = by_path({assert(W.rx:next(10)), assert(W.rx:next(10))})
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
    local vid = v3_video({callback_url = W.rx.url .. "/cb"})
    local req = assert(W.rx:next(10))                  -- 140 nominal seconds: 0.14 s
    assert.are.equal(vid, cjson.decode(req.body).event_data.video_id)
    assert.are.equal(0, emu:count("GET", "^/v3/videos/"))
    emu:config({time_scale = 200})
  end)

  it("sends only the events an endpoint lists, and only its entity's", function()
    local vid = v3_video()
    local other = v3_video()
    endpoint({url = W.rx.https_url .. "/fail-only", events = {"avatar_video.fail"}})
    endpoint({url = W.rx.https_url .. "/success", events = {"avatar_video.success"}})
    endpoint({url = W.rx.https_url .. "/entity", entity_id = vid})
    emu:job(vid, {complete = true})
    emu:job(other, {complete = true})
    local got = W.rx:collect(1.5)
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
    local ep = endpoint({url = W.rx.https_url .. "/ep", events = {"avatar_video.fail"}})
    local first = v3_video()
    emu:job(first, {complete = true})
    assert.are.same({}, W.rx:collect(0.5))
    local code = api("PATCH", "/v3/webhooks/endpoints/" .. ep.endpoint_id, {events = {"avatar_video.success"}})
    assert.are.equal(200, code)
    local _, rotated = api("POST", "/v3/webhooks/endpoints/" .. ep.endpoint_id .. "/rotate-secret")
    assert.are_not.equal(ep.secret, rotated.data.secret)
    local second = v3_video()
    emu:job(second, {complete = true})
    local req = assert(W.rx:next(10))
    assert.are.equal(second, cjson.decode(req.body).event_data.video_id)
    assert.are.equal(core.hmac_sha256(rotated.data.secret, req.body), req.headers["signature"])
    assert.are_not.equal(core.hmac_sha256(ep.secret, req.body), req.headers["signature"])
    api("DELETE", "/v3/webhooks/endpoints/" .. ep.endpoint_id)
    emu:job(v3_video(), {complete = true})
    assert.are.same({}, W.rx:collect(0.5))
  end)

  it("does not send outcomes from before the first endpoint existed", function()
    local vid = v3_video()
    emu:job(vid, {complete = true})
    endpoint({url = W.rx.https_url .. "/late"})
    assert.are.same({}, W.rx:collect(0.5))
    assert.are.equal(0, #emu:deliveries())
  end)

  it("never notes or sends an outcome twice when the job is also polled", function()
    endpoint({url = W.rx.https_url .. "/ep"})
    local vid = v3_video()
    local status
    repeat
      local _, res = api("GET", "/v3/videos/" .. vid)
      status = res.data.status
    until status == "completed"
    for _ = 1, 5 do api("GET", "/v3/videos/" .. vid) end
    assert(W.rx:next(10))
    assert.are.same({}, W.rx:collect(0.5))
    assert.are.equal(1, #events(vid))
    assert.are.equal(1, #settled(1))
  end)

  it("sends batch.finished to the batch's callback_url when every item ended", function()
    local item = {type = "avatar", avatar_id = AVATAR_V3, script = "One of many."}
    local code, res = api("POST", "/v3/videos/batches", {videos = {item, item}, callback_url = W.rx.url .. "/batch"})
    assert.are.equal(202, code)
    local bid = res.data.batch_id
    local _, view = api("GET", "/v3/videos/batches/" .. bid)
    emu:job(view.data.items[1].video_id, {complete = true})
    assert.are.same({}, W.rx:collect(0.3))
    emu:job(view.data.items[2].video_id, {fail = true})
    local req = assert(W.rx:next(10))
    local ev = cjson.decode(req.body)
    assert.are.equal("batch.finished", ev.event_type)
    assert.are.equal(bid, ev.event_data.batch_id)
    assert.are.equal("completed", ev.event_data.status)
    assert.are.equal(2, #ev.event_data.items)
    assert.are.same({completed = 1, failed = 1}, ev.event_data.counts_by_status)
    assert.are.same({}, W.rx:collect(0.3))
  end)

  it("calls back translations, lipsyncs and video agent sessions", function()
    local _, tr = api("POST", "/v3/video-translations", {video = {type = "url", url = "https://example.com/v.mp4"},
      output_languages = {"Spanish (Spain)"}, callback_url = W.rx.url .. "/translation", callback_id = "t1"})
    local _, ls = api("POST", "/v3/lipsyncs", {video = {type = "url", url = "https://example.com/v.mp4"},
      audio = {type = "url", url = "https://example.com/a.mp3"}, callback_url = W.rx.url .. "/lipsync"})
    local _, ag = api("POST", "/v3/video-agents", {prompt = "A short hello", callback_url = W.rx.url .. "/agent"})
    emu:job(tr.data.video_translation_ids[1], {complete = true})
    emu:job(ls.data.lipsync_id, {complete = true})
    emu:job(ag.data.session_id, {fail = true})
    local got = by_path(W.rx:collect(1.5))
    local t = cjson.decode(got["/translation"].body)
    assert.are.equal("video_translate.success", t.event_type)
    assert.are.same({tr.data.video_translation_ids[1], "t1", "Spanish (Spain)"},
                    {t.event_data.video_translate_id, t.event_data.callback_id, t.event_data.output_language})
    assert.are.equal("lipsync.success", cjson.decode(got["/lipsync"].body).event_type)
    assert.are.equal("video_agent.fail", cjson.decode(got["/agent"].body).event_type)
  end)

  it("tells a lipsync's outcome (no documented event type) to its callback_url only", function()
    local ep = endpoint({url = W.rx.https_url .. "/all"})     -- events = null: every event type
    local _, ls = api("POST", "/v3/lipsyncs", {video = {type = "url", url = "https://example.com/v.mp4"},
      audio = {type = "url", url = "https://example.com/a.mp3"}, callback_url = W.rx.url .. "/lipsync"})
    emu:job(ls.data.lipsync_id, {complete = true})
    local got = by_path(W.rx:collect(1.5))
    assert.are.equal("lipsync.success", cjson.decode(got["/lipsync"].body).event_type)
    assert.is_nil(got["/all"])
    assert.are.same({}, events(ls.data.lipsync_id))
    api("DELETE", "/v3/webhooks/endpoints/" .. ep.endpoint_id)
  end)

  it("forgets deliveries, retries and the duplicate counter on reset", function()
    emu:webhooks({duplicate = 3})
    local vid = v3_video({callback_url = W.rx.url .. "/r"})
    emu:job(vid, {complete = true})
    assert(W.rx:next(10, 500))                          -- a retry is now pending
    emu:reset()
    assert.are.same({}, W.rx:collect(1.5))
    assert.are.equal(0, #emu:deliveries())
    vid = v3_video({callback_url = W.rx.url .. "/r"})
    emu:job(vid, {complete = true})
    assert(W.rx:next(10))
    assert.are.same({}, W.rx:collect(0.5))               -- no duplicate left over
  end)
end)
