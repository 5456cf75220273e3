--- HeyGen v1/v2 endpoints (the product documents' API), as data.
-- Shapes: ../shared/docs/heygen-api.md section 3; validation rules: heygen.api.rules.
--
-- Every call validates its arguments before any request (nil, err with
-- err.kind == "invalid_argument" naming the field, the rule and the value),
-- then answers with the shapes below. The v3 group returns the same shapes.
--
---@class heygen.Avatar                 -- hg:avatars().avatars[i], and hg:avatar(id)
---@field avatar_id string
---@field avatar_name string
---@field gender string|nil             -- "female" | "male" (compare case-insensitively)
---@field preview_image_url string|nil  -- nil while the avatar is not usable yet
---@field preview_video_url string|nil
---@field premium boolean|nil
---@field tags string[]|nil
---@field default_voice_id string|nil   -- may be missing: hg:avatar_video then picks a voice
---
---@class heygen.AvatarDetails: heygen.Avatar  -- hg:avatar(id): also the documented id/name/type/is_public
---@field id string
---@field name string
---@field is_public boolean|nil
---
---@class heygen.TalkingPhoto
---@field talking_photo_id string
---@field talking_photo_name string
---@field preview_image_url string|nil
---
---@class heygen.AvatarList             -- hg:avatars()
---@field avatars heygen.Avatar[]
---@field talking_photos heygen.TalkingPhoto[]
---
---@class heygen.Voice                  -- hg:voices{...}[i]
---@field voice_id string
---@field name string
---@field language string               -- a display name: "English"
---@field gender string                 -- "Female" or "female": compare case-insensitively
---@field preview_audio string|nil
---@field support_pause boolean|nil
---@field emotion_support boolean|nil
---
---@class heygen.Template               -- hg:templates()[i]
---@field template_id string
---@field name string
---@field thumbnail_image_url string|nil
---@field aspect_ratio string|nil       -- "landscape" | "portrait" | ...
---
---@class heygen.TemplateDetails        -- hg:template(id)
---@field template_id string
---@field version string|nil
---@field variables table<string, {name: string, type: string, properties: table}>
---@field scenes table[]|nil
---
---@class heygen.VideoItem              -- hg:videos().videos[i], hg:each_video()
---@field video_id string
---@field status string                 -- "completed" | "processing" | "failed" | "draft" | ...
---@field created_at integer|nil
---@field type string|nil               -- "GENERATED" | "TRANSLATED"
---
---@class heygen.VideoPage              -- hg:videos{limit=, token=}
---@field videos heygen.VideoItem[]
---@field token string|nil              -- pass it back for the next page; nil on the last
---
---@class heygen.Quota                  -- hg:remaining_quota()
---@field remaining_quota number|nil    -- seconds of video; nil when balance_known is false
---@field credits number|nil            -- remaining_quota / 60
---@field balance_known boolean         -- false: the API (v3 users/me) answered no balance
---@field billing_type string|nil       -- v3: "wallet" | "subscription" | "usage_based" | nil
---@field details table<string, number>
---
---@class heygen.Asset                  -- hg:upload_asset(path)
---@field id string
---@field url string
---@field file_type string              -- "image" | "video" | "audio"
---@field image_key string|nil          -- images only: "image/<id>/original.jpg"
---
-- luacheck: push no max line length
---@class heygen.Client                -- the calls this file installs (nil, heygen.Error on failure)
---@field generate_video fun(self: heygen.Client, args: {prompt: string, provider?: string, aspect_ratio?: string, reference_image_url?: string, tail_image_url?: string, config?: table}): heygen.Job|nil, heygen.Error|nil
---@field create_video fun(self: heygen.Client, args: {video_inputs: table[], dimension?: {width: integer, height: integer}, title?: string, test?: boolean, caption?: boolean, callback_id?: string, callback_url?: string, folder_id?: string}): heygen.Job|nil, heygen.Error|nil
---@field avatar_video fun(self: heygen.Client, args: {script: string, avatar_id?: string, voice_id?: string, background?: string|table, dimension?: table, test?: boolean, title?: string, caption?: boolean}): heygen.Job|nil, heygen.Error|nil
---@field create_webm fun(self: heygen.Client, args: {avatar_pose_id: string, avatar_style?: string, input_text?: string, voice_id?: string, input_audio?: string, dimension?: table}): heygen.Job|nil, heygen.Error|nil
---@field video_status fun(self: heygen.Client, video_id: string): table|nil, heygen.Error|nil
---@field avatars fun(self: heygen.Client): heygen.AvatarList|nil, heygen.Error|nil
---@field avatar fun(self: heygen.Client, avatar_id: string): heygen.AvatarDetails|nil, heygen.Error|nil
---@field voices fun(self: heygen.Client, filter?: {language?: string, gender?: string}): heygen.Voice[]|nil, heygen.Error|nil
---@field templates fun(self: heygen.Client): heygen.Template[]|nil, heygen.Error|nil
---@field template fun(self: heygen.Client, template_id: string): heygen.TemplateDetails|nil, heygen.Error|nil
---@field generate_from_template fun(self: heygen.Client, template_id: string, args?: {variables?: table<string, string|table>, title?: string, caption?: boolean, test?: boolean, dimension?: table}): heygen.Job|nil, heygen.Error|nil
---@field translate_video fun(self: heygen.Client, args: {video_url: string, output_language: string, title?: string}): heygen.Job|nil, heygen.Error|nil
---@field translate_languages fun(self: heygen.Client): string[]|nil, heygen.Error|nil
---@field videos fun(self: heygen.Client, args?: {limit?: integer, token?: string, folder_id?: string}): heygen.VideoPage|nil, heygen.Error|nil
---@field each_video fun(self: heygen.Client, args?: {limit?: integer, folder_id?: string}): fun(): heygen.VideoItem|nil  -- raises heygen.Error
---@field delete_video fun(self: heygen.Client, video_id: string, args?: {type?: "heygen_video"|"video_translate"}): true|nil, heygen.Error|nil
---@field share_video fun(self: heygen.Client, video_id: string): string|nil, heygen.Error|nil
---@field remaining_quota fun(self: heygen.Client): heygen.Quota|nil, heygen.Error|nil
---@field upload_asset fun(self: heygen.Client, path: string, content_type?: string): heygen.Asset|nil, heygen.Error|nil
-- luacheck: pop
--
-- Job results (job:wait() / job.result): kind "workflow": video_url, video_id,
-- asset_id, execution_id; kind "video": video_id, video_url, thumbnail_url,
-- duration, gif_url, caption_url, video_url_caption, created_at, callback_id;
-- kind "translate": video_url (= url), url, title, video_translate_id,
-- output_language. hg:avatar_video adds avatar_id, voice_id, choice_reason.
local api = require "heygen.api"
local jobs = require "heygen.job"
local errors = require "heygen.errors"
local util = require "heygen.util"
local validate = require "heygen.validate"
local rules = require "heygen.api.rules"

local M = {}

local function checker(schema)
  return function(a) return validate.check(a, schema, "") end
end

-- For calls taking (id, {options}): check the options table (absent = {}).
local function option_checker(schema)
  return function(_, b) return validate.check(b or {}, schema, "") end
end

local function protocol(message)
  return nil, errors.new { kind = "protocol", message = message }
end

local function path_id(id) return util.encode_component(id) end

local function list_of(value) return type(value) == "table" and value or {} end

------------------------------------------------------------------ job kinds

local WORKFLOW_STATUS = { submitted = "pending", pending = "pending", queued = "pending",
  processing = "processing", running = "processing", in_progress = "processing",
  completed = "completed", failed = "failed", not_found = "failed" }

jobs.register_kind("workflow", {
  status = function(job)
    return { method = "GET", path = "/v1/workflows/executions/" .. path_id(job.id), envelope = "v3" }
  end,
  parse = function(d)
    local status = WORKFLOW_STATUS[d.status] or "processing"
    if status == "completed" then
      local out = d.output or {}
      local video = out.video or out
      return status, { video_url = video.video_url, video_id = video.video_id, asset_id = out.asset_id,
        execution_id = d.execution_id }
    elseif status == "failed" then
      local e = d.error or {}
      return status, nil, { code = e.code or (d.status == "not_found" and "not_found" or nil),
        message = e.message or (d.status == "not_found" and "Workflow not found" or nil) }
    end
    return status
  end,
})

local VIDEO_STATUS = { waiting = "pending", pending = "pending", processing = "processing",
  completed = "completed", failed = "failed" }

-- The fields of video_status.get passed through to job.result as they are, all in
-- the constructor: the table is sized once, never rehashed as it fills (a poll each).
local function video_result(d)
  local r = { video_id = d.id or d.video_id, video_url = d.video_url, thumbnail_url = d.thumbnail_url,
    duration = d.duration, gif_url = d.gif_url, caption_url = d.caption_url,
    video_url_caption = d.video_url_caption, created_at = d.created_at, callback_id = d.callback_id }
  return r
end

jobs.register_kind("video", {
  status = function(job)
    return { method = "GET", path = "/v1/video_status.get", query = { video_id = job.id }, envelope = "v1" }
  end,
  parse = function(d)
    local status = VIDEO_STATUS[d.status] or "processing"
    if status == "failed" then
      local e = type(d.error) == "table" and d.error or { message = d.error }
      return status, video_result(d), {
        code = e.code or d.failure_code, message = e.message or d.failure_message, detail = e.detail,
      }
    end
    return status, status == "completed" and video_result(d) or nil
  end,
})

local TRANSLATE_STATUS = { pending = "pending", running = "processing", processing = "processing",
  success = "completed", completed = "completed", succeeded = "completed", failed = "failed" }

jobs.register_kind("translate", {
  status = function(job)
    return { method = "GET", path = "/v2/video_translate/" .. path_id(job.id), envelope = "v2" }
  end,
  parse = function(d, job)
    local status = TRANSLATE_STATUS[d.status] or "processing"
    if status == "failed" then
      return status, nil, { code = d.failure_code, message = d.message or d.failure_message }
    end
    if status == "completed" then
      return status, { video_url = d.url, url = d.url, title = d.title,
        video_translate_id = d.video_translate_id or job.id, output_language = d.output_language }
    end
    return status
  end,
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

local function lower(s) return type(s) == "string" and s:lower() or nil end

-- The voice to use and why: given, the avatar's default, else the first voice of
-- the avatar's gender (the documents' advice), else the first voice at all.
local function choose_voice(client, a, avatar)
  if a.voice_id then return a.voice_id, "given" end
  if avatar.default_voice_id then return avatar.default_voice_id, "the avatar's default voice" end
  local voices, err = client:voices()
  if not voices then return nil, err end
  local gender = lower(avatar.gender)
  for _, v in ipairs(voices) do
    if gender and lower(v.gender) == gender then
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

-- An iterator over every video, page after page. Errors are raised (a
-- heygen.Error value: catch it with pcall), so a failed page never looks like
-- the end of the list in a `for v in hg:each_video() do` loop.
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

------------------------------------------------------------------ results

local function avatar_details(d)
  if type(d) ~= "table" then return protocol("avatar details: no data in the answer") end
  d.avatar_id = d.avatar_id or d.id
  d.avatar_name = d.avatar_name or d.name
  return d
end

local function voice_matches(v, filter)
  for _, k in ipairs({ "language", "gender" }) do
    if filter[k] and lower(v[k]) ~= filter[k]:lower() then return false end
  end
  return true
end

local function filter_voices(d, filter)
  local out = {}
  for _, v in ipairs(list_of(d and d.voices)) do
    if voice_matches(v, filter or {}) then out[#out + 1] = v end
  end
  return out
end

local function share_url(d)
  if type(d) == "string" and d ~= "" then return d end
  if type(d) == "table" and (d.url or d.share_url) then return d.url or d.share_url end
  return protocol("video share: the answer carried no URL")
end

local function quota(d)
  local q = type(d) == "table" and d.remaining_quota
  if type(q) ~= "number" then return protocol("remaining_quota: the answer carried no number") end
  local credits = q / 60
  if credits == math.floor(credits) and math.tointeger then credits = math.tointeger(credits) end
  return { remaining_quota = q, credits = credits, balance_known = true, details = list_of(d.details) }
end

-- Template variables keyed by name; a plain string is a text variable.
local function template_variables(vars)
  if not vars then return nil end
  local out = {}
  for name, v in pairs(vars) do
    if type(v) == "string" then
      out[name] = { name = name, type = "text", properties = { content = v } }
    else
      out[name] = util.merge(v, { name = v.name or name })
    end
  end
  return out
end

local function path_and_type(a, b)
  return type(a) == "string" and a ~= "" and (b == nil or type(b) == "string"),
    "a file path and an optional MIME type"
end

------------------------------------------------------------------ endpoints

M.endpoints = {
  generate_video = {
    validate = checker(rules.generate_video),
    request = function(_, a)
      local input = util.merge(a, {
        provider = a.provider or rules.DEFAULT_PROVIDER,
        aspect_ratio = a.aspect_ratio or rules.DEFAULT_ASPECT_RATIO,
      })
      return { method = "POST", path = "/v1/workflows/executions", envelope = "v3", creates = true,
        json = { workflow_type = "GenerateVideoNode", input = input } }
    end,
    job = { kind = "workflow", id = function(d) return d and d.execution_id end,
      fields = function(_, a) return { provider = a.provider or rules.DEFAULT_PROVIDER } end },
  },

  create_video = {
    validate = checker(rules.create_video),
    request = function(_, a)
      return { method = "POST", path = "/v2/video/generate", envelope = "v2", creates = true, json = a }
    end,
    job = { kind = "video", id = function(d) return d and d.video_id end },
  },

  avatar_video = { validate = checker(rules.avatar_video), run = avatar_video },

  create_webm = {
    validate = checker(rules.create_webm),
    request = function(_, a)
      return { method = "POST", path = "/v1/video.webm", envelope = "v1", creates = true, json = a }
    end,
    job = { kind = "video", id = function(d) return d and d.video_id end,
      fields = function() return { format = "webm" } end },
  },

  video_status = {
    args = "id",
    request = function(_, id)
      return { method = "GET", path = "/v1/video_status.get", query = { video_id = id }, envelope = "v1" }
    end,
  },

  avatars = {
    args = "none",
    request = function() return { method = "GET", path = "/v2/avatars", envelope = "v2" } end,
    result = function(d)
      d = list_of(d)
      return { avatars = list_of(d.avatars), talking_photos = list_of(d.talking_photos) }
    end,
  },

  avatar = {
    args = "id",
    request = function(_, id)
      return { method = "GET", path = "/v2/avatar/" .. path_id(id) .. "/details", envelope = "v2" }
    end,
    result = avatar_details,
  },

  voices = {
    args = "optional_table",
    validate = function(a) return validate.check(a or {}, rules.voices_filter, "") end,
    request = function() return { method = "GET", path = "/v2/voices", envelope = "v2" } end,
    result = function(d, a) return filter_voices(d, a) end,
  },

  templates = {
    args = "none",
    request = function() return { method = "GET", path = "/v2/templates", envelope = "v2" } end,
    result = function(d) return list_of(d and d.templates) end,
  },

  template = {
    args = "id",
    request = function(_, id) return { method = "GET", path = "/v2/template/" .. path_id(id), envelope = "v2" } end,
    result = function(d, id)
      d = list_of(d)
      d.template_id = d.template_id or id
      d.variables = list_of(d.variables)
      return d
    end,
  },

  generate_from_template = {
    args = "id_table",
    validate = option_checker(rules.generate_from_template),
    request = function(_, id, b)
      local body = util.merge(b, { variables = template_variables(b and b.variables) })
      return { method = "POST", path = "/v2/template/" .. path_id(id) .. "/generate", envelope = "v2",
        creates = true, json = body }
    end,
    job = { kind = "video", id = function(d) return d and d.video_id end,
      fields = function(_, id) return { template_id = id } end },
  },

  translate_video = {
    validate = checker(rules.translate_video),
    request = function(_, a)
      return { method = "POST", path = "/v2/video_translate", envelope = "v2", creates = true, json = a }
    end,
    job = { kind = "translate", id = function(d) return d and d.video_translate_id end,
      fields = function(_, a) return { output_language = a.output_language } end },
  },

  translate_languages = {
    args = "none",
    request = function()
      return { method = "GET", path = "/v2/video_translate/target_languages", envelope = "v2" }
    end,
    result = function(d) return list_of(d and d.languages) end,
  },

  videos = {
    args = "optional_table",
    validate = function(a) return validate.check(a or {}, rules.videos_page, "") end,
    request = function(_, a) return { method = "GET", path = "/v1/video.list", query = a, envelope = "v1" } end,
    result = function(d)
      d = list_of(d)
      return { videos = list_of(d.videos), token = d.token ~= "" and d.token or nil }
    end,
  },

  each_video = { args = "optional_table", run = each_video },

  delete_video = {
    args = "id_table",
    validate = option_checker(rules.delete_video),
    request = function(_, id, b)
      return { method = "DELETE", path = "/v1/video.delete", envelope = "v1", empty_ok = true,
        query = { video_id = id, type = b and b.type } }
    end,
    result = function() return true end,
  },

  share_video = {
    args = "id",
    request = function(_, id)
      return { method = "POST", path = "/v1/video/share", envelope = "v1", json = { video_id = id } }
    end,
    result = share_url,
  },

  remaining_quota = {
    args = "none",
    request = function() return { method = "GET", path = "/v2/user/remaining_quota", envelope = "v2" } end,
    result = quota,
  },

  upload_asset = {
    args = path_and_type,
    validate = function(path, content_type)
      return validate.check({ path = path, content_type = content_type }, rules.upload_asset, "")
    end,
    request = function(_, path, content_type)
      return { method = "POST", base = "upload", path = "/v1/asset", envelope = "v1", body_file = path,
        content_type = content_type or rules.mime_for(path) }
    end,
    result = function(d)
      if type(d) ~= "table" or not d.id then return protocol("asset upload: the answer carried no asset id") end
      return d
    end,
  },
}

api.define("legacy", M.endpoints)
return M
