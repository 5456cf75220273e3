-- A LuaRocks configuration for Debian, where lua-cjson is a package (lua-cjson) and not
-- a rock: LuaRocks is told the package provides it, so installing heygen does not warn
-- "Missing dependencies: lua-cjson" after a good install.
--   LUAROCKS_CONFIG=rockspec/debian.lua luarocks --lua-version 5.4 make --deps-mode=none \
--     rockspec/heygen-scm-1.rockspec --tree ~/.luarocks
-- luacheck: ignore 131 (a LuaRocks configuration sets globals)
rocks_provided = { ["lua-cjson"] = "2.1.0-1" }
