--- heygen.all(list): wait for every job or task in `list` concurrently (the
-- scheduler's `all`, made here from its spawn and Task class).
local M = {}

--- The `all` of a scheduler whose tasks `spawn(fn)` makes, of class `Task`.
function M.new(spawn, Task)
  --- Wait for every job or task in `list` concurrently. Returns `results`
  -- (in order) and `errors` (a table index -> error, nil when none failed).
  -- Items whose class has a `__wait_all(items)` (jobs) are waited for as one
  -- group by it; any other item gets a task of its own that calls item:wait().
  return function(list)
    local results, errors, nerr = {}, {}, 0
    local tasks, groups = {}, {}
    for i, item in ipairs(list) do
      local mt = getmetatable(item)
      local group_wait = type(mt) == "table" and rawget(mt, "__wait_all")
      if group_wait then
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
