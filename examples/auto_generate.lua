#!/usr/bin/env heygen-lua
--- Let the selector choose: rank every usable provider of both gateways for a
-- request (score, the estimated cost of *this* request, the reasons), then
-- generate with the best one and fall back down the ranking when one fails.
--
--   heygen-lua examples/auto_generate.lua --prompt "A cinematic trailer shot of a knight at dawn"
--   heygen-lua examples/auto_generate.lua --prompt "a sneaker turning" --intent product \
--     --image https://example.com/shoe.png --max-cost 1.50
--   heygen-lua examples/auto_generate.lua --prompt "a dance clip" --intent social --dry-run --json
--
-- Intents: cinematic, explainer, social, product, b_roll, dialogue, animation,
-- cheapest, fastest, general (suggested by the prompt when not given).
-- Exit codes: 0 done, 1 API or network error (every attempt is listed), 2 usage
-- or a request no provider can make, 3 auth, 4 timeout (resume with --resume,
-- do not submit again). Without HEYGEN_API_KEY or FAL_KEY it starts the
-- offline emulator and says so.
local cli = require "heygen.cli"

local spec = {
  name = "auto_generate.lua",
  summary = "Rank the providers for a prompt, show why, then generate with the best one and fall back.",
  options = {
    { "prompt", "string", "what the video shows", required = true },
    { "intent", "string", "cinematic, explainer, social, product, b_roll, dialogue, animation, cheapest, fastest" },
    { "duration", "number", "seconds of video (each provider's nearest length)" },
    { "aspect", "string", "16:9, 9:16, 1:1, 21:9, 4:3 or 3:4" },
    { "image", "string", "first frame (image-to-video)", metavar = "URL" },
    { "audio", "flag", "only providers that generate audio" },
    { "no-audio", "flag", "no generated audio (cheaper on Kling and Veo)" },
    { "max-cost", "number", "the most dollars to spend, fallbacks included", metavar = "USD" },
    { "speed", "string", "fast, normal or slow: how much render time weighs", default = "normal" },
    { "provider", "list", "only these providers, tried in this order", metavar = "NAME[,NAME...]" },
    { "max-attempts", "number", "providers to try at most", default = 3 },
    { "no-fallback", "flag", "stop at the first provider's failure" },
    { "top", "number", "how many candidates to show", default = 5, min = 1 },
    { "dry-run", "flag", "only show the ranking, render nothing" },
    { "out", "string", "where to write the MP4 (default: JOB_ID.mp4 here)", metavar = "PATH" },
    { "timeout", "number", "seconds to wait for the render (then exit 4)", default = 900, metavar = "SECONDS" },
    { "quiet", "flag", "no ranking or progress output" },
  },
}

local opts = cli.parse(arg, spec)
if opts.audio and opts["no-audio"] then cli.usage(spec, "--audio and --no-audio do not go together") end

local request = {
  prompt = opts.prompt, intent = opts.intent, duration = opts.duration, aspect_ratio = opts.aspect,
  image_url = opts.image, max_cost = opts["max-cost"], speed = opts.speed, provider = opts.provider,
}
if opts.audio then request.audio = true elseif opts["no-audio"] then request.audio = false end

local function ranking_line(i, c)
  return string.format("%2d. %-18s %-6s score %.3f  $%.2f  %s", i, c.provider, c.gateway, c.score, c.est_cost,
    table.concat(c.reasons, "; "))
end

-- The top candidates, people's words: on stderr before a render, or as the
-- result of --dry-run (stdout).
local function show_ranking(list, excluded, out)
  io.stderr:write(list.intent_reason, "\n")
  local lines = {}
  for i = 1, math.min(opts.top, #list) do lines[i] = ranking_line(i, list[i]) end
  out:write(table.concat(lines, "\n"), "\n")
  if #list > opts.top then
    io.stderr:write(string.format("    (%d more ranked; --top N shows them)\n", #list - opts.top))
  end
  if #excluded > 0 then
    io.stderr:write(string.format("    (%d left out, e.g. %s: %s)\n", #excluded, excluded[1].provider,
      excluded[1].reasons[1]))
  end
end

local hg, emu = cli.connect()

local list, excluded = hg:select(request)
if not list then cli.finish(opts, nil, excluded, emu) end
if opts["dry-run"] then
  if not opts.json then
    show_ranking(list, excluded, io.stdout)
    cli.finish(opts, { text = "" }, nil, emu)
  end
  local ranking = {}
  for i = 1, math.min(opts.top, #list) do
    local c = list[i]
    ranking[i] = { provider = c.provider, gateway = c.gateway, model = c.model, score = c.score,
      est_cost = c.est_cost, duration = c.duration, reasons = c.reasons }
  end
  cli.finish(opts, { intent = list.intent, ranked = #list, ranking = ranking }, nil, emu)
end
if not opts.quiet then show_ranking(list, excluded, io.stderr) end

request.fallback, request.max_attempts = not opts["no-fallback"], opts["max-attempts"]
local job, err = hg:generate(request)
if not job then cli.finish(opts, nil, err, emu) end

local value
value, err = cli.deliver(job, opts.out, opts)
if value then
  value.provider, value.gateway, value.spent = job.provider, job.gateway, job.spent
  value.attempts = {}
  for i, a in ipairs(job.attempts) do
    value.attempts[i] = { provider = a.provider, gateway = a.gateway, job_id = a.job_id,
      error = a.error and tostring(a.error) or nil }
  end
  if not opts.quiet and #job.attempts > 1 then
    io.stderr:write(string.format("made by %s after %d attempts\n", job.provider, #job.attempts))
  end
end
cli.finish(opts, value, err, emu)
