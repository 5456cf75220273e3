--- The scheduler's timers: a binary heap of {at=, seq=, fn=, arg=}, earliest first
-- (seq breaks ties: timers due at the same moment fire in the order they were armed).
-- heygen.scheduler holds one set; `new(on_added)` calls on_added() whenever a timer
-- is armed (a host loop may then need to wake up).
local core = require "heygen.core"

local M = {}

local function heap_up(h, i)
  while i > 1 do
    local p = math.floor(i / 2)
    local a, b = h[p], h[i]
    if a.at < b.at or (a.at == b.at and a.seq < b.seq) then break end
    h[p], h[i] = b, a
    i = p
  end
end

local function heap_down(h, i)
  local n = #h
  while true do
    local l, r, s = 2 * i, 2 * i + 1, i
    if l <= n and (h[l].at < h[s].at or (h[l].at == h[s].at and h[l].seq < h[s].seq)) then s = l end
    if r <= n and (h[r].at < h[s].at or (h[r].at == h[s].at and h[r].seq < h[s].seq)) then s = r end
    if s == i then return end
    h[s], h[i] = h[i], h[s]
    i = s
  end
end

local function heap_pop(h)
  local top, n = h[1], #h
  h[1] = h[n]
  h[n] = nil
  if n > 1 then heap_down(h, 1) end
  return top
end

--- A set of timers: `after(seconds, fn, arg)`, `fire()` (runs what is due),
-- `next_at()` (when the earliest armed one is due, or nil), `live()` (how many are armed).
function M.new(on_added)
  local heap, seq, live = {}, 0, 0
  local T = {}

  -- A timer's `cancel` is made the first time it is asked for: most timers
  -- (every job waiting between polls) never need one.
  local timer_mt = { __index = function(t, k)
    if k ~= "cancel" then return nil end
    local function cancel()
      if t.fn then
        t.fn = nil
        live = live - 1
      end
    end
    rawset(t, "cancel", cancel)
    return cancel
  end }

  --- Call fn(arg) after `seconds`; returns a handle whose `cancel()` disarms it.
  function T.after(seconds, fn, arg)
    seq = seq + 1
    local t = setmetatable({ at = core.now() + math.max(seconds or 0, 0), seq = seq, fn = fn, arg = arg },
      timer_mt)
    heap[#heap + 1] = t
    heap_up(heap, #heap)
    live = live + 1
    on_added()
    return t
  end

  function T.fire()
    local now = core.now()
    while heap[1] and heap[1].at <= now do
      local t = heap_pop(heap)
      local fn = t.fn
      if fn then
        t.fn = nil
        live = live - 1
        if t.arg == nil then fn() else fn(t.arg) end
      end
    end
    -- drop cancelled timers at the top so they do not shorten the next wait
    while heap[1] and not heap[1].fn do heap_pop(heap) end
  end

  function T.next_at()
    local top = heap[1]
    return top and top.at
  end

  function T.live() return live end

  return T
end

return M
