-- webhook endpoints, event types and events
-- (the client against the emulator: the requests it sent, what the user sees).
local env = require "api.v3_env"

local emu, hg = env.use()
local KEY_PATTERN, last, avatar_body = env.KEY_PATTERN, env.last, env.avatar_body

describe("webhook endpoints and event types", function()
  it("creates, lists, updates, rotates and deletes an endpoint", function()
    local ep = assert(hg:create_webhook_endpoint { url = "https://example.com/hook",
      events = { "avatar_video.success", "avatar_video.fail" } })
    assert.matches("^whsec_", ep.secret)
    assert.are.equal("enabled", ep.status)
    assert.matches("^%d%d%d%d%-%d%d%-%d%dT", ep.created_at)
    assert.matches(KEY_PATTERN, last("POST", "^/v3/webhooks/endpoints$").headers["idempotency-key"])
    local list = assert(hg:webhook_endpoints())
    assert.are.equal(1, #list)
    assert.is_nil(list[1].secret)
    local updated = assert(hg:update_webhook_endpoint(ep.endpoint_id, { events = { "video_agent.success" } }))
    assert.are.same({ "video_agent.success" }, updated.events)
    local rotated = assert(hg:rotate_webhook_secret(ep.endpoint_id))
    assert.are_not.equal(ep.secret, rotated.secret)
    -- the rotate operation takes no body: none is sent, nor a JSON content type
    local rot = last("POST", "/rotate%-secret$")
    assert.are.equal("", rot.body)
    assert.is_nil(rot.headers["content-type"])
    assert.is_true(hg:delete_webhook_endpoint(ep.endpoint_id))
    assert.are.equal(0, #assert(hg:webhook_endpoints()))
  end)

  it("checks the URL and event names before any request", function()
    local _, err = hg:create_webhook_endpoint { url = "http://example.com/hook" }
    assert.matches('url must be an https URL, got "http://example.com/hook"', err.message)
    _, err = hg:create_webhook_endpoint { url = "https://example.com/hook", events = { "avatar_video.succes" } }
    assert.matches('events%[1%] must be one of .*, got "avatar_video.succes" %(did you mean "avatar_video.success"%?%)',
      err.message)
    assert.are.equal(0, #emu:requests())
  end)

  it("lists the 30 event types and the events of finished jobs", function()
    local types = assert(hg:webhook_event_types())
    assert.are.equal(30, #types)
    assert.are.equal("avatar_video.success", types[1].event_type)
    -- GET /v3/webhooks/event-types has no parameters: one GET, no query
    local _, gets = last("GET", "^/v3/webhooks/event%-types")
    assert.are.equal(1, #gets)
    assert.are.same({}, gets[1].query)
    -- the emulator answers the whole list without paging parameters
    local data, _, doc = assert(hg:request { method = "GET", path = "/v3/webhooks/event-types", envelope = "v3" })
    assert.are.equal(30, #data)
    assert.is_false(doc.has_more)
    local job = assert(hg:create_video(avatar_body { callback_id = "cb-1" }))
    assert(job:wait { timeout = 30 })
    local events = assert(hg:webhook_events { event_type = "avatar_video.success" })
    assert.are.equal(1, #events)
    assert.are.equal(job.id, events[1].event_data.video_id)
    assert.are.equal("cb-1", events[1].event_data.callback_id)
    assert.are.equal(events[1].event_data.url, events[1].event_data.video_url)
  end)
end)
