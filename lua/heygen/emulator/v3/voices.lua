-- heygen.emulator.v3.voices: every /v3/voices route (docs/heygen-v3.md 4): the public
-- voices (v3/catalogue.lua's data) and the account's own (the contract's VoiceDesign,
-- VoiceClone, VoiceDelete), text to speech with either.
--
-- POST /v3/voices designs voices from a description: private voices of the account at once;
-- the same prompt, gender, locale and seed design the same voices (ids derived from them), a
-- new seed new ones. POST /v3/voices/clone trains one from a recording: a job of kind
-- "voice_clone" on the clock (processing -> complete | failed); GET /v3/voices/{voice_clone_id}
-- answers its status, then the voice. GET /v3/voices lists the public voices (type public, the
-- default) or the account's own (type=private, newest first). DELETE /v3/voices/{voice_id}
-- removes one of yours (then 404 everywhere); public voices cannot be deleted (403).
-- POST /v3/voices/speech speaks with a voice that supports the starfish engine.
--
-- What other resources check a voice_id by: usable(st, id) (a public voice or one of yours
-- once ready: it, or nil and why not) and check_voice(st, id, param) (nil, or that answer).
local reply = require "heygen.emulator.reply"
local S = require "heygen.emulator.v3.support"
local catalogue = require "heygen.emulator.v3.catalogue"

local null = reply.null
local v3, fail, check, body_object, not_found, opt = S.v3, S.fail, S.check, S.body_object, S.not_found, S.opt
local str, bool, asset, paginate, invalid, absent = S.str, S.bool, S.asset, S.paginate, S.invalid, S.absent
local id, req_id, num, one_of = S.id, S.req_id, S.num, S.one_of
local STARFISH = catalogue.STARFISH_LANGUAGES

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
-- A voice's status: a clone's training job's, a designed voice complete at once.
local function status_of(st, v)
  local job = v.clone and st.jobs[v.voice_id]
  return job and st:status(job) or "complete", job
end

local function voice_view(req, st, v, full)
  local status, job = status_of(st, v)
  local d = {voice_id = v.voice_id, name = v.name, language = v.language, gender = v.gender, type = "private",
             support_pause = true, support_locale = STARFISH[v.language] == true,
             preview_audio_url = status == "complete" and (st:base(req) .. "/static/voices/" .. v.voice_id .. ".wav")
                                 or null}
  if full then -- the contract's VoiceDetail: no support_locale or type (the list item's)
    d.support_locale, d.type = nil, nil
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

local function list(req, st)
  local q = req.query
  if q.type and q.type ~= "" and q.type ~= "public" and q.type ~= "private" then
    return invalid("type", "must be public or private", q.type)
  end
  if q.type == "private" then
    return paginate(req, st, "private-voices", S.positions(S.reversed(st.v3.voices)), S.by_position, 20, 100,
                    function(p) return voice_view(req, st, p.item, false) end)
  end
  return paginate(req, st, "voices", S.positions(catalogue.public_voices(st, q)), S.by_position, 20, 100,
                  function(p) return catalogue.voice_view(req, st, p.item) end)
end

local function get(req, st, vid)
  local v = mine(st, vid)
  if v then return v3(voice_view(req, st, v, true)) end
  local public = st.catalogue.voice_by_id[vid]
  if not public then return not_found("voice_not_found", "Voice", vid) end
  return v3(catalogue.voice_detail(req, st, public))
end

-- A voice the account can speak with: a public one, or one of its own once ready. Returns the
-- voice ({voice_id, language, ...}), or nil and why not ({status, code, message}): 404
-- voice_not_found for an id it does not have (or deleted), 400 voice_not_usable for a clone
-- still training or one whose training failed.
function M.usable(st, vid)
  local v = st.catalogue.voice_by_id[vid] or mine(st, vid)
  if not v then
    return nil, {status = 404, code = "voice_not_found", message = "Voice " .. tostring(vid) .. " not found"}
  end
  local status, job = status_of(st, v)
  if status == "complete" then return v end
  if status == "failed" then
    return nil, {status = 400, code = "voice_not_usable",
                 message = "Voice " .. vid .. " cannot be used: its clone failed (" .. st:failure(job).message .. ")"}
  end
  return nil, {status = 400, code = "voice_not_usable", message = "Voice " .. vid .. " is not ready: its clone is "
               .. status .. " (poll GET /v3/voices/" .. vid .. " until its status is complete)"}
end

-- nil when voice_id is absent or usable, else the answer naming param.
function M.check_voice(st, voice_id, param)
  if absent(voice_id) then return nil end
  local _, why = M.usable(st, voice_id)
  if why then return fail(why.status, why.code, why.message, param) end
end

local TTS_RULE = {type = "object", closed = true, fields = {
  text = {type = "string", required = true, min_len = 1, max_len = 5000}, voice_id = req_id,
  input_type = one_of({"text", "ssml"}), speed = num(0.5, 2.0), language = id, locale = id,
}}

local function speech(req, st)
  local body, err = body_object(req)
  err = err or check(body, TTS_RULE, "") or M.check_voice(st, body.voice_id, "voice_id")
  if err then return err end
  if not STARFISH[M.usable(st, body.voice_id).language] then
    return fail(400, "voice_not_usable", "Voice " .. body.voice_id .. " does not support the starfish engine",
                "voice_id")
  end
  local speed = body.speed ~= null and body.speed or 1
  local words, t = {}, 0
  for word in body.text:gmatch("%S+") do
    local len = (0.12 + 0.05 * #word) / speed
    words[#words + 1] = {word = word, start = t, ["end"] = t + len}
    t = t + len + 0.04 / speed
  end
  local rid = st:id(20)
  return v3({audio_url = st:signed_url(req, "speech_" .. rid .. ".wav"), duration = t,
             request_id = "req_" .. rid, word_timestamps = reply.array(words)})
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
  {"POST", "/v3/voices/speech", speech},
  {"GET", "/v3/voices", list},
  {"GET", "/v3/voices/([^/]+)", get},
  {"DELETE", "/v3/voices/([^/]+)", delete},
}

return M
