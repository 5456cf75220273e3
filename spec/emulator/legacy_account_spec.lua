-- heygen.emulator over real loopback HTTP, seen the way a client sees it: the v2 quota and the v1 asset upload
-- (emulator/legacy/account.lua).
-- Moved from spec/emulator_spec.lua (issue 18); the raw client and fixtures are spec/emulator/raw.lua.
-- Runs under lua5.4 and LuaJIT; the emulator child runs under the same kind of interpreter.
local R = require "emulator.raw"
local null, get, post, local_path = R.null, R.get, R.post, R.local_path
local create_video, status_of = R.create_video, R.status_of

local emu = R.use()

describe("quota and assets", function()
  it("reports remaining quota and spends it on non-test videos", function()
    local q = get("/v2/user/remaining_quota").json.data
    assert.is_number(q.remaining_quota)
    assert.equal(q.remaining_quota, q.details.api)
    create_video()
    assert.equal(q.remaining_quota - 60, get("/v2/user/remaining_quota").json.data.remaining_quota)
  end)

  it("fails a video at poll time with MOVIO_PAYMENT_INSUFFICIENT_CREDIT when the wallet is empty", function()
    emu:config({quota = 0})
    local id = create_video()
    emu:advance(200)
    local d = status_of(id)
    assert.equal("failed", d.status)
    assert.equal("MOVIO_PAYMENT_INSUFFICIENT_CREDIT", d.error.code)
  end)

  it("uploads raw bytes and answers the documented v1 shape", function()
    local png = "\137PNG\r\n\26\n" .. string.rep("\0", 100)
    local res = post("/v1/asset", png, {headers = {["Content-Type"] = "image/png"}})
    assert.equal(200, res.status)
    local j = res.json
    assert.equal(100, j.code)
    assert.equal(null, j.msg)
    assert.equal(null, j.message)
    local d = j.data
    assert.equal(d.id, d.name)
    assert.equal("image", d.file_type)
    assert.equal("", d.folder_id)
    assert.equal(null, d.meta)
    assert.is_number(d.created_ts)
    assert.equal("image/" .. d.id .. "/original.png", d.image_key)
    assert.equal(png, get(local_path(d.url)).body)
  end)

  it("rejects a Content-Type outside the documented list", function()
    local res = post("/v1/asset", "x", {headers = {["Content-Type"] = "application/pdf"}})
    assert.equal(400, res.status)
    assert.is_number(res.json.code)
    assert.equal(400, post("/v1/asset", "", {headers = {["Content-Type"] = "video/mp4"}}).status)
  end)
end)
