-- heygen.emulator over real loopback HTTP, seen the way a client sees it: presigned downloads: bytes, Range,
-- ETag/If-Range, HEAD, expiry, padding (emulator/legacy/files.lua).
-- Moved from spec/emulator_spec.lua (issue 18); the raw client and fixtures are spec/emulator/raw.lua.
-- Runs under lua5.4 and LuaJIT; the emulator child runs under the same kind of interpreter.
local R = require "emulator.raw"
local http, get, local_path = R.http, R.get, R.local_path
local sample_mp4, has_ffprobe, ffprobe, create_video = R.sample_mp4, R.has_ffprobe, R.ffprobe, R.create_video
local status_of = R.status_of

local emu = R.use()

describe("downloads", function()
  local function video_url()
    local id = create_video()
    emu:advance(200)
    return local_path(status_of(id).video_url), id
  end

  it("serves the MP4 byte-identical to sample.mp4, and ffprobe reads it", function()
    local res = get(video_url())
    assert.equal(200, res.status)
    assert.equal("video/mp4", res.headers["content-type"])
    assert.equal("bytes", res.headers["accept-ranges"])
    local sample = sample_mp4()
    assert.is_true(#sample > 10000 and #sample < 150000)
    assert.equal(#sample, #res.body)
    assert.is_true(sample == res.body)
    if has_ffprobe() then
      local out = ffprobe(res.body, ".mp4")
      assert.matches("h264", out)
      assert.matches("aac", out)
    end
  end)

  it("serves a JPEG thumbnail and a GIF", function()
    local id = create_video()
    emu:advance(200)
    local d = status_of(id)
    assert.equal("\255\216\255", get(local_path(d.thumbnail_url)).body:sub(1, 3))
    assert.equal("GIF89a", get(local_path(d.gif_url)).body:sub(1, 6))
  end)

  it("honours Range: bytes=N- with 206 and Content-Range", function()
    local path = video_url()
    local sample = sample_mp4()
    local res = get(path, {headers = {Range = "bytes=1000-"}})
    assert.equal(206, res.status)
    assert.equal("bytes 1000-" .. (#sample - 1) .. "/" .. #sample, res.headers["content-range"])
    assert.is_true(sample:sub(1001) == res.body)
    local mid = get(path, {headers = {Range = "bytes=10-19"}})
    assert.equal(sample:sub(11, 20), mid.body)
    assert.equal(416, get(path, {headers = {Range = "bytes=" .. #sample .. "-"}}).status)
  end)

  it("gives files a strong ETag and honours If-Range: a match gets the range, else all of it", function()
    local path = video_url()
    local sample = sample_mp4()
    local etag = get(path).headers["etag"]
    assert.matches('^"%x+"$', etag)
    assert.equal(etag, get(path).headers["etag"]) -- the same file, the same tag
    local res = get(path, {headers = {Range = "bytes=1000-", ["If-Range"] = etag}})
    assert.equal(206, res.status)
    assert.is_true(sample:sub(1001) == res.body)
    res = get(path, {headers = {Range = "bytes=1000-", ["If-Range"] = '"another-file"'}})
    assert.equal(200, res.status)
    assert.is_nil(res.headers["content-range"])
    assert.is_true(sample == res.body)
  end)

  it("ignores Range, or answers it with a lying 206, on demand", function()
    local path = video_url()
    local sample = sample_mp4()
    emu:fault({path = "/files/", ignore_range = true})
    local res = get(path, {headers = {Range = "bytes=1000-"}})
    assert.equal(200, res.status)
    assert.is_true(sample == res.body)
    emu:fault({path = "/files/", lie_206 = true})
    res = get(path, {headers = {Range = "bytes=1000-"}})
    assert.equal(206, res.status)
    assert.equal("bytes 0-" .. (#sample - 1) .. "/" .. #sample, res.headers["content-range"])
    assert.is_true(sample == res.body)
    assert.equal(206, get(path, {headers = {Range = "bytes=1000-"}}).status) -- faults consumed
    assert.equal("bytes 1000-" .. (#sample - 1) .. "/" .. #sample,
      get(path, {headers = {Range = "bytes=1000-"}}).headers["content-range"])
  end)

  it("answers HEAD on a download", function()
    local res = http("HEAD", video_url())
    assert.equal(200, res.status)
    assert.equal(tostring(#sample_mp4()), res.headers["content-length"])
  end)

  it("answers 403 once Expires is past, and for a bad signature", function()
    local path = video_url()
    assert.equal(200, get(path).status)
    -- change the signature's first digit to a different one (never to itself)
    local bad = path:gsub("Signature=(%x)", function(d) return "Signature=" .. (d == "0" and "1" or "0") end)
    assert.equal(403, get(bad).status)
    assert.equal(403, get((path:gsub("Expires=(%d+)", function(e) return "Expires=" .. (e + 100) end))).status)
    -- a URL signed with no time to live: its Expires (whole seconds, rounded down) is
    -- already past when it is fetched, with a signature that holds; no sleep needed
    emu:config({url_ttl = 0})
    finally(function() emu:config({url_ttl = 7 * 86400}) end)
    local expired = video_url()
    assert.is_true(tonumber(expired:match("Expires=(%d+)")) <= os.time())
    local res = get(expired)
    assert.equal(403, res.status)
    assert.matches("expired", res.body)
    assert.is_nil(res.body:find("signature", 1, true))
  end)

  it("pads a job's MP4 to a requested size and keeps it playable", function()
    local id = create_video()
    emu:job(id, {size = 1048576, complete = true})
    local res = get(local_path(status_of(id).video_url))
    assert.equal(1048576, #res.body)
    assert.is_true(res.body:sub(1, #sample_mp4()) == sample_mp4())
    if has_ffprobe() then assert.matches("h264", ffprobe(res.body, ".mp4")) end
  end)
end)
