--- Videos: create (scenes, webm, the avatar_video helper), status, list, delete, share;
-- the "video" job kind. Legacy rows: ../shared/docs/heygen-api.md 3; v3 rows:
-- ../shared/docs/heygen-v3.md 1 (answers keep the legacy field names, v3 adds, never renames).
local api = require "heygen.api"
local errors = require "heygen.errors"
local kinds = require "heygen.api.jobs"
local rules = require "heygen.api.schema.legacy"
local schema = require "heygen.api.schema.v3"
local support = require "heygen.api.support"
local util = require "heygen.util"
local validate = require "heygen.validate"
local video_body = require "heygen.api.video_body"

local M = {}

local enc, get, list_of = support.enc, support.get, support.list_of

M.PAGE = 100 -- GET /v3/videos page size when the call gives no limit (the legacy page)

------------------------------------------------------------------ results

-- The fields of video_status.get passed through to job.result as they are, all in
-- the constructor: the table is sized once, never rehashed as it fills (a poll each).
local function legacy_result(d)
  local r = { video_id = d.id or d.video_id, video_url = d.video_url, thumbnail_url = d.thumbnail_url,
    duration = d.duration, gif_url = d.gif_url, caption_url = d.caption_url,
    video_url_caption = d.video_url_caption, created_at = d.created_at, callback_id = d.callback_id }
  return r
end

--- A v3 Video resource as job.result: the legacy names, plus what v3 adds.
function M.result(d)
  return {
    video_id = d.id or d.video_id, video_url = d.video_url, thumbnail_url = d.thumbnail_url,
    duration = d.duration, gif_url = d.gif_url, created_at = d.created_at, callback_id = d.callback_id,
    caption_url = d.subtitle_url, video_url_caption = d.captioned_video_url,
    subtitle_url = d.subtitle_url, captioned_video_url = d.captioned_video_url,
    video_page_url = d.video_page_url, title = d.title, completed_at = d.completed_at,
    folder_id = d.folder_id, output_language = d.output_language,
    failure_code = d.failure_code, failure_message = d.failure_message,
  }
end

local function list_item(v)
  return util.merge(v, { video_id = v.id, type = v.output_language and "TRANSLATED" or "GENERATED" })
end

------------------------------------------------------------------ the "video" kind

local LEGACY_STATUS = { waiting = "pending", pending = "pending", processing = "processing",
  completed = "completed", failed = "failed" }

local legacy_kind = {
  status = function(job)
    return { method = "GET", path = "/v1/video_status.get", query = { video_id = job.id }, envelope = "v1" }
  end,
  parse = function(d)
    local status = LEGACY_STATUS[d.status] or "processing"
    if status == "failed" then
      local e = type(d.error) == "table" and d.error or { message = d.error }
      return status, legacy_result(d), {
        code = e.code or d.failure_code, message = e.message or d.failure_message, detail = e.detail,
      }
    end
    return status, status == "completed" and legacy_result(d) or nil
  end,
}

local V3_STATUS = { waiting = "pending", pending = "pending", queued = "pending",
  processing = "processing", completed = "completed", failed = "failed" }

--- A v3 Video's status as a job's: status, result, failure.
function M.parse(d)
  local status = V3_STATUS[d.status] or "processing"
  if status == "failed" then
    return status, M.result(d), { code = d.failure_code, message = d.failure_message }
  end
  return status, status == "completed" and M.result(d) or nil
end

kinds.by_api("video", legacy_kind, {
  status = function(job) return get("/v3/videos/" .. enc(job.id)) end,
  parse = M.parse,
  bulk = kinds.bulk_status("/v3/videos/statuses", "video_ids"),
})

------------------------------------------------------------------ hg:avatar_video: avatar and voice choice

-- "Available" per the documents: an avatar is usable once it has a preview image.
local function first_available(list)
  for _, a in ipairs(list) do
    if type(a.avatar_id) == "string" and a.preview_image_url ~= nil then return a end
  end
end

-- The avatar to use: {avatar_id=, gender=, default_voice_id=}, how it was chosen.
local function choose_avatar(client, a)
  if a.avatar_id and a.voice_id then return { avatar_id = a.avatar_id }, "given" end
  if a.avatar_id then
    local d, err = client:avatar(a.avatar_id)
    if not d then return nil, err end
    return d, "given"
  end
  local list, err = client:avatars()
  if not list then return nil, err end
  local pick = first_available(list.avatars)
  if not pick then
    return nil, errors.new { kind = "not_found", message = "no avatar available to this API key" }
  end
  return pick, "first available"
