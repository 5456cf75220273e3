--- Status polls through the heygen client: every request takes the real path
-- (Client:request, scheduler, heygen.core, JSON decode, v1 envelope, the
-- video kind's parse, job update). P tasks poll at once, N polls in all.
--
--   lua5.4 bench/client_polls.lua BASE_URL N P [CAINFO]
-- (CAINFO: the CA file for an https BASE_URL)
local lib = require "lib"
local heygen = require "heygen"

local base, total, parallel, cainfo = lib.arg(1), lib.arg(2, 10000), lib.arg(3, 1), arg[4]

local hg = heygen.client {
  api_key = lib.API_KEY, base_url = base, api = "v2", user_agent = "heygen-lua/bench",
  poll_budget = 0, max_retries = 0, cainfo = cainfo,
}

local issued, done, errors, first_error = 0, 0, 0, nil

local function poller(i)
  local job = hg:job("video", string.format("bench%08d", i))
  while issued < total do
    issued = issued + 1
    local status, err = job:refresh()
    if status ~= "completed" then
      errors = errors + 1
      first_error = first_error or tostring(err or status)
    end
    done = done + 1
  end
end

-- warm up (untimed): one request opens a connection and loads what is lazy
assert(hg:job("video", "warmup"):refresh())

local cpu0, t0 = os.clock(), lib.now()
if parallel == 1 then
  poller(1)
else
  heygen.run(function()
    local tasks = {}
    for i = 1, parallel do tasks[i] = heygen.spawn(poller, i) end
    for _, t in ipairs(tasks) do t:wait() end
  end)
end
local secs = lib.now() - t0
lib.emit {
  requests = done, seconds = secs, rps = done / secs, cpu = os.clock() - cpu0,
  errors = errors, first_error = first_error, runtime = (jit and jit.version) or _VERSION,
}
