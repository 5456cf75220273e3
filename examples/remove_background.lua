#!/usr/bin/env heygen-lua
--- Background removal: the subject of a video on a transparent background, downloaded:
--   heygen-lua examples/remove_background.lua --video-url https://example.com/talk.mp4 --out talk-fg.webm
--   heygen-lua examples/remove_background.lua --video ./talk.mp4 --layers foreground,mask --json
--   heygen-lua examples/remove_background.lua --resume background_removal:<job id> --out talk-fg.webm
-- A local --video is uploaded first (hg:upload_asset). The job's result lists every layer
-- asked for (foreground, mask, background: presigned URLs); the foreground is downloaded.
-- The create carries a request_id (the call's idempotency key), so a retry never makes a
-- second job. A v3 endpoint: it works the same with HEYGEN_API=v2 or v3.
local cli = require "heygen.cli"

local spec = {
  name = "remove_background.lua",
  summary = "Remove a video's background with HeyGen and download the foreground layer.",
  options = {
    { "video-url", "string", "the video: a public https URL" },
    { "video", "string", "the video: a local file, uploaded first", metavar = "PATH" },
    { "layers", "list", "layers to make: foreground, mask, background (default: all three)" },
    { "title", "string", "a title for the job" },
    { "resume", "string", "follow a job started earlier: background_removal:JOB_ID", metavar = "REF" },
    { "out", "string", "where to write the foreground (default: JOB_ID.webm here)", metavar = "PATH" },
    { "timeout", "number", "seconds to wait (then exit 4)", default = 1800, metavar = "SECONDS" },
    { "quiet", "flag", "no progress output" },
  },
}
local opts = cli.parse(arg, spec)
if not opts.resume and not opts["video-url"] == not opts.video then
  cli.usage(spec, "give one of --video-url or --video (or --resume REF)")
end

local hg, emu = cli.connect()

-- every field is checked before anything is sent: a bad URL, an unknown layer
local job = cli.start_job(spec, opts, hg, emu, function()
  local video = opts["video-url"]
  if opts.video then
    local asset, err = hg:upload_asset(opts.video)
    if not asset then return nil, err end
    video = { type = "asset_id", asset_id = asset.id }
  end
  return hg:remove_background { video = video, layers = opts.layers, title = opts.title }
end)

local value, err = cli.deliver(job, opts.out, opts, { extension = ".webm" })
cli.finish(opts, value, err, emu)
