--- heygen.cli's progress line on stderr (heygen.cli.progress is this module's progress):
-- one updating line on a terminal, plain lines (one per change, downloads in quarters) when
-- stderr is a pipe or a file.
local core = require "heygen.core"

local M = {}

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

return M
