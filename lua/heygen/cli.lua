--- Helpers that let the example scripts double as command-line tools:
-- option parsing with --help, a client that falls back to the offline
-- emulator, a progress line, --json output and exit codes a script can act on.
--
-- Exit codes: 0 done, 1 API or network error, 2 usage, 3 auth, 4 timeout
-- (the job is still running remotely: resume it, do not submit it again).
local heygen = require "heygen"
local core = require "heygen.core"

local M = {}

M.EXIT = { ok = 0, api = 1, usage = 2, auth = 3, timeout = 4 }

local function usage_text(spec)
  local lines = { "usage: " .. spec.name .. " [options]", "", spec.summary, "", "options:" }
  for _, o in ipairs(spec.options) do
    local flag = "--" .. o[1] .. (o[2] ~= "flag" and (" " .. o[2]:upper()) or "")
    lines[#lines + 1] = string.format("  %-24s %s%s", flag, o[3], o.default and (" (default " .. tostring(o.default) .. ")") or "")
  end
  lines[#lines + 1] = string.format("  %-24s %s", "--json", "print the result as JSON on stdout")
  lines[#lines + 1] = string.format("  %-24s %s", "--help", "show this help")
  lines[#lines + 1] = ""
  lines[#lines + 1] = "exit codes: 0 done, 1 API/network error, 2 usage, 3 auth, 4 timeout (resume, do not resubmit)"
  lines[#lines + 1] = "Without HEYGEN_API_KEY the offline emulator is started and used."
  return table.concat(lines, "\n")
end

--- Parse argv against spec = {name=, summary=, options={{name, "string"|"number"|"flag", help, default=, required=}}}.
-- Prints usage and exits 2 on bad input; exits 0 for --help.
function M.parse(argv, spec)
  local by_name, opts = {}, {}
  for _, o in ipairs(spec.options) do
    by_name[o[1]] = o
    opts[o[1]] = o.default
  end
  local i = 1
  while argv[i] do
    local a = argv[i]
    local name, inline = a:match("^%-%-([%w%-_]+)=(.*)$")
    name = name or a:match("^%-%-([%w%-_]+)$")
    if a == "--help" or a == "-h" then
      print(usage_text(spec))
      os.exit(M.EXIT.ok)
    elseif name == "json" then
      opts.json = true
    elseif name and by_name[name] then
      local o = by_name[name]
      if o[2] == "flag" then
        opts[name] = true
      else
        local v = inline or argv[i + 1]
        if not inline then i = i + 1 end
        if v == nil then M.usage(spec, "--" .. name .. " needs a value") end
        if o[2] == "number" then
          v = tonumber(v) or M.usage(spec, "--" .. name .. " must be a number, got " .. v)
        end
        opts[name] = v
      end
    else
      M.usage(spec, "unknown option " .. a)
    end
    i = i + 1
  end
  for _, o in ipairs(spec.options) do
    if o.required and opts[o[1]] == nil then M.usage(spec, "--" .. o[1] .. " is required") end
  end
  return opts
end

function M.usage(spec, message)
  io.stderr:write(spec.name, ": ", message, "\n\n", usage_text(spec), "\n")
  os.exit(M.EXIT.usage)
end

local function stderr_is_tty()
  local ok = os.execute("[ -t 2 ]")
  return ok == true or ok == 0
end

--- A client for the real API when HEYGEN_API_KEY is set, else for an
-- emulator started here. Returns client, emulator (or nil).
function M.connect(extra)
  local opts = {}
  for k, v in pairs(extra or {}) do opts[k] = v end
  opts.on_warning = opts.on_warning or function(msg) io.stderr:write("warning: ", msg, "\n") end
  local key = os.getenv("HEYGEN_API_KEY") or os.getenv("HEYGEN_TOKEN")
  if key and key ~= "" then return heygen.client(opts), nil end
  local emu = require("heygen.emulator").spawn { time_scale = tonumber(os.getenv("HEYGEN_EMULATOR_SPEED")) or 60 }
  io.stderr:write("No HEYGEN_API_KEY set: using the offline emulator at ", emu.url, "\n")
  opts.api_key, opts.base_url, opts.upload_url = "emulator-key", emu.url, emu.upload_url
  opts.fal_url = emu.fal_url
  opts.fal_key = os.getenv("FAL_KEY") or "emulator-fal-key"
  return heygen.client(opts), emu
end

--- A progress reporter: an updating line on a terminal, a plain line per
-- change when piped. Returns on_progress(job) and download_progress(done, total).
function M.progress(quiet)
  local tty = stderr_is_tty()
  local started, last = core.now(), nil
  local function show(text)
    if quiet then return end
    if tty then
      io.stderr:write("\r\27[K", text)
    elseif text ~= last then
      io.stderr:write(text, "\n")
    end
    last = text
    io.stderr:flush()
  end
  local function on_job(job)
    local extra = job.queue_position and ("  queue position " .. job.queue_position) or ""
    show(string.format("%s %s: %s  %ds%s", job.kind, job.id, job.status, math.floor(core.now() - started), extra))
  end
  local shown_pct
  local function on_download(done, total)
    local pct = total and total > 0 and math.floor(done * 100 / total) or nil
    if not tty and pct == shown_pct then return end
    shown_pct = pct
    show(string.format("downloading: %d bytes%s", done, total and string.format(" of %d (%d%%)", total, pct) or ""))
  end
  local function done() if tty and not quiet and last then io.stderr:write("\n") end end
  return on_job, on_download, done
end

--- Print the outcome and exit with the code a script can act on.
function M.finish(opts, value, err, emu)
  if emu then emu:stop() end
  if err then
    local code = M.EXIT.api
    if err.kind == "auth" or err.kind == "permission" then code = M.EXIT.auth
    elseif err.kind == "timeout" and err.job_id then code = M.EXIT.timeout
    elseif err.kind == "invalid_argument" then code = M.EXIT.usage end
    if opts.json then
      print(core.json_encode { ok = false, error = { kind = err.kind, message = err.message,
        code = err.code, status = err.status, job_id = err.job_id } })
    end
    io.stderr:write(tostring(err), "\n")
    os.exit(code)
  end
  if opts.json then
    print(core.json_encode(value))
  else
    print(value.path or core.json_encode(value))
  end
  os.exit(M.EXIT.ok)
end

return M
