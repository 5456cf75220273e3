-- heygen.core digests and signatures (src/crypto.c): published test vectors, and the
-- openssl command line as an independent second opinion.
local core = require "heygen.core"
local support = require "support"

local function unhex(h) return (h:gsub("%x%x", function(x) return string.char(tonumber(x, 16)) end)) end
local function hex(s) return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end

local function openssl(args, input)
  local path = support.tmpname(".in")
  local f = assert(io.open(path, "wb"))
  f:write(input)
  f:close()
  local p = assert(io.popen("openssl " .. args .. " < " .. path .. " 2>&1"))
  local out = p:read("a")
  p:close()
  os.remove(path)
  return out
end

describe("core.sha256", function()
  it("matches FIPS 180-2's examples", function()
    assert.equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", core.sha256("abc"))
    assert.equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", core.sha256(""))
    assert.equal("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
      core.sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))
  end)

  it("hashes every byte, NULs included, as openssl does", function()
    local data = "a\0b\0" .. string.rep("\255\1", 5000)
    assert.equal(openssl("dgst -sha256 -r", data):match("^(%x+)"), core.sha256(data))
  end)

  it("refuses what is not a string", function()
    assert.has_error(function() core.sha256({}) end)
  end)
end)

describe("core.hmac_sha256", function()
  it("matches RFC 4231's test cases 1, 2 and 6", function()
    assert.equal("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
      core.hmac_sha256(string.rep("\11", 20), "Hi There"))
    assert.equal("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
      core.hmac_sha256("Jefe", "what do ya want for nothing?"))
    -- a key longer than the block size is hashed first
    assert.equal("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
      core.hmac_sha256(string.rep("\170", 131), "Test Using Larger Than Block-Size Key - Hash Key First"))
  end)

  it("agrees with openssl for a webhook-shaped secret and body", function()
    local secret = "whsec_k7x9m2Q8rT"
    local body = '{"event_type":"avatar_video.success","event_data":{"video_id":"v_1"}}'
    assert.equal(openssl("dgst -sha256 -r -hmac " .. secret, body):match("^(%x+)"), core.hmac_sha256(secret, body))
  end)
end)

describe("core.equal", function()
  it("compares whole strings, lengths included", function()
    assert.is_true(core.equal("abc", "abc"))
    assert.is_true(core.equal("", ""))
    assert.is_false(core.equal("abc", "abd"))
    assert.is_false(core.equal("abc", "abcd"))
    assert.is_false(core.equal("a\0b", "a\0c"))
  end)
end)

describe("core.ed25519", function()
  -- RFC 8032 section 7.1, tests 1 and 2
  local vectors = {
    { sk = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
      pk = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", msg = "",
      sig = "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
        .. "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b" },
    { sk = "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
      pk = "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", msg = "\114",
      sig = "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
        .. "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00" },
  }

  it("signs and verifies RFC 8032's test vectors", function()
    for _, v in ipairs(vectors) do
      assert.equal(v.sig, hex(core.ed25519_sign(unhex(v.sk), v.msg)))
      assert.is_true(core.ed25519_verify(unhex(v.pk), v.msg, unhex(v.sig)))
    end
  end)

  it("rejects a changed message, a changed signature and another key", function()
    local v = vectors[2]
    local sig = unhex(v.sig)
    assert.is_false(core.ed25519_verify(unhex(v.pk), "\115", sig))
    assert.is_false(core.ed25519_verify(unhex(v.pk), v.msg, string.char((sig:byte(1) + 1) % 256) .. sig:sub(2)))
    assert.is_false(core.ed25519_verify(unhex(vectors[1].pk), v.msg, sig))
    -- 32 bytes that are no curve point: false, not an error
    assert.is_false(core.ed25519_verify(string.rep("\255", 32), v.msg, sig))
  end)

  it("makes fresh key pairs whose signatures verify", function()
    local seed, pub = core.ed25519_keypair()
    local seed2 = core.ed25519_keypair()
    assert.equal(32, #seed)
    assert.equal(32, #pub)
    assert.are_not.equal(seed, seed2)
    local sig = core.ed25519_sign(seed, "request\nuser\n1700000000\n" .. core.sha256("{}"))
    assert.equal(64, #sig)
    assert.is_true(core.ed25519_verify(pub, "request\nuser\n1700000000\n" .. core.sha256("{}"), sig))
  end)

  it("names the argument of the wrong size", function()
    local ok, err = pcall(core.ed25519_sign, "short", "m")
    assert.is_false(ok)
    assert.matches("the seed must be 32 bytes %(got 5%)", err)
    ok, err = pcall(core.ed25519_verify, string.rep("k", 32), "m", "sig")
    assert.is_false(ok)
    assert.matches("the signature must be 64 bytes %(got 3%)", err)
    ok, err = pcall(core.ed25519_verify, "k", "m", string.rep("s", 64))
    assert.is_false(ok)
    assert.matches("the public key must be 32 bytes %(got 1%)", err)
  end)
end)
