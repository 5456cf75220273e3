-- Every v3 call that makes a Job works with heygen.all, the journal and heygen.resume (issue 19's
-- rule): one table of the job-producing calls, each made, awaited together, downloaded, and given
-- back by the journal after a "restart" without being created again.
local heygen = require "heygen"
local support = require "support"
local env = require "api.v3_env"

local emu
setup(function() emu = env.start() end)
teardown(env.stop)
before_each(function() emu:reset() end)

local URL = "https://example.com/talk.mp4"

-- kind, the create route (to count what was sent), and the call that makes one
local CASES = {
  { kind = "video", route = "^/v3/videos$",
    make = function(hg) return hg:create_video(env.avatar_body { title = "all kinds" }) end },
  { kind = "translate", route = "^/v3/video%-translations$",
    make = function(hg) return hg:translate_video { video_url = URL, output_language = "Spanish (Spain)" } end },
  { kind = "lipsync", route = "^/v3/lipsyncs$",
    make = function(hg)
      return hg:lipsync { video = URL, audio = { type = "url", url = "https://example.com/voice.mp3" } }
    end },
  { kind = "background_removal", route = "^/v3/background%-removals$",
    make = function(hg) return hg:remove_background { video = URL } end },
  { kind = "ai_clipping", route = "^/v3/ai%-clipping$",
    make = function(hg) return hg:ai_clipping { video = URL } end },
  { kind = "video_agent", route = "^/v3/video%-agents$",
    make = function(hg) return hg:video_agent { prompt = "A ten second teaser for our app" } end },
  -- a cloned voice is a Job with no file: done once completed, nothing to download or resume
  { kind = "voice_clone", route = "^/v3/voices/clone$", no_file = true,
    make = function(hg) return hg:clone_voice { voice_name = "Me", audio = "https://example.com/me.mp3" } end },
}

local function make_all(hg)
  local list = {}
  for i, case in ipairs(CASES) do
    local job, err = case.make(hg)
    assert(job, case.kind .. ": " .. tostring(err))
    assert.are.equal(case.kind, job.kind)
    list[i] = job
  end
  return list
end

local function creates()
  local n = {}
  for i, case in ipairs(CASES) do n[i] = emu:count("POST", case.route) end
  return n
end

-- what job:download wrote is the media the emulator serves: an MP4 or a WebM, never empty
local function assert_media(path, kind)
  local bytes = assert(support.read(path), kind .. ": nothing on disk")
  local mp4 = bytes:sub(5, 8) == "ftyp"
  local webm = bytes:sub(1, 4) == "\26\69\223\163"
  assert.is_true(#bytes > 100 and (mp4 or webm), kind .. ": " .. #bytes .. " bytes, not a video file")
end

describe("every job-producing v3 call", function()
  it("is followed to completed by one heygen.all, and each job downloads its file", function()
    local list = make_all(env.hg)
    local results, errs = heygen.all(list, { timeout = 60 })
    assert.is_nil(errs)
    for i, job in ipairs(list) do
      assert.is_table(results[i], CASES[i].kind)
      assert.are.equal("completed", job.status, CASES[i].kind)
      if CASES[i].no_file then
        assert.is_string(results[i].voice_id)
        goto next
      end
      local out = support.tmpname(".out")
      assert(job:download(out))
      assert_media(out, job.kind)
      os.remove(out)
      ::next::
    end
  end)

  it("comes back from the journal after a restart, never created twice, until its file is on disk", function()
    local path = support.tmpname(".journal")
    local first = support.client(emu, { api = "v3", journal = path })
    local list = make_all(first)
    assert(heygen.all(list, { timeout = 60 })) -- completed, but nothing downloaded: the process "dies"
    local sent = creates()
    for i, n in ipairs(sent) do assert.are.equal(1, n, CASES[i].kind .. " creates") end

    local again = support.client(emu, { api = "v3", journal = path })
    local back = heygen.resume(path, again)
    local files = 0
    for _, case in ipairs(CASES) do files = files + (case.no_file and 0 or 1) end
    assert.are.equal(files, #back)
    local by_key = {}
    for _, job in ipairs(back) do by_key[job.kind .. ":" .. job.id] = job end
    for i, job in ipairs(list) do
      local twin = by_key[job.kind .. ":" .. job.id]
      if CASES[i].no_file then
        assert.is_nil(twin, job.kind .. ": a finished job without a file came back")
        goto next
      end
      assert.is_table(twin, CASES[i].kind .. " " .. job.id .. " not resumed")
      assert(twin:wait { timeout = 30 })
      local out = support.tmpname(".out")
      assert(twin:download(out))
      assert_media(out, job.kind)
      os.remove(out)
      ::next::
    end
    assert.are.same(sent, creates()) -- resume never sends a create

    -- every file is on disk now: the journal has nothing left to give back
    local after = heygen.resume(path, support.client(emu, { api = "v3", journal = path }))
    os.remove(path)
    assert.are.equal(0, #after)
  end)
end)
