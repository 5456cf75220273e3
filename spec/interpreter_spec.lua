-- heygen-lua behaves like lua5.4 on its command line (options, arg, LUA_INIT, errors and exit
-- statuses), with heygen, heygen.core and cjson built in (spec/interpreter_modules_spec.lua).
local I = require "interpreter_run"
local BIN, quote, run, assert_same_as_lua = I.BIN, I.quote, I.run, I.assert_same_as_lua
local write_file, read_file, temp_file, temp_dir = I.write_file, I.read_file, I.temp_file, I.temp_dir

describe("heygen-lua", function()
  I.use()

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
end)
