--- heygen.download: the media download engine behind job:download (docs/reliability.md).
--
-- Bytes go to a part file with a fresh, unpredictable name beside the target
-- (path..".part."..<random hex>), created by this download: a planted `.part` symlink is
-- never written through, and two downloads to one path (two tasks, two processes) each
-- write their own part. The part becomes `path` by one rename when it is complete and
-- checked, so nothing under the final name is ever partial; the last complete download
-- wins. Within a process, downloads to one path also take turns (a lock per target).
--
-- Resuming: a dropped or stalled transfer is resumed with Range and If-Range (the ETag
-- or Last-Modified of the file). A 206 is kept only when its validator is the one
-- recorded and its Content-Range total is the size recorded: a server that ignores
-- If-Range and sends a range of a changed file costs a fresh start, never a spliced
-- file. A failed download leaves its part and a note (path..".part.resume", replaced by
-- rename, never written through) naming the part, the job, the validator and the size; a
-- later download of the same job (another process too) copies that part into a fresh one
-- of its own and resumes from there.
local core = require "heygen.core"
local scheduler = require "heygen.scheduler"
local errors = require "heygen.errors"
local util = require "heygen.util"

local M = {}

local STALL_TIMEOUT = 30 -- seconds under a byte a second before a download is resumed
local TRANSIENT_CURL = { [18] = true, [52] = true, [55] = true, [56] = true, [28] = true, [7] = true, [92] = true }

-- What an answer says about resuming its file: its validator (a strong ETag, else
-- Last-Modified: what If-Range takes), whether Range is worth asking for, and the file's
-- whole size (a 200's Content-Length, a 206's Content-Range total).
local function resume_terms(rec)
  local etag, modified, accept, length, range = core.header(rec, "etag", "last-modified", "accept-ranges",
    "content-length", "content-range")
  if etag and etag:sub(1, 2) == "W/" then etag = nil end -- weak: If-Range cannot use it
  local validator = etag or modified
  local total
  if rec.status == 206 then
    total = tonumber((range or ""):match("/(%d+)%s*$"))
  else
    total = tonumber(length)
  end
  return validator, validator ~= nil or (accept or ""):lower() == "bytes", total
end

local function dirname(path) return path:match("^(.*/)") or "" end
local function basename(path) return path:match("([^/]*)$") end

local function fresh_part(path) return path .. ".part." .. util.random_hex(8) end
local function note_path(path) return path .. ".part.resume" end

-- Write `text` to `target` without opening `target`: a fresh unique file, renamed over it
-- (rename replaces a planted symlink itself; it never writes through one).
local function replace_file(target, text)
  local tmp = target .. "." .. util.random_hex(8) .. ".tmp"
  local f = io.open(tmp, "wb")
  if not f then return nil end
  local ok = f:write(text)
  f:close()
  if not ok or not os.rename(tmp, target) then
    os.remove(tmp)
    return nil
  end
  return true
end

local function save_note(path, part, job_key, validator, resumable, total)
  replace_file(note_path(path), core.json_encode {
    job = job_key, part = basename(part), validator = validator, resumable = resumable,
    size = util.file_size(part), total = total,
  } .. "\n")
end

local function load_note(path, job_key)
  local f = io.open(note_path(path), "rb")
  if not f then return nil end
  local note = core.json_decode(f:read("a") or "")
  f:close()
  if type(note) ~= "table" or note.job ~= job_key then return nil end
  return note
end

-- A part named by a note (from another run): claimed by rename (only one claimant wins),
-- then copied into a fresh part of our own, so nothing is ever appended to a file this
-- download did not create. Returns the fresh part, or nil.
local function adopt(path, note)
  local name = type(note.part) == "string" and note.part or ""
  local prefix = name:match("^(.*)%.part%.%x+$")
  if prefix ~= basename(path) then
    return nil -- a note naming anything but one of this target's parts is not followed
  end
  local old = dirname(path) .. name
  local claimed = old .. ".claim" .. util.random_hex(4)
  if not os.rename(old, claimed) then return nil end
  local part = fresh_part(path)
  local src, dst = io.open(claimed, "rb"), io.open(part, "wb")
  local ok = src and dst
  while ok do
    local chunk = src:read(1048576)
    if not chunk then break end
    ok = dst:write(chunk)
  end
  if src then src:close() end
  if dst then dst:close() end
  os.remove(claimed)
  if not ok or util.file_size(part) ~= note.size then
    os.remove(part)
    return nil
  end
  return part
