--- heygen.cli's command line (part of heygen.cli, which re-exports usage and parse):
-- the options a spec declares plus the common ones, --help text wrapped to 100 columns,
-- values converted by type, unknown options named with the closest known one.
local core = require "heygen.core"
local util = require "heygen.util"

local M = {} -- this file's functions; heygen.cli once installed
local state  -- heygen.cli's run state (program, json, quiet, has_resume), given to install

local COMMON = {
  { "json", "flag", "print the result as JSON on stdout (an error as JSON on stderr)" },
  { "help", "flag", "show this help" },
}

-- Added to a command that writes a file (one with an --out option).
local OUTPUT = {
  { "force", "flag", "overwrite the --out file if it exists" },
  { "no-wait", "flag", "submit, print the job reference (for --resume) and exit without waiting" },
}

local function with_output(spec)
  for _, o in ipairs(spec.options) do
    if o[1] == "out" then return true end
  end
  return false
end

local function flag_text(o)
  return "--" .. o[1] .. (o[2] ~= "flag" and (" " .. (o.metavar or o[2]:upper())) or "")
end

local WIDTH = 100 -- columns of the help text

-- words of `text` in lines of at most `width` columns, the later ones indented
local function wrap(first, text, width, indent)
  local lines, line = {}, first
  for word in text:gmatch("%S+") do
    if #line + 1 + #word > width and #line > indent then
      lines[#lines + 1] = line
      line = string.rep(" ", indent) .. word
    else
      line = line .. (line:sub(-1) == " " and "" or " ") .. word
    end
  end
  lines[#lines + 1] = line
  return table.concat(lines, "\n")
end

local function usage_text(spec)
  local lines = { "usage: " .. spec.name .. " [options]", "", spec.summary, "", "options:" }
  local all, col = {}, 22
  for _, o in ipairs(spec.options) do all[#all + 1] = o end
  if with_output(spec) then
    for _, o in ipairs(OUTPUT) do all[#all + 1] = o end
  end
  for _, o in ipairs(COMMON) do all[#all + 1] = o end
  for _, o in ipairs(all) do col = math.max(col, #flag_text(o)) end
  for _, o in ipairs(all) do
    local help = o[3] .. (o.required and " (required)" or "")
      .. (o.default ~= nil and (" (default " .. tostring(o.default) .. ")") or "")
    local head = "  " .. flag_text(o) .. string.rep(" ", col - #flag_text(o) + 2)
    lines[#lines + 1] = wrap(head, help, WIDTH, col + 4)
  end
  lines[#lines + 1] = ""
  lines[#lines + 1] = "exit codes: 0 done, 1 API/network error, 2 usage, 3 auth, "
    .. "4 timeout (resume, do not resubmit)"
  lines[#lines + 1] = "Without HEYGEN_API_KEY (or FAL_KEY) the offline emulator is started and used."
  return table.concat(lines, "\n")
end

--- Print why the command line is wrong, and the usage, then exit 2 (with
--- --json: only the error, as JSON on stderr, code usage_error).
function M.usage(spec, message)
  if state.json then
    io.stderr:write(core.json_encode { error = { code = "usage_error", kind = "invalid_argument",
      message = message, hint = "see " .. spec.name .. " --help" } }, "\n")
  else
    io.stderr:write(spec.name, ": ", message, "\n\n", usage_text(spec), "\n")
  end
  os.exit(M.EXIT.usage)
end

-- Convert one option value from its text; calls usage on bad input.
local CONVERT = {
  string = function(v) return v end,
  number = function(v)
    local n = tonumber(v)
    if n ~= n or n == math.huge or n == -math.huge then n = nil end -- nan, inf
    return n, "a number"
  end,
  list = function(v) -- comma-separated: a,b,c
    local t = {}
    for item in v:gmatch("[^,]+") do t[#t + 1] = item:match("^%s*(.-)%s*$") end
    return #t > 0 and t or nil, "a comma-separated list"
  end,
  object = function(v) -- a JSON object, e.g. --config '{"duration":8}'
    local t = core.json_decode(v)
    return type(t) == "table" and t or nil, "a JSON object"
  end,
}

-- The least a number option may be: its `min`, else above 0 for a timeout.
local function least(o)
  if o.min then return o.min, o.min, "at least " .. o.min end
  if o[1] == "timeout" then return 0, nil, "more than 0 seconds" end
end

local function option_value(spec, o, text)
  local value, what = CONVERT[o[2]](text)
  if value == nil then M.usage(spec, "--" .. o[1] .. " must be " .. what .. ", got " .. text) end
  if o[2] == "number" then
    local floor, inclusive, rule = least(o)
    if floor and (value < floor or (not inclusive and value == floor)) then
      M.usage(spec, "--" .. o[1] .. " must be " .. rule .. ", got " .. text)
    end
  end
  return value
end

local function unknown_option(spec, a, by_name)
  local name = a:match("^%-%-([^=]+)")
  local hint = name and util.closest(name, by_name)
  if not a:match("^%-") then M.usage(spec, "unexpected argument '" .. a .. "' (options start with --)") end
  M.usage(spec, "unknown option " .. a .. (hint and (" (did you mean --" .. hint .. "?)") or ""))
end

--- Parse argv against spec = {name=, summary=, options={{name, type, help,
--- default=, required=, metavar=}}}; type is "string", "number", "flag",
--- "list" (comma-separated) or "object" (a JSON object). --json and --help are
--- added. Prints usage and exits 2 on bad input; prints help and exits 0 on --help.
---@param argv string[]
---@param spec table
---@return table opts option name -> value (names keep their dashes), opts.json
function M.parse(argv, spec)
  state.program = spec.name
  state.has_resume, state.json, state.quiet = false, false, false
  for _, a in ipairs(argv) do -- before anything can fail: usage errors honour them too
    if a == "--json" then state.json = true elseif a == "--quiet" then state.quiet = true end
  end
  local by_name, opts = {}, {}
  for _, o in ipairs(spec.options) do
    if o[1] == "resume" then state.has_resume = true end
    assert(CONVERT[o[2]] or o[2] == "flag", "cli.parse: unknown option type " .. tostring(o[2]))
    by_name[o[1]] = o
    opts[o[1]] = o.default
  end
  for _, o in ipairs(COMMON) do by_name[o[1]] = by_name[o[1]] or o end
  if with_output(spec) then
    for _, o in ipairs(OUTPUT) do by_name[o[1]] = by_name[o[1]] or o end
  end
  local i = 1
  while argv[i] do
    local a = argv[i]
    local name, inline = a:match("^%-%-([%w%-_]+)=(.*)$")
    name = name or a:match("^%-%-([%w%-_]+)$")
    local o = name and by_name[name]
    if a == "-h" or name == "help" then
      io.stdout:write(usage_text(spec), "\n")
      os.exit(M.EXIT.ok)
    elseif not o then
      unknown_option(spec, a, by_name)
    elseif o[2] == "flag" then
      if inline then M.usage(spec, "--" .. name .. " takes no value") end
      opts[name] = true
    else
      local text = inline or argv[i + 1]
      if not inline then i = i + 1 end
      if text == nil then M.usage(spec, "--" .. name .. " needs a value") end
      opts[name] = option_value(spec, o, text)
    end
    i = i + 1
  end
  for _, o in ipairs(spec.options) do
    if o.required and opts[o[1]] == nil then M.usage(spec, "--" .. o[1] .. " is required") end
  end
  if with_output(spec) and not opts["no-wait"] then
    local ok, why = M.check_output(opts.out, opts.force)
    if not ok then M.finish(opts, nil, why) end
  end
  return opts
end

--- The last rows of a command that renders one file, appended to `options` (returned):
--- --out, --timeout and --quiet. o.timeout: --timeout's default in seconds; o.wait_for: what
--- it waits for (default "the render"); o.file: "MP4" (default) or "WebM".
---@param options table[]
---@param o {timeout: number, wait_for?: string, file?: string}
---@return table[]
function M.output_options(options, o)
  local file = o.file or "MP4"
  options[#options + 1] = { "out", "string",
    string.format("where to write the %s (default: JOB_ID.%s here)", file, file:lower()), metavar = "PATH" }
  local waits = "seconds to wait for " .. (o.wait_for or "the render") .. " (then exit 4)"
  options[#options + 1] = { "timeout", "number", waits, default = o.timeout, metavar = "SECONDS" }
  options[#options + 1] = { "quiet", "flag", "no progress output" }
  return options
end

--- Puts usage, parse and output_options in heygen.cli (`cli`), sharing its run state table.
return function(cli, run_state)
  local usage, parse, output_options = M.usage, M.parse, M.output_options
  M, state = cli, run_state -- from here on M.usage, M.check_output, M.finish, M.EXIT are heygen.cli's
  cli.usage, cli.parse, cli.output_options = usage, parse, output_options
end
