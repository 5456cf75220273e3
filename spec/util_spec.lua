-- heygen.util: query encoding (its cache of encoded strings must never change an answer).
local util = require "heygen.util"

describe("heygen.util query encoding", function()
  it("escapes every byte outside the unreserved set, the same on every call", function()
    for _ = 1, 3 do -- the second and third calls come from the cache
      assert.are.equal("a%20b%2Fc%3Fd%26e%3Df~g.h-i_j", util.encode_component("a b/c?d&e=f~g.h-i_j"))
      assert.are.equal("%C3%A9%00%25", util.encode_component("\195\169\0%"))
    end
  end)

  it("encodes numbers and booleans by their text", function()
    assert.are.equal("42", util.encode_component(42))
    assert.are.equal("1.5", util.encode_component(1.5))
    assert.are.equal("true", util.encode_component(true))
  end)

  it("stays right past the size of its cache", function()
    for i = 1, 5000 do
      local s = "id " .. i
      assert.are.equal("id%20" .. i, util.encode_component(s))
    end
    assert.are.equal("id%201", util.encode_component("id 1"))
  end)

  it("builds sorted query strings, one parameter without a sort", function()
    assert.are.equal("video_id=v%201", util.query_string { video_id = "v 1" })
    assert.are.equal("a=1&b=x%2By&c=true", util.query_string { c = true, b = "x+y", a = 1, d = false })
    assert.are.equal("", util.query_string {})
    assert.are.equal("", util.query_string(nil))
  end)
end)
