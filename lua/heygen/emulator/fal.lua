--[[ heygen.emulator.fal: fal.ai as the emulator serves it (docs/fal-api.md sections 2 and 3),
each of fal's hosts under its own prefix of the emulator's port. This file assembles the
parts and checks the key; the routes live in:

  fal/queue.lua     the queue API under /fal/ (fal_url = url .. "/fal"): submit, status,
                    the status stream, result, cancel; the synchronous host /fal-run/
  fal/models.lua    the models served: required inputs, one-of groups, enumerated values
  fal/webhooks.lua  signed webhooks of ended requests, GET /fal/.well-known/jwks.json
  fal/storage.lua   uploads: /fal-rest/storage/upload/initiate, /fal-cdn/upload, /fal-cdn/files
  fal/control.lua   the test controls under /_emulator/fal/ (per model, the account, the
                    registry of models)
  fal/answers.lua   fal's error answers, request ids

Auth is `Authorization: Key <key>` (the emulator's api_keys; any non-empty key when none
are configured): 401 {"detail": ...} otherwise. Inputs of the known models are checked
as fal does: 422 {"detail": [{loc = {"body", field}, msg, type}]} with X-Fal-Retryable:
false; unknown model ids answer 404. Infrastructure errors carry {"detail", "error_type"}
and the X-Fal-Error-Type header. Every answer of the fal routes (submit, status, stream,
result, cancel, run, initiate; errors too) carries x-fal-request-id: the request's id,
else a fresh one.]]
local A = require "heygen.emulator.fal.answers"
local models = require "heygen.emulator.fal.models"
local queue = require "heygen.emulator.fal.queue"
local hooks = require "heygen.emulator.fal.webhooks"
local storage = require "heygen.emulator.fal.storage"
local control = require "heygen.emulator.fal.control"

local fal_error, with_id, uuid = A.error, A.with_id, A.uuid

local M = {}

-- The parts' routes, loaded in this order (an earlier route wins over a later one whose
-- pattern also matches).
M.PARTS = {hooks, queue, storage, control}

M.MODELS = models.MODELS   -- model id -> {required, enums, one_of} (fal/models.lua)
M.watch = queue.watch      -- the sweep's watcher (deliver.lua): webhooks of ended requests

local function authorize(req, st)
  local h = req.headers.authorization
  if h == nil or h == "" then return fal_error(401, "Missing Authorization header: use 'Key <FAL_KEY>'") end
  local key = h:match("^Key%s+(.+)$")
  if not key then return fal_error(401, "Authorization must use the Key scheme") end
  if not st:authorized(key) then return fal_error(401, "Invalid API key") end
end

-- Route handlers wrapped so every answer carries x-fal-request-id: the request's own
-- (the path's id, or the new request's), else a fresh id, as fal's gateway gives each.
local function identified(handler, st)
  return function(req, state, a, b, c)
    local res = handler(req, state, a, b, c)
    if res.headers and res.headers["x-fal-request-id"] then return res end
    return with_id(res, b and b:match("^%x+%-%x+%-%x+%-%x+%-%x+$") and b or uuid(st))
  end
end

function M.register(app, st)
  st.kinds.fal = queue.KIND
  st.fal_models, st.fal_files, st.fal_account = {}, {}, control.unlocked()
  local base_reset = st.reset
  st.reset = function(self)
    base_reset(self)
    self.fal_models, self.fal_files, self.fal_account = {}, {}, control.unlocked()
  end
  st.webhooks:watcher(M.watch)
  local auth = {auth = function(req, state)
    local denied = authorize(req, state)
    if denied then return with_id(denied, uuid(state)) end
  end, gen = "fal"}
  -- a keyed route: the key checked, x-fal-request-id on every answer; else as it is
  for _, part in ipairs(M.PARTS) do
    for _, r in ipairs(part.routes) do
      if r.keyed then
        app:add(r[1], r[2], identified(r[3], st), auth)
      else
        app:add(r[1], r[2], r[3], {gen = r.gen or "fal"})
      end
    end
  end
end

return M
