--- heygen.all(list): wait for every job or task in `list` concurrently (the
-- scheduler's `all`, made here from its spawn and Task class).
local errors_mod = require "heygen.errors"

local M = {}

-- The last index of `list`: list.n when given, else its largest positive integer key, so
-- a hole (a create that returned nil, err inside the table constructor) is seen, not
-- silently taken as the end of the list as ipairs would.
local function last_index(list)
  if type(list.n) == "number" and list.n >= 0 and list.n % 1 == 0 then return list.n end
  local n = 0
  for k in pairs(list) do
    if type(k) == "number" and k > n and k % 1 == 0 then n = k end
  end
  return n
end

-- Why `item` (at `i`) cannot be waited for, as the error reported at its index; nil when it can.
local function not_waitable(i, item)
  if item == nil then
    return errors_mod.new { kind = "invalid_argument", message = string.format("heygen.all: item %d is nil, not a "
      .. "job or task (a create that failed returns nil, err: check each create's answer before waiting)", i) }
  end
  if errors_mod.is(item) then return item end -- the err of `{..., hg:create_video(x)}`: that create's failure
  if type(item) ~= "table" or type(item.wait) ~= "function" then -- jobs, tasks and batches are tables
    return errors_mod.new { kind = "invalid_argument",
      message = string.format("heygen.all: item %d is a %s, not a job or task (it has no wait method)", i, type(item)) }
  end
end

--- The `all` of a scheduler whose tasks `spawn(fn)` makes, of class `Task`.
function M.new(spawn, Task)
  --- Wait for every job or task in `list` concurrently. Returns `results`
  -- (in order) and `errors` (a table index -> error, nil when none failed).
  -- Items whose class has a `__wait_all(items)` (jobs) are waited for as one
  -- group by it; any other item gets a task of its own that calls item:wait().
  return function(list)
    local results, errors, nerr = {}, {}, 0
    local tasks, groups = {}, {}
    for i = 1, last_index(list) do
      local item = list[i]
      local mt = getmetatable(item)
      local group_wait = type(mt) == "table" and rawget(mt, "__wait_all")
      local why = not group_wait and not_waitable(i, item)
      if why then
        errors[i], nerr = why, nerr + 1
      elseif group_wait then
        local g = groups[group_wait] or { index = {}, items = {} }
        groups[group_wait] = g
        g.index[#g.index + 1], g.items[#g.items + 1] = i, item
      else
        tasks[i] = spawn(function()
          if getmetatable(item) == Task then return true, item:wait() end
          return item:wait()
        end)
      end
    end
    local group_tasks = {}
    for group_wait, g in pairs(groups) do group_tasks[g] = spawn(group_wait, g.items) end
    for i, t in pairs(tasks) do
      local ok, a, b, c = pcall(t.wait, t)
      if not ok then
        errors[i], nerr = a, nerr + 1
      elseif getmetatable(list[i]) == Task then
        -- a task that returns nil, err failed the Lua way: report it like a job
        if b == nil and c ~= nil then errors[i], nerr = c, nerr + 1 else results[i] = b end
      elseif a == nil then
        errors[i], nerr = b, nerr + 1
      else
        results[i] = a
      end
    end
    for g, t in pairs(group_tasks) do
      local res, errs = t:wait()
      for k, i in ipairs(g.index) do
        results[i] = res[k]
        if errs and errs[k] ~= nil then errors[i], nerr = errs[k], nerr + 1 end
      end
    end
    return results, nerr > 0 and errors or nil
  end
end

return M
