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

--- Text-to-video through a HeyGen workflow provider (VEO, Kling, Sora, Runway, Seedance, LTX).
---@param req {prompt: string, provider?: string, aspect_ratio?: string, reference_image_url?: string, tail_image_url?: string, config?: table}
---@return heygen.Job|nil job
---@return heygen.Error|nil err
function Client:generate_video(req) end

--- An avatar video from one or more scenes.
---@param req {video_inputs: heygen.Scene[], dimension?: heygen.Dimension, title?: string, test?: boolean, caption?: boolean, callback_id?: string, callback_url?: string, folder_id?: string}
---@return heygen.Job|nil job
---@return heygen.Error|nil err
function Client:create_video(req) end

--- Up to 100 videos in one request (POST /v3/videos/batches, one Idempotency-Key for the
--- lot): each item a create_video table (v3 body, or the v2 shape create_video takes).
--- Every item is checked before anything is sent. Works whatever `api` says. With the
--- client's `journal`, the batch id is on disk before this returns (heygen.resume).
---@param req {videos: table[], title?: string, callback_url?: string}
---@return heygen.Batch|nil batch
---@return heygen.Error|nil err
function Client:create_video_batch(req) end

--- A batch made earlier, by its id (to wait for it again: a batch is never re-submitted).
---@param batch_id string
---@return heygen.Batch
function Client:video_batch(batch_id) end

--- Up to 100 translations in one request (POST /v3/video-translations/batches): each
--- item a translate_video table; an item with several output_languages makes one item per
--- language, 100 in all at most. Every item is checked first; journaled like jobs.
---@param req {video_translations: table[], title?: string, callback_url?: string}
---@return heygen.Batch|nil batch its items' jobs are "translate" jobs
---@return heygen.Error|nil err
function Client:create_translation_batch(req) end

--- A translation batch made earlier, by its id.
---@param batch_id string
---@return heygen.Batch
function Client:translation_batch(batch_id) end

--- Up to 100 lipsyncs in one request (POST /v3/lipsyncs/batches): each item a
--- hg:lipsync table. Every item is checked first; journaled like jobs.
---@param req {lipsyncs: table[], title?: string, callback_url?: string}
---@return heygen.Batch|nil batch its items' jobs are "lipsync" jobs
---@return heygen.Error|nil err
function Client:create_lipsync_batch(req) end

--- A lipsync batch made earlier, by its id.
---@param batch_id string
---@return heygen.Batch
function Client:lipsync_batch(batch_id) end

--- Start a proofread (POST /v3/video-translations/proofreads): the translation's subtitles,
--- to review before anything is rendered. Fields as translate_video, plus title (required);
--- one Job (kind "proofread") per output language: a list for output_languages.
---@param req table
---@return heygen.Job|heygen.Job[]|nil job
---@return heygen.Error|nil err
function Client:create_proofread(req) end

--- A completed proofread's subtitles: {srt_url, original_srt_url (set once replaced)}.
---@param proofread_id string
---@return table|nil srt
---@return heygen.Error|nil err
function Client:proofread_srt(proofread_id) end

--- Replace a completed proofread's subtitles with reviewed ones (a URL or an asset).
---@param proofread_id string
---@param srt string|table "https://..." or {type = "asset_id", asset_id = ...}
---@return table|nil proofread
---@return heygen.Error|nil err
function Client:replace_proofread_srt(proofread_id, srt) end

--- Render the translation from a completed proofread: a Job of kind "translate".
---@param proofread_id string
---@param opts? {captions?: boolean, translate_audio_only?: boolean, callback_url?: string, callback_id?: string}
---@return heygen.Job|nil job
---@return heygen.Error|nil err
function Client:generate_proofread(proofread_id, opts) end

--- An avatar video from a script; picks an avatar and its default voice when not given.
---@param req {script: string, avatar_id?: string, voice_id?: string, background?: table, dimension?: heygen.Dimension, test?: boolean}
---@return heygen.Job|nil job
---@return heygen.Error|nil err
function Client:avatar_video(req) end

--- A WebM avatar video with a transparent background.
---@param req {avatar_pose_id: string, avatar_style?: string, input_text?: string, voice_id?: string, input_audio?: string, dimension?: heygen.Dimension}
---@return heygen.Job|nil job
---@return heygen.Error|nil err
function Client:create_webm(req) end

---@param video_id string
---@return table|nil status
---@return heygen.Error|nil err
function Client:video_status(video_id) end

---@return table[]|nil avatars
---@return heygen.Error|nil err
function Client:avatars() end

---@param id string
---@return table|nil avatar
---@return heygen.Error|nil err
function Client:avatar(id) end

--- Voices, filtered client-side.
---@param filter? {language?: string, gender?: string}
---@return table[]|nil voices
---@return heygen.Error|nil err
function Client:voices(filter) end

---@return table[]|nil templates
---@return heygen.Error|nil err
function Client:templates() end

---@param id string
---@return table|nil template
---@return heygen.Error|nil err
function Client:template(id) end

---@param id string the template
---@param req? {variables?: table, title?: string, caption?: boolean, test?: boolean, dimension?: heygen.Dimension}
---@return heygen.Job|nil job
---@return heygen.Error|nil err
function Client:generate_from_template(id, req) end

---@param req {video_url: string, output_language: string, title?: string}
---@return heygen.Job|nil job
---@return heygen.Error|nil err
function Client:translate_video(req) end

---@return string[]|nil languages
---@return heygen.Error|nil err
function Client:translate_languages() end

--- One page of videos; `token` continues a listing.
---@param req? {limit?: integer, token?: string}
---@return table|nil page
---@return heygen.Error|nil err
function Client:videos(req) end

--- Every video, page after page: `for video in hg:each_video() do ... end`.
---@return fun(): table|nil
function Client:each_video() end

---@param id string
---@return table|nil
---@return heygen.Error|nil err
function Client:delete_video(id) end

---@param id string
---@return table|nil share the shareable URL
---@return heygen.Error|nil err
function Client:share_video(id) end

---@return table|nil quota
---@return heygen.Error|nil err
function Client:remaining_quota() end

--- Upload a local file as an asset (image, video or audio).
---@param path string
---@param content_type? string guessed from the extension when not given
---@return table|nil asset {id =, url =, ...}
---@return heygen.Error|nil err
function Client:upload_asset(path, content_type) end

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
