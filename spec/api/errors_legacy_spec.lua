-- the documented v1/v2 error shapes and their err.kind
-- (the client against the emulator: the requests it sent, what the user sees).
local env = require "api.legacy_env"
local support = require "support"
local heygen = require "heygen"
local json = heygen.json

local emu, hg = env.use()
local scene = env.scene

describe("documented error shapes", function()
  local function wrong_key() return support.client(emu, { api_key = "wrong-key-not-the-real-one" }) end

  it("v1 401 {code=400112} is auth, and the key never shows in the error", function()
    local status, err = wrong_key():video_status("abc")
    assert.is_nil(status)
    assert.are.same({ "auth", 401, 400112, "Unauthorized" }, { err.kind, err.status, err.code, err.message })
    assert.is_nil(tostring(err):find("wrong-key", 1, true))
  end)

  it("v2 401 {error={code=internal_error}} is auth", function()
    local list, err = wrong_key():avatars()
    assert.is_nil(list)
    assert.are.same({ "auth", 401, "internal_error" }, { err.kind, err.status, err.code })
  end)

  it("429 trial_video_limit_exceeded is rate_limit, after the allowed retries, with no duplicate render", function()
    emu:fault { path = "^/v2/video/generate", times = -1, status = 429, retry_after = 0,
      body = { data = json.null, error = { code = "trial_video_limit_exceeded",
        message = "It seems you've reached your daily api trial limit 5." } } }
    local job, err = hg:create_video { video_inputs = { scene() } }
    assert.is_nil(job)
    assert.are.same({ "rate_limit", 429, "trial_video_limit_exceeded" }, { err.kind, err.status, err.code })
    assert.are.equal(3, #emu:requests { method = "POST", path = "^/v2/video/generate" })
    assert.are.equal(0, #emu:jobs())
  end)

  it("402 insufficient_credit, 403 v1 permission codes and a 404 v1 code map to their kinds", function()
    emu:fault { path = "^/v2/video/generate", status = 402, body = { error = { code = "insufficient_credit",
      message = "Your account has 5 credits but this video requires 10 credits." } } }
    local _, err = hg:create_video { video_inputs = { scene() } }
    assert.are.same({ "insufficient_credit", 402 }, { err.kind, err.status })
    emu:fault { path = "^/v1/video_status", status = 403, body = { code = 400573, message = "permission denied" } }
    _, err = hg:video_status("abc")
    assert.are.same({ "permission", 403, 400573 }, { err.kind, err.status, err.code })
    _, err = hg:video_status("abc")
    assert.are.same({ "not_found", 404, 40031 }, { err.kind, err.status, err.code })
  end)

  it("HTTP 200 with an error body is an error of the code's kind, never data", function()
    emu:fault { path = "^/v1/video%.webm", error_body = true }
    local job, err = hg:create_webm { avatar_pose_id = "Vanessa-invest-20220722", input_audio = "a1" }
    assert.is_nil(job)
    assert.are.same({ "invalid_argument", 200, 400105, "Blocked words detected" },
      { err.kind, err.status, err.code, err.message })
    emu:fault { path = "^/v2/templates", error_body = true, times = -1 }
    local list
    list, err = hg:templates()
    assert.is_nil(list)
    assert.are.same({ "server", 200, "internal_error" }, { err.kind, err.status, err.code })
    assert.are.equal(3, #emu:requests { path = "^/v2/templates" }) -- a GET: retried twice, then reported
  end)

  it("5xx on a GET is retried; a FastAPI {detail} answer and an HTML gateway page are read too", function()
    emu:fault { path = "^/v2/avatars", status = 500 }
    assert(hg:avatars())
    assert.are.equal(2, #emu:requests { path = "^/v2/avatars" })
    emu:fault { path = "^/v2/voices", status = 415,
      body = { detail = "Unsupported media type '' in request. 'application/json' is required." } }
    local _, err = hg:voices()
    assert.are.same({ "invalid_argument", 415 }, { err.kind, err.status })
    assert.are.equal("Unsupported media type '' in request. 'application/json' is required.", err.message)
    emu:fault { path = "^/v2/user/remaining_quota", times = -1, html = true }
    _, err = hg:remaining_quota()
    assert.are.same({ "protocol", 502 }, { err.kind, err.status })
    assert.matches("502 Bad Gateway", err.message, 1, true)
  end)

  it("a POST create that fails with 5xx after it was sent is not retried and says the job may exist", function()
    emu:fault { path = "^/v1/workflows/executions$", method = "POST", status = 502 }
    local job, err = hg:generate_video { prompt = "x" }
    assert.is_nil(job)
    assert.are.equal("server", err.kind)
    assert.is_true(err.maybe_created)
    assert.are.equal(1, #emu:requests { method = "POST", path = "^/v1/workflows/executions$" })
  end)
end)
