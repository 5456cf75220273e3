-- The v1/v2 use-case examples, run as a user runs them: `heygen-lua examples/x.lua
-- --args` with no HEYGEN_API_KEY, so each starts the offline emulator itself
-- (HEYGEN_EMULATOR_SPEED=600 keeps renders short). Checked: exit codes, stdout,
-- stderr and the files written.
local heygen = require "heygen"
local support = require "support"

local BIN = os.getenv("HEYGEN_LUA_BIN") or "build/heygen-lua"
local ROOT = io.popen("pwd"):read("l")
if BIN:sub(1, 1) ~= "/" then BIN = ROOT .. "/" .. BIN end

local function quote(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end

local work
setup(function()
  work = support.tmpname()
  assert(os.execute("mkdir -p " .. quote(work)))
end)
teardown(function() os.execute("rm -rf " .. quote(work)) end)

--- Runs examples/<name>.lua with args in the work directory; returns {out=, err=, code=}.
-- `speed`: the emulator's clock (default 600 virtual seconds a second).
local function run(name, args, speed)
  local parts = { "cd", quote(work), "&&", "env -u HEYGEN_API_KEY -u HEYGEN_TOKEN",
    "-u LUA_INIT -u LUA_INIT_5_4 HEYGEN_API=v2 HEYGEN_EMULATOR_SPEED=" .. (speed or 600),
    "HEYGEN_EMULATOR_STATE=" .. quote(work .. "/emulator.state"), "timeout 120", quote(BIN),
    quote(ROOT .. "/examples/" .. name .. ".lua") }
  for _, a in ipairs(args or {}) do parts[#parts + 1] = quote(a) end
  local errfile = work .. "/stderr.txt"
  local p = io.popen(table.concat(parts, " ") .. " 2>" .. quote(errfile) .. "; echo \"exit:$?\"")
  local out = p:read("*a")
  p:close()
  local code = tonumber(out:match("exit:(%d+)\n?$"))
  return { out = out:gsub("exit:%d+\n?$", ""), err = support.read(errfile) or "", code = code }
end

local function json_of(r) return heygen.json.decode(r.out) end

local function assert_ran(r)
  assert.are.equal(0, r.code, "exit code; stderr:\n" .. r.err)
  assert.matches("No HEYGEN_API_KEY set: using the offline emulator at http://127%.0%.0%.1:%d+", r.err)
end

local function assert_mp4(path)
  assert.are.equal(support.sample_mp4(), support.read(path), path .. " is not the served MP4")
  assert.is_nil(support.read(path .. ".part"))
end

describe("examples (v1/v2 use cases)", function()
  it("text_to_video.lua renders a prompt with the chosen provider and downloads the MP4", function()
    local r = run("text_to_video", { "--prompt", "A drone shot over a coastal city", "--provider", "kling_pro",
      "--aspect", "9:16", "--config", '{"duration":8}', "--out", "city.mp4", "--json" })
    assert_ran(r)
    local v = json_of(r)
    assert.are.equal("city.mp4", v.path)
    assert.are.equal("kling_pro", v.provider)
    assert.matches("^node%-gw%-", v.job_id)
    assert_mp4(work .. "/city.mp4")
  end)

  it("text_to_video.lua refuses an unknown provider with exit 2 and the rule, before rendering", function()
    local r = run("text_to_video", { "--prompt", "x", "--provider", "veo9", "--out", "never.mp4" })
    assert.are.equal(2, r.code)
    assert.matches('heygen: invalid_argument: provider must be one of "veo_3_1", ', r.err, 1, true)
    assert.is_nil(support.read(work .. "/never.mp4"))
    local usage = run("text_to_video", {})
    assert.are.equal(2, usage.code)
    assert.matches("--prompt is required", usage.err, 1, true)
    local config = run("text_to_video", { "--prompt", "x", "--config", "fast" })
    assert.are.equal(2, config.code)
    assert.matches("--config must be a JSON object, got fast", config.err, 1, true)
  end)

  it("text_to_video.lua on a wait timeout exits 4 and says how to resume with generate.lua", function()
    local r = run("text_to_video", { "--prompt", "a slow render", "--timeout", "0.01", "--out", "late.mp4" })
    assert.are.equal(4, r.code)
    assert.matches("resume with heygen%-lua examples/generate%.lua %-%-resume workflow:node%-gw%-", r.err)
    assert.matches("do not submit it again", r.err, 1, true)
    assert.is_nil(support.read(work .. "/late.mp4"))
  end)

  it("image_to_video.lua uploads a local image, animates it and downloads the MP4", function()
    local f = assert(io.open(work .. "/still.png", "wb"))
    f:write("\137PNG\r\n\26\n", ("\7"):rep(256))
    f:close()
    local r = run("image_to_video", { "--image", "still.png", "--prompt", "The camera orbits slowly",
      "--tail", "https://example.com/last.png", "--out", "orbit.mp4", "--json" })
    assert_ran(r)
    local v = json_of(r)
    assert.matches("^http://127%.0%.0%.1:%d+/files/assets/%x+%.png%?Expires=", v.reference_image_url)
    assert.are.equal("https://example.com/last.png", v.tail_image_url)
    assert.matches("uploaded still.png as asset %x+", r.err)
    assert_mp4(work .. "/orbit.mp4")
  end)

  it("social_vertical.lua makes a 1080x1920 captioned presenter video and says which avatar and voice", function()
    local r = run("social_vertical", { "--script", 'Three tips. <break time="1s"/> One: sleep.', "--test",
      "--out", "tips.mp4", "--json" })
    assert_ran(r)
    local v = json_of(r)
    assert.are.equal("Abigail_expressive_2024112501", v.avatar_id)
    assert.are.equal("1bd001e7e50f421d891986aad5158bc8", v.voice_id)
    assert.matches("%.ass%?Expires=", v.caption_url)
    assert.matches("chose avatar Abigail_expressive_2024112501 (first available); voice "
      .. "1bd001e7e50f421d891986aad5158bc8 (the avatar's default voice)", r.err, 1, true)
    assert_mp4(work .. "/tips.mp4")
  end)

  it("fast_generation.lua renders variants concurrently on a fast provider and downloads each", function()
    local r = run("fast_generation", { "--prompt", "A paper boat on a rainy street", "--variants", "3",
      "--provider", "ltx_distilled", "--dir", ".", "--json" })
    assert_ran(r)
    local v = json_of(r)
    assert.are.equal("ltx_distilled", v.provider)
    assert.are.equal(3, #v.variants)
    for i = 1, 3 do
      assert.are.equal("./variant-" .. i .. ".mp4", v.variants[i].path)
      assert_mp4(work .. "/variant-" .. i .. ".mp4")
    end
    local slow = run("fast_generation", { "--prompt", "x", "--provider", "sora_v2_pro" })
    assert.are.equal(2, slow.code)
    assert.matches("--provider must be a fast one, got sora_v2_pro", slow.err, 1, true)
  end)

  it("fast_generation.lua refuses a --dir it cannot write before submitting, and honours --timeout", function()
    local r = run("fast_generation", { "--prompt", "x", "--dir", "no/such/dir" })
    assert.are.equal(2, r.code)
    assert.matches("--dir: cannot write to no/such/dir (does it exist?)", r.err, 1, true)
    -- refused before the emulator (and so any request) was even started
    assert.is_nil(r.err:find("using the offline emulator", 1, true))
    assert(os.execute("mkdir -p " .. quote(work .. "/late")))
    -- the emulator's clock at real time, so no render can end inside the 0.2 s (at 600x it could)
    local t = run("fast_generation", { "--prompt", "x", "--variants", "2", "--timeout", "0.2", "--dir", "late",
      "--json" }, 1)
    assert.are.equal(4, t.code, t.err)
    assert.are.equal("", t.out) -- an error is no result: JSON on stderr, stdout empty
    local v = heygen.json.decode(t.err:match("(%b{})\n$"))
    assert.are.equal("timeout", v.error.kind)
    assert.matches("^node%-gw%-", v.error.job_id)
    assert.is_nil(support.read(work .. "/late/variant-1.mp4"))
  end)

  it("multi_scene_avatar.lua turns each paragraph of a script file into a scene", function()
    local f = assert(io.open(work .. "/lesson.txt", "w"))
    f:write('Scene one. <break time="1.5s"/> Still one.\n\nScene two.\n\n\nScene three.\n')
    f:close()
    local r = run("multi_scene_avatar", { "--script-file", "lesson.txt", "--test", "--caption", "--out", "lesson.mp4",
      "--json" })
    assert_ran(r)
    local v = json_of(r)
    assert.are.equal(3, v.scenes)
    assert.are.equal("Abigail_expressive_2024112501", v.avatar_id)
    assert_mp4(work .. "/lesson.mp4")
    local demo = run("multi_scene_avatar", { "--avatar", "Josh_lite3_20230714", "--out", "demo.mp4" })
    assert_ran(demo)
    assert.are.equal("demo.mp4\n", demo.out)
    assert.matches("3 scenes, avatar Josh_lite3_20230714, voice 077ab11b14f04ce0b49b5f6e5cc20979", demo.err, 1, true)
  end)

  it("webm_overlay.lua downloads a transparent WebM, and refuses text and audio together", function()
    local r = run("webm_overlay", { "--text", "Hi, I'm your guide.", "--style", "closeUp", "--out", "guide.webm" })
    assert_ran(r)
    assert.are.equal("guide.webm\n", r.out)
    assert.are.equal("\26\69\223\163", support.read(work .. "/guide.webm"):sub(1, 4))
    local both = run("webm_overlay", { "--text", "Hi", "--audio-asset", "abc", "--out", "no.webm" })
    assert.are.equal(2, both.code)
    assert.matches("the request needs exactly one of {input_text + voice_id} or {input_audio}, got both", both.err,
      1, true)
  end)

  it("template_video.lua lists templates with their variables and renders one", function()
    local list = run("template_video", { "--list", "--json" })
    assert_ran(list)
    local t = json_of(list).templates[1]
    assert.are.equal("22a48da453ef4c014a6a60d827a02f0b", t.template_id)
    assert.are.same({ "first_name (text)", "logo (image)", "product (text)", "script1_voice (voice)" }, t.variables)
    local r = run("template_video", { "--template", t.template_id, "--variables", '{"first_name": "Ana"}', "--test",
      "--out", "ana.mp4", "--json" })
    assert_ran(r)
    assert.are.equal(t.template_id, json_of(r).template_id)
    assert_mp4(work .. "/ana.mp4")
    local bad = run("template_video", { "--template", t.template_id, "--variables", '{"nickname": "Ana"}' })
    assert.are.equal(2, bad.code)
    assert.matches("variables.nickname is not a variable of template", bad.err, 1, true)
  end)

  it("translate.lua lists languages and translates a video to a downloaded MP4", function()
    local langs = run("translate", { "--languages" })
    assert_ran(langs)
    assert.matches("\nSpanish %(Spain%)\n", langs.out)
    local r = run("translate", { "--video-url", "https://example.com/talk.mp4", "--language", "Spanish (Spain)",
      "--title", "Charla", "--out", "talk-es.mp4", "--json" })
    assert_ran(r)
    local v = json_of(r)
    assert.are.equal("Charla", v.title)
    assert.are.equal(v.url, v.video_url)
    assert_mp4(work .. "/talk-es.mp4")
  end)

  it("video_agent.lua --chat runs a chat session to a downloaded video", function()
    local r = run("video_agent", { "--chat", "--prompt", "A short teaser for a water bottle",
      "--answer", "Go with a calm voice", "--out", "teaser.mp4", "--json", "--quiet" })
    assert_ran(r)
    local v = json_of(r)
    assert.are.equal("teaser.mp4", v.path)
    assert.are.equal(v.job_id, v.session_id)
    assert_mp4(work .. "/teaser.mp4")
    local bad = run("video_agent", { "--chat", "--prompt", "" })
    assert.are.equal(2, bad.code, bad.err)
    assert.matches("prompt must not be empty", bad.err)
  end)

  it("remove_background.lua checks its video and layers before anything is sent", function()
    local r = run("remove_background", { "--video-url", "https://example.com/a.mp4", "--layers", "foreground,alpha" })
    assert.are.equal(2, r.code, r.err)
    assert.matches('layers%[2%] must be one of "foreground", "mask", "background", got "alpha"', r.err)
    r = run("remove_background", { "--layers", "mask" })
    assert.are.equal(2, r.code, r.err)
    assert.matches("give one of %-%-video%-url or %-%-video", r.err)
  end)

  it("remove_background.lua runs offline to the foreground layer on disk", function()
    local r = run("remove_background", { "--video-url", "https://example.com/talk.mp4", "--layers", "foreground,mask",
      "--out", "talk-fg.webm", "--json" })
    assert_ran(r)
    local v = json_of(r)
    assert.are.equal("talk-fg.webm", v.path)
    assert.matches("^background_removal:br_%x+$", v.ref)
    assert.is_string(v.layers.mask)
    assert.is_nil(v.layers.background)
    local bytes = support.read(work .. "/talk-fg.webm")
    assert.are.equal("\26\69\223\163", bytes:sub(1, 4))      -- the served WebM (EBML header)
    assert.is_nil(support.read(work .. "/talk-fg.webm.part"))
  end)

  it("list_avatars_voices.lua lists avatars and voices, filtered case-insensitively", function()
    local r = run("list_avatars_voices", { "--gender", "FEMALE", "--json" })
    assert_ran(r)
    local v = json_of(r)
    assert.is_true(#v.avatars > 0 and #v.voices > 0)
    for _, a in ipairs(v.avatars) do assert.are.equal("female", a.gender:lower()) end
    for _, voice in ipairs(v.voices) do assert.are.equal("female", voice.gender:lower()) end
    local text = run("list_avatars_voices", { "--language", "english", "--voices-only" })
    assert_ran(text)
    assert.matches("^voice   1bd001e7e50f421d891986aad5158bc8 Sara %- Cheerful", text.out)
    assert.is_nil(text.out:find("Spanish", 1, true))
  end)
end)

describe("examples (webhooks)", function()
  it("webhook_receiver.lua registers an endpoint, is told of the render by a signed delivery, downloads it",
    function()
      local refused = run("webhook_receiver", { "--port", "0", "--out-dir", "videos" })
      assert.are.equal(2, refused.code)
      assert.matches("%-%-out%-dir: cannot write to videos %(does it exist%?%)", refused.err)
      assert(os.execute("mkdir -p " .. quote(work .. "/videos")))
      local r = run("webhook_receiver", { "--port", "0", "--out-dir", "videos", "--timeout", "60" })
      assert.are.equal(0, r.code, "exit code; stderr:\n" .. r.err)
      assert.matches("No HEYGEN_API_KEY set: using the offline emulator", r.err)
      assert.matches("endpoint ep_%w+ for https://127%.0%.0%.1:%d+/heygen", r.err)
      -- stdout: only the file it wrote; what happened is said on stderr
      local video_id = r.out:match("^videos/(%w+)%.mp4\n$")
      assert(video_id, "stdout: " .. r.out)
      assert.matches("avatar_video.success " .. video_id, r.err, 1, true)
      assert.matches("1 events, 1 videos downloaded", r.err, 1, true)
      assert_mp4(work .. "/videos/" .. video_id .. ".mp4")
    end)

  it("webhook_receiver.lua answers 401 to an unsigned or forged delivery and keeps listening", function()
    -- the receiver alone (a secret given, no emulator key needed to listen): run it in the
    -- background, forge deliveries at it, then send one genuine event
    local port_file = work .. "/port.txt"
    local socket = require "socket"
    local probe = assert(socket.bind("127.0.0.1", 0))
    local _, port = probe:getsockname()
    probe:close()
    local cmd = table.concat({ "cd", quote(work), "&&", "env -u HEYGEN_API_KEY -u HEYGEN_TOKEN -u LUA_INIT",
      "HEYGEN_API_KEY=unused-key timeout 60", quote(BIN), quote(ROOT .. "/examples/webhook_receiver.lua"),
      "--port", tostring(port), "--secret", "whsec_example", "--count", "1", "--json",
      ">", quote(port_file), "2>", quote(work .. "/recv.err"), "&" }, " ")
    assert(os.execute(cmd))
    local function post(body, headers)
      local c
      for _ = 1, 100 do
        c = socket.connect("127.0.0.1", port)
        if c then break end
        socket.sleep(0.05)
      end
      assert(c, "the receiver never listened")
      local head = { "POST /heygen HTTP/1.1", "Host: 127.0.0.1", "Content-Length: " .. #body }
      for k, v in pairs(headers) do head[#head + 1] = k .. ": " .. v end
      c:send(table.concat(head, "\r\n") .. "\r\n\r\n" .. body)
      local status = c:receive("*l")
      c:close()
      return tonumber(status:match("^HTTP/1%.1 (%d+)"))
    end
    local body = '{"event_id":"evt_x1","event_type":"avatar_video.fail",'
      .. '"event_data":{"video_id":"v1","msg":"no credit"}}'
    assert.are.equal(401, post(body, {}))
    assert.are.equal(401, post(body, { Signature = string.rep("0", 64) }))
    assert.are.equal(200, post(body, { Signature = require("heygen.webhook").sign("whsec_example", body) }))
    for _ = 1, 100 do
      if (support.read(port_file) or ""):find("\n%s*{.*}%s*\n") then break end
      socket.sleep(0.05)
    end
    local out = support.read(port_file)
    local event = assert(heygen.json.decode(out:match("^(%b{})\n")), out)
    assert.are.equal("avatar_video.fail", event.event_type)
    assert.is_false(event.succeeded)
    assert.are.equal("no credit", event.message)
    local err = support.read(work .. "/recv.err")
    assert.matches("refused a delivery to /heygen: heygen: signature: the delivery has no Signature header", err)
    assert.matches("refused a delivery to /heygen: heygen: signature: the signature header does not match", err)
    assert.is_nil(err:find("whsec_example", 1, true))
  end)
end)

describe("examples (what stdout carries)", function()
  it("auto_generate.lua --dry-run prints the candidates it shows, as many as --top says", function()
    local r = run("auto_generate", { "--prompt", "A cinematic trailer shot of a lighthouse", "--dry-run",
      "--top", "3" })
    assert_ran(r)
    local lines = {}
    for line in r.out:gmatch("[^\n]+") do lines[#lines + 1] = line end
    assert.are.equal(3, #lines, r.out)
    for i, line in ipairs(lines) do assert.matches("^ ?" .. i .. "%. %S+ +%S+ +score ", line) end
    assert.matches("more ranked; %-%-top N shows them", r.err)
    local j = run("auto_generate", { "--prompt", "A cinematic trailer shot of a lighthouse", "--dry-run",
      "--top", "3", "--json" })
    local doc = json_of(j)
    assert.are.equal(3, #doc.ranking)
    assert.is_true(doc.ranked > 3)
  end)
end)

describe("examples (resumed offline)", function()
  it("a job submitted against the offline emulator is resumed by a later run, which starts another", function()
    local r = run("generate", { "--prompt", "A paper boat", "--provider", "kling_pro", "--no-wait" })
    assert_ran(r)
    local ref = r.out:match("^(workflow:[%w%-]+)\n$")
    assert(ref, r.out)
    assert.matches("its jobs kept in " .. (work .. "/emulator.state"):gsub("%p", "%%%0"), r.err)
    local done = run("generate", { "--resume", ref, "--out", "boat.mp4", "--quiet" })
    assert_ran(done)
    assert.are.equal("boat.mp4\n", done.out)
    assert_mp4(work .. "/boat.mp4")
  end)
end)

describe("scripts/demo", function()
  local function demo(args, cwd)
    local parts = { "cd", quote(cwd), "&&", "env -u HEYGEN_API_KEY -u HEYGEN_TOKEN -u FAL_KEY -u FAL_AI_API_KEY",
      "-u LUA_INIT -u LUA_INIT_5_4 HEYGEN_EMULATOR_SPEED=600",
      "HEYGEN_EMULATOR_STATE=" .. quote(work .. "/demo.state"), "timeout 300", quote(ROOT .. "/scripts/demo") }
    for _, a in ipairs(args) do parts[#parts + 1] = quote(a) end
    local errfile = work .. "/demo-stderr.txt"
    local p = io.popen(table.concat(parts, " ") .. " 2>" .. quote(errfile) .. "; echo \"exit:$?\"")
    local out = p:read("*a")
    p:close()
    return { out = out:gsub("exit:%d+\n?$", ""), err = support.read(errfile) or "",
      code = tonumber(out:match("exit:(%d+)\n?$")) }
  end

  it("--help explains itself and renders nothing", function()
    local r = demo({ "--help" }, work)
    assert.are.equal(0, r.code, r.err)
    assert.matches("^usage: scripts/demo", r.out)
    assert.are.equal("", r.err)
    r = demo({ "--bogus" }, work)
    assert.are.equal(2, r.code)
    assert.matches("unknown option %-%-bogus", r.err)
  end)

  it("writes the MP4 where it is run from, and keeps it on a second run", function()
    local here = work .. "/elsewhere"
    assert(os.execute("mkdir -p " .. quote(here)))
    local r = demo({ "A cat on a boat", "mine.mp4" }, here)
    assert.are.equal(0, r.code, r.err)
    assert.are.equal("mine.mp4\n", r.out)
    assert_mp4(here .. "/mine.mp4")
    assert.is_nil(support.read(ROOT .. "/mine.mp4"))
    r = demo({ "A cat on a boat", "mine.mp4" }, here)
    assert.are.equal(2, r.code)
    assert.matches("mine%.mp4 exists: pass %-%-force", r.err)
  end)
end)
