-- heygen.emulator.seed: the catalogue the emulator starts with (avatars, talking photos,
-- voices, templates, translation languages) and 250 older videos for GET /v1/video.list.
--
-- Shapes follow docs/heygen-api.md sections 3.5-3.12. Media links are paths on the
-- emulator itself (routes prefix them with the base URL the client used).
local M = {}

-- default_voice_id of nil means JSON null: an avatar with no default voice.
M.avatars = {
  {avatar_id = "Abigail_expressive_2024112501", avatar_name = "Abigail (Upper Body)", gender = "female",
   premium = false, tags = {"NEW", "AVATAR_IV"}, default_voice_id = "1bd001e7e50f421d891986aad5158bc8"},
  {avatar_id = "Kristin_public_3_20240108", avatar_name = "Kristin in Black Suit", gender = "female",
   premium = false, tags = {}, default_voice_id = "2f72ee82b83d4b00af16c4771d611752"},
  {avatar_id = "Josh_lite3_20230714", avatar_name = "Josh", gender = "male",
   premium = false, tags = {"AVATAR_IV"}, default_voice_id = "077ab11b14f04ce0b49b5f6e5cc20979"},
  {avatar_id = "Tyler-incasualsuit-20220721", avatar_name = "Tyler in Casual Suit", gender = "male",
   premium = true, tags = {"PREMIUM"}, default_voice_id = "6be73833ef9a4eb0aeee399b8fe9d62b"},
  {avatar_id = "Daisy-inskirt-20220818", avatar_name = "Daisy in Skirt", gender = "female",
   premium = false, tags = {}, default_voice_id = nil},
  {avatar_id = "Vanessa-invest-20220722", avatar_name = "Vanessa (Invest)", gender = "female",
   premium = false, tags = {"WEBM"}, default_voice_id = "1bd001e7e50f421d891986aad5158bc8"},
  {avatar_id = "Wayne_20240711", avatar_name = "Wayne", gender = "male",
   premium = false, tags = {"NEW"}, default_voice_id = nil},
}

M.talking_photos = {
  {talking_photo_id = "6013fc758b5446a2ba17d8c459538bb4", talking_photo_name = "Veronica"},
  {talking_photo_id = "a1c3e5f7092b4d6e8f0a1b2c3d4e5f60", talking_photo_name = "Marcus"},
}

-- gender casing is mixed on purpose: the docs show both "Female" and "female".
M.voices = {
  {voice_id = "1bd001e7e50f421d891986aad5158bc8", language = "English", gender = "Female",
   name = "Sara - Cheerful", support_pause = true, emotion_support = false, support_interactive_avatar = false},
  {voice_id = "2f72ee82b83d4b00af16c4771d611752", language = "English", gender = "female",
   name = "Jenny - Professional", support_pause = true, emotion_support = true, support_interactive_avatar = true},
  {voice_id = "077ab11b14f04ce0b49b5f6e5cc20979", language = "English", gender = "Male",
   name = "Paul - Natural", support_pause = true, emotion_support = true, support_interactive_avatar = true},
  {voice_id = "6be73833ef9a4eb0aeee399b8fe9d62b", language = "English", gender = "male",
   name = "Ryan - Broadcaster", support_pause = false, emotion_support = false, support_interactive_avatar = false},
  {voice_id = "d7bbcdd6964c47bdaae26decade4a933", language = "Spanish", gender = "Female",
   name = "Elena - Cálida", support_pause = true, emotion_support = false, support_interactive_avatar = false},
  {voice_id = "3b1633a466c44379bf8b5a2884727588", language = "Spanish", gender = "male",
   name = "Diego - Narrador", support_pause = true, emotion_support = false, support_interactive_avatar = false},
  {voice_id = "c8e176c17f814004885fd590e03ff99f", language = "French", gender = "female",
   name = "Camille - Douce", support_pause = true, emotion_support = false, support_interactive_avatar = false},
  {voice_id = "8a44173a8ac0413ba9d7d9ec1b6c5e2f", language = "German", gender = "Male",
   name = "Lukas - Klar", support_pause = true, emotion_support = false, support_interactive_avatar = false},
  {voice_id = "f5b1d1c0e3a24e52b0f7a7b9c6d8e4a1", language = "Japanese", gender = "Female",
   name = "Hana - Friendly", support_pause = false, emotion_support = false, support_interactive_avatar = false},
  {voice_id = "9e0c2f3a4b5d4c6e8f1a2b3c4d5e6f70", language = "Portuguese", gender = "male",
   name = "Thiago - Calmo", support_pause = true, emotion_support = false, support_interactive_avatar = false},
}

