#!/usr/bin/env heygen-lua
--- Text-to-video (or image-to-video) from the command line:
--   heygen-lua examples/generate.lua --prompt "A drone shot over a coastal city" --out city.mp4
-- Without HEYGEN_API_KEY it starts the offline emulator and says so.
local cli = require "heygen.cli"

local opts = cli.parse(arg, {
  name = "generate.lua",
  summary = "Generate a video from a text prompt with a HeyGen workflow provider, and download it.",
  options = {
    { "prompt", "string", "what the video shows", required = true },
    { "provider", "string", "veo_3_1, veo_3_1_fast, kling_pro, sora_v2, seedance_pro, ...", default = "veo_3_1" },
    { "aspect", "string", "16:9, 9:16 or 1:1", default = "16:9" },
    { "image", "string", "reference image URL (image-to-video)" },
    { "out", "string", "where to write the MP4", default = "video.mp4" },
    { "timeout", "number", "seconds to wait for the render", default = 900 },
    { "quiet", "flag", "no progress output" },
  },
})

local hg, emu = cli.connect()
local on_job, on_download, done = cli.progress(opts.quiet)

local job, err = hg:generate_video {
  prompt = opts.prompt, provider = opts.provider, aspect_ratio = opts.aspect,
  reference_image_url = opts.image,
}
if not job then cli.finish(opts, nil, err, emu) end

local result
result, err = job:wait { timeout = opts.timeout, on_progress = on_job }
if not result then done() cli.finish(opts, nil, err, emu) end

local path
path, err = job:download(opts.out, { on_progress = on_download })
done()
if not path then cli.finish(opts, nil, err, emu) end
cli.finish(opts, { path = path, job_id = job.id, provider = job.provider, video_url = result.video_url }, nil, emu)
