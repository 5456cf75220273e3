-- heygen.emulator.v3.assets: v3 assets (docs/heygen-v3.md 7): multipart upload (<= 32 MB), the
-- presigned direct upload (reserve a slot, PUT the bytes, complete), read, list (newest first,
-- pages), search of the stock library, delete.
--
-- An asset is st.assets[id] = {id, name, ext, content_type, size, bytes, uploaded_at, seq}; a
-- slot waiting for its bytes is st.v3.uploads[id]. Batches of slots and the bulk statuses
-- are v3/asset_batches.lua's.
local reply = require "heygen.emulator.reply"
local S = require "heygen.emulator.v3.support"

local null, int = reply.null, reply.int
local v3, fail, invalid, check, body_object = S.v3, S.fail, S.invalid, S.check, S.body_object
local not_found, now, req_id = S.not_found, S.now, S.req_id

local M = {}

M.MULTIPART_MAX = 32 * 1048576
M.DIRECT_MAX = 134217728
M.OWNER, M.SPACE = "emulator", "space_emulator"
M.BATCH_MAX = 100         -- files in one upload batch (v3/asset_batches.lua)


-- MIME type from the first bytes (the API detects it from the bytes, not the name).
local SNIFF = {
  {"^\137PNG\r\n\26\n", "image/png", "png"}, {"^\255\216\255", "image/jpeg", "jpg"},
  {"^....ftyp", "video/mp4", "mp4"}, {"^\26\69\223\163", "video/webm", "webm"},
  {"^ID3", "audio/mpeg", "mp3"}, {"^\255[\224-\255]", "audio/mpeg", "mp3"},
  {"^RIFF....WAVE", "audio/wav", "wav"}, {"^%%PDF%-", "application/pdf", "pdf"},
  {"^%s*%d+\r?\n%d%d:%d%d:%d%d[,.]%d+ %-%->", "application/x-subrip", "srt"},
}

local function sniff(bytes)
  for _, s in ipairs(SNIFF) do
    if bytes:find(s[1]) then return s[2], s[3] end
  end
end

-- The part named `file` of a multipart/form-data body: bytes, filename, or nil, message.
local function multipart_file(req)
  local ctype = req.headers["content-type"] or ""
  local boundary = ctype:match("boundary=\"([^\"]+)\"") or ctype:match("boundary=([^;%s]+)")
  if not ctype:lower():find("^%s*multipart/form%-data") or not boundary then
    return nil, "Content-Type must be multipart/form-data with a boundary"
  end
  local body, delim = req.body, "--" .. boundary
  local pos = body:find(delim, 1, true)
  while pos do
    local start = pos + #delim
    if body:sub(start, start + 1) == "--" then break end
    local head_end = body:find("\r\n\r\n", start, true)
    if not head_end then break end
    local head = body:sub(start, head_end - 1)
    local stop = body:find("\r\n" .. delim, head_end + 4, true)
    if not stop then break end
    if head:find('[Cc]ontent%-[Dd]isposition:[^\r\n]*[ ;]name="file"') then
      return body:sub(head_end + 4, stop - 1), head:match('filename="([^"]*)"')
    end
    pos = stop + 2
  end
  return nil, "the form has no part named \"file\""
end

local function asset_url(req, st, a) return st:signed_url(req, "assets/" .. a.id .. "." .. a.ext) end

-- Assets are listed newest first by their sequence number.
local function next_seq(st)
  st.v3.asset_seq = (st.v3.asset_seq or 0) + 1
  return st.v3.asset_seq
end

local function store_asset(st, aid, bytes, name)
  local mime, ext = sniff(bytes)
  local a = {id = aid, ext = ext, content_type = mime, size = #bytes, bytes = bytes, name = name,
             uploaded_at = now(), v3 = true, seq = next_seq(st)}
  st.assets[aid] = a
  return a
end

local function asset_answer(req, st, a, extra)
  local d = {asset_id = a.id, url = asset_url(req, st, a), mime_type = a.content_type, size_bytes = a.size}
  for k, v in pairs(extra or {}) do d[k] = v end
  return v3(d)
end

local function upload_multipart(req, st)
  if #req.body > M.MULTIPART_MAX + 65536 then
    return fail(413, "payload_too_large", "Files over 32 MB go through POST /v3/assets/direct-uploads")
  end
  local bytes, name = multipart_file(req)
  if not bytes then return fail(400, "invalid_parameter", name, "file") end
  if #bytes == 0 then return invalid("file", "must not be empty", "0 bytes") end
  if #bytes > M.MULTIPART_MAX then
    return fail(413, "payload_too_large", "file is " .. #bytes .. " bytes; the limit is 32 MB (use direct uploads)",
                "file")
  end
  if not sniff(bytes) then
    return invalid("file", "must be png, jpeg, mp4, webm, mp3, wav, pdf or srt", name or "unnamed")
  end
  return asset_answer(req, st, store_asset(st, st:id(), bytes, name))
