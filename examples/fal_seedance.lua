#!/usr/bin/env heygen-lua
--- Seedance 2.0 on fal.ai, straight through the queue API: text-, image- or
-- reference-to-video, with the queue position and fal's log lines as it runs.
--
--   heygen-lua examples/fal_seedance.lua --prompt "Shot 1 (wide, slow push-in): ..." --out knight.mp4
--   heygen-lua examples/fal_seedance.lua --prompt "She turns to the camera" \
--     --image https://example.com/first.png --duration 8 --aspect 9:16 --fast
--   heygen-lua examples/fal_seedance.lua --prompt "@Image1 walks in" --reference https://example.com/a.png
--
-- Durations are "auto" or 4..15 seconds; --fast is cheaper ($0.2419/s against
-- $0.3034/s) and meant for previews and b-roll. Exit codes: 0 done, 1 API or
-- network error, 2 usage or rejected input, 3 auth, 4 timeout (resume with
-- --resume fal:MODEL:REQUEST_ID, do not submit again). Without FAL_KEY (or
-- HEYGEN_API_KEY) it starts the offline emulator and says so.
local cli = require "heygen.cli"

local spec = {
  name = "fal_seedance.lua",
  summary = "Make a Seedance 2.0 video on fal.ai (text, first frame or references) and download it.",
  options = {
    { "prompt", "string", "what the video shows; name references @Image1, @Image2, ..." },
    { "image", "string", "first frame (image-to-video)", metavar = "URL" },
    { "end-image", "string", "last frame (with --image)", metavar = "URL" },
    { "reference", "list", "reference images (reference-to-video), at most 9", metavar = "URL[,URL...]" },
    { "duration", "string", "auto or 4..15 seconds", default = "auto" },
    { "aspect", "string", "auto, 21:9, 16:9, 4:3, 1:1, 3:4 or 9:16", default = "auto" },
    { "resolution", "string", "480p or 720p (standard also 1080p, 4k)", default = "720p" },
    { "fast", "flag", "the fast tier: cheaper, for previews and b-roll" },
    { "no-audio", "flag", "no generated audio (the price stays the same)" },
    { "out", "string", "where to write the MP4 (default: JOB_ID.mp4 here)", metavar = "PATH" },
    { "timeout", "number", "seconds to wait for the render (then exit 4)", default = 900, metavar = "SECONDS" },
    { "resume", "string", "wait for and download a request already submitted", metavar = "fal:MODEL:REQUEST_ID" },
    { "quiet", "flag", "no progress output" },
  },
}

local opts = cli.parse(arg, spec)
if not opts.resume and not opts.prompt then cli.usage(spec, "--prompt is required (or --resume fal:MODEL:ID)") end
if opts.reference and opts.image then cli.usage(spec, "--reference and --image do not go together") end

-- The model and its input: fal's own field names (fal-api.md 3.2).
local function request()
  local mode = opts.reference and "reference" or opts.image and "image" or "text"
  local model = "bytedance/seedance-2.0/" .. (opts.fast and "fast/" or "") .. mode .. "-to-video"
  local input = { prompt = opts.prompt, duration = opts.duration, aspect_ratio = opts.aspect,
    resolution = opts.resolution, generate_audio = not opts["no-audio"] }
  if mode == "image" then input.image_url, input.end_image_url = opts.image, opts["end-image"] end
  if mode == "reference" then input.image_urls = opts.reference end
  return model, input
end

local hg, emu = cli.connect()

local job = cli.start_job(spec, opts, hg, emu, function() return hg:fal_submit(request()) end)

-- fal's log lines printed as they arrive, above the progress line.
local function show_logs(j, end_line)
  for _, line in ipairs(j.new_logs or {}) do
    if not opts.quiet then
      end_line()
      io.stderr:write("fal: ", tostring(line.message), "\n")
    end
  end
end

local value, err = cli.deliver(job, opts.out, opts, { on_progress = show_logs })
if value and value.path then
  value.model, value.request_id, value.log_lines = job.model_id, job.id, job.logs and #job.logs or 0
end
cli.finish(opts, value, err, emu)
