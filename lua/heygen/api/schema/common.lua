--- The validation rules shared by the v3 schemas (heygen.validate rules as data).
local validate = require "heygen.validate"

local M = {}

M.enum = validate.enum
M.fail = validate.fail
M.str = { type = "string" }
M.id = { type = "string", min_len = 1 }
M.url = { type = "string", url = true }
M.bool = { type = "boolean" }

function M.number(lo, hi) return { type = "number", min = lo, max = hi } end

--- A required non-empty string.
M.required_id = { type = "string", required = true, min_len = 1 }

--- An AssetInput table (url, asset_id, or base64 unless no_base64).
function M.asset_input(required, no_base64)
  local variants = { key = "type",
    url = { fields = { type = M.str, url = { type = "string", required = true, url = true } } },
    asset_id = { fields = { type = M.str, asset_id = { type = "string", required = true, min_len = 1 } } },
  }
  if not no_base64 then
    variants.base64 = { fields = { type = M.str, data = { type = "string", required = true, min_len = 1 },
      media_type = { type = "string", required = true, pattern = "^%w+/[%w%.%+%-]+$",
        pattern_text = 'a MIME type like "image/png"' } } }
  end
  return { type = "table", required = required, variants = variants }
end

--- An asset argument of a Lua call: an AssetInput table, or a URL string for short.
function M.asset_arg(required, no_base64)
  return { required = required, by_type = { string = M.url, table = M.asset_input(false, no_base64) } }
end

--- A list page's parameters (limit 1..max, token).
function M.page(max, extra)
  local fields = { limit = { type = "integer", min = 1, max = max }, token = M.id }
  for k, v in pairs(extra or {}) do fields[k] = v end
  return { type = "table", closed = true, fields = fields }
end

return M
