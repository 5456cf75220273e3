--- Transfer slots per origin (scheme://authority): at most `per_origin` of the
-- scheduler's requests to one origin are in libcurl at once; more would only wait
-- inside libcurl, each holding an easy handle (kilobytes) that libcurl walks on
-- every perform, so with thousands of jobs polling at once the extra requests wait
-- here instead, in FIFO order, and a finishing request hands its slot over.
local M = {}

-- Plain finds: a pattern with a class costs a few thousand instructions per URL.
function M.origin_of(url)
  local s = url:find("://", 1, true)
  if not s then return url end
  local e = url:find("/", s + 3, true)
  local origin = e and url:sub(1, e - 1) or url
  -- "?" or "#" may end the authority before any "/"
  local q, h = origin:find("?", s + 3, true), origin:find("#", s + 3, true)
  if q or h then origin = url:sub(1, math.min(q or h, h or q) - 1) end
  return origin
end

--- Slots of `per_origin` each; `waiter()` and `suspend(w)` are the scheduler's, for
-- a request that has to wait in line. Returns acquire(origin) and release(origin).
function M.new(per_origin, waiter, suspend)
  local live = {}  -- origin -> transfers holding a slot
  local queue = {} -- origin -> FIFO {head=, tail=, [i] = wake} of requests waiting for one

  -- Take a slot for `origin`, waiting in line when all are taken.
  local function acquire(origin)
    local n = live[origin] or 0
    if n < per_origin then
      live[origin] = n + 1
      return
    end
    local q = queue[origin]
    if not q then
      q = { head = 1, tail = 0 }
      queue[origin] = q
    end
    local w = waiter()
    q.tail = q.tail + 1
    q[q.tail] = w.wake
    suspend(w) -- the releasing request hands its slot over
  end

  local function release(origin)
    local q = queue[origin]
    if q then
      local wake = q[q.head]
      q[q.head] = nil
      q.head = q.head + 1
      if q.head > q.tail then queue[origin] = nil end
      return wake()
    end
    local n = live[origin] - 1
    live[origin] = n > 0 and n or nil
  end

  return acquire, release
end

return M
