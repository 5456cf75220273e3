-- heygen.all over v3 videos, translations and lipsyncs: bulk status polls, cancels, the
-- poll budget, falling back to one poll per job (the client against the emulator).
local env = require "api.v3_env"
local support = require "support"
local heygen = require "heygen"

local emu, hg = env.use()
local avatar_body, v2_scene = env.avatar_body, env.v2_scene

describe("heygen.all with v3 videos", function()
  -- The ids in each GET /v3/videos/statuses the emulator received after log entry `since`.
  local function bulk_requests(since)
    local out = {}
    for _, r in ipairs(emu:requests { method = "GET", path = "^/v3/videos/statuses$", since = since }) do
      local ids = {}
      for id in (r.query.video_ids or ""):gmatch("[^,]+") do ids[#ids + 1] = id end
      out[#out + 1] = ids
    end
    return out
  end

  it("polls them with bulk status, 100 per request, and reads each one whole once it ends", function()
    local list = {}
    for i = 1, 150 do
      if i == 7 then emu:next_job { fail = { code = "BAD_AVATAR", message = "Avatar not supported" } } end
      list[i] = assert(hg:create_video(avatar_body { title = "clip " .. i }))
    end
    list[151] = hg:job("video", "no-such-video")
    local all = emu:requests {}
    local mark = all[#all].seq
    local results, errs = heygen.all(list)
    -- what a user sees: every result, the failure and the unknown id as typed errors
    assert.are.equal("job_failed", errs[7].kind)
    assert.are.equal("BAD_AVATAR", errs[7].code)
    assert.are.equal("not_found", errs[151].kind)
    assert.are.equal("no-such-video", errs[151].job_id)
    for i = 1, 150 do
      if i ~= 7 then
        assert.are.equal(list[i].id, results[i].video_id)
        assert.matches("^http://.*%.mp4%?Expires=", results[i].video_url)
        assert.are.equal("completed", list[i].status)
      end
    end
    -- what the API saw: bulk rounds of at most 100 ids, every job in the first round
    local rounds = bulk_requests(mark)
    assert.is_true(#rounds >= 2)
    local first = {}
    for _, id in ipairs(rounds[1]) do first[id] = true end
    for _, id in ipairs(rounds[2]) do first[id] = true end
    for i = 1, 151 do assert.is_true(first[list[i].id], "job " .. i .. " missed the first round") end
    for _, ids in ipairs(rounds) do assert.is_true(#ids <= 100) end
    -- the bulk answer itself, as documented (docs 1.5)
    local items = assert(hg:request { method = "GET", path = "/v3/videos/statuses", envelope = "v3",
      query = { video_ids = list[7].id .. "," .. list[8].id .. ",no-such-video" } })
    assert.are.same({ video_id = list[7].id, status = "failed",
      error = { code = "BAD_AVATAR", message = "Avatar not supported" } }, items[1])
    assert.are.same({ video_id = list[8].id, status = "completed" }, items[2])
    assert.are.same({ video_id = "no-such-video", status = "not_found" }, items[3])
    -- and one full read per job, when it ended (not one per poll)
    for i = 1, 151 do
      local path = "^/v3/videos/" .. list[i].id:gsub("%p", "%%%0") .. "$"
      assert.are.equal(1, #emu:requests { method = "GET", path = path, since = mark }, "job " .. i)
    end
  end)

  it("ends a job cancelled during the wait as cancelled, its group still polled in bulk", function()
    local list = {}
    for i = 1, 3 do list[i] = assert(hg:create_video(avatar_body { title = "clip " .. i })) end
    emu:job(list[2].id, { stuck = true })
    heygen.spawn(function()
      while emu:count("GET", "^/v3/videos/statuses") < 2 do heygen.sleep(0.02) end
      assert(list[2]:cancel())
      emu:job(list[2].id, { stuck = false })
    end)
    local results, errs = heygen.all(list)
    assert.are.equal("cancelled", errs[2].kind)
    assert.are.equal("cancelled", list[2].status)
    assert.are.equal(list[1].id, results[1].video_id)
    assert.are.equal(list[3].id, results[3].video_id)
  end)

  it("takes a poll-budget slot for each bulk request", function()
    local budgeted = support.client(emu, { api = "v3", poll_budget = 5 })
    local list = {}
    for i = 1, 3 do list[i] = assert(budgeted:create_video(avatar_body { title = "clip " .. i })) end
    for _, job in ipairs(list) do emu:job(job.id, { stuck = true }) end
    heygen.spawn(function()
      heygen.sleep(1.2)
      for _, job in ipairs(list) do emu:job(job.id, { stuck = false }) end
    end)
    assert(heygen.all(list))
    local asks = emu:requests { method = "GET", path = "^/v3/videos/statuses$" }
    assert.is_true(#asks >= 4, #asks .. " bulk requests")
    -- 5 requests/s: 0.2 s apart on average at least (the emulator logs arrivals: one gap may
    -- shrink when the one before it was delayed on the way, as through the contract front)
    local span = asks[#asks].t - asks[1].t
    assert.is_true(span >= 0.19 * (#asks - 1), string.format("%d requests in %.3f s", #asks, span))
    for k = 2, #asks do
      assert.is_true(asks[k].t - asks[k - 1].t >= 0.05, string.format("%.3f s apart", asks[k].t - asks[k - 1].t))
    end
  end)

  it("falls back to polling each job when the bulk endpoint fails for good", function()
    local list = {}
    for i = 1, 3 do list[i] = assert(hg:create_video(avatar_body { title = "clip " .. i })) end
    emu:fault { method = "GET", path = "^/v3/videos/statuses", status = 403 }
    local results, errs = heygen.all(list)
    assert.is_nil(errs)
    for i = 1, 3 do assert.are.equal(list[i].id, results[i].video_id) end
    assert.are.equal(1, emu:count("GET", "^/v3/videos/statuses"))
  end)

  it("polls translations and lipsyncs with their own bulk status, beside the videos", function()
    local list = assert(hg:translate_video { video = { type = "url", url = "https://example.com/in.mp4" },
      output_languages = { "French (France)", "German (Germany)" } })
    list[3] = assert(hg:create_video(avatar_body()))
    list[4] = assert(hg:lipsync { video = "https://example.com/in.mp4", audio = "https://example.com/a.mp3" })
    local results, errs = heygen.all(list)
    assert.is_nil(errs)
    assert.are.equal("French (France)", results[1].output_language)
    assert.are.equal(list[2].id, results[2].video_translate_id)
    assert.are.equal(list[3].id, results[3].video_id)
    assert.are.equal(list[4].id, results[4].lipsync_id)
    local lipsync_asks = emu:requests { method = "GET", path = "^/v3/lipsyncs/statuses$" }
    assert.is_true(#lipsync_asks >= 1)
    assert.are.equal(list[4].id, lipsync_asks[1].query.lipsync_ids)
    assert.are.equal(1, emu:count("GET", "^/v3/lipsyncs/" .. list[4].id .. "$"))
    local asked = {}
    for _, r in ipairs(emu:requests { method = "GET", path = "^/v3/video%-translations/statuses$" }) do
      for id in r.query.video_translation_ids:gmatch("[^,]+") do asked[id] = true end
    end
    assert.is_true(asked[list[1].id] and asked[list[2].id])
    assert.is_true(emu:count("GET", "^/v3/videos/statuses$") >= 1)
    for i = 1, 2 do -- each translation read whole once, when it ended
      assert.are.equal(1, emu:count("GET", "^/v3/video%-translations/" .. list[i].id .. "$"))
    end
  end)

  it("keeps legacy (v2) video jobs on their own status endpoint", function()
    local legacy = support.client(emu)
    local job = assert(legacy:create_video { video_inputs = { v2_scene("Hi.") } })
    assert(heygen.all { job })
    assert.are.equal(0, emu:count("GET", "^/v3/videos/statuses"))
  end)
end)
