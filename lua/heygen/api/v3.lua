--- HeyGen's current API (v3), as data, beside the legacy v1/v2 group.
-- Shapes: ../shared/docs/heygen-v3.md.
--
-- Every call of docs/client.md that has a v3 equivalent is defined here
-- under the same name and answers with the same Lua shape as its legacy twin:
-- legacy field names are kept, and what only v3 returns (captioned URLs,
-- video_page_url, failure codes, ...) is added, never renamed. A script moves
-- from api = "v2" to api = "v3" without edits. Calls only v3 has (video_agent,
-- lipsync, text_to_speech, avatar groups and looks, webhook endpoints, me) are
-- also reachable from an api = "v2" client. The text-to-video workflows
-- (generate_video) and share_video have no v3 equivalent and stay legacy.
--
-- Every v3 create sends an Idempotency-Key (one per logical call, reused by
-- Client:request on each retry), so a create can be retried after a 5xx or a
-- timeout without a second paid render.
--
---@class heygen.Client
---@field video_agent fun(self: heygen.Client, o: heygen.VideoAgentOptions): heygen.Job?, heygen.Error?
---@field lipsync fun(self: heygen.Client, o: heygen.LipsyncOptions): heygen.Job?, heygen.Error?
---@field text_to_speech fun(self: heygen.Client, o: heygen.SpeechOptions): heygen.Speech?, heygen.Error?
---@field avatar_groups fun(self: heygen.Client, o?: {ownership?: string}): heygen.AvatarGroup[]?, heygen.Error?
---@field avatar_group fun(self: heygen.Client, group_id: string): heygen.AvatarGroup?, heygen.Error?
---@field avatar_looks fun(self: heygen.Client, o?: heygen.LooksFilter): heygen.AvatarLook[]?, heygen.Error?
---@field webhook_endpoints fun(self: heygen.Client): heygen.WebhookEndpoint[]?, heygen.Error?
---@field create_webhook_endpoint fun(self, o: heygen.EndpointOptions): heygen.WebhookEndpoint?, heygen.Error?
---@field update_webhook_endpoint fun(self: heygen.Client, id: string, o: table): heygen.WebhookEndpoint?, heygen.Error?
---@field delete_webhook_endpoint fun(self: heygen.Client, id: string): true?, heygen.Error?
---@field rotate_webhook_secret fun(self, id: string): {endpoint_id: string, secret: string}?, heygen.Error?
---@field webhook_event_types fun(self: heygen.Client): {event_type: string, description: string}[]?, heygen.Error?
---@field webhook_events fun(self: heygen.Client, o?: table): table[]?, (string|heygen.Error)?
---@field me fun(self: heygen.Client): heygen.Me?, heygen.Error?
---
---@class heygen.VideoAgentOptions
---@field prompt string                       -- 1 to 10000 characters
---@field mode? string                        -- "generate" (default) | "chat"
---@field orientation? string                 -- "landscape" | "portrait"
---@field avatar_id? string
---@field voice_id? string
---@field style_id? string
---@field files? (string|table)[]             -- URLs or AssetInput tables, at most 20
---@field callback_url? string
---@field callback_id? string
---
---@class heygen.LipsyncOptions
---@field video string|table                  -- a URL, or {type="url"|"asset_id", ...}
---@field audio string|table
---@field mode? string                        -- "speed" | "precision"
---@field enable_caption? boolean
---
---@class heygen.SpeechOptions
---@field text string                         -- 1 to 5000 characters
---@field voice_id string                     -- a voice of the starfish engine
---@field speed? number                       -- 0.5 to 2.0
---@field input_type? string                  -- "text" | "ssml"
---
---@class heygen.LooksFilter
---@field group_id? string
---@field avatar_type? string                 -- "studio_avatar" | "digital_twin" | "photo_avatar"
---@field ownership? string                   -- "public" | "private"
---
---@class heygen.EndpointOptions
---@field url string                          -- https only
---@field events? string[]                    -- nil: every event
---@field entity_id? string
---
---@class heygen.AvatarLook: heygen.Avatar   -- v3 look: the legacy avatar fields plus these
---@field id string                           -- the look id (= avatar_id)
---@field avatar_type string                  -- "studio_avatar" | "digital_twin" | "photo_avatar"
---@field group_id string
---@field supported_api_engines string[]      -- "avatar_v" | "avatar_iv" | "avatar_iii"
---@field preferred_orientation string|nil
---
---@class heygen.AvatarGroup
---@field id string
---@field name string
---@field looks_count integer
---@field default_voice_id string|nil
---
---@class heygen.Speech                      -- hg:text_to_speech
---@field audio_url string
---@field duration number
---@field word_timestamps {word: string, start: number, ["end"]: number}[]|nil
---
---@class heygen.WebhookEndpoint
---@field endpoint_id string
---@field url string
---@field events string[]|nil                 -- nil: every event
---@field status string                       -- "enabled" | "disabled"
---@field secret string|nil                   -- only in the create answer (whsec_...)
---
---@class heygen.Me                          -- hg:me(): one billing object, chosen by billing_type
---@field username string
---@field billing_type string|nil             -- "wallet" | "subscription" | "usage_based"
---@field wallet table|nil
---@field subscription table|nil
---@field usage_based table|nil
local api = require "heygen.api"
local jobs = require "heygen.job"
local errors = require "heygen.errors"
local validate = require "heygen.validate"
local util = require "heygen.util"
local rules = require "heygen.api.rules"
require "heygen.api.legacy" -- the legacy job kinds exist before we extend them

local M = {}

local enum = validate.enum
local fail = validate.fail
local enc = util.encode_component

