--- A "game" for the examples/embed C host (its 16 ms frame loop calls
-- heygen.step(0), then frame(n)): JOBS jobs each make 3 GETs of URL over
-- HTTPS while the first also downloads FILE_URL to a temporary file; the game
-- ends when all are done. bench/main.lua reads the host's closing line
-- (max_frame_ms, max_work_ms) and the FAILURES line printed here.
--
--   heygen-embed bench/embed_game.lua URL CAINFO JOBS FILE_URL
local heygen = require "heygen"
local scheduler = require "heygen.scheduler"

local game, failures, files = {}, 0, {}

local function get(url, cainfo, file)
  local rec = scheduler.request { url = url, cainfo = cainfo, file = file, details = false }
  if rec.code ~= 0 or rec.status ~= 200 then failures = failures + 1 end
end

function game.start(args)
  local url, cainfo, jobs, file_url = args[1], args[2], tonumber(args[3]), args[4]
  assert(heygen.prepare_tls(cainfo)) -- at the game's loading screen, not in a frame
  for i = 1, jobs do
    heygen.spawn(function()
      if i == 1 then
        files[1] = os.tmpname() .. ".part"
        heygen.spawn(get, file_url, cainfo, files[1])
      end
      for _ = 1, 3 do get(url, cainfo) end
    end)
  end
end

function game.frame() return heygen.pending() > 0 end

function game.finish()
  for _, f in pairs(files) do os.remove(f) os.remove((f:gsub("%.part$", ""))) end
  print("FAILURES " .. failures)
  return 0
end

return game
