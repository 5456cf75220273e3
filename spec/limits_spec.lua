-- Limits on what a server can make us do (issue 22): a body past max_body ends
-- the transfer (its decoded bytes: a gzip bomb too), a timeout ends an endless
-- body, and the client caps API answers at max_response_bytes.
local core = require "heygen.core"
local support = require "support"

local ROOT = os.getenv("PWD")

local srv_url, dir
setup(function()
  dir = support.tmpname()
  assert(os.execute("mkdir -p " .. dir .. " && head -c 200000000 /dev/zero | gzip -1 > " .. dir .. "/bomb.gz"))
  local port_file = dir .. "/port"
  assert(os.execute(string.format("lua5.4 %s/spec/body_server.lua %s %s/bomb.gz >/dev/null 2>&1 & echo $! > %s/pid",
    ROOT, port_file, dir, dir)))
  local deadline = core.now() + 10
  while not support.read(port_file) do
    assert(core.now() < deadline, "the body server did not start")
    core.sleep(0.02)
  end
  srv_url = "http://127.0.0.1:" .. support.read(port_file)
end)
teardown(function()
  local pid = dir and support.read(dir .. "/pid")
  if pid then os.execute("kill " .. pid:gsub("%s", "") .. " 2>/dev/null") end
  if dir then os.execute("rm -rf " .. dir) end
end)

local function one(opts)
  local m = core.multi()
  local t0 = core.now()
  assert(m:add(opts))
  local rec
  repeat rec = m:perform(100)[1] until rec or core.now() - t0 > 60
  m:close()
  return rec, core.now() - t0
end

local function peak_kb()
  local f = io.open("/proc/self/status")
  local s = f:read("*a")
  f:close()
  return tonumber(s:match("VmHWM:%s*(%d+)")) or 0
end

describe("limits on a response body", function()
  it("end a 2 GB body at max_body, reading no more than that", function()
    local before = peak_kb()
    local rec, secs = one { url = srv_url .. "/big", max_body = 4 * 1024 * 1024 }
    assert.is_true(rec.too_large)
    assert.are.equal(63, rec.code)
    assert.is_true(#rec.body <= 4 * 1024 * 1024)
    assert.is_true(secs < 10, "took " .. secs .. " s")
    assert.is_true(peak_kb() - before < 64 * 1024, "peak RSS grew by " .. (peak_kb() - before) .. " KB")
  end)

  it("count decoded bytes: a gzip bomb stops at max_body", function()
    local before = peak_kb()
    local rec = one { url = srv_url .. "/bomb", max_body = 1024 * 1024 }
    assert.is_true(rec.too_large)
    assert.is_true(#rec.body <= 1024 * 1024)
    assert.are.equal(0, rec.body:find("[^%z]") or 0) -- it was decoded: zeros
    assert.is_true(peak_kb() - before < 64 * 1024, "peak RSS grew by " .. (peak_kb() - before) .. " KB")
  end)

  it("end an endless body at its timeout, not after", function()
    local rec, secs = one { url = srv_url .. "/endless", timeout = 1, file = "/dev/null" }
    assert.are.equal(28, rec.code, rec.error) -- CURLE_OPERATION_TIMEDOUT
    assert.matches("timed out after %d+ milli", rec.error)
    assert.is_true(secs < 2.5, "took " .. secs .. " s")
  end)

  it("in the client: an answer past max_response_bytes is a protocol error, not retried", function()
    local heygen = require "heygen"
    local hg = heygen.client { api_key = support.API_KEY, base_url = srv_url, api = "v2", max_response_bytes = 65536,
      retry_base = 0.01 }
    local t0 = core.now()
    local data, err = hg:avatars()
    assert.is_nil(data)
    assert.are.equal("protocol", err.kind)
    assert.matches("larger than max_response_bytes %(65536 bytes%)", err.message)
    assert.are.equal(1, err.attempts)
    assert.is_true(core.now() - t0 < 5)
  end)

  it("in the client: a default cap of 8 MiB, and 0 for none", function()
    local heygen = require "heygen"
    assert.are.equal(8 * 1024 * 1024, heygen.client { api_key = support.API_KEY }.max_response_bytes)
    assert.are.equal(0, heygen.client { api_key = support.API_KEY, max_response_bytes = 0 }.max_response_bytes)
    assert.has_error(function() heygen.client { api_key = support.API_KEY, max_response_bytes = -1 } end)
  end)
end)
