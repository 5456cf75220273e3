#!/usr/bin/env heygen-lua
--- A vertical (9:16, 1080x1920) presenter video for social feeds, with burnt-in captions:
--   heygen-lua examples/social_vertical.lua --script "Three tips for better sleep. <break time=\"1s\"/> One: ..." \
--     --out tips.mp4
-- The avatar is the given one or the first available, speaking with its default voice
-- (or a voice of its gender when it has none); the script says which it chose.
-- Without HEYGEN_API_KEY it runs against the offline emulator (and says so).
local cli = require "heygen.cli"

local opts = cli.parse(arg, {
  name = "social_vertical.lua",
  summary = "Make a 9:16 presenter video with captions for TikTok, Reels or Shorts, and download it.",
  options = cli.output_options({
    { "script", "string", "what the presenter says (pauses: <break time=\"1s\"/>)", required = true },
    { "avatar", "string", "avatar id (default: the first available)" },
    { "voice", "string", "voice id (default: the avatar's default voice)" },
    { "background", "string", "background colour", default = "#101820" },
    { "no-caption", "flag", "no captions" },
    { "test", "flag", "test mode: watermarked, no credits used" },
  }, { timeout = 1800 }),
})

local hg, emu = cli.connect()
local job, err = hg:avatar_video {
  script = opts.script, avatar_id = opts.avatar, voice_id = opts.voice, background = opts.background,
  dimension = { width = 1080, height = 1920 }, caption = not opts["no-caption"], test = opts.test or nil,
}
if not job then cli.finish(opts, nil, err, emu) end
if not opts.quiet then io.stderr:write("chose ", job.choice_reason, "\n") end

local value
value, err = cli.deliver(job, opts.out, opts)
cli.finish(opts, value, err, emu)
