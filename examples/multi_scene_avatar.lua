#!/usr/bin/env heygen-lua
--- A multi-scene avatar video: one scene per paragraph of a script file (blank lines
-- between scenes), each with its own background:
--   heygen-lua examples/multi_scene_avatar.lua --script-file lesson.txt --avatar Abigail_expressive_2024112501 \
--     --out lesson.mp4
-- Without --script-file a three-scene demo is used. Pauses are kept as written:
-- <break time="1.5s"/>. Without HEYGEN_API_KEY it runs against the offline emulator.
local cli = require "heygen.cli"
local errors = require "heygen.errors"

local DEMO = {
  'Welcome to the course. <break time="1s"/> Today we look at three ideas.',
  "First: write down the question before you look for an answer.",
  "Second: test the answer on a small example. Thanks for watching!",
}
local BACKGROUNDS = { "#0B1F3A", "#F4F1EA", "#1D3B2A" }

local spec = {
  name = "multi_scene_avatar.lua",
  summary = "Render a multi-scene avatar video (1 to 50 scenes) from a script file, and download it.",
  options = cli.output_options({
    { "script-file", "string", "text file; paragraphs separated by blank lines become scenes" },
    { "avatar", "string", "avatar id (default: the first available avatar with a default voice)" },
    { "voice", "string", "voice id (default: the avatar's default voice)" },
    { "style", "string", "normal, closeUp or circle", default = "normal" },
    { "width", "number", "video width", default = 1920 },
    { "height", "number", "video height", default = 1080 },
    { "title", "string", "video title in your HeyGen library", default = "Multi-scene video" },
    { "caption", "flag", "add captions" },
    { "test", "flag", "test mode: watermarked, no credits used" },
  }, { timeout = 1800 }),
}
local opts = cli.parse(arg, spec)

local function paragraphs(path)
  local f, ferr = io.open(path, "r")
  if not f then cli.usage(spec, "cannot read --script-file: " .. tostring(ferr)) end
  local text = f:read("*a")
  f:close()
  local list = {}
  for para in (text .. "\n\n"):gmatch("(.-)\n%s*\n") do
    para = para:gsub("^%s+", ""):gsub("%s+$", "")
    if para ~= "" then list[#list + 1] = para end
  end
  return list
end

local scripts = opts["script-file"] and paragraphs(opts["script-file"]) or DEMO
local hg, emu = cli.connect()

-- The given avatar and voice, else the first available avatar that has a default voice.
local avatar_id, voice_id = opts.avatar, opts.voice
if not avatar_id or not voice_id then
  local avatar, err
  if avatar_id then
    avatar, err = hg:avatar(avatar_id)
  else
    local list
    list, err = hg:avatars()
    for _, a in ipairs(list and list.avatars or {}) do
      if a.preview_image_url and a.default_voice_id then avatar = a break end
    end
  end
  if not avatar then
    cli.finish(opts, nil, err or errors.new { kind = "not_found", message = "no avatar with a default voice" }, emu)
  end
  avatar_id, voice_id = avatar.avatar_id, voice_id or avatar.default_voice_id
end

local scenes = {}
for i, text in ipairs(scripts) do
  scenes[i] = {
    character = { type = "avatar", avatar_id = avatar_id, avatar_style = opts.style },
    voice = { type = "text", voice_id = voice_id, input_text = text },
    background = { type = "color", value = BACKGROUNDS[(i - 1) % #BACKGROUNDS + 1] },
  }
end
local job, err = hg:create_video {
  video_inputs = scenes, dimension = { width = opts.width, height = opts.height }, title = opts.title,
  caption = opts.caption or nil, test = opts.test or nil,
}
if not job then cli.finish(opts, nil, err, emu) end
if not opts.quiet then io.stderr:write(#scenes, " scenes, avatar ", avatar_id, ", voice ", voice_id, "\n") end

local value
value, err = cli.deliver(job, opts.out, opts)
if value then value.scenes, value.avatar_id, value.voice_id = #scenes, avatar_id, voice_id end
cli.finish(opts, value, err, emu)
