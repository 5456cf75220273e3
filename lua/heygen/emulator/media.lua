-- heygen.emulator.media: the bytes behind every download URL.
--
-- Bodies are either strings or streams {size, read(offset, length)} so large files are
-- produced chunk by chunk and never built in memory.
local samples = require "heygen.emulator.samples"

local M = {}

M.CONTENT_TYPES = {
  mp4 = "video/mp4", webm = "video/webm", jpg = "image/jpeg", jpeg = "image/jpeg",
  png = "image/png", gif = "image/gif", mp3 = "audio/mpeg", wav = "audio/wav",
  ass = "text/x-ssa; charset=utf-8", vtt = "text/vtt; charset=utf-8",
  srt = "application/x-subrip; charset=utf-8", html = "text/html; charset=utf-8",
}

M.SAMPLE_DURATION = 3.0     -- seconds, of sample.mp4

local function this_dir()
  local src = debug.getinfo(1, "S").source
  return src:sub(1, 1) == "@" and src:sub(2):match("^(.*[/\\])") or nil
end

local mp4_cache

--- sample.mp4: from the preloaded `heygen.emulator.sample_mp4` (embedded builds), else
--- found beside the modules on package.path, else beside this file.
function M.mp4()
  if mp4_cache then return mp4_cache end
  local pre = package.preload["heygen.emulator.sample_mp4"]
  if pre then
    mp4_cache = pre("heygen.emulator.sample_mp4")
    return mp4_cache
  end
  local path = package.searchpath
    and package.searchpath("heygen.emulator.sample", (package.path:gsub("%.lua", ".mp4")))
  if not path and this_dir() then path = this_dir() .. "sample.mp4" end
  local f = path and io.open(path, "rb")
  if not f then error("heygen.emulator: sample.mp4 not found on package.path", 0) end
  mp4_cache = f:read("*a")
  f:close()
  return mp4_cache
end

local function be32(n)
  return string.char(math.floor(n / 16777216) % 256, math.floor(n / 65536) % 256,
                     math.floor(n / 256) % 256, n % 256)
end

local ZEROS = string.rep("\0", 262144)

-- Reads `len` bytes at `off` from a block that repeats every `period` bytes.
local function periodic(block, period)
  local usable = #block - period + 1
  return function(off, len)
    local out = {}
    while len > 0 do
      local s = off % period
      local n = math.min(len, usable)
      out[#out + 1] = block:sub(s + 1, s + n)
      off, len = off + n, len - n
    end
    return table.concat(out)
  end
end

local zeros = periodic(ZEROS, 1)

--- sample.mp4 grown to `size` bytes with a trailing ISO-BMFF `free` box, so the file
--- stays valid and playable at any size (resume and progress tests of big downloads).
function M.padded_mp4(size)
  local mp4 = M.mp4()
  local n0 = #mp4
  local pad = size - n0
  if pad < 16 then return {size = n0, read = function(off, len) return mp4:sub(off + 1, off + len) end} end
  local header
  if pad < 4294967296 then
    header = be32(pad) .. "free"
  else   -- 64-bit largesize form
    header = be32(1) .. "free" .. be32(math.floor(pad / 4294967296)) .. be32(pad % 4294967296)
  end
  local prefix = mp4 .. header
  local np = #prefix
  return {size = size, read = function(off, len)
    if off + len <= np then return prefix:sub(off + 1, off + len) end
    if off >= np then return zeros(off - np, len) end
    return prefix:sub(off + 1) .. zeros(0, off + len - np)
  end}
end

local BYTES_BLOCK
--- N deterministic bytes, byte i = i % 251 (GET /_emulator/test/bytes).
function M.bytes(n)
  if not BYTES_BLOCK then
    local p = {}
    for i = 0, 250 do p[#p + 1] = string.char(i) end
    BYTES_BLOCK = string.rep(table.concat(p), 1046)   -- 262546 >= 256 KiB + 251
  end
  return {size = n, read = periodic(BYTES_BLOCK, 251)}
end

local function caption_lines(kind)
  local lines = {"Welcome to the heygen-lua emulator.", "This caption belongs to a generated video."}
  if kind == "ass" then
    return table.concat({
      "[Script Info]", "ScriptType: v4.00+", "PlayResX: 320", "PlayResY: 180", "",
      "[V4+ Styles]",
      "Format: Name, Fontname, Fontsize, PrimaryColour, Alignment",
      "Style: Default,Arial,16,&H00FFFFFF,2", "",
      "[Events]", "Format: Layer, Start, End, Style, Text",
      "Dialogue: 0,0:00:00.00,0:00:01.50,Default," .. lines[1],
      "Dialogue: 0,0:00:01.50,0:00:03.00,Default," .. lines[2], ""}, "\n")
  elseif kind == "vtt" then
    return "WEBVTT\n\n00:00:00.000 --> 00:00:01.500\n" .. lines[1] ..
           "\n\n00:00:01.500 --> 00:00:03.000\n" .. lines[2] .. "\n"
  end
  return "1\n00:00:00,000 --> 00:00:01,500\n" .. lines[1] ..
         "\n\n2\n00:00:01,500 --> 00:00:03,000\n" .. lines[2] .. "\n"
end

local wav_cache
--- A short silent WAV (voice previews).
function M.wav()
  if wav_cache then return wav_cache end
  local rate, n = 8000, 4000
  local function le32(v) return be32(v):reverse() end
  local function le16(v) return string.char(v % 256, math.floor(v / 256) % 256) end
  wav_cache = "RIFF" .. le32(36 + n) .. "WAVEfmt " .. le32(16) .. le16(1) .. le16(1) ..
              le32(rate) .. le32(rate) .. le16(1) .. le16(8) .. "data" .. le32(n) ..
              string.rep(string.char(128), n)
  return wav_cache
end

--- The body for a file name's extension: string or stream, and its content type.
--- `size` pads an .mp4 to that many bytes. nil for an unknown extension.
function M.body(ext, size)
  ext = ext:lower()
  local body
  if ext == "mp4" then
    if size then return M.padded_mp4(size), M.CONTENT_TYPES.mp4 end
    body = M.mp4()
  elseif ext == "webm" then body = samples.bytes("webm")
  elseif ext == "jpg" or ext == "jpeg" then body = samples.bytes("jpg")
  elseif ext == "gif" then body = samples.bytes("gif")
  elseif ext == "wav" then body = M.wav()
  elseif ext == "ass" or ext == "vtt" or ext == "srt" then body = caption_lines(ext)
  else return nil end
  return body, M.CONTENT_TYPES[ext]
end

return M
