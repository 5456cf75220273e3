#!/usr/bin/env heygen-lua
--- Image-to-video: animate a still (a local file is uploaded first, a URL is used as is),
-- optionally towards a last frame:
--   heygen-lua examples/image_to_video.lua --image product.png --prompt "The camera slowly orbits the bottle" \
--     --tail https://example.com/last-frame.png --out orbit.mp4
-- Without HEYGEN_API_KEY it runs against the offline emulator (and says so).
local cli = require "heygen.cli"
local rules = require "heygen.api.rules"

local opts = cli.parse(arg, {
  name = "image_to_video.lua",
  summary = "Animate an image (a local file or an http(s) URL) into a video clip, and download it.",
  options = cli.output_options({
    { "image", "string", "the first frame: a .jpg/.png file (uploaded) or an http(s) URL", required = true },
    { "prompt", "string", "how the image should move", required = true },
    { "tail", "string", "an optional last frame: a file or a URL" },
    { "provider", "string", table.concat(rules.WORKFLOW_PROVIDERS, ", "), default = rules.DEFAULT_PROVIDER },
    { "aspect", "string", table.concat(rules.WORKFLOW_ASPECT_RATIOS, ", "), default = rules.DEFAULT_ASPECT_RATIO },
  }, { timeout = 900 }),
})

local hg, emu = cli.connect()

-- A URL as it is; a local file uploaded as an asset, whose URL the workflow reads.
local function image_url(source)
  if source == nil or source:match("^https?://") then return source end
  local asset, err = hg:upload_asset(source)
  if not asset then cli.finish(opts, nil, err, emu) end
  if not opts.quiet then io.stderr:write("uploaded ", source, " as asset ", asset.id, "\n") end
  return asset.url
end

local first, last = image_url(opts.image), image_url(opts.tail)
local job, err = hg:generate_video {
  prompt = opts.prompt, provider = opts.provider, aspect_ratio = opts.aspect,
  reference_image_url = first, tail_image_url = last,
}
if not job then cli.finish(opts, nil, err, emu) end

local value
value, err = cli.deliver(job, opts.out, opts)
if value then value.reference_image_url, value.tail_image_url = first, last end
cli.finish(opts, value, err, emu)
