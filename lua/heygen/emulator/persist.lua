-- heygen.emulator.persist: the emulator's state in a file (--state PATH), so jobs
-- created against it survive its restart and a `--resume` works offline too.
--
-- What is kept: every plain value the state and its route modules hold (jobs, videos,
-- assets, v3 and fal records, quota, the URL-signing secret), tables shared or nested
-- as they are. What is not: functions, the request log, armed faults, webhook
-- queues in flight, anything the process makes afresh (its URL, port, fal signing
-- key). Job time goes on while the emulator is down: a job half-way through its render
-- when the emulator stopped is further along when it comes back, as a real one would be.
--
-- The file is a Lua chunk returning a node list ({[1] = root, ...}, a table value as
-- {ref = N}); it is written whole to PATH.tmp and renamed over PATH after each request
-- that may have changed something, so a crash leaves the last complete state.
local reply = require "heygen.emulator.reply"

local M = {}

-- State fields that belong to one process.
M.TRANSIENT = { faults = true, log = true, log_seq = true, reset_hooks = true, create_hooks = true,
  catalogue = true, kinds = true, scheme = true, base_url = true, persist_path = true, fal_keys = true,
  deliveries = true, outbox = true, vbase = true, rbase = true,
  -- configuration: the new process's flags say it
  time_scale = true, api_keys = true, url_ttl = true, webhook_plain_http = true, log_limit = true,
  initial_quota = true, webhooks = true }

local NULL = {} -- marker for the JSON null sentinel inside the file

local function encode_key(k)
  if type(k) == "string" then return string.format("[%q]", k) end
  if type(k) == "number" then return "[" .. string.format("%.17g", k) .. "]" end
  if type(k) == "boolean" then return "[" .. tostring(k) .. "]" end
end

--- The state as a Lua chunk.
function M.dump(st)
  local ids, nodes = {}, {}
  local function visit(t)
    if ids[t] then return ids[t] end
    local n = #nodes + 1
    ids[t] = n
    nodes[n] = false -- reserved: filled below, after its children have ids
    local parts = {}
    for k, v in pairs(t) do
      local key = encode_key(k)
      if key and not (t == st and M.TRANSIENT[k]) then
        local value
        if v == reply.null then value = "NULL"
        elseif type(v) == "table" then value = "{ref=" .. visit(v) .. "}"
        elseif type(v) == "string" then value = string.format("%q", v)
        elseif type(v) == "number" then value = string.format("%.17g", v)
        elseif type(v) == "boolean" then value = tostring(v)
        end
        if value then parts[#parts + 1] = key .. "=" .. value end
      end
    end
    nodes[n] = "{" .. table.concat(parts, ",") .. "}"
    return n
  end
  visit(st)
  local out = { "-- heygen emulator state", "local NULL = ...", "return { wall = "
    .. string.format("%.17g", st:now()) .. ", vnow = " .. string.format("%.17g", st:vnow()) .. ", nodes = {" }
  for i, text in ipairs(nodes) do out[#out + 1] = "[" .. i .. "]=" .. text .. "," end
  out[#out + 1] = "} }"
  return table.concat(out, "\n")
end

--- Writes the state to `path` (via path.tmp and a rename). true, or nil, message.
function M.save(st, path)
  local tmp = path .. ".tmp"
  local f, err = io.open(tmp, "wb")
  if not f then return nil, err end
  local ok, werr = f:write(M.dump(st))
  f:close()
  if not ok then os.remove(tmp) return nil, werr end
  return os.rename(tmp, path)
end

--- Lays the state saved in `path` over `st` (a fresh state whose modules are loaded).
--- true; false when there is no file yet; nil, message for a file it cannot read.
function M.load(st, path)
  local f = io.open(path, "rb")
  if not f then return false end
  local text = f:read("*a")
  f:close()
  local chunk, err = load(text, "=" .. path, "t", {})
  if not chunk then return nil, "emulator state " .. path .. ": " .. err end
  local ok, saved = pcall(chunk, NULL)
  if not ok or type(saved) ~= "table" or type(saved.nodes) ~= "table" then
    return nil, "emulator state " .. path .. ": not a state file"
  end
  local built = {}
  for i in ipairs(saved.nodes) do built[i] = {} end
  for i, node in ipairs(saved.nodes) do
    for k, v in pairs(node) do
      if v == NULL then v = reply.null elseif type(v) == "table" then v = built[v.ref] end
      built[i][k] = v
    end
  end
  for k, v in pairs(built[1]) do st[k] = v end
  -- job time went on while the emulator was down
  local down = math.max(0, st:now() - (saved.wall or st:now()))
  st.vbase, st.rbase = (saved.vnow or 0) + down * st.time_scale, st:now()
  return true
end

return M