end

-- The voice to use and why: given, the avatar's default, else the first voice of
-- the avatar's gender (the documents' advice), else the first voice at all.
local function choose_voice(client, a, avatar)
  if a.voice_id then return a.voice_id, "given" end
  if avatar.default_voice_id then return avatar.default_voice_id, "the avatar's default voice" end
  local voices, err = client:voices()
  if not voices then return nil, err end
  local gender = support.lower(avatar.gender)
  for _, v in ipairs(voices) do
    if gender and support.lower(v.gender) == gender then
      return v.voice_id, "the avatar has no default voice: first " .. gender .. " voice"
    end
  end
  if voices[1] then
    return voices[1].voice_id, "the avatar has no default voice and no voice matches its gender: first voice"
  end
  return nil, errors.new { kind = "not_found", message = "no voice available to this API key" }
end

local REQUEST_FIELDS = { "dimension", "title", "test", "caption", "callback_id", "callback_url", "folder_id" }

local function avatar_video(client, a)
  local avatar, how = choose_avatar(client, a)
  if not avatar then return nil, how end
  local voice_id, why = choose_voice(client, a, avatar)
  if not voice_id then return nil, why end
  local background = a.background
  if type(background) == "string" then background = { type = "color", value = background } end
  local request = { video_inputs = { {
    character = { type = "avatar", avatar_id = avatar.avatar_id, avatar_style = a.avatar_style or "normal" },
    voice = { type = "text", voice_id = voice_id, input_text = a.script },
    background = background,
  } } }
  for _, k in ipairs(REQUEST_FIELDS) do request[k] = a[k] end
  local job, err = client:create_video(request)
  if not job then return nil, err end
  local reason = string.format("avatar %s (%s); voice %s (%s)", avatar.avatar_id, how, voice_id, why)
  job.avatar_id, job.voice_id, job.choice_reason = avatar.avatar_id, voice_id, reason
  job.choice = { avatar = how, voice = why }
  job.result = { avatar_id = avatar.avatar_id, voice_id = voice_id, choice_reason = reason }
  return job
end

------------------------------------------------------------------ hg:each_video

-- An iterator over every video, page after page. Errors are raised (a heygen.Error
-- value: catch it with pcall), so a failed page never looks like the end of the list
-- in a `for v in hg:each_video() do` loop.
local function each_video(client, opts)
  local ok, verr = validate.check(opts or {}, rules.videos_page, "")
  if not ok then error(verr, 0) end
  local page, i, token, last, seen = nil, 0, nil, false, {}
  return function()
    while true do
      if page and i < #page then
        i = i + 1
        return page[i]
      end
      if last then return nil end
      local p, err = client:videos(util.merge(opts, { token = token }))
      if not p then error(err, 0) end
      page, i, token = p.videos, 0, p.token
      last = token == nil or token == ""
      if not last and seen[token] then
        error(errors.new { kind = "protocol", message = "video.list returned page token " .. token .. " twice" }, 0)
      end
      if token then seen[token] = true end
    end
  end
end

------------------------------------------------------------------ rows

local function share_url(_, d)
  if type(d) == "string" and d ~= "" then return d end
  if type(d) == "table" and (d.url or d.share_url) then return d.url or d.share_url end
  return support.protocol("video share: the answer carried no URL")
end

local function webm_fields() return { format = "webm" } end

