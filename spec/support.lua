-- Shared by the specs: an emulator per spec file, and a client aimed at it.
local M = {}

M.API_KEY = "test-key-0123456789abcdef"
M.FAL_KEY = "fal-test-key-fedcba9876543210"
-- the emulator's seeded public avatar and its voice
M.AVATAR, M.VOICE = "Abigail_expressive_2024112501", "1bd001e7e50f421d891986aad5158bc8"

--- Start an emulator child process (always under lua5.4 with luasocket, so
-- the server never shares a runtime, or a sanitizer, with the code it tests).
function M.emulator(opts)
  opts = opts or {}
  local spawn_opts = { time_scale = opts.time_scale or 300, api_keys = { M.API_KEY, M.FAL_KEY },
    lua = os.getenv("HEYGEN_EMULATOR_LUA") or "lua5.4" }
  for k, v in pairs(opts) do spawn_opts[k] = v end
  local emu = require("heygen.emulator").spawn(spawn_opts)
  -- The contract pass (scripts/test.d/30-contract.sh): clients reach a plain-http
  -- emulator through spec/contract/front.mjs, which sends every operation HeyGen's
  -- contract describes through Stoplight Prism. Control calls stay direct.
  local front = os.getenv("HEYGEN_CONTRACT_FRONT")
  if front and emu.url:sub(1, 5) == "http:" then
    emu.api_url = front .. "/_up/" .. emu.port
  end
  return emu
end

--- For a spec file: `emu` reset before each test of the file and stopped after its last.
function M.each_test(emu)
  local busted = require "busted" -- the DSL of the spec file being run (a module has no globals of it)
  busted.teardown(function() emu:stop() end)
  busted.before_each(function() emu:reset() end)
  return emu
end

--- For a spec file: an emulator spawned now (opts as M.emulator), reset before each test
-- of the file and stopped after its last. (It dies with this process if the file breaks off.)
function M.use_emulator(opts) return M.each_test(M.emulator(opts)) end

--- A client for `emu` with fast polling and short backoffs.
function M.client(emu, extra)
  local heygen = require "heygen"
  local opts = {
    api_key = M.API_KEY, fal_key = M.FAL_KEY, api = "v2",
    base_url = emu.api_url or emu.url, upload_url = emu.api_url or emu.upload_url, fal_url = emu.fal_url,
    poll = { initial = 0.05, factor = 1.5, max = 0.25 }, retry_base = 0.05, retry_cap = 2,
    poll_budget = 0,
  }
  for k, v in pairs(extra or {}) do opts[k] = v end
  return heygen.client(opts)
end

--- job:wait, also returning the distinct statuses the job went through, in order.
-- With `emu`, its clock is held (time scale 1e-6) and moved `step` nominal seconds
-- (default 10) after each poll, so every phase of a clock-driven job is seen however
-- late the machine's load makes a poll (a 67 ms "pending" window at time scale 300
-- was missed under the contract front); the clock's scale is put back after.
function M.wait_statuses(job, timeout, emu, step)
  local order, seen = {}, {}
  local scale
  if emu then
    scale = assert(emu:config()).time_scale
    emu:config { time_scale = 1e-6 }
  end
  local ok, result, err = pcall(job.wait, job, { timeout = timeout or 30,
    poll = emu and { initial = 0.005, factor = 1, max = 0.005 } or nil,
    on_progress = function(j)
      if not seen[j.status] then seen[j.status] = true order[#order + 1] = j.status end
      if emu then emu:advance(step or 10) end
    end })
  if emu then emu:config { time_scale = scale } end
  if not ok then error(result, 0) end
  return result, err, order
end

function M.read(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local s = f:read("*a")
  f:close()
  return s
end

--- The bytes of the MP4 the emulator serves.
function M.sample_mp4()
  local path = package.searchpath("heygen.emulator.sample", (package.path:gsub("%.lua", ".mp4")))
  return path and M.read(path)
end

--- The part files (path..".part.<hex>") a download to `path` left beside it.
function M.parts(path)
  local dir, base = path:match("^(.*)/([^/]*)$")
  local out = {}
  local p = io.popen("ls -1a " .. string.format("%q", dir) .. " 2>/dev/null")
  for name in p:lines() do
    if name:sub(1, #base + 6) == base .. ".part." and name:match("%.part%.%x+$") then out[#out + 1] = name end
  end
  p:close()
  return out
end

--- Run `script` in a child Lua (this run's module paths, HEYGEN_TEST_LUA or lua5.4),
-- after the shell commands `prefix`; returns its output (stdout and stderr) and "exit=N".
function M.lua_child(script, prefix, env)
  local path = M.tmpname(".lua")
  local f = assert(io.open(path, "w"))
  f:write(script)
  f:close()
  local lua = os.getenv("HEYGEN_TEST_LUA") or "lua5.4"
  local p = io.popen(string.format("%s %s %s %q 2>&1; echo \"exit=$?\"", prefix or "", env or "", lua, path))
  local out = p:read("*a")
  p:close()
  os.remove(path)
  return out
end

--- Writes `text` to `path` (raises on failure). On 5.1/LuaJIT file:write returns
-- true, not the file, so calls cannot be chained as on 5.4.
function M.write_file(path, text)
  local f = assert(io.open(path, "wb"))
  assert(f:write(text))
  f:close()
end

--- A self-signed certificate (openssl) in `dir`, created if missing: cert.pem and key.pem for
--- localhost and 127.0.0.1, or with `subject` <subject>.pem and <subject>-key.pem for that name.
--- Returns the certificate's path and the key's; raises when openssl fails.
function M.certificate(dir, subject)
  local cert = dir .. "/" .. (subject and subject .. ".pem" or "cert.pem")
  local key = dir .. "/" .. (subject and subject .. "-key.pem" or "key.pem")
  local names = subject and ("-subj /CN=" .. subject)
    or "-subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1"
  assert(os.execute(string.format("mkdir -p %q && openssl req -x509 -newkey rsa:2048 -nodes -days 1 %s"
    .. " -keyout %q -out %q 2>/dev/null", dir, names, key, cert)), "openssl could not make the test certificate")
  return cert, key
end

--- For a spec file: an https emulator (a certificate of M.certificate, in a folder of its
--- own) spawned now and stopped, folder and all, after the file. Returns it and the folder.
function M.use_tls_emulator()
  local busted = require "busted" -- the DSL of the spec file being run (a module has no globals of it)
  local dir = M.tmpname()
  local cert, key = M.certificate(dir)
  local tls = M.emulator { tls_cert = cert, tls_key = key }
  busted.teardown(function()
    tls:stop()
    os.execute("rm -rf " .. dir)
  end)
  return tls, dir
end

function M.tmpname(suffix)
  local p = os.tmpname()
  os.remove(p)
  return p .. (suffix or "")
end

return M