end

local function folder_of(path) return path:match("^(.*)/[^/]*$") or "." end

--- Can a file be written to `path`? For a caller about to pay for a render it will save
-- there: the folder must take a new file (a probe file is made and removed), and an
-- existing `path` is refused unless `overwrite`. `option` names the setting in the error
-- (default "path"). Returns true, or nil and an error of kind "io" (code "file_exists", or
-- "not_writable"; err.path, err.option).
function M.check_target(path, overwrite, option)
  option = option or "path"
  if type(path) ~= "string" or path == "" then
    return nil, errors.new { kind = "invalid_argument", param = option,
      message = string.format("%s must be a non-empty string (a file path), got %s", option, type(path)) }
  end
  local f = io.open(path, "rb")
  if f then
    local _, _, errno = f:read(0)
    local is_dir = errno == 21 -- EISDIR
    f:close()
    if not overwrite or is_dir then
      return nil, errors.new { kind = "io", code = "file_exists", path = path, option = option,
        message = string.format("%s: %s exists%s", option, path, is_dir and " and is a folder"
          or "; it is kept: pass overwrite = true to replace it, or another path") }
    end
  end
  local dir = folder_of(path)
  local probe = string.format("%s/.heygen-probe-%s", dir, util.random_hex(8))
  local p, why = io.open(probe, "wb")
  if not p then
    local reason = tostring(why):gsub("^[^:]*: ", "")
    return nil, errors.new { kind = "io", code = "not_writable", path = path, option = option, folder = dir,
      reason = reason,
      message = string.format("%s: cannot write %s: its folder %s takes no new file (%s)", option, path, dir, reason) }
  end
  p:close()
  os.remove(probe)
  return true
end

-- Downloads in progress in this process, by target path: one at a time per target.
local LOCKS = {}

local function lock(path)
  while LOCKS[path] do scheduler.sleep(0.02) end
  LOCKS[path] = true
end

local function unlock(path) LOCKS[path] = nil end

local function io_error(job, message) return errors.new { kind = "io", job_id = job.id, message = message } end

