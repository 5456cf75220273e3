-- The client under faults 5 to 8 of the reliability issue (bodies that are not the API's
-- JSON, errors inside a 200, jobs that fail or stick), with what a user sees.
local heygen = require "heygen"
local F = require "faults_env"

local emu = F.use()
local VIDEO_ID, CREATE_PATH, create, client, timed = F.VIDEO_ID, F.CREATE_PATH, F.create, F.client, F.timed

describe("fault 5: bodies that are not the API's JSON", function()
  it("malformed JSON in a 200 is protocol, with the status and a short excerpt", function()
    emu:fault { method = "GET", path = "^/v1/video_status.get", malformed = true }
    local data, err = client { max_retries = 0 }:video_status(VIDEO_ID)
    assert.is_nil(data)
    assert.are.equal("protocol", err.kind)
    assert.are.equal(200, err.status)
    assert.matches('HTTP 200', err.message, 1, true)
    assert.matches('{"code": 100, "data": {"video_id": "3a5b', err.message, 1, true)
  end)

  it("a truncated body is protocol, with the status and what arrived", function()
    emu:fault { method = "GET", path = "/v2/avatars", truncate = 24 }
    local data, err = client { max_retries = 0 }:avatars()
    assert.is_nil(data)
    assert.are.equal("protocol", err.kind)
    assert.are.equal(200, err.status)
    assert.matches("truncated response body (HTTP 200, connection closed after 24 bytes)", err.message, 1, true)
    assert.matches('{"', err.message, 1, true)
  end)

  it("an HTML error page is protocol with its status and title, and a GET retries it", function()
    emu:fault { method = "GET", path = "/v2/avatars", html = true, times = -1 }
    local data, err = client { max_retries = 1 }:avatars()
    assert.is_nil(data)
    assert.are.equal("protocol", err.kind)
    assert.are.equal(502, err.status)
    assert.matches("502 Bad Gateway", err.message, 1, true)
    assert.is_true(#err.message < 250, "excerpt too long: " .. #err.message)
    assert.are.equal(2, emu:count("GET", "^/v2/avatars"))
  end)

  it("a malformed answer to a GET is retried, and the retry's good answer wins", function()
    emu:fault { method = "GET", path = "/v2/avatars", malformed = true }
    assert(client { max_retries = 1 }:avatars())
    assert.are.equal(2, emu:count("GET", "^/v2/avatars"))
  end)
end)

describe("fault 6: HTTP 200 with an error body", function()
  it("v1 (code != 100) is a typed error with the API's code and message", function()
    emu:fault { method = "GET", path = "^/v1/video_status.get", error_body = true }
    local data, err = client { max_retries = 0 }:video_status(VIDEO_ID)
    assert.is_nil(data)
    assert.is_true(heygen.errors.is(err))
    assert.are.equal(200, err.status)
    assert.are.equal(400105, err.code)
    assert.are.equal("Blocked words detected", err.message)
    assert.is_true(heygen.errors.KINDS[err.kind])
  end)

  it("v2 (an error object) is a typed error with the API's code and message", function()
    emu:fault { method = "GET", path = "/v2/avatars", error_body = true }
    local data, err = client { max_retries = 0 }:avatars()
    assert.is_nil(data)
    assert.are.equal("server", err.kind)
    assert.are.equal(200, err.status)
    assert.are.equal("internal_error", err.code)
    assert.are.equal("Internal error, please retry", err.message)
  end)

  it("a v2 error object on a create is not retried", function()
    emu:fault { method = "POST", path = CREATE_PATH, error_body = true }
    local job, err = create(client { max_retries = 3 })
    assert.is_nil(job)
    assert.are.equal("internal_error", err.code)
    assert.are.equal(1, emu:count("POST", CREATE_PATH))
  end)
end)

describe("fault 7: jobs that fail", function()
  it("a failed video job is job_failed with the API's code and message", function()
    emu:next_job { kind = "video", fail = { code = 40119, message = "Video is too long" } }
    local job = assert(create(client()))
    local result, err = job:wait { timeout = 30 }
    assert.is_nil(result)
    assert.are.equal("job_failed", err.kind)
    assert.are.equal(40119, err.code)
    assert.matches("Video is too long", err.message, 1, true)
    assert.are.equal(job.id, err.job_id)
  end)

  it("a failed workflow job is job_failed with the API's code and message", function()
    emu:next_job { kind = "workflow", fail = { code = "workflow_failed", message = "Queue is closed" } }
    local job = assert(client():generate_video { prompt = "a failing render" })
    local result, err = job:wait { timeout = 30 }
    assert.is_nil(result)
    assert.are.equal("job_failed", err.kind)
    assert.are.equal("workflow_failed", err.code)
    assert.matches("Queue is closed", err.message, 1, true)
    assert.are.equal(job.id, err.job_id)
  end)

  it("a credit failure found at poll time is insufficient_credit with MOVIO_PAYMENT_INSUFFICIENT_CREDIT", function()
    emu:config { quota = 0 }
    local job = assert(create(client()))  -- accepted: the wallet is only checked later
    local result, err = job:wait { timeout = 30 }
    assert.is_nil(result)
    assert.are.equal("insufficient_credit", err.kind)
    assert.are.equal("MOVIO_PAYMENT_INSUFFICIENT_CREDIT", err.code)
    assert.matches("Insufficient credit", err.message, 1, true)
    assert.are.equal(job.id, err.job_id)
    assert.are.equal("failed", job.status)
  end)
end)

describe("fault 8: a stuck job", function()
  it("wait{timeout} returns timeout with the job id; a later hg:job(kind, id):wait() completes it", function()
    emu:next_job { kind = "workflow", stuck = true }
    local hg = client()
    local job = assert(hg:generate_video { prompt = "a job that hangs" })
    local result, err, took = timed(function() return job:wait { timeout = 0.6 } end)
    assert.is_nil(result)
    assert.are.equal("timeout", err.kind)
    assert.are.equal(job.id, err.job_id)
    assert.matches(job.id, err.message, 1, true)
    assert.is_true(took >= 0.55 and took < 1.5, "took " .. took)
    assert.are.equal("processing", job.status)
    emu:job(job.id, { stuck = false })
    local again = hg:job("workflow", job.id)
    local done = assert(again:wait { timeout = 30 })
    assert.is_string(done.video_url)
    assert.are.equal(1, emu:count("POST", "^/v1/workflows/executions"))
  end)
end)
