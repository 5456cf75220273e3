-- The emulator's PATCH and DELETE of /v3/lipsyncs/{id} over raw HTTP.
local h = require "emulator.http"

local emu
setup(function() emu = h.start() end)
teardown(h.stop)
before_each(function() emu:reset() end)

local call, data = h.call, h.data

local function lipsync()
  return data("POST", "/v3/lipsyncs", {video = {type = "url", url = "https://example.com/in.mp4"},
                                       audio = {type = "url", url = "https://example.com/in.mp3"}}).lipsync_id
end

describe("emulator: PATCH /v3/lipsyncs/{id}", function()
  it("renames it; the closed {title} body is checked; an unknown id is a 404", function()
    local lid = lipsync()
    local d = data("PATCH", "/v3/lipsyncs/" .. lid, {title = "Dubbed intro"})
    assert.are.equal(lid, d.id)
    assert.are.equal("Dubbed intro", d.title)
    assert.are.equal("Dubbed intro", data("GET", "/v3/lipsyncs/" .. lid).title)
    assert.are.equal("Dubbed intro", data("GET", "/v3/lipsyncs")[1].title)
    local status, v = call("PATCH", "/v3/lipsyncs/" .. lid, {title = "x", mode = "speed"})
    assert.are.equal(400, status)
    assert.are.equal("mode", v.error.param)
    status, v = call("PATCH", "/v3/lipsyncs/" .. lid, "[1]")
    assert.are.equal(400, status)
    assert.are.equal("request body must be a JSON object", v.error.message)
    status, v = call("PATCH", "/v3/lipsyncs/nope", {title = "x"})
    assert.are.equal(404, status)
    assert.are.equal("Lipsync nope not found", v.error.message)
  end)
end)

describe("emulator: DELETE /v3/lipsyncs/{id}", function()
  it("answers its id; then reads, lists and a second delete do not find it", function()
    local keep, gone = lipsync(), lipsync()
    assert.are.same({id = gone}, data("DELETE", "/v3/lipsyncs/" .. gone))
    assert.are.equal(404, (call("GET", "/v3/lipsyncs/" .. gone)))
    local list = data("GET", "/v3/lipsyncs")
    assert.are.equal(1, #list)
    assert.are.equal(keep, list[1].id)
    assert.are.equal(404, (call("DELETE", "/v3/lipsyncs/" .. gone)))
  end)
end)
