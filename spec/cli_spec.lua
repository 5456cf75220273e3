-- examples/generate.lua as a command-line tool (lua/heygen/cli.lua): what a user or a script
-- sees on stdout, stderr and in the exit code, through a pipe and on a terminal: options and
-- usage, the --out file, progress, --json, the exits of failures. Waiting cut short and
-- --resume: spec/cli_resume_spec.lua.
local heygen = require "heygen"
local support = require "support"
local shell = require "shell"
local C = require "cli_env"

local ctx = C.use()
local emu, dir
before_each(function() emu, dir = ctx.emu, ctx.dir end)
local generate, generate_on_tty, no_secrets = C.generate, C.generate_on_tty, C.no_secrets
local queue_fal_jobs = C.queue_fal_jobs

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

  it("says a deprecation once, and not at all with --quiet", function()
    local r = generate { "--prompt", "A cat", "--provider", "kling_pro", "--out", "d1.mp4" }
    assert.are.equal(0, r.code, shell.describe(r))
    local _, n = r.err:gsub("warning: HeyGen marks its legacy", "")
    assert.are.equal(1, n, r.err)
    r = generate { "--prompt", "A cat", "--provider", "kling_pro", "--out", "d2.mp4", "--quiet" }
    assert.are.equal(0, r.code, shell.describe(r))
    assert.are.equal("", r.err)
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
