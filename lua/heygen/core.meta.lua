---@meta heygen.core
-- heygen.core is C (src/core.c, src/http.c, src/json.c, src/crypto.c). This file only tells
-- editors (lua-language-server: Neovim, VS Code) what it offers, so
-- `require "heygen.core"` gets completion and type checks. It is never run
-- for its definitions: every body here is empty.

---@class heygen.core
---@field VERSION string heygen's version, "X.Y.Z"
---@field json_null lightuserdata encode-only sentinel for an explicit JSON null
---@field json_array_mt table the metatable json_array sets
local core = {}

---@class heygen.core.Versions
---@field heygen string
---@field lua string "Lua 5.4.6" or "LuaJIT 2.1..."
---@field curl string libcurl's version
---@field ssl string the TLS library, or "none"
---@field http2 boolean
---@field async_dns boolean libcurl resolves names in a thread (AsynchDNS): a lookup never blocks a step
---@field ca_bundle string|nil the CA file libcurl was built with
---@field ca_path string|nil the CA directory libcurl was built with (dropped when a bundle is there: see README, Host loops)
---@field cjson string|nil lua-cjson's version

--- Versions of heygen and the libraries it runs on.
---@return heygen.core.Versions
function core.versions() end

--- Monotonic clock, in seconds (not wall time).
---@return number
function core.now() end

--- Block the whole thread for `seconds` (inside a heygen task use heygen.sleep).
---@param seconds number
function core.sleep(seconds) end

--- SHA-256 of `data` (libcrypto), as 64 lower-case hex digits.
---@param data string
---@return string
function core.sha256(data) end

--- HMAC-SHA256 of `data` keyed by `key` (libcrypto), as 64 lower-case hex digits.
---@param key string
---@param data string
---@return string
function core.hmac_sha256(key, data) end

--- Compare two strings in a time that depends only on their lengths (for signatures).
---@param a string
---@param b string
---@return boolean
function core.equal(a, b) end

--- A new Ed25519 key pair: the 32-byte seed (the private key) and the 32-byte public key.
---@return string seed
---@return string public_key
function core.ed25519_keypair() end

--- The 64-byte Ed25519 signature of `message` by the key whose 32-byte seed is given.
---@param seed string
---@param message string
---@return string signature
function core.ed25519_sign(seed, message) end

--- Whether `signature` (64 bytes) is `public_key`'s (32 bytes) over `message`.
---@param public_key string
---@param message string
---@param signature string
---@return boolean
function core.ed25519_verify(public_key, message, signature) end

--- Decode JSON: integers come back as Lua integers, null as nil.
---@param text string
---@return any|nil value
---@return string|nil message when the text is not JSON
function core.json_decode(text) end

--- Encode a Lua value as JSON; a table marked by json_array encodes as [] when empty.
---@param value any
---@return string|nil json
---@return string|nil message when the value cannot be encoded
function core.json_encode(value) end

--- Mark `t` as a JSON array (so an empty one encodes as []); returns t.
---@generic T: table
---@param t T
---@return T
function core.json_array(t) end

--- The value of each named header of a completion record (names in any case;
--- nil for one it lacks), read from its raw block without making `headers`.
---@param record heygen.core.Record|{headers: table<string, string>}
---@param ... string header names
---@return string|nil ...
function core.header(record, ...) end

---@class heygen.core.MultiOptions
---@field max_host_connections? integer connections per host (default 64)
---@field max_total_connections? integer all hosts together (0: no limit)
---@field work_bytes? integer body bytes one perform/action handles at most (default 4 MiB; the chunk that crosses it goes through)
---@field work_ms? number ms one perform/action works at most (default 3: steps stay under 4 ms), checked per socket

--- A curl multi handle: many HTTP transfers driven from one loop. libcurl's own
--- multi handle is made by the first add (in heygen-lua, libcurl is loaded then).
---@param opts? heygen.core.MultiOptions
---@return heygen.Multi
function core.multi(opts) end

--- Request headers (a map, or a list of "Name: value", as Multi:add takes them) made into
--- a curl list once, for many transfers to share as is: `m:add{url = u, headers = list}`
--- copies nothing per transfer. Raises on a bad name or value as Multi:add does.
---@param headers table<string, string>|string[]
---@return heygen.core.HeaderList
function core.header_list(headers) end

---@class heygen.core.HeaderList

---@class heygen.core.MimePart
---@field name string the form field
---@field data? string the part's bytes
---@field file? string or a file to send
---@field type? string its content type
---@field filename? string the file name the server sees

