--- The whole job through heygen (run by bench/whole_job.lua under heygen-lua):
-- create a v3 avatar video, wait for it with the default poll schedule, and
-- download it to OUT.
--
--   heygen-lua bench/whole_job_heygen.lua BASE_URL API_KEY OUT
local heygen = require "heygen"

local base, key, out = arg[1], arg[2], arg[3]
local hg = heygen.client { api_key = key, base_url = base, api = "v3", user_agent = "heygen-lua/bench" }
local job = assert(hg:create_video { type = "avatar", avatar_id = "Abigail_expressive_2024112501",
  voice_id = "1bd001e7e50f421d891986aad5158bc8", script = "The whole job, measured." })
assert(job:wait { timeout = 120 })
assert(job:download(out))
