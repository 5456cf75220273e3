--- Assets: upload a file (legacy: POST upload.heygen.com/v1/asset; v3: multipart up to
-- 32 MB, presigned direct upload above). ../shared/docs/heygen-api.md 3.15,
-- ../shared/docs/heygen-v3.md 7.
local api = require "heygen.api"
local errors = require "heygen.errors"
local rules = require "heygen.api.schema.legacy"
local schema = require "heygen.api.schema.v3"
local support = require "heygen.api.support"
local util = require "heygen.util"
local validate = require "heygen.validate"

local M = {}

local fail = validate.fail

M.MULTIPART_MAX = 32 * 1048576 -- POST /v3/assets takes up to 32 MB; bigger files go presigned
M.UPLOAD_TIMEOUT = 600         -- seconds for one upload request (the official CLI's 10 minutes)

-- File extensions POST /v3/assets takes, and their MIME types (docs 7.1).
M.ASSET_TYPES = {
  png = "image/png", jpg = "image/jpeg", jpeg = "image/jpeg", mp4 = "video/mp4",
  webm = "video/webm", mp3 = "audio/mpeg", wav = "audio/wav", pdf = "application/pdf",
  srt = "application/x-subrip",
}

-- POST /v3/assets and .../complete answers as the legacy upload answer.
local function asset_result(d, name)
  local mime = d.mime_type or ""
  return util.merge(d, { id = d.asset_id or d.id, name = name, file_type = mime:match("^(%a+)/") })
end

local function content_type_of(path, given)
  if given then return given end
  local ext = path:match("%.([%w]+)$")
  return ext and M.ASSET_TYPES[ext:lower()]
end

local function check_upload(_, path, ctype)
  local size = util.file_size(path)
  local dir = io.open(path .. "/", "rb")
  if dir then dir:close() size = nil end
  if not size then return fail("path", "must be a readable file", path) end
  if size == 0 then return fail("path", "must not be an empty file", path) end
  if not content_type_of(path, ctype) then
    return fail("path", "must end in one of ." .. table.concat(util.sorted_keys(M.ASSET_TYPES), ", .")
      .. " (or pass a content type)", path)
  end
  return true
end

local function basename(path) return path:match("([^/\\]+)$") or path end

--- PUT a file's bytes to the presigned slot a direct upload reserved (no API key: the URL
-- is signed). Returns true, or nil, err (`field` names the argument in a size error).
function M.put_file(client, slot, path, ctype, size, field)
  if slot.max_bytes and size > slot.max_bytes then
    return nil, errors.new { kind = "invalid_argument", field = field,
      message = string.format("%s must be at most %d bytes for a direct upload, got %d bytes", field, slot.max_bytes,
        size) }
  end
  local _, perr = client:request { method = "PUT", url = slot.upload_url, auth = false, raw_body = true,
    body_file = path, headers = slot.upload_headers or { ["Content-Type"] = ctype }, timeout = M.UPLOAD_TIMEOUT }
  if errors.is(perr) then return nil, perr end
  return true
end

-- Several files at once (docs 7.2): one batch of presigned slots, a PUT each, one complete.
local function check_batch(_, a)
  local paths = a.paths
  if type(paths) ~= "table" or #paths < 1 or #paths > 100 then
    return fail("paths", "must be a list of 1 to 100 file paths (the count given)", type(paths) == "table" and #paths
      or paths)
  end
  for i, path in ipairs(paths) do
    if type(path) ~= "string" then return fail("paths[" .. i .. "]", "must be a file path", path) end
    local ok, err = check_upload(nil, path)
    if not ok then
      err.message = "paths[" .. i .. "]: " .. err.message
      return nil, err
    end
  end
  for k in pairs(a) do
    if k ~= "paths" and k ~= "title" and k ~= "callback_url" then
      return fail(tostring(k), "is not a known field (known: callback_url, paths, title)", a[k])
    end
  end
  return true
end

