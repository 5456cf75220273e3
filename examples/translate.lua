#!/usr/bin/env heygen-lua
--- Video translation: dub a video into another language, with lip sync:
--   heygen-lua examples/translate.lua --languages
--   heygen-lua examples/translate.lua --video-url https://example.com/talk.mp4 --language "Spanish (Spain)" \
--     --out talk-es.mp4
-- Languages are display names (see --languages). Translation takes 5-30 minutes.
-- Without HEYGEN_API_KEY it runs against the offline emulator (and says so).
local cli = require "heygen.cli"

local spec = {
  name = "translate.lua",
  summary = "Translate a video into another language (or list the target languages), and download it.",
  options = cli.output_options({
    { "languages", "flag", "list the target languages, then stop" },
    { "video-url", "string", "the video to translate: a public http(s) URL" },
    { "language", "string", "target language, e.g. \"Spanish (Spain)\"" },
    { "title", "string", "title of the translated video" },
    { "mode", "string", "fast or quality (quality costs double)" },
    { "speakers", "number", "number of speakers in the video" },
  }, { timeout = 3600, wait_for = "the translation" }),
}
local opts = cli.parse(arg, spec)
if not opts.languages and not (opts["video-url"] and opts.language) then
  cli.usage(spec, "give --video-url and --language, or --languages")
end

local hg, emu = cli.connect()
if opts.languages then
  local list, err = hg:translate_languages()
  if not list then cli.finish(opts, nil, err, emu) end
  if opts.json then cli.finish(opts, { languages = list }, nil, emu) end
  print(table.concat(list, "\n"))
  if emu then emu:stop() end
  os.exit(cli.EXIT.ok)
end

local job, err = hg:translate_video {
  video_url = opts["video-url"], output_language = opts.language, title = opts.title,
  mode = opts.mode, speaker_num = opts.speakers,
}
if not job then cli.finish(opts, nil, err, emu) end

local value
value, err = cli.deliver(job, opts.out, opts)
cli.finish(opts, value, err, emu)
