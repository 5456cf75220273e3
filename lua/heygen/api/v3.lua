--- The v3 calls live in their resource files now (lua/heygen/api/<resource>.lua, a v3 row
-- beside each legacy one); this module keeps the helpers other modules and scripts took
-- from here.
local assets = require "heygen.api.assets"
local support = require "heygen.api.support"
local video_body = require "heygen.api.video_body"
local videos = require "heygen.api.videos"

return {
  all_pages = support.all_pages,           -- heygen.batch
  idempotency_key = support.idempotency_key,
  video_result = videos.result,
  v3_body = video_body.v3_body,
  from_dimension = video_body.from_dimension,
  MULTIPART_MAX = assets.MULTIPART_MAX,
  ASSET_TYPES = assets.ASSET_TYPES,
}
