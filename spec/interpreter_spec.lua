-- heygen-lua behaves like lua5.4, with heygen, heygen.core and cjson built in.
--
-- Run from the repository root after building:
--   cmake -S . -B build && cmake --build build -j2
--   lua5.4 /usr/bin/busted spec/interpreter_spec.lua
-- HEYGEN_LUA_BIN names another binary; LUA_BIN the reference interpreter.

-- scripts/test names the runtime in HEYGEN_TEST_LUA: when it is a heygen-lua build
-- (the ASan one, say), that is the binary under test.
local runtime = os.getenv("HEYGEN_TEST_LUA")
local BIN = os.getenv("HEYGEN_LUA_BIN")
  or (runtime and runtime:match("heygen%-lua$") and runtime)
  or "build/heygen-lua"
local LUA = os.getenv("LUA_BIN") or "lua5.4"

-- Absolute, so tests may run it from another directory.
if BIN:find("/", 1, true) and BIN:sub(1, 1) ~= "/" then
  local pwd = io.popen("pwd")
  BIN = pwd:read("l") .. "/" .. BIN
  pwd:close()
end

-- Variables the interpreters read; unset for every run unless a test sets them.
local LUA_ENV = {
  "LUA_INIT", "LUA_INIT_5_4", "LUA_PATH", "LUA_PATH_5_4", "LUA_CPATH", "LUA_CPATH_5_4",
}

local function quote(s)
  return "'" .. tostring(s):gsub("'", "'\\''") .. "'"
end

local function write_file(path, text)
  local f = assert(io.open(path, "wb"))
  f:write(text)
  f:close()
  return path
end

local function read_file(path)
  local f = assert(io.open(path, "rb"))
  local text = f:read("a")
  f:close()
  return text
end

local temps = {}

