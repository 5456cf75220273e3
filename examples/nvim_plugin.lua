--- A Neovim plugin in one file: generate videos from the editor while you
-- keep typing. Every wait yields to the editor's loop (heygen.uv); nothing
-- here ever blocks Neovim.
--
-- Install: copy this file to ~/.config/nvim/lua/heygen_nvim.lua, make heygen
-- loadable by Neovim's LuaJIT (`luarocks --lua-version 5.1 make` with the
-- rockspec, or package.path/cpath pointing at a checkout and its
-- build-luajit/), then in init.lua:
--
--   require("heygen_nvim").setup { dir = vim.fn.expand("~/Videos") }
--
-- and in the editor:
--
--   :HeygenGenerate A drone shot over a coastal city at sunset
--   :HeygenJobs
--
-- HEYGEN_API_KEY comes from the environment; `setup{client = {...}}` takes any
-- heygen.client option (base_url, api, poll, ...).
local heygen = require "heygen"
local hguv = require "heygen.uv"

local M = {}

--- Jobs started from this editor, newest last: {prompt, status, path, error, job}.
M.jobs = {}

local config = { dir = ".", provider = "veo_3_1", aspect = "16:9", timeout = 900, client = {}, notify = true }
local client

local function notify(msg, level)
  -- a heygen error already says "heygen: ..."; say it once
  msg = tostring(msg):gsub("^heygen: ", "")
  if config.notify then vim.notify("heygen: " .. msg, level or vim.log.levels.INFO) end
end

local function slug(text)
  local s = text:lower():gsub("[^%w]+", "-"):gsub("^-+", ""):gsub("-+$", "")
  return s:sub(1, 40) ~= "" and s:sub(1, 40) or "video"
end

--- Start one text-to-video job, download it into config.dir, then call
--- on_done(ok, path_or_err) on the editor's main loop.
---@param prompt string
---@param opts? {provider?: string, aspect?: string, out?: string}
---@param on_done? fun(ok: boolean, path_or_err: any)
function M.generate(prompt, opts, on_done)
  opts = opts or {}
  local entry = { prompt = prompt, status = "submitting" }
  M.jobs[#M.jobs + 1] = entry
  local out = opts.out or (config.dir .. "/" .. slug(prompt) .. "-" .. #M.jobs .. ".mp4")
  hguv.run(function()
    local job, err = client:generate_video {
      prompt = prompt, provider = opts.provider or config.provider, aspect_ratio = opts.aspect or config.aspect,
    }
    if not job then return nil, err end
    entry.job = job
    local result
    result, err = job:wait { timeout = config.timeout, on_progress = function(j) entry.status = j.status end }
    if not result then return nil, err end
    entry.status = "downloading"
    vim.fn.mkdir(vim.fn.fnamemodify(out, ":h"), "p") -- ~/Videos may not exist yet
    return job:download(out, { on_progress = function(done) entry.bytes = done end })
  end, function(ok, value)
    entry.status = ok and "done" or "failed"
    if ok then
      entry.path = value
      notify("video ready: " .. value)
    else
      entry.error = value
      notify(tostring(value), vim.log.levels.ERROR)
    end
    if on_done then on_done(ok, value) end
  end)
end

--- One line per job, for :HeygenJobs or a floating window.
---@return string[]
function M.lines()
  local lines = {}
  for i, e in ipairs(M.jobs) do
    local id = e.job and e.job.id or "-"
    lines[#lines + 1] = string.format("%d  %-12s %-24s %s%s", i, e.status, id, e.prompt,
      e.path and ("  -> " .. e.path) or (e.bytes and ("  " .. e.bytes .. " bytes") or ""))
  end
  return lines
end

--- For a statusline: "heygen: 2 running" or "".
---@return string
function M.statusline()
  local running = 0
  for _, e in ipairs(M.jobs) do
    if e.status ~= "done" and e.status ~= "failed" then running = running + 1 end
  end
  return running > 0 and ("heygen: " .. running .. " running") or ""
end

--- Configure, attach heygen to Neovim's loop and add the user commands.
---@param opts? {dir?: string, provider?: string, aspect?: string, timeout?: number, client?: table, notify?: boolean}
function M.setup(opts)
  for k, v in pairs(opts or {}) do
    if config[k] == nil then error("heygen_nvim.setup: unknown option '" .. tostring(k) .. "'", 2) end
    config[k] = v
  end
  client = heygen.client(config.client)
  hguv.attach(vim.uv or vim.loop)
  vim.api.nvim_create_user_command("HeygenGenerate", function(c) M.generate(c.args) end,
    { nargs = "+", desc = "Generate a video from a prompt (heygen)" })
  vim.api.nvim_create_user_command("HeygenJobs", function()
    vim.api.nvim_echo({ { table.concat(M.lines(), "\n") } }, false, {})
  end, { desc = "List heygen jobs started from this editor" })
  return M
end

return M
