-- hg:lipsync (the client against the emulator: the requests it sent, what the user sees).
local env = require "api.v3_env"

local emu, hg = env.use()
local sent, statuses, write_file = env.sent, env.statuses, env.write_file

describe("hg:lipsync", function()
  it("dubs a video with an uploaded audio asset and follows it to completed", function()
    local audio = write_file("ID3" .. string.rep("\0", 200), ".mp3")
    local asset = assert(hg:upload_asset(audio))
    os.remove(audio)
    local job = assert(hg:lipsync { video = "https://example.com/in.mp4",
      audio = { type = "asset_id", asset_id = asset.id }, enable_caption = true })
    assert.are.equal("lipsync", job.kind)
    assert.are.same({ video = { type = "url", url = "https://example.com/in.mp4" },
      audio = { type = "asset_id", asset_id = asset.id }, enable_caption = true }, (sent("POST", "^/v3/lipsyncs$")))
    local result, err, order = statuses(job)
    assert.is_nil(err)
    assert.are.same({ "pending", "processing", "completed" }, order)
    assert.are.equal(job.id, result.lipsync_id)
    assert.matches("%.srt%?", result.caption_url)
  end)

  it("needs both tracks and a sane time window before any request", function()
    local _, err = hg:lipsync { video = "https://example.com/in.mp4" }
    assert.matches("audio is required", err.message)
    _, err = hg:lipsync { video = "https://example.com/in.mp4", audio = "https://example.com/a.mp3",
      start_time = 5, end_time = 2 }
    assert.matches("end_time must be after start_time, got 2 <= 5", err.message)
    assert.are.equal(0, #emu:requests())
  end)
end)

describe("lipsyncs: list, status, update and delete", function()
  local function make()
    return assert(hg:lipsync { video = "https://example.com/in.mp4", audio = "https://example.com/a.mp3" })
  end

  it("lipsyncs answers a page of them and the next token; lipsync_status reads one", function()
    local a, b = make(), make()
    local page, token = hg:lipsyncs { limit = 1 }
    assert.are.equal(1, #page)
    assert.is_string(token) -- two lipsyncs, one per page
    assert.are.equal("1", env.last("GET", "^/v3/lipsyncs$").query.limit)
    local rest = assert(hg:lipsyncs { token = token, limit = 100 })
    local seen = { [page[1].id] = true }
    for _, l in ipairs(rest) do seen[l.id] = true end
    assert.is_true(seen[a.id] and seen[b.id])
    local one = assert(hg:lipsync_status(a.id))
    assert.are.equal(a.id, one.id)
    assert.is_string(one.status)
  end)

  it("update and delete check their arguments before any request", function()
    local before = #emu:requests()
    local _, err = hg:update_lipsync("l1", {})
    assert.are.equal("invalid_argument", err.kind)
    assert.matches("title is required", err.message)
    _, err = hg:update_lipsync("l1", { title = "x", name = "y" })
    assert.matches("name is not a known field", err.message)
    _, err = hg:lipsyncs { limit = 0 }
    assert.matches("limit must be between 1 and 100, got 0", err.message)
    assert.has_error(function() hg:delete_lipsync("") end,
      "hg:delete_lipsync expects an id string, got an empty string")
    assert.are.equal(before, #emu:requests())
  end)
end)