api.rows {
  create_video = {
    doc = { args = "req: {video_inputs: heygen.Scene[], dimension?: heygen.Dimension, title?: string, "
      .. "test?: boolean, caption?: boolean, callback_id?: string, callback_url?: string, folder_id?: string}",
      returns = "heygen.Job", text = "An avatar video from one or more scenes (v3: or a v3 body with type)" },
    legacy = { method = "POST", path = "/v2/video/generate", envelope = "v2", creates = true, body = "table",
      schema = rules.create_video, job = { kind = "video", id = "video_id" } },
    v3 = { method = "POST", path = "/v3/videos", creates = true,
      validate = function(_, a) return video_body.check(a) end,
      body = function(_, a) return video_body.body(a) end,
      job = { kind = "video", id = function(_, d) return d.video_id or d.id end } },
  },

  avatar_video = {
    doc = { args = "req: {script: string, avatar_id?: string, voice_id?: string, background?: string|table, "
      .. "dimension?: table, test?: boolean, title?: string, caption?: boolean}", returns = "heygen.Job",
      text = "One scene, the avatar and voice chosen for you when not given (job.choice_reason says why)" },
    legacy = { schema = rules.avatar_video, run = avatar_video },
  },

  create_webm = {
    doc = { args = "req: {avatar_pose_id: string, avatar_style?: string, input_text?: string, voice_id?: string, "
      .. "input_audio?: string, dimension?: table}", returns = "heygen.Job", text = "A transparent WebM video" },
    legacy = { method = "POST", path = "/v1/video.webm", envelope = "v1", creates = true, body = "table",
      schema = rules.create_webm, job = { kind = "video", id = "video_id", fields = webm_fields } },
    v3 = { method = "POST", path = "/v3/videos", creates = true, schema = rules.create_webm,
      body = function(_, a)
        local resolution, ratio = video_body.from_dimension(a.dimension)
        return { type = "avatar", avatar_id = a.avatar_pose_id, script = a.input_text, voice_id = a.voice_id,
          audio_asset_id = a.input_audio, output_format = "webm", resolution = resolution, aspect_ratio = ratio }
      end,
      job = { kind = "video", id = "video_id", fields = webm_fields } },
  },

  video_status = {
    doc = { args = "video_id: string", returns = "table", text = "One status read of a video" },
    legacy = { args = "id", http = "GET /v1/video_status.get?video_id={1}", request = function(_, vid)
      return { method = "GET", path = "/v1/video_status.get", query = { video_id = vid }, envelope = "v1" }
    end },
    v3 = { args = "id", path = "/v3/videos/{1}", result = function(_, d)
      local out = util.merge(d, { video_id = d.id, caption_url = d.subtitle_url,
        video_url_caption = d.captioned_video_url })
      if d.status == "failed" then out.error = { code = d.failure_code, message = d.failure_message } end
      return out
    end },
  },

  videos = {
    doc = { args = "req?: {limit?: integer, token?: string, folder_id?: string, title?: string}",
      returns = "heygen.VideoPage", text = "One page of your videos; pass token back for the next" },
    legacy = { args = "optional_table", schema = rules.videos_page, path = "/v1/video.list", envelope = "v1",
      query = "table", result = function(_, d)
        d = list_of(d)
        return { videos = list_of(d.videos), token = d.token ~= "" and d.token or nil }
      end },
    v3 = { args = "optional_table", schema = schema.videos_page, path = "/v3/videos",
      -- no limit (or 0) is the legacy page of up to 100, not v3's default of 10
      query = function(a)
        return { limit = a.limit ~= 0 and a.limit or M.PAGE, token = a.token, folder_id = a.folder_id, title = a.title }
      end,
      result = function(_, d, doc)
        return { videos = support.map(d or {}, list_item),
          token = type(doc) == "table" and doc.has_more and doc.next_token or nil }
      end },
  },

  each_video = {
    doc = { args = "req?: {limit?: integer, folder_id?: string}", returns = "fun(): heygen.VideoItem|nil",
      text = "An iterator over every video, page after page (a failed page raises its heygen.Error)",
      raises = true },
    legacy = { args = "optional_table", run = each_video },
  },

  delete_video = {
    doc = { args = "video_id: string, opts?: {type?: \"heygen_video\"|\"video_translate\"}", returns = "true",
      text = "Delete a video" },
    legacy = { args = "id_table", schema = rules.delete_video, result = support.yes, http = "DELETE /v1/video.delete",
      request = function(_, vid, b)
      return { method = "DELETE", path = "/v1/video.delete", envelope = "v1", empty_ok = true,
        query = { video_id = vid, type = b and b.type } }
    end },
    v3 = { args = "id_table", schema = rules.delete_video, method = "DELETE", path = "/v3/videos/{1}",
      result = support.yes },
  },

  share_video = {
    doc = { args = "video_id: string", returns = "string", text = "A public share URL of a video" },
    legacy = { args = "id", method = "POST", path = "/v1/video/share", envelope = "v1", result = share_url,
      body = function(_, vid) return { video_id = vid } end },
  },
}

return M
