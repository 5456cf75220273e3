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
-- the result: the file written (or, with --no-wait, the job reference), or one
-- JSON document with --json. Errors go to stderr, as one JSON document
-- {"error": {code, message, kind, ...}} with --json (the official HeyGen CLI's
-- shape: `code` is the API's code, or one minted here such as usage_error).
--
-- A command with an --out option also takes --force and --no-wait. Where --out
-- points is checked before anything is submitted: its folder must be writable
-- and an existing file is kept unless --force (the render is paid; a bad path
-- found after it would lose it). Without --out the file is named after the job,
-- <job id>.mp4, in the current folder.
local heygen = require "heygen"
local core = require "heygen.core"
local util = require "heygen.util"
local errors = require "heygen.errors"

local M = {}

M.EXIT = { ok = 0, api = 1, usage = 2, auth = 3, timeout = 4 }

-- error kind -> exit code; anything else is 1 (timeout: 4 only when a job is waiting)
M.EXIT_FOR_KIND = { auth = M.EXIT.auth, permission = M.EXIT.auth, invalid_argument = M.EXIT.usage }

-- what cli.parse learnt of the running script, read by the rest
local run_state = {
  program = "heygen", -- the script's name, for messages
  has_resume = false, -- does it take --resume?
  json = false,       -- --json given: errors as JSON on stderr
  quiet = false,      -- --quiet given: no notes on stderr
}

require("heygen.cli.options")(M, run_state) -- M.usage, M.parse, M.output_options

--- Can a render be written to `path` (nil: a file named after the job in the
--- current folder)? Checked before the paid submit (heygen.check_output): the folder
--- must take a new file, and an existing `path` is kept unless `force`. true, or nil,
--- err (kind io, code file_exists or cli_file_io_error).
---@param path string|nil
---@param force boolean|nil
---@return true|nil, table|nil
function M.check_output(path, force)
  local ok, err = heygen.check_output(path or "./.heygen-output-name", { overwrite = force == true, option = "--out" })
  if ok then return true end
  if err.code == "file_exists" then
    err.message = path .. " exists: pass --force to overwrite it, or another --out"
  elseif err.code == "not_writable" then
    err.code = "cli_file_io_error"
    err.message = "cannot write into " .. err.folder .. " (" .. err.reason .. ")"
  end
  return nil, err
end

------------------------------------------------------------------ the client

local function env(name)
  local v = os.getenv(name)
  return v ~= nil and v ~= "" and v or nil
end

--- Where the offline emulator keeps its jobs, so --resume works offline too:
--- HEYGEN_EMULATOR_STATE, else $XDG_STATE_HOME (~/.local/state)/heygen-lua/emulator.state;
--- nil when that folder cannot be made (the emulator then forgets at exit).
---@return string|nil
function M.emulator_state()
  local path = env("HEYGEN_EMULATOR_STATE")
  if path then return path end
  local base = env("XDG_STATE_HOME") or (env("HOME") and env("HOME") .. "/.local/state")
  if not base then return nil end
  local dir = base .. "/heygen-lua"
  local ok = os.execute("mkdir -p '" .. dir:gsub("'", "'\\''") .. "' 2>/dev/null")
  if ok ~= true and ok ~= 0 then return nil end
  return dir .. "/emulator.state"
end

--- A client for the real APIs when a HeyGen or fal.ai key is in the
--- environment, else for an emulator started here (and said so on stderr).
--- `extra`: more client options. Returns client, emulator (or nil).
---@param extra? table
---@return heygen.Client, table|nil
function M.connect(extra)
  local opts = util.merge(extra)
  local warned = {}
  opts.on_warning = opts.on_warning or function(msg) -- each once, none with --quiet
    if run_state.quiet or warned[msg] then return end
    warned[msg] = true
    io.stderr:write(run_state.program, ": warning: ", msg, "\n")
  end
  if env("HEYGEN_API_KEY") or env("HEYGEN_TOKEN") or env("FAL_KEY") or env("FAL_AI_API_KEY") then
    return heygen.client(opts), nil
  end
  local state = M.emulator_state()
  local emu = require("heygen.emulator").spawn { time_scale = tonumber(env("HEYGEN_EMULATOR_SPEED")) or 60,
    state = state }
  io.stderr:write("No HEYGEN_API_KEY set: using the offline emulator at ", emu.url,
    state and (" (its jobs kept in " .. state .. ")") or "", "\n")
  opts.api_key, opts.fal_key = "emulator-key", "emulator-fal-key"
  opts.base_url, opts.upload_url, opts.fal_url = emu.url, emu.upload_url, emu.fal_url
  return heygen.client(opts), emu
end

------------------------------------------------------------------ progress

M.progress = require("heygen.cli.progress").progress

------------------------------------------------------------------ jobs

M.EXIT.interrupted = 130 -- 128 + SIGINT, as shells report it

local function is_interrupt(e) return type(e) == "string" and e:find("interrupted!", 1, true) ~= nil end

-- Ctrl-C (heygen-lua and lua5.4 raise "interrupted!"): one line saying what was left
-- running and how to resume it, exit 130. Any other error is raised again.
-- The command that picks a job up again: this script when it takes --resume (else
-- generate.lua, which resumes any kind), the reference, and the --out to write.
local function resume_command(ref, out)
  local script = run_state.has_resume and type(arg) == "table" and arg[0] or "examples/generate.lua"
  local function word(w) return w:find("^[%w%-_./:=]+$") and w or ("'" .. w:gsub("'", "'\\''") .. "'") end
  return "heygen-lua " .. word(script) .. " --resume " .. word(ref) .. (out and (" --out " .. word(out)) or "")
end

local function interrupted(e, job, end_line, out)
  if not is_interrupt(e) then error(e, 0) end
  if end_line then end_line() end
  local message, ref
  if job then
    ref = M.job_ref(job)
    message = string.format("interrupted: %s %s keeps running remotely; resume with: %s"
      .. " (do not submit it again)", tostring(job.kind), tostring(job.id), resume_command(ref, out))
  else
    message = "interrupted while submitting: the job may have been created; check before submitting again"
  end
  if run_state.json then
    io.stderr:write(core.json_encode { error = { code = "canceled", kind = "cancelled", message = message,
      resume = ref, exit = M.EXIT.interrupted } }, "\n")
  else
    io.stderr:write(run_state.program, ": ", message, "\n")
  end
  os.exit(M.EXIT.interrupted)
end

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
    if not model:find("/", 1, true) then -- a provider's name (as the progress line shows it)
      local entry = require("heygen.providers")[model]
      if not entry or entry.gateway ~= "fal" then
        return nil, "a fal reference is fal:MODEL_ID:REQUEST_ID (a model id such as "
          .. "fal-ai/kling-video/v3/standard/text-to-video, or a fal provider's name), got " .. ref
      end
      model = entry.models.text or entry.models.image
    end
    local ok, job = pcall(hg.fal_job, hg, model, id)
    if not ok then return nil, tostring(job) end
    return job
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
  local ok
  ok, job, err = pcall(submit)
  if not ok then
    if emu and is_interrupt(job) then emu:stop() end
    interrupted(job)
  end
  if not job then M.finish(opts, nil, err, emu) end
  return job
end

--- Wait for `job` with a progress line, then download its video to `out`
--- (nil: <job id><extension> in the current folder). opts: what parse returned
--- (timeout, quiet, force, no-wait: return the job reference at once). how:
--- extension (default ".mp4"), on_progress(job) called before the progress line
--- on each change. Returns the job's result with `path`, `job_id` and `ref`
--- added, or nil, err (an error that leaves the job resumable carries
--- err.resume, the reference to resume with).
---@return table|nil, table|nil
function M.deliver(job, out, opts, how)
  opts, how = opts or {}, how or {}
  if opts["no-wait"] then
    return { job_id = job.id, ref = M.job_ref(job), status = job.status, provider = job.provider }
  end
  out = out or (tostring(job.id):gsub("[^%w%-_.]", "_") .. (how.extension or ".mp4"))
  local on_job, on_download, done = M.progress(opts.quiet)
  local before = how.on_progress
  local ok, result, err = pcall(job.wait, job, { timeout = opts.timeout, on_progress = before and function(j)
    before(j, done)
    on_job(j)
  end or on_job })
  if not ok then interrupted(result, job, done, out) end
  local path
  if result and not opts.force and not opts.out then
    local fine, why = M.check_output(out) -- a name chosen by the job: checked once it is known
    if not fine then result, err = nil, why end
  end
  if result then
    -- without --force an --out that appeared during the wait is kept too
    ok, path, err = pcall(job.download, job, out, { on_progress = on_download,
      overwrite = opts.force == true })
    if not ok then interrupted(path, job, done, out) end
  end
  done()
  if not path then
    -- a job still running, or finished but not on disk: either way it can be resumed
    if err and ((err.kind == "timeout" and err.job_id) or job.status == "completed") then
      err.resume = M.job_ref(job)
      err.resume_command = resume_command(err.resume, out)
      err.rendered = job.status == "completed" or nil
    end
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
  if err.code == "file_exists" then return M.EXIT.usage end
  return M.EXIT_FOR_KIND[err.kind] or M.EXIT.api
end

local HINTS = {
  [M.EXIT.auth] = "check HEYGEN_API_KEY (HeyGen) or FAL_KEY (fal.ai)",
}

-- The code an error is known by on the command line: the API's own, else one
-- minted for its kind (the official HeyGen CLI's names, docs/heygen-v3.md 12.4).
M.CODE_FOR_KIND = {
  invalid_argument = "invalid_parameter", auth = "unauthorized", permission = "forbidden",
  insufficient_credit = "insufficient_credit", not_found = "not_found", rate_limit = "rate_limit_exceeded",
  conflict = "conflict", server = "unclassified_server_error", network = "network_error", timeout = "timeout",
  protocol = "cli_response_parse_error", job_failed = "video_failed", cancelled = "canceled",
  url_expired = "cli_download_url_expired", io = "cli_file_io_error", signature = "invalid_signature",
  maybe_created = "maybe_created", needs_input = "needs_input", content_policy = "content_policy_violation",
  budget_exceeded = "budget_exceeded", retired = "endpoint_retired",
}

local function error_json(err, code)
  return { error = {
    code = err.code or M.CODE_FOR_KIND[err.kind] or "unclassified_client_error", message = err.message,
    kind = err.kind, exit = code, status = err.status, param = err.param, request_id = err.request_id,
    job_id = err.job_id, resume = err.resume, resume_command = err.resume_command, rendered = err.rendered,
    hint = err.resume and ("resume with --resume " .. err.resume) or HINTS[code],
  } }
end

--- Print the outcome and exit with the code a script can act on: the value
--- (its `path`, or its `ref` with --no-wait, or JSON with --json) on stdout, or
--- the error on stderr (as JSON with --json). Stops the emulator first.
---@param opts table what parse returned (opts.json)
---@param value table|nil
---@param err table|nil
---@param emu table|nil
function M.finish(opts, value, err, emu)
  if emu then emu:stop() end
  if value == nil and err == nil then err = errors.new { kind = "protocol", message = "no result and no error" } end
  if err then
    local code = M.exit_code(err)
    if opts.json then
      io.stderr:write(core.json_encode(error_json(err, code)), "\n")
      os.exit(code)
    end
    io.stderr:write(run_state.program, ": ", tostring(err), "\n")
    if err.rendered then
      -- paid for and done, not on disk: nothing is lost, the command fetches it
      io.stderr:write(run_state.program, ": the render is finished and kept (", err.resume,
        "), but not saved: fix the cause, then download it with: ", err.resume_command, " (do not submit it again)\n")
    elseif err.resume then
      -- scripts without --resume hand over to generate.lua, which resumes any job kind
      local how = run_state.has_resume and "--resume " or "heygen-lua examples/generate.lua --resume "
      io.stderr:write(run_state.program, ": the job keeps running remotely: resume with ", how, err.resume,
        " (do not submit it again)\n")
    elseif HINTS[code] then
      io.stderr:write(run_state.program, ": ", HINTS[code], "\n")
    end
    io.stdout:flush()
    os.exit(code)
  end
  if opts.json then
    io.stdout:write(core.json_encode(value), "\n")
  else
    local text = value.path or value.ref or value.text or core.json_encode(value)
    if text ~= "" then io.stdout:write(text, "\n") end
  end
  io.stdout:flush()
  os.exit(M.EXIT.ok)
end

return M
