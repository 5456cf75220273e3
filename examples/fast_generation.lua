#!/usr/bin/env heygen-lua
--- Fast generation: several variants of one prompt on a fast provider, rendered at the
-- same time, downloaded side by side to pick the best:
--   heygen-lua examples/fast_generation.lua --prompt "A paper boat on a rainy street" --variants 3 --dir drafts
-- On --timeout (exit 4) the renders keep running remotely: finish one with
--   heygen-lua examples/generate.lua --resume workflow:ID --out variant.mp4
-- Without HEYGEN_API_KEY it runs against the offline emulator (and says so).
local heygen = require "heygen"
local cli = require "heygen.cli"

local FAST = { veo_3_1_fast = true, veo3_fast = true, seedance_lite = true, ltx_distilled = true }

local spec = {
  name = "fast_generation.lua",
  summary = "Render several variants of a prompt at once on a fast provider, and download them all.",
  options = {
    { "prompt", "string", "what the video shows", required = true },
    { "provider", "string", "veo_3_1_fast, veo3_fast, seedance_lite or ltx_distilled", default = "veo_3_1_fast" },
    { "variants", "number", "how many variants (1-8)", default = 3 },
    { "aspect", "string", "16:9, 9:16 or 1:1", default = "16:9" },
    { "dir", "string", "directory for variant-1.mp4, variant-2.mp4, ...", default = ".", metavar = "DIR" },
    { "timeout", "number", "seconds to wait for all renders (then exit 4)", default = 600, metavar = "SECONDS" },
    { "quiet", "flag", "no progress output" },
  },
}
local opts = cli.parse(arg, spec)
if not FAST[opts.provider] then cli.usage(spec, "--provider must be a fast one, got " .. opts.provider) end
if opts.variants < 1 or opts.variants > 8 or opts.variants % 1 ~= 0 then
  cli.usage(spec, "--variants must be a whole number from 1 to 8")
end

-- a directory we cannot write to is found before any render is paid for
local probe = string.format("%s/.fast_generation-%d", opts.dir, os.time())
local f = io.open(probe, "w")
if not f then cli.usage(spec, "--dir: cannot write to " .. opts.dir .. " (does it exist?)") end
f:close()
os.remove(probe)

local hg, emu = cli.connect()
local jobs = {}
for i = 1, opts.variants do
  local job, err = hg:generate_video { prompt = opts.prompt, provider = opts.provider, aspect_ratio = opts.aspect,
    config = { seed = i } }
  if not job then cli.finish(opts, nil, err, emu) end
  jobs[i] = job
  if not opts.quiet then io.stderr:write("submitted variant ", i, ": ", job.id, "\n") end
end

-- every job is polled on the same loop: the wall time is the slowest render, not the sum
local waits = {}
for i, job in ipairs(jobs) do
  waits[i] = heygen.spawn(function() return job:wait { timeout = opts.timeout } end)
end
local results, errs = heygen.all(waits)
if errs then
  for i in pairs(errs) do cli.finish(opts, nil, errs[i], emu) end
end
local out = { provider = opts.provider, variants = {} }
for i, job in ipairs(jobs) do
  local path, err = job:download(string.format("%s/variant-%d.mp4", opts.dir, i))
  if not path then cli.finish(opts, nil, err, emu) end
  out.variants[i] = { path = path, job_id = job.id, video_url = results[i].video_url }
  if not opts.json then print(path) end
end
if opts.json then cli.finish(opts, out, nil, emu) end
if emu then emu:stop() end
