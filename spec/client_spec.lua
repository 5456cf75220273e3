-- heygen.client: options, keys, envelopes and typed errors, against the emulator.
local heygen = require "heygen"
local support = require "support"

local emu = support.use_emulator()

describe("heygen.client options", function()
  it("rejects an unknown option and names the one meant", function()
    local ok, err = pcall(heygen.client, { api_kye = "x" })
    assert.is_false(ok)
    assert.matches("unknown option 'api_kye' %(did you mean 'api_key'%?%)", err)
  end)

  it("rejects an option of the wrong type", function()
    assert.has_error(function() heygen.client { timeout = "soon" } end,
      "heygen.client: option 'timeout' must be a number, got string")
  end)

  it("reads keys and base URLs from the environment by default", function()
    local hg = heygen.client {}
    assert.are.equal(os.getenv("HEYGEN_BASE_URL") or "https://api.heygen.com", hg.base_url)
    assert.are.equal(os.getenv("FAL_QUEUE_URL") or "https://queue.fal.run", hg.fal_url)
  end)

  it("never shows its key when printed", function()
    local hg = support.client(emu)
    assert.is_nil(tostring(hg):find(support.API_KEY, 1, true))
    assert.is_nil(rawget(hg, "api_key"))
  end)
end)

describe("heygen.client requests", function()
  it("without a key fails with auth before sending anything", function()
    local hg = support.client(emu, { api_key = "" })
    local job, err = hg:generate_video { prompt = "a cat" }
    assert.is_nil(job)
    assert.are.equal("auth", err.kind)
    assert.matches("no HeyGen API key", err.message)
    assert.are.equal(0, #emu:requests())
  end)

  it("with a bad key gets auth from a v1 endpoint (code 400112)", function()
    local hg = support.client(emu, { api_key = "wrong-key" })
    local data, err = hg:video_status("0123456789abcdef0123456789abcdef")
    assert.is_nil(data)
    assert.are.equal("auth", err.kind)
    assert.are.equal(401, err.status)
    assert.are.equal(400112, err.code)
    assert.matches("Unauthorized", tostring(err))
    assert.is_nil(tostring(err):find("wrong-key", 1, true))
  end)

  it("with a bad key gets auth from a v2 endpoint", function()
    local hg = support.client(emu, { api_key = "wrong-key" })
    local job, err = hg:create_video { video_inputs = { {
      character = { type = "avatar", avatar_id = "Abigail_expressive_2024112501" },
      voice = { type = "text", voice_id = "1bd001e7e50f421d891986aad5158bc8", input_text = "hi" } } } }
    assert.is_nil(job)
    assert.are.equal("auth", err.kind)
    assert.are.equal(401, err.status)
  end)

  it("sends the key in X-Api-Key and JSON content type on POST", function()
    local hg = support.client(emu)
    assert(hg:generate_video { prompt = "a lighthouse at dawn" })
    local req = emu:requests { method = "POST", path = "^/v1/workflows/executions" }[1]
    assert.are.equal(support.API_KEY, req.headers["x-api-key"])
    assert.matches("^application/json", req.headers["content-type"])
    local body = heygen.json.decode(req.body)
    assert.are.equal("GenerateVideoNode", body.workflow_type)
    assert.are.equal("a lighthouse at dawn", body.input.prompt)
    assert.are.equal("veo_3_1", body.input.provider)
  end)

  it("treats HTTP 200 with an error body as an error (v1 code != 100)", function()
    local hg = support.client(emu)
    emu:fault { path = "^/v1/video_status.get", error_body = true }
    local data, err = hg:video_status("0123456789abcdef0123456789abcdef")
    assert.is_nil(data)
    assert.are.equal(200, err.status)
    assert.is_not_nil(err.code)
    assert.is_true(heygen.errors.is(err))
  end)

  it("treats HTTP 200 with a v2 error object as an error", function()
    local hg = support.client(emu)
    emu:fault { path = "^/v2/video/generate", error_body = true }
    local job, err = hg:create_video { video_inputs = { {
      character = { type = "avatar", avatar_id = "Abigail_expressive_2024112501" },
      voice = { type = "text", voice_id = "1bd001e7e50f421d891986aad5158bc8", input_text = "hi" } } } }
    assert.is_nil(job)
    assert.are.equal(200, err.status)
    assert.is_string(err.message)
  end)

  it("names the v3 error's param even when it comes in an HTTP 200 answer", function()
    local hg = support.client(emu, { api = "v3" })
    emu:fault { path = "^/v3/videos/", status = 200,
      body = { error = { code = "invalid_parameter", message = "Script is too long", param = "script" } } }
    local data, err = hg:video_status("0123456789abcdef0123456789abcdef")
    assert.is_nil(data)
    assert.are.equal("invalid_argument", err.kind)
    assert.are.equal(200, err.status)
    assert.are.equal("script", err.param)
    assert.are.equal("Script is too long (param: script)", err.message)
  end)

  it("keeps the X-Request-Id of a failed request", function()
    local hg = support.client(emu, { api_key = "wrong-key" })
    local _, err = hg:video_status("0123456789abcdef0123456789abcdef")
    assert.is_string(err.request_id)
    assert.matches(err.request_id, tostring(err), 1, true)
  end)

  it("refuses to send a key over plain http to a non-loopback host", function()
    local hg = heygen.client { api_key = support.API_KEY, base_url = "http://api.example.invalid" }
    local _, err = hg:video_status("abc")
    assert.are.equal("invalid_argument", err.kind)
    assert.matches("plain http", err.message)
    assert.is_nil(tostring(err):find(support.API_KEY, 1, true))
  end)
end)

describe("heygen errors", function()
  it("print as one line with kind, message, status and code", function()
    local e = heygen.errors.new { kind = "rate_limit", message = "slow down", status = 429,
      code = "rate_limit_exceeded" }
    assert.are.equal("heygen: rate_limit: slow down (HTTP 429, code rate_limit_exceeded)", tostring(e))
    assert.is_true(e.retryable)
  end)

  it("map documented codes to kinds whatever their case", function()
    local k = heygen.errors.kind_for
    assert.are.equal("auth", k(401, "internal_error"))
    assert.are.equal("insufficient_credit", k(402, nil))
    assert.are.equal("insufficient_credit", k(nil, "MOVIO_PAYMENT_INSUFFICIENT_CREDIT"))
    assert.are.equal("not_found", k(400, "avatar_not_found"))
    assert.are.equal("not_found", k(404, "AVATAR_NOT_FOUND"))
    assert.are.equal("rate_limit", k(429, "trial_video_limit_exceeded"))
    assert.are.equal("invalid_argument", k(400, "invalid_parameter"))
    assert.are.equal("conflict", k(409, "request_in_progress"))
    assert.are.equal("permission", k(403, nil))
    assert.are.equal("server", k(503, nil))
  end)
end)

describe("loading", function()
  it("compiles the endpoint groups on first use, not on require", function()
    local lua = os.getenv("HEYGEN_TEST_LUA") or "lua5.4"
    local p = io.popen(lua .. [[ -e '
      local heygen = require "heygen"
      local before = package.loaded["heygen.api.videos"] == nil and package.loaded["heygen.api.fal"] == nil
      local hg = heygen.client{api_key = "k"}
      local has = type(hg.video_agent) == "function" and type(hg.fal_submit) == "function"
        and type(hg.create_video) == "function" and hg.no_such_call == nil
      print(before, has, package.loaded["heygen.api.videos"] ~= nil, tostring(hg:job("video", "abc")))' 2>&1]])
    local out = p:read("*a")
    p:close()
    assert.are.equal("true\ttrue\ttrue\theygen.Job (video abc, pending)\n", out)
  end)
end)
