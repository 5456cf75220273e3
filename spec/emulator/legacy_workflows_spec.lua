-- heygen.emulator over real loopback HTTP, seen the way a client sees it: the v1 workflow executions
-- (emulator/legacy/workflows.lua).
-- Moved from spec/emulator_spec.lua (issue 18); the raw client and fixtures are spec/emulator/raw.lua.
-- Runs under lua5.4 and LuaJIT; the emulator child runs under the same kind of interpreter.
local R = require "emulator.raw"
local get, post = R.get, R.post

local emu = R.use()

describe("POST /v1/workflows/executions", function()
  local function create(input, wtype)
    return post("/v1/workflows/executions", {workflow_type = wtype or "GenerateVideoNode", input = input})
  end

  it("creates an execution and runs it submitted -> processing -> completed", function()
    emu:config({time_scale = 1})
    local res = create({prompt = "A drone shot over a coastal city", provider = "kling_pro", aspect_ratio = "9:16"})
    assert.equal(200, res.status)
    local id = res.json.data.execution_id
    assert.matches("^node%-gw%-", id)
    assert.same({data = {execution_id = id, status = "submitted"}}, res.json)
    assert.equal("submitted", get("/v1/workflows/executions/" .. id).json.data.status)
    emu:advance(6)
    assert.equal("processing", get("/v1/workflows/executions/" .. id).json.data.status)
    emu:advance(60)
    local data = get("/v1/workflows/executions/" .. id).json.data
    assert.equal("completed", data.status)
    assert.matches("^http://127%.0%.0%.1:%d+/files/%x+%.mp4%?Expires=%d+&Signature=%x+$", data.output.video.video_url)
    assert.matches("^%x+$", data.output.video.video_id)
    assert.matches("^asset%-", data.output.asset_id)
  end)

  it("gives FaceswapNode a flat output", function()
    emu:config({time_scale = 1})
    local id = create({source_image_url = "https://example.com/face.jpg",
                       target_video_url = "https://example.com/clip.mp4"}, "FaceswapNode").json.data.execution_id
    emu:advance(100)
    local data = get("/v1/workflows/executions/" .. id).json.data
    assert.matches("/files/%x+%.mp4%?", data.output.video_url)
    assert.is_nil(data.output.video)
  end)

  it("answers an unknown execution with status not_found", function()
    local res = get("/v1/workflows/executions/node-gw-missing")
    assert.equal(404, res.status)
    assert.equal("not_found", res.json.data.status)
  end)

  it("rejects unknown providers, aspect ratios and missing prompts", function()
    local res = create({prompt = "x", provider = "veo9"})
    assert.equal(400, res.status)
    assert.equal("invalid_parameter", res.json.error.code)
    assert.matches("input.provider", res.json.error.message)
    assert.matches('"veo9"', res.json.error.message)
    assert.equal(400, create({prompt = "x", aspect_ratio = "4:3"}).status)
    assert.matches("input.prompt", create({}).json.error.message)
    assert.equal(400, post("/v1/workflows/executions", {workflow_type = "Nope", input = {}}).status)
  end)
end)
