--- Helpers that let the example scripts double as command-line tools:
-- option parsing with --help, a client that falls back to the offline
-- emulator, a progress line, --json output and exit codes a script can act on.
--
--   local cli = require "heygen.cli"
--   local opts = cli.parse(arg, { name = "x.lua", summary = "...", options = {
--     { "prompt", "string", "what the video shows", required = true } } })
--   local hg, emu = cli.connect()
--   local job, err = hg:generate { prompt = opts.prompt }
--   if not job then cli.finish(opts, nil, err, emu) end
--   local value
--   value, err = cli.deliver(job, "out.mp4", opts)
--   cli.finish(opts, value, err, emu)
--
-- Exit codes: 0 done, 1 API or network error, 2 usage (bad options or input),
-- 3 auth, 4 timeout (the job is still running remotely: resume it with
-- --resume, do not submit it again).
--
-- Progress goes to stderr: one updating line on a terminal (status, elapsed
-- time, queue position, provider, download bytes), plain lines when stderr is
-- a pipe or a file (one per change, downloads in quarters). stdout carries only
-- the result: the file written, or JSON with --json.
local heygen = require "heygen"
local core = require "heygen.core"
local util = require "heygen.util"
local errors = require "heygen.errors"

local M = {}

M.EXIT = { ok = 0, api = 1, usage = 2, auth = 3, timeout = 4 }

-- error kind -> exit code; anything else is 1 (timeout: 4 only when a job is waiting)
M.EXIT_FOR_KIND = { auth = M.EXIT.auth, permission = M.EXIT.auth, invalid_argument = M.EXIT.usage }

local program = "heygen" -- the script's name, for messages
local has_resume = false -- does the running script take --resume?

------------------------------------------------------------------ options

local COMMON = {
  { "json", "flag", "print the result (or the error) as JSON on stdout" },
  { "help", "flag", "show this help" },
}

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

--- Print why the command line is wrong, and the usage, then exit 2.
function M.usage(spec, message)
  io.stderr:write(spec.name, ": ", message, "\n\n", usage_text(spec), "\n")
  os.exit(M.EXIT.usage)
end

