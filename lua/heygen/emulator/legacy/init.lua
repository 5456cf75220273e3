-- heygen.emulator.legacy: the HeyGen v1/v2 endpoints of docs/heygen-api.md section 3,
-- plus the presigned downloads (/files/), catalogue media (/static/) and share pages.
--
-- Each endpoint answers in its own generation's envelope (heygen.emulator.reply) and
-- validates the documented constraints the way the API would, naming field and value.
-- The handlers live by resource in legacy/<resource>.lua (shared checks and job views
-- in legacy/support.lua); this file is the route table, one row per endpoint.
local S = require "heygen.emulator.legacy.support"
local workflows = require "heygen.emulator.legacy.workflows"
local videos = require "heygen.emulator.legacy.videos"
local catalogue = require "heygen.emulator.legacy.catalogue"
local templates = require "heygen.emulator.legacy.templates"
local translations = require "heygen.emulator.legacy.translations"
local account = require "heygen.emulator.legacy.account"
local files = require "heygen.emulator.legacy.files"

local M = {}

M.PROVIDERS, M.ASSET_TYPES, M.ASSET_LIMITS = S.PROVIDERS, S.ASSET_TYPES, S.ASSET_LIMITS
M.watch = S.watch

local K = "api_key"

M.routes = {
  {"POST", "/v1/workflows/executions", workflows.create_workflow, auth = K, gen = "workflow"},
  {"GET", "/v1/workflows/executions/([^/]+)", workflows.get_workflow, auth = K, gen = "workflow"},
  {"POST", "/v2/video/generate", videos.generate_video, auth = K, gen = "v2"},
  {"GET", "/v1/video_status%.get", videos.video_status_get, auth = K, gen = "v1"},
  {"POST", "/v1/video%.webm", videos.create_webm, auth = K, gen = "v1"},
  {"GET", "/v2/avatars", catalogue.list_avatars, auth = K, gen = "v2"},
  {"GET", "/v2/avatar/([^/]+)/details", catalogue.avatar_details, auth = K, gen = "v2"},
  {"GET", "/v2/voices", catalogue.list_voices, auth = K, gen = "v2"},
  {"GET", "/v2/templates", templates.list_templates, auth = K, gen = "v2"},
  {"GET", "/v2/template/([^/]+)", templates.get_template, auth = K, gen = "v2"},
  {"POST", "/v2/template/([^/]+)/generate", templates.generate_from_template, auth = K, gen = "v2"},
  {"GET", "/v2/video_translate/target_languages", translations.target_languages, auth = K, gen = "v2"},
  {"GET", "/v2/video_translate/caption", translations.translate_caption, auth = K, gen = "v2"},
  {"POST", "/v2/video_translate", translations.create_translate, auth = K, gen = "v2"},
  {"GET", "/v2/video_translate/([^/]+)", translations.get_translate, auth = K, gen = "v2"},
  {"GET", "/v1/video%.list", videos.list_videos, auth = K, gen = "v1"},
  {"DELETE", "/v1/video%.delete", videos.delete_video, auth = K, gen = "v1"},
  {"POST", "/v1/video/share", videos.share_video, auth = K, gen = "v1"},
  {"GET", "/v2/user/remaining_quota", account.remaining_quota, auth = K, gen = "v2"},
  {"POST", "/v1/asset", account.upload_asset, auth = K, gen = "v1"},
}
for _, r in ipairs(M.routes) do r.headers = S.LEGACY_HEADERS end

M.media_routes = {
  {"GET", "/files/(.+)", files.get_file, gen = "files"},
  {"GET", "/static/(.+)", files.get_static, gen = "files"},
  {"GET", "/share/([^/]+)", files.share_page, gen = "files"},
}

function M.register(app, st)
  st.webhooks:watcher(M.watch)
  app:load(M.routes)
  app:load(M.media_routes)
end

return M
