#!/usr/bin/env heygen-lua
--- Text-to-video with a HeyGen workflow provider (VEO, Kling, Sora, Runway, Seedance, LTX):
--   heygen-lua examples/text_to_video.lua --prompt "A drone shot over a coastal city at golden hour" \
--     --provider kling_pro --aspect 16:9 --out city.mp4
-- Without HEYGEN_API_KEY it runs against the offline emulator (and says so).
-- HEYGEN_API=v3 runs the same script on HeyGen's v3 endpoints.
local cli = require "heygen.cli"
local rules = require "heygen.api.rules"

local opts = cli.parse(arg, {
  name = "text_to_video.lua",
  summary = "Turn a text prompt into a video clip with one of HeyGen's workflow providers, and download it.",
  options = cli.output_options({
    { "prompt", "string", "what the video shows", required = true },
    { "provider", "string", table.concat(rules.WORKFLOW_PROVIDERS, ", "), default = rules.DEFAULT_PROVIDER },
    { "aspect", "string", table.concat(rules.WORKFLOW_ASPECT_RATIOS, ", "), default = rules.DEFAULT_ASPECT_RATIO },
    { "config", "object", "provider overrides as a JSON object, e.g. '{\"duration\":8}'" },
  }, { timeout = 900 }),
})

local hg, emu = cli.connect()
local job, err = hg:generate_video {
  prompt = opts.prompt, provider = opts.provider, aspect_ratio = opts.aspect, config = opts.config,
}
if not job then cli.finish(opts, nil, err, emu) end

local value
value, err = cli.deliver(job, opts.out, opts)
if value then value.provider = job.provider end
cli.finish(opts, value, err, emu)
