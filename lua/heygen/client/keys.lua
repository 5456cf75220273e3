--- Where a client's keys may go, and the header lines that carry them: credentials
-- over https, or over plain http to loopback only (and not through an environment
-- proxy); the header lines of the plain authenticated GETs (status polls) made once
-- per client and key. Part of heygen.client.
local core = require "heygen.core"

local M = {}

--- The first of the environment variables named that is set and not empty.
local function env(...)
  for i = 1, select("#", ...) do
    local v = os.getenv((select(i, ...)))
    if v and v ~= "" then return v end
  end
end
M.env = env

-- The host a URL really names: userinfo ("user@") dropped, IPv6 brackets removed.
local function url_host(url)
  local authority = url:match("^%a[%w+.-]*://([^/?#]*)") or ""
  authority = authority:match("^.*@(.*)$") or authority
  return authority:match("^%[([^%]]*)%]") or authority:match("^[^:]*")
end

local function is_loopback(url)
  local host = url_host(url):lower()
  return host == "localhost" or host == "::1" or host:match("^127%.%d+%.%d+%.%d+$") ~= nil
end

-- Credentials go over https, or over plain http to loopback only. The answer
-- for a configured root is kept: every status poll asks it again.
local sendable_roots = {}

-- libcurl sends a plain-http request through the proxy its environment names
-- (http_proxy, all_proxy) unless no_proxy covers the host: then a loopback URL is not a
-- loopback connection, and heygen.core has no option to turn the proxy off. The proxy
-- that applies to `url`, or nil.
local function env_proxy(url)
  local proxy = env("http_proxy", "all_proxy", "ALL_PROXY")
  if not proxy then return nil end
  local host = url_host(url):lower()
  local no = (env("no_proxy", "NO_PROXY") or ""):lower()
  for item in no:gmatch("[^,%s]+") do
    if item == "*" then return nil end
    item = item:gsub("^%.", ""):gsub(":%d+$", ""):gsub("^%[(.*)%]$", "%1")
    if host == item or host:sub(-#item - 1) == "." .. item then return nil end
  end
  return proxy
end

-- true, or false and why not.
local function may_send_key(url, root)
  local ok = root and sendable_roots[root]
  if ok == nil then
    if url:sub(1, 8) == "https://" then
      ok = true
    elseif not is_loopback(url) then
      ok = "refusing to send credentials over plain http to a non-loopback host: " .. url:gsub("%?.*", "")
    elseif env_proxy(url) then
      ok = "refusing to send credentials over plain http through a proxy (http_proxy or all_proxy is set "
        .. "and no_proxy does not name " .. url_host(url) .. "): the key would cross the network in clear; "
        .. "add the host to no_proxy or use https: " .. url:gsub("%?.*", "")
    else
      ok = true
    end
    if root then sendable_roots[root] = ok end
  end
  return ok
end

-- The header lines of a plain authenticated GET (the status polls), made once
-- per client, gateway, key and User-Agent into a core.header_list, which every
-- poll's transfer shares (no list built per request). They hold a key, so they
-- live beside SECRETS, never on the client object.
local PLAIN_HEADERS = setmetatable({}, { __mode = "k" })
local function plain_headers(self, gateway, key)
  local cache = PLAIN_HEADERS[self]
  if not cache then
    cache = {}
    PLAIN_HEADERS[self] = cache
  end
  local h = cache[gateway]
  if not h or h.key ~= key or h.ua ~= self.user_agent then
    local auth = gateway == "fal" and ("Authorization: Key " .. key) or ("X-Api-Key: " .. key)
    h = { lines = core.header_list { "Accept: application/json", "User-Agent: " .. self.user_agent, auth },
      key = key, ua = self.user_agent }
    cache[gateway] = h
  end
  return h.lines
end

M.may_send_key = may_send_key
M.plain_headers = plain_headers
return M
