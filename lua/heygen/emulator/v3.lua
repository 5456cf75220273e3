-- heygen.emulator.v3: HeyGen's v3 endpoints (docs/heygen-v3.md) on the same state as the
-- legacy routes: a video made through v2 is readable through v3 and the other way round.
--
-- Envelopes: {"data": ...}, lists {"data": [...], "has_more", "next_token"}, errors
-- {"error": {code, message, param?, doc_url}}. State machines (nominal seconds, divided
-- by the time scale): video waiting (create) -> pending -> processing -> completed|failed;
-- translation and lipsync pending -> running -> completed|failed; proofread processing ->
-- completed|failed (then generate starts a translation); video agent sessions (a chat that
-- waits for input, messages, revisions): v3/video_agents.lua.
--
-- Idempotency-Key (docs 0.5) on every documented create: the first answer is stored per
-- (method, path, key) for 24 h and replayed verbatim; a retry while the first is still in
-- flight gets 409 request_in_progress; a malformed key gets 400 invalid_parameter.
--
-- Control (no auth, not logged): v3/control.lua (/_emulator/v3/hold, billing, idempotency).
--
-- Layout: the helpers every resource needs are in v3/support.lua (its top comment lists
-- them); resources live in v3/<resource>.lua, each listed in M.RESOURCE_MODULES below and
-- loaded by M.register in that order (the first route matching a request wins): its kinds,
-- its part of st.v3 (fresh), its sweep views, its routes, then its own register(app, st).
local S = require "heygen.emulator.v3.support"

local M = {}

-- Route modules by resource (lua/heygen/emulator/v3/<resource>.lua, see v3/support.lua for
-- what one returns), in the order their routes load: a module whose path is more specific
-- (asset_batches.lua's /v3/assets/statuses) comes before the one with the general pattern
-- (assets.lua's /v3/assets/([^/]+)). Add yours with one line. What one module takes from
-- another it requires from the file that owns it (v3/videos.lua: new_video, video_view;
-- v3/batches.lua: batch_creator; v3/avatars.lua, v3/voices.lua: the ids a video may use).
M.RESOURCE_MODULES = {
  "heygen.emulator.v3.video_agents", "heygen.emulator.v3.asset_batches",
  "heygen.emulator.v3.assets", "heygen.emulator.v3.translations", "heygen.emulator.v3.lipsyncs",
  "heygen.emulator.v3.brands", "heygen.emulator.v3.audio", "heygen.emulator.v3.media_jobs",
  "heygen.emulator.v3.voices", "heygen.emulator.v3.avatars",
  "heygen.emulator.v3.webhooks", "heygen.emulator.v3.account", "heygen.emulator.v3.templates",
  "heygen.emulator.v3.videos", "heygen.emulator.v3.control",
}

local K = "api_key"
local listed, fresh = S.listed, S.fresh

---------------------------------------------------------------------------------------
-- the sweep (deliver.lua): views built so events are noted when jobs end, not when polled

local VIEWS = {}    -- the resource modules' views (videos.lua: video, workflow)
local TERMINAL = {completed = true, failed = true}

-- True once the job's terminal event is noted; jobs nobody listens to are left alone.
function M.watch(st, job, req)
  local view = VIEWS[job.kind]
  if not view or not (job.callback_url or job.batch_callback_url or st.v3.endpoints[1]) then return false end
  if job.def and job.kind ~= "video_agent" then
    -- the clock says whether it has ended: the view (URLs signed, tables built) only then
    local s = st:status(job)
    if s ~= job.def.done and s ~= job.def.failed then return false end
  end
  local d = view(req, st, job)
  return job.v3_event ~= nil and TERMINAL[d.status] == true
end

local function endpoints_exist(st) return st.v3.endpoints[1] ~= nil end

-- One resource module (see v3/support.lua): its kinds, state, sweep views and routes.
local function load_resource(app, st, mod)
  for name, kind in pairs(mod.kinds or {}) do st.kinds[name] = kind end
  for kind, view in pairs(mod.views or {}) do VIEWS[kind] = view end
  for _, r in ipairs(mod.routes or {}) do r.auth, r.gen = r.auth or K, r.gen or "v3" end
  app:load(mod.routes or {})
  if mod.register then mod.register(app, st) end
end

function M.register(app, st)
  st.webhooks:watcher(M.watch, endpoints_exist)
  local mods = {}
  for i, name in ipairs(M.RESOURCE_MODULES) do mods[i] = require(name) end
  for _, mod in ipairs(mods) do
    if mod.fresh and not listed(S.FRESH, mod.fresh) then S.FRESH[#S.FRESH + 1] = mod.fresh end
  end
  fresh(st)
  st:on_reset(fresh)                  -- v3 state goes with every reset
  for _, mod in ipairs(mods) do load_resource(app, st, mod) end
end

return M
