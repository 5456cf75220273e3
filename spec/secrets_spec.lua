-- Secrets: API keys never appear in any error, tostring, trace or dump, even when a
-- hostile or buggy server echoes them back; credentials never travel over plain http
-- to a non-loopback host, never follow a redirect, and TLS is verified (custom CA).
local heygen = require "heygen"
local support = require "support"

local KEY, FAL_KEY = support.API_KEY, support.FAL_KEY

local emu = support.use_emulator()

local SCENE = { {
  character = { type = "avatar", avatar_id = "Abigail_expressive_2024112501" },
  voice = { type = "text", voice_id = "1bd001e7e50f421d891986aad5158bc8", input_text = "secrets" } } }
local FAL_MODEL = "fal-ai/kling-video/v2.1/master/text-to-video"

-- Every string reachable from v (tables walked, metatables included), into out.
local function strings(v, out, seen)
  out, seen = out or {}, seen or {}
  local t = type(v)
  if t == "string" then
    out[#out + 1] = v
  elseif t == "number" or t == "boolean" then
    out[#out + 1] = tostring(v)
  elseif t == "table" and not seen[v] then
    seen[v] = true
    local ok, s = pcall(tostring, v)
    if ok then out[#out + 1] = s end
    for k, x in pairs(v) do
      strings(k, out, seen)
      strings(x, out, seen)
    end
    strings(getmetatable(v), out, seen)
  end
  return out
end

-- The texts that hold a key, the key itself masked so a failure never prints it.
local function leaks(texts)
  local found = {}
  for _, s in ipairs(texts) do
    for name, key in pairs { API_KEY = KEY, FAL_KEY = FAL_KEY } do
      if s:find(key, 1, true) then
        found[#found + 1] = (s:gsub(key:gsub("%p", "%%%0"), "<" .. name .. ">"))
      end
    end
  end
  return found
end

-- A server that echoes the key back in every place an answer can hold text.
local function echo_body(key) return '{"error":{"code":"invalid_parameter","message":"bad key ' .. key ..
  '","param":"' .. key .. '"},"data":null}' end

-- The fault matrix: each row arms a fault and makes one call. `fal` rows go through
-- the fal gateway (and its key).
local MATRIX = {
  { "429 echoing the key", { method = "GET", path = "/v2/avatars", status = 429, retry_after = 0, times = -1,
    body = echo_body(KEY), headers = { ["X-Echo"] = KEY } }, "avatars" },
  { "5xx echoing the key", { method = "GET", path = "/v2/avatars", status = 503, times = -1,
    body = echo_body(KEY) }, "avatars" },
  { "4xx echoing the key", { method = "GET", path = "/v2/avatars", status = 400, body = echo_body(KEY) }, "avatars" },
  { "401 echoing the key", { method = "GET", path = "/v2/avatars", status = 401,
    body = '{"error":{"code":"unauthorized","message":"key ' .. KEY .. ' is not valid"}}' }, "avatars" },
  { "HTML page echoing the key", { method = "GET", path = "/v2/avatars", status = 502, times = -1,
    body = "<html><body>upstream refused X-Api-Key: " .. KEY .. "</body></html>" }, "avatars" },
  { "200 with invalid JSON echoing the key", { method = "GET", path = "/v2/avatars", status = 200, times = -1,
    body = '{"data": "' .. KEY }, "avatars" },
  { "200 with an error body echoing the key", { method = "GET", path = "/v2/avatars", error_body = true,
    times = -1, body = echo_body(KEY) }, "avatars" },
  { "v1 error echoing the key", { method = "GET", path = "^/v1/video_status.get", error_body = true,
    body = '{"code":40001,"message":"key ' .. KEY .. ' rejected"}' }, "status" },
  { "truncated body", { method = "GET", path = "/v2/avatars", truncate = 60, times = -1 }, "avatars" },
  { "stall", { method = "GET", path = "/v2/avatars", delay = 0.5, times = -1 }, "avatars" },
  { "reset before the body", { method = "POST", path = "^/v2/video/generate", reset = "before_body" }, "create" },
  { "reset after the body", { method = "POST", path = "^/v2/video/generate", reset = "after_body" }, "create" },
  { "5xx after a create", { method = "POST", path = "^/v2/video/generate", status = 500, processed = true,
    body = echo_body(KEY) }, "create" },
  { "redirect with the key in its URL", { method = "GET", path = "/v2/avatars", status = 302,
    headers = { Location = "http://127.0.0.1:1/steal?key=" .. KEY } }, "avatars" },
  { "job failure echoing the key", nil, "failed_job" },
  { "expired download", { method = "GET", path = "^/files/", expire = true, times = 2 }, "download" },
  { "fal 4xx echoing the fal key", { method = "POST", path = "^/fal/", status = 422,
    body = '{"detail":[{"loc":["body","prompt"],"msg":"key ' .. FAL_KEY .. '","type":"value_error"}]}' }, "fal" },
  { "fal 5xx echoing the fal key", { method = "POST", path = "^/fal/", status = 500,
    body = '{"detail":"Authorization: Key ' .. FAL_KEY .. '"}' }, "fal" },
}

local CALLS = {
  avatars = function(hg) return hg:avatars() end,
  status = function(hg) return hg:video_status("0123456789abcdef0123456789abcdef") end,
  create = function(hg) return hg:create_video { video_inputs = SCENE } end,
  fal = function(hg) return hg:fal_submit(FAL_MODEL, { prompt = "a fox" }) end,
  failed_job = function(hg)
    emu:next_job { fail = { code = 40119, message = "key " .. KEY .. " over quota", detail = "detail " .. KEY } }
    local job = assert(hg:create_video { video_inputs = SCENE })
    return job:wait { timeout = 30 }
  end,
  download = function(hg)
    local job = assert(hg:create_video { video_inputs = SCENE })
    assert(job:wait { timeout = 30 })
    return job:download(support.tmpname(".mp4"))
  end,
}

describe("secrets", function()
  it("never appear in any error, tostring or trace event of the whole fault matrix", function()
    local texts, errors_seen, sent = {}, 0, 0
    for _, row in ipairs(MATRIX) do
      emu:reset()
      if row[2] then emu:fault(row[2]) end
      local hg = support.client(emu, { max_retries = 1, retry_base = 0.01, timeout = 0.3,
        trace = function(event) strings(event, texts) end })
      local ok, err = CALLS[row[3]](hg)
      assert.is_nil(ok, row[1] .. ": the call should have failed")
      assert.is_true(heygen.errors.is(err), row[1] .. ": " .. tostring(err))
      errors_seen = errors_seen + 1
      strings(err, texts)
      texts[#texts + 1] = tostring(err)
      strings(hg, texts)
      texts[#texts + 1] = tostring(hg)
      for _, r in ipairs(emu:requests()) do
        if r.headers["x-api-key"] == KEY or r.headers["authorization"] == "Key " .. FAL_KEY then
          sent = sent + 1
        end
      end
    end
    assert.are.equal(#MATRIX, errors_seen)
    assert.is_true(#texts > 200)
    -- the keys went to the server, which echoed them: there was something to hide
    assert.is_true(sent >= #MATRIX, "requests that carried a key: " .. sent)
    assert.are.same({}, leaks(texts))
  end)

  it("scrubs a key an error body echoes, in every field of the error", function()
    emu:fault { method = "GET", path = "/v2/avatars", status = 400, body = echo_body(KEY) }
    local _, err = support.client(emu):avatars()
    assert.matches("bad key [redacted]", err.message, 1, true)
    assert.are.equal("[redacted]", err.param)
  end)

  it("are not reachable from the client table, its metatable or tostring", function()
    local hg = support.client(emu)
    assert.are.same({}, leaks(strings(hg)))
    assert.are.same({}, leaks({ tostring(hg) }))
    assert(hg:avatars()) -- yet the key is there to be sent
    assert.are.equal(KEY, emu:requests { path = "/v2/avatars" }[1].headers["x-api-key"])
  end)

  describe("over plain http", function()
    -- requests that reached the emulator through `host` (counted, never printed: the
    -- log holds keys)
    local function sent_to(host)
      local n = 0
      for _, r in ipairs(emu:requests()) do
        if (r.headers.host or ""):sub(1, #host + 1) == host .. ":" then n = n + 1 end
      end
      return n
    end

    local function refused(opts, call)
      local hg = support.client(emu, opts)
      local data, err = call(hg)
      assert.is_nil(data)
      assert.are.equal("invalid_argument", err.kind)
      assert.matches("refusing to send credentials over plain http to a non-loopback host", err.message, 1, true)
      assert.are.same({}, leaks({ err.message }))
      return err
    end

    it("are refused to a non-loopback host, on every gateway, before any request", function()
      local other = "http://0.0.0.0:" .. emu.port -- reaches this machine if it were ever sent
      refused({ base_url = other }, CALLS.avatars)
      refused({ base_url = other }, CALLS.create)
      refused({ fal_url = other .. "/fal" }, CALLS.fal)
      local asset = support.tmpname(".png")
      local f = assert(io.open(asset, "wb"))
      f:write("\137PNG\r\n\26\n")
      f:close()
      refused({ upload_url = other }, function(hg) return hg:upload_asset(asset, "image/png") end)
      os.remove(asset)
      assert.are.equal(0, sent_to("0.0.0.0"))
    end)

    it("are refused when a loopback name is only the userinfo of the URL", function()
      refused({ base_url = "http://localhost:80@0.0.0.0:" .. emu.port }, CALLS.avatars)
      refused({ base_url = "http://127.0.0.1@0.0.0.0:" .. emu.port }, CALLS.avatars)
      assert.are.equal(0, sent_to("0.0.0.0"))
    end)

    it("are sent to loopback by name", function()
      local hg = support.client(emu, { base_url = "http://localhost:" .. emu.port })
      assert(hg:avatars())
      assert.are.equal(1, emu:count("GET", "^/v2/avatars"))
    end)
  end)

  describe("and redirects", function()
    local second
    setup(function() second = support.emulator() end)
    teardown(function() if second then second:stop() end end)
    before_each(function() second:reset() end)

    it("an authenticated GET does not follow a redirect to a second port: the key stays home", function()
      emu:fault { method = "GET", path = "/v2/avatars", status = 302,
        headers = { Location = second.url .. "/v2/avatars" } }
      local data, err = support.client(emu):avatars()
      assert.is_nil(data)
      assert.are.equal("protocol", err.kind)
      assert.are.equal(302, err.status)
      assert.matches("redirects are not followed on authenticated requests", err.message, 1, true)
      assert.matches(second.url .. "/v2/avatars", err.message, 1, true)
      assert.are.equal(0, #second:requests()) -- counted, never printed: the log holds keys
    end)

    it("an authenticated create does not follow a 307 either, and is not retried", function()
      emu:fault { method = "POST", path = "^/v2/video/generate", status = 307,
        headers = { Location = second.url .. "/v2/video/generate" } }
      local job, err = support.client(emu, { max_retries = 2 }):create_video { video_inputs = SCENE }
      assert.is_nil(job)
      assert.are.equal(307, err.status)
      assert.are.equal(0, #second:requests()) -- counted, never printed: the log holds keys
      assert.are.equal(1, emu:count("POST", "^/v2/video/generate"))
    end)

    it("a download may follow one, and carries no key there", function()
      local hg = support.client(emu)
      local job = assert(hg:create_video { video_inputs = SCENE })
      assert(job:wait { timeout = 30 })
      emu:fault { method = "GET", path = "^/files/", status = 302,
        headers = { Location = second.url .. "/_emulator/test/bytes?n=5000" } }
      local out = support.tmpname(".bin")
      assert(job:download(out))
      assert.are.equal(5000, #support.read(out))
      local got = second:requests { path = "/_emulator/test/bytes" }
      assert.are.equal(1, #got)
      assert.is_nil(got[1].headers["x-api-key"])
      assert.is_nil(got[1].headers["authorization"])
      for _, r in ipairs(emu:requests { path = "^/files/" }) do assert.is_nil(r.headers["x-api-key"]) end
      os.remove(out)
    end)
  end)

  describe("over TLS", function()
    local dir, tls
    setup(function()
      dir = support.tmpname()
      local cert, key = support.certificate(dir)
      support.certificate(dir, "other")
      tls = support.emulator { tls_cert = cert, tls_key = key }
    end)
    before_each(function() tls:reset() end)
    teardown(function()
      if tls then tls:stop() end
      os.execute("rm -rf " .. dir)
    end)

    it("serves the emulator over https with a self-signed certificate", function()
      assert.matches("^https://127%.0%.0%.1:%d+$", tls.url)
    end)

    it("succeeds with the certificate as a custom CA bundle, through to the download", function()
      local hg = support.client(tls, { cainfo = dir .. "/cert.pem" })
      assert(hg:avatars())
      local job = assert(hg:create_video { video_inputs = SCENE })
      local result = assert(job:wait { timeout = 30 })
      assert.matches("^https://", result.video_url)
      local out = support.tmpname(".mp4")
      assert(job:download(out))
      assert.are.equal(support.sample_mp4(), support.read(out))
      os.remove(out)
    end)

    it("refuses the unknown certificate without the bundle: verification stays on", function()
      local data, err = support.client(tls):avatars()
      assert.is_nil(data)
      assert.are.equal("network", err.kind)
      assert.matches("certificate", err.message)
      assert.are.equal(0, #tls:requests()) -- counted, never printed: the log holds keys
    end)

    it("refuses it with a bundle of another CA", function()
      local data, err = support.client(tls, { cainfo = dir .. "/other.pem" }):avatars()
      assert.is_nil(data)
      assert.are.equal("network", err.kind)
      assert.are.equal(0, #tls:requests()) -- counted, never printed: the log holds keys
    end)
  end)
end)
