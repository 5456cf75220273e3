-- heygen.emulator.v3.voices: the account's own voices (the contract's VoiceDesign,
-- VoiceClone, VoiceDelete): POST /v3/voices designs voices from a description, POST
-- /v3/voices/clone trains one from a recording, DELETE /v3/voices/{voice_id} removes one.
--
-- Designed voices are private voices of the account at once; the same prompt, gender,
-- locale and seed design the same voices (ids derived from them), a new seed new ones.
-- A clone is a job of kind "voice_clone" on the clock (processing -> complete | failed);
-- GET /v3/voices/{voice_clone_id} answers its status, then the voice. GET /v3/voices
-- with type=private lists them (newest first); every other read goes to v3.lua's
-- catalogue routes. Public (catalogue) voices cannot be deleted (403).
local reply = require "heygen.emulator.reply"
local S = require "heygen.emulator.v3.support"
local v3mod = require "heygen.emulator.v3"

local null = reply.null
local v3, fail, check, body_object, not_found, opt = S.v3, S.fail, S.check, S.body_object, S.not_found, S.opt
local str, bool, asset, paginate = S.str, S.bool, S.asset, S.paginate

local M = {}

M.KINDS = {
  voice_clone = {phases = {{"processing", 60}}, done = "complete", failed = "failed",
                 failure = {code = "voice_clone_failed", message = "The recording holds less than 10 s of speech"}},
}
M.DESIGNS = 3              -- voices per design
local LANGUAGES = {en = "English", es = "Spanish", fr = "French", de = "German", it = "Italian", pt = "Portuguese",
                   ja = "Japanese", zh = "Chinese", ko = "Korean", hi = "Hindi"}
local NAMES = {female = {"Aria", "Maren", "Noor"}, male = {"Caspian", "Tobias", "Idris"}}

local DESIGN_RULE = {type = "object", fields = {
  prompt = {type = "string", required = true, min_len = 1, max_len = 1000},
  gender = {type = "string", enum = S.set({"male", "female"})}, locale = str, seed = {type = "integer", min = 0},
}}
local CLONE_RULE = {type = "object", fields = {
  voice_name = {type = "string", required = true, min_len = 1, max_len = 100}, audio = asset(true),
  language = str, remove_background_noise = bool,
}}

local function fresh(st) st.v3.voices = {} end

local function mine(st, vid)
  for _, v in ipairs(st.v3.voices) do
    if v.voice_id == vid and not v.deleted then return v end
  end
end

local function language_of(locale)
  if not locale then return "English" end
  return LANGUAGES[locale:lower():match("^(%a%a)")] or locale
end

-- The voice as GET /v3/voices/{id} answers it (a clone: its training status).
local function voice_view(req, st, v, full)
  local job = v.clone and st.jobs[v.voice_id]
  local status = job and st:status(job) or "complete"
  local d = {voice_id = v.voice_id, name = v.name, language = v.language, gender = v.gender, type = "private",
             support_pause = true, support_locale = v3mod.STARFISH_LANGUAGES[v.language] == true,
             preview_audio_url = status == "complete" and (st:base(req) .. "/static/voices/" .. v.voice_id .. ".wav")
                                 or null}
  if full then
    d.created_at, d.status, d.support_interactive_avatar = v.created_at, status, false
    d.failure_message = status == "failed" and st:failure(job).message or null
  end
  return d
end

local function design(req, st)
  local body, err = body_object(req)
  err = err or check(body, DESIGN_RULE, "")
  if err then return err end
  local seed, gender, locale = opt(body.seed) or 0, opt(body.gender), opt(body.locale)
  if not gender then
    local p = " " .. body.prompt:lower()
    gender = (p:find("[^%a]female") or p:find("[^%a]wom[ae]n") or p:find("[^%a]she[^%a]")) and "female" or "male"
  end
  local out = {}
  for i = 1, M.DESIGNS do
    local vid = st:sign("voice-design", table.concat({body.prompt, gender, locale or "", seed, i}, "\0")):sub(1, 32)
    local v = mine(st, vid)
    if not v then
      v = {voice_id = vid, name = NAMES[gender][i] .. " (designed)", gender = gender, language = language_of(locale),
           prompt = body.prompt, seed = seed, created_at = reply.int(S.now())}
      st.v3.voices[#st.v3.voices + 1] = v
    end
    out[i] = voice_view(req, st, v, false)
  end
  return v3({seed = seed, voices = out})
end

local function clone(req, st)
  local body, err = body_object(req)
  err = err or check(body, CLONE_RULE, "")
  if err then return err end
  local job = S.charged_job(st, "voice_clone", {id = st:id()})
  st.v3.voices[#st.v3.voices + 1] = {voice_id = job.id, name = body.voice_name, clone = true, gender = "unknown",
                                     language = language_of(opt(body.language)), created_at = job.created_at,
                                     denoise = opt(body.remove_background_noise) ~= false}
  return v3({voice_clone_id = job.id})
end

-- v3.lua's own handler for a route (the catalogue reads), to hand a request on to (avatars.lua too).
function M.catalogue_route(method, pattern)
  for _, r in ipairs(v3mod.routes) do
    if r[1] == method and r[2] == pattern then return r[3] end
  end
  error("v3.lua has no route " .. method .. " " .. pattern)
end
local catalogue_list, catalogue_get = M.catalogue_route("GET", "/v3/voices"),
  M.catalogue_route("GET", "/v3/voices/([^/]+)")

local function list(req, st)
  if req.query.type ~= "private" then return catalogue_list(req, st) end
  local live = S.reversed(st.v3.voices)
  return paginate(req, st, "private-voices", S.positions(live), S.by_position, 20, 100,
                  function(p) return voice_view(req, st, p.item, false) end)
end

local function get(req, st, vid)
  local v = mine(st, vid)
  if not v then return catalogue_get(req, st, vid) end
  return v3(voice_view(req, st, v, true))
end

local function delete(_, st, vid)
  local v = mine(st, vid)
  if not v then
    if st.catalogue.voice_by_id[vid] then
      return fail(403, "forbidden", "Voice " .. vid .. " is a public voice; only your own voices can be deleted")
    end
    return not_found("voice_not_found", "Voice", vid)
  end
  v.deleted = true
  if v.clone then st:remove_job(vid) end
  return v3({voice_id = vid})
end

M.kinds, M.fresh = M.KINDS, fresh
M.routes = {
  {"POST", "/v3/voices", design},
  {"POST", "/v3/voices/clone", S.I(clone)},
  {"GET", "/v3/voices", list},
  {"GET", "/v3/voices/([^/]+)", get},
  {"DELETE", "/v3/voices/([^/]+)", delete},
}

return M
