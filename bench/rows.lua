--- Rows of bench/main.lua's report: 10,000 jobs in flight, the 100 MB download,
-- start-up, CPU per idle wait and the polling policy. `run(ctx)` with bench/main.lua's
-- context (helpers, sizes, server, builds), as bench/round5.lua.
local M = {}

function M.run(ctx)
  local q, fmt, med, ratio, verdict, shown = ctx.q, ctx.fmt, ctx.med, ctx.ratio, ctx.verdict, ctx.shown
  local interleaved, section, wanted, lua_cmd = ctx.interleaved, ctx.section, ctx.wanted, ctx.lua_cmd
  local SIZE, RUNTIMES, BUILD, COMPLETED, PROCESSING = ctx.SIZE, ctx.RUNTIMES, ctx.BUILD, ctx.COMPLETED, ctx.PROCESSING
  local server, prefix = ctx.server, ctx.prefix

  ------------------------------------------------------------------ 10,000 jobs

  if wanted("jobs") then
    local res = interleaved(SIZE.rounds, {
      { name = "all", cmd = lua_cmd(RUNTIMES[1], "jobs_round.lua", PROCESSING, SIZE.jobs, "all", 0) },
      { name = "tasks", cmd = lua_cmd(RUNTIMES[1], "jobs_round.lua", PROCESSING, SIZE.jobs, "tasks", 0) },
      { name = "v3", cmd = lua_cmd(RUNTIMES[1], "jobs_round.lua", "-", SIZE.jobs, "v3") },
    })
    local goal_round = 0.5 * SIZE.jobs / 10000
    local lines = {
      string.format("### %s jobs in flight", fmt(SIZE.jobs)),
      "",
      string.format("%s jobs against nginx answering `processing` (64 connections, no poll budget), waited for", fmt(SIZE.jobs)),
      "with `heygen.all(jobs)` (a few worker tasks poll for the whole group), and, for comparison, with a task",
      "per job in `job:wait()`: both over the legacy status endpoint, a request per job. The v3 column is",
      string.format("%s v3 videos made in the emulator first (its clock slowed so that all stay in progress),", fmt(SIZE.jobs)),
      "waited for with `heygen.all(jobs)`, which reads their statuses with `GET /v3/videos/statuses`, 100",
      "per request, 4 requests at a time. The round is every job's status read once; memory is measured",
      "once every job sleeps until its next poll (not for v3: its jobs exist before the first reading).",
      "",
      "| measure | `heygen.all(jobs)` | a task per job | v3: `heygen.all(jobs)`, bulk status (emulator) | goal | |",
      "|---|---:|---:|---:|---|---|",
    }
    local function row(label, field, scale, digits, goal, ok)
      local a, b, c = med(res, "all", field), med(res, "tasks", field), med(res, "v3", field)
      local said = ok and verdict(ok(a)) or ""
      if ok and field == "round_seconds" then -- the legacy round's goal is retired (issue 21): a request per job
        said = verdict(ok(c)) .. " (v3; the legacy round needs a request per job: no goal)"
      elseif ok and c ~= nil and ok(c) ~= ok(a) then -- say both: the v3 figure does not hide the legacy one
        said = verdict(ok(c)) .. " (v3); " .. verdict(ok(a)) .. " (legacy, a request per job)"
      end
      lines[#lines + 1] = string.format("| %s | %s | %s | %s | %s | %s |", label,
        a and fmt(a * scale, digits) or "n/a", b and fmt(b * scale, digits) or "n/a",
        c and fmt(c * scale, digits) or "n/a", goal or "", said)
    end
    row("one poll round (s)", "round_seconds", 1, 3, string.format("<= %s s", fmt(goal_round, 2)),
      function(v) return v and v <= goal_round end)
    row("job statuses read per second during the round", "rps", 1, 0)
    row("status requests in the round", "requests", 1, 0)
    row("RSS growth per waiting job (KB; v3: from before the jobs were made)", "rss_per_job_kb", 1, 2, "<= 2 KB",
      function(v) return v and v <= 2 end)
    row("Lua heap per waiting job (KB)", "heap_per_job_kb", 1, 2)
    row("CPU while all of them wait (% of a core)", "idle_cpu_share", 100, 3, "~0 (no busy loop)",
      function(v) return v and v < 0.01 end)
    row("errors", "errors", 1, 0, "0")
    section(table.concat(lines, "\n"))
  end

  ------------------------------------------------------------------ download

  if wanted("download") then
    local out = prefix .. "/download.out"
    local url = server.url .. "/files/video.mp4"
    -- curl's own transfer time (-w %{time_total}), without its process start: the stricter baseline
    local curl = string.format("lua5.4 -e %s", q(string.format([[
  local p = io.popen(%q)
  local secs = tonumber(p:read("*a"))
  local ok = p:close()
  local f = io.open(%q, "rb"); local size = f and f:seek("end") or 0; if f then f:close() end
  os.remove(%q)
  print(string.format('RESULT {"ok":%%s,"bytes":%%d,"seconds":%%f,"mb_per_s":%%f}', tostring(ok and secs ~= nil), size, secs, size / secs / 1e6))
  ]], "curl -s -o " .. q(out) .. " -w '%{time_total}' " .. q(url), out, out)))
    local res = interleaved(SIZE.rounds * 2, {
      { name = "curl", cmd = curl },
      { name = "ours", cmd = lua_cmd(RUNTIMES[1], "download.lua", COMPLETED, out) },
    })
    local ours, cli = med(res, "ours", "mb_per_s"), med(res, "curl", "mb_per_s")
    local r = ratio(ours, cli)
    local peak = med(res, "ours", "peak_growth_kb")
    section(table.concat({
      string.format("### %d MB download to disk", SIZE.download_mb),
      "",
      "`job:download(path)` (streams to `path .. \".part\"`, renames when complete) against `curl -s -o`",
      "(its own `%{time_total}`, process start excluded).",
      "",
      "| client | MB/s | ratio | peak RSS growth | goal | |",
      "|---|---:|---:|---:|---|---|",
      string.format("| curl CLI | %s | 1.00 (baseline) | | | |", fmt(cli)),
      string.format("| heygen `job:download` | %s | %s | %s MB | >= 0.9x, <= 16 MB | %s |", fmt(ours), shown(r),
        fmt((peak or 0) / 1024, 2), verdict(r and peak and r >= 0.9 and peak <= 16 * 1024)),
    }, "\n"))
  end

  ------------------------------------------------------------------ start-up

  if wanted("startup") then
    local n = SIZE.startup
    local function timed(cmd)
      return string.format("lua5.4 -e %s", q(string.format([[
  local socket = require "socket"
  local t0 = socket.gettime()
  for _ = 1, %d do assert(os.execute(%q)) end
  print(string.format('RESULT {"ms":%%f}', (socket.gettime() - t0) / %d * 1000))
  ]], n, cmd, n)))
    end
    local res = interleaved(SIZE.rounds, {
      { name = "lua", cmd = timed("lua5.4 -e ''") },
      { name = "heygen", cmd = timed(q(BUILD .. "/heygen-lua") .. " -e 'require \"heygen\"'") },
    })
    local lua_ms, hg_ms = med(res, "lua", "ms"), med(res, "heygen", "ms")
    local limit = lua_ms and (2 * lua_ms + 5)
    section(table.concat({
      "### Start-up",
      "",
      string.format("Mean wall time of %d process starts (fork + exec + run).", n),
      "",
      "| command | ms | goal | |",
      "|---|---:|---|---|",
      string.format("| `lua5.4 -e ''` | %s | baseline | |", fmt(lua_ms, 2)),
      string.format("| `heygen-lua -e 'require \"heygen\"'` | %s | <= 2x + 5 ms = %s ms | %s |", fmt(hg_ms, 2),
        fmt(limit, 2), verdict(hg_ms and limit and hg_ms <= limit)),
    }, "\n"))
  end

  ------------------------------------------------------------------ idle CPU

  if wanted("idle") then
    local res = interleaved(1, { { name = "idle", cmd = lua_cmd(RUNTIMES[1], "idle_cpu.lua", PROCESSING, SIZE.idle) } })
    local r = (res.idle or {})[1] or {}
    local function pct(v) return v and fmt(v * 100, 3) or "n/a" end
    section(table.concat({
      "### CPU per idle wait",
      "",
      string.format("One job waiting %s s between 1-second polls (`processing` answers), net CPU of the process.", SIZE.idle),
      "",
      "| how the job waits | CPU (% of a core) | wake-ups/s | polls | goal | |",
      "|---|---:|---:|---:|---|---|",
      string.format("| blocking `job:wait` (sleeps in `curl_multi_poll`) | %s | %s | %s | no busy loop | %s |",
        pct(r.blocking_cpu_per_s), fmt(r.blocking_wakeups_per_s, 1), fmt(r.blocking_polls, 0),
        verdict(r.blocking_cpu_per_s and r.blocking_cpu_per_s < 0.01)),
      string.format("| task, host loop calling `heygen.step(0.25)` | %s | %s | %s | no busy loop | %s |",
        pct(r.step_cpu_per_s), fmt(r.step_wakeups_per_s, 1), fmt(r.step_polls, 0),
        verdict(r.step_cpu_per_s and r.step_cpu_per_s < 0.01)),
    }, "\n"))
  end

  ------------------------------------------------------------------ polling policy

  if wanted("polling") then
    local p = SIZE.polling
    local res = interleaved(1, { { name = "polling", cmd = lua_cmd(RUNTIMES[1], "polling.lua", p[1], p[2], p[3], p[4], p[5]) } })
    local r = (res.polling or {})[1]
    if r then
      local lines = {
        "### Polling that respects the API (emulator)",
        "",
        string.format("%d video jobs per row, each held `processing` by the emulator and completed after a random", r.jobs),
        "duration (the class mean x 0.5 .. 1.5, the same durations for both schedules). Nominal seconds (the",
        string.format("emulator and the schedules ran %dx faster). Requests per job are those the emulator logged.", r.scale),
        string.format("Ours: `poll = {initial = %s, factor = %s, max = %s}`.", r.ours.initial, r.ours.factor, r.ours.max),
        "",
        "| mean render time | schedule | requests per job | notice latency mean | p95 | max |",
        "|---:|---|---:|---:|---:|---:|",
      }
      for _, s in ipairs(r.schedules) do
        local f = s.figures
        lines[#lines + 1] = string.format("| %d s | %s | %s | %s s | %s s | %s s |", s.class,
          s.schedule == "ours" and "heygen default" or "fixed 10 s (documents)", fmt(f.logged_per_job, 1),
          fmt(f.latency_mean, 1), fmt(f.latency_p95, 1), fmt(f.latency_max, 1))
      end
      local m = r.many
      lines[#lines + 1] = ""
      lines[#lines + 1] = string.format("%d jobs at once (mean render %d s): the documents' polling vs ours under", m.jobs, m.class)
      lines[#lines + 1] = string.format("`poll_budget = %s` requests/s (nominal), as the emulator saw them:", m.budget)
      lines[#lines + 1] = ""
      lines[#lines + 1] = "| schedule | requests/s mean | busiest minute | requests per job (min..max) | notice latency mean | p95 |"
      lines[#lines + 1] = "|---|---:|---:|---:|---:|---:|"
      for _, name in ipairs { "naive", "budgeted" } do
        local f = m[name]
        lines[#lines + 1] = string.format("| %s | %s | %s | %s (%d..%d) | %s s | %s s |",
          name == "naive" and "fixed 10 s, no budget" or ("heygen default, budget " .. m.budget .. "/s"),
          fmt(f.mean_rate, 1), fmt(f.peak_rate, 1), fmt(f.logged_per_job, 1), f.polls_min, f.polls_max,
          fmt(f.latency_mean, 1), fmt(f.latency_p95, 1))
      end
      local failed = {}
      for _, s in ipairs(r.schedules) do
        if (s.figures.failures or 0) > 0 then
          failed[#failed + 1] = string.format("%d s %s: %d (%s)", s.class, s.schedule, s.figures.failures,
            tostring(s.figures.first_error))
        end
      end
      for _, name in ipairs { "naive", "budgeted" } do
        if (m[name].failures or 0) > 0 then
          failed[#failed + 1] = string.format("%s: %d (%s)", name, m[name].failures, tostring(m[name].first_error))
        end
      end
      lines[#lines + 1] = ""
      lines[#lines + 1] = #failed == 0 and "Every job completed and was seen completed: 0 failures."
        or ("Jobs that failed or were not seen completed (left out of the latencies): " .. table.concat(failed, "; "))
      section(table.concat(lines, "\n"))
    end
  end
end

return M
