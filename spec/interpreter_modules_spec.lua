-- heygen-lua's REPL, its built-in modules, libcurl loaded on first use, and the same output as
-- lua5.4 on the same input (the command line: spec/interpreter_spec.lua).
local I = require "interpreter_run"
local BIN, temp_file, run, assert_same_as_lua = I.BIN, I.temp_file, I.run, I.assert_same_as_lua

describe("heygen-lua", function()
  I.use()

  describe("-i (REPL over piped stdin)", function()
    it("prints the values of expressions and runs statements", function()
      local r = run{args = {"-i"}, stdin = "'ANSWER ' .. 6 * 7\nx = 'SET'\nprint(x .. 'PRINTED')\n"}
      assert.are.equal(0, r.code)
      assert.are.equal("", r.err)
      assert.matches("^Lua 5%.4", r.out)
      assert.matches("\nheygen %d", r.out)
      assert.is_truthy(r.out:find("ANSWER 42\n", 1, true))
      assert.is_truthy(r.out:find("SETPRINTED\n", 1, true))
      assert.is_nil(r.out:find("\nSET\n", 1, true))
    end)

    it("reads continuation lines with _PROMPT2 until a chunk is complete", function()
      local r = run{args = {"-i"},
        stdin = "_PROMPT2 = 'MO' .. 'RE> '\nt = {\n'CONT',\n}\nprint(t[1] .. 'INUED')\n"}
      assert.are.equal(0, r.code)
      assert.are.equal(2, select(2, r.out:gsub("MORE> ", "")))
      assert.is_truthy(r.out:find("CONTINUED\n", 1, true))
    end)

    it("uses _PROMPT, prints several results and '=' as return", function()
      local r = run{args = {"-i"}, stdin = "_PROMPT = 'MI' .. 'NE> '\n1, nil, 'three'\n= 2^10\n"}
      assert.are.equal(0, r.code)
      assert.is_truthy(r.out:find("1\tnil\tthree\n", 1, true))
      assert.is_truthy(r.out:find("1024.0\n", 1, true))
      assert.are.equal(3, select(2, r.out:gsub("MINE> ", "")))
    end)

    it("prints errors without the program name and goes on", function()
      local r = run{args = {"-i"}, stdin = "error('oops')\nprint('still here')\n"}
      assert.are.equal(0, r.code)
      assert.matches("^stdin:1: oops\nstack traceback:\n", r.err)
      assert.is_truthy(r.out:find("still here\n", 1, true))
    end)

    it("runs the script first, then the REPL in its globals", function()
      local script = temp_file("greeting = 'from script'")
      local r = run{args = {"-i", script}, stdin = "greeting\n"}
      assert.are.equal(0, r.code)
      assert.is_truthy(r.out:find("from script\n", 1, true))
    end)
  end)

  describe("built-in modules", function()
    local empty_paths = {LUA_PATH = "", LUA_CPATH = ""}

    it("loads heygen.core and cjson with empty LUA_PATH and LUA_CPATH", function()
      local r = run{env = empty_paths, args = {"-e", [[
        local core, cjson = require "heygen.core", require "cjson"
        print(package.path == "", package.cpath == "")
        print(core.VERSION, type(core.now()), cjson.encode({1, 2}))]]}}
      assert.are.same({out = "true\ttrue\n0.1.0\tnumber\t[1,2]\n", err = "", code = 0}, r)
    end)

    it("embeds every lua/heygen file under the module name its path gives", function()
      -- (*.meta.lua files only declare C modules for editors: not embedded)
      local p = assert(io.popen("cd lua && find heygen -name '*.lua' ! -name '*.meta.lua' | sort"))
      local expected = {}
      for path in p:lines() do
        expected[#expected + 1] = path:gsub("%.lua$", ""):gsub("/init$", ""):gsub("/", ".")
      end
      p:close()
      assert.is_true(#expected > 0)
      local r = run{env = empty_paths, args = {"-e", [[
        local names = {}
        for name in pairs(package.preload) do
          -- heygen.emulator.sample_mp4 is the sample video's bytes, not a file of lua/
          if name:match("^heygen") and name ~= "heygen.core" and name ~= "heygen.emulator.sample_mp4" then
            names[#names + 1] = name
          end
        end
        table.sort(names)
        print(table.concat(names, "\n"))]]}}
      table.sort(expected)
      assert.are.same({out = table.concat(expected, "\n") .. "\n", err = "", code = 0}, r)
    end)

    it("embeds the Lua files compiled (no source text in the binary), with their lines", function()
      local f = assert(io.open(BIN, "rb"))
      local image = f:read("a")
      f:close()
      -- a comment from scheduler.lua: gone once compiled, whereas a source blob would carry it
      local comment = assert(io.open("lua/heygen/scheduler.lua")):read("l")
      assert.matches("^%-%-", comment)
      assert.is_nil(image:find(comment, 1, true))
      -- errors and tracebacks still name the file and the line
      local line
      local n = 0
      for text in io.lines("lua/heygen/util.lua") do
        n = n + 1
        if text:find("unknown option", 1, true) then line = n break end
      end
      local r = run{args = {"-e", "require('heygen').client{bogus = 1}"}}
      assert.are.equal(1, r.code)
      assert.truthy(r.err:find("heygen.client: unknown option 'bogus'", 1, true))
      assert.truthy(r.err:find("\n\tlua/heygen/util.lua:" .. line .. ": in ", 1, true), r.err)
    end)

    it("loads embedded modules from chunks named after the source file", function()
      local r = run{env = empty_paths, args = {"-e", [[
        local embedded, sources = {}, {}
        for name in pairs(package.preload) do
          local path = "@lua/" .. name:gsub("%.", "/")
          embedded[path .. ".lua"], embedded[path .. "/init.lua"] = true, true
        end
        for name in pairs(package.preload) do
          local ok, mod = pcall(require, name)
          if ok and type(mod) == "table" and name:match("^heygen") then
            for _, v in pairs(mod) do
              if type(v) == "function" then
                local source = debug.getinfo(v, "S").source
                if source:match("^@") then sources[source] = true end
              end
            end
          end
        end
        local n = 0
        for source in pairs(sources) do
          assert(embedded[source], "not from an embedded chunk: " .. source)
          n = n + 1
        end
        print(n > 0)]]}}
      assert.are.same({out = "true\n", err = "", code = 0}, r)
    end)

    it("embeds the emulator's media as modules returning the bytes", function()
      local f = io.open("lua/heygen/emulator/sample.mp4", "rb")
      if not f then
        pending("lua/heygen/emulator/sample.mp4 is not there yet")
        return
      end
      local bytes = f:read("a")
      f:close()
      local r = run{env = empty_paths, args = {"-e",
        "io.write(#require('heygen.emulator.sample_mp4'))"}}
      assert.are.same({out = tostring(#bytes), err = "", code = 0}, r)
    end)

    it("loads Debian's luasocket C module through the exported Lua API", function()
      local r = run{args = {"-e", [[
        local socket = require "socket"
        local server = assert(socket.bind("127.0.0.1", 0))
        print(socket._VERSION:match("^LuaSocket"), type(server:getsockname()))
        server:close()]]}}
      assert.are.same({out = "LuaSocket\tstring\n", err = "", code = 0}, r)
    end)
  end)

  describe("libcurl, loaded on first use", function()
    -- prints whether libcurl is mapped into the process right now
    local MAPPED = [[
      local function mapped()
        for line in io.lines("/proc/self/maps") do
          if line:find("libcurl", 1, true) then return "libcurl" end
        end
        return "no libcurl"
      end
    ]]

    it("is not loaded by require 'heygen', a client or a job object", function()
      local r = run{args = {"-e", MAPPED .. [[
        local heygen = require "heygen"
        local hg = heygen.client{api_key = "k", base_url = "http://127.0.0.1:9"}
        local job = hg:job("video", "abc")
        heygen.step(0)
        print(mapped(), job.id)]]}}
      assert.are.same({out = "no libcurl\tabc\n", err = "", code = 0}, r)
    end)

    it("is loaded by the first transfer, which then runs as usual", function()
      -- port 9 on loopback: nothing listens, so the answer is a typed network error
      local r = run{args = {"-e", MAPPED .. [[
        local heygen = require "heygen"
        local hg = heygen.client{api_key = "k", base_url = "http://127.0.0.1:9", max_retries = 0}
        local before = mapped()
        local ok, err = hg:job("video", "abc"):refresh()
        print(before, mapped(), ok, err.kind)]]}}
      assert.are.same({out = "no libcurl\tlibcurl\tnil\tnetwork\n", err = "", code = 0}, r)
    end)

    it("names the library and the loader's reason when HEYGEN_LIBCURL cannot be loaded", function()
      local r = run{env = {HEYGEN_LIBCURL = "/nonexistent/libcurl.so.4"}, args = {"-e", [[
        local heygen = require "heygen"
        local hg = heygen.client{api_key = "k", base_url = "http://127.0.0.1:9"}
        print(pcall(function() return hg:job("video", "abc"):refresh() end))
        print(pcall(heygen.core.versions))]]}}
      local first, second = r.out:match("^([^\n]*)\n([^\n]*)\n$")
      assert.are.equal(0, r.code)
      for _, line in ipairs{first, second} do
        assert.matches("^false\t.*heygen%.core: cannot load libcurl %(/nonexistent/libcurl%.so%.4%): "
          .. "/nonexistent/libcurl%.so%.4: cannot open shared object file", line)
      end
    end)

    it("refuses a library that is not libcurl, naming the missing function", function()
      local r = run{env = {HEYGEN_LIBCURL = "libm.so.6"}, args = {"-e", [[
        print(pcall(require("heygen.core").versions))]]}}
      assert.are.same({out = "false\theygen.core: libm.so.6 is not a usable libcurl: "
        .. "it has no curl_global_init\n", err = "", code = 0}, r)
    end)

    it("loads the library HEYGEN_LIBCURL names", function()
      local r = run{env = {HEYGEN_LIBCURL = "libcurl.so.4"}, args = {"-e", MAPPED .. [[
        print(type(require("heygen.core").versions().curl), mapped())]]}}
      assert.are.same({out = "string\tlibcurl\n", err = "", code = 0}, r)
    end)
  end)

  describe("compared with lua5.4 on the same input", function()
    local cases = {
      {"-e with arg", args = {"-e", "print(arg[0], arg[1], #arg, ...)"}},
      {"stdin script", stdin = "print(arg[0], ...)", args = {"-", "a", "b"}},
      {"no script, stdin", stdin = "for i = -2, 2 do io.write(tostring(arg[i]), ' ') end print()"},
      {"-- with nothing after", stdin = "print(arg[0], arg[1])", args = {"--"}},
      {"runtime error", args = {"-e", "local t = nil; t.x = 1"}},
      {"error with level 0", args = {"-e", "error('plain', 0)"}},
      {"error(nil)", args = {"-e", "error()"}},
      {"syntax error on stdin", stdin = "x = = 1"},
      {"runtime error on stdin (lua5.4 exits 0 here)", stdin = "error('from stdin')"},
      {"os.exit(3)", args = {"-e", "io.write('bye') os.exit(3)"}},
      {"unknown option", args = {"-z"}},
      {"-l needs argument", args = {"-l"}},
      {"-e followed by an option", args = {"-e", "-i"}},
      {"-v", args = {"-v"}},
      {"-v with -e", args = {"-v", "-e", "print(1)"}},
      {"-W", args = {"-W", "-e", "warn('w1') warn('@off') warn('w2')"}},
      {"LUA_INIT", env = {LUA_INIT = "print('init')"}, args = {"-e", "print(2)"}},
      {"LUA_INIT error", env = {LUA_INIT = "x ="}, args = {"-e", "print(2)"}},
      {"-E", env = {LUA_INIT = "print('init')", LUA_PATH = "/x/?.lua"}, args = {"-E", "-e", "print(package.path)"}},
      {"GC mode", args = {"-e", "print(collectgarbage('isrunning'), collectgarbage('incremental'))"}},
      {"-i REPL", args = {"-i"}, stdin = table.concat({
        "1 + 1", "local x =", "5 print(x)", "_PROMPT = 'P: '", "_PROMPT2 = 22",
        "if true then", "print('in')", "end", "return 1, nil, 3", "= 'eq'",
        "error('e')", "print(nil .. 'x')", "1 +", "", "print = 5", "1", "",
      }, "\n")},
    }
    for _, case in ipairs(cases) do
      it("behaves alike: " .. case[1], function()
        assert_same_as_lua(case)
      end)
    end
  end)
end)