-- Convert one option value from its text; calls usage on bad input.
local CONVERT = {
  string = function(v) return v end,
  number = function(v) return tonumber(v), "a number" end,
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

local function option_value(spec, o, text)
  local value, what = CONVERT[o[2]](text)
  if value == nil then M.usage(spec, "--" .. o[1] .. " must be " .. what .. ", got " .. text) end
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
  program = spec.name
  has_resume = false
  local by_name, opts = {}, {}
  for _, o in ipairs(spec.options) do
    if o[1] == "resume" then has_resume = true end
    assert(CONVERT[o[2]] or o[2] == "flag", "cli.parse: unknown option type " .. tostring(o[2]))
    by_name[o[1]] = o
    opts[o[1]] = o.default
  end
  for _, o in ipairs(COMMON) do by_name[o[1]] = by_name[o[1]] or o end
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
  return opts
end

------------------------------------------------------------------ the client

local function env(name)
  local v = os.getenv(name)
  return v ~= nil and v ~= "" and v or nil
end

--- A client for the real APIs when a HeyGen or fal.ai key is in the
--- environment, else for an emulator started here (and said so on stderr).
--- `extra`: more client options. Returns client, emulator (or nil).
---@param extra? table
---@return heygen.Client, table|nil
function M.connect(extra)
  local opts = util.merge(extra)
  opts.on_warning = opts.on_warning or function(msg) io.stderr:write("warning: ", msg, "\n") end
  if env("HEYGEN_API_KEY") or env("HEYGEN_TOKEN") or env("FAL_KEY") or env("FAL_AI_API_KEY") then
    return heygen.client(opts), nil
  end
  local emu = require("heygen.emulator").spawn { time_scale = tonumber(env("HEYGEN_EMULATOR_SPEED")) or 60 }
  io.stderr:write("No HEYGEN_API_KEY set: using the offline emulator at ", emu.url, "\n")
  opts.api_key, opts.fal_key = "emulator-key", "emulator-fal-key"
  opts.base_url, opts.upload_url, opts.fal_url = emu.url, emu.upload_url, emu.fal_url
  return heygen.client(opts), emu
end

------------------------------------------------------------------ progress

local function stderr_is_tty()
  local ok = os.execute("[ -t 2 ]")
  return ok == true or ok == 0
end

local function clock(seconds)
  seconds = math.floor(seconds)
  return string.format("%d:%02d", math.floor(seconds / 60), seconds % 60)
end

local MB = 1024 * 1024

-- "60131 of 60131 bytes (100%)", "12.0 of 40.0 MB (30%)", "123 bytes"
local function bytes_text(done, total)
  local big = (total or done) >= MB
  local function n(x) return big and string.format("%.1f", x / MB) or tostring(x) end
  local unit = big and " MB" or " bytes"
  if not total or total <= 0 then return n(done) .. unit end
  return string.format("%s of %s%s (%d%%)", n(done), n(total), unit, math.floor(done * 100 / total))
end

-- The words about a job: "kling_pro workflow 4f2a: processing, queue position 3".
local function job_text(job)
  local who = (job.provider and (job.provider .. " ") or "") .. tostring(job.kind) .. " " .. tostring(job.id)
  local text = who .. ": " .. tostring(job.status)
  if job.queue_position then text = text .. ", queue position " .. job.queue_position end
  if job.attempts and #job.attempts > 1 then text = text .. ", attempt " .. #job.attempts end
  return text
end


--- A progress reporter on stderr. Returns on_progress(job) for job:wait,
--- on_progress(done, total) for job:download, and done() to end the line.
---@param quiet? boolean nothing at all
---@param tty? boolean force the terminal (true) or the plain (false) form
---@return fun(job: table), fun(done: integer, total: integer|nil), fun()
function M.progress(quiet, tty)
  if tty == nil then tty = not quiet and stderr_is_tty() end
  local started, shown, quarter = core.now(), false, nil
  local last_job
  local function show(text)
    if quiet then return end
    text = "[" .. clock(core.now() - started) .. "] " .. text
    if tty then io.stderr:write("\r\27[K", text) else io.stderr:write(text, "\n") end
    io.stderr:flush()
    shown = true
  end
  local function on_job(job)
    local text = job_text(job)
    if tty or text ~= last_job then show(text) end -- piped: only what changed
    last_job = text
  end
  local function on_download(done, total)
    if not tty then -- piped: the start, each quarter, the end
      local q = total and total > 0 and math.floor(done * 4 / total) or 0
      if q == quarter then return end
      quarter = q
    end
    show("downloading: " .. bytes_text(done, total))
  end
  local function finished()
    if tty and shown then io.stderr:write("\n") end
    shown = false
  end
  return on_job, on_download, finished
end

------------------------------------------------------------------ jobs

--- How to find `job` again from the command line: "workflow:ID", "video:ID",
--- "fal:MODEL_ID:REQUEST_ID" (for --resume).
---@param job table
---@return string
function M.job_ref(job)
  local model = job.model_id or (job.attempts and job.attempts[#job.attempts].model)
  if job.kind == "fal" then return "fal:" .. tostring(model) .. ":" .. job.id end
  return job.kind .. ":" .. job.id
end

--- The job a reference from job_ref names, re-attached on `hg` (never
--- submitted again), or nil, message.
---@return table|nil job, string|nil message
function M.attach(hg, ref)
  local kind, rest = tostring(ref):match("^([%w_]+):(.+)$")
  if kind == "fal" then
    local model, id = rest:match("^(.+):([^:]+)$")
    if not model then return nil, "a fal reference is fal:MODEL_ID:REQUEST_ID, got " .. ref end
    return hg:fal_job(model, id)
  end
  if not kind or not require("heygen.job").KINDS[kind] then
    return nil, "a job reference is KIND:ID (workflow, video, translate, fal...), got " .. tostring(ref)
  end
  return hg:job(kind, rest)
end

--- The job a command follows: re-attached from --resume (a bad reference is a
--- usage error, exit 2), or what `submit()` creates (a refusal finishes with
--- its error and exit code). Never submits when resuming.
---@param spec table the parse spec (for usage)
---@param opts table what parse returned (opts.resume)
---@param hg heygen.Client
---@param emu table|nil the emulator connect started
---@param submit fun(): table|nil, table|nil creates the job
---@return table job
function M.start_job(spec, opts, hg, emu, submit)
  local job, err
  if opts.resume then
    job, err = M.attach(hg, opts.resume)
    if not job then
      if emu then emu:stop() end
      M.usage(spec, "--resume: " .. err)
    end
    return job
  end
  job, err = submit()
  if not job then M.finish(opts, nil, err, emu) end
  return job
end

--- Wait for `job` with a progress line, then download its video to `out`.
--- opts: timeout (seconds to wait), quiet. Returns the job's result with
--- `path`, `job_id` and `ref` added, or nil, err (a wait timeout carries
--- err.resume, the reference to resume with).
---@return table|nil, table|nil
function M.deliver(job, out, opts)
  opts = opts or {}
  local on_job, on_download, done = M.progress(opts.quiet)
  local result, err = job:wait { timeout = opts.timeout, on_progress = on_job }
  local path
  if result then path, err = job:download(out, { on_progress = on_download }) end
  done()
  if not path then
    if err and err.kind == "timeout" and err.job_id then err.resume = M.job_ref(job) end
    return nil, err
  end
  local value = { path = path, job_id = job.id, ref = M.job_ref(job) }
  for k, v in pairs(result) do if value[k] == nil then value[k] = v end end
  return value
end

------------------------------------------------------------------ the end

--- The exit code for an error.
---@param err table a heygen error
---@return integer
function M.exit_code(err)
  if err.kind == "timeout" and err.job_id then return M.EXIT.timeout end
  return M.EXIT_FOR_KIND[err.kind] or M.EXIT.api
end

local HINTS = {
  [M.EXIT.auth] = "check HEYGEN_API_KEY (HeyGen) or FAL_KEY (fal.ai)",
}

local function error_json(err, code)
  return {
    ok = false, exit = code, resume = err.resume,
    error = { kind = err.kind, message = err.message, code = err.code, status = err.status, job_id = err.job_id,
      request_id = err.request_id, param = err.param },
  }
end

--- Print the outcome and exit with the code a script can act on: the value
--- (its `path`, or JSON with --json) on stdout, or the error on stderr (and as
--- JSON on stdout with --json). Stops the emulator first.
---@param opts table what parse returned (opts.json)
---@param value table|nil
---@param err table|nil
---@param emu table|nil
function M.finish(opts, value, err, emu)
  if emu then emu:stop() end
  if value == nil and err == nil then err = errors.new { kind = "protocol", message = "no result and no error" } end
  if err then
    local code = M.exit_code(err)
    if opts.json then io.stdout:write(core.json_encode(error_json(err, code)), "\n") end
    io.stderr:write(program, ": ", tostring(err), "\n")
    if err.resume then
      -- scripts without --resume hand over to generate.lua, which resumes any job kind
      local how = has_resume and "--resume " or "heygen-lua examples/generate.lua --resume "
      io.stderr:write(program, ": the job keeps running remotely: resume with ", how, err.resume,
        " (do not submit it again)\n")
    elseif HINTS[code] then
      io.stderr:write(program, ": ", HINTS[code], "\n")
    end
    io.stdout:flush()
    os.exit(code)
  end
  if opts.json then
    io.stdout:write(core.json_encode(value), "\n")
  else
    io.stdout:write(value.path or core.json_encode(value), "\n")
  end
  io.stdout:flush()
  os.exit(M.EXIT.ok)
end

return M