local function upload_batch(client, a)
  local files = {}
  for i, path in ipairs(a.paths) do
    files[i] = { filename = basename(path), content_type = content_type_of(path), size_bytes = util.file_size(path) }
  end
  local slots, err = client:request(support.create("/v3/assets/direct-uploads/batches",
    { files = files, title = a.title, callback_url = a.callback_url }))
  if slots == nil then return nil, err end
  local items = support.list_of(slots.items)
  if #items ~= #files then
    return support.protocol(string.format("the batch answer carried %d upload slots for %d files", #items, #files))
  end
  local assets = {}
  for i, slot in ipairs(items) do
    local ok, perr = M.put_file(client, slot, a.paths[i], files[i].content_type, files[i].size_bytes,
      "paths[" .. i .. "]")
    if not ok then return nil, perr end
    assets[i] = { id = slot.asset_id, asset_id = slot.asset_id, name = files[i].filename }
  end
  local _, cerr = client:complete_asset_batch(slots.batch_id)
  if cerr then return nil, cerr end
  return { batch_id = slots.batch_id, assets = assets }
end

-- Large files: reserve a presigned slot, PUT the bytes there, then finalise (docs 7.2).
local function direct_upload(client, path, ctype, size)
  local slot, err = client:request(support.create("/v3/assets/direct-uploads",
    { filename = basename(path), content_type = ctype, size_bytes = size }))
  if slot == nil then return nil, err end
  local ok, perr = M.put_file(client, slot, path, ctype, size, "path")
  if not ok then return nil, perr end
  local done
  done, err = client:request(support.send("POST", "/v3/assets/" .. support.enc(slot.asset_id) .. "/complete", {}))
  if done == nil then return nil, err end
  return asset_result(done, basename(path))
end

local function upload_v3(client, path, ctype)
  ctype = content_type_of(path, ctype)
  local size = util.file_size(path)
  if size > M.MULTIPART_MAX then return direct_upload(client, path, ctype, size) end
  local spec = support.create("/v3/assets")
  spec.json, spec.timeout = nil, M.UPLOAD_TIMEOUT
  spec.mime = { { name = "file", file = path, type = ctype, filename = basename(path) } }
  local data, err = client:request(spec)
  if data == nil then return nil, err end
  return asset_result(data, basename(path))
end

local function path_and_type(a, b)
  return type(a) == "string" and a ~= "" and (b == nil or type(b) == "string"),
    "a file path and an optional MIME type"
end


api.rows {
  assets = {
    doc = { args = "o?: {limit?: integer, token?: string, folder_id?: string, username?: string}",
      returns = "table[], string?", text = "One page of your assets, and the next page's token" },
    v3 = support.page_row("/v3/assets", schema.assets_page),
  },

  asset = {
    doc = { args = "asset_id: string", returns = "table", text = "One asset: name, type, url" },
    v3 = { args = "id", path = "/v3/assets/{1}" },
  },

  delete_asset = {
    doc = { args = "asset_id: string", returns = "true", text = "Delete an asset" },
    v3 = { args = "id", method = "DELETE", path = "/v3/assets/{1}", result = support.yes },
  },

  asset_statuses = {
    doc = { args = "o: {asset_ids?: string[], batch_ids?: string[]}", returns = "table[]",
      text = "The upload status of up to 100 assets or asset batches" },
    v3 = { schema = schema.asset_statuses, path = "/v3/assets/statuses",
      query = function(a)
        return { asset_ids = a.asset_ids and table.concat(a.asset_ids, ","),
          batch_ids = a.batch_ids and table.concat(a.batch_ids, ",") }
      end,
      result = function(_, d) return support.list_of(d) end },
  },

  search_assets = {
    doc = { args = "o: {query: string, type: \"image\"|\"icon\", scope?: string, limit?: integer, token?: string}",
      returns = "table[], string?", text = "Stock images and icons matching a query (one page, and the next token)" },
    v3 = { schema = schema.asset_search, path = "/v3/assets/search", query = "table", result = support.page_result },
  },

  audio_sounds = {
    doc = { args = "o: {query: string, type?: string, min_score?: number, limit?: integer, token?: string}",
      returns = "table[], string?", text = "Music and sound effects matching a query (one page, and the next token)" },
    v3 = { schema = schema.audio_sounds, path = "/v3/audio/sounds", query = "table", result = support.page_result },
  },

  upload_assets = {
    doc = { args = "o: {paths: string[], title?: string, callback_url?: string}",
      returns = "{batch_id: string, assets: {id: string, name: string}[]}",
      text = "Upload up to 100 files in one batch (presigned slots, a PUT each, one complete)" },
    v3 = { validate = check_batch, run = upload_batch,
      http = "POST /v3/assets/direct-uploads/batches, PUT each, POST /v3/assets/complete/batches" },
  },

  complete_asset_batch = {
    doc = { args = "batch_id: string", returns = "table",
      text = "Finish an asset batch whose files were PUT to their slots (upload_assets does this)" },
    v3 = { args = "id", method = "POST", path = "/v3/assets/complete/batches",
      body = function(_, batch_id) return { batch_id = batch_id } end },
  },

  asset_batch = {
    doc = { args = "batch_id: string", returns = "table", text = "An asset batch: its status and items" },
    v3 = { args = "id", path = "/v3/assets/batches/{1}" },
  },

  upload_asset = {
    doc = { args = "path: string, content_type?: string", returns = "heygen.Asset",
      text = "Upload a file; its id goes into other calls" },
    legacy = {
      args = path_and_type, http = "POST upload.heygen.com/v1/asset",
      validate = function(_, path, content_type)
        return validate.check({ path = path, content_type = content_type }, rules.upload_asset, "")
      end,
      request = function(_, path, content_type)
        return { method = "POST", base = "upload", path = "/v1/asset", envelope = "v1", body_file = path,
          content_type = content_type or rules.mime_for(path) }
      end,
      result = function(_, d)
        if type(d) == "table" and d.id then return d end
        return support.protocol("asset upload: the answer carried no asset id")
      end,
    },
    v3 = { args = path_and_type, validate = check_upload, run = upload_v3,
      http = "POST /v3/assets (over 32 MB: direct-uploads, PUT, complete)" },
  },
}

return M
