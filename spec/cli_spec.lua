-- examples/generate.lua as a command-line tool (lua/heygen/cli.lua): what a
-- user or a script sees on stdout, stderr and in the exit code, through a
-- pipe and on a terminal (a pseudo-terminal from util-linux `script`).
local heygen = require "heygen"
local support = require "support"
local shell = require "shell"

local ROOT = os.getenv("PWD")
local RUNTIME = os.getenv("HEYGEN_TEST_LUA") or ""
-- the interpreter the examples' #! names: the one under test when it is heygen-lua
local HEYGEN_LUA = RUNTIME:match("heygen%-lua$") and RUNTIME or "build/heygen-lua"
if HEYGEN_LUA:sub(1, 1) ~= "/" then HEYGEN_LUA = ROOT .. "/" .. HEYGEN_LUA end -- the tests run it elsewhere
local GENERATE = ROOT .. "/examples/generate.lua"
local SEEDANCE = "bytedance/seedance-2.0/text-to-video"

local ctx = shell.program_fixture(HEYGEN_LUA, { time_scale = 60 })
local emu, dir
before_each(function() emu, dir = ctx.emu, ctx.dir end)

local function environment(extra)
  local env = {
    HEYGEN_API_KEY = support.API_KEY, FAL_KEY = support.FAL_KEY, HEYGEN_BASE_URL = emu.url,
    HEYGEN_UPLOAD_URL = emu.upload_url, FAL_QUEUE_URL = emu.fal_url,
    HEYGEN_TOKEN = false, FAL_AI_API_KEY = false, HEYGEN_API = false, LUA_PATH = false, LUA_CPATH = false,
    LUA_INIT = false, LUA_INIT_5_4 = false,
  }
  for k, v in pairs(extra or {}) do env[k] = v end
  return env
end

