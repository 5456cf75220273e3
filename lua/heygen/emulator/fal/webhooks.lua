-- heygen.emulator.fal.webhooks: fal's webhooks (docs/fal-api.md 2.4). A request submitted
-- with ?fal_webhook=URL gets, once it ends (polled or not, see deliver.lua), {request_id,
-- gateway_request_id, status "OK"|"ERROR", payload (what the result GET answers), error
-- (null | "Invalid status code: N")}, with X-Fal-Webhook-Request-Id, -User-Id, -Timestamp
-- and -Signature (hex Ed25519 of request_id \n user_id \n timestamp \n sha256_hex(body),
-- one key pair per process, kept across resets). A cancelled request gets none.
--   send(st, job, res): that delivery, res the result route's answer
--   GET /fal/.well-known/jwks.json (no auth): the signing key
local reply = require "heygen.emulator.reply"
local deliver = require "heygen.emulator.deliver"
local sign = require "heygen.emulator.sign"

local M = {}

M.USER_ID = "emulator-user"
M.KEY_ID = "emulator-1"

-- The process's signing key {file, public} (made by openssl when first needed, never
-- reset; its file is removed when the emulator stops).
local function keys(st)
  if not st.fal_keys then st.fal_keys = sign.ed25519_key() end
  return st.fal_keys
end

function M.send(st, job, res)
  local ok = res.status == 200
  local body = reply.encode({request_id = job.id, gateway_request_id = job.id, status = ok and "OK" or "ERROR",
                             payload = reply.decode(res.body) or reply.null,
                             error = ok and reply.null or ("Invalid status code: " .. res.status)})
  local ts = string.format("%d", os.time())
  local signed = job.id .. "\n" .. M.USER_ID .. "\n" .. ts .. "\n" .. sign.sha256(body)
  local sig = sign.hex(sign.ed25519_sign(keys(st), signed))
  deliver.send(st, {url = job.fal_webhook, body = body, event_id = job.id, signed = true,
                    event_type = ok and "fal.OK" or "fal.ERROR",
                    headers = {{"X-Fal-Webhook-Request-Id", job.id}, {"X-Fal-Webhook-User-Id", M.USER_ID},
                               {"X-Fal-Webhook-Timestamp", ts}, {"X-Fal-Webhook-Signature", sig}}})
end

local function jwks(_, st)
  return reply.json(200, {keys = {{kty = "OKP", crv = "Ed25519", x = deliver.base64url(keys(st).public),
                                   kid = M.KEY_ID, use = "sig", alg = "EdDSA"}}})
end

M.routes = {{"GET", "/fal/%.well%-known/jwks%.json", jwks}}

return M