end

local UPLOAD_RULE = {type = "object", fields = {
  filename = req_id, content_type = req_id,
  size_bytes = {type = "integer", required = true, min = 1, max = M.DIRECT_MAX},
  checksum_sha256 = {type = "string"},
}}

local function upload_path(aid) return "/uploads/" .. aid end

-- A presigned slot for one file (fields checked, `pre` naming them): its answer, or nil, 400.
local function new_slot(req, st, file, pre)
  local err = check(file, UPLOAD_RULE, pre)
  if err then return nil, err end
  local known = false
  for _, s in ipairs(SNIFF) do if s[2] == file.content_type then known = true end end
  if not known then
    return nil, invalid(pre == "" and "content_type" or pre .. ".content_type", "must be a supported MIME type",
                        file.content_type)
  end
  local aid = st:id()
  local expires = int(st:now() + 3600)
  st.v3.uploads[aid] = {id = aid, filename = file.filename, content_type = file.content_type, size = file.size_bytes}
  local path = upload_path(aid)
  return {asset_id = aid, status = "pending_upload", expires_in_seconds = 3600, max_bytes = M.DIRECT_MAX,
          upload_url = st:base(req) .. path .. "?Expires=" .. expires .. "&Signature=" .. st:sign(path, expires),
          upload_headers = {["Content-Type"] = file.content_type}}
end

local function create_upload(req, st)
  local body, err = body_object(req)
  if err then return err end
  local slot
  slot, err = new_slot(req, st, body, "")
  return slot and v3(slot) or err
end

local function s3_error(status, code, message)
  return {status = status, headers = {["Content-Type"] = "application/xml"},
          body = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>' .. code .. "</Code><Message>"
                 .. message .. "</Message></Error>\n"}
end

