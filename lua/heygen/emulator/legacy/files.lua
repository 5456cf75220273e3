-- heygen.emulator.legacy.files: downloads: /files/ (presigned), /static/ (catalogue media), /share/ pages.
local media = require "heygen.emulator.media"
local S = require "heygen.emulator.legacy.support"

local live_job = S.live_job

-- Files carry a strong ETag named after their content (what it is made from), so a
-- client resuming with If-Range gets the whole file again when it changed.
local function file_answer(st, body, ctype, identity)
  local etag = '"' .. st:sign("etag", identity):sub(1, 32) .. '"'
  local res = {status = 200, headers = {["Content-Type"] = ctype, ETag = etag}, ranges = true}
  if type(body) == "string" then res.body = body else res.stream = body end
  return res
end

local function forbidden(message)
  return {status = 403, headers = {["Content-Type"] = "application/xml"},
          body = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>'
                 .. message .. "</Message></Error>\n"}
end

local function get_file(req, st, name)
  local check = st:check_signature(req.path, req.query)
  if check == "expired" then return forbidden("Request has expired") end
  if check ~= "ok" then return forbidden("Invalid signature") end
  local stem, ext = name:match("^(.-)%.(%w+)$")
  if not stem then return {status = 404, headers = {["Content-Type"] = "text/plain"}, body = "not found\n"} end
  local asset_id = stem:match("^assets/(%x+)$")
  local asset = asset_id and st.assets[asset_id]
  if asset and asset.bytes then return file_answer(st, asset.bytes, asset.content_type, "asset:" .. asset_id) end
  local job = st.jobs[stem] or st.jobs[stem:gsub("_caption$", "")]
  local body, ctype = media.body(ext, job and job.size)
  if not body then return {status = 404, headers = {["Content-Type"] = "text/plain"}, body = "not found\n"} end
  return file_answer(st, body, ctype, ext .. ":" .. tostring(job and job.size))
end

local function get_static(_, st, name)
  local ext = name:match("%.(%w+)$")
  local body, ctype = media.body(ext or "")
  if not body then return {status = 404, headers = {["Content-Type"] = "text/plain"}, body = "not found\n"} end
  return file_answer(st, body, ctype, "static:" .. (ext or ""))
end

local function share_page(req, st, id)
  local job = live_job(st, id)
  if not job then return {status = 404, headers = {["Content-Type"] = "text/html"}, body = "<h1>Not found</h1>\n"} end
  local url = st:signed_url(req, id .. "." .. (job.ext or "mp4"))
  return {status = 200, headers = {["Content-Type"] = media.CONTENT_TYPES.html},
          body = "<!doctype html><title>" .. (job.title or id):gsub("[<>&]", "") ..
                 "</title><video controls src=\"" .. url .. "\"></video>\n"}
end

return {get_file = get_file, get_static = get_static, share_page = share_page}
