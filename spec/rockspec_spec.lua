-- rockspec/heygen-scm-1.rockspec: `luarocks make --deps-mode=none` into a fresh
-- tree (offline, Debian's luarocks and lua-cjson), then `require "heygen"` from
-- plain lua5.4 and luajit with only that tree added runs a job against the
-- emulator the rock itself ships.
local support = require "support"
local shell = require "shell"

local ROOT = os.getenv("PWD")
local ROCKSPEC = "rockspec/heygen-scm-1.rockspec"

-- The Luas the rock is built for: luarocks' --lua-version, the interpreter,
-- and extra variables (LuaJIT: its headers instead of PUC Lua 5.1's).
local TARGETS = {
  { name = "Lua 5.4", version = "5.4", lua = "lua5.4", vars = {} },
  { name = "LuaJIT", version = "5.1", lua = "luajit", vars = { "LUA_INCDIR=/usr/include/luajit-2.1" } },
}

-- what a user's program does with the installed rock
local PROGRAM = [[
local heygen = require "heygen"
print("heygen " .. heygen.VERSION .. " from " .. package.searchpath("heygen", package.path))
print("core from " .. package.searchpath("heygen.core", package.cpath))
local emu = require("heygen.emulator").spawn { time_scale = 300, lua = "lua5.4" }
local hg = heygen.client { api_key = "rock-key", api = "v2", base_url = emu.url, poll = { initial = 0.05, max = 0.2 } }
local job = assert(hg:generate_video { prompt = "installed from a rock" })
assert(job:wait { timeout = 30 })
print("downloaded " .. assert(job:download(arg[1])))
print("requests " .. #emu:requests { method = "POST", path = "^/v1/workflows/executions$" })
emu:stop()
]]

local NO_LUA_ENV = { LUA_PATH = false, LUA_CPATH = false, LUA_INIT = false, LUA_INIT_5_4 = false,
  LUA_PATH_5_4 = false, LUA_CPATH_5_4 = false }

local work, src, tree
setup(function()
  work = support.tmpname()
  src, tree = work .. "/src", work .. "/tree"
  -- the checkout as a user clones it: tracked files and new ones not ignored, no build dirs
  local copy = "mkdir -p %s && git ls-files -co --exclude-standard -z | xargs -0 cp --parents -t %s"
  local r = shell.run(copy:format(shell.quote(src), shell.quote(src)), { cwd = ROOT })
  assert(r.code == 0, shell.describe(r))
end)
teardown(function() if work then os.execute("rm -rf " .. shell.quote(work)) end end)

local function luarocks_make(t)
  local argv = { "luarocks", "--lua-version", t.version, "--tree", tree, "make", "--deps-mode=none", ROCKSPEC }
  for _, v in ipairs(t.vars) do argv[#argv + 1] = v end
  local r = shell.run({ "rm", "-rf", "build.luarocks" }, { cwd = src })
  assert(r.code == 0)
  local env = { LUAROCKS_CONFIG = "rockspec/debian.lua" } -- as the README says for Debian's lua-cjson
  for k, v in pairs(NO_LUA_ENV) do env[k] = v end
  return shell.run(argv, { cwd = src, env = env })
end

describe("builds that cannot work say so", function()
  it("PUC Lua 5.1 headers stop the build with what to do, not a missing luajit.h", function()
    local inc = work .. "/puc51"
    assert(os.execute("mkdir -p " .. shell.quote(inc)))
    support.write_file(inc .. "/lua.h", "#define LUA_VERSION_NUM 501\ntypedef struct lua_State lua_State;\n")
    support.write_file(inc .. "/lauxlib.h", "\n")
    local r = shell.run({ "cc", "-fsyntax-only", "-I" .. inc, "-x", "c", ROOT .. "/src/compat.h" })
    assert.are_not.equal(0, r.code)
    assert.matches("builds for Lua 5.4 or LuaJIT 2.1, not PUC Lua 5.1", r.err)
    assert.is_nil(r.err:find("luajit.h: No such file", 1, true), r.err)
  end)
end)

describe("cmake --install", function()
  it("installs the modules, the heygen-emulator command, and the annotations outside package.path", function()
    local prefix = work .. "/prefix"
    local r = shell.run({ "cmake", "--install", ROOT .. "/build", "--prefix", prefix })
    assert.are.equal(0, r.code, shell.describe(r))
    assert(io.open(prefix .. "/bin/heygen-emulator"), "no bin/heygen-emulator")
    assert(io.open(prefix .. "/share/heygen/meta/client.meta.lua"), "no annotations")
    local lmod = prefix .. "/share/lua/5.4"
    assert(io.open(lmod .. "/heygen/init.lua"))
    assert.is_nil(io.open(lmod .. "/heygen/client.meta.lua"), "annotations installed as a module")
  end)
end)

describe("the rockspec", function()
  it("builds with cmake, needs libcurl, libcrypto and lua-cjson, and puts no upper bound on Lua", function()
    local spec = {}
    local chunk = assert(loadfile(ROOT .. "/" .. ROCKSPEC, "t", spec))
    if setfenv then setfenv(chunk, spec) end
    chunk()
    assert.are.equal("heygen", spec.package)
    assert.are.equal("scm-1", spec.version)
    assert.are.equal("cmake", spec.build.type)
    assert.are.same({ library = "curl" }, spec.external_dependencies.CURL)
    assert.are.same({ library = "crypto" }, spec.external_dependencies.OPENSSL)
    assert.are.same({ "lua >= 5.1", "lua-cjson" }, spec.dependencies)
    assert.are.equal("$(LUADIR)", spec.build.variables.HEYGEN_INSTALL_LMOD)
    assert.are.equal("$(LIBDIR)", spec.build.variables.HEYGEN_INSTALL_CMOD)
  end)

  for _, t in ipairs(TARGETS) do
    it("installs into a fresh tree for " .. t.name .. ", and plain " .. t.lua .. " runs an emulator job with it",
      function()
        local r = luarocks_make(t)
        assert.are.equal(0, r.code, shell.describe(r))
        assert.matches("heygen scm%-1 is now installed in " .. tree:gsub("%p", "%%%0"), r.out)
        assert.is_nil((r.out .. r.err):find("Missing dependencies", 1, true), r.out .. r.err)
        local lmod, cmod = tree .. "/share/lua/" .. t.version, tree .. "/lib/lua/" .. t.version
        assert.is_nil(io.open(lmod .. "/heygen/client.meta.lua"), "annotations installed as a module")
        local emu = shell.run("timeout 5 " .. shell.quote(tree .. "/bin/heygen-emulator") .. " --port 0 | head -1",
          { env = { LUA_PATH = lmod .. "/?.lua;" .. lmod .. "/?/init.lua;;", LUA_INIT = false } })
        assert.matches("^heygen%-emulator listening on http://127%.0%.0%.1:%d+", emu.out, nil, shell.describe(emu))
        for _, f in ipairs { cmod .. "/heygen/core.so", lmod .. "/heygen/init.lua", lmod .. "/heygen/uv.lua",
          lmod .. "/heygen/emulator/init.lua", lmod .. "/heygen/emulator/sample.mp4" } do
          assert(io.open(f), f .. " was not installed")
        end

        local program = work .. "/program.lua"
        local f = assert(io.open(program, "w"))
        f:write(PROGRAM)
        f:close()
        local out = work .. "/from-rock-" .. t.version .. ".mp4"
        local env = { LUA_PATH = lmod .. "/?.lua;" .. lmod .. "/?/init.lua;;", LUA_CPATH = cmod .. "/?.so;;",
          LUA_INIT = false, LUA_INIT_5_4 = false, LUA_PATH_5_4 = false, LUA_CPATH_5_4 = false }
        r = shell.run({ t.lua, program, out }, { env = env, cwd = work })
        assert.are.equal(0, r.code, shell.describe(r))
        assert.matches("heygen %d+%.%d+%.%d+ from " .. lmod:gsub("%p", "%%%0") .. "/heygen/init%.lua", r.out)
        assert.matches("core from " .. cmod:gsub("%p", "%%%0") .. "/heygen/core%.so", r.out)
        assert.matches("downloaded " .. out:gsub("%p", "%%%0"), r.out)
        assert.matches("requests 1\n", r.out)
        assert.are.equal(support.sample_mp4(), support.read(out))
      end)
  end
end)
