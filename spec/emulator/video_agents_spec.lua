-- The emulator's Video Agent sessions over raw HTTP (emulator/v3/video_agents.lua): a chat
-- session pauses, resumes on a message, renders, takes a revision; videos, resources, styles.
local h = require "emulator.http"
local support = require "support"

local emu = h.use()

local call, data = h.call, h.data

local function session(sid) return (data("GET", "/v3/video-agents/" .. sid)) end

-- Advances job time until the session reaches `want` (or fails the test).
local function until_status(sid, want)
  local s
  for _ = 1, 40 do
    s = session(sid)
    if s.status == want then return s end
    emu:advance(15)
  end
  error("session " .. sid .. " stayed " .. tostring(s and s.status) .. ", wanted " .. want)
end

describe("emulator: a chat session", function()
  it("waits for input with the agent's question, resumes on a message, renders a downloadable video", function()
    local created = data("POST", "/v3/video-agents", {prompt = "A teaser for a water bottle", mode = "chat"})
    assert.are.equal("thinking", created.status)
    local sid = created.session_id
    local s = until_status(sid, "waiting_for_input")
    assert.are.equal(20, s.progress)
    assert.are.equal(require("cjson").null, s.video_id)
    -- newest first: the agent's question naming its storyboard (a draft resource), the user's prompt
    assert.are.equal(2, #s.messages)
    assert.are.equal("model", s.messages[1].role)
    assert.matches("Shall I go ahead", s.messages[1].content)
    assert.are.equal("A teaser for a water bottle", s.messages[2].content)
    assert.are.equal("user", s.messages[2].role)
    local draft = s.messages[1].resource_ids[1]
    local res = data("GET", "/v3/video-agents/" .. sid .. "/resources/" .. draft)
    assert.are.equal("draft", res.resource_type)
    assert.are.equal("generated", res.source_type)
    -- it really pauses: much later it still waits
    emu:advance(3600)
    assert.are.equal("waiting_for_input", session(sid).status)

    local sent = data("POST", "/v3/video-agents/" .. sid, {message = "Go with a calm voice"})
    assert.are.equal(sid, sent.session_id)
    assert.matches("^run_", sent.run_id)
    assert.are.equal("thinking", session(sid).status)
    s = until_status(sid, "completed")
    assert.are.equal(100, s.progress)
    assert.are.equal("Go with a calm voice", s.messages[2].content)
    assert.are.equal("resource", s.messages[1].type)
    local video = data("GET", "/v3/videos/" .. s.video_id)
    assert.are.equal("completed", video.status)
    local status, bytes = h.fetch(video.video_url)
    assert.are.equal(200, status)
    assert.are.equal(support.sample_mp4(), bytes)
    -- the video resource names the same video
    res = data("GET", "/v3/video-agents/" .. sid .. "/resources/" .. s.messages[1].resource_ids[1])
    assert.are.equal("video", res.resource_type)
    assert.are.equal(s.video_id, res.metadata.video_id)
    assert.is_string(res.url)
  end)

  it("a revision request on a completed session renders a new video; /videos lists both, newest first", function()
    local sid = data("POST", "/v3/video-agents", {prompt = "A product demo"}).session_id
    local first = until_status(sid, "completed").video_id
    local sent = data("POST", "/v3/video-agents/" .. sid, {message = "Make it shorter"})
    assert.is_string(sent.run_id)
    local s = until_status(sid, "completed")
    assert.are_not.equal(first, s.video_id)
    local videos, whole = data("GET", "/v3/video-agents/" .. sid .. "/videos")
    assert.are.equal(2, #videos)
    assert.are.equal(s.video_id, videos[1].id)
    assert.are.equal(first, videos[2].id)
    assert.are.equal("completed", videos[1].status)
    assert.is_false(whole.has_more)
    -- each video is its own video_agent.success event
    local seen = {}
    for _, ev in ipairs(data("GET", "/v3/webhooks/events")) do
      if ev.event_type == "video_agent.success" then seen[#seen + 1] = ev.event_data.video_id end
    end
    table.sort(seen)
    local want = {first, s.video_id}
    table.sort(want)
    assert.are.same(want, seen)
  end)

  it("a message while the agent thinks, to an unknown session, or a bad body is refused", function()
    local sid = data("POST", "/v3/video-agents", {prompt = "Busy", mode = "chat"}).session_id
    local status, v = call("POST", "/v3/video-agents/" .. sid, {message = "too early"})
    assert.are.equal(409, status)
    assert.matches("is thinking: send a message when it waits for input or has completed", v.error.message)
    status, v = call("POST", "/v3/video-agents/nope", {message = "hi"})
    assert.are.equal(404, status)
    assert.are.equal("Video agent session nope not found", v.error.message)
    status, v = call("POST", "/v3/video-agents/" .. sid, {message = ""})
    assert.are.equal(400, status)
    assert.are.equal("message", v.error.param)
    status, v = call("POST", "/v3/video-agents/" .. sid, {message = "x", voice = "v"})
    assert.are.equal(400, status)
    assert.matches("voice is not a known field %(known: avatar_id, brand_kit_id, files, message, voice_id%)",
                   v.error.message)
    status, v = call("POST", "/v3/video-agents/" .. sid, {message = "x", voice_id = "no_such_voice"})
    assert.are.equal(404, status)
    assert.are.equal("voice_not_found", v.error.code)
  end)

  it("stop while it waits ends it failed; messages then get a 409", function()
    local sid = data("POST", "/v3/video-agents", {prompt = "Stop me", mode = "chat"}).session_id
    until_status(sid, "waiting_for_input")
    data("POST", "/v3/video-agents/" .. sid .. "/stop", {})
    local s = session(sid)
    assert.are.equal("failed", s.status)
    assert.are.equal("error", s.messages[1].type)
    assert.are.equal("The session was stopped on request", s.messages[1].content)
    local status = call("POST", "/v3/video-agents/" .. sid, {message = "too late"})
    assert.are.equal(409, status)
  end)

  it("uploaded files become user_uploaded resources of the message", function()
    local sid = data("POST", "/v3/video-agents", {prompt = "Use my logo", mode = "chat",
                                                  files = {{type = "url", url = "https://example.com/logo.png"}}})
                .session_id
    local s = session(sid)
    local rid = s.messages[#s.messages].resource_ids[1]
    local res = data("GET", "/v3/video-agents/" .. sid .. "/resources/" .. rid)
    assert.are.equal("user_uploaded", res.source_type)
    assert.are.equal("https://example.com/logo.png", res.url)
    local status, v = call("GET", "/v3/video-agents/" .. sid .. "/resources/res_nope")
    assert.are.equal(404, status)
    assert.are.equal("Resource res_nope not found", v.error.message)
  end)
end)

describe("emulator: video agent styles", function()
  it("lists styles with pages and a tag filter", function()
    local all = data("GET", "/v3/video-agents/styles")
    assert.is_true(#all >= 3)
    for _, s in ipairs(all) do
      assert.is_string(s.style_id)
      assert.is_string(s.name)
    end
    local page, whole = data("GET", "/v3/video-agents/styles?limit=2")
    assert.are.equal(2, #page)
    assert.is_true(whole.has_more)
    local rest = data("GET", "/v3/video-agents/styles?limit=100&token=" .. whole.next_token)
    assert.are.equal(#all - 2, #rest)
    local tagged = data("GET", "/v3/video-agents/styles?tag=social")
    assert.are.equal(1, #tagged)
    assert.are.equal("style_social_short", tagged[1].style_id)
    local status, v = call("GET", "/v3/video-agents/styles?limit=0")
    assert.are.equal(400, status)
    assert.are.equal("limit", v.error.param)
  end)
end)

describe("emulator: a chat session across a restart (--state)", function()
  it("keeps waiting, then takes the message and renders in the new process", function()
    local sid
    h.across_restart(function()
      sid = data("POST", "/v3/video-agents", {prompt = "Remember me", mode = "chat"}).session_id
      h.emu:advance(60)
      assert.are.equal("waiting_for_input", session(sid).status)
    end, function()
      assert.are.equal("waiting_for_input", session(sid).status)
      data("POST", "/v3/video-agents/" .. sid, {message = "Go ahead"})
      h.emu:advance(400)
      local s = session(sid)
      assert.are.equal("completed", s.status)
      assert.are.equal(1, #data("GET", "/v3/video-agents/" .. sid .. "/videos"))
      assert.are.equal(sid, data("GET", "/v3/video-agents?limit=1")[1].session_id)
    end)
  end)
end)
