#!/usr/bin/env heygen-lua
--- Video Agent: describe a video in a sentence; HeyGen's agent writes, voices and renders
-- it, and the MP4 is downloaded:
--   heygen-lua examples/video_agent.lua --prompt "A 30-second demo of a smart water bottle" --out demo.mp4
--   heygen-lua examples/video_agent.lua --prompt "..." --orientation portrait --avatar <look id> --json
--   heygen-lua examples/video_agent.lua --resume video_agent:<session id> --out demo.mp4
--   heygen-lua examples/video_agent.lua --chat --prompt "..." --answer "Use a calm voice" --out demo.mp4
-- With --chat the session is a conversation: when the agent asks (job:wait gives
-- err.kind "needs_input"), its question is printed on stderr and the script answers with
-- the next line of stdin, else --answer, else "Go ahead with your best choice"; then
-- --revise asks for one revision of the finished video (job:reply again).
-- Video Agent is a v3 endpoint: it works the same with HEYGEN_API=v2 or v3. Sessions
-- typically take 20-45 minutes; on --timeout the session keeps running, resume it with
-- --resume (it is never submitted twice). Warnings (e.g. HeyGen deprecating the v1/v2
-- endpoints) are printed on stderr. Without HEYGEN_API_KEY it runs against the offline
-- emulator (and says so).
local cli = require "heygen.cli"

local spec = {
  name = "video_agent.lua",
  summary = "Turn a one-sentence prompt into a finished video with HeyGen's Video Agent, and download it.",
  options = cli.output_options({
    { "prompt", "string", "what the video should be (1 to 10000 characters; required unless --resume)" },
    { "orientation", "string", "landscape or portrait (the agent picks when not given)" },
    { "avatar", "string", "avatar look id to present it (see examples/list_avatars_voices.lua)" },
    { "voice", "string", "voice id" },
    { "style", "string", "a Video Agent style id" },
    { "resume", "string", "follow a session started earlier: video_agent:SESSION_ID", metavar = "REF" },
    { "chat", "flag", "a conversation: answer the agent's questions (stdin lines, else --answer)" },
    { "answer", "string", "with --chat: the answer to a question when stdin has no line", metavar = "TEXT" },
    { "revise", "string", "with --chat: once the video is done, ask for this revision and wait again",
      metavar = "TEXT" },
  }, { timeout = 3600, wait_for = "the video" }),
}
local opts = cli.parse(arg, spec)
if not opts.prompt and not opts.resume then cli.usage(spec, "--prompt is required (or --resume REF)") end

local hg, emu = cli.connect()

-- checked before anything is sent: an empty or too long prompt, an unknown orientation
local job = cli.start_job(spec, opts, hg, emu, function()
  local created, err = hg:video_agent { prompt = opts.prompt, orientation = opts.orientation,
    avatar_id = opts.avatar, voice_id = opts.voice, style_id = opts.style, mode = opts.chat and "chat" or nil }
  if created and not opts.quiet then
    io.stderr:write("video agent session ", created.id, " (resume with --resume ", cli.job_ref(created), ")\n")
  end
  return created, err
end)

-- The answer to the agent's question: stdin's next line, else --answer, else a go-ahead.
local function answer()
  local line = opts.chat and io.read("l")
  if line and line ~= "" then return line end
  return opts.answer or "Go ahead with your best choice."
end

-- Wait (and download); while the agent asks, answer and wait again.
local function converse()
  local value, err = cli.deliver(job, opts.out, opts)
  while err and err.kind == "needs_input" and opts.chat do
    local reply = answer()
    io.stderr:write("agent: ", err.question, "\nyou: ", reply, "\n")
    local ok, rerr = job:reply(reply)
    if not ok then return nil, rerr end
    value, err = cli.deliver(job, opts.out, opts)
  end
  return value, err
end

local value, err = converse()
if value and opts.chat and opts.revise then
  io.stderr:write("you: ", opts.revise, "\n")
  local ok, rerr = job:reply(opts.revise)
  if not ok then
    value, err = nil, rerr
  else
    opts.force = true -- the revision replaces the first cut
    value, err = converse()
  end
end
if value then value.session_id = job.id end
cli.finish(opts, value, err, emu)
