#!/usr/bin/env heygen-lua
--- Text-to-video (or image-to-video) from the command line, with the provider
-- best suited to the request (HeyGen workflows or fal.ai) and a real fallback
-- to the next one when it fails:
--
--   heygen-lua examples/generate.lua --prompt "A drone shot over a coastal city" --out city.mp4
--   heygen-lua examples/generate.lua --prompt "..." --provider seedance_2 --aspect 9:16 --out clip.mp4
--   heygen-lua examples/generate.lua --prompt "..." --provider kling_pro,veo_3_1 --json
--
-- Exit codes: 0 done, 1 API/network error, 2 usage, 3 auth, 4 timeout: the job
-- keeps running remotely, so resume it with --resume KIND:ID (printed on
-- stderr and in the --json output) instead of submitting it again.
-- Without HEYGEN_API_KEY or FAL_KEY it starts the offline emulator and says so.
local cli = require "heygen.cli"

local spec = {
  name = "generate.lua",
  summary = "Generate a video from a prompt with the best provider for it (HeyGen workflows or fal.ai),\n"
    .. "falling back to the next one when it fails, and download it.",
  options = {
    { "prompt", "string", "what the video shows (required unless --resume)" },
    { "provider", "list", "auto, a provider (veo_3_1, kling_pro, seedance_2, ...) or several, tried in order",
      default = "auto", metavar = "NAME[,NAME...]" },
    { "aspect", "string", "aspect ratio: 16:9, 9:16, 1:1, 21:9, 4:3 or 3:4", default = "16:9" },
    { "duration", "number", "seconds of video (the provider's default when not given)" },
    { "image", "string", "URL of a first frame (image-to-video)", metavar = "URL" },
    { "intent", "string", "what the clip is for: cinematic, social, product, dialogue, ... (ranking)" },
    { "max-cost", "number", "the most dollars to spend, fallbacks included", metavar = "USD" },
    { "no-fallback", "flag", "stop at the first provider's failure" },
    { "out", "string", "where to write the MP4 (default: JOB_ID.mp4 here)", metavar = "PATH" },
    { "timeout", "number", "seconds to wait for the render (then exit 4)", default = 900, metavar = "SECONDS" },
    { "resume", "string", "wait for and download a job already submitted, instead of a new one",
      metavar = "KIND:ID" },
    { "quiet", "flag", "no progress output" },
  },
}

local opts = cli.parse(arg, spec)
if not opts.resume and not opts.prompt then cli.usage(spec, "--prompt is required (or --resume KIND:ID)") end

local hg, emu = cli.connect()

local job = cli.start_job(spec, opts, hg, emu, function()
  local provider = opts.provider
  if type(provider) == "table" and #provider == 1 then provider = provider[1] end
  return hg:generate {
    prompt = opts.prompt, provider = provider, aspect_ratio = opts.aspect, duration = opts.duration,
    image_url = opts.image, intent = opts.intent, max_cost = opts["max-cost"], fallback = not opts["no-fallback"],
  }
end)

local value, err = cli.deliver(job, opts.out, opts)
if value then
  value.provider, value.gateway = job.provider, job.gateway
  value.attempts = job.attempts and #job.attempts or 1
end
cli.finish(opts, value, err, emu)
