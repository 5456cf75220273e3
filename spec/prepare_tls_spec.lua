-- The CA store parsed at setup, not in a host's frame (issue 16): m:prepare_tls and
-- heygen.client{} load it into the multi's CA cache. Proved without clocks: once
-- loaded, the CA file can go and a new HTTPS connection still verifies the server.
local core = require "heygen.core"
local support = require "support"

local tls, dir = support.use_tls_emulator()

local n = 0
local function ca_copy() -- a CA file of this test's own, to take away later
  n = n + 1
  local path = dir .. "/ca" .. n .. ".pem"
  assert(os.execute("cp " .. dir .. "/cert.pem " .. path))
  return path
end

local function fetch(m, ca)
  assert(m:add { url = tls.url .. "/_emulator/test/echo", cainfo = ca, headers = { "Connection: close" } })
  local rec
  repeat rec = m:perform(100)[1] until rec
  return rec
end

describe("m:prepare_tls", function()
  it("loads the CA store before any connection: the file can go and HTTPS still verifies", function()
    local m, ca = core.multi(), ca_copy()
    assert.is_true(m:prepare_tls { cainfo = ca })
    os.remove(ca)
    local rec = fetch(m, ca)
    m:close()
    assert.are.equal(0, rec.code, rec.error)
    assert.are.equal(200, rec.status)
  end)

  it("without it, the first connection reads the file (gone: refused, curl's CA error)", function()
    local m, ca = core.multi(), ca_copy()
    os.remove(ca)
    local rec = fetch(m, ca)
    m:close()
    assert.are.equal(77, rec.code) -- CURLE_SSL_CACERT_BADFILE
  end)

  it("keeps a store per multi: another multi reads the file itself", function()
    local a, b, ca = core.multi(), core.multi(), ca_copy()
    assert.is_true(a:prepare_tls { cainfo = ca })
    os.remove(ca)
    local rec = fetch(b, ca)
    a:close()
    b:close()
    assert.are.equal(77, rec.code)
  end)

  it("waits for an idle multi, and checks its timeout", function()
    local m = core.multi()
    assert(m:add { url = tls.url .. "/_emulator/test/echo", cainfo = dir .. "/cert.pem" })
    assert.are.same({ nil, "transfers are in flight" }, { m:prepare_tls() })
    local rec
    repeat rec = m:perform(100)[1] until rec
    assert.is_true(m:prepare_tls { cainfo = dir .. "/cert.pem" })
    assert.has_error(function() m:prepare_tls { timeout = 0 / 0 } end)
    assert.has_error(function() m:prepare_tls { timeout = -1 } end)
    m:close()
  end)
end)

describe("heygen.client{} with an https:// base URL", function()
  it("prepares the process's multi: its first request verifies with a CA file gone since", function()
    local ca = ca_copy()
    local hg = support.client(tls, { cainfo = ca, max_retries = 0 })
    os.remove(ca)
    local avatars, err = hg:avatars()
    assert.is_nil(err)
    assert.is_table(avatars)
  end)

  it("does not when told not to (prepare_tls = false): the gone file is refused", function()
    local ca = ca_copy()
    local hg = support.client(tls, { cainfo = ca, max_retries = 0, prepare_tls = false })
    os.remove(ca)
    local avatars, err = hg:avatars()
    assert.is_nil(avatars)
    assert.are.equal("network", err and err.kind)
  end)
end)
