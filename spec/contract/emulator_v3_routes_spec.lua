-- Well-formed raw calls to the emulator's newer v3 routes (video agent conversation and
-- styles, PATCH/DELETE of translations and lipsyncs, asset lists, search, statuses and
-- upload batches), so the contract pass (scripts/test.d/30-contract.sh) judges each
-- operation's request and answer; elsewhere a plain emulator spec. The detailed behaviour
-- is in spec/emulator/*_spec.lua.
local h = require "emulator.http"

local emu
setup(function() emu = h.start() end)
teardown(h.stop)
before_each(function() emu:reset() end)

local data = h.data

local function until_status(sid, want)
  for _ = 1, 40 do
    local s = data("GET", "/v3/video-agents/" .. sid)
    if s.status == want then return s end
    emu:advance(15)
  end
  error("session " .. sid .. " never reached " .. want)
end

describe("contract: the emulator's newer v3 routes", function()
  it("a chat session: waits, takes a message, renders; its videos, resources and the styles", function()
    local sid = data("POST", "/v3/video-agents", {prompt = "A teaser", mode = "chat"}).session_id
    local s = until_status(sid, "waiting_for_input")
    local draft = s.messages[1].resource_ids[1]
    assert.are.equal("draft", data("GET", "/v3/video-agents/" .. sid .. "/resources/" .. draft).resource_type)
    assert.is_string(data("POST", "/v3/video-agents/" .. sid, {message = "Go ahead"}).run_id)
    s = until_status(sid, "completed")
    assert.are.equal(s.video_id, data("GET", "/v3/video-agents/" .. sid .. "/videos")[1].id)
    assert.is_string(data("GET", "/v3/video-agents/styles?limit=2")[1].style_id)
  end)

  it("PATCH and DELETE of a translation and a lipsync", function()
    local video = {type = "url", url = "https://example.com/in.mp4"}
    local t = data("POST", "/v3/video-translations", {video = video, output_languages = {"French (France)"}})
    local tid = t.video_translation_ids and t.video_translation_ids[1] or t.video_translation_id
    assert.are.equal("New", data("PATCH", "/v3/video-translations/" .. tid, {title = "New"}).title)
    local captioned = data("POST", "/v3/video-translations", {video = video, output_languages = {"French (France)"},
                                                              enable_caption = true}).video_translation_ids[1]
    emu:advance(400)
    assert.is_string(data("GET", "/v3/video-translations/" .. captioned .. "/caption?format=srt").caption_url)
    assert.are.equal(tid, data("DELETE", "/v3/video-translations/" .. tid).id)
    local lid = data("POST", "/v3/lipsyncs", {video = video,
                                              audio = {type = "url", url = "https://example.com/a.mp3"}}).lipsync_id
    assert.are.equal("New", data("PATCH", "/v3/lipsyncs/" .. lid, {title = "New"}).title)
    assert.are.equal(lid, data("DELETE", "/v3/lipsyncs/" .. lid).id)
  end)

  it("asset list, search, an upload batch and the statuses", function()
    assert.are.equal(0, #data("GET", "/v3/assets?username=emulator&limit=5"))
    assert.is_true(#data("GET", "/v3/assets/search?query=cat&type=image&limit=5") > 0)
    local batch = data("POST", "/v3/assets/direct-uploads/batches", {title = "Never sent", files = {
      {filename = "a.png", content_type = "image/png", size_bytes = 10}}})
    assert.are.equal("processing", data("GET", "/v3/assets/batches/" .. batch.batch_id).status)
    local status = h.call("POST", "/v3/assets/complete/batches", {batch_id = batch.batch_id})
    assert.are.equal(202, status)
    assert.are.equal("failed", data("GET", "/v3/assets/batches/" .. batch.batch_id).status)
    local list = data("GET", "/v3/assets/statuses?batch_ids=" .. batch.batch_id)
    assert.are.equal("failed", list[1].status)
  end)
end)
