-- What the spec/emulator/*_spec.lua files share: a spawned emulator (support.emulator) and
-- raw v3 calls to it over luasocket, the way any HTTP client sees them (no heygen client).
local support = require "support"
local reply = require "heygen.emulator.reply"

local M = {}

--- Spawns the emulator (opts as support.emulator); M.emu is it.
function M.start(opts)
  M.emu = support.emulator(opts)
  return M.emu
end

function M.stop() if M.emu then M.emu:stop() end end

--- For a spec file: the emulator (opts as support.emulator), reset before each test.
function M.use(opts) return support.each_test(M.start(opts)) end

--- before(), then the emulator restarted from the state file it saved, then after(): against
--- an emulator of their own with --state (M.emu meanwhile; the file's again after, failed or not).
function M.across_restart(before, after)
  local path, saved = support.tmpname(".state"), M.emu
  M.emu = support.emulator { state = path }
  local ok, err = pcall(function()
    before()
    M.emu:stop()
    M.emu = support.emulator { state = path }
    after()
  end)
  M.emu:stop()
  M.emu = saved
  os.remove(path)
  assert(ok, err)
end

--- One API call: status, the decoded body (nil when not JSON), the raw body, headers. In the
--- contract pass it goes through the Prism front (emu.api_url), which judges it.
--- body: a table (sent as JSON) or a string; headers: extra request headers.
function M.call(method, path, body, headers)
  local http = require "socket.http"
  local ltn12 = require "ltn12"
  local chunks = {}
  local text = type(body) == "table" and reply.encode(body) or body
  local h = {["x-api-key"] = support.API_KEY, ["content-type"] = "application/json",
             ["content-length"] = tostring(text and #text or 0)}
  for k, v in pairs(headers or {}) do h[k:lower()] = v end
  local ok, status, res_headers = http.request({
    url = (M.emu.api_url or M.emu.url) .. path, method = method, sink = ltn12.sink.table(chunks),
    source = text and ltn12.source.string(text) or nil, headers = h,
  })
  assert(ok, status)
  local raw = table.concat(chunks)
  return status, reply.decode(raw), raw, res_headers
end

--- The `data` of a 200 answer (asserting the status, the error message shown otherwise).
function M.data(method, path, body)
  local status, v, raw = M.call(method, path, body)
  assert(status == 200, method .. " " .. path .. ": " .. tostring(status) .. " " .. raw)
  return v.data, v
end

--- The bytes at a URL the emulator answered.
function M.fetch(url)
  local http = require "socket.http"
  local ltn12 = require "ltn12"
  local chunks = {}
  local ok, status = http.request({url = url, sink = ltn12.sink.table(chunks)})
  assert(ok, status)
  return status, table.concat(chunks)
end

--- The v3 contract beside the checkout (../shared/contracts, as scripts/test.d/30-contract.sh
-- finds it), decoded.
function M.contract()
  local here = debug.getinfo(1, "S").source:match("^@(.*)/spec/emulator/[^/]*$") or "."
  local f = assert(io.open(here .. "/../shared/contracts/heygen-v3.openapi.json", "rb"))
  local c = require("cjson").decode(f:read("a"))
  f:close()
  return c
end

return M