-- generate.lua with stdout and stderr each to a file (a pipe, as far as it can tell)
local function generate(args, env)
  local argv = { HEYGEN_LUA, GENERATE }
  for _, a in ipairs(args) do argv[#argv + 1] = a end
  return shell.run(argv, { env = environment(env), cwd = dir })
end

-- generate.lua on a pseudo-terminal: stdout and stderr both reach the transcript
local function generate_on_tty(args)
  local argv = { HEYGEN_LUA, GENERATE }
  for _, a in ipairs(args) do argv[#argv + 1] = a end
  local inner = {}
  for i, a in ipairs(argv) do inner[i] = shell.quote(a) end
  return shell.run("script -qfec " .. shell.quote(table.concat(inner, " ")) .. " /dev/null",
    { env = environment(), cwd = dir })
end

-- A command the program printed for the user ("heygen-lua SCRIPT --resume ..."), run
-- as they would in the folder it ran in, with heygen-lua standing for the one under test.
local function run_printed(command)
  assert(command and command:match("^heygen%-lua "), tostring(command))
  return shell.run(shell.quote(HEYGEN_LUA) .. command:sub(#"heygen-lua" + 1), { env = environment(), cwd = dir })
end

local function no_secrets(r)
  for _, text in ipairs { r.out, r.err } do
    assert.is_nil(text:find(support.API_KEY, 1, true), "the HeyGen key was printed")
    assert.is_nil(text:find(support.FAL_KEY, 1, true), "the fal key was printed")
  end
end

-- fal answers IN_QUEUE with positions 1, then 0, then COMPLETED (no log lines)
local function queue_fal_jobs()
  emu:call("POST", "/_emulator/fal/models/" .. SEEDANCE, { queue = 1, logs = heygen.json.array {} })
end

describe("generate.lua on the command line", function()
  it("prints its usage on stdout and exits 0 for --help", function()
    local r = generate { "--help" }
    assert.are.equal(0, r.code, shell.describe(r))
    assert.matches("^usage: generate%.lua %[options%]", r.out)
    for _, flag in ipairs { "--prompt STRING", "--provider NAME%[,NAME...%]", "--aspect", "--out PATH", "--json",
      "--resume KIND:ID", "exit codes: 0 done, 1 API/network error, 2 usage, 3 auth, 4 timeout" } do
      assert.matches(flag, r.out)
    end
    assert.are.equal("", r.err)
  end)

  it("exits 2 on an unknown option, with a hint, before any request", function()
    local r = generate { "--promt", "a cat" }
    assert.are.equal(2, r.code, shell.describe(r))
    assert.matches("^generate%.lua: unknown option %-%-promt %(did you mean %-%-prompt%?%)\n\nusage:", r.err)
    assert.are.equal("", r.out)
    assert.are.same({}, emu:requests {})
  end)

  it("exits 2 on a value of the wrong type or a missing value", function()
    local r = generate { "--prompt", "a cat", "--duration", "long" }
    assert.are.equal(2, r.code)
    assert.matches("generate%.lua: %-%-duration must be a number, got long", r.err)
    r = generate { "--prompt" }
    assert.are.equal(2, r.code)
    assert.matches("generate%.lua: %-%-prompt needs a value", r.err)
    r = generate { "--aspect", "9:16" }
    assert.are.equal(2, r.code)
    assert.matches("generate%.lua: %-%-prompt is required %(or %-%-resume KIND:ID%)", r.err)
    assert.are.same({}, emu:requests {})
  end)

  it("refuses bad input before any request, naming the field, the rule and the value (exit 2)", function()
    local r = generate { "--prompt", "a cat", "--aspect", "7:3", "--json" }
    assert.are.equal(2, r.code, shell.describe(r))
    assert.are.equal("", r.out) -- stdout is for results only
    local doc = heygen.json.decode(r.err)
    assert.matches('aspect_ratio must be one of "16:9", "9:16", "1:1", "21:9", "4:3", "3:4", got "7:3"',
      doc.error.message)
    assert.are.equal("invalid_argument", doc.error.kind)
    assert.are.equal("invalid_parameter", doc.error.code)
    assert.are.equal(2, doc.error.exit)
    assert.are.same({}, emu:requests {})
    r = generate { "--prompt", "a cat", "--aspect", "7:3" }
    assert.matches('^generate%.lua: heygen: invalid_argument: [^\n]*got "7:3"', r.err)
  end)

  it("says a usage error as JSON on stderr with --json, code usage_error, nothing on stdout", function()
    for _, args in ipairs { { "--json", "--promt", "a cat" }, { "--prompt", "a cat", "--timeout", "x", "--json" } } do
      local r = generate(args)
      assert.are.equal(2, r.code, shell.describe(r))
      assert.are.equal("", r.out)
      local doc = assert(heygen.json.decode(r.err), r.err)
      assert.are.equal("usage_error", doc.error.code)
      assert.matches("%-%-", doc.error.message)
    end
    assert.are.same({}, emu:requests {})
  end)

  it("refuses a negative, zero or non-finite --timeout before any request", function()
    for _, t in ipairs { "-5", "0", "nan", "inf" } do
      local r = generate { "--prompt", "a cat", "--timeout", t }
      assert.are.equal(2, r.code, t .. ": " .. shell.describe(r))
      assert.matches("%-%-timeout must be ", r.err)
    end
    assert.are.same({}, emu:requests {})
  end)

  it("keeps an existing --out file unless --force, and checks its folder, before the paid submit", function()
    support.write_file(dir .. "/keep.mp4", "mine")
    local r = generate { "--prompt", "A cat", "--provider", "kling_pro", "--out", "keep.mp4", "--json" }
    assert.are.equal(2, r.code, shell.describe(r))
    local doc = heygen.json.decode(r.err)
    assert.are.equal("file_exists", doc.error.code)
    assert.matches("keep%.mp4 exists: pass %-%-force", doc.error.message)
    assert.are.equal("mine", support.read(dir .. "/keep.mp4"))
    r = generate { "--prompt", "A cat", "--provider", "kling_pro", "--out", "no-such-dir/x.mp4" }
    assert.are.equal(1, r.code, shell.describe(r))
    assert.matches("cannot write into no%-such%-dir", r.err)
    assert.are.same({}, emu:requests { method = "POST" })

    r = generate { "--prompt", "A cat", "--provider", "kling_pro", "--out", "keep.mp4", "--force", "--quiet" }
    assert.are.equal(0, r.code, shell.describe(r))
    assert.are.equal("keep.mp4\n", r.out)
    assert.are.equal(support.sample_mp4(), support.read(dir .. "/keep.mp4"))
  end)

  it("names the file after the job when there is no --out, in the folder it runs in", function()
    local r = generate { "--prompt", "A cat", "--provider", "kling_pro", "--quiet" }
    assert.are.equal(0, r.code, shell.describe(r))
    local name = r.out:match("^([%w_%-]+%.mp4)\n$")
    assert(name, r.out)
    local id = name:sub(1, -5)
    assert.are.equal(1, #emu:requests { method = "POST" })
    assert.is_truthy(emu:job(id))
    assert.are.equal(support.sample_mp4(), support.read(dir .. "/" .. name))
    os.remove(dir .. "/" .. name)
  end)

  it("--no-wait submits, prints the reference and exits; --resume then finishes it", function()
    local r = generate { "--prompt", "A cat", "--provider", "kling_pro", "--no-wait" }
    assert.are.equal(0, r.code, shell.describe(r))
    local ref = r.out:match("^(workflow:[%w%-_]+)\n$")
    assert(ref, r.out)
    assert.are.equal(1, #emu:requests { method = "POST" })
    local j = generate { "--prompt", "A cat", "--provider", "kling_pro", "--no-wait", "--json" }
    local doc = heygen.json.decode(j.out)
    assert.matches("^workflow:", doc.ref)
    assert.is_string(doc.job_id)
    r = generate { "--resume", ref, "--out", "later.mp4", "--quiet" }
    assert.are.equal(0, r.code, shell.describe(r))
    assert.are.equal(support.sample_mp4(), support.read(dir .. "/later.mp4"))
    assert.are.equal(2, #emu:requests { method = "POST" })
  end)

  it("through a pipe: plain progress lines with queue position and download bytes, the path on stdout", function()
    queue_fal_jobs()
    local r = generate { "--prompt", "A drone shot over a coastal city", "--provider", "seedance_2",
      "--aspect", "9:16", "--out", "clip.mp4" }
    assert.are.equal(0, r.code, shell.describe(r))
    assert.are.equal("clip.mp4\n", r.out)
    assert.are.equal(support.sample_mp4(), support.read(dir .. "/clip.mp4"))
    assert.is_nil(r.err:find("\r", 1, true))
    assert.is_nil(r.err:find("\27", 1, true))
    local lines = {}
    for line in r.err:gmatch("[^\n]+") do
      assert.matches("^%[%d+:%d%d%] ", line)
      lines[#lines + 1] = line:gsub("^%[%d+:%d%d%] ", "")
    end
    for i = 2, #lines do assert.are_not.equal(lines[i - 1], lines[i]) end -- one line per change
    local progress = table.concat(lines, "\n")
    assert.matches("seedance_2 fal [%x%-]+: pending, queue position 1", progress)
    assert.matches("seedance_2 fal [%x%-]+: pending, queue position 0", progress)
    assert.matches("seedance_2 fal [%x%-]+: completed", progress)
    assert.matches("downloading: 60131 of 60131 bytes %(100%%%)", progress)
    local submit = emu:requests { method = "POST", path = "^/fal/" }
    assert.are.equal(1, #submit)
    assert.are.equal("9:16", heygen.json.decode(submit[1].body).aspect_ratio)
    no_secrets(r)
  end)

  it("on a terminal: one updating line (status, elapsed, queue position, download bytes)", function()
    queue_fal_jobs()
    local r = generate_on_tty { "--prompt", "A drone shot", "--provider", "seedance_2", "--out", "clip.mp4" }
    assert.are.equal(0, r.code, shell.describe(r))
    local transcript = r.out
    assert.matches("\r\27%[K%[0:0%d%] seedance_2 fal [%x%-]+: pending, queue position 1", transcript)
    assert.matches("\r\27%[K%[0:0%d%] seedance_2 fal [%x%-]+: completed", transcript)
    assert.matches("\r\27%[K%[0:0%d%] downloading: 60131 of 60131 bytes %(100%%%)\r?\nclip%.mp4", transcript)
    -- the progress stays on one line: no newline between its updates
    local first = transcript:find("\r\27[K", 1, true)
    local last_update = transcript:find("downloading", 1, true)
    assert.is_nil(transcript:sub(first, last_update):find("\n", 1, true))
    assert.are.equal(support.sample_mp4(), support.read(dir .. "/clip.mp4"))
    no_secrets(r)
  end)

  it("prints the result as JSON with --json", function()
    local r = generate { "--prompt", "A red kite", "--provider", "kling_pro,veo_3_1", "--out", "kite.mp4", "--json",
      "--quiet" }
    assert.are.equal(0, r.code, shell.describe(r))
    assert.is_nil(r.err:find("[0:", 1, true)) -- --quiet: no progress
    local doc = heygen.json.decode(r.out)
    assert.are.equal("kite.mp4", doc.path)
    assert.are.equal("kling_pro", doc.provider)
    assert.are.equal("heygen", doc.gateway)
    assert.are.equal(1, doc.attempts)
    assert.are.equal("workflow:" .. doc.job_id, doc.ref)
    assert.matches("^http://127%.0%.0%.1:%d+/", doc.video_url)
    assert.are.equal(support.sample_mp4(), support.read(dir .. "/kite.mp4"))
  end)

  it("exits 4 on a wait timeout with the job to resume, and --resume finishes it without a second submit", function()
    emu:next_job { stuck = true }
    local r = generate { "--prompt", "A night train", "--provider", "kling_pro", "--timeout", "1", "--json",
      "--out", "train.mp4" }
    assert.are.equal(4, r.code, shell.describe(r))
    assert.are.equal("", r.out)
    local doc = heygen.json.decode(r.err:match("(%b{})\n$")) -- the last line: warnings may precede it
    assert.are.equal("timeout", doc.error.kind)
    assert.are.equal(4, doc.error.exit)
    local id = doc.error.job_id
    assert.are.equal("workflow:" .. id, doc.error.resume)
    assert.are.equal("resume with --resume workflow:" .. id, doc.error.hint)
    emu:next_job { stuck = true } -- people's words on stderr without --json
    r = generate { "--prompt", "A night train", "--provider", "kling_pro", "--timeout", "1", "--out", "t2.mp4" }
    assert.matches("resume with %-%-resume workflow:[%w%-]+ %(do not submit it again%)", r.err)
    assert.is_nil(support.read(dir .. "/train.mp4"))

    emu:job(id, { complete = true })
    r = generate { "--resume", doc.error.resume, "--out", "train.mp4" }
    assert.are.equal(0, r.code, shell.describe(r))
    assert.are.equal(support.sample_mp4(), support.read(dir .. "/train.mp4"))
    assert.are.equal(2, #emu:requests { method = "POST" })
  end)

  it("on Ctrl-C during the wait: one line with the command that resumes it, exit 130, nothing resubmitted",
    function()
      emu:next_job { stuck = true }
      local q = shell.quote
      local script = table.concat({
        "true", -- shell.run's "cd DIR &&" binds to this line, not to the background job
        q(HEYGEN_LUA) .. " " .. q(GENERATE) .. " --prompt 'A slow boat' --provider kling_pro --out boat.mp4"
          .. " 2>err.txt & pid=$!",
        "for i in $(seq 1 400); do grep -q pending err.txt 2>/dev/null && break; sleep 0.05; done",
        "kill -INT $pid; wait $pid; echo \"rc=$?\"; cat err.txt >&2",
      }, "\n")
      local r = shell.run(script, { env = environment(), cwd = dir })
      assert.matches("rc=130", r.out, 1, true)
      local last = r.err:match("([^\n]+)\n$")
      assert.matches("^generate%.lua: interrupted: workflow [%w%-]+ keeps running remotely; resume with: "
        .. "heygen%-lua " .. GENERATE:gsub("%p", "%%%0") .. " %-%-resume workflow:[%w%-]+ %-%-out boat%.mp4 "
        .. "%(do not submit it again%)$", last)
      assert.is_nil(r.err:find("traceback", 1, true), r.err)
      assert.are.equal(1, #emu:requests { method = "POST" })
      -- the printed command, run, finishes that job and writes the MP4 where --out said
      for _, j in ipairs(emu:jobs()) do emu:job(j.id, { stuck = false }) end
      r = run_printed(last:match("resume with: (.-) %(do not submit it again%)$"))
      assert.are.equal(0, r.code, shell.describe(r))
      assert.are.equal("boat.mp4\n", r.out)
      assert.are.equal(support.sample_mp4(), support.read(dir .. "/boat.mp4"))
      assert.are.equal(1, #emu:requests { method = "POST" })
    end)

  it("a render done but not saved (its URL expired): exit 1, says it is kept; the printed command saves it",
    function()
      emu:fault { method = "GET", path = "^/files/", expire = true, times = -1 }
      local r = generate { "--prompt", "A late kite", "--provider", "kling_pro", "--out", "late.mp4" }
      assert.are.equal(1, r.code, shell.describe(r))
      local last = r.err:match("([^\n]+)\n$")
      assert.matches("^generate%.lua: the render is finished and kept %(workflow:[%w%-]+%), but not saved: fix the "
        .. "cause, then download it with: heygen%-lua " .. GENERATE:gsub("%p", "%%%0")
        .. " %-%-resume workflow:[%w%-]+ %-%-out late%.mp4 %(do not submit it again%)$", last)
      assert.matches("url_expired", r.err, 1, true)
      assert.is_nil(support.read(dir .. "/late.mp4"))
      local j = generate { "--prompt", "A late kite", "--provider", "kling_pro", "--out", "late2.mp4", "--json" }
      local doc = heygen.json.decode(j.err:match("(%b{})\n$"))
      assert.is_true(doc.error.rendered)
      assert.matches("^workflow:", doc.error.resume)
      assert.matches(" %-%-out late2%.mp4$", doc.error.resume_command)
      emu:clear_faults()
      r = run_printed(last:match("download it with: (.-) %(do not submit it again%)$"))
      assert.are.equal(0, r.code, shell.describe(r))
      assert.are.equal(support.sample_mp4(), support.read(dir .. "/late.mp4"))
      assert.are.equal(2, #emu:requests { method = "POST" }) -- the two runs above, none for the resume
    end)

  it("kill -9 during the download, then --resume: the same bytes, the part resumed with a Range", function()
    local sample = support.sample_mp4()
    -- the first GET of the file sends 20000 bytes and drops; the retry stalls: the part holds them
    emu:fault { method = "GET", path = "^/files/", drop_after = 20000 }
    emu:fault { method = "GET", path = "^/files/", delay = 60 }
    local q = shell.quote
    local script = table.concat({
      "true",
      q(HEYGEN_LUA) .. " " .. q(GENERATE) .. " --prompt 'A torn kite' --provider kling_pro --out torn.mp4"
        .. " 2>err.txt & pid=$!",
      "for i in $(seq 1 400); do ls torn.mp4.part.resume >/dev/null 2>&1 && break; sleep 0.05; done",
      "kill -9 $pid; wait $pid; echo \"rc=$?\"; ls; cat err.txt >&2",
    }, "\n")
    local r = shell.run(script, { env = environment(), cwd = dir })
    assert.matches("rc=137", r.out, 1, true)
    assert.matches("torn.mp4.part.resume", r.out, 1, true)
    assert.is_nil(support.read(dir .. "/torn.mp4"))
    local ref = r.err:match("(workflow [%w%-]+):"):gsub(" ", ":")
    emu:clear_faults()
    r = generate { "--resume", ref, "--out", "torn.mp4", "--quiet" }
    assert.are.equal(0, r.code, shell.describe(r))
    assert.are.equal(sample, support.read(dir .. "/torn.mp4"))
    assert.are.equal(1, #emu:requests { method = "POST" })
    local gets = emu:requests { method = "GET", path = "^/files/" }
    assert.are.equal("bytes=20000-", gets[#gets].headers.range)
  end)

  it("--resume takes a fal provider's name as the progress line shows it", function()
    local r = generate { "--prompt", "A kite", "--provider", "kling_v3_standard", "--no-wait" }
    assert.are.equal(0, r.code, shell.describe(r))
    local id = r.out:match("^fal:[^\n]+:([%w%-]+)\n$")
    assert(id, r.out)
    r = generate { "--resume", "fal:kling_v3_standard:" .. id, "--out", "kite.mp4", "--quiet" }
    assert.are.equal(0, r.code, shell.describe(r))
    assert.are.equal(support.sample_mp4(), support.read(dir .. "/kite.mp4"))
    r = generate { "--resume", "fal:no_such_model:" .. id }
    assert.are.equal(2, r.code)
    assert.matches("a fal provider's name", r.err)
  end)

  it("says a deprecation once, and not at all with --quiet", function()
    local r = generate { "--prompt", "A cat", "--provider", "kling_pro", "--out", "d1.mp4" }
    assert.are.equal(0, r.code, shell.describe(r))
    local _, n = r.err:gsub("warning: HeyGen marks its legacy", "")
    assert.are.equal(1, n, r.err)
    r = generate { "--prompt", "A cat", "--provider", "kling_pro", "--out", "d2.mp4", "--quiet" }
    assert.are.equal(0, r.code, shell.describe(r))
    assert.are.equal("", r.err)
  end)

  it("exits 2 on a --resume reference it cannot read, before any request", function()
    local r = generate { "--resume", "no-colon" }
    assert.are.equal(2, r.code)
    assert.matches("%-%-resume: a job reference is KIND:ID", r.err)
    assert.are.same({}, emu:requests {})
  end)

  it("exits 3 on a rejected key, without printing the key", function()
    local r = generate({ "--prompt", "A cat", "--provider", "kling_pro" },
      { HEYGEN_API_KEY = "wrong-key-abcdef123456" })
    assert.are.equal(3, r.code, shell.describe(r))
    assert.matches("generate%.lua: heygen: auth: ", r.err)
    assert.matches("check HEYGEN_API_KEY", r.err)
    assert.is_nil((r.out .. r.err):find("wrong-key-abcdef123456", 1, true))
  end)

  it("exits 1 with the API's message when the render fails and no fallback is allowed", function()
    emu:next_job { fail = { code = 40119, message = "Video is too long" } }
    local r = generate { "--prompt", "A cat", "--provider", "kling_pro", "--no-fallback" }
    assert.are.equal(1, r.code, shell.describe(r))
    assert.matches("heygen: job_failed: [^\n]*Video is too long", r.err)
    assert.are.equal(1, #emu:requests { method = "POST" })
  end)

  it("starts the offline emulator by itself when no key is set, and says so", function()
    local r = generate({ "--prompt", "A lighthouse", "--out", "light.mp4", "--quiet" },
      { HEYGEN_API_KEY = false, FAL_KEY = false, HEYGEN_BASE_URL = false, FAL_QUEUE_URL = false,
        HEYGEN_UPLOAD_URL = false, HEYGEN_EMULATOR_SPEED = "120", HEYGEN_EMULATOR_STATE = dir .. "/emu.state" })
    assert.are.equal(0, r.code, shell.describe(r))
    assert.matches("No HEYGEN_API_KEY set: using the offline emulator at http://127%.0%.0%.1:%d+", r.err)
    assert.are.equal("light.mp4\n", r.out)
    assert.are.equal(support.sample_mp4(), support.read(dir .. "/light.mp4"))
    assert.are.same({}, emu:requests {}) -- not this test's emulator: its own
  end)
end)

describe("heygen.cli error codes", function()
  it("name every error kind on the command line (no kind falls to the generic code)", function()
    local cli = require "heygen.cli"
    local errors = require "heygen.errors"
    local missing = {}
    for kind in pairs(errors.KINDS) do
      if not cli.CODE_FOR_KIND[kind] then missing[#missing + 1] = kind end
    end
    table.sort(missing)
    assert.are.same({}, missing)
  end)
end)
