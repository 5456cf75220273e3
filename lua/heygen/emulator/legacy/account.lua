-- heygen.emulator.legacy.account: the remaining quota (docs 3.16) and asset upload (docs 3.15).
local reply = require "heygen.emulator.reply"
local S = require "heygen.emulator.legacy.support"
local null = reply.null
local int = reply.int

local KEEP_ASSET_BYTES, show, missing, v1_fail = S.KEEP_ASSET_BYTES, S.show, S.missing, S.v1_fail

local function remaining_quota(_, st)
  return reply.v2({remaining_quota = st.quota,
                   details = {api = st.quota, plan_credit = 0, streaming_avatar = 0, seat = 1}})
end

local function upload_asset(req, st)
  local ctype = (req.headers["content-type"] or ""):match("^%s*([^;%s]+)")
  local known = ctype and S.ASSET_TYPES[ctype:lower()]
  if not known then
    return v1_fail(400, {v1 = 400543, message = "Content-Type must be one of image/jpeg, image/png, "
                         .. "video/mp4, video/webm, audio/mpeg; got " .. show(ctype or "")})
  end
  if #req.body == 0 then return v1_fail(400, missing("file body")) end
  local file_type, ext = known[1], known[2]
  if #req.body > S.ASSET_LIMITS[file_type] then
    return reply.error("v1", 413, nil, string.format("%s files must be at most %d MB, got %d bytes", file_type,
                                                     S.ASSET_LIMITS[file_type] / 1048576, #req.body))
  end
  local id = st:id()
  local asset = {id = id, ext = ext, content_type = ctype:lower(), size = #req.body}
  if #req.body <= KEEP_ASSET_BYTES then asset.bytes = req.body end
  st.assets[id] = asset
  local data = {id = id, name = id, file_type = file_type, folder_id = "", meta = null,
                created_ts = int(st:now()), url = st:signed_url(req, "assets/" .. id .. "." .. ext)}
  if file_type == "image" then data.image_key = "image/" .. id .. "/original." .. ext end
  return reply.v1_msg(data)
end

return {remaining_quota = remaining_quota, upload_asset = upload_asset}