---@class heygen.core.Request
---@field method? string "GET" (default), "POST", "PUT", "DELETE", ...
---@field url string
---@field headers? table<string, string>|string[]|heygen.core.HeaderList a map, a list of "Name: value", or a core.header_list
---@field body? string the request body
---@field body_file? string or a file sent as the raw body
---@field mime? heygen.core.MimePart[] a multipart/form-data body
---@field timeout? number seconds for the whole transfer, 0: none
---@field connect_timeout? number seconds to connect, 0: none
---@field file? string stream a 2xx body into this file instead of memory
---@field resume_from? integer with file: append from this byte (a Range request); a 206 from that byte is appended, a 200 written over the file, a 206 from any other byte never written (range_mismatch)
---@field follow? boolean follow redirects (never on authenticated requests)
---@field stall_timeout? number end the transfer after this many seconds under a byte a second (0: never)
---@field cainfo? string CA bundle file
---@field capath? string CA directory
---@field accept_encoding? boolean ask for gzip/br (off when streaming to a file)
---@field details? boolean false: the record has no time, connects, bytes_sent or bytes_received (default true)
---@field max_body? integer end the transfer once its decoded body passes this many bytes (0: no cap); the record says too_large

---@class heygen.core.Timings
---@field total number seconds
---@field dns number
---@field connect number
---@field tls number
---@field ttfb number time to the first byte

---@class heygen.core.Record
---@field id integer the id add returned
---@field status integer HTTP status, 0 when no answer came
---@field code integer CURLcode, 0 on success
---@field error string|nil curl's message when code ~= 0
---@field sent boolean whether request bytes left this host
---@field headers table<string, string> lower-cased names, repeated ones joined with ", " (made from raw_headers when first read; pairs(record) lists it only after that)
---@field raw_headers string the response's header block as received (status line included)
---@field body string the body (empty when streamed to a file)
---@field file string|nil the file given to add
---@field file_bytes integer|nil bytes written to it
---@field resumed boolean|nil whether the server honoured resume_from
---@field range_mismatch boolean|nil true when a 206 did not start at resume_from (code 23, nothing written)
---@field to_file boolean|nil whether the body went to the file
---@field too_large boolean|nil true when the body passed max_body (code 63, the body read so far)
---@field max_body integer|nil the cap it passed, with too_large
---@field time heygen.core.Timings|nil absent with details = false
---@field connects integer|nil new connections this transfer opened (absent with details = false)
---@field bytes_sent integer|nil absent with details = false
---@field bytes_received integer|nil absent with details = false

---@class heygen.Multi
local Multi = {}

--- Start a transfer; it runs while perform is called. An option it does not
--- know, or one of the wrong type, is an error naming it (nothing is sent).
---@param request heygen.core.Request
---@return integer|nil id
---@return string|nil message
---@return integer|nil code CURLcode of a bad option
function Multi:add(request) end

--- Drive the transfers: wait at most `ms` for one of libcurl's sockets or its
--- timer, then act on what is ready, within one work budget (work_bytes,
--- work_ms): what is left waits for the next call and timeout() says 0.
--- Never raises for want of memory while making records: a record that cannot
--- be made is made again as a short one (`code` 27, CURLE_OUT_OF_MEMORY, the
--- answer dropped); one that still cannot waits for the next call (timeout()
--- says 0), and with no memory for even the list, perform returns nil.
---@param ms number
---@return heygen.core.Record[]|nil finished the completion records (possibly none)
function Multi:perform(ms) end

--- Bytes received so far, the total when the server said it, and the file
--- offset the body starts at (resume_from, or 0 once a server answered a
--- ranged request with the whole file).
---@param id integer
---@return integer|nil done
---@return integer|nil total
---@return integer|nil from
function Multi:progress(id) end

--- ms until the next perform or action is needed even when no socket is ready:
--- 0 when work is left or libcurl's timer is due, -1 for none.
---@return integer
function Multi:timeout() end

---@class heygen.core.Watch
---@field fd integer a socket of libcurl's
---@field events string "r", "w", "rw", or "" when it is no longer to be watched

--- The sockets a host loop watches instead of polling (recorded from libcurl's
--- CURLMOPT_SOCKETFUNCTION, never calling Lua from it). The first call, or
--- `all` true, lists every one; later calls what changed since, in order.
--- `all` false: the host stops watching (changes are no longer kept).
---@param all? boolean
---@return heygen.core.Watch[]
function Multi:fds(all) end

--- Load the CA store into this multi's CA cache now: a TLS set-up to a listening socket of
--- its own on the loopback runs until its ClientHello arrives, then is dropped (nothing leaves
--- the machine). Later HTTPS connections with the same cainfo/capath skip the bundle's parse
--- (about 20 ms for Debian's). Only while nothing is in flight.
---@param opts? {cainfo?: string, capath?: string, timeout?: number} timeout: seconds, (0, 60], default 5
---@return true|nil ok
---@return string? why "transfers are in flight", ...
function Multi:prepare_tls(opts) end

--- Act on one socket a host saw ready (events "r", "w", "rw", "e" for an
--- error), or with no fd on libcurl's timer (which is acted on too when due);
--- one work budget. Returns the records of what finished (nil, or short
--- records, for want of memory, as perform).
---@param fd? integer
---@param events? string
---@return heygen.core.Record[]|nil
function Multi:action(fd, events) end

--- Abandon a transfer in flight (no record is produced for it).
---@param id integer
---@return boolean cancelled
function Multi:cancel(id) end

--- Transfers in flight.
---@return integer
function Multi:running() end

--- Close the handle and every transfer; idempotent (also __gc, __close).
function Multi:close() end

return core
