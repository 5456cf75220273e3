--- The Lua side of examples/embed/host.c: a "game" that orders videos while
-- its frames keep coming. The host calls start(args) once, then, every 16 ms,
-- heygen.step(0) and frame(n), and finish() for the exit code.
--
--   heygen-embed game.lua [--out-dir DIR] [--blocking] PROMPT...
--
-- Each prompt becomes a text-to-video job in its own heygen task: submit,
-- poll, download to DIR/clip-N.mp4. Nothing here waits on the frame loop.
-- `--blocking` shows the wrong way for comparison: it waits for the first job
-- inside a frame, and that frame lasts as long as the job.
--
-- Keys and endpoints come from the environment (HEYGEN_API_KEY,
-- HEYGEN_BASE_URL, ...), as for any heygen client.
local heygen = require "heygen"

local game = {}

local entries = {} -- one per prompt: {prompt=, status=, path=, err=}
local options = { out_dir = ".", blocking = false }
local hg

local function say(fmt, ...)
  io.stdout:write(string.format(fmt, ...), "\n")
  io.stdout:flush()
end

local function parse(args)
  local prompts, i = {}, 1
  while args[i] do
    local a = args[i]
    if a == "--out-dir" then
      options.out_dir = assert(args[i + 1], "--out-dir needs a value")
      i = i + 1
    elseif a == "--blocking" then
      options.blocking = true
    else
      prompts[#prompts + 1] = a
    end
    i = i + 1
  end
  if #prompts == 0 then prompts = { "A paper boat on a rainy street" } end
  return prompts
end

-- Submit, wait, download: runs as a heygen task, so every wait yields.
local function order_video(n, entry)
  local job, err = hg:generate_video { prompt = entry.prompt }
  if not job then return nil, err end
  entry.job_id = job.id
  local result
  result, err = job:wait { on_progress = function(j) entry.status = j.status end }
  if not result then return nil, err end
  entry.status = "downloading"
  return job:download(options.out_dir .. "/clip-" .. n .. ".mp4")
end

function game.start(args)
  local prompts = parse(args)
  hg = heygen.client {}
  for n, prompt in ipairs(prompts) do
    local entry = { prompt = prompt, status = "submitting" }
    entries[n] = entry
    if not options.blocking then
      heygen.spawn(function()
        local path, err = order_video(n, entry)
        entry.path, entry.err = path, err
        entry.status = path and "done" or "failed"
        say("job %d %s %s", n, entry.status, path or tostring(err))
      end)
    end
  end
end

-- A real game would draw the statuses here; this one reports each change.
local shown = {}
function game.frame(n)
  if options.blocking and n == 1 then
    local entry = entries[1]
    entry.path, entry.err = order_video(1, entry) -- outside a task: blocks this frame
    entry.status = entry.path and "done" or "failed"
    say("job 1 %s %s", entry.status, entry.path or tostring(entry.err))
    for i = 2, #entries do entries[i].status = "skipped" end
  end
  local busy = false
  for i, e in ipairs(entries) do
    if shown[i] ~= e.status then
      shown[i] = e.status
      say("frame %d: job %d %s", n, i, e.status)
    end
    if e.status ~= "done" and e.status ~= "failed" and e.status ~= "skipped" then busy = true end
  end
  return busy
end

function game.finish()
  for _, e in ipairs(entries) do
    if e.status == "failed" then return 1 end
  end
  return 0
end

return game
