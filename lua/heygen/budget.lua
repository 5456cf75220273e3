--- heygen.budget: the spend guard of heygen.client{budget = {usd = N, journal = path}}.
--
-- Before a paid submit leaves (hg:generate's, hg:fal_submit's, hg:generate_video's), its
-- estimate is checked against the cap and recorded in the budget journal; a submit that
-- would take the spend past the cap is refused (kind budget_exceeded, naming spent,
-- estimate and cap) and nothing is sent. The journal is the memory: the spend is read
-- back from it at every check, so it survives restarts and is shared by every process
-- that names the same file. A submit that was clearly refused (nothing created) gets a
-- refund entry; one that may have created a job keeps its charge.
--
-- The file: one entry a line, each written with a single unbuffered write on a file
-- opened for appending, preceded by a newline (a torn line never swallows the next) and
-- followed by a tab and the Adler-32 of its JSON; a line whose checksum does not match is
-- not counted. Entries: {usd = estimate (negative for a refund), what = provider or model,
-- gateway, time}.
local core = require "heygen.core"
local errors = require "heygen.errors"
local util = require "heygen.util"

local M = {}

--- Check the client option: raises naming `budget.<field>`, the rule and the value.
function M.check_option(opt, level)
  level = (level or 1) + 1
  local function fail(field, rule, v)
    error(string.format("heygen.client: option 'budget.%s' %s, got %s", field, rule,
      type(v) == "string" and string.format("%q", v) or tostring(v)), level + 1)
  end
  if type(opt) ~= "table" then
    error("heygen.client: option 'budget' must be a table {usd = N, journal = path}, got " .. type(opt), level)
  end
  for k in pairs(opt) do
    if k ~= "usd" and k ~= "journal" then fail(tostring(k), "is not a budget field (usd, journal)", k) end
  end
  if not util.finite(opt.usd) or opt.usd <= 0 then fail("usd", "must be a finite number of dollars > 0", opt.usd) end
  if type(opt.journal) ~= "string" or opt.journal == "" then fail("journal", "must be a file path", opt.journal) end
  local f, err = io.open(opt.journal, "a")
  if not f then fail("journal", "must be a file that can be appended to (" .. tostring(err) .. ")", opt.journal) end
  f:close()
end

--- The dollars recorded in the journal at `path` (0 when it does not exist yet), and
-- how many lines were skipped as torn or altered.
function M.spent(path)
  local f = io.open(path, "r")
  if not f then return 0, 0 end
  local total, skipped = 0, 0
  for line in f:lines() do
    local json, sum = line:match("^(.*)\t(%x+)$")
    if json and util.adler32(json) == sum:lower() then
      local entry = core.json_decode(json)
      if type(entry) == "table" and util.finite(entry.usd) then total = total + entry.usd else skipped = skipped + 1 end
    elseif line ~= "" then
      skipped = skipped + 1
    end
  end
  f:close()
  return total, skipped
end

local function append(path, entry)
  local json = assert(core.json_encode(entry))
  local f, err = io.open(path, "a")
  if not f then return nil, err end
  f:setvbuf("no")
  local ok, werr = f:write("\n" .. json .. "\t" .. util.adler32(json) .. "\n")
  f:close()
  if not ok then return nil, werr end
  return true
end

local function money(x) return string.format("$%.2f", x) end

--- Reserve `usd` for a submit of `what` on `gateway` under the client's budget: true, or
-- nil and a budget_exceeded (or io) error. No budget: true.
function M.reserve(client, usd, what, gateway)
  local b = client.budget
  if not b then return true end
  if not util.finite(usd) then
    return nil, errors.new { kind = "budget_exceeded", provider = what, cap = b.usd,
      message = string.format("the spend guard cannot price %s (no published price), so it is not sent "
        .. "under a budget of %s", what, money(b.usd)) }
  end
  local spent = M.spent(b.journal)
  -- a cent's rounding never refuses a submit that fits
  if spent + usd > b.usd + 1e-9 then
    return nil, errors.new { kind = "budget_exceeded", spent = spent, estimate = usd, cap = b.usd, provider = what,
      message = string.format("the spend guard refused %s: %s spent + %s estimated would pass the cap of %s "
        .. "(budget journal %s)", what, money(spent), money(usd), money(b.usd), b.journal) }
  end
  local ok, err = append(b.journal, { usd = usd, what = what, gateway = gateway, time = os.time() })
  if not ok then
    return nil, errors.new { kind = "io", message = "the budget journal could not be written (" .. tostring(err)
      .. "): nothing was sent" }
  end
  return true
end

--- Give back a reservation whose submit was clearly refused (nothing was created).
function M.refund(client, usd, what, gateway)
  local b = client.budget
  if not b or not util.finite(usd) or usd == 0 then return true end
  return append(b.journal, { usd = -usd, what = what, gateway = gateway, time = os.time(), refund = true })
end

--- Run submit() under the budget: reserve first, refund when the answer is a clear
-- "no" (an error that did not leave a job behind).
function M.guarded(client, usd, what, gateway, submit)
  local ok, err = M.reserve(client, usd, what, gateway)
  if not ok then return nil, err end
  local job, serr = submit()
  if not job and errors.is(serr) and not serr.maybe_created and client.budget then
    M.refund(client, usd, what, gateway)
  end
  return job, serr
end

return M
