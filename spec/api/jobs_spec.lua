-- v3 jobs re-attached, envelopes, errors and deprecation notices
-- (the client against the emulator: the requests it sent, what the user sees).
local env = require "api.v3_env"
local support = require "support"
local heygen = require "heygen"

local emu, hg = env.use()
local last, avatar_body, v2_scene = env.last, env.avatar_body, env.v2_scene

describe("jobs re-attached under api v3", function()
  it("hg:job(\"video\", id) and heygen.resume follow the v3 endpoints", function()
    local journal = support.tmpname(".jsonl")
    local with_journal = support.client(emu, { api = "v3", journal = journal })
    local video = assert(with_journal:create_video(avatar_body()))
    local agent = assert(with_journal:video_agent { prompt = "Resume me" })
    local again = assert(hg:job("video", video.id):wait { timeout = 30 })
    assert.are.equal(video.id, again.video_id)
    local resumed = heygen.resume(journal, support.client(emu, { api = "v3" }))
    os.remove(journal)
    assert.are.equal(2, #resumed)
    assert.are.same({ "video", "video_agent" }, { resumed[1].kind, resumed[2].kind })
    for _, job in ipairs(resumed) do assert(job:wait { timeout = 30 }) end
    assert.are.equal(agent.id, resumed[2].result.session_id)
    assert.are.equal(0, emu:count(nil, "^/v[12]/"))
    assert.are.equal(1, emu:count("POST", "^/v3/videos$"))
    assert.are.equal(1, emu:count("POST", "^/v3/video%-agents$"))
  end)
end)

describe("v3 envelopes, errors and deprecation notices", function()
  it("takes a 2xx with its data and an error that is null or empty as success (the contract's 2xx error)", function()
    local me = '"data": {"username": "u", "email": null, "first_name": null, "last_name": null, '
      .. '"billing_type": "usage_based", "usage_based": {"remaining_credits": 2}}'
    for _, tail in ipairs { ', "error": null', ', "error": {}', ', "error": {"param": null}' } do
      emu:fault { path = "^/v3/users/me", status = 200, body = "{" .. me .. tail .. "}" }
      local d, err = hg:me()
      assert.is_nil(err, tail)
      assert.are.equal("u", d.username)
    end
    -- an error with a code or a message is one, even on a 2xx
    emu:fault { path = "^/v3/users/me", status = 200,
      body = "{" .. me .. ', "error": {"code": "invalid_parameter", "message": "boom"}}' }
    local d, err = hg:me()
    assert.is_nil(d)
    assert.are.equal("invalid_argument", err.kind)
    assert.matches("boom", err.message, 1, true)
    emu:clear_faults()
  end)

  it("maps each documented v3 error code to its kind, with param and request id", function()
    local once = support.client(emu, { api = "v3", max_retries = 0 })
    local cases = {
      { 401, "unauthorized", "auth" }, { 403, "forbidden", "permission" },
      { 403, "resource_access_denied", "permission" }, { 402, "insufficient_credit", "insufficient_credit" },
      { 400, "invalid_parameter", "invalid_argument" }, { 400, "INVALID_PARAMETER", "invalid_argument" },
      { 400, "download_failed", "invalid_argument" }, { 404, "not_found", "not_found" },
      { 404, "resource_not_found", "not_found" }, { 404, "video_not_found", "not_found" },
      { 404, "AVATAR_NOT_FOUND", "not_found" }, { 404, "voice_not_found", "not_found" },
      { 409, "request_in_progress", "conflict" }, { 409, "conflict", "conflict" },
      { 413, "payload_too_large", "invalid_argument" }, { 429, "rate_limit_exceeded", "rate_limit" },
      { 500, "internal_error", "server" }, { 503, "internal_error", "server" },
    }
    for _, c in ipairs(cases) do
      emu:fault { path = "^/v3/users/me$", status = c[1], times = -1, body = { error = { code = c[2],
        message = "documented " .. c[2], param = "field_x",
        doc_url = "https://developers.heygen.com/docs/error-codes" } } }
      local me, err = once:me()
      emu:clear_faults()
      assert.is_nil(me)
      assert.are.equal(c[3], err.kind, c[2])
      assert.are.equal(c[1], err.status)
      assert.are.equal(c[2], err.code)
      assert.are.equal("documented " .. c[2] .. " (param: field_x)", err.message)
      assert.is_string(err.request_id)
    end
    emu:fault { path = "^/v3/users/me$", html = true, times = -1 }
    local _, err = once:me()
    emu:clear_faults()
    assert.are.equal("protocol", err.kind) -- a gateway's HTML page, not the API's answer
    assert.are.equal(502, err.status)
    assert.is_true(err.retryable)
  end)

  it("a bad key is auth with the v3 code unauthorized", function()
    local bad = support.client(emu, { api = "v3", api_key = "wrong-key-123" })
    local me, err = bad:me()
    assert.is_nil(me)
    assert.are.equal("auth", err.kind)
    assert.are.equal("unauthorized", err.code)
    assert.is_nil(tostring(err):find("wrong-key-123", 1, true))
  end)

  it("HTTP 200 carrying an error object is an error (a GET retries it, then gives up)", function()
    emu:fault { path = "^/v3/users/me$", error_body = true, times = 3 }
    local me, err = hg:me()
    assert.is_nil(me)
    assert.are.equal("server", err.kind)
    assert.are.equal("internal_error", err.code)
    assert.are.equal(3, emu:count("GET", "^/v3/users/me$"))
  end)

  it("legacy answers carry Deprecation/Sunset, surfaced once per client through on_warning", function()
    local warnings = {}
    local old = support.client(emu, { on_warning = function(m) warnings[#warnings + 1] = m end })
    assert(old:video_status(assert(old:create_video { video_inputs = { v2_scene() } }).id))
    assert(old:translate_languages())
    assert.are.equal(1, #warnings)
    assert.matches("deprecated; sunset Sat, 31 Oct 2026 00:00:00 GMT", warnings[1])
    local req = last("GET", "^/v1/video_status%.get$")
    assert.is_truthy(req)
    local seen = {}
    local new = support.client(emu, { api = "v3", on_warning = function(m) seen[#seen + 1] = m end })
    assert(new:translate_languages())
    assert(new:me())
    assert.are.equal(0, #seen)
  end)

  it("an api = \"v3\" client keeps the legacy endpoint for text-to-video workflows", function()
    local job = assert(hg:generate_video { prompt = "A drone shot over a coastal city" })
    assert.are.equal("workflow", job.kind)
    assert.are.equal(1, emu:count("POST", "^/v1/workflows/executions$"))
  end)
end)
