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
  return shell.run(argv, { cwd = src, env = NO_LUA_ENV })
end

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
        local lmod, cmod = tree .. "/share/lua/" .. t.version, tree .. "/lib/lua/" .. t.version
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