local function temp_file(text)
  local path = os.tmpname()
  temps[#temps + 1] = path
  return write_file(path, text or "")
end

local function temp_dir()
  local path = os.tmpname()
  os.remove(path)
  assert(os.execute("mkdir " .. quote(path)))
  temps[#temps + 1] = path
  return path
end

-- Runs `bin args...` with argv[0] = run.argv0 (default "heygen-lua"), stdin from
-- run.stdin, the Lua variables unset except those in run.env; in run.cwd if given.
-- Returns {out = stdout, err = stderr, code = exit status}.
local function run(spec)
  local stdin = temp_file(spec.stdin or "")
  local stderr = temp_file("")
  local cmd = {}
  if spec.cwd then cmd[#cmd + 1] = "cd " .. quote(spec.cwd) .. " &&" end
  cmd[#cmd + 1] = "env"
  for _, name in ipairs(LUA_ENV) do
    if not (spec.env and spec.env[name]) then cmd[#cmd + 1] = "-u " .. name end
  end
  for name, value in pairs(spec.env or {}) do
    cmd[#cmd + 1] = quote(name .. "=" .. value)
  end
  local bin = spec.bin or BIN
  if spec.argv0 ~= false then
    cmd[#cmd + 1] = "bash -c 'exec -a \"$0\" \"$@\"' " .. quote(spec.argv0 or "heygen-lua")
  end
  cmd[#cmd + 1] = quote(bin)
  for _, a in ipairs(spec.args or {}) do cmd[#cmd + 1] = quote(a) end
  cmd[#cmd + 1] = "<" .. quote(stdin) .. " 2>" .. quote(stderr)
  -- the status through a file: LuaJIT's popen close does not return it
  local status = temp_file("")
  cmd[#cmd + 1] = "; echo $? >" .. quote(status)
  local p = assert(io.popen(table.concat(cmd, " "), "r"))
  local out = p:read("*a")
  p:close()
  return {out = out, err = read_file(stderr), code = tonumber(read_file(status))}
end

-- The line -v adds to lua5.4's output, for comparisons.
local HEYGEN_LINE = "heygen %d+%.%d+%.%d+ %(libcurl [^\n]*\n"

local function without_heygen_line(text)
  return (text:gsub("\n" .. HEYGEN_LINE, "\n", 1))
end

-- Asserts that heygen-lua and lua5.4, both run as "lua", print and exit alike.
local function assert_same_as_lua(spec)
  local mine = run(setmetatable({argv0 = "lua"}, {__index = spec}))
  local theirs = run(setmetatable({argv0 = "lua", bin = LUA}, {__index = spec}))
  assert.are.equal(theirs.out, without_heygen_line(mine.out))
  assert.are.equal(theirs.err, mine.err)
  assert.are.equal(theirs.code, mine.code)
  return mine
end

describe("heygen-lua", function()
  setup(function()
    assert(io.open(BIN, "rb"), BIN .. " is missing: build it first (cmake --build build)")
  end)

  after_each(function()
    for i = #temps, 1, -1 do
      os.execute("rm -rf " .. quote(temps[i]))
      temps[i] = nil
    end
  end)

  describe("-v", function()
    it("prints the Lua version line, then heygen, libcurl and cjson versions", function()
      local r = run{args = {"-v"}}
      assert.are.equal(0, r.code)
      assert.are.equal("", r.err)
      local lua_line, heygen_line = r.out:match("^([^\n]*)\n([^\n]*)\n$")
      assert.matches("^Lua 5%.4%.%d+  Copyright %(C%) 1994%-20%d%d Lua%.org, PUC%-Rio$", lua_line)
      assert.matches("^heygen 0%.1%.0 %(libcurl %d+%.%d+%.%d+ %S+, cjson %d[%d.]*%)$",
        heygen_line)
    end)

    it("reports the versions heygen.core reports", function()
      local r = run{args = {"-v", "-e",
        "local v = require('heygen.core').versions() print(v.heygen, v.curl, v.ssl, v.cjson)"}}
      assert.are.equal(0, r.code)
      local heygen, curl, ssl, cjson = r.out:match("\n([^\t\n]+)\t([^\t\n]+)\t([^\t\n]+)\t([^\n]+)\n$")
      assert.is_truthy(r.out:find(("heygen %s (libcurl %s %s, cjson %s)\n")
        :format(heygen, curl, ssl, cjson), 1, true))
    end)

    it("prints the same Lua line as lua5.4", function()
      assert_same_as_lua{args = {"-v"}}
    end)
  end)

  describe("-e", function()
    it("runs each statement in order, with separate and joined arguments", function()
      local r = run{args = {"-e", "x = 1", "-ex = x + 1", "-e", "print(x)"}}
      assert.are.same({out = "2\n", err = "", code = 0}, r)
    end)

    it("needs an argument, and prints the usage with status 1 otherwise", function()
      local r = run{args = {"-e"}}
      assert.are.equal(1, r.code)
      assert.are.equal("", r.out)
      assert.matches("^heygen%-lua: '%-e' needs argument\nusage: heygen%-lua %[options%] %[script %[args%]%]\n",
        r.err)
    end)
  end)

  describe("-l", function()
    local function module_dir()
      local dir = temp_dir()
      write_file(dir .. "/mymod.lua", "return {name = 'mymod', args = {...}}")
      return {LUA_PATH = dir .. "/?.lua"}
    end

    it("requires a module into the global of the same name", function()
      local r = run{env = module_dir(), args = {"-l", "mymod", "-e", "print(mymod.name, mymod.args[1])"}}
      assert.are.same({out = "mymod\tmymod\n", err = "", code = 0}, r)
    end)

    it("requires a module into another global with g=mod", function()
      local r = run{env = module_dir(), args = {"-lm=mymod", "-e", "print(m.name, mymod)"}}
      assert.are.same({out = "mymod\tnil\n", err = "", code = 0}, r)
    end)

    it("runs in command-line order with -e", function()
      local r = run{env = module_dir(), args = {"-e", "print(mymod)", "-l", "mymod", "-e", "print(mymod.name)"}}
      assert.are.same({out = "nil\nmymod\n", err = "", code = 0}, r)
    end)

    it("fails with status 1 and the require message when the module is missing", function()
      local r = run{args = {"-l", "no_such_module_here"}}
      assert.are.equal(1, r.code)
      assert.matches("^heygen%-lua: module 'no_such_module_here' not found:", r.err)
      assert.matches("\nstack traceback:\n", r.err)
    end)
  end)

  describe("-W", function()
    it("turns warnings on", function()
      local r = run{args = {"-W", "-e", "warn('careful')"}}
      assert.are.same({out = "", err = "Lua warning: careful\n", code = 0}, r)
    end)

    it("leaves warnings off without it", function()
      local r = run{args = {"-e", "warn('careful')"}}
      assert.are.same({out = "", err = "", code = 0}, r)
    end)
  end)

  describe("arg and ...", function()
    local show = "io.write(tostring(arg[-2]), ' ', tostring(arg[-1]), ' ', arg[0], ' ',"
      .. " tostring(arg[1]), ' ', tostring(arg[2]), ' ', select('#', ...), ' ', tostring((...)), '\\n')"

    it("puts the script at 0, its arguments after, options before", function()
      local script = temp_file(show)
      local r = run{args = {"-e", "x=1", script, "a", "b"}}
      assert.are.same({out = "-e x=1 " .. script .. " a b 2 a\n", err = "", code = 0}, r)
    end)

    it("puts the interpreter at -1 when there are no options", function()
      local script = temp_file(show)
      local r = run{args = {script, "one"}}
      assert.are.same({out = "nil heygen-lua " .. script .. " one nil 1 one\n", err = "", code = 0}, r)
    end)

    it("puts the interpreter at 0 when there is no script", function()
      local r = run{args = {"-e", "print(arg[0], arg[1], arg[2], arg[-1])"}}
      assert.are.same({out = "heygen-lua\t-e\tprint(arg[0], arg[1], arg[2], arg[-1])\tnil\n",
        err = "", code = 0}, r)
    end)

    it("passes the script the global arg as it is when the script starts", function()
      local script = temp_file("print(...)")
      local r = run{args = {"-e", "arg = {'replaced'}", script, "original"}}
      assert.are.same({out = "replaced\n", err = "", code = 0}, r)
    end)
  end)

  describe("-- and -", function()
    it("stops handling options after --", function()
      local script = temp_file("print(...)")
      local r = run{args = {"--", script, "-e", "--"}}
      assert.are.same({out = "-e\t--\n", err = "", code = 0}, r)
    end)

    it("runs stdin as the script for -, with the arguments after it", function()
      local r = run{stdin = "print(arg[0], ...)", args = {"-", "x", "y"}}
      assert.are.same({out = "-\tx\ty\n", err = "", code = 0}, r)
    end)

    it("runs a file named - when - follows --", function()
      local dir = temp_dir()
      write_file(dir .. "/-", "print('the file named dash')")
      local r = run{cwd = dir, stdin = "print('stdin')", args = {"--", "-"}}
      assert.are.same({out = "the file named dash\n", err = "", code = 0}, r)
    end)

    it("runs stdin when there is no script and stdin is not a terminal", function()
      local r = run{stdin = "io.write('from stdin') print(arg[0])"}
      assert.are.same({out = "from stdinheygen-lua\n", err = "", code = 0}, r)
    end)
  end)

  describe("LUA_INIT", function()
    it("runs LUA_INIT as code before -e", function()
      local r = run{env = {LUA_INIT = "x = 'init'"}, args = {"-e", "print(x)"}}
      assert.are.same({out = "init\n", err = "", code = 0}, r)
    end)

    it("runs the file named by LUA_INIT=@file", function()
      local init = temp_file("print('init file', arg[0])")
      local r = run{env = {LUA_INIT = "@" .. init}, args = {"-e", "print('main')"}}
      assert.are.same({out = "init file\theygen-lua\nmain\n", err = "", code = 0}, r)
    end)

    it("prefers LUA_INIT_5_4 over LUA_INIT", function()
      local r = run{env = {LUA_INIT = "print('generic')", LUA_INIT_5_4 = "print('5.4')"},
        args = {"-e", ""}}
      assert.are.same({out = "5.4\n", err = "", code = 0}, r)
    end)

    it("stops with status 1 when LUA_INIT fails, naming it in the message", function()
      local r = run{env = {LUA_INIT = "error('bad init')"}, args = {"-e", "print('not reached')"}}
      assert.are.equal(1, r.code)
      assert.are.equal("", r.out)
      assert.matches("^heygen%-lua: LUA_INIT:1: bad init\nstack traceback:\n", r.err)
    end)

    it("reports a missing @file", function()
      local r = run{env = {LUA_INIT = "@/nonexistent/init.lua"}, args = {"-e", ""}}
      assert.are.same({out = "",
        err = "heygen-lua: cannot open /nonexistent/init.lua: No such file or directory\n",
        code = 1}, r)
    end)
  end)

  describe("-E", function()
    it("ignores LUA_INIT and LUA_INIT_5_4", function()
      local r = run{env = {LUA_INIT = "print('generic')", LUA_INIT_5_4 = "print('5.4')"},
        args = {"-E", "-e", "print('main')"}}
      assert.are.same({out = "main\n", err = "", code = 0}, r)
    end)

    it("makes require ignore LUA_PATH and LUA_CPATH", function()
      local env = {LUA_PATH = "/nonexistent/?.lua", LUA_CPATH = "/nonexistent/?.so"}
      local with = run{env = env, args = {"-e", "print(package.path, package.cpath)"}}
      local without = run{env = env, args = {"-E", "-e", "print(package.path, package.cpath)"}}
      assert.are.equal("/nonexistent/?.lua\t/nonexistent/?.so\n", with.out)
      assert.is_nil(without.out:find("/nonexistent", 1, true))
      assert.matches("%?%.lua.*\t.*%?%.so", without.out)
      assert.are.equal(0, without.code)
    end)
  end)

  describe("errors and exit status", function()
    it("prints 'heygen-lua: message' and a traceback, and exits with 1", function()
      local script = temp_file("local function f() error('boom') end\nf()\n")
      local r = run{args = {script}}
      assert.are.equal(1, r.code)
      assert.are.equal("", r.out)
      assert.are.equal(table.concat({
        "heygen-lua: " .. script .. ":1: boom",
        "stack traceback:",
        "\t[C]: in function 'error'",
        "\t" .. script .. ":1: in local 'f'",
        "\t" .. script .. ":2: in main chunk",
        "\t[C]: in ?",
        "",
      }, "\n"), r.err)
    end)

    it("names the program as it was invoked", function()
      local r = run{argv0 = false, args = {"-e", "error('x', 0)"}}
      assert.are.equal(1, r.code)
      assert.are.equal(BIN .. ": x\nstack traceback:\n", r.err:sub(1, #BIN + 21))
    end)

    it("describes an error object that is not a string", function()
      local r = run{args = {"-e", "error({})"}}
      assert.are.equal(1, r.code)
      assert.matches("^heygen%-lua: %(error object is a table value%)\nstack traceback:\n", r.err)
    end)

    it("prints an error object's __tostring without a traceback", function()
      local r = run{args = {"-e", "error(setmetatable({}, {__tostring = function() return 'custom' end}))"}}
      assert.are.same({out = "", err = "heygen-lua: custom\n", code = 1}, r)
    end)

    it("reports a syntax error with status 1", function()
      local r = run{args = {"-e", "x ="}}
      assert.are.same({out = "",
        err = "heygen-lua: (command line):1: unexpected symbol near <eof>\n", code = 1}, r)
    end)

    it("reports a missing script with status 1", function()
      local r = run{args = {"/nonexistent/script.lua"}}
      assert.are.same({out = "",
        err = "heygen-lua: cannot open /nonexistent/script.lua: No such file or directory\n",
        code = 1}, r)
    end)

    it("honours os.exit codes", function()
      assert.are.equal(3, run{args = {"-e", "os.exit(3)"}}.code)
      assert.are.equal(1, run{args = {"-e", "os.exit(false)"}}.code)
      assert.are.equal(0, run{args = {"-e", "os.exit(true)"}}.code)
    end)

    it("prints the usage and exits with 1 on an unknown option", function()
      local r = run{args = {"-x"}}
      assert.are.equal(1, r.code)
      assert.are.equal("", r.out)
      assert.are.equal(table.concat({
        "heygen-lua: unrecognized option '-x'",
        "usage: heygen-lua [options] [script [args]]",
        "Available options are:",
        "  -e stat   execute string 'stat'",
        "  -i        enter interactive mode after executing 'script'",
        "  -l mod    require library 'mod' into global 'mod'",
        "  -l g=mod  require library 'mod' into global 'g'",
        "  -v        show version information",
        "  -E        ignore environment variables",
        "  -W        turn warnings on",
        "  --        stop handling options",
        "  -         stop handling options and execute stdin",
        "",
      }, "\n"), r.err)
    end)

    it("rejects options with extra characters", function()
      for _, option in ipairs{"-vx", "-ix", "-Ex", "-Wx", "--x"} do
        local r = run{args = {option}}
        assert.are.equal(1, r.code)
        assert.matches("^heygen%-lua: unrecognized option '" .. option:gsub("%-", "%%-") .. "'\n", r.err)
      end
    end)

    it("raises 'interrupted!' on SIGINT during execution and exits with 1", function()
      local ready = temp_file("")
      os.remove(ready)
      local code = ("local f = io.open(%q, 'w') f:write('ready') f:close()"
        .. " local function spin() while true do end end spin()"):format(ready)
      local errors = temp_file("")
      local p = assert(io.popen(table.concat({
        quote(BIN), "-e", quote(code), "2>" .. quote(errors), "&",
        "pid=$!;",
        "while [ ! -s " .. quote(ready) .. " ]; do sleep 0.05; done;",
        "kill -INT $pid; wait $pid; echo $?",
      }, " ")))
      local status = p:read("a")
      p:close()
      assert.are.equal("1\n", status)
      assert.matches("^[^\n]*: %(command line%):1: interrupted!\nstack traceback:\n", read_file(errors))
      assert.matches("in local 'spin'", read_file(errors))
    end)
  end)

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
