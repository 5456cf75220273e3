#!/usr/bin/env heygen-lua
--- The avatars and voices your key can use, to pick ids for the other examples:
--   heygen-lua examples/list_avatars_voices.lua --gender female --language English
--   heygen-lua examples/list_avatars_voices.lua --json > catalogue.json
-- Filters compare case-insensitively ("Female" and "female" both match).
-- Without HEYGEN_API_KEY it runs against the offline emulator (and says so).
local cli = require "heygen.cli"

local opts = cli.parse(arg, {
  name = "list_avatars_voices.lua",
  summary = "List avatars (with their default voice) and voices, filtered by gender and language.",
  options = {
    { "gender", "string", "female or male" },
    { "language", "string", "voice language, e.g. English" },
    { "avatars-only", "flag", "skip the voices" },
    { "voices-only", "flag", "skip the avatars" },
  },
})

local hg, emu = cli.connect()
local out = {}

if not opts["voices-only"] then
  local list, err = hg:avatars()
  if not list then cli.finish(opts, nil, err, emu) end
  out.avatars = {}
  for _, a in ipairs(list.avatars) do
    if not opts.gender or (a.gender or ""):lower() == opts.gender:lower() then
      out.avatars[#out.avatars + 1] = { avatar_id = a.avatar_id, avatar_name = a.avatar_name, gender = a.gender,
        default_voice_id = a.default_voice_id, premium = a.premium }
    end
  end
  out.talking_photos = list.talking_photos
end

if not opts["avatars-only"] then
  local voices, err = hg:voices { gender = opts.gender, language = opts.language }
  if not voices then cli.finish(opts, nil, err, emu) end
  out.voices = {}
  for i, v in ipairs(voices) do
    out.voices[i] = { voice_id = v.voice_id, name = v.name, language = v.language, gender = v.gender }
  end
end

if opts.json then cli.finish(opts, out, nil, emu) end
for _, a in ipairs(out.avatars or {}) do
  print(string.format("avatar  %-32s %-28s %-7s voice %s", a.avatar_id, a.avatar_name, tostring(a.gender),
    a.default_voice_id or "(none)"))
end
for _, v in ipairs(out.voices or {}) do
  print(string.format("voice   %-32s %-28s %-7s %s", v.voice_id, v.name, v.gender, v.language))
end
if emu then emu:stop() end
