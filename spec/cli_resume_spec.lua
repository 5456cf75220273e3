-- examples/generate.lua when a wait is cut short (a timeout, Ctrl-C, kill -9, a render not
-- saved) and --resume finishes the job without a second submit (lua/heygen/cli.lua).
local heygen = require "heygen"
local support = require "support"
local shell = require "shell"
local C = require "cli_env"

local ctx = C.use()
local emu, dir
before_each(function() emu, dir = ctx.emu, ctx.dir end)
local HEYGEN_LUA, GENERATE, environment, generate = C.HEYGEN_LUA, C.GENERATE, C.environment, C.generate
local run_printed = C.run_printed

describe("generate.lua cut short, then --resume", function()
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

  it("exits 2 on a --resume reference it cannot read, before any request", function()
    local r = generate { "--resume", "no-colon" }
    assert.are.equal(2, r.code)
    assert.matches("%-%-resume: a job reference is KIND:ID", r.err)
    assert.are.same({}, emu:requests {})
  end)

end)
