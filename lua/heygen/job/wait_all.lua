--- heygen.all for jobs (Job.__wait_all): many jobs waited for as job:wait() waits for
-- one, by a few worker tasks, with bulk status requests where the API has them. Made
-- by heygen.job from its own pieces (`new`): a poll round, the poll budget's slots,
-- the timeout error and the terminal statuses.
local core = require "heygen.core"
local scheduler = require "heygen.scheduler"

local M = {}

--- The wait_all of heygen.job: `parts` = {wait_round =, take_poll_slot =,
-- timeout_error =, TERMINAL =} (see heygen.job).
function M.new(parts)
  local wait_round, take_poll_slot, timeout_error = parts.wait_round, parts.take_poll_slot, parts.timeout_error
  local TERMINAL = parts.TERMINAL

  -- Worker tasks that poll for a group of jobs (see wait_all), and bulk status
  -- requests in flight at once for one group.
  local WORKERS, BULK_TASKS = 64, 4

  -- The jobs of `list` (by index) whose kind has a bulk status endpoint for their
  -- client (v3 videos), grouped by client and endpoint; and the indices of the rest.
  local function bulk_groups(list)
    local groups, by_key, rest = {}, {}, {}
    for i, job in ipairs(list) do
      local st = job._state
      local bulk = not TERMINAL[job.status] and not st.cancelled and st.spec.bulk and st.spec.bulk(job)
      if bulk then
        local per_client = by_key[st.client] or {}
        by_key[st.client] = per_client
        local g = per_client[bulk]
        if not g then
          g = { bulk = bulk, client = st.client, members = {} }
          per_client[bulk] = g
          groups[#groups + 1] = g
        end
        g.members[#g.members + 1] = i
      else
        rest[#rest + 1] = i
      end
    end
    return groups, rest
  end

  --- Wait for many jobs as job:wait() does for one, with a few worker tasks
  -- instead of a task per job: between polls a job holds a timer, not a
  -- coroutine, so ten thousand waiting jobs stay cheap. Jobs whose API has a
  -- bulk status endpoint (v3 videos: 100 per request) are polled with it, on
  -- one schedule per group; each one that ends is then read whole by the
  -- workers. Returns the results and the errors (nil when none) by index, as
  -- heygen.all, which uses it for jobs. `timeout`: seconds for the whole wait (default 600,
  -- as job:wait's), its requests included.
  local function wait_all(list, timeout)
    timeout = timeout or 600
    local started = core.now()
    local results, errs, nerr, left = {}, {}, 0, #list
    local due, head, tail, idle = {}, 1, 0, {}
    local interval, deadline = {}, {} -- per job, as job:wait() keeps them
    local function make_due(i)
      tail = tail + 1
      due[tail] = i
      local wake = table.remove(idle)
      if wake then wake() end
    end
    local function finish(i, result, err)
      results[i] = result
      if result == nil then errs[i], nerr = err, nerr + 1 end
      left = left - 1
      if left == 0 then
        for _, wake in ipairs(idle) do wake() end
      end
    end
    local function poll_one(i)
      local job = list[i]
      local poll = job._state.client.poll
      if not deadline[i] then deadline[i], interval[i] = started + timeout, poll.initial end
      local ok, done, a, b = pcall(wait_round, job, poll, interval[i], deadline[i], timeout)
      if not ok then return finish(i, nil, done) end
      if done then return finish(i, a, b) end
      interval[i] = b
      scheduler.after(a, make_due, i)
    end
    local function worker()
      while left > 0 do
        local i = due[head]
        if i then
          due[head], head = nil, head + 1
          poll_one(i)
        else
          local w = scheduler.waiter()
          idle[#idle + 1] = w.wake
          scheduler.suspend(w)
        end
      end
    end
    -- One bulk request for the group's jobs in `chunk`: what each one's status is
    -- ("pending", "processing", anything else: ended or unknown), false when the
    -- request may be repeated, or nil when it failed for good.
    local function bulk_ask(g, chunk, deadline_at)
      local jobs_of = {}
      for k, i in ipairs(chunk) do jobs_of[k] = list[i] end
      local spec = g.bulk.request(jobs_of)
      spec.deadline = deadline_at
      local data, err = g.client:request(spec)
      if data == nil then return err and err.retryable and false or nil end
      return g.bulk.read(data)
    end
    -- Those still running stay in `still`; the rest go to the workers, whose full
    -- read gives each its result or its own typed error (so does a bulk request that
    -- failed for good, or raised).
    local function bulk_round(g, chunk, still, deadline_at)
      if not take_poll_slot(g.client, deadline_at) then
        for _, i in ipairs(chunk) do finish(i, nil, timeout_error(list[i], timeout)) end
        return
      end
      local ok, seen = pcall(bulk_ask, g, chunk, deadline_at)
      for _, i in ipairs(chunk) do
        local job = list[i]
        local status = ok and seen and seen[job.id]
        if TERMINAL[job.status] then
          make_due(i) -- cancelled meanwhile: the worker gives its outcome
        elseif (ok and seen == false) or status == "pending" or status == "processing" then
          if status then
            job.status = status
            job._state.polls = job._state.polls + 1
          end
          still[#still + 1] = i
        else
          make_due(i)
        end
      end
    end
    local function bulk_poller(g)
      local poll, max = g.client.poll, g.bulk.max
      local members, wait = g.members, poll.initial
      local deadline_at = started + timeout
      while #members > 0 do
        -- a round: the chunks asked for by up to BULK_TASKS requests at once
        local still, chunks, next_chunk = {}, {}, 1
        for first = 1, #members, max do
          chunks[#chunks + 1] = table.move(members, first, math.min(first + max - 1, #members), 1, {})
        end
        local function asker()
          while chunks[next_chunk] do
            local chunk = chunks[next_chunk]
            next_chunk = next_chunk + 1
            bulk_round(g, chunk, still, deadline_at)
          end
        end
        local askers = {}
        for k = 1, math.min(BULK_TASKS, #chunks) - 1 do askers[k] = scheduler.spawn(asker) end
        asker()
        for _, t in ipairs(askers) do t:wait() end
        members = still
        if #members == 0 then break end
        local remaining = deadline_at - core.now()
        if remaining <= 0 then
          for _, i in ipairs(members) do finish(i, nil, timeout_error(list[i], timeout)) end
          break
        end
        scheduler.sleep(math.min(wait, remaining))
        wait = math.min(wait * poll.factor, poll.max)
      end
    end
    local groups, rest = bulk_groups(list)
    for _, i in ipairs(rest) do make_due(i) end
    local tasks = {}
    for _, g in ipairs(groups) do tasks[#tasks + 1] = scheduler.spawn(bulk_poller, g) end
    for _ = 1, math.min(WORKERS, #list) do tasks[#tasks + 1] = scheduler.spawn(worker) end
    for _, t in ipairs(tasks) do t:wait() end
    return results, nerr > 0 and errs or nil
  end

  return wait_all
end

return M
