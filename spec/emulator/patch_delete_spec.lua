-- The emulator's PATCH (rename) and DELETE of a lipsync and of a video translation, over raw
-- HTTP: one table of cases, the same rules for both.
local h = require "emulator.http"

h.use()

local call, data = h.call, h.data
local VIDEO = {type = "url", url = "https://example.com/in.mp4"}

local CASES = {
  { path = "/v3/lipsyncs", missing = "Lipsync nope not found", create = function()
    return data("POST", "/v3/lipsyncs", {video = VIDEO, audio = {type = "url", url = "https://example.com/in.mp3"}})
      .lipsync_id
  end },
  { path = "/v3/video-translations", missing = "Video translation nope not found", create = function()
    local d = data("POST", "/v3/video-translations", {video = VIDEO, output_languages = {"French (France)"},
                                                       title = "Original"})
    return d.video_translation_ids and d.video_translation_ids[1] or d.video_translation_id or d.id
  end },
}

for _, case in ipairs(CASES) do
  local path = case.path

  describe("emulator: PATCH " .. path .. "/{id}", function()
    it("renames it: the answer and every later read carry the new title", function()
      local id = case.create()
      local d = data("PATCH", path .. "/" .. id, {title = "Renamed"})
      assert.are.equal(id, d.id)
      assert.are.equal("Renamed", d.title)
      assert.is_string(d.status)
      assert.are.equal("Renamed", data("GET", path .. "/" .. id).title)
      assert.are.equal("Renamed", data("GET", path)[1].title)
    end)

    it("takes a closed {title} body; an unknown id is a 404", function()
      local id = case.create()
      local bad = {
        { {}, "title is required, got null" },
        { {title = "x", mode = "speed"}, "mode is not a known field %(known: title%)", "mode" },
        { {title = 7}, "title must be a string, got 7" },
        { "[1]", "request body must be a JSON object" },
      }
      for _, b in ipairs(bad) do
        local status, v = call("PATCH", path .. "/" .. id, b[1])
        assert.are.equal(400, status)
        assert.matches(b[2], v.error.message)
        if b[3] then assert.are.equal(b[3], v.error.param) end
      end
      local status, v = call("PATCH", path .. "/nope", {title = "x"})
      assert.are.equal(404, status)
      assert.are.equal(case.missing, v.error.message)
    end)
  end)

  describe("emulator: DELETE " .. path .. "/{id}", function()
    it("answers its id; then reads, lists and a second delete do not find it", function()
      local keep, gone = case.create(), case.create()
      assert.are.same({id = gone}, data("DELETE", path .. "/" .. gone))
      assert.are.equal(404, (call("GET", path .. "/" .. gone)))
      local ids = {}
      for _, item in ipairs(data("GET", path)) do ids[item.id] = true end
      assert.is_nil(ids[gone])
      assert.is_true(ids[keep])
      assert.are.equal(404, (call("DELETE", path .. "/" .. gone)))
    end)
  end)
end
