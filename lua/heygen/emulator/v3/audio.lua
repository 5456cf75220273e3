-- heygen.emulator.v3.audio: the sound catalogue search (GET /v3/audio/sounds, the contract's
-- AudioSoundsList). Query: query (required, the words searched), type (music |
-- sound_effects), limit (1-50, default 10), min_score (0-1), token. A track's score is the
-- share of the query's words found in its name, description and tags (M.SOUNDS); tracks
-- matching no word or under min_score are left out; best first, then by id.
local reply = require "heygen.emulator.reply"
local S = require "heygen.emulator.v3.support"

local paginate, positions, by_position, invalid = S.paginate, S.positions, S.by_position, S.invalid

local M = {}

M.SOUNDS = {
  {id = "snd_upbeat_corporate", name = "Upbeat Corporate", type = "music", duration = 120.0, peak_offset = 34.5,
   description = "Bright, optimistic background music for business and product videos", tags = "happy positive"},
  {id = "snd_calm_piano", name = "Calm Piano", type = "music", duration = 95.0, peak_offset = 41.0,
   description = "Soft solo piano for explainers and tutorials", tags = "relaxing gentle background"},
  {id = "snd_epic_trailer", name = "Epic Trailer", type = "music", duration = 75.0, peak_offset = 58.2,
   description = "Cinematic orchestra and drums that build to a big finish", tags = "dramatic intense"},
  {id = "snd_lofi_beat", name = "Lo-fi Beat", type = "music", duration = 150.0, peak_offset = 12.0,
   description = "Relaxed hip hop beat for social videos", tags = "chill background"},
  {id = "sfx_whoosh", name = "Whoosh", type = "sound_effects", duration = 1.2, placement = "transition",
   description = "A fast air whoosh for scene transitions", tags = "swoosh swipe"},
  {id = "sfx_applause", name = "Applause", type = "sound_effects", duration = 6.5, placement = "end",
   description = "A crowd clapping and cheering", tags = "clap audience"},
  {id = "sfx_click", name = "Mouse Click", type = "sound_effects", duration = 0.3, placement = "action",
   description = "A single computer mouse click", tags = "button ui"},
  {id = "sfx_ding", name = "Notification Ding", type = "sound_effects", duration = 0.8, placement = "start",
   description = "A bright bell ding for notifications and highlights", tags = "bell chime alert"},
}
local TYPES = {music = true, sound_effects = true}

local function words(s)
  local out = {}
  for w in s:lower():gmatch("[%w']+") do out[#out + 1] = w end
  return out
end

-- The share of the query's words the track's text holds (a word matches a word it starts).
local function score(track, qwords)
  local text = " " .. table.concat(words(track.name .. " " .. track.description .. " " .. track.tags), " ")
  local hits = 0
  for _, w in ipairs(qwords) do
    if text:find(" " .. w, 1, true) then hits = hits + 1 end
  end
  return math.floor(hits / #qwords * 1000 + 0.5) / 1000
end

local function number_arg(q, name, lo, hi)
  local raw = q[name]
  if raw == nil or raw == "" then return nil end
  local n = tonumber(raw)
  if not n or n < lo or n > hi then
    return nil, invalid(name, "must be a number from " .. lo .. " to " .. hi, raw)
  end
  return n
end

local function search(req, st)
  local q = req.query
  if q.query == nil or not q.query:find("%S") then
    return invalid("query", "is required (the words to search for)", q.query or reply.null)
  end
  if q.type and q.type ~= "" and not TYPES[q.type] then
    return invalid("type", "must be one of music, sound_effects", q.type)
  end
  local min_score, bad = number_arg(q, "min_score", 0, 1)
  if bad then return bad end
  local qwords = words(q.query)
  if #qwords == 0 then return invalid("query", "must hold at least one word", q.query) end
  local found = {}
  for _, t in ipairs(M.SOUNDS) do
    local s = score(t, qwords)
    if (not q.type or q.type == "" or t.type == q.type) and s > 0 and s >= (min_score or 0) then
      found[#found + 1] = {track = t, score = s}
    end
  end
  table.sort(found, function(a, b)
    if a.score ~= b.score then return a.score > b.score end
    return a.track.id < b.track.id
  end)
  local base = st:base(req)
  -- the scope names the search, so a token only continues the same one
  local scope = "sounds " .. q.query .. " " .. (q.type or "") .. " " .. tostring(min_score)
  return paginate(req, st, scope, positions(found), by_position, 10, 50, function(p)
    local t = p.item.track
    return {id = t.id, name = t.name, description = t.description, type = t.type, score = p.item.score,
            audio_url = base .. "/static/sounds/" .. t.id .. ".wav", duration = t.duration,
            peak_offset = t.peak_offset or reply.null, placement = t.placement or reply.null}
  end)
end

M.routes = {
  {"GET", "/v3/audio/sounds", search},
}

return M
