-- hg:upload_asset and the upload host's limits (v1)
-- (the client against the emulator: the requests it sent, what the user sees).
local env = require "api.legacy_env"
local support = require "support"

local emu, hg = env.use()

describe("hg:upload_asset", function()
  local dir
  setup(function()
    dir = support.tmpname()
    os.execute("mkdir -p " .. dir)
  end)
  teardown(function() os.execute("rm -rf " .. dir) end)

  local function file(name, bytes)
    local p = dir .. "/" .. name
    local f = assert(io.open(p, "wb"))
    f:write(bytes)
    f:close()
    return p
  end

  it("sends the raw bytes to the upload host with the MIME type of the extension", function()
    local png = "\137PNG\r\n\26\n" .. ("\0\1\2\3"):rep(1000)
    local asset = assert(hg:upload_asset(file("logo.PNG", png)))
    assert.are.equal("image", asset.file_type)
    assert.matches("^image/" .. asset.id .. "/original%.png$", asset.image_key)
    local r = emu:requests { method = "POST", path = "^/v1/asset$" }[1]
    assert.are.equal("image/png", r.headers["content-type"])
    assert.are.equal(png, r.body)
    assert.is_nil(r.body:find("Content-Disposition", 1, true))
    local back = support.tmpname(".png")
    local ok = os.execute(string.format("curl -sf -o %q %q", back, asset.url))
    assert.truthy(ok == true or ok == 0)
    assert.are.equal(png, support.read(back))
    os.remove(back)
  end)

  it("uses the given content type, and each extension's own", function()
    local cases = { { "a.jpg", "image/jpeg" }, { "b.jpeg", "image/jpeg" }, { "c.mp4", "video/mp4" },
      { "d.webm", "video/webm" }, { "e.mp3", "audio/mpeg" } }
    for _, c in ipairs(cases) do
      assert(hg:upload_asset(file(c[1], "data:" .. c[1])))
      local list = emu:requests { method = "POST", path = "^/v1/asset$" }
      assert.are.equal(c[2], list[#list].headers["content-type"])
    end
    local asset = assert(hg:upload_asset(file("voiceover.bin", "ID3...."), "audio/mpeg"))
    assert.are.equal("audio", asset.file_type)
  end)
end)

describe("the upload host's own limits", function()
  it("refuses an image over 50 MB with 413, as a client that skipped validation would see", function()
    local big = support.tmpname(".png")
    local f = assert(io.open(big, "wb"))
    f:seek("set", 50 * 1048576)
    f:write("\0")
    f:close()
    local asset, verr = hg:upload_asset(big)
    assert.is_nil(asset)
    assert.are.equal("invalid_argument", verr.kind)
    assert.are.equal(0, #emu:requests())
    local data, err = hg:request { method = "POST", base = "upload", path = "/v1/asset", envelope = "v1",
      body_file = big, content_type = "image/png" }
    os.remove(big)
    assert.is_nil(data)
    assert.are.same({ "invalid_argument", 413, "image files must be at most 50 MB, got 52428801 bytes" },
      { err.kind, err.status, err.message })
  end)
end)
