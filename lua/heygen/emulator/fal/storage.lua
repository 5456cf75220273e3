-- heygen.emulator.fal.storage: fal's file storage as the official clients upload to it
-- (initiate, then PUT the bytes to the presigned upload_url), each host under its own
-- prefix of the emulator's port:
--   POST /fal-rest/storage/upload/initiate      https://rest.fal.ai (and rest.alpha.fal.ai):
--                                               {content_type, file_name} -> {upload_url,
--                                               file_url}
--   PUT  /fal-cdn/upload/{id}?Expires=&Signature=
--                                               the presigned upload_url (no auth): the bytes
--   GET  /fal-cdn/files/{id}/{name}             file_url: the uploaded bytes (public, Range)
--   (no multipart upload: files over the official client's 90 MB threshold are not served)
-- Uploads live in st.fal_files (cleared by /_emulator/reset).
local reply = require "heygen.emulator.reply"
local A = require "heygen.emulator.fal.answers"

local int = reply.int
local invalid = A.invalid

local M = {}

M.UPLOAD_TTL = 3600       -- seconds an upload_url stays valid [INF]

-- A file name safe in a path: the last component, other characters than [%w._-] as "_".
local function safe_name(name)
  name = tostring(name):match("([^/\\]*)$"):gsub("[^%w%._%-]", "_")
  if name == "" or name:match("^%.+$") then name = "file" end
  return name
end

--[[ POST /fal-rest/storage/upload/initiate[?storage_type=fal-cdn-v3] (https://rest.fal.ai)
{content_type, file_name} -> {upload_url, file_url}: upload_url is a presigned
PUT /fal-cdn/upload/{id}?Expires=&Signature= (no Authorization, as the client sends it),
file_url GET /fal-cdn/files/{id}/{file_name} (public, serves the PUT's bytes and type).]]
local function initiate(req, st)
  local body = reply.decode(req.body)
  if type(body) ~= "table" or body[1] ~= nil then
    return invalid("the request body must be a JSON object {content_type, file_name}")
  end
  local errs = {}
  for _, field in ipairs({"content_type", "file_name"}) do
    if type(body[field]) ~= "string" or body[field] == "" then
      errs[#errs + 1] = {loc = {"body", field}, msg = "field required", type = "value_error.missing"}
    end
  end
  if #errs > 0 then return invalid(errs) end
  local id, name = st:id(24), safe_name(body.file_name)
  st.fal_files[id] = {content_type = body.content_type, name = name}
  local put_path = "/fal-cdn/upload/" .. id
  local expires = int(st:now() + M.UPLOAD_TTL)
  local base = st:base(req)
  return reply.json(200, {
    upload_url = base .. put_path .. "?Expires=" .. expires .. "&Signature=" .. st:sign(put_path, expires),
    file_url = base .. "/fal-cdn/files/" .. id .. "/" .. name,
  })
end

local function storage_error(code, detail)
  return reply.json(code, {detail = detail})
end

local function put_upload(req, st, id)
  local file = st.fal_files[id]
  local check = st:check_signature(req.path, req.query)
  if check ~= "ok" then
    return storage_error(403, check == "expired" and "Upload URL expired" or "Invalid upload signature")
  end
  if not file then return storage_error(404, "Upload not found") end
  file.bytes = req.body
  local ct = req.headers["content-type"]
  if ct and ct ~= "" then file.content_type = ct end
  return {status = 200, headers = {["Content-Type"] = "text/plain"}, body = ""}
end

local function get_file(_, st, id, name)
  local file = st.fal_files[id]
  if not file or not file.bytes or file.name ~= name then return storage_error(404, "File not found") end
  return {status = 200, ranges = true, body = file.bytes,
          headers = {["Content-Type"] = file.content_type, ETag = '"' .. id .. '"'}}
end

-- keyed: behind the fal key check (and x-fal-request-id on every answer), see fal.lua.
M.routes = {
  {"POST", "/fal%-rest/storage/upload/initiate", initiate, keyed = true},
  {"PUT", "/fal%-cdn/upload/([^/]+)", put_upload},
  {"GET", "/fal%-cdn/files/([^/]+)/([^/]+)", get_file},
}

return M
