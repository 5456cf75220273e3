---@meta
-- The client's API calls are data (lua/heygen/api/*.lua, installed by
-- api.install), so editors cannot see them in the code. This file declares
-- them for lua-language-server: completion and checks on `hg:` in Neovim.
-- It is never run; docs/client.md is the contract it follows.

---@class heygen.Client
local Client = {}

--- What heygen.client{} takes; every field is optional, an unknown name is an error.
---@class heygen.ClientOptions
---@field api_key? string          HeyGen key (default: HEYGEN_API_KEY, else HEYGEN_TOKEN)
---@field fal_key? string          fal.ai key (default: FAL_KEY, else FAL_AI_API_KEY)
---@field base_url? string         default https://api.heygen.com (HEYGEN_BASE_URL)
---@field upload_url? string       default https://upload.heygen.com (HEYGEN_UPLOAD_URL)
---@field fal_url? string          default https://queue.fal.run (FAL_QUEUE_URL)
---@field fal_jwks_url? string     fal's webhook signing keys
---@field api? "v2"|"v3"           which HeyGen endpoints the shared calls use (default "v2")
---@field timeout? number          seconds per request (default 60; 0: none)
---@field connect_timeout? number  seconds to connect (default 10)
---@field max_retries? integer     retries of a request that may be retried (default 2)
---@field retry_base? number       first backoff, seconds (default 1)
---@field retry_cap? number        longest backoff or Retry-After honoured, seconds (default 30)
---@field poll? {initial?: number, factor?: number, max?: number} the status poll schedule
---@field poll_budget? number      status requests per second across all jobs (default 50; 0: none)
---@field journal? string          path of the job journal (heygen.resume reads it)
---@field budget? {usd: number, journal: string} the spend guard: paid submits are reserved in `journal`
---  first; one that would pass `usd` is refused (kind budget_exceeded) before any request (heygen.budget)
---@field cainfo? string           CA bundle for TLS (default: the system's)
---@field capath? string           CA directory for TLS
---@field user_agent? string
---@field on_warning? fun(message: string)  deprecation notices
---@field trace? fun(event: table)          one call per HTTP attempt (keys never in it)

---@class heygen.Scene
---@field character table {type = "avatar"|"talking_photo", avatar_id =, avatar_style =, ...}
---@field voice table {type = "text"|"audio"|"silence", voice_id =, input_text =, ...}
---@field background? table {type = "color"|"image"|"video", value =, url =, ...}

---@class heygen.Dimension
---@field width integer
---@field height integer

-- What the calls answer.
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
---


-- The calls that are rows of lua/heygen/api are declared in calls.meta.lua (generated by
-- scripts/api-doc --write); the ones below are code.

--- Submit to a fal.ai model's queue. opts.webhook_url: fal POSTs the outcome there
--- (`?fal_webhook=`), signed; check it with heygen.webhook.verify_fal.
---@param model_id string e.g. "bytedance/seedance-2.0/text-to-video"
---@param input table the model's input
---@param opts? {webhook_url?: string}
---@return heygen.Job|nil job
---@return heygen.Error|nil err
function Client:fal_submit(model_id, input, opts) end

--- fal.ai's webhook signing keys (Ed25519, from the client's `fal_jwks_url`, fetched
--- without credentials and kept for an hour); opts.refresh = true fetches them again.
---@param opts? {refresh?: boolean}
---@return string[]|nil keys for heygen.webhook.verify_fal
---@return heygen.Error|nil err
function Client:fal_webhook_keys(opts) end

--- Re-attach to a job by kind and id (never submitted again). A fal request needs its
--- model: hg:fal_job(model_id, request_id) (hg:job("fal", id) raises, saying so).
---@param kind string "workflow" | "video" | "translate" | "lipsync" | ...
---@param id string
---@return heygen.Job
function Client:job(kind, id) end

---@class heygen.Job
local Job = {}

---@class heygen.DownloadOptions
---@field on_progress? fun(done: integer, total: integer|nil)
---@field timeout? number the whole download, seconds (0: none)
---@field stall_timeout? number seconds under a byte a second before it is resumed (30)
---@field max_resumes? integer resumes after drops and stalls (5)
---@field wait? table job:wait's options, when the job has not completed yet
---@field overwrite? boolean false: keep an existing file (an "io" error, code "file_exists")

--- One status request.
---@return string|nil status
---@return heygen.Error|nil err
function Job:refresh() end

--- Poll until the job ends or `timeout` seconds pass (then err.kind == "timeout": resume,
--- never resubmit).
---@param opts? {timeout?: number, on_progress?: fun(job: heygen.Job), poll?: table}
---@return table|nil result video_url, video_id, thumbnail_url, duration, ...
---@return heygen.Error|nil err
function Job:wait(opts) end

--- Download the video to `path` (through a part file beside it, resumed after a dropped
--- connection). An existing `path` is replaced, unless overwrite = false (then an "io" error,
--- code "file_exists", and nothing fetched). Once the file is on disk the client's journal
--- (and the one heygen.resume read the job from) no longer keeps the job.
---@param path string
---@param opts? heygen.DownloadOptions
---@return string|nil path
---@return heygen.Error|nil err
function Job:download(path, opts) end

--- Stop following the job; fal jobs are cancelled remotely too.
---@return boolean|nil ok
---@return table|heygen.Error|nil remote_or_err
function Job:cancel() end

---@class heygen.BatchItem
---@field index integer 1-based (the API's item_index + 1)
---@field video_id string|nil its video, once it has one
---@field status string queued | processing | completed | failed
---@field error table|nil {code, message} of a failed item

---@class heygen.Batch
---@field id string the batch_id
---@field kind string "video_batch" | "translation_batch" | "lipsync_batch"
---@field status string processing | completed | failed (every item ended)
---@field items heygen.BatchItem[] as of the last refresh
---@field total_items integer|nil
---@field counts table|nil counts_by_status
local Batch = {}

--- Read the batch (every page of its items).
---@return string|nil status
---@return heygen.Error|nil err
function Batch:refresh() end

--- Poll until every item has ended (or `timeout` seconds, default 1800, page requests
--- included: then err.kind == "timeout", the batch left running), then read each video
--- whole. With a journal, a batch that ended leaves each item's video there as a job of its
--- own (kind "video", ...), kept until it is downloaded or forgotten.
---@param opts? {timeout?: number, on_progress?: fun(batch: heygen.Batch)}
---@return table|nil results by item: what job:wait() gives for its video
---@return table|nil errors by item (nil when none)
function Batch:wait(opts) end

--- The Job of item i's video (nil while it has none); the same object on every call.
---@param i integer
---@return heygen.Job|nil
function Batch:job(i) end

--- The Jobs of the items' videos, by item.
---@return heygen.Job[]
function Batch:jobs() end

---@class heygen.Task
local Task = {}

--- The task's results, or its error raised in the waiter.
---@return any ...
function Task:wait() end

--- true, results... on success; false, message on error; nil, "task still running".
---@return boolean|nil ok
---@return any ...
function Task:result() end

---@return boolean
function Task:done() end