-- variables keyed by name (docs 3.9); `scenes` as the New AI Studio templates carry them.
M.templates = {
  {template_id = "22a48da453ef4c014a6a60d827a02f0b", name = "My Template # 1", aspect_ratio = "landscape",
   thumbnail = nil, version = "4",
   variables = {
     first_name = {name = "first_name", type = "text", properties = {content = "John"}},
     product = {name = "product", type = "text", properties = {content = "HeyGen"}},
     script1_voice = {name = "script1_voice", type = "voice",
                      properties = {voice_id = "1ae3be1e24894ccabdb4d8139399f721"}},
     logo = {name = "logo", type = "image",
             properties = {url = "https://example.com/logo.png", asset_id = nil, fit = "contain"}},
   },
   scenes = {{id = "scene_intro", script = "Hi {{first_name}}!"},
             {id = "scene_pitch", script = "Meet {{product}}."}}},
  {template_id = "7c5e9a1b3d2f4e6a8b0c1d2e3f4a5b6c", name = "Vertical promo", aspect_ratio = "portrait",
   thumbnail = "/static/templates/7c5e9a1b3d2f4e6a8b0c1d2e3f4a5b6c.jpg", version = "4",
   variables = {
     headline = {name = "headline", type = "text", properties = {content = "Summer sale"}},
     presenter = {name = "presenter", type = "character",
                  properties = {character_id = "Josh_lite3_20230714", type = "avatar"}},
     background_clip = {name = "background_clip", type = "video",
                        properties = {url = "https://example.com/bg.mp4", play_style = "loop", fit = "cover"}},
     jingle = {name = "jingle", type = "audio", properties = {url = "https://example.com/jingle.mp3"}},
   },
   scenes = {{id = "scene_main", script = "{{headline}}"}}},
}

M.languages = {
  "English", "English - Your Accent", "English - American Accent", "English - British Accent",
  "Spanish (Spain)", "Spanish (Mexico)", "French (France)", "French (Canada)", "German (Germany)",
  "Italian (Italy)", "Portuguese (Brazil)", "Portuguese (Portugal)", "Dutch (Netherlands)",
  "Polish (Poland)", "Turkish (Turkey)", "Russian (Russia)", "Japanese (Japan)", "Korean (Korea)",
  "Chinese (Mandarin, Simplified)", "Hindi (India)", "Arabic (Saudi Arabia)", "Indonesian (Indonesia)",
}

local function index(list, key)
  local t = {}
  for _, item in ipairs(list) do t[item[key]] = item end
  return t
end

M.catalogue = {
  avatars = M.avatars, avatar_by_id = index(M.avatars, "avatar_id"),
  talking_photos = M.talking_photos, talking_photo_by_id = index(M.talking_photos, "talking_photo_id"),
  voices = M.voices, voice_by_id = index(M.voices, "voice_id"),
  templates = M.templates, template_by_id = index(M.templates, "template_id"),
  languages = M.languages, language_by_name = {},
}
for _, name in ipairs(M.languages) do M.catalogue.language_by_name[name:lower()] = name end

M.VIDEO_COUNT = 250

--- Adds the 250 seeded videos, oldest first, one an hour back from now: mostly
--- completed, some failed, processing and draft; every 7th a translation.
function M.videos(state)
  local t0 = math.floor(state:now())
  local v0 = state:vnow()
  for i = M.VIDEO_COUNT, 1, -1 do
    local translated = i % 7 == 0
    local job = {
      id = string.format("%08x%024x", 0x5eed0000 + i, i),
      title = "Seeded video " .. i, list_type = translated and "TRANSLATED" or "GENERATED",
      created_at = t0 - i * 3600, created_v = v0 - i * 3600, seeded = true,
      ext = "mp4",
    }
    if i % 31 == 0 then
      job.fixed_status = "draft"
    elseif i % 23 == 0 then
      job.stuck = true
    elseif i % 17 == 0 then
      job.forced = "failed"
    else
      job.forced = "done"
    end
    state:create_job(translated and "translate" or "video", job)
  end
end

return M
