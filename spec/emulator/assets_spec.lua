-- The emulator's v3 assets over raw HTTP (emulator/v3/assets.lua): list, search, statuses,
-- and direct-upload batches (slots, PUT, complete, batch read).
local h = require "emulator.http"

h.use()

local call, data = h.call, h.data
local PNG = "\137PNG\r\n\26\n" .. string.rep("\0\1\2\3", 64)

-- PUT bytes to a presigned slot (no API key, the signed headers).
local function put(slot, bytes)
  local http, ltn12 = require "socket.http", require "ltn12"
  local headers = {["content-length"] = tostring(#bytes)}
  for k, v in pairs(slot.upload_headers) do headers[k:lower()] = v end
  local ok, status = http.request({url = slot.upload_url, method = "PUT", headers = headers,
                                   source = ltn12.source.string(bytes), sink = ltn12.sink.null()})
  assert(ok, status)
  return status
end

-- One asset through a direct upload: its id.
local function upload(name)
  local slot = data("POST", "/v3/assets/direct-uploads", {filename = name, content_type = "image/png",
                                                         size_bytes = #PNG})
  assert.are.equal(200, put(slot, PNG))
  data("POST", "/v3/assets/" .. slot.asset_id .. "/complete", {})
  return slot.asset_id
end

describe("emulator: GET /v3/assets", function()
  it("lists the owner's assets newest first, in pages; another username owns none", function()
    local a, b, c = upload("a.png"), upload("b.png"), upload("c.png")
    local page, whole = data("GET", "/v3/assets?username=emulator&limit=2")
    assert.are.same({c, b}, {page[1].id, page[2].id})
    assert.are.equal("c.png", page[1].name)
    assert.are.equal("image", page[1].type)
    assert.are.equal("emulator", page[1].owner)
    assert.is_true(whole.has_more)
    local rest, last = data("GET", "/v3/assets?username=emulator&limit=2&token=" .. whole.next_token)
    assert.are.same({a}, {rest[1].id})
    assert.are.equal(1, #rest)
    assert.is_false(last.has_more)
    assert.are.equal(0, #data("GET", "/v3/assets?username=someone_else"))
    local status, v = call("GET", "/v3/assets")
    assert.are.equal(400, status)
    assert.are.equal("username is required, got null", v.error.message)
    status, v = call("GET", "/v3/assets?username=emulator&limit=101")
    assert.are.equal(400, status)
    assert.are.equal("limit", v.error.param)
  end)

  it("serves the listed URL's bytes", function()
    upload("logo.png")
    local item = data("GET", "/v3/assets?username=emulator")[1]
    local status, bytes = h.fetch(item.url)
    assert.are.equal(200, status)
    assert.are.equal(PNG, bytes)
  end)
end)

describe("emulator: GET /v3/assets/search", function()
  it("finds images or icons whose words match, with their shape; query and type are required", function()
    local images = data("GET", "/v3/assets/search?query=cat&type=image")
    assert.are.equal(2, #images)
    for _, item in ipairs(images) do
      assert.are.equal("image", item.type)
      assert.matches("^lib_img_cat", item.id)
      assert.is_string(item.url)
    end
    local icons = data("GET", "/v3/assets/search?query=Cat&type=icon")
    assert.are.equal(1, #icons)
    assert.are.equal("square", icons[1].orientation)
    assert.is_true(icons[1].is_transparent)
    assert.are.equal(0, #data("GET", "/v3/assets/search?query=cat&type=image&scope=personal"))
    local page, whole = data("GET", "/v3/assets/search?query=cat&type=image&limit=1")
    assert.are.equal(1, #page)
    assert.is_true(whole.has_more)
    local status, v = call("GET", "/v3/assets/search?type=image")
    assert.are.equal(400, status)
    assert.are.equal("query is required, got null", v.error.message)
    status, v = call("GET", "/v3/assets/search?query=cat&type=photo")
    assert.are.equal(400, status)
    assert.are.equal('type must be one of icon, image, got "photo"', v.error.message)
    status = call("GET", "/v3/assets/search?query=cat&type=image&limit=51")
    assert.are.equal(400, status)
  end)
end)

describe("emulator: upload batches and statuses", function()
  it("presigns each file, PUT them, complete once: the batch and its assets are completed", function()
    local created = data("POST", "/v3/assets/direct-uploads/batches", {title = "Logos", files = {
      {filename = "one.png", content_type = "image/png", size_bytes = #PNG},
      {filename = "two.png", content_type = "image/png", size_bytes = #PNG}}})
    assert.matches("^ab_", created.batch_id)
    assert.are.equal(2, #created.items)
    local bid = created.batch_id
    local before = data("GET", "/v3/assets/batches/" .. bid)
    assert.are.equal("processing", before.status)
    assert.are.same({queued = 2}, before.counts_by_status)
    for _, slot in ipairs(created.items) do
      assert.are.equal("pending_upload", slot.status)
      assert.are.equal(200, put(slot, PNG))
    end
    local status, v = call("POST", "/v3/assets/complete/batches", {batch_id = bid})
    assert.are.equal(202, status)
    assert.are.equal(bid, v.data.batch_id)
    local batch = data("GET", "/v3/assets/batches/" .. bid)
    assert.are.equal("completed", batch.status)
    assert.are.equal("Logos", batch.title)
    assert.are.equal(2, batch.total_items)
    assert.are.same({completed = 2}, batch.counts_by_status)
    assert.are.equal(created.items[2].asset_id, batch.items[2].video_id)
    assert.are.equal("two.png", data("GET", "/v3/assets/" .. batch.items[2].video_id).name)
    -- a repeated complete re-drives the same batch
    assert.are.equal(202, (call("POST", "/v3/assets/complete/batches", {batch_id = bid})))
    local one = data("GET", "/v3/assets/batches/" .. bid .. "?limit=1")
    assert.are.equal(1, #one.items)
    assert.is_true(one.has_more)
    assert.are.equal(1, data("GET", "/v3/assets/batches/" .. bid .. "?token=" .. one.next_token).items[1].item_index)
  end)

  it("a file never PUT fails its item; statuses tell assets and batch items apart", function()
    local created = data("POST", "/v3/assets/direct-uploads/batches", {files = {
      {filename = "one.png", content_type = "image/png", size_bytes = #PNG},
      {filename = "lost.png", content_type = "image/png", size_bytes = #PNG}}})
    put(created.items[1], PNG)
    call("POST", "/v3/assets/complete/batches", {batch_id = created.batch_id})
    local batch = data("GET", "/v3/assets/batches/" .. created.batch_id)
    assert.are.equal("completed", batch.status)
    assert.are.same({completed = 1, failed = 1}, batch.counts_by_status)
    assert.are.equal("failed", batch.items[2].status)
    assert.matches("has no uploaded bytes yet", batch.items[2].error.message)
    local single = upload("solo.png")
    local list = data("GET", "/v3/assets/statuses?asset_ids=" .. single .. ",nope&batch_ids=" .. created.batch_id)
    assert.are.equal(4, #list)
    assert.are.same({single, "completed"}, {list[1].video_id, list[1].status})
    assert.are.same({"nope", "not_found"}, {list[2].video_id, list[2].status})
    assert.are.same({created.batch_id, 0, "completed"}, {list[3].batch_id, list[3].item_index, list[3].status})
    assert.are.same({1, "failed"}, {list[4].item_index, list[4].status})
    local status, v = call("GET", "/v3/assets/statuses")
    assert.are.equal(400, status)
    assert.are.equal("asset_ids needs asset_ids or batch_ids, got \"none\"", v.error.message)
  end)

  it("checks the batch body before presigning anything; an unknown batch is a 404", function()
    local status, v = call("POST", "/v3/assets/direct-uploads/batches", {files = {
      {filename = "ok.png", content_type = "image/png", size_bytes = 10},
      {filename = "bad.exe", content_type = "application/x-msdownload", size_bytes = 10}}})
    assert.are.equal(400, status)
    assert.are.equal("files[1].content_type", v.error.param)
    status, v = call("POST", "/v3/assets/direct-uploads/batches", {files = {}})
    assert.are.equal(400, status)
    assert.are.equal("files", v.error.param)
    status, v = call("POST", "/v3/assets/complete/batches", {batch_id = "ab_nope"})
    assert.are.equal(404, status)
    assert.are.equal("Asset batch ab_nope not found", v.error.message)
    assert.are.equal(404, (call("GET", "/v3/assets/batches/ab_nope")))
  end)

  it("a batch survives a restart (--state)", function()
    local bid
    h.across_restart(function()
      bid = data("POST", "/v3/assets/direct-uploads/batches", {files = {
        {filename = "one.png", content_type = "image/png", size_bytes = #PNG}}}).batch_id
    end, function()
      assert.are.equal("processing", data("GET", "/v3/assets/batches/" .. bid).status)
      call("POST", "/v3/assets/complete/batches", {batch_id = bid})
      assert.are.equal("failed", data("GET", "/v3/assets/batches/" .. bid).status)
    end)
  end)
end)