-- The download itself (the lock held). See the module comment.
local function fetch(job, path, opts, url)
  local client = job._state.client
  local refreshed, resumes = false, 0
  local max_resumes = opts.max_resumes or 5
  local validator, resumable, total, distrust = nil, false, nil, false
  local job_key = job.kind .. ":" .. job.id
  local part
  local note = load_note(path, job_key)
  if note then
    part = adopt(path, note)
    if part then
      validator, resumable = note.validator, note.resumable == true
      total = tonumber(note.total)
    end
  end
  os.remove(note_path(path))
  part = part or fresh_part(path)
  local function drop()
    os.remove(part)
    part = fresh_part(path)
  end
  local function done()
    if opts.on_progress then
      local size = util.file_size(part)
      opts.on_progress(size, size)
    end
    local ok, err = os.rename(part, path)
    if not ok then
      os.remove(part)
      return nil, io_error(job, "cannot rename download: " .. tostring(err))
    end
    return path
  end
  while true do
    local offset = util.file_size(part) or 0
    if offset > 0 and not resumable then
      drop() -- the server gave no sign that a range of this file is safe
      offset = 0
    end
    local headers = { ["User-Agent"] = client.user_agent }
    if offset > 0 and validator then headers["If-Range"] = validator end
    local on_tick
    if opts.on_progress then
      on_tick = function(id)
        local d, t, from = scheduler.progress(id) -- from: offset, or 0 for a whole file
        if d then opts.on_progress(from + d, t and from + t or nil) end
      end
    end
    local rec, serr = scheduler.request({
      url = url, file = part, resume_from = offset, follow = true,
      timeout = opts.timeout or 0, connect_timeout = client.connect_timeout,
      stall_timeout = opts.stall_timeout or STALL_TIMEOUT,
      cainfo = client.cainfo, capath = client.capath, headers = headers,
    }, on_tick and 0.2 or nil, on_tick)
    if not rec then return nil, errors.new { kind = "invalid_argument", message = serr, job_id = job.id } end
    if rec.range_mismatch then -- its ranges are not what it says: never ask for one again
      distrust, resumable, validator = true, false, nil
    end
    -- a 206 of another file (a server that ignores If-Range): its validator or its total
    -- is not the one recorded. Its bytes were appended: the part is spoilt.
    local spliced = false
    if rec.status == 206 and not rec.range_mismatch and offset > 0 then
      local v, _, t = resume_terms(rec)
      if (validator and v ~= validator) or (total and t ~= total) then spliced = true end
    end
    if (rec.status == 200 or rec.status == 206) and not distrust and not spliced then
      local v, r, t = resume_terms(rec)
      validator, resumable, total = v, r, t or total
    end
    if rec.code ~= 0 and not spliced and (util.file_size(part) or 0) > 0 then
      save_note(path, part, job_key, validator, resumable and not distrust, total)
    end
    -- a 206 that came whole by its Content-Length but holds less than its Content-Range total
    local range_total = rec.code == 0 and rec.status == 206
      and tonumber((core.header(rec, "content-range") or ""):match("/(%d+)%s*$"))
    local held = range_total and util.file_size(part) or 0
    if spliced then
      os.remove(note_path(path))
      drop()
      validator, resumable, total = nil, false, nil
      resumes = resumes + 1
      if resumes > max_resumes then
        return nil, errors.new { kind = "protocol", status = rec.status, job_id = job.id,
          message = "download failed: the server answered a resume with a range of a different file "
            .. "(its ETag/Last-Modified or size changed)" }
      end
    elseif rec.range_mismatch or (range_total and held ~= range_total) then
      -- a range other than the one asked for, or more than the file: start over; fewer
      -- bytes than the file: go on from there
      if rec.range_mismatch or held > range_total then
        os.remove(note_path(path))
        drop()
      end
      resumes = resumes + 1
      if resumes > max_resumes then
        os.remove(part)
        return nil, errors.new { kind = "protocol", status = rec.status, job_id = job.id,
          message = string.format("download failed: the server answered HTTP 206 with %s (Content-Range: %s)",
            rec.range_mismatch and "a range other than the one asked for" or "a part that does not add up",
            tostring(core.header(rec, "content-range"))) }
      end
    elseif rec.code == 23 then
      os.remove(part)
      return nil, io_error(job, "cannot write the download: " .. tostring(rec.error))
    elseif rec.code ~= 0 then
      resumes = resumes + 1
      if not TRANSIENT_CURL[rec.code] or resumes > max_resumes then
        local e = errors.from_transport(rec)
        e.job_id = job.id
        e.message = "download failed: " .. e.message .. " (partial data kept in " .. part .. ")"
        e.part = part
        return nil, e
      end
      scheduler.sleep(math.min(0.2 * resumes, 2))
    elseif rec.status >= 200 and rec.status < 300 then
      if total and rec.status == 200 and util.file_size(part) ~= total then
        drop() -- fewer bytes than the Content-Length said, yet no transfer error: never kept
        resumes = resumes + 1
        if resumes > max_resumes then
          return nil, errors.new { kind = "protocol", status = rec.status, job_id = job.id,
            message = "download failed: the body was shorter than its Content-Length" }
        end
      else
        return done()
      end
    elseif rec.status == 416 and offset > 0 then
      -- what we hold is already all of it, or a different file: start over unless complete
      local t = tonumber(((rec.headers or {})["content-range"] or ""):match("/(%d+)"))
      if t == offset and (not total or t == total) then return done() end
      drop()
    elseif (rec.status == 403 or rec.status == 404 or rec.status == 410) and not refreshed then
      refreshed = true
      local status, err = job:refresh()
      if not status then
        os.remove(part)
        return nil, err
      end
      url = job.result and (job.result.video_url or job.result.url) or url
    else
      os.remove(part)
      return nil, errors.new {
        kind = (rec.status == 403 or rec.status == 404 or rec.status == 410) and "url_expired"
          or errors.kind_for(rec.status),
        status = rec.status, job_id = job.id,
        message = string.format("download answered HTTP %d%s", rec.status,
          refreshed and " again after a status refresh for a fresh URL" or ""),
      }
    end
  end
end

--- Download `url` (the job's result) to `path`; see the module comment.
-- Returns path, or nil, err.
function M.download(job, path, opts, url)
  lock(path)
  local ok, a, b = pcall(fetch, job, path, opts, url)
  unlock(path)
  if not ok then error(a, 0) end
  if a == nil then return nil, b end
  return a -- one value: print(assert(job:download(p))) shows just the path
end

return M
