--- The rows of issues 16 and 21 (round 5), run by bench/main.lua with its helpers
-- (ctx): peers side by side, host loops over HTTPS (frame steps, Neovim), the cost
-- of step(0) with jobs pending, the whole job, and the v3 scale rows.
local M = {}

local function lines_of(...) return { ... } end
local function count(n)
  if n < 1000 then return tostring(n) end
  return (tostring(n):reverse():gsub("(%d%d%d)", "%1,"):reverse():gsub("^,", ""))
end

-- Call each(n, get) for every count n, get(field) being the median of the results named prefix .. n.
local function per_count(counts, prefix, res, med, each)
  for _, n in ipairs(counts) do
    local name = prefix .. n
    each(n, function(field) return med(res, name, field) end)
  end
end

function M.run(ctx)
  local q, fmt, med, ratio, verdict, shown = ctx.q, ctx.fmt, ctx.med, ctx.ratio, ctx.verdict, ctx.shown
  local quick, ROOT, BUILD = ctx.quick, ctx.ROOT, ctx.BUILD
  local lua54 = ctx.RUNTIMES[1]
  local heygen_lua = ctx.RUNTIMES[2]
  local rounds = quick and 1 or 3
  local python = "/usr/bin/python3" -- Debian's (python3 on PATH may be a pyenv shim without the packages)
  local function has(cmd) return ctx.trim(ctx.sh(cmd .. " && echo yes")):match("yes$") ~= nil end

  ---------------------------------------------------------------- peers
  if ctx.wanted("peers") then
    local url = ctx.STATUS_URL
    local n = quick and { fast = 500, slow = 100, cli = 10 } or { fast = 20000, slow = 4000, cli = 300 }
    local node = has("node --version >/dev/null") and ctx.trim(ctx.sh("node --version")) or nil
    local httpx = has(python .. " -c 'import httpx'")
    local requests = has(python .. " -c 'import requests'")
    local cmds = {}
    local function add(name, cmd) cmds[#cmds + 1] = { name = name, cmd = cmd } end
    for _, p in ipairs { 1, 64 } do
      local big = p == 1 and n.fast or 2 * n.fast
      add("raw@" .. p, ctx.raw_cmd(big, p))
      add("heygen@" .. p, ctx.lua_cmd(lua54, "client_polls.lua", ctx.COMPLETED, big, p))
      if node then add("node@" .. p, string.format("node %s %s %d %d", q(ROOT .. "/bench/node_fetch.mjs"), q(url),
        p == 1 and n.slow or 2 * n.slow, p)) end
      if httpx then
        add("httpx@" .. p, string.format("%s %s %s %d %d %s", python, q(ROOT .. "/bench/py_httpx.py"), q(url),
          n.slow, p, p == 1 and "sync" or "async"))
        if p == 1 then
          add("httpx-async@1", string.format("%s %s %s %d 1 async", python, q(ROOT .. "/bench/py_httpx.py"), q(url),
            n.slow))
        end
      end
      if requests then
        add("requests@" .. p, string.format("%s %s %s %d %d", python, q(ROOT .. "/bench/py_requests.py"), q(url),
          n.slow, p))
      end
      if p == 1 then add("luasocket@1", ctx.lua_cmd(lua54, "luasocket_polls.lua", url, n.slow)) end
      add("curl@" .. p, ctx.lua_cmd(lua54, "curl_cli_polls.lua", url, p == 1 and n.cli or 2 * n.cli, p))
    end
    local res = ctx.interleaved(rounds, cmds)
    local lines = lines_of(
      "### Peers side by side (issue 21): the clients a user would pick instead",
      "",
      "The same nginx file (the v1 `video_status.get` answer), keep-alive where the client has it, every body",
      "decoded as JSON and its status read, at 1 and 64 requests in flight. CPU is the client process's",
      "(user + system) over the timed part; for the curl CLI it includes the curl processes. Ratios: heygen's",
      "polls/s over the peer's (wall), and the peer's CPU per poll over heygen's (CPU): above 1 means heygen",
      string.format("is ahead. Peers: Node.js %s `fetch` (undici); Python httpx (sync `Client` at 1 in flight,",
        node or "(not installed)"),
      "`AsyncClient` on asyncio at 1 and 64); `requests.Session` (64 threads, a Session each, at 64);",
      "luasocket `socket.http` (no keep-alive, blocking: 1 in flight only); the curl CLI (a process per",
      "poll; at 64, 64 processes at a time); raw libcurl (C, parses nothing: the floor, not a peer).",
      "",
      "| client | in flight | polls/s | CPU ms per poll | heygen ahead (wall) | heygen ahead (CPU) | goal | |",
      "|---|---:|---:|---:|---:|---:|---|---|")
    local labels = {
      raw = "raw libcurl multi (C, parses nothing)", heygen = "heygen client, lua5.4",
      node = "Node.js `fetch` (undici)", httpx = "Python httpx", ["httpx-async"] = "Python httpx `AsyncClient`",
      requests = "Python `requests.Session`", luasocket = "luasocket `socket.http` + cjson",
      curl = "curl CLI, a process per poll",
    }
    local function cpu_per(name)
      local cpu, reqs = med(res, name, "cpu"), med(res, name, "requests")
      return cpu and reqs and cpu / reqs or nil
    end
    local behind = {}
    for _, p in ipairs { 1, 64 } do
      local ours, ours_cpu = med(res, "heygen@" .. p, "rps"), cpu_per("heygen@" .. p)
      for _, who in ipairs { "raw", "heygen", "node", "httpx", "httpx-async", "requests", "luasocket", "curl" } do
        local name = who .. "@" .. p
        if res[name] then
          local rps, cpu = med(res, name, "rps"), cpu_per(name)
          local peer = who ~= "raw" and who ~= "heygen"
          local w, c = ratio(ours, rps), ratio(cpu, ours_cpu)
          local ok = peer and w ~= nil and c ~= nil and w > 1 and c > 1
          if peer and not ok then behind[#behind + 1] = string.format("%s at %d", labels[who], p) end
          lines[#lines + 1] = string.format("| %s | %d | %s | %s | %s | %s | %s | %s |", labels[who], p, fmt(rps),
            cpu and fmt(cpu * 1000, 3) or "n/a", who == "heygen" and "" or shown(w), who == "heygen" and "" or shown(c),
            peer and "ahead (> 1x both)" or "", peer and verdict(ok) or "")
        end
      end
    end
    local errs = 0
    for _, list in pairs(res) do for _, r in ipairs(list) do errs = errs + (r.errors or 0) end end
    lines[#lines + 1] = ""
    lines[#lines + 1] = string.format("Every poll was checked (HTTP 200, v1 envelope, status read): %d errors. %s",
      errs, #behind == 0 and "heygen is ahead of every peer at both concurrencies." or
      ("Not ahead of: " .. table.concat(behind, "; ") .. "."))
    ctx.section(table.concat(lines, "\n"))
  end

  ---------------------------------------------------------------- host loops over HTTPS
  if ctx.wanted("host") then
    -- what users run: Debian's CA bundle, plus the run's test certificate
    local cafile = ctx.prefix .. "/ca-bundle.pem"
    os.execute(string.format("cat /etc/ssl/certs/ca-certificates.crt %s > %s", q(ctx.server.cafile), q(cafile)))
    local status = ctx.server.tls_url .. "/completed/v1/video_status.get"
    local file = ctx.server.tls_url .. "/files/video.mp4"
    local counts = quick and { 1, 16 } or { 1, 4, 16 }
    local cmds = {}
    for _, n in ipairs(counts) do
      cmds[#cmds + 1] = { name = "step@" .. n, cmd = ctx.lua_cmd(lua54, "step_work.lua", status, cafile, n, "job", 3,
        file) }
    end
    -- the same 16 jobs verifying against the test certificate alone: what the bundle's parse costs a step
    cmds[#cmds + 1] = { name = "step-nobundle@16", cmd = ctx.lua_cmd(lua54, "step_work.lua", status,
      ctx.server.cafile, 16, "job", 3, file) }
    local embed = BUILD .. "/examples/embed/heygen-embed"
    local has_embed = has("test -x " .. q(embed))
    if has_embed then
      for _, n in ipairs(counts) do
        cmds[#cmds + 1] = { name = "embed@" .. n, cmd = string.format("%s %s %s %s %d %s | awk %s", q(embed),
          q(ROOT .. "/bench/embed_game.lua"), q(status), q(cafile), n, q(file), q([[/^FAILURES/ { f = $2 }
/^frames=/ { split($0, a, /[= ]/)
  printf "RESULT {\"failures\":%s,\"max_frame_ms\":%s,\"max_work_ms\":%s}\n", f, a[6], a[8] }]])) }
      end
    end
    local nvim = ctx.BUILD_JIT and has("nvim --version >/dev/null")
    local function nvim_cmd(mode, n, reqs, ca)
      return string.format("out=$(mktemp) && BENCH_ROOT=%s BENCH_CPATH=%s BENCH_MODE=%s BENCH_URL=%s "
        .. "BENCH_FILE_URL=%s BENCH_CAINFO=%s BENCH_JOBS=%d BENCH_REQUESTS=%d BENCH_OUT=$out timeout 120 "
        .. "nvim --headless -u NONE -i NONE -n -c %s </dev/null >/dev/null 2>&1; cat $out; rm -f $out",
        q(ROOT), q(ctx.BUILD_JIT), mode, q(status), q(file), q(ca or cafile), n, reqs,
        q("luafile " .. ROOT .. "/bench/nvim_host.lua"))
    end
    local per = quick and 100 or 5000
    if nvim then
      for _, n in ipairs(counts) do
        cmds[#cmds + 1] = { name = "nvim@" .. n, cmd = nvim_cmd("heygen", n, 3) }
        cmds[#cmds + 1] = { name = "spawn@" .. n, cmd = nvim_cmd("spawn", n, 3) }
      end
      cmds[#cmds + 1] = { name = "nvim-nobundle@16", cmd = nvim_cmd("heygen", 16, 3, ctx.server.cafile) }
      cmds[#cmds + 1] = { name = "nvim-requests", cmd = nvim_cmd("requests", 1, per) }
      cmds[#cmds + 1] = { name = "nvim-idle", cmd = nvim_cmd("idle", 16, 1) }
    end
    cmds[#cmds + 1] = { name = "hl-requests", cmd = ctx.lua_cmd(heygen_lua, "seq_requests.lua", status, cafile, per) }
    local res = ctx.interleaved(rounds, cmds)
    local lines = lines_of(
      "### Host loops over HTTPS (issue 16): frames and editor gaps",
      "",
      "N jobs each connect to nginx over TLS (verified against Debian's CA bundle plus the run's test",
      string.format("certificate, as users run it) and poll 3 times while the first also downloads the %d MB file",
        ctx.download_mb),
      "to disk. Frame host: `heygen.step(0)` every 2 ms, as a game calls it each frame (lua5.4). Neovim: a 10 ms",
      "editor timer's largest gap, the jobs driven by `heygen.uv` (LuaJIT build), beside the same load made by",
      "spawning a curl process per request (`uv.spawn`, what plenary.curl and `vim.system` do; bodies decoded",
      "with `vim.json`). The examples/embed C host runs the same load from `bench/embed_game.lua` in its",
      "16 ms frame loop (frame work: `heygen.step(0)` + the game's frame). Medians of the runs' worst figures.",
      "",
      "| measure | jobs | figure | baseline | ratio | goal | |",
      "|---|---:|---:|---:|---:|---|---|")
    local function row(label, n, v, base, r, goal, ok)
      lines[#lines + 1] = string.format("| %s | %s | %s | %s | %s | %s | %s |", label, n, v, base or "",
        r or "", goal or "", ok == nil and "" or verdict(ok))
    end
    for _, n in ipairs(counts) do
      local worst, p99 = med(res, "step@" .. n, "worst_ms"), med(res, "step@" .. n, "p99_ms")
      local ok
      if n == 16 then ok = worst ~= nil and worst <= 4 end
      row("worst `heygen.step(0)` (p99 beside it), ms", n, fmt(worst, 1) .. " (p99 " .. fmt(p99, 1) .. ")", nil, nil,
        n == 16 and "<= 4 ms at 16" or nil, ok)
    end
    local bare = med(res, "step-nobundle@16", "worst_ms")
    row("the same, CA file = the test certificate alone (no 144-certificate bundle to parse)", 16,
      fmt(bare, 1) .. " (p99 " .. fmt(med(res, "step-nobundle@16", "p99_ms"), 1) .. ")", nil, nil, "(diagnosis)")
    if has_embed then
      for _, n in ipairs(counts) do
        local work, gap = med(res, "embed@" .. n, "max_work_ms"), med(res, "embed@" .. n, "max_frame_ms")
        local ok
        if n == 16 then ok = work ~= nil and work <= 4 end
        row("examples/embed C host (16 ms frames): worst frame work (longest frame beside it), ms", n,
          fmt(work, 1) .. " (frame " .. fmt(gap, 1) .. ")", nil, nil, n == 16 and "<= 4 ms at 16" or nil, ok)
      end
    end
    if nvim then
      for _, n in ipairs(counts) do
        local ours, theirs = med(res, "nvim@" .. n, "max_gap_ms"), med(res, "spawn@" .. n, "max_gap_ms")
        row("Neovim largest 10 ms-timer gap, ms (baseline: curl processes)", n, fmt(ours, 1), fmt(theirs, 1),
          shown(ratio(ours, theirs)), "<= 20 ms and below curl's", ours and theirs and ours <= 20 and ours < theirs)
      end
      local bare_gap = med(res, "nvim-nobundle@16", "max_gap_ms")
      row("the same in Neovim, CA file = the test certificate alone", 16, fmt(bare_gap, 1), nil, nil, "(diagnosis)")
      local inside, outside = med(res, "nvim-requests", "ms_per_request"), med(res, "hl-requests", "ms_per_request")
      local r = ratio(inside, outside)
      row("ms per request inside Neovim (`heygen.uv`, LuaJIT) vs heygen-lua (blocking, Lua 5.4)", 1,
        fmt(inside, 3), fmt(outside, 3), shown(r), "<= 1.2x", r and r <= 1.2)
      local idle = med(res, "nvim-idle", "cpu_share")
      row("Neovim CPU while 16 requests wait on a silent server (% of a core, over 2 s)", 16,
        idle and fmt(idle * 100, 3) or "n/a", nil, nil, "~0 (no busy loop)", idle and idle < 0.01)
    else
      lines[#lines + 1] = "| Neovim rows | | skipped: no nvim or no LuaJIT build | | | | |"
    end
    local failures = 0
    for _, list in pairs(res) do for _, r in ipairs(list) do failures = failures + (r.failures or 0) end end
    lines[#lines + 1] = ""
    lines[#lines + 1] = string.format("Every request and download was checked (libcurl code 0, HTTP 200, bodies "
      .. "decoded): %d failures.",
      failures)
    ctx.section(table.concat(lines, "\n"))
  end

  ---------------------------------------------------------------- step(0) with jobs pending
  if ctx.wanted("stepcost") then
    local cmds = {}
    local counts = { 0, 10, 100, 1000 }
    for _, n in ipairs(counts) do
      cmds[#cmds + 1] = { name = "n" .. n, cmd = ctx.lua_cmd(lua54, "step_cost.lua", ctx.PROCESSING, n,
        quick and 2000 or 50000) }
    end
    local res = ctx.interleaved(rounds, cmds)
    local lines = lines_of(
      "### What a frame pays: `heygen.step(0)` with jobs pending (issue 21)",
      "",
      "N jobs under `heygen.all`, each with its status read once (nginx answers `processing`) and now",
      "waiting an hour for its next poll; then `heygen.step(0)` called back to back, each call timed (lua5.4).",
      "",
      "| jobs pending | median (ms) | p99 (ms) | worst (ms) | CPU per call (us) | goal | |",
      "|---:|---:|---:|---:|---:|---|---|")
    per_count(counts, "n", res, med, function(n, get)
      local p99 = get("p99_ms")
      lines[#lines + 1] = string.format("| %s | %s | %s | %s | %s | %s | %s |", count(n), fmt(get("median_ms"), 4),
        fmt(p99, 4), fmt(get("worst_ms"), 3), fmt(get("cpu_per_call_us"), 2),
        n == 1000 and "p99 <= 0.2 ms" or "", n == 1000 and verdict(p99 and p99 <= 0.2) or "")
    end)
    ctx.section(table.concat(lines, "\n"))
  end

  ---------------------------------------------------------------- the whole job
  if ctx.wanted("wholejob") and has("command -v jq >/dev/null") then
    local size = 5 * 1048576
    local scale = quick and 3000 or 30
    local function job(name, ...)
      return { name = name, cmd = ctx.lua_cmd(lua54, "whole_job.lua", name, size, scale, "--", ...) }
    end
    local res = ctx.interleaved(rounds, {
      job("heygen", BUILD .. "/heygen-lua", ROOT .. "/bench/whole_job_heygen.lua"),
      job("curl", "bash", ROOT .. "/bench/whole_job_curl.sh"),
      job("python", python, ROOT .. "/bench/whole_job_py.py"),
    })
    local ours = med(res, "heygen", "cpu")
    local lines = lines_of(
      "### The whole job (issue 21): create, poll, download 5 MB",
      "",
      string.format("One v3 avatar video in the emulator (its clock %dx, the file padded to 5 MB), made, waited", scale),
      "for and downloaded by: `heygen-lua` (`hg:create_video`, `job:wait()` on the default schedule,",
      "`job:download`);",
      "a bash loop of curl processes polling every 2 s (jq reads the JSON); a Python `requests.Session` script",
      "polling every 2 s. CPU is the whole client process tree's (bash's `time`: user + system, start-up",
      "included); requests are those the emulator logged.",
      "",
      "| client | CPU (ms) | requests | wall (s) | file checked | CPU vs heygen |",
      "|---|---:|---:|---:|---|---:|")
    for _, name in ipairs { "heygen", "curl", "python" } do
      local okc = 0
      for _, r in ipairs(res[name] or {}) do okc = okc + (r.ok and 1 or 0) end
      local cpu = med(res, name, "cpu")
      lines[#lines + 1] = string.format("| %s | %s | %s | %s | %d of %d runs: 5 MB | %s |",
        ({ heygen = "heygen-lua", curl = "curl shell loop", python = "Python requests" })[name],
        cpu and fmt(cpu * 1000, 0) or "n/a", fmt(med(res, name, "requests"), 0), fmt(med(res, name, "seconds"), 2),
        okc, #(res[name] or {}), name == "heygen" and "1.00x" or shown(ratio(cpu, ours)))
    end
    ctx.section(table.concat(lines, "\n"))
  end

  ---------------------------------------------------------------- scale (10,000 and 100,000 v3 jobs: ~1 minute)
  if ctx.wanted("scale") then
    local counts = quick and { 1000, 10000 } or { 10000, 100000 }
    local cmds = {}
    for _, n in ipairs(counts) do
      cmds[#cmds + 1] = { name = "v" .. n, cmd = ctx.lua_cmd(lua54, "jobs_round.lua", "-", n, "v3") }
    end
    local res = ctx.interleaved(1, cmds)
    local lines = lines_of(
      "### Scale: v3 jobs under `heygen.all`, bulk status (issue 21)",
      "",
      "N v3 videos made in the emulator (its clock slowed, all stay in progress), then waited for with",
      "`heygen.all(jobs)`: `GET /v3/videos/statuses`, 100 ids per request, 4 at a time. RSS per job counts from",
      "before the jobs were made (job objects, their create answers, the wait state). One run each.",
      "",
      "| jobs | round (s) | status requests | RSS per job (KB) | CPU while waiting (% of a core) | errors | goal | |",
      "|---:|---:|---:|---:|---:|---:|---|---|")
    per_count(counts, "v", res, med, function(n, get)
      local rss = get("rss_per_job_kb")
      lines[#lines + 1] = string.format("| %s | %s | %s | %s | %s | %s | RSS <= 2 KB per job | %s |", count(n),
        fmt(get("round_seconds"), 3), fmt(get("requests"), 0), fmt(rss, 2), fmt((get("idle_cpu_share") or 0) * 100, 3),
        fmt(get("errors"), 0), verdict(rss and rss <= 2))
    end)
    ctx.section(table.concat(lines, "\n"))
  end
end

return M