-- PUT to the presigned URL: plain S3, no HeyGen credentials, headers exactly as signed.
local function put_upload(req, st, aid)
  local check_sig = st:check_signature(req.path, req.query)
  if check_sig == "expired" then return s3_error(403, "AccessDenied", "Request has expired") end
  local slot = st.v3.uploads[aid]
  if check_sig ~= "ok" or not slot then return s3_error(403, "SignatureDoesNotMatch", "Invalid signature") end
  if req.headers["x-api-key"] or req.headers.authorization then
    return s3_error(400, "InvalidArgument", "Only one auth mechanism allowed; the URL is presigned")
  end
  if (req.headers["content-type"] or "") ~= slot.content_type then
    return s3_error(403, "SignatureDoesNotMatch", "Content-Type must be " .. slot.content_type .. " as signed")
  end
  if #req.body ~= slot.size then
    return s3_error(400, "IncompleteBody", "expected " .. slot.size .. " bytes, got " .. #req.body)
  end
  slot.bytes = req.body
  return {status = 200, headers = {ETag = '"' .. st:sign("etag", aid):sub(1, 32) .. '"'}, body = ""}
end

-- Finalises a slot whose bytes were PUT: the asset, or nil, the 400 saying why not.
local function finalise(st, slot)
  if not slot.bytes then
    return nil, fail(400, "invalid_parameter", "Asset " .. slot.id
                     .. " has no uploaded bytes yet: PUT them to upload_url first", "asset_id")
  end
  if sniff(slot.bytes) ~= slot.content_type then
    return nil, invalid("content_type", "does not match the uploaded bytes (" .. tostring(sniff(slot.bytes)) .. ")",
                        slot.content_type)
  end
  slot.done = true
  local a = store_asset(st, slot.id, slot.bytes, slot.filename)
  slot.bytes = nil
  return a
end

local function complete_upload(req, st, aid)
  local slot = st.v3.uploads[aid]
  if not slot then return not_found("not_found", "Asset", aid) end
  if slot.done then
    if not st.assets[aid] then return not_found("not_found", "Asset", aid) end
    return asset_answer(req, st, st.assets[aid], {status = "processing"})        -- idempotent
  end
  local a, err = finalise(st, slot)
  if not a then return err end
  return asset_answer(req, st, a, {status = "processing"})
end

-- GET /v3/assets/{id} and the items of GET /v3/assets.
local function asset_view(req, st, a)
  return {id = a.id, name = a.name or a.id, owner = M.OWNER, space_id = M.SPACE,
          type = (a.content_type or ""):match("^(%a+)/") or "file", uploaded_at = a.uploaded_at or int(now()),
          url = a.ext and asset_url(req, st, a) or null, folder_id = a.folder_id or null}
end

local function get_asset(req, st, aid)
  local a = st.assets[aid]
  if not a then return not_found("not_found", "Asset", aid) end
  return v3(asset_view(req, st, a))
end

local function delete_asset(_, st, aid)
  if not st.assets[aid] then return not_found("not_found", "Asset", aid) end
  st.assets[aid] = nil
  return v3({id = aid})
end


-- GET /v3/assets (beta): `username` required (the owner; another name owns nothing here),
-- `folder_id` (empty: the root), newest first.
local function list_assets(req, st)
  local q = req.query
  if not q.username or q.username == "" then return invalid("username", "is required", q.username) end
  local list = {}
  for _, a in pairs(st.assets) do
    local folder = q.folder_id
    if q.username == M.OWNER and (folder == nil or (a.folder_id or "") == folder) then list[#list + 1] = a end
  end
  for _, a in ipairs(list) do a.seq = a.seq or next_seq(st) end   -- an asset made elsewhere gets its place
  table.sort(list, function(x, y) return x.seq > y.seq end)
  return S.paginate(req, st, "assets", list, function(a) return -a.seq end, 20, 100,
                    function(a) return asset_view(req, st, a) end)
end

-- The stock library GET /v3/assets/search looks in: words match a name or a tag.
M.LIBRARY = {
  {id = "lib_img_cat_window", type = "image", words = "cat window sunlight pet", width = 1920, height = 1080},
  {id = "lib_img_cat_sofa", type = "image", words = "cat sofa pet home", width = 1080, height = 1350},
  {id = "lib_img_office_team", type = "image", words = "office team meeting business people", width = 1920,
   height = 1080},
  {id = "lib_img_ocean_sunset", type = "image", words = "ocean sea sunset beach water", width = 1600, height = 1600},
  {id = "lib_img_bottle_desk", type = "image", words = "water bottle desk product", width = 1200, height = 1800},
  {id = "lib_icon_cat", type = "icon", words = "cat pet animal", width = 512, height = 512, is_transparent = true},
  {id = "lib_icon_chart", type = "icon", words = "chart growth business graph", width = 512, height = 512,
   is_transparent = true},
  {id = "lib_icon_water", type = "icon", words = "water drop bottle", width = 512, height = 512, is_transparent = true},
}

local SEARCH_RULE = {type = "object", fields = {
  query = {type = "string", required = true, min_len = 1}, type = S.one_of({"image", "icon"}, true),
  scope = S.one_of({"public", "personal"}),
}}

local function orientation(item)
  if item.width == item.height then return "square" end
  return item.width > item.height and "landscape" or "portrait"
end

local function search_assets(req, st)
  local q = req.query
  local err = check({query = q.query, type = q.type, scope = q.scope}, SEARCH_RULE, "")
  if err then return err end
  local list = {}
  if q.scope ~= "personal" then    -- the personal library of the emulator's user is empty
    for i, item in ipairs(M.LIBRARY) do
      local hit = false
      for word in q.query:lower():gmatch("%w+") do
        hit = hit or (" " .. item.words .. " "):find(" " .. word .. " ", 1, true) ~= nil
      end
      if item.type == q.type and hit then list[#list + 1] = {pos = i, item = item} end
    end
  end
  return S.paginate(req, st, "asset_search", list, S.by_position, 20, 50, function(p)
    local item = p.item
    return {id = item.id, type = item.type, url = st:signed_url(req, "library/" .. item.id .. ".jpg"),
            width = item.width, height = item.height, orientation = orientation(item),
            is_transparent = item.is_transparent == true}
  end)
end

---------------------------------------------------------------------------------------

local I = S.I

M.routes = {
  {"GET", "/v3/assets", list_assets},
  {"POST", "/v3/assets", I(upload_multipart)},
  {"GET", "/v3/assets/search", search_assets},
  {"POST", "/v3/assets/direct%-uploads", I(create_upload)},
  {"POST", "/v3/assets/([^/]+)/complete", complete_upload},
  {"GET", "/v3/assets/([^/]+)", get_asset},
  {"DELETE", "/v3/assets/([^/]+)", delete_asset},
}

-- for v3/asset_batches.lua: a presigned slot (its answer, or nil, 400), a slot's bytes made an asset
M.new_slot, M.finalise = new_slot, finalise

-- The presigned PUT: plain S3, no API key.
function M.register(app)
  app:load({{"PUT", "/uploads/([^/]+)", put_upload, gen = "files"}})
end

return M
