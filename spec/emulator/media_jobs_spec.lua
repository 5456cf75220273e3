-- The emulator's background removals and AI clipping over raw HTTP (emulator/v3/media_jobs.lua):
-- jobs on the clock, layers and clips downloadable, request_id and Idempotency-Key dedup, lists,
-- deletes, bad bodies named.
local h = require "emulator.http"
local support = require "support"

local emu = h.use()

local call, data = h.call, h.data
local VIDEO = {type = "url", url = "https://example.com/talk.mp4"}

describe("emulator: background removal", function()
  it("goes pending -> processing -> completed with a presigned URL per layer asked for", function()
    local d = data("POST", "/v3/background-removals", {video = VIDEO, layers = {"foreground", "mask"}, title = "Talk"})
    assert.matches("^br_%x+$", d.id)
    assert.are.equal("pending", d.status)
    assert.are.same({}, d.layers)
    assert.are.equal(require("cjson").null, d.completed_at)
    emu:advance(10)
    assert.are.equal("processing", data("GET", "/v3/background-removals/" .. d.id).status)
    emu:advance(60)
    local done = data("GET", "/v3/background-removals/" .. d.id)
    assert.are.equal("completed", done.status)
    assert.are.equal(3.0, done.duration)
    assert.is_number(done.completed_at)
    assert.is_nil(done.layers.background)
    local status, webm = h.fetch(done.layers.foreground)
    assert.are.equal(200, status)
    assert.are.equal("\26\69\223\163", webm:sub(1, 4))          -- a WebM (EBML) file
    local mstatus, mask = h.fetch(done.layers.mask)
    assert.are.equal(200, mstatus)
    assert.are.equal(support.sample_mp4(), mask)
    -- the finish time read later is the same
    emu:advance(600)
    assert.are.equal(done.completed_at, data("GET", "/v3/background-removals/" .. d.id).completed_at)
  end)

  it("answers the original job for a repeated request_id, whatever the body", function()
    local a = data("POST", "/v3/background-removals", {video = VIDEO, request_id = "req-1"})
    local b = data("POST", "/v3/background-removals", {video = {type = "asset_id", asset_id = "x"},
                                                        request_id = "req-1", layers = {"mask"}})
    assert.are.equal(a.id, b.id)
    local c = data("POST", "/v3/background-removals", {video = VIDEO, request_id = "req-2"})
    assert.are_not.equal(a.id, c.id)
    emu:advance(60)
    local all = data("GET", "/v3/background-removals/" .. a.id)
    assert.is_string(all.layers.foreground)
    assert.is_string(all.layers.mask)
    assert.is_string(all.layers.background)
  end)

  it("lists newest first in pages, deletes, then 404s", function()
    local ids = {}
    for i = 1, 3 do ids[i] = data("POST", "/v3/background-removals", {video = VIDEO}).id end
    local _, page = data("GET", "/v3/background-removals?limit=2")
    assert.are.equal(2, #page.data)
    assert.are.equal(ids[3], page.data[1].id)
    assert.is_true(page.has_more)
    local _, rest = data("GET", "/v3/background-removals?limit=2&token=" .. page.next_token)
    assert.are.equal(ids[1], rest.data[1].id)
    assert.is_false(rest.has_more)
    local del = data("DELETE", "/v3/background-removals/" .. ids[2])
    assert.are.same({id = ids[2], deleted = true}, del)
    local status, v = call("GET", "/v3/background-removals/" .. ids[2])
    assert.are.equal(404, status)
    assert.are.equal("not_found", v.error.code)
    assert.are.equal(404, (call("DELETE", "/v3/background-removals/" .. ids[2])))
    local _, left = data("GET", "/v3/background-removals")
    assert.are.equal(2, #left.data)
  end)

  it("names the field, rule and value of a bad body", function()
    local status, v = call("POST", "/v3/background-removals", {layers = {"foreground"}})
    assert.are.equal(400, status)
    assert.are.equal("video", v.error.param)
    status, v = call("POST", "/v3/background-removals", {video = VIDEO, layers = {"alpha"}})
    assert.are.equal(400, status)
    assert.matches('^layers%[0%] must be one of .*got "alpha"', v.error.message)
    status, v = call("POST", "/v3/background-removals", {video = {type = "url"}})
    assert.are.equal(400, status)
    assert.matches("video.url", v.error.message)
    local _, list = data("GET", "/v3/background-removals")
    assert.are.equal(0, #list.data)
  end)
end)

describe("emulator: AI clipping", function()
  it("runs on the clock with progress, then lists its clips best first, each downloadable", function()
    local d = data("POST", "/v3/ai-clipping", {
      video = VIDEO, title = "Keynote", callback_id = "c-7",
      output_settings = {duration_types = {"30", "long"}, aspect_ratio = "square"}})
    assert.matches("^clip_%x+$", d.id)
    assert.are.equal("pending", d.status)
    assert.are.equal(0, d.progress)
    assert.are.equal(0, #d.clips)
    emu:advance(70)
    local mid = data("GET", "/v3/ai-clipping/" .. d.id)
    assert.are.equal("running", mid.status)
    assert.is_true(mid.progress > 0 and mid.progress < 100)
    emu:advance(120)
    local done = data("GET", "/v3/ai-clipping/" .. d.id)
    assert.are.equal("completed", done.status)
    assert.are.equal(100, done.progress)
    assert.are.equal("c-7", done.callback_id)
    assert.are.same({"30", "long"}, done.output_settings.duration_types)
    assert.are.equal(4, #done.clips)
    assert.are.equal(30, done.clips[1].duration_seconds)
    assert.are.equal(300, done.clips[4].duration_seconds)
    for i, c in ipairs(done.clips) do
      assert.are.equal("square", c.aspect_ratio)
      if i > 1 then assert.is_true(c.virality_score < done.clips[i - 1].virality_score) end
    end
    local status, bytes = h.fetch(done.clips[1].video_url)
    assert.are.equal(200, status)
    assert.are.equal(support.sample_mp4(), bytes)
    -- its end is an ai_clipping.success event
    local _, events = data("GET", "/v3/webhooks/events?event_type=ai_clipping.success")
    assert.are.equal(1, #events.data)
    assert.are.equal(d.id, events.data[1].event_data.id)
  end)

  it("replays a create with the same Idempotency-Key, lists and deletes", function()
    local s1, a = call("POST", "/v3/ai-clipping", {video = VIDEO}, {["Idempotency-Key"] = "k1"})
    local s2, b = call("POST", "/v3/ai-clipping", {video = VIDEO}, {["Idempotency-Key"] = "k1"})
    assert.are.equal(200, s1)
    assert.are.equal(200, s2)
    assert.are.equal(a.data.id, b.data.id)
    local _, list = data("GET", "/v3/ai-clipping")
    assert.are.equal(1, #list.data)
    assert.are.same({id = a.data.id}, data("DELETE", "/v3/ai-clipping/" .. a.data.id))
    assert.are.equal(404, (call("GET", "/v3/ai-clipping/" .. a.data.id)))
  end)

  it("refuses base64 video and unknown duration types, naming them", function()
    local b64 = {type = "base64", media_type = "video/mp4", data = "AA"}
    local status, v = call("POST", "/v3/ai-clipping", {video = b64})
    assert.are.equal(400, status)
    assert.matches("video", v.error.message)
    status, v = call("POST", "/v3/ai-clipping", {video = VIDEO, output_settings = {duration_types = {"90"}}})
    assert.are.equal(400, status)
    assert.matches('^output_settings.duration_types%[0%] must be one of .*got "90"', v.error.message)
  end)
end)

describe("emulator: media jobs, voices and avatars across a restart (--state)", function()
  it("keeps the jobs, request_ids, private voices and avatars, and the clock goes on", function()
    local br, clip, voice, look
    h.across_restart(function()
      br = data("POST", "/v3/background-removals", {video = VIDEO, request_id = "keep-1"}).id
      clip = data("POST", "/v3/ai-clipping", {video = VIDEO}).id
      voice = data("POST", "/v3/voices", {prompt = "a deep male voice"}).voices[1].voice_id
      look = data("POST", "/v3/avatars", {type = "photo", name = "Kept", file = VIDEO}).avatar_item.id
    end, function()
      assert.are.equal(br, data("POST", "/v3/background-removals", {video = VIDEO, request_id = "keep-1"}).id)
      h.emu:advance(200)
      assert.are.equal("completed", data("GET", "/v3/background-removals/" .. br).status)
      assert.are.equal("completed", data("GET", "/v3/ai-clipping/" .. clip).status)
      assert.are.equal(1, #data("GET", "/v3/ai-clipping"))
      assert.are.equal("complete", data("GET", "/v3/voices/" .. voice).status) -- a designed voice: at once
      local listed
      for _, v in ipairs(data("GET", "/v3/voices?type=private")) do
        if v.voice_id == voice then listed = v end
      end
      assert.are.equal("private", listed and listed.type)
      assert.are.equal("completed", data("GET", "/v3/avatars/looks/" .. look).status)
    end)
  end)
end)
