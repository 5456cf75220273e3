--- Batches (v3, ../shared/docs/heygen-v3.md 1.6, 5.4, 6): up to 100 videos, translations or
-- lipsyncs in one create, every item checked as its single create checks it (the error
-- naming the item) before anything is sent; heygen.batch follows them.
local api = require "heygen.api"
local errors = require "heygen.errors"
local lipsyncs = require "heygen.api.lipsyncs"
local schema = require "heygen.api.schema.v3"
local support = require "heygen.api.support"
local translations = require "heygen.api.translations"
local video_body = require "heygen.api.video_body"

-- name -> the call, the list's field, what one item is, its check, its body, and how
-- many items it makes (a translation makes one per output language).
local BATCHES = {
  video = { call = "create_video_batch", list = "videos", what = "video tables",
    check = function(_, v) return video_body.check(v) end, body = video_body.body },
  translation = { call = "create_translation_batch", list = "video_translations", what = "translate_video tables",
    check = support.checker(schema.translate_video), body = translations.body,
    count = function(v) return v.output_languages and #v.output_languages or 1 end },
  lipsync = { call = "create_lipsync_batch", list = "lipsyncs", what = "lipsync tables",
    check = support.checker(schema.lipsync), body = lipsyncs.body },
}

local function check_batch(b, a)
  local function bad(message) return nil, errors.new { kind = "invalid_argument", message = message } end
  for k in pairs(a) do
    if k ~= b.list and k ~= "title" and k ~= "callback_url" then
      return bad(b.call .. ": unknown field '" .. tostring(k) .. "'")
    end
  end
  local items = a[b.list]
  if type(items) ~= "table" or #items < 1 or #items > 100 then
    return bad(string.format("%s: %s must be a list of 1 to 100 %s, got %s", b.call, b.list, b.what,
      type(items) == "table" and (#items .. " items") or tostring(items)))
  end
  for _, k in ipairs { "title", "callback_url" } do
    if a[k] ~= nil and type(a[k]) ~= "string" then
      return bad(string.format("%s: %s must be a string, got %s", b.call, k, tostring(a[k])))
    end
  end
  local total = 0
  for i, v in ipairs(items) do
    if type(v) ~= "table" then return bad(string.format("%s: %s[%d] must be a table", b.call, b.list, i)) end
    local ok, err = b.check(nil, v)
    if not ok then
      err.message = string.format("%s: %s[%d]: %s", b.call, b.list, i, err.message)
      return nil, err
    end
    total = total + (b.count and b.count(v) or 1)
  end
  if total > 100 then
    return bad(string.format("%s: %s make %d items (one per output language), more than the 100 a batch "
      .. "takes", b.call, b.list, total))
  end
  return true
end

local rows = {}
for kind, b in pairs(BATCHES) do
  rows[b.call] = {
    doc = { args = "req: {" .. b.list .. ": table[], title?: string, callback_url?: string}", returns = "heygen.Batch",
      text = "Up to 100 " .. b.what .. " in one create (one Idempotency-Key for the lot)" },
    v3 = {
      validate = function(_, a) return check_batch(b, a) end,
      method = "POST", path = require("heygen.batch").KINDS[kind].path, creates = true,
      body = function(_, a)
        local bodies = {}
        for i, v in ipairs(a[b.list]) do bodies[i] = b.body(v) end
        return { [b.list] = bodies, title = a.title, callback_url = a.callback_url }
      end,
      result = function(client, d)
        local batch_id = type(d) == "table" and d.batch_id
        if type(batch_id) ~= "string" or batch_id == "" then
          return nil, errors.new { kind = "protocol", message = b.call .. ": the answer carried no batch_id" }
        end
        local batch = require "heygen.batch"
        return batch.journal_created(batch.new(client, batch_id, kind))
      end,
    },
  }
  rows[kind .. "_batch"] = {
    doc = { args = "batch_id: string", returns = "heygen.Batch", text = "Re-attach to a " .. kind .. " batch" },
    v3 = { args = "id",
      run = function(client, batch_id) return require("heygen.batch").new(client, batch_id, kind) end },
  }
end
api.rows(rows)

return {}