M.MULTIPART_MAX = 32 * 1048576 -- POST /v3/assets takes up to 32 MB; bigger files go presigned
M.SPEED_MAX = 1.5              -- voice_settings.speed under v3 (v2 allowed 2.0)
M.UPLOAD_TIMEOUT = 600         -- seconds for one upload request (the official CLI's 10 minutes)

-- Page sizes used when a call returns a whole list (the documented maximum per endpoint).
M.PAGE = { videos = 100, looks = 50, groups = 50, voices = 100, templates = 100,
  webhooks = 100 }

-- File extensions POST /v3/assets takes, and their MIME types (docs 7.1).
M.ASSET_TYPES = {
  png = "image/png", jpg = "image/jpeg", jpeg = "image/jpeg", mp4 = "video/mp4",
  webm = "video/webm", mp3 = "audio/mpeg", wav = "audio/wav", pdf = "application/pdf",
  srt = "application/x-subrip",
}

M.WEBHOOK_EVENTS = {
  "avatar_video.success", "avatar_video.fail", "avatar_video_gif.success", "avatar_video_gif.fail",
  "avatar_video_caption.success", "avatar_video_caption.fail", "video_translate.success",
  "video_translate.fail", "video_translate.preflight.validation_failed",
  "video_translate.preflight.download_failed", "video_agent.success", "video_agent.fail",
  "personalized_video", "instant_avatar.success", "instant_avatar.fail",
  "photo_avatar_generation.success", "photo_avatar_generation.fail", "photo_avatar_train.success",
  "photo_avatar_train.fail", "photo_avatar_add_motion.success", "photo_avatar_add_motion.fail",
  "proofread_creation.success", "proofread_creation.fail", "live_avatar.success", "live_avatar.fail",
  "hyperframes_video.success", "hyperframes_video.fail", "ai_clipping.success", "ai_clipping.fail",
  "batch.finished",
}

------------------------------------------------------------------ Idempotency-Key

-- A per-process salt, so two processes started in the same second never share keys.
local salt
local function process_salt()
  if salt then return salt end
  local f = io.open("/dev/urandom", "rb")
  local bytes = f and f:read(6)
  if f then f:close() end
  if bytes and #bytes == 6 then
    salt = bytes:gsub(".", function(c) return string.format("%02x", c:byte()) end)
  else
    salt = string.format("%06x%06x", math.random(0, 0xffffff), math.random(0, 0xffffff))
  end
  return salt
end

local key_count = 0

--- A fresh Idempotency-Key ("heygen-<time>-<counter>-<random hex>"), valid for
-- the documented pattern ^[A-Za-z0-9_:.-]{1,255}$.
---@return string
function M.idempotency_key()
  key_count = key_count + 1
  return string.format("heygen-%d-%d-%s%04x", os.time(), key_count, process_salt(), math.random(0, 0xffff))
end

------------------------------------------------------------------ request specs

local function get(path, query) return { method = "GET", path = path, query = query, envelope = "v3" } end

local function send(method, path, body) return { method = method, path = path, json = body, envelope = "v3" } end

-- A create: idempotent through its key, so Client:request may retry it.
local function create(path, body)
  return { method = "POST", path = path, json = body, envelope = "v3", creates = true,
    idempotency_key = M.idempotency_key() }
end

local function checker(schema)
  return function(a) return validate.check(a or {}, schema, "") end
end

-- A list page as most v3 lists answer it: the items are data, has_more and next_token
-- sit beside it in the envelope.
local function list_page(data, doc)
  if type(doc) ~= "table" then return data end
  return data, doc.has_more, doc.next_token
end

--- Every item of a v3 list, following next_token. `page(data, doc)` gives a page's
-- items, has_more and next_token (default: list_page; batch GETs keep all three in
-- data). Returns the list or nil, err.
local function all_pages(client, path, query, size, page)
  local items, seen, token = {}, {}, nil
  repeat
    local data, rec, doc = client:request(get(path, util.merge(query, { limit = size, token = token })))
    if data == nil and errors.is(rec) then return nil, rec end
    local list, more, next_token = (page or list_page)(data, doc)
    for _, item in ipairs(type(list) == "table" and list or {}) do items[#items + 1] = item end
    token = more and next_token or nil
    if token and seen[token] then
      return nil, errors.new { kind = "protocol", message = path .. ": the API repeated page token " .. token }
    end
    if token then seen[token] = true end
  until not token
  return items
end

M.all_pages = all_pages -- for batches (heygen.batch)

-- One table from several (later ones win); util.merge takes two.
local function merged(...)
  local t = {}
  for i = 1, select("#", ...) do
    for k, v in pairs((select(i, ...)) or {}) do t[k] = v end
  end
  return t
end

local function map(list, fn)
  local out = {}
  for i, v in ipairs(list) do out[i] = fn(v) end
  return out
end

-- A `run` for a call that answers a whole list: every page, each item shaped by
-- `item`; `query` picks the query parameters from the call's table.
local function whole_list(path, size, item, query)
  return function(client, a)
    local items, err = all_pages(client, path, query and query(a or {}), size)
    if not items then return nil, err end
    return item and map(items, item) or items
  end
end

-- A Job for an id a create returned, recorded in the journal before the call returns.
local function new_job(client, kind, id, fields)
  if type(id) ~= "string" or id == "" then
    return nil, errors.new { kind = "protocol", message = "the create answer carried no " .. kind .. " id" }
  end
  local job = jobs.new(client, kind, id, fields)
  local ok, err = jobs.journal_created(job)
  if not ok then return nil, err end
  return job
end

------------------------------------------------------------------ results in the legacy shapes

-- A v3 Video resource as job.result: the legacy names, plus what v3 adds.
local function video_result(d)
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
M.video_result = video_result

-- A v3 avatar look as the legacy avatar item (avatar_id, avatar_name, ...).
local function look_item(l)
  return util.merge(l, { avatar_id = l.id, avatar_name = l.name,
    type = l.avatar_type == "photo_avatar" and "talking_photo" or "avatar" })
end

local function voice_item(v) return util.merge(v, { preview_audio = v.preview_audio_url }) end

local function template_item(t)
  return util.merge(t, { template_id = t.id, thumbnail_image_url = t.thumbnail_url })
end

local function list_video_item(v)
  return util.merge(v, { video_id = v.id, type = v.output_language and "TRANSLATED" or "GENERATED" })
end

-- POST /v3/assets and .../complete answers as the legacy upload answer.
local function asset_result(d, name)
  local mime = d.mime_type or ""
  return util.merge(d, { id = d.asset_id or d.id, name = name, file_type = mime:match("^(%a+)/") })
end

------------------------------------------------------------------ job kinds

local VIDEO_STATUS = { waiting = "pending", pending = "pending", queued = "pending",
  processing = "processing", completed = "completed", failed = "failed" }

local function parse_video(d)
  local status = VIDEO_STATUS[d.status] or "processing"
  if status == "failed" then
    return status, video_result(d), { code = d.failure_code, message = d.failure_message }
  end
  return status, status == "completed" and video_result(d) or nil
end

-- Bulk status (docs 1.5 and 5.4: GET .../statuses?<param>=a,b,c, up to 100 ids per
-- request). heygen.all polls a group of v3 jobs with it; one that ends (or is
-- not_found) is then read whole.
local BULK_STATUS = { queued = "pending", processing = "processing", completed = "completed",
  failed = "failed", not_found = "not_found" }

local function bulk_status(path, param)
  return {
    max = 100,
    request = function(list)
      local ids = {}
      for k, job in ipairs(list) do ids[k] = job.id end
      return get(path, { [param] = table.concat(ids, ",") })
    end,
    -- id -> "pending" | "processing" | "completed" | "failed" | "not_found"
    read = function(items)
      local out = {}
      for _, item in ipairs(type(items) == "table" and items or {}) do
        local id = type(item) == "table" and (item.video_id or item.video_translation_id)
        if id then out[id] = BULK_STATUS[item.status] or "processing" end
      end
      return out
    end,
  }
end

local video_v3 = {
  status = function(job) return get("/v3/videos/" .. enc(job.id)) end,
  parse = parse_video,
  bulk = bulk_status("/v3/videos/statuses", "video_ids"),
}

local RUN_STATUS = { pending = "pending", running = "processing", processing = "processing",
  completed = "completed", failed = "failed" }

local translate_v3 = {
  status = function(job) return get("/v3/video-translations/" .. enc(job.id)) end,
  bulk = bulk_status("/v3/video-translations/statuses", "video_translation_ids"),
  parse = function(d, job)
    local status = RUN_STATUS[d.status] or "processing"
    if status == "failed" then return status, nil, { code = d.failure_code, message = d.failure_message } end
    if status ~= "completed" then return status end
    return status, {
      video_url = d.video_url, url = d.video_url, title = d.title, output_language = d.output_language,
      video_translate_id = d.id or job.id, video_translation_id = d.id or job.id,
      input_language = d.input_language, audio_url = d.audio_url, duration = d.duration,
      srt_caption_url = d.srt_caption_url, vtt_caption_url = d.vtt_caption_url,
      created_at = d.created_at, callback_id = d.callback_id,
    }
  end,
}

-- A legacy kind ("video", "translate") that follows the v3 endpoints for v3 clients.
local function extend_kind(name, v3)
  local legacy = jobs.KINDS[name]
  assert(legacy, "heygen.api.v3: the legacy job kind " .. name .. " is not registered")
  local function pick(job) return job._state.client.api == "v3" and v3 or legacy end
  local spec = {}
  for k, v in pairs(legacy) do spec[k] = v end
  spec.status = function(job) return pick(job).status(job) end
  spec.parse = function(d, job) return pick(job).parse(d, job) end
  if v3.bulk then spec.bulk = function(job) return pick(job).bulk end end
  jobs.register_kind(name, spec)
end
extend_kind("video", video_v3)
extend_kind("translate", translate_v3)

local LIPSYNC_BULK = bulk_status("/v3/lipsyncs/statuses", "lipsync_ids")

jobs.register_kind("lipsync", {
  status = function(job) return get("/v3/lipsyncs/" .. enc(job.id)) end,
  bulk = function() return LIPSYNC_BULK end,
  parse = function(d, job)
    local status = RUN_STATUS[d.status] or "processing"
    if status == "failed" then return status, nil, { code = d.failure_code, message = d.failure_message } end
    if status ~= "completed" then return status end
    return status, { video_url = d.video_url, url = d.video_url, lipsync_id = d.id or job.id,
      caption_url = d.caption_url, duration = d.duration, title = d.title, created_at = d.created_at,
      callback_id = d.callback_id }
  end,
})

-- A proofread (docs 5.3): processing -> completed | failed; its result names it and its
-- language (its subtitles: hg:proofread_srt(id); its render: hg:generate_proofread(id)).
jobs.register_kind("proofread", {
  status = function(job) return get("/v3/video-translations/proofreads/" .. enc(job.id)) end,
  parse = function(d, job)
    local status = RUN_STATUS[d.status] or "processing"
    if status == "failed" then return status, nil, { code = "proofread_failed", message = d.failure_message } end
    if status ~= "completed" then return status end
    return status, { proofread_id = d.id or job.id, title = d.title, input_language = d.input_language,
      output_language = d.output_language, submitted_for_review = d.submitted_for_review, created_at = d.created_at }
  end,
})

-- A Video Agent session: its status until it names its video, then the video's
-- (docs 2.2: "When completed, fetch the video through GET /v3/videos/{video_id}").
local AGENT_STATUS = { thinking = "pending", waiting_for_input = "processing", reviewing = "processing",
  generating = "processing", completed = "processing", failed = "failed" }

local function agent_failure(d)
  for _, m in ipairs(d.messages or {}) do
    if m.type == "error" then return { code = "video_agent_failed", message = m.content } end
  end
  return { code = "video_agent_failed", message = "the video agent session failed" }
end

jobs.register_kind("video_agent", {
  -- job:cancel() stops the session remotely ("halts at its next checkpoint", docs 2.3)
  cancel = function(job) return send("POST", "/v3/video-agents/" .. enc(job.id) .. "/stop") end,
  status = function(job)
    if job.video_id then return get("/v3/videos/" .. enc(job.video_id)) end
    return get("/v3/video-agents/" .. enc(job.id))
  end,
  parse = function(d, job)
    if d.session_id == nil then -- the video
      local status, result, failure = parse_video(d)
      if status == "pending" then status = "processing" end -- the session is past thinking
      if result then result.session_id = job.id end
      return status, result, failure
    end
    job.progress = d.progress
    local status = AGENT_STATUS[d.status] or "processing"
    if status == "failed" then return status, { session_id = job.id }, agent_failure(d) end
    if d.video_id then job.video_id = d.video_id end
    return status, { session_id = job.id, video_id = d.video_id }
  end,
})

------------------------------------------------------------------ validation schemas (docs 0.6, 1 - 9)

local str = { type = "string" }
local id = { type = "string", min_len = 1 }
local url = { type = "string", url = true }
local bool = { type = "boolean" }

local function asset_input(required, no_base64)
  local variants = { key = "type",
    url = { fields = { type = str, url = { type = "string", required = true, url = true } } },
    asset_id = { fields = { type = str, asset_id = { type = "string", required = true, min_len = 1 } } },
  }
  if not no_base64 then
    variants.base64 = { fields = { type = str, data = { type = "string", required = true, min_len = 1 },
      media_type = { type = "string", required = true, pattern = "^%w+/[%w%.%+%-]+$",
        pattern_text = 'a MIME type like "image/png"' } } }
  end
  return { type = "table", required = required, variants = variants }
end

-- An asset argument of a Lua call: an AssetInput table, or a URL string for short.
local function asset_arg(required, no_base64)
  return { required = required, by_type = { string = url, table = asset_input(false, no_base64) } }
end

local function as_asset(v)
  if type(v) == "string" then return { type = "url", url = v } end
  return v
end

local function number(lo, hi) return { type = "number", min = lo, max = hi } end

local voice_settings = { type = "table", fields = {
  speed = number(0.5, M.SPEED_MAX), pitch = number(-50, 50), volume = number(0, 1), locale = str,
  engine_settings = { type = "table", variants = { key = "engine_type",
    elevenlabs = { fields = { engine_type = str,
      model = enum { "eleven_multilingual_v2", "eleven_turbo_v2_5", "eleven_flash_v2_5", "eleven_v3" },
      stability = number(0, 1), similarity_boost = number(0, 1), style = number(0, 1),
      use_speaker_boost = bool } },
    fish = { fields = { engine_type = str, model = enum { "s1", "s2-pro" }, stability = number(0, 1),
      similarity = number(0, 1) } },
    starfish = { fields = { engine_type = str } },
  } },
} }

local background = { type = "table", variants = { key = "type",
  color = { fields = { type = str, value = { type = "string", required = true, hex_color = true } } },
  image = { xor = { { "url" }, { "asset_id" } }, fields = { type = str, url = url, asset_id = id } },
} }

local caption = { type = "table", fields = { file_format = enum { "srt" }, style = enum { "default" } } }

local watermark = { type = "table", fields = {
  image = asset_input(true), scale = { type = "number", gt = 0 }, opacity = number(0, 1),
  placement = { type = "table", fields = {
    position = enum { "top_left", "top_right", "bottom_left", "bottom_right" },
    offset_x = { type = "number" }, offset_y = { type = "number" } } },
} }

local engine = { type = "table", variants = { key = "type",
  avatar_iv = { fields = { type = str } },
  avatar_iii = { fields = { type = str } },
  avatar_v = { fields = { type = str, reference_look_id = id } },
} }

-- What makes the avatar speak: a script with a voice, or an audio track.
local speech = {
  script = { type = "string", min_len = 1, max_len = rules.MAX_SCRIPT, check = rules.check_breaks },
  voice_id = id, audio_url = url, audio_asset_id = id, voice_settings = voice_settings,
  motion_prompt = str, expressiveness = enum { "high", "medium", "low" },
}
local ONE_SPEECH = { { "script" }, { "audio_url" }, { "audio_asset_id" } }
-- A studio still-image scene: silent for a duration, or narrated by one audio source.
local STILL_MODES = { { "duration" }, { "script", "voice_id" }, { "audio_url" }, { "audio_asset_id" } }

local render = {
  type = str, title = str, resolution = enum { "4k", "1080p", "720p" },
  aspect_ratio = enum { "16:9", "9:16", "4:5", "5:4", "1:1", "auto" }, fit = enum { "contain", "cover" },
  background = background, remove_background = bool, output_format = enum { "mp4", "webm" },
  caption = caption, callback_url = url, callback_id = str, watermark = watermark,
}

local function render_checks(v)
  if v.output_format == "webm" and v.background ~= nil then
    return "background is rejected with output_format \"webm\" (the video has an alpha channel), got both"
  end
  if v.expressiveness ~= nil and type(v.engine) == "table" and v.engine.type == "avatar_v" then
    return "expressiveness is rejected with engine.type \"avatar_v\", got both"
  end
end

local studio_background = { type = "table", fields = {
  type = enum({ "color" }, { required = true }), color = { type = "string", required = true, hex_color = true },
} }

local studio_scene = { type = "table", variants = { key = "type",
  avatar_video = { fields = { type = str, input = { type = "table", required = true, variants = { key = "type",
    avatar = { xor = ONE_SPEECH, fields = util.merge(speech, { type = str,
      avatar_id = { type = "string", required = true, min_len = 1 }, engine = engine,
      background = studio_background }) },
    image = { xor = ONE_SPEECH, fields = util.merge(speech, { type = str, image = asset_input(true),
      background = { forbidden = "an image input takes no background (avatar inputs do)" } }) },
  } } } },
  -- A still image held on screen (the contract's studio scene "image"): its picture is
  -- `source`; silent for `duration` seconds (0 < d <= 300), or narrated by exactly one of
  -- script + voice_id, audio_url, audio_asset_id (the scene then lasts as long as the audio).
  image = { xor = STILL_MODES, fields = {
    type = str, source = asset_input(true),
    duration = { type = "number", gt = 0, max = 300 },
    script = speech.script, voice_id = id, audio_url = url, audio_asset_id = id, voice_settings = voice_settings,
    image = { forbidden = "a still-image scene takes its picture as source (an AssetInput)" },
    motion_prompt = { forbidden = "a still-image scene is not animated (use avatar_video with an image input)" },
    expressiveness = { forbidden = "a still-image scene is not animated (use avatar_video with an image input)" },
  } },
  video = { fields = { type = str, source = asset_input(true), playback = { type = "table",
    fields = { volume = number(0, 1), mute = bool } } } },
} }

M.create_video = { type = "table", variants = { key = "type",
  avatar = { xor = ONE_SPEECH, check = render_checks, fields = merged(render, speech, {
    avatar_id = { type = "string", required = true, min_len = 1 }, engine = engine }) },
  image = { xor = ONE_SPEECH, check = render_checks, fields = merged(render, speech, {
    image = asset_input(true), engine = { forbidden = 'type "image" takes no engine' } }) },
  cinematic_avatar = { fields = {
    type = str, title = str, prompt = { type = "string", required = true, min_len = 1 },
    avatar_id = { type = "array", required = true, min_items = 1, max_items = 3, items_name = "looks", items = id },
    references = { type = "array", max_items = 12, items = asset_input(false) },
    duration = { type = "integer", min = 4, max = 15 }, auto_duration = bool, enhance_prompt = bool,
    aspect_ratio = enum { "16:9", "9:16", "1:1" }, resolution = enum { "720p", "1080p" },
  }, check = function(v)
    if v.auto_duration and v.duration ~= nil then return "duration must be left out when auto_duration is true" end
  end },
  studio = { fields = {
    type = str, title = str, aspect_ratio = render.aspect_ratio, resolution = render.resolution,
    caption = caption, watermark = watermark, callback_url = url, callback_id = str,
    scenes = { type = "array", required = true, min_items = 1, max_items = rules.MAX_SCENES,
      items_name = "scenes", items = studio_scene },
  } },
} }

M.video_agent = { type = "table", closed = true, fields = {
  prompt = { type = "string", required = true, min_len = 1, max_len = rules.MAX_PROMPT },
  mode = enum { "generate", "chat" }, avatar_id = id, voice_id = id, style_id = id, brand_kit_id = id,
  orientation = enum { "landscape", "portrait" },
  files = { type = "array", max_items = 20, items_name = "files", items = asset_arg(false) },
  callback_url = url, callback_id = str, incognito_mode = bool,
  auto_proceed = { forbidden = "POST /v3/video-agents has no auto_proceed (the contract closes its body)" },
} }

local function time_window(v)
  if v.start_time and v.end_time and v.end_time <= v.start_time then
    return string.format("end_time must be after start_time, got %s <= %s", v.end_time, v.start_time)
  end
end

local dub_options = {
  title = str, folder_id = str, callback_url = url, callback_id = str,
  enable_caption = bool, enable_watermark = bool, disable_music_track = bool,
  enable_speech_enhancement = bool, enable_dynamic_duration = bool, keep_the_same_format = bool,
  fps_mode = enum { "vfr", "cfr", "passthrough" }, start_time = number(0), end_time = number(0),
}

M.lipsync = { type = "table", closed = true, check = time_window, fields = util.merge(dub_options, {
  video = asset_arg(true, true), audio = asset_arg(true, true), mode = enum { "speed", "precision" },
}) }

-- brand_voice_id is the contract's legacy name of brand_glossary_id (the same record):
-- either is sent as given; both must then name the same glossary.
local function same_glossary(v)
  if v.brand_voice_id ~= nil and v.brand_glossary_id ~= nil and v.brand_voice_id ~= v.brand_glossary_id then
    return string.format("brand_voice_id is the legacy name of brand_glossary_id: give one, got %q and %q",
      v.brand_voice_id, v.brand_glossary_id)
  end
end

M.translate_video = { type = "table", closed = true, xor = { { "video_url" }, { "video" } },
  fields = util.merge(dub_options, {
    video_url = url, video = asset_arg(false, true),
    output_language = id,
    output_languages = { type = "array", min_items = 1, items_name = "languages", items = id },
    mode = enum { "speed", "precision", "fast", "quality" },
    speaker_num = { type = "integer", min = 1 }, translate_audio_only = bool, input_language = id,
    brand_voice_id = id, brand_glossary_id = id, audio = asset_arg(false, true), srt = asset_arg(false, true),
    srt_role = enum { "input", "output" },
    -- a preset stock voice instead of a clone of the speaker (an enterprise feature)
    stock_voice_config = { type = "table", fields = { use_stock_voice = bool,
      preferred_stock_voice_ids = { type = "array", items_name = "voice ids", items = id } } },
  }),
  check = function(v, path)
    if (v.output_language == nil) == (v.output_languages == nil) then
      return "the request needs exactly one of output_language or output_languages, got "
        .. (v.output_language == nil and "none" or "both")
    end
    return same_glossary(v) or time_window(v, path)
  end,
}

M.proofread = { type = "table", closed = true, xor = { { "video_url" }, { "video" } }, fields = {
  video_url = url, video = asset_arg(false, true), title = { type = "string", required = true, min_len = 1 },
  output_language = id, output_languages = { type = "array", min_items = 1, items_name = "languages", items = id },
  mode = enum { "speed", "precision", "fast", "quality" }, srt = asset_arg(false, true),
  speaker_num = { type = "integer", min = 1 }, folder_id = str, brand_glossary_id = id, brand_voice_id = id,
  disable_music_track = bool, enable_speech_enhancement = bool, enable_video_stretching = bool,
  keep_the_same_format = bool,
}, check = function(v)
  if (v.output_language == nil) == (v.output_languages == nil) then
    return "the request needs exactly one of output_language or output_languages, got "
      .. (v.output_language == nil and "none" or "both")
  end
  return same_glossary(v)
end }

M.proofread_generate = { type = "table", closed = true, fields = {
  captions = bool, translate_audio_only = bool, callback_url = url, callback_id = str,
} }

M.text_to_speech = { type = "table", closed = true, fields = {
  text = { type = "string", required = true, min_len = 1, max_len = rules.MAX_SCRIPT },
  voice_id = { type = "string", required = true, min_len = 1 },
  input_type = enum { "text", "ssml" }, speed = number(0.5, 2.0), language = id, locale = id,
} }

M.voices_filter = { type = "table", closed = true, fields = {
  language = id, gender = id, engine = id, type = enum { "public", "private" },
} }

M.looks_filter = { type = "table", closed = true, fields = {
  group_id = id, avatar_type = enum { "studio_avatar", "digital_twin", "photo_avatar" },
  ownership = enum { "public", "private" },
} }

M.groups_filter = { type = "table", closed = true, fields = { ownership = enum { "public", "private" } } }

M.videos_page = { type = "table", closed = true, fields = {
  limit = { type = "integer", min = 0, max = 100 }, token = id, folder_id = str, title = str,
} }

M.webhook_endpoint = { type = "table", closed = true, fields = {
  url = { type = "string", required = true, url = true, pattern = "^[Hh][Tt][Tt][Pp][Ss]://",
    pattern_text = "an https URL" },
  events = { type = "array", items = enum(M.WEBHOOK_EVENTS) },
  entity_id = id,
} }

M.webhook_update = { type = "table", closed = true, fields = {
  url = util.merge(M.webhook_endpoint.fields.url, { required = false }),
  events = M.webhook_endpoint.fields.events,
} }

M.webhook_events = { type = "table", closed = true, fields = {
  event_type = enum(M.WEBHOOK_EVENTS), entity_id = id, limit = { type = "integer", min = 1, max = 100 }, token = id,
} }

------------------------------------------------------------------ v2-shaped create_video -> v3 bodies

-- dimension {width, height} -> resolution and aspect_ratio.
local RATIOS = { { "16:9", 16 / 9 }, { "9:16", 9 / 16 }, { "1:1", 1 }, { "4:5", 4 / 5 }, { "5:4", 5 / 4 } }

local function from_dimension(d)
  if not d then return nil, nil end
  local short = math.min(d.width, d.height)
  local resolution = short >= 2160 and "4k" or short >= 1080 and "1080p" or "720p"
  local ratio, best = "auto", 0.02
  for _, r in ipairs(RATIOS) do
    local off = math.abs(d.width / d.height - r[2]) / r[2]
    if off <= best then ratio, best = r[1], off end
  end
  return resolution, ratio
end
M.from_dimension = from_dimension

local EXPRESSIVENESS = { stable = "low", expressive = "high" }

-- The speech fields of a v2 voice, or nil, err naming what v3 cannot say.
local function v2_speech(voice, path)
  if voice.type == "silence" then
    return fail(path .. ".type", 'has no v3 equivalent (use api = "v2" for silent scenes)', voice.type)
  elseif voice.type == "audio" then
    return { audio_url = voice.audio_url, audio_asset_id = voice.audio_asset_id }
  end
  if voice.speed and voice.speed > M.SPEED_MAX then
    return fail(path .. ".speed", "must be at most " .. M.SPEED_MAX .. " under api v3", voice.speed)
  end
  local settings
  if voice.speed or voice.pitch or voice.locale then
    settings = { speed = voice.speed, pitch = voice.pitch, locale = voice.locale }
  end
  return { script = voice.input_text, voice_id = voice.voice_id, voice_settings = settings }
end

local function v2_background(bg, path, studio)
  if bg == nil then return nil end
  if bg.type == "color" then
    if studio then return { type = "color", color = bg.value } end
    return { type = "color", value = bg.value }
  elseif bg.type == "image" and not studio then
    return { type = "image", url = bg.url, asset_id = bg.image_asset_id }
  end
  return fail(path .. ".type", studio and "must be \"color\" in a multi-scene video under api v3"
    or "has no v3 equivalent (use api = \"v2\" for video backgrounds)", bg.type)
end

-- One v2 scene as the fields of a v3 avatar input.
local function v2_scene(scene, path, studio)
  local ch = scene.character
  local fields, err = v2_speech(scene.voice, path .. ".voice")
  if not fields then return nil, err end
  fields.avatar_id = ch.avatar_id or ch.talking_photo_id
  fields.expressiveness = EXPRESSIVENESS[ch.talking_style]
  if not studio then fields.remove_background = ch.matting end
  local bg
  bg, err = v2_background(scene.background, path .. ".background", studio)
  if err then return nil, err end
  fields.background = bg
  return fields
end

--- A v2 create_video table as a v3 POST /v3/videos body (one scene: type
-- "avatar"; several: type "studio"), or nil, err.
function M.v3_body(a)
  local resolution, ratio = from_dimension(a.dimension)
  local body = { title = a.title, callback_id = a.callback_id, callback_url = a.callback_url,
    resolution = resolution, aspect_ratio = ratio,
    caption = a.caption and { file_format = "srt", style = "default" } or nil }
  local inputs = a.video_inputs
  if #inputs == 1 then
    local fields, err = v2_scene(inputs[1], "video_inputs[1]", false)
    if not fields then return nil, err end
    return merged(body, fields, { type = "avatar" })
  end
  body.type, body.scenes = "studio", {}
  for i, scene in ipairs(inputs) do
    local fields, err = v2_scene(scene, "video_inputs[" .. i .. "]", true)
    if not fields then return nil, err end
    body.scenes[i] = { type = "avatar_video", input = util.merge(fields, { type = "avatar" }) }
  end
  return body
end

local function check_create_video(a)
  if a.type ~= nil then return validate.check(a, M.create_video, "") end
  local ok, err = validate.check(a, rules.create_video, "")
  if not ok then return nil, err end
  local body
  body, err = M.v3_body(a)
  if not body then return nil, err end
  return true
end

------------------------------------------------------------------ calls with a legacy twin

local E = {}

E.create_video = {
  validate = check_create_video,
  request = function(_, a)
    return create("/v3/videos", a.type ~= nil and a or assert(M.v3_body(a)))
  end,
  job = { kind = "video", id = function(d) return d and (d.video_id or d.id) end },
}

E.video_status = {
  args = "id",
  request = function(_, vid) return get("/v3/videos/" .. enc(vid)) end,
  result = function(d)
    local out = util.merge(d, { video_id = d.id, caption_url = d.subtitle_url,
      video_url_caption = d.captioned_video_url })
    if d.status == "failed" then out.error = { code = d.failure_code, message = d.failure_message } end
    return out
  end,
}

E.videos = {
  args = "optional_table",
  validate = checker(M.videos_page),
  request = function(_, a)
    a = a or {}
    -- no limit (or 0) is the legacy page of up to 100, not v3's default of 10
    return get("/v3/videos", { limit = a.limit ~= 0 and a.limit or M.PAGE.videos, token = a.token,
      folder_id = a.folder_id, title = a.title })
  end,
  result = function(d, _, _, doc)
    return { videos = map(d or {}, list_video_item),
      token = type(doc) == "table" and doc.has_more and doc.next_token or nil }
  end,
}

E.delete_video = {
  args = "id_table",
  validate = function(_, opts) return validate.check(opts or {}, rules.delete_video, "") end,
  request = function(_, vid) return send("DELETE", "/v3/videos/" .. enc(vid)) end,
  result = function() return true end,
}

-- AssetInput for a Lua-side URL or asset id ("https://..." or {type=, ...}).
-- The Jobs of a create that makes one per output language: one Job for output_language, a
-- list in the order asked for output_languages.
-- The answer's ids pair with the languages by position, so a count that differs from the
-- languages asked is a protocol error (err.asked, err.got); the jobs of the ids that came
-- exist all the same: they are in err.jobs (their language unknown) to follow, never to
-- create again.
local function jobs_per_language(client, kind, ids, a)
  local langs, list = a.output_languages or { a.output_language }, {}
  ids = type(ids) == "table" and ids or {}
  local matched = #ids == #langs
  for i, jid in ipairs(ids) do
    local job, err = new_job(client, kind, jid, { output_language = matched and langs[i] or nil })
    if not job then
      err.jobs = list -- the ones before it exist too: follow them, never create them again
      return nil, err
    end
    list[i] = job
  end
  if #list == 0 and #langs == 1 then return new_job(client, kind, nil) end
  if not matched then
    local err = errors.new { kind = "protocol", asked = #langs, got = #list,
      message = string.format("the create answer carried %d %s id%s for %d output language%s asked (%s); "
        .. "the ids that came are in err.jobs", #list, kind, #list == 1 and "" or "s", #langs,
        #langs == 1 and "" or "s", table.concat(langs, ", ")) }
    err.jobs = list -- set after new: the error's fields are scrubbed copies
    return nil, err
  end
  return a.output_languages and list or list[1]
end

-- The POST /v3/video-translations body for a translate_video table (checked).
local function translation_body(a)
  local body = {}
  for k, v in pairs(a) do body[k] = v end
  body.video = as_asset(a.video or a.video_url)
  body.video_url, body.output_language = nil, nil
  body.output_languages = a.output_languages or { a.output_language }
  body.mode = ({ fast = "speed", quality = "precision" })[a.mode] or a.mode
  body.audio, body.srt = as_asset(a.audio), as_asset(a.srt)
  return body
end

E.translate_video = {
  validate = checker(M.translate_video),
  request = function(_, a) return create("/v3/video-translations", translation_body(a)) end,
  result = function(d, a, _, _, client)
    return jobs_per_language(client, "translate", d and d.video_translation_ids, a)
  end,
}

E.translate_languages = {
  args = "none",
  request = function() return get("/v3/video-translations/languages") end,
  result = function(d) return d and d.languages or {} end,
}

-- Looks as the legacy list: avatars (studio avatars, digital twins) and talking photos.
local function split_looks(looks)
  local out = { avatars = {}, talking_photos = {} }
  for _, l in ipairs(looks) do
    if l.avatar_type == "photo_avatar" then
      out.talking_photos[#out.talking_photos + 1] = util.merge(l, { talking_photo_id = l.id,
        talking_photo_name = l.name })
    else
      out.avatars[#out.avatars + 1] = look_item(l)
    end
  end
  return out
end

E.avatars = {
  args = "none",
  run = function(client)
    local looks, err = all_pages(client, "/v3/avatars/looks", nil, M.PAGE.looks)
    if not looks then return nil, err end
    return split_looks(looks)
  end,
}

E.avatar = {
  args = "id",
  request = function(_, look) return get("/v3/avatars/looks/" .. enc(look)) end,
  result = look_item,
}

local function lower(s) return type(s) == "string" and s:lower() or s end

E.voices = {
  args = "optional_table",
  validate = checker(M.voices_filter),
  run = function(client, a)
    a = a or {}
    local items, err = all_pages(client, "/v3/voices", { language = a.language, gender = a.gender,
      engine = a.engine, type = a.type }, M.PAGE.voices)
    if not items then return nil, err end
    local out = {}
    for _, v in ipairs(items) do -- the filters hold client-side too, whatever the server did
      if (not a.language or lower(v.language) == lower(a.language))
        and (not a.gender or lower(v.gender) == lower(a.gender)) then
        out[#out + 1] = voice_item(v)
      end
    end
    return out
  end,
}

E.templates = { args = "none", run = whole_list("/v3/templates", M.PAGE.templates, template_item) }

E.template = {
  args = "id",
  request = function(_, tid) return get("/v3/templates/" .. enc(tid)) end,
  result = function(d)
    local out = template_item(d)
    out.scenes = map(d.scenes or {}, function(s) return util.merge(s, { id = s.scene_id }) end)
    return out
  end,
}

-- Template variables as the API wants them: a plain string is a text variable.
local function template_variables(vars)
  if vars == nil then return nil end
  local out = {}
  for name, v in pairs(vars) do
    if type(v) == "string" then
      out[name] = { name = name, type = "text", properties = { content = v } }
    else
      out[name] = v
    end
  end
  return out
end

E.generate_from_template = {
  args = "id_table",
  validate = function(_, opts) return validate.check(opts or {}, rules.generate_from_template, "") end,
  request = function(_, tid, opts)
    local body = {}
    for k, v in pairs(opts or {}) do body[k] = v end
    body.test = nil -- v3 has no test renders
    body.variables = template_variables(body.variables) or {}
    return create("/v3/templates/" .. enc(tid), body)
  end,
  job = { kind = "video", id = function(d) return d and (d.id or d.video_id) end,
    fields = function(_, tid) return { template_id = tid } end },
}

E.create_webm = {
  validate = checker(rules.create_webm),
  request = function(_, a)
    local resolution, ratio = from_dimension(a.dimension)
    return create("/v3/videos", { type = "avatar", avatar_id = a.avatar_pose_id, script = a.input_text,
      voice_id = a.voice_id, audio_asset_id = a.input_audio, output_format = "webm",
      resolution = resolution, aspect_ratio = ratio })
  end,
  job = { kind = "video", id = function(d) return d and d.video_id end,
    fields = function() return { format = "webm" } end },
}

-- users/me as remaining_quota: seconds of video the balance pays for, the legacy unit
-- (60 = 1 credit; a USD wallet counts at the Avatar IV rate of $0.10 per second).
M.USD_PER_SECOND = 0.10

local function remaining_seconds(me)
  local w, s, u = me.wallet, me.subscription, me.usage_based
  if me.billing_type == "wallet" and w and w.remaining_balance then
    if w.currency == "credits" then return w.remaining_balance * 60 end
    return w.remaining_balance / M.USD_PER_SECOND
  elseif me.billing_type == "subscription" and s and s.credits then
    local premium = s.credits.premium_credits or {}
    local addon = s.credits.add_on_credits or {}
    if premium.remaining or addon.remaining then return ((premium.remaining or 0) + (addon.remaining or 0)) * 60 end
  elseif me.billing_type == "usage_based" and u and u.remaining_credits then
    return u.remaining_credits * 60
  end
end

E.remaining_quota = {
  args = "none",
  request = function() return get("/v3/users/me") end,
  result = function(me)
    -- billing_type and every balance are nullable in the contract: what is known is
    -- answered, with balance_known = false (remaining_quota and credits nil) when the
    -- balance is not
    local seconds = remaining_seconds(me)
    local credits
    if seconds then
      seconds = math.floor(seconds + 0.5)
      credits = seconds / 60
      if credits == math.floor(credits) and math.tointeger then credits = math.tointeger(credits) end
    end
    return { remaining_quota = seconds, credits = credits, balance_known = seconds ~= nil,
      billing_type = me.billing_type,
      details = { api = seconds, wallet = me.wallet, subscription = me.subscription, usage_based = me.usage_based } }
  end,
}

------------------------------------------------------------------ assets (docs 7)

local function content_type_of(path, given)
  if given then return given end
  local ext = path:match("%.([%w]+)$")
  return ext and M.ASSET_TYPES[ext:lower()]
end

local function check_upload(path, ctype)
  local size = util.file_size(path)
  local dir = io.open(path .. "/", "rb")
  if dir then dir:close() size = nil end
  if not size then return fail("path", "must be a readable file", path) end
  if size == 0 then return fail("path", "must not be an empty file", path) end
  if not content_type_of(path, ctype) then
    return fail("path", "must end in one of ." .. table.concat(util.sorted_keys(M.ASSET_TYPES), ", .")
      .. " (or pass a content type)", path)
  end
  return true
end

local function basename(path) return path:match("([^/\\]+)$") or path end

-- Large files: reserve a presigned slot, PUT the bytes there, then finalise (docs 7.2).
local function direct_upload(client, path, ctype, size)
  local slot, err = client:request(create("/v3/assets/direct-uploads",
    { filename = basename(path), content_type = ctype, size_bytes = size }))
  if slot == nil then return nil, err end
  if slot.max_bytes and size > slot.max_bytes then
    return nil, errors.new { kind = "invalid_argument", field = "path",
      message = string.format("path must be at most %d bytes for a direct upload, got %d bytes", slot.max_bytes, size) }
  end
  local _, perr = client:request { method = "PUT", url = slot.upload_url, auth = false, raw_body = true,
    body_file = path, headers = slot.upload_headers or { ["Content-Type"] = ctype }, timeout = M.UPLOAD_TIMEOUT }
  if errors.is(perr) then return nil, perr end
  local done
  done, err = client:request(send("POST", "/v3/assets/" .. enc(slot.asset_id) .. "/complete", {}))
  if done == nil then return nil, err end
  return asset_result(done, basename(path))
end

E.upload_asset = {
  args = function(a, b)
    return type(a) == "string" and a ~= "" and (b == nil or type(b) == "string"),
      "a file path and an optional content type"
  end,
  validate = check_upload,
  run = function(client, path, ctype)
    ctype = content_type_of(path, ctype)
    local size = util.file_size(path)
    if size > M.MULTIPART_MAX then return direct_upload(client, path, ctype, size) end
    local spec = create("/v3/assets")
    spec.json, spec.timeout = nil, M.UPLOAD_TIMEOUT
    spec.mime = { { name = "file", file = path, type = ctype, filename = basename(path) } }
    local data, err = client:request(spec)
    if data == nil then return nil, err end
    return asset_result(data, basename(path))
  end,
}

------------------------------------------------------------------ calls only v3 has

local V = {}

V.video_agent = {
  validate = checker(M.video_agent),
  request = function(_, a)
    local body = util.merge(a)
    if a.files then body.files = map(a.files, as_asset) end
    -- not documented as idempotent (docs 0.5): sent without a key, never retried after it left
    return { method = "POST", path = "/v3/video-agents", json = body, envelope = "v3", creates = true }
  end,
  job = { kind = "video_agent", id = function(d) return d and d.session_id end,
    fields = function(d) return { session_id = d.session_id, video_id = d.video_id } end },
}

V.create_proofread = {
  validate = checker(M.proofread),
  request = function(_, a) return create("/v3/video-translations/proofreads", translation_body(a)) end,
  result = function(d, a, _, _, client) return jobs_per_language(client, "proofread", d and d.proofread_ids, a) end,
}

local function proofread_path(pid, tail) return "/v3/video-translations/proofreads/" .. enc(pid) .. (tail or "") end

V.proofread_srt = {
  args = "id",
  request = function(_, pid) return get(proofread_path(pid, "/srt")) end,
}

V.replace_proofread_srt = {
  args = function(pid, srt)
    return type(pid) == "string" and pid ~= "" and srt ~= nil, "a proofread id and the new SRT (a URL or an asset)"
  end,
  validate = function(_, srt) return validate.check({ srt = srt }, { type = "table", fields = {
    srt = asset_arg(true, true) } }, "") end,
  request = function(_, pid, srt) return send("PUT", proofread_path(pid, "/srt"), { srt = as_asset(srt) }) end,
}

V.generate_proofread = {
  args = "id_table",
  validate = function(_, opts) return validate.check(opts or {}, M.proofread_generate, "") end,
  request = function(_, pid, opts) return create(proofread_path(pid, "/generate"), opts or {}) end,
  job = { kind = "translate", id = function(d) return d and d.video_translation_id end,
    fields = function(_, pid) return { proofread_id = pid } end },
}

local function lipsync_body(a) return util.merge(a, { video = as_asset(a.video), audio = as_asset(a.audio) }) end

V.lipsync = {
  validate = checker(M.lipsync),
  request = function(_, a) return create("/v3/lipsyncs", lipsync_body(a)) end,
  job = { kind = "lipsync", id = function(d) return d and d.lipsync_id end },
}

-- Batches (docs 1.6, 5.4, 6): up to 100 items in one create, every item checked as its
-- single create checks it (the error naming the item) before anything is sent.
-- name -> the call, the list's field, what one item is, its check, its body, and how
-- many items it makes (a translation makes one per output language).
local BATCHES = {
  video = { call = "create_video_batch", list = "videos", what = "video tables",
    check = check_create_video, body = function(v) return v.type ~= nil and v or assert(M.v3_body(v)) end },
  translation = { call = "create_translation_batch", list = "video_translations", what = "translate_video tables",
    check = checker(M.translate_video), body = translation_body,
    count = function(v) return v.output_languages and #v.output_languages or 1 end },
  lipsync = { call = "create_lipsync_batch", list = "lipsyncs", what = "lipsync tables",
    check = checker(M.lipsync), body = lipsync_body },
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
    local ok, err = b.check(v)
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

for kind, b in pairs(BATCHES) do
  V[b.call] = {
    validate = function(a) return check_batch(b, a) end,
    request = function(_, a)
      local bodies = {}
      for i, v in ipairs(a[b.list]) do bodies[i] = b.body(v) end
      return create(require("heygen.batch").KINDS[kind].path,
        { [b.list] = bodies, title = a.title, callback_url = a.callback_url })
    end,
    result = function(d, _, _, _, client)
      local batch_id = type(d) == "table" and d.batch_id
      if type(batch_id) ~= "string" or batch_id == "" then
        return nil, errors.new { kind = "protocol", message = b.call .. ": the answer carried no batch_id" }
      end
      local batch = require "heygen.batch"
      return batch.journal_created(batch.new(client, batch_id, kind))
    end,
  }
  V[kind .. "_batch"] = {
    args = "id",
    run = function(client, batch_id) return require("heygen.batch").new(client, batch_id, kind) end,
  }
end

V.text_to_speech = {
  validate = checker(M.text_to_speech),
  request = function(_, a) return send("POST", "/v3/voices/speech", a) end,
}

V.me = { args = "none", request = function() return get("/v3/users/me") end }

local function same(a) return a end

V.avatar_groups = {
  args = "optional_table",
  validate = checker(M.groups_filter),
  run = whole_list("/v3/avatars", M.PAGE.groups, nil, same),
}

V.avatar_group = { args = "id", request = function(_, gid) return get("/v3/avatars/" .. enc(gid)) end }

V.avatar_looks = {
  args = "optional_table",
  validate = checker(M.looks_filter),
  run = whole_list("/v3/avatars/looks", M.PAGE.looks, look_item, same),
}

V.webhook_endpoints = { args = "none", run = whole_list("/v3/webhooks/endpoints", M.PAGE.webhooks) }

V.create_webhook_endpoint = {
  validate = checker(M.webhook_endpoint),
  request = function(_, a) return create("/v3/webhooks/endpoints", a) end,
}

V.update_webhook_endpoint = {
  args = "id_table",
  validate = function(_, a) return validate.check(a or {}, M.webhook_update, "") end,
  request = function(_, eid, a) return send("PATCH", "/v3/webhooks/endpoints/" .. enc(eid), a or {}) end,
}

V.delete_webhook_endpoint = {
  args = "id",
  request = function(_, eid) return send("DELETE", "/v3/webhooks/endpoints/" .. enc(eid)) end,
  result = function() return true end,
}

V.rotate_webhook_secret = {
  args = "id",
  request = function(_, eid)
    -- the operation takes no body: an empty one, and no content type (an empty header
    -- line keeps libcurl from adding its form one)
    local spec = create("/v3/webhooks/endpoints/" .. enc(eid) .. "/rotate-secret")
    spec.body, spec.headers = "", { ["Content-Type"] = "" }
    return spec
  end,
}

-- GET /v3/webhooks/event-types has no parameters: one GET answers the whole list.
V.webhook_event_types = {
  args = "none",
  request = function() return get("/v3/webhooks/event-types") end,
  result = function(d) return type(d) == "table" and d or {} end,
}

V.webhook_events = {
  args = "optional_table",
  validate = checker(M.webhook_events),
  request = function(_, a) return get("/v3/webhooks/events", a) end,
  result = function(d, _, _, doc)
    return d or {}, type(doc) == "table" and doc.has_more and doc.next_token or nil
  end,
}

M.endpoints = merged(E, V)
M.v3_only = V

api.define("v3", M.endpoints)
api.define("v2", V) -- calls with no legacy twin work whatever `api` says
return M
