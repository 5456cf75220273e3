-- heygen.emulator over real loopback HTTP, seen the way a client sees it: job control (/_emulator/jobs, next_job:
-- emulator/control.lua).
-- Moved from spec/emulator_spec.lua (issue 18); the raw client and fixtures are spec/emulator/raw.lua.
-- Runs under lua5.4 and LuaJIT; the emulator child runs under the same kind of interpreter.
local R = require "emulator.raw"
local get, post, create_video, status_of = R.get, R.post, R.create_video, R.status_of

local emu = R.use()

describe("job control", function()
  it("keeps a stuck job processing forever", function()
    local id = create_video()
    emu:job(id, {stuck = true})
    emu:advance(100000)
    assert.equal("processing", status_of(id).status)
    emu:job(id, {complete = true})
    assert.equal("completed", status_of(id).status)
  end)

  it("fails a job now with the given code", function()
    local id = create_video()
    emu:job(id, {fail = {code = "MOVIO_PAYMENT_INSUFFICIENT_CREDIT", message = "Insufficient credit"}})
    local d = status_of(id)
    assert.equal("failed", d.status)
    assert.same({code = "MOVIO_PAYMENT_INSUFFICIENT_CREDIT", message = "Insufficient credit",
                 detail = "Insufficient credit"}, d.error)
    assert.equal(200, get("/v1/video_status.get?video_id=" .. id).status)
  end)

  it("fails with the documented numeric error by default", function()
    local id = create_video()
    emu:job(id, {fail = true})
    local e = status_of(id).error
    assert.equal(40119, e.code)
    assert.equal("Video is too long", e.message)
    assert.matches('"code":40119[,}]', get("/v1/video_status.get?video_id=" .. id).body)
  end)

  it("applies next_job to the next created job, failing at poll time", function()
    emu:config({time_scale = 1})
    emu:next_job({fail = {code = 40119, message = "Video is too long"}})
    local id = create_video()
    local other = create_video()
    assert.equal("waiting", status_of(id).status)
    emu:advance(30)
    assert.equal("processing", status_of(id).status)
    emu:advance(200)
    assert.equal("failed", status_of(id).status)
    assert.equal("completed", status_of(other).status)
  end)

  it("applies next_job to workflows too", function()
    emu:next_job({kind = "workflow", stuck = true})
    local res = post("/v1/workflows/executions", {workflow_type = "GenerateVideoNode", input = {prompt = "x"}})
    local id = res.json.data.execution_id
    emu:advance(1000)
    assert.equal("processing", get("/v1/workflows/executions/" .. id).json.data.status)
    emu:job(id, {fail = {message = "workflow internal error: Queue is closed"}})
    local d = get("/v1/workflows/executions/" .. id).json.data
    assert.equal("failed", d.status)
    assert.equal("workflow internal error: Queue is closed", d.error.message)
  end)

  it("rejects unknown ids and spec keys", function()
    assert.has_error(function() emu:job("nope", {stuck = true}) end)
    local id = create_video()
    assert.has_error(function() emu:job(id, {stcuk = true}) end)
  end)
end)
