-- scripts/api-doc: the API reference generated from the LuaLS annotations, and
-- its --check that every public function there has a doc comment.
local support = require "support"
local shell = require "shell"

local ROOT = os.getenv("PWD")
local LUA = os.getenv("HEYGEN_TEST_LUA") or "lua5.4"

local function api_doc(args, cwd)
  local argv = { LUA, ROOT .. "/scripts/api-doc" }
  for _, a in ipairs(args or {}) do argv[#argv + 1] = a end
  return shell.run(argv, { cwd = cwd or ROOT, env = { LUA_INIT = false } })
end

describe("scripts/api-doc", function()
  it("writes a Markdown reference of the calls as users write them", function()
    local r = api_doc()
    assert.are.equal(0, r.code, shell.describe(r))
    assert.matches("^# heygen API reference\n", r.out)
    for _, entry in ipairs {
      "heygen.step(timeout)", "heygen.run(fn, ...)", "heygen.client(opts)", "heygen.resume(path, hg)",
      "hg:generate_video(req)", "hg:fal_submit(model_id, input, opts)", "hg:fal_webhook_keys(opts)",
      "heygen.webhook.verify(body, headers, secret, opts)", "heygen.webhook.verify_fal(body, headers, keys, opts)",
      "heygen.core.hmac_sha256(key, data)", "hg:generate(req)", "job:wait(opts)",
      "job:download(path, opts)", "heygen.uv.attach(uv, opts)", "heygen.uv.run(fn, on_done, ...)",
      "heygen.cli.parse(argv, spec)", "heygen.cli.finish(opts, value, err, emu)", "heygen.core.multi(opts)",
      "multi:perform(ms)",
    } do
      assert.is_truthy(r.out:find("### `" .. entry .. "`", 1, true), "no entry for " .. entry)
    end
    assert.matches("### `heygen.uv.run%(fn, on_done, ...%)`\n\nRun fn%(...%) as a heygen task", r.out)
    assert.matches("%- param `on_done%?` fun%(ok: boolean, ...: any%)", r.out)
    assert.is_nil(r.out:find("_notice_deprecation", 1, true)) -- private names stay out
  end)

  it("--check passes: every public function it reads has a doc comment", function()
    local r = api_doc { "--check" }
    assert.are.equal(0, r.code, shell.describe(r))
    assert.are.equal("", r.err)
  end)

  it("--check names a public function added without a doc comment, and fails", function()
    local dir = support.tmpname()
    local copy = shell.run(string.format("mkdir -p %s/lua && cp -r %s %s/lua/", shell.quote(dir),
      shell.quote(ROOT .. "/lua/heygen"), shell.quote(dir)))
    assert(copy.code == 0, shell.describe(copy))
    local f = assert(io.open(dir .. "/lua/heygen/uv.lua", "a"))
    f:write("\nfunction M.undocumented(x) return x end\n")
    f:close()
    local r = api_doc({ "--check" }, dir)
    os.execute("rm -rf " .. shell.quote(dir))
    assert.are.equal(1, r.code, shell.describe(r))
    assert.are.equal("no doc comment: lua/heygen/uv.lua: heygen.uv.undocumented\n", r.err)
  end)
  it("--check fails when a row changed and the generated calls were not written again", function()
    local dir = support.tmpname()
    local copy = shell.run(string.format("mkdir -p %s/lua %s/docs && cp -r %s %s/lua/ && cp %s %s/docs/",
      shell.quote(dir), shell.quote(dir), shell.quote(ROOT .. "/lua/heygen"), shell.quote(dir),
      shell.quote(ROOT .. "/docs/client.md"), shell.quote(dir)))
    assert(copy.code == 0, shell.describe(copy))
    local before = api_doc({ "--check" }, dir)
    local path = dir .. "/lua/heygen/api/voices.lua"
    local src = support.read(path)
    local f = assert(io.open(path, "w"))
    f:write((src:gsub('text = "Speech audio from text"', 'text = "Speech audio, renamed"')))
    f:close()
    local r = api_doc({ "--check" }, dir)
    local meta_before = support.read(dir .. "/lua/heygen/calls.meta.lua")
    local w = api_doc({ "--write" }, dir)
    local meta = support.read(dir .. "/lua/heygen/calls.meta.lua")
    local after = api_doc({ "--check" }, dir)
    os.execute("rm -rf " .. shell.quote(dir))
    assert.are.equal(0, before.code, shell.describe(before))
    assert.are.equal(1, r.code, shell.describe(r))
    assert.matches("stale: lua/heygen/calls.meta.lua %(the rows of lua/heygen/api changed", r.err)
    assert.are.equal(0, w.code, shell.describe(w))
    assert.is_truthy(meta_before:find("--- Speech audio from text.\n---@param o heygen.SpeechOptions\n", 1, true))
    assert.is_truthy(meta:find("--- Speech audio, renamed.\n---@param o heygen.SpeechOptions\n"
      .. "---@return heygen.Speech|nil\n---@return heygen.Error|nil err\n"
      .. "function Client:text_to_speech(o) end", 1, true))
    assert.are.equal(0, after.code, shell.describe(after))
  end)

  it("docs/client.md has one generated line per call, with its legacy and v3 requests", function()
    local doc = support.read(ROOT .. "/docs/client.md")
    assert.is_truthy(doc:find("| `hg:video_status(video_id)` | `GET /v1/video_status.get?video_id={video_id}` | "
      .. "`GET /v3/videos/{video_id}` | `table` |", 1, true))
    assert.is_truthy(doc:find("| `hg:lipsync(o)` | `POST /v3/lipsyncs` | `POST /v3/lipsyncs` | `heygen.Job` |",
      1, true))
  end)
end)
