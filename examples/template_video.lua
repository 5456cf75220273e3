#!/usr/bin/env heygen-lua
--- A video from one of your HeyGen templates, its variables filled in by name:
--   heygen-lua examples/template_video.lua --list
--   heygen-lua examples/template_video.lua --template 22a48da453ef4c014a6a60d827a02f0b \
--     --variables '{"first_name": "Ana", "logo": {"type": "image",
--                   "properties": {"url": "https://example.com/a.png"}}}'
-- A plain string fills a text variable; other types take {type=, properties=}.
-- Without HEYGEN_API_KEY it runs against the offline emulator (and says so).
local heygen = require "heygen"
local cli = require "heygen.cli"

local opts = cli.parse(arg, {
  name = "template_video.lua",
  summary = "List your templates, or render one with its variables replaced, and download the video.",
  options = cli.output_options({
    { "list", "flag", "list templates and their variables, then stop" },
    { "template", "string", "template id (default: the first template)" },
    { "variables", "object", "JSON object: variable name -> text, or {type=, properties=}" },
    { "title", "string", "video title" },
    { "test", "flag", "test mode: watermarked, no credits used" },
  }, { timeout = 1800 }),
})

local hg, emu = cli.connect()
local templates, err = hg:templates()
if not templates then cli.finish(opts, nil, err, emu) end

if opts.list then
  local out = {}
  for i, t in ipairs(templates) do
    local details, derr = hg:template(t.template_id)
    if not details then cli.finish(opts, nil, derr, emu) end
    local names = {}
    for name, v in pairs(details.variables) do names[#names + 1] = name .. " (" .. tostring(v.type) .. ")" end
    table.sort(names)
    out[i] = { template_id = t.template_id, name = t.name, aspect_ratio = t.aspect_ratio, variables = names }
    if not opts.json then
      print(string.format("%s  %-24s %-10s %s", t.template_id, t.name, tostring(t.aspect_ratio),
        table.concat(names, ", ")))
    end
  end
  if opts.json then cli.finish(opts, { templates = out }, nil, emu) end
  if emu then emu:stop() end
  os.exit(cli.EXIT.ok)
end

local id = opts.template or (templates[1] and templates[1].template_id)
if not id then
  cli.finish(opts, nil, heygen.errors.new { kind = "not_found", message = "this account has no templates" }, emu)
end
local job
job, err = hg:generate_from_template(id, { variables = opts.variables, title = opts.title, test = opts.test or nil })
if not job then cli.finish(opts, nil, err, emu) end

local value
value, err = cli.deliver(job, opts.out, opts)
if value then value.template_id = id end
cli.finish(opts, value, err, emu)
