#!/usr/bin/env heygen-lua
--- A talking avatar as a WebM with a transparent background, to lay over other footage
-- (studio avatars only; styles normal or closeUp):
--   heygen-lua examples/webm_overlay.lua --text "Hi, I'm your guide." --out guide.webm
--   heygen-lua examples/webm_overlay.lua --audio-asset <asset id of an uploaded MP3> --out guide.webm
-- Without HEYGEN_API_KEY it runs against the offline emulator (and says so).
local cli = require "heygen.cli"

local opts = cli.parse(arg, {
  name = "webm_overlay.lua",
  summary = "Render an avatar on a transparent background (WebM) from text or an audio asset, and download it.",
  options = cli.output_options({
    { "text", "string", "what the avatar says (with --voice)" },
    { "audio-asset", "string", "or: the asset id of uploaded speech (see hg:upload_asset)" },
    { "avatar", "string", "studio avatar pose id", default = "Vanessa-invest-20220722" },
    { "voice", "string", "voice id for --text", default = "1bd001e7e50f421d891986aad5158bc8" },
    { "style", "string", "normal or closeUp", default = "normal" },
    { "width", "number", "video width", default = 1280 },
    { "height", "number", "video height", default = 720 },
  }, { timeout = 1800, file = "WebM" }),
})

local hg, emu = cli.connect()
-- input_text + voice_id, or input_audio: the call refuses both or neither before sending
local job, err = hg:create_webm {
  avatar_pose_id = opts.avatar, avatar_style = opts.style,
  input_text = opts.text, voice_id = opts.text and opts.voice or nil, input_audio = opts["audio-asset"],
  dimension = { width = opts.width, height = opts.height },
}
if not job then cli.finish(opts, nil, err, emu) end

local value
value, err = cli.deliver(job, opts.out, opts, { extension = ".webm" })
cli.finish(opts, value, err, emu)
