-- The client under fault 9 of the reliability issue: downloads (truncated, resumed,
-- changed under a resume, in the way), with the bytes on disk a user sees.
local support = require "support"
local F = require "faults_env"

local emu = F.use()
local create, client, timed, statuses, logged, sha256 = F.create, F.client, F.timed, F.statuses, F.logged, F.sha256

describe("fault 9: downloads", function()
  local SIZE = 3 * 1024 * 1024

  local function completed_job(hg, size)
    emu:next_job { kind = "video", size = size }
    local job = assert(create(hg))
    assert(job:wait { timeout = 30 })
    return job
  end

  local function clean_copy(job, out)
    local ref = out .. ".ref"
    emu:clear_faults()
    assert(job:download(ref))
    return ref
  end

  -- A download dropped at 1 MB, with `then_fault` (if any) on the next request for the file.
  -- Checks the final file against a clean copy; returns the file requests the emulator saw.
  local function dropped_download(then_fault)
    local job = completed_job(client(), SIZE)
    emu:fault { method = "GET", path = "^/files/", drop_after = 1000000 }
    if then_fault then
      then_fault.method, then_fault.path = "GET", "^/files/"
      emu:fault(then_fault)
    end
    local out = support.tmpname(".mp4")
    assert.are.equal(out, job:download(out))
    local files = emu:requests { method = "GET", path = "^/files/.*%.mp4$" }
    local ref = clean_copy(job, out)
    assert.are.equal(SIZE, #support.read(out))
    assert.are.equal(sha256(ref), sha256(out))
    assert.are.equal(support.sample_mp4(), support.read(out):sub(1, #support.sample_mp4()))
    assert.is_nil(support.read(out .. ".part"))
    os.remove(out)
    os.remove(ref)
    return files
  end

  it("dropped midway: resumed with Range, the final file byte-identical (checksum)", function()
    local files = dropped_download()
    assert.are.same({ 200, 206 }, statuses(files))
    assert.is_nil(files[1].headers.range)
    assert.are.equal("bytes=1000000-", files[2].headers.range)
    assert.matches('^"%x+"$', files[2].headers["if-range"]) -- the file's ETag: same file or all of it
    assert.is_nil(files[1].headers["if-range"])
  end)

  it("dropped twice: resumes from each point reached", function()
    local job = completed_job(client(), SIZE)
    emu:fault { method = "GET", path = "^/files/", drop_after = 700000, times = 2 }
    local out = support.tmpname(".mp4")
    assert(job:download(out))
    local files = emu:requests { method = "GET", path = "^/files/.*%.mp4$" }
    assert.are.same({ nil, "bytes=700000-", "bytes=1400000-" },
      { files[1].headers.range, files[2].headers.range, files[3].headers.range })
    local ref = clean_copy(job, out)
    assert.are.equal(sha256(ref), sha256(out))
    os.remove(out)
    os.remove(ref)
  end)

  it("a server that ignores Range: its 200 taken as the whole file, written over the part", function()
    local files = dropped_download { ignore_range = true }
    assert.are.same({ 200, 200 }, statuses(files)) -- no third request: the 200 was the file
    assert.are.equal("bytes=1000000-", files[2].headers.range)
  end)

  it("a lying 206 (not from the byte asked for): never appended; the file fetched whole", function()
    local files = dropped_download { lie_206 = true }
    assert.are.same({ 200, 206, 200 }, statuses(files))
    assert.are.equal("bytes=1000000-", files[2].headers.range)
    assert.is_nil(files[3].headers.range) -- that server's ranges are not trusted again
  end)

  it("a server that lies on every range: a protocol error naming it, no file under the name", function()
    local job = completed_job(client(), SIZE)
    emu:fault { method = "GET", path = "^/files/", drop_after = 1000000, times = -1 }
    local out = support.tmpname(".mp4")
    -- a partial file from an earlier run, resumed with a Range the server answers falsely
    assert(job:download(out, { max_resumes = 0 }) == nil)
    assert(support.read(out .. ".part.resume"))
    emu:clear_faults()
    emu:fault { method = "GET", path = "^/files/", lie_206 = true, times = -1 }
    local path, err = job:download(out, { max_resumes = 0 })
    assert.is_nil(path)
    assert.are.equal("protocol", err.kind)
    assert.are.equal(206, err.status)
    assert.matches("a range other than the one asked for (Content-Range: bytes 0-" .. (SIZE - 1) .. "/" .. SIZE
      .. ")", err.message, 1, true)
    assert.is_nil(support.read(out))
    assert.are.same({}, support.parts(out))
  end)

  it("a part left by a failed run: the same job's resumed with If-Range; another job's never", function()
    local a = completed_job(client(), SIZE)
    local b = completed_job(client(), SIZE + 4096) -- a different file: its free box says another size
    local out = support.tmpname(".mp4")
    emu:fault { method = "GET", path = "^/files/", drop_after = 1000000 }
    local path, err = a:download(out, { max_resumes = 0 })
    assert.is_nil(path)
    assert.matches("partial data kept in " .. out .. ".part", err.message, 1, true)
    local note = require("heygen.core").json_decode(support.read(out .. ".part.resume"))
    assert.are.equal("video:" .. a.id, note.job)
    assert.matches('^"', note.validator) -- the emulator's strong ETag
    -- another job to the same path: the part is not its file, so it starts over
    local function last_seq()
      local all = emu:requests {}
      return all[#all].seq
    end
    local since = last_seq()
    assert.are.equal(out, b:download(out))
    local files = emu:requests { method = "GET", path = "^/files/.*%.mp4$", since = since }
    assert.are.equal(1, #files)
    assert.is_nil(files[1].headers.range)
    local ref = clean_copy(b, out)
    assert.are.equal(sha256(ref), sha256(out))
    assert.is_nil(support.read(out .. ".part.resume"))
    os.remove(out)
    os.remove(ref)
    -- the same job, in a later run (a fresh client, as another process would have): resumed
    emu:fault { method = "GET", path = "^/files/", drop_after = 1000000 }
    assert.is_nil((a:download(out, { max_resumes = 0 })))
    local again = client():job("video", a.id)
    since = last_seq()
    assert.are.equal(out, again:download(out))
    files = emu:requests { method = "GET", path = "^/files/.*%.mp4$", since = since }
    assert.are.equal(1, #files)
    assert.are.equal("bytes=1000000-", files[1].headers.range)
    assert.are.equal(note.validator, files[1].headers["if-range"])
    ref = clean_copy(a, out)
    assert.are.equal(sha256(ref), sha256(out))
    assert.is_nil(support.read(out .. ".part"))
    assert.is_nil(support.read(out .. ".part.resume"))
    os.remove(out)
    os.remove(ref)
  end)

  it("stalled: ended after stall_timeout without a byte, then resumed to the whole file", function()
    local job = completed_job(client())
    emu:fault { method = "GET", path = "^/files/", delay = 4 }
    local out = support.tmpname(".mp4")
    local path, _, took = timed(function() return job:download(out, { stall_timeout = 1 }) end)
    assert.are.equal(out, path)
    assert.is_true(took < 3.5, "took " .. took)
    assert.are.equal(support.sample_mp4(), support.read(out))
    assert.are.equal(2, logged("GET", "^/files/", 2))
    os.remove(out)
  end)

  it("expired URL: one status refresh for a fresh URL, then success", function()
    local job = completed_job(client())
    local polls = emu:count("GET", "^/v1/video_status.get")
    emu:fault { method = "GET", path = "^/files/", expire = true }
    local out = support.tmpname(".mp4")
    assert(job:download(out))
    assert.are.equal(support.sample_mp4(), support.read(out))
    assert.are.same({ 403, 200 }, statuses(emu:requests { method = "GET", path = "^/files/" }))
    assert.are.equal(polls + 1, emu:count("GET", "^/v1/video_status.get"))
    os.remove(out)
  end)

  it("a URL still expired after the refresh is url_expired, with no file written", function()
    local job = completed_job(client())
    local polls = emu:count("GET", "^/v1/video_status.get")
    emu:fault { method = "GET", path = "^/files/", expire = true, times = 2 }
    local out = support.tmpname(".mp4")
    local path, err = job:download(out)
    assert.is_nil(path)
    assert.are.equal("url_expired", err.kind)
    assert.are.equal(403, err.status)
    assert.are.equal(job.id, err.job_id)
    assert.are.equal(polls + 1, emu:count("GET", "^/v1/video_status.get"))
    assert.is_nil(support.read(out))
  end)

  it("an unwritable path (a file size limit, as a full disk) is io, with no file under the final name", function()
    local job = completed_job(client(), SIZE)
    local dir = support.tmpname()
    assert(os.execute("mkdir -p " .. dir))
    -- a child process under `ulimit -f` (SIGXFSZ ignored: the write fails with EFBIG)
    local out = support.lua_child(string.format([[
local heygen = require "heygen"
local hg = heygen.client { api_key = %q, base_url = %q, api = "v2" }
local path, err = hg:job("video", %q):download(%q)
print("result", tostring(path), err and err.kind, err and err.message)
]], support.API_KEY, emu.url, job.id, dir .. "/out.mp4"), "trap '' XFSZ; ulimit -f 1000;")
    assert.matches("result\tnil\tio\t", out, 1, true)
    assert.matches("File too large", out, 1, true)
    assert.is_nil(support.read(dir .. "/out.mp4"))
    assert.are.same({}, support.parts(dir .. "/out.mp4"))
    os.execute("rm -rf " .. dir)
  end)

  it("never writes through a planted .part or .part.resume symlink", function()
    local job = completed_job(client(), SIZE)
    local dir = support.tmpname()
    assert(os.execute("mkdir -p " .. dir))
    local victim = dir .. "/victim"
    local f = assert(io.open(victim, "wb"))
    f:write("precious")
    f:close()
    assert(os.execute("ln -s " .. victim .. " " .. dir .. "/out.mp4.part"))
    assert(os.execute("ln -s " .. victim .. " " .. dir .. "/out.mp4.part.resume"))
    -- a drop, so the note beside the part is written too
    emu:fault { method = "GET", path = "^/files/", drop_after = 1000000 }
    assert.are.equal(dir .. "/out.mp4", job:download(dir .. "/out.mp4"))
    assert.are.equal("precious", support.read(victim))
    assert.are.equal(SIZE, #support.read(dir .. "/out.mp4"))
    os.execute("rm -rf " .. dir)
  end)

  it("a final name that cannot be created is io, with nothing under that name", function()
    local job = completed_job(client())
    local dir = support.tmpname()
    assert(os.execute("mkdir -p " .. dir .. "/out.mp4"))  -- a directory stands in the way
    local path, err = job:download(dir .. "/out.mp4")
    assert.is_nil(path)
    assert.are.equal("io", err.kind)
    assert.is_nil(support.read(dir .. "/out.mp4/x"))
    os.execute("rm -rf " .. dir)
  end)
end)
