--[[ heygen.emulator.sign: the digests and signatures webhook deliveries carry, made by the
openssl command line (Debian: openssl), never by heygen.core.

The emulator must not depend on the code it tests: a client checking a delivery with
heygen.core's HMAC or Ed25519 then checks it against an independent implementation, and
the emulator runs under any Lua (its child process never loads a C module built for the
test's runtime, a sanitizer's or LuaJIT's). Each call runs one short openssl process
(a few milliseconds, while the server loop waits); deliveries are rare enough for that.
Everything goes through files made with os.tmpname, so any bytes are safe.
]]
local M = {}

M.OPENSSL = os.getenv("HEYGEN_EMULATOR_OPENSSL") or "openssl"

local function quote(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end

local function write(path, data)
  local f = assert(io.open(path, "wb"))
  f:write(data)
  f:close()
end

local function read(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local s = f:read("a")
  f:close()
  return s
end

-- Runs openssl with args; its stdout, or an error naming the command and what it said.
local function openssl(args)
  local errf = os.tmpname()
  local p = assert(io.popen(quote(M.OPENSSL) .. " " .. args .. " 2>" .. quote(errf), "r"))
  local out = p:read("a")
  local ok = p:close()
  local said = read(errf) or ""
  os.remove(errf)
  if not ok then
    error("heygen-emulator: openssl " .. args:match("^%S+") .. " failed: " .. said:gsub("%s+$", ""), 0)
  end
  return out
end

local HEX = {}
for i = 0, 255 do HEX[string.char(i)] = string.format("%02x", i) end

--- Lower-case hex of raw bytes.
function M.hex(s) return (s:gsub(".", HEX)) end

-- The hex digest openssl prints for `data` with `args` ("dgst -sha256 ...").
local function digest(args, data)
  local path = os.tmpname()
  write(path, data)
  local ok, out = pcall(openssl, args .. " -r " .. quote(path))
  os.remove(path)
  if not ok then error(out, 0) end
  return assert(out:match("^(%x+)"), "heygen-emulator: openssl printed no digest")
end

--- SHA-256 of data, lower-case hex.
function M.sha256(data) return digest("dgst -sha256", data) end

--- HMAC-SHA256 of data keyed by key (any bytes: passed as hex), lower-case hex.
function M.hmac_sha256(key, data)
  return digest("dgst -sha256 -mac HMAC -macopt hexkey:" .. M.hex(key), data)
end

--- A new Ed25519 key: {file = PEM path (remove with M.forget), public = 32 raw bytes}.
function M.ed25519_key()
  local file = os.tmpname()
  openssl("genpkey -algorithm ed25519 -out " .. quote(file))
  local der = os.tmpname()
  local ok, err = pcall(openssl, "pkey -in " .. quote(file) .. " -pubout -outform DER -out " .. quote(der))
  local bytes = read(der)
  os.remove(der)
  if not ok then os.remove(file) error(err, 0) end
  -- an Ed25519 SubjectPublicKeyInfo is 12 bytes of header, then the 32-byte key
  return {file = file, public = bytes:sub(-32)}
end

--- The 64-byte Ed25519 signature of message by key (from M.ed25519_key).
function M.ed25519_sign(key, message)
  local msg, sig = os.tmpname(), os.tmpname()
  write(msg, message)
  local ok, err = pcall(openssl, "pkeyutl -sign -rawin -inkey " .. quote(key.file) .. " -in " .. quote(msg)
    .. " -out " .. quote(sig))
  local bytes = read(sig)
  os.remove(msg)
  os.remove(sig)
  if not ok then error(err, 0) end
  return bytes
end

--- Removes a key's file.
function M.forget(key)
  if key and key.file then os.remove(key.file) end
end

return M
