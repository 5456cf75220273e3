-- hg:video_agent sessions (the client against the emulator: the requests it sent, what the user sees).
local env = require "api.v3_env"
local support = require "support"

local emu, hg = env.use()
local last, statuses = env.last, env.statuses

describe("hg:video_agent", function()
  it("creates a session and follows it to its video, then downloads it", function()
    local job = assert(hg:video_agent { prompt = "A 10 second product demo", orientation = "landscape" })
    assert.are.equal("video_agent", job.kind)
    assert.are.equal(job.id, job.session_id)
    local req = last("POST", "^/v3/video%-agents$")
    assert.is_nil(req.headers["idempotency-key"]) -- not documented as idempotent: sent once
    local result, err, order = statuses(job)
    assert.is_nil(err)
    assert.are.same({ "pending", "processing", "completed" }, order)
    assert.are.equal(job.id, result.session_id)
    assert.are.equal(job.video_id, result.video_id)
    assert.is_truthy(last("GET", "^/v3/videos/" .. job.video_id .. "$"))
    assert.is_truthy(last("GET", "^/v3/video%-agents/" .. job.id .. "$"))
    local out = support.tmpname(".mp4")
    assert(job:download(out))
    assert.are.equal(support.sample_mp4(), support.read(out))
    os.remove(out)
  end)

  it("the emulator answers each message's resource_ids as a JSON list, [] when empty", function()
    local job = assert(hg:video_agent { prompt = "Lists stay lists" })
    assert(job:wait { timeout = 30 })
    local body = assert(hg:request { method = "GET", path = "/v3/video-agents/" .. job.id, raw_body = true })
    assert.matches('"resource_ids":%[%]', body)
    assert.is_nil(body:find('"resource_ids":{}', 1, true))
  end)

  it("a failed session fails the job with its error message", function()
    emu:next_job { kind = "video_agent", fail = { code = "video_agent_failed", message = "No storyboard fits" } }
    local job = assert(hg:video_agent { prompt = "Something impossible" })
    local result, err = job:wait { timeout = 30 }
    assert.is_nil(result)
    assert.are.equal("job_failed", err.kind)
    assert.matches("No storyboard fits", err.message)
  end)

  it("checks the prompt and options before any request", function()
    local job, err = hg:video_agent { prompt = string.rep("x", 10001) }
    assert.is_nil(job)
    assert.matches("prompt must be at most 10000 characters, got 10001 characters", err.message)
    job, err = hg:video_agent { prompt = "x", orientaton = "portrait" }
    assert.is_nil(job)
    assert.matches("orientaton is not a known field %(did you mean orientation%?%)", err.message)
    job, err = hg:video_agent { prompt = "x", auto_proceed = true }
    assert.is_nil(job)
    assert.are.equal("invalid_argument", err.kind)
    assert.matches("auto_proceed is not supported: POST /v3/video-agents has no auto_proceed", err.message, 1, true)
    assert.are.equal(0, #emu:requests())
  end)

  it("job:cancel() stops the session remotely; the emulator ends it failed", function()
    local job = assert(hg:video_agent { prompt = "Never mind" })
    assert.is_true((job:cancel()))
    assert.are.equal("cancelled", job.status)
    assert.is_truthy(last("POST", "^/v3/video%-agents/" .. job.id .. "/stop$"))
    local session = assert(hg:request { method = "GET", path = "/v3/video-agents/" .. job.id, envelope = "v3" })
    assert.are.equal("failed", session.status)
    assert.are.equal("The session was stopped on request", session.messages[1].content)
    local result, err = job:wait { timeout = 5 }
    assert.is_nil(result)
    assert.are.equal("cancelled", err.kind)
  end)

  it("is reachable from an api = \"v2\" client too", function()
    local old = support.client(emu)
    local job = assert(old:video_agent { prompt = "Hello" })
    assert(job:wait { timeout = 30 })
    assert.are.equal(1, emu:count("POST", "^/v3/video%-agents$"))
  end)
end)

describe("video agent sessions: list, get, stop, and messages checked before sending", function()
  it("video_agent_sessions answers one page of the sessions and the next token", function()
    local a = assert(hg:video_agent { prompt = "First" })
    local b = assert(hg:video_agent { prompt = "Second" })
    local list, token = hg:video_agent_sessions { limit = 1 }
    assert.are.equal(1, #list)
    local req = last("GET", "^/v3/video%-agents$")
    assert.are.equal("1", req.query.limit)
    local all = assert(hg:video_agent_sessions())
    local ids = {}
    for _, s in ipairs(all) do ids[s.session_id] = true end
    assert.is_true(ids[a.id] and ids[b.id])
    assert.is_string(token) -- two sessions, one per page
    local _, err = hg:video_agent_sessions { limit = 101 }
    assert.are.equal("invalid_argument", err.kind)
    assert.matches("limit must be between 1 and 100, got 101", err.message)
  end)

  it("video_agent_session reads one session; stop_video_agent stops it", function()
    local job = assert(hg:video_agent { prompt = "Stop me" })
    local session = assert(hg:video_agent_session(job.id))
    assert.are.equal(job.id, session.session_id)
    assert.is_string(session.status)
    local stopped = assert(hg:stop_video_agent(job.id))
    assert.are.equal(job.id, stopped.session_id)
    assert.is_truthy(last("POST", "^/v3/video%-agents/" .. job.id .. "/stop$"))
    assert.are.equal("failed", assert(hg:video_agent_session(job.id)).status)
  end)

  it("a message is checked before any request: field, rule and value named", function()
    local before = #emu:requests()
    local _, err = hg:video_agent_message("s1", "")
    assert.are.equal("invalid_argument", err.kind)
    assert.matches("message must not be empty, got \"\"", err.message, 1, true)
    _, err = hg:video_agent_message("s1", { message = "ok", voice = "v" })
    assert.matches("voice is not a known field (known: avatar_id, brand_kit_id, files, message, voice_id)",
      err.message, 1, true)
    _, err = hg:video_agent_message("s1", 42)
    assert.matches("message must be a string or a table of message fields, got 42", err.message)
    local job = hg:job("video_agent", "s1")
    local r, rerr = job:reply { message = "x", files = { "ftp://nope" } }
    assert.is_nil(r)
    assert.matches("files%[1%]", rerr.message)
    assert.are.equal(before, #emu:requests())
    assert.has_error(function() hg:job("video", "v1"):reply("hello") end, "heygen: a video job takes no reply")
  end)
end)

describe("a chat session that waits for input", function()
  local json = require("heygen").json
  local core = require "heygen.core"

  -- The session as GET /v3/video-agents/{id} answers it while the agent waits (the
  -- contract's VideoAgentGet); the emulator's fault control serves it for `times` reads.
  local function waiting(job, question, times)
    emu:fault { method = "GET", path = "^/v3/video%-agents/" .. job.id .. "$", times = times or 1, status = 200,
      body = json.encode { data = { session_id = job.id, status = "waiting_for_input", created_at = 1700000000,
        progress = 20, messages = { -- newest first (docs/heygen-v3.md), roles user | model
          { role = "model", type = "text", content = question, created_at = 1700000020 },
          { role = "user", type = "text", content = "Make it shorter", created_at = 1700000015 },
          { role = "model", type = "text", content = "An earlier question, answered", created_at = 1700000010 },
          { role = "user", type = "text", content = "A teaser for our app", created_at = 1700000000 } } } } }
  end

  it("job:wait returns needs_input with the agent's question at once, and job:reply sends the answer", function()
    local job = assert(hg:video_agent { prompt = "A teaser for our app", mode = "chat" })
    waiting(job, "Which voice: calm or upbeat?", 5)
    local t0 = core.now()
    local result, err = job:wait { timeout = 60 }
    assert.is_nil(result)
    assert.are.equal("needs_input", err.kind)
    assert.are.equal("Which voice: calm or upbeat?", err.question)
    assert.are.equal(job.id, err.job_id)
    assert.matches("video agent session " .. job.id .. " waits for input: Which voice: calm or upbeat%? %(answer "
      .. "with job:reply%(text%), then wait again%)", err.message)
    assert.is_true(core.now() - t0 < 10, "the wait ended when the session asked, not at its timeout")
    assert.are.equal("processing", job.status)
    job:reply { message = "Calm, please", voice_id = "1bd001e7e50f421d891986aad5158bc8" }
    local req = last("POST", "^/v3/video%-agents/" .. job.id .. "$")
    assert.are.same({ message = "Calm, please", voice_id = "1bd001e7e50f421d891986aad5158bc8" }, json.decode(req.body))
    assert.are.equal("application/json", req.headers["content-type"])
  end)

  it("heygen.all ends a waiting session's wait with needs_input too, the other jobs with their results", function()
    local chat = assert(hg:video_agent { prompt = "A teaser for our app", mode = "chat" })
    local plain = assert(hg:video_agent { prompt = "A plain one" })
    waiting(chat, "Portrait or landscape?", 50)
    local results, errs = require("heygen").all { chat, plain }
    assert.are.equal("needs_input", errs[1].kind)
    assert.are.equal("Portrait or landscape?", errs[1].question)
    assert.are.equal(plain.id, results[2].session_id)
  end)
end)

describe("a chat session in the journal", function()
  it("heygen.resume gives the session back as a video_agent job, never created twice, followed to its video",
    function()
      local heygen = require "heygen"
      local path = support.tmpname(".journal")
      local first = support.client(emu, { api = "v3", journal = path })
      local job = assert(first:video_agent { prompt = "A teaser for our app", mode = "chat" })
      local again = support.client(emu, { api = "v3", journal = path })
      local jobs = heygen.resume(path, again)
      os.remove(path)
      assert.are.equal(1, #jobs)
      assert.are.equal("video_agent", jobs[1].kind)
      assert.are.equal(job.id, jobs[1].id)
      assert.are.equal(1, emu:count("POST", "^/v3/video%-agents$")) -- never created twice
      local _, err = jobs[1]:wait { timeout = 30 }
      assert.are.equal("needs_input", err.kind) -- the emulator's chat session asks once
      assert(jobs[1]:reply("Go ahead"))
      local result = assert(jobs[1]:wait { timeout = 30 })
      assert.are.equal(job.id, result.session_id)
      assert.is_string(result.video_url)
    end)
end)
