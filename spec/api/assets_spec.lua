-- assets under api v3: multipart and direct uploads
-- (the client against the emulator: the requests it sent, what the user sees).
local env = require "api.v3_env"

local emu, hg = env.use()
local KEY_PATTERN, PNG, last, sent, download = env.KEY_PATTERN, env.PNG, env.last, env.sent, env.download
local write_file = env.write_file

describe("assets under api v3", function()
  it("uploads up to 32 MB as multipart/form-data and serves the same bytes back", function()
    local path = write_file(PNG, ".png")
    local asset = assert(hg:upload_asset(path))
    os.remove(path)
    assert.are.equal("image", asset.file_type)
    assert.are.equal("image/png", asset.mime_type)
    assert.are.equal(#PNG, asset.size_bytes)
    assert.are.equal(asset.asset_id, asset.id)
    local req = last("POST", "^/v3/assets$")
    assert.matches("^multipart/form%-data; boundary=", req.headers["content-type"])
    assert.matches(KEY_PATTERN, req.headers["idempotency-key"])
    assert.are.equal(PNG, download(asset.url))
  end)

  it("uploads bigger files in three steps: a presigned slot, a PUT without the key, complete", function()
    local assets = require "heygen.api.assets"
    local threshold = assets.MULTIPART_MAX
    assets.MULTIPART_MAX = 100
    local bytes = "\0\0\0\24ftypmp42" .. string.rep("v", 5000)
    local path = write_file(bytes, ".mp4")
    local asset, err = hg:upload_asset(path)
    assets.MULTIPART_MAX = threshold
    os.remove(path)
    assert.is_nil(err)
    assert.are.equal("video/mp4", asset.mime_type)
    assert.are.same({ filename = path:match("[^/]+$"), content_type = "video/mp4", size_bytes = #bytes },
      (sent("POST", "^/v3/assets/direct%-uploads$")))
    local put = last("PUT", "^/uploads/")
    assert.is_nil(put.headers["x-api-key"])
    assert.are.equal("video/mp4", put.headers["content-type"])
    assert.are.equal(#bytes, put.body_size)
    assert.is_truthy(last("POST", "^/v3/assets/" .. asset.id .. "/complete$"))
    assert.are.equal(0, emu:count("POST", "^/v3/assets$"))
    assert.are.equal(bytes, download(asset.url))
  end)

  it("sends a real 33 MB file through the presigned upload", function()
    local bytes = "\0\0\0\24ftypmp42" .. string.rep("0123456789abcdef", 33 * 65536)
    local path = write_file(bytes, ".mp4")
    local asset = assert(hg:upload_asset(path))
    os.remove(path)
    assert.are.equal(#bytes, asset.size_bytes)
    assert.are.equal(#bytes, last("PUT", "^/uploads/").body_size)
    assert.are.equal(bytes, download(asset.url))
  end)

  it("refuses an unknown file type before any request; the API refuses bytes that are not what they say", function()
    local path = write_file("hello", ".txt")
    local asset, err = hg:upload_asset(path)
    os.remove(path)
    assert.is_nil(asset)
    assert.matches("path must end in one of %.jpeg, %.jpg, %.mp3, %.mp4, %.pdf, %.png, %.srt, %.wav, %.webm",
      err.message)
    assert.are.equal(0, #emu:requests())
    path = write_file("not really a picture", ".png")
    asset, err = hg:upload_asset(path)
    os.remove(path)
    assert.is_nil(asset)
    assert.are.equal("invalid_argument", err.kind)
    assert.matches("%(param: file%)", err.message)
  end)
end)

describe("assets: one, delete, statuses, search, sounds", function()
  it("asset reads an uploaded asset; delete_asset removes it", function()
    local path = write_file(PNG, ".png")
    local up = assert(hg:upload_asset(path))
    os.remove(path)
    local one = assert(hg:asset(up.id))
    assert.are.equal(up.id, one.id)
    assert.are.equal(PNG, download(one.url))
    assert.is_true(assert(hg:delete_asset(up.id)))
    assert.is_truthy(last("DELETE", "^/v3/assets/" .. up.id .. "$"))
    local gone, err = hg:asset(up.id)
    assert.is_nil(gone)
    assert.are.equal("not_found", err.kind)
  end)

  it("statuses, search and sounds check their arguments before any request", function()
    local before = #emu:requests()
    local _, err = hg:asset_statuses {}
    assert.are.equal("invalid_argument", err.kind)
    assert.matches("the request needs exactly one of {asset_ids} or {batch_ids}, got none", err.message, 1, true)
    _, err = hg:asset_statuses { asset_ids = {} }
    assert.matches("asset_ids must", err.message)
    _, err = hg:search_assets { query = "cat" }
    assert.matches("type is required", err.message)
    _, err = hg:search_assets { query = "cat", type = "photo" }
    assert.matches('type must be one of "image", "icon", got "photo"', err.message, 1, true)
    _, err = hg:audio_sounds { query = "rain", limit = 51 }
    assert.matches("limit must be between 1 and 50, got 51", err.message)
    _, err = hg:audio_sounds { query = "rain", min_score = 2 }
    assert.matches("min_score must be", err.message)
    _, err = hg:upload_assets { paths = {} }
    assert.matches("paths must be a list of 1 to 100 file paths (the count given), got 0", err.message, 1, true)
    _, err = hg:upload_assets { paths = { "/nonexistent/a.png" } }
    assert.matches('paths[1]: path must be a readable file, got "/nonexistent/a.png"', err.message, 1, true)
    _, err = hg:assets { folder = "f" }
    assert.matches("folder is not a known field", err.message)
    assert.are.equal(before, #emu:requests())
  end)
end)
