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


-- BEGIN calls (generated by scripts/api-doc --write from the rows of lua/heygen/api)
--- Short clips cut from a long video: a Job whose result lists the clips (job:download writes the best one).
---@param o {video: string|table, title?: string, input_language?: string, output_settings?: table, callback_url?: string, callback_id?: string}
---@return heygen.Job|nil
---@return heygen.Error|nil err
function Client:ai_clipping(o) end

--- One AI clipping job and its clips.
---@param job_id string
---@return table|nil
---@return heygen.Error|nil err
function Client:ai_clipping_job(job_id) end

--- One page of AI clipping jobs, and the next page's token.
---@param o? {limit?: integer, token?: string}
---@return table[]|nil
---@return string?
---@return heygen.Error|nil err
function Client:ai_clipping_jobs(o) end

--- One asset: name, type, url.
---@param asset_id string
---@return table|nil
---@return heygen.Error|nil err
function Client:asset(asset_id) end

--- An asset batch: its status and items.
---@param batch_id string
---@return table|nil
---@return heygen.Error|nil err
function Client:asset_batch(batch_id) end

--- The upload status of up to 100 assets or asset batches.
---@param o {asset_ids?: string[], batch_ids?: string[]}
---@return table[]|nil
---@return heygen.Error|nil err
function Client:asset_statuses(o) end

--- One page of your assets, and the next page's token.
---@param o? {limit?: integer, token?: string, folder_id?: string, username?: string}
---@return table[]|nil
---@return string?
---@return heygen.Error|nil err
function Client:assets(o) end

--- Music and sound effects matching a query (one page, and the next token).
---@param o {query: string, type?: string, min_score?: number, limit?: integer, token?: string}
---@return table[]|nil
---@return string?
---@return heygen.Error|nil err
function Client:audio_sounds(o) end

--- One avatar (v3: one look).
---@param avatar_id string
---@return heygen.AvatarDetails|nil
---@return heygen.Error|nil err
function Client:avatar(avatar_id) end

--- Give the consent a digital twin needs.
---@param group_id string
---@param o? {consent_text?: string, consent_video?: string|table, reroute_url?: string}
---@return table|nil
---@return heygen.Error|nil err
function Client:avatar_consent(group_id, o) end

--- One avatar group.
---@param group_id string
---@return heygen.AvatarGroup|nil
---@return heygen.Error|nil err
function Client:avatar_group(group_id) end

--- Every avatar group.
---@param o? {ownership?: string}
---@return heygen.AvatarGroup[]|nil
---@return heygen.Error|nil err
function Client:avatar_groups(o) end

--- One look, from any client.
---@param look_id string
---@return heygen.AvatarLook|nil
---@return heygen.Error|nil err
function Client:avatar_look(look_id) end

--- Every avatar look.
---@param o? heygen.LooksFilter
---@return heygen.AvatarLook[]|nil
---@return heygen.Error|nil err
function Client:avatar_looks(o) end

--- One scene, the avatar and voice chosen for you when not given (job.choice_reason says why).
---@param req {script: string, avatar_id?: string, voice_id?: string, background?: string|table, dimension?: table, test?: boolean, title?: string, caption?: boolean}
---@return heygen.Job|nil
---@return heygen.Error|nil err
function Client:avatar_video(req) end

--- Every avatar and talking photo of the account.
---@return heygen.AvatarList|nil
---@return heygen.Error|nil err
function Client:avatars() end

--- One background removal.
---@param job_id string
---@return table|nil
---@return heygen.Error|nil err
function Client:background_removal(job_id) end

--- One page of background removals, and the next page's token.
---@param o? {limit?: integer, token?: string}
---@return table[]|nil
---@return string?
---@return heygen.Error|nil err
function Client:background_removals(o) end

--- Every brand glossary of the account (brand_glossary_id for translate_video and proofreads).
---@return {brand_glossary_id: string, name: string, created_at: string, updated_at: string}[]|nil
---@return heygen.Error|nil err
function Client:brand_glossaries() end

--- Every brand kit of the account (brand_kit_id for video_agent and its messages).
---@return {brand_kit_id: string, name: string, colors: string[]?, logo_url: string?}[]|nil
---@return heygen.Error|nil err
function Client:brand_kits() end

--- Clone a voice from a recording: a Job that ends when the voice is ready.
---@param o {voice_name: string, audio: string|table, language?: string, remove_background_noise?: boolean}
---@return heygen.Job|nil
---@return heygen.Error|nil err
function Client:clone_voice(o) end

--- Finish an asset batch whose files were PUT to their slots (upload_assets does this).
---@param batch_id string
---@return table|nil
---@return heygen.Error|nil err
function Client:complete_asset_batch(batch_id) end

--- Create an avatar (a group and its look) from a photo, a digital twin video or a prompt.
---@param o {type: "photo"|"digital_twin"|"prompt", name: string, file?: table, prompt?: string, avatar_group_id?: string, reference_images?: table[]}
---@return table|nil
---@return heygen.Error|nil err
function Client:create_avatar(o) end

--- Up to 100 lipsync tables in one create (one Idempotency-Key for the lot).
---@param req {lipsyncs: table[], title?: string, callback_url?: string}
---@return heygen.Batch|nil
---@return heygen.Error|nil err
function Client:create_lipsync_batch(req) end

--- A proofread of a translation before it is rendered (one Job per output language).
---@param req table
---@return heygen.Job|heygen.Job[]|nil
---@return heygen.Error|nil err
function Client:create_proofread(req) end

--- Up to 100 translate_video tables in one create (one Idempotency-Key for the lot).
---@param req {video_translations: table[], title?: string, callback_url?: string}
---@return heygen.Batch|nil
---@return heygen.Error|nil err
function Client:create_translation_batch(req) end

--- An avatar video from one or more scenes (v3: or a v3 body with type).
---@param req {video_inputs: heygen.Scene[], dimension?: heygen.Dimension, title?: string, test?: boolean, caption?: boolean, callback_id?: string, callback_url?: string, folder_id?: string}
---@return heygen.Job|nil
---@return heygen.Error|nil err
function Client:create_video(req) end

--- Up to 100 video tables in one create (one Idempotency-Key for the lot).
---@param req {videos: table[], title?: string, callback_url?: string}
---@return heygen.Batch|nil
---@return heygen.Error|nil err
function Client:create_video_batch(req) end

--- Register an https endpoint (its secret is only in this answer).
---@param o heygen.EndpointOptions
---@return heygen.WebhookEndpoint|nil
---@return heygen.Error|nil err
function Client:create_webhook_endpoint(o) end

--- A transparent WebM video.
---@param req {avatar_pose_id: string, avatar_style?: string, input_text?: string, voice_id?: string, input_audio?: string, dimension?: table}
---@return heygen.Job|nil
---@return heygen.Error|nil err
function Client:create_webm(req) end

--- Delete an AI clipping job.
---@param job_id string
---@return true|nil
---@return heygen.Error|nil err
function Client:delete_ai_clipping(job_id) end

--- Delete an asset.
---@param asset_id string
---@return true|nil
---@return heygen.Error|nil err
function Client:delete_asset(asset_id) end

--- Delete an avatar group and its looks.
---@param group_id string
---@return true|nil
---@return heygen.Error|nil err
function Client:delete_avatar_group(group_id) end

--- Delete a look.
---@param look_id string
---@return true|nil
---@return heygen.Error|nil err
function Client:delete_avatar_look(look_id) end

--- Delete a background removal.
---@param job_id string
---@return true|nil
---@return heygen.Error|nil err
function Client:delete_background_removal(job_id) end

--- Delete a lipsync.
---@param lipsync_id string
---@return true|nil
---@return heygen.Error|nil err
function Client:delete_lipsync(lipsync_id) end

--- Delete a translation.
---@param video_translation_id string
---@return true|nil
---@return heygen.Error|nil err
function Client:delete_translation(video_translation_id) end

--- Delete a video.
---@param video_id string
---@param opts? {type?: "heygen_video"|"video_translate"}
---@return true|nil
---@return heygen.Error|nil err
function Client:delete_video(video_id, opts) end

--- Delete a voice of yours.
---@param voice_id string
---@return true|nil
---@return heygen.Error|nil err
function Client:delete_voice(voice_id) end

--- Remove an endpoint.
---@param id string
---@return true|nil
---@return heygen.Error|nil err
function Client:delete_webhook_endpoint(id) end

--- Voices designed from a description.
---@param o {prompt: string, gender?: string, locale?: string, seed?: integer}
---@return {seed: integer, voices: heygen.Voice[]}|nil
---@return heygen.Error|nil err
function Client:design_voice(o) end

--- An iterator over every video, page after page (a failed page raises its heygen.Error).
---@param req? {limit?: integer, folder_id?: string}
---@return fun(): heygen.VideoItem|nil
function Client:each_video(req) end

--- A video from a template; a plain string variable is a text variable.
---@param template_id string
---@param args? {variables?: table<string, string|table>, title?: string, caption?: boolean, test?: boolean, dimension?: table}
---@return heygen.Job|nil
---@return heygen.Error|nil err
function Client:generate_from_template(template_id, args) end

--- Render a proofread translation (a "translate" Job).
---@param proofread_id string
---@param opts? table
---@return heygen.Job|nil
---@return heygen.Error|nil err
function Client:generate_proofread(proofread_id, opts) end

--- Text-to-video through a HeyGen workflow provider (VEO, Kling, Sora, Runway, Seedance, LTX).
---@param req {prompt: string, provider?: string, aspect_ratio?: string, reference_image_url?: string, tail_image_url?: string, config?: table}
---@return heygen.Job|nil
---@return heygen.Error|nil err
function Client:generate_video(req) end

--- Dub a video with new audio.
---@param o heygen.LipsyncOptions
---@return heygen.Job|nil
---@return heygen.Error|nil err
function Client:lipsync(o) end

--- Re-attach to a lipsync batch.
---@param batch_id string
---@return heygen.Batch|nil
---@return heygen.Error|nil err
function Client:lipsync_batch(batch_id) end

--- One status read of a lipsync.
---@param lipsync_id string
---@return table|nil
---@return heygen.Error|nil err
function Client:lipsync_status(lipsync_id) end

--- One page of your lipsyncs, and the next page's token.
---@param o? {limit?: integer, token?: string}
---@return table[]|nil
---@return string?
---@return heygen.Error|nil err
function Client:lipsyncs(o) end

--- The account: username and one billing object.
---@return heygen.Me|nil
---@return heygen.Error|nil err
function Client:me() end

--- A proofread's subtitles.
---@param proofread_id string
---@return table|nil
---@return heygen.Error|nil err
function Client:proofread_srt(proofread_id) end

--- Seconds of video the balance pays for (credits = seconds / 60).
---@return heygen.Quota|nil
---@return heygen.Error|nil err
function Client:remaining_quota() end

--- Remove a video's background: a Job whose result has the layer URLs (job:download writes the foreground).
---@param o {video: string|table, layers?: string[], title?: string, request_id?: string}
---@return heygen.Job|nil
---@return heygen.Error|nil err
function Client:remove_background(o) end

--- Replace a proofread's subtitles (a URL or an AssetInput).
---@param proofread_id string
---@param srt string|table
---@return table|nil
---@return heygen.Error|nil err
function Client:replace_proofread_srt(proofread_id, srt) end

--- A new signing secret.
---@param id string
---@return {endpoint_id: string, secret: string}|nil
---@return heygen.Error|nil err
function Client:rotate_webhook_secret(id) end

--- Stock images and icons matching a query (one page, and the next token).
---@param o {query: string, type: "image"|"icon", scope?: string, limit?: integer, token?: string}
---@return table[]|nil
---@return string?
---@return heygen.Error|nil err
function Client:search_assets(o) end

--- A public share URL of a video.
---@param video_id string
---@return string|nil
---@return heygen.Error|nil err
function Client:share_video(video_id) end

--- Stop a session at its next checkpoint (job:cancel does this for a Job).
---@param session_id string
---@return {session_id: string}|nil
---@return heygen.Error|nil err
function Client:stop_video_agent(session_id) end

--- One template and its variables.
---@param template_id string
---@return heygen.TemplateDetails|nil
---@return heygen.Error|nil err
function Client:template(template_id) end

--- Every template of the account.
---@return heygen.Template[]|nil
---@return heygen.Error|nil err
function Client:templates() end

--- Speech audio from text.
---@param o heygen.SpeechOptions
---@return heygen.Speech|nil
---@return heygen.Error|nil err
function Client:text_to_speech(o) end

--- The languages a video can be translated to.
---@return string[]|nil
---@return heygen.Error|nil err
function Client:translate_languages() end

--- Translate a video (v3: a list of Jobs for output_languages).
---@param req {video_url: string, output_language?: string, output_languages?: string[], title?: string}
---@return heygen.Job|nil
---@return heygen.Error|nil err
function Client:translate_video(req) end

--- Re-attach to a translation batch.
---@param batch_id string
---@return heygen.Batch|nil
---@return heygen.Error|nil err
function Client:translation_batch(batch_id) end

--- One status read of a translation.
---@param video_translation_id string
---@return table|nil
---@return heygen.Error|nil err
function Client:translation_status(video_translation_id) end

--- Rename a look.
---@param look_id string
---@param o {name?: string}
---@return heygen.AvatarLook|nil
---@return heygen.Error|nil err
function Client:update_avatar_look(look_id, o) end

--- Rename a lipsync.
---@param lipsync_id string
---@param o {title: string}
---@return table|nil
---@return heygen.Error|nil err
function Client:update_lipsync(lipsync_id, o) end

--- Rename a translation.
---@param video_translation_id string
---@param o {title: string}
---@return table|nil
---@return heygen.Error|nil err
function Client:update_translation(video_translation_id, o) end

--- Change an endpoint's url or events.
---@param id string
---@param o table
---@return heygen.WebhookEndpoint|nil
---@return heygen.Error|nil err
function Client:update_webhook_endpoint(id, o) end

--- Upload a file; its id goes into other calls.
---@param path string
---@param content_type? string
---@return heygen.Asset|nil
---@return heygen.Error|nil err
function Client:upload_asset(path, content_type) end

--- Upload up to 100 files in one batch (presigned slots, a PUT each, one complete).
---@param o {paths: string[], title?: string, callback_url?: string}
---@return {batch_id: string, assets: {id: string, name: string}[]}|nil
---@return heygen.Error|nil err
function Client:upload_assets(o) end

--- A video from a prompt.
---@param o heygen.VideoAgentOptions
---@return heygen.Job|nil
---@return heygen.Error|nil err
function Client:video_agent(o) end

--- Send a message to a session: an answer, a follow-up or a revision request (job:reply does this).
---@param session_id string
---@param message string|table
---@return {session_id: string, run_id: string}|nil
---@return heygen.Error|nil err
function Client:video_agent_message(session_id, message) end

--- A resource a session message names (resource_ids): its type and URLs.
---@param session_id string
---@param resource_id string
---@return table|nil
---@return heygen.Error|nil err
function Client:video_agent_resource(session_id, resource_id) end

--- One session: status, progress, messages, video_id.
---@param session_id string
---@return table|nil
---@return heygen.Error|nil err
function Client:video_agent_session(session_id) end

--- One page of your sessions, and the next page's token.
---@param o? {limit?: integer, token?: string}
---@return table[]|nil
---@return string?
---@return heygen.Error|nil err
function Client:video_agent_sessions(o) end

--- Every style a session can take (style_id).
---@param o? {tag?: string}
---@return table[]|nil
---@return heygen.Error|nil err
function Client:video_agent_styles(o) end

--- The videos a session made (legacy names added).
---@param session_id string
---@return table[]|nil
---@return heygen.Error|nil err
function Client:video_agent_videos(session_id) end

--- Re-attach to a video batch.
---@param batch_id string
---@return heygen.Batch|nil
---@return heygen.Error|nil err
function Client:video_batch(batch_id) end

--- One status read of a video.
---@param video_id string
---@return table|nil
---@return heygen.Error|nil err
function Client:video_status(video_id) end

--- One page of your video translations, and the next page's token.
---@param o? {limit?: integer, token?: string}
---@return table[]|nil
---@return string?
---@return heygen.Error|nil err
function Client:video_translations(o) end

--- One page of your videos; pass token back for the next.
---@param req? {limit?: integer, token?: string, folder_id?: string, title?: string}
---@return heygen.VideoPage|nil
---@return heygen.Error|nil err
function Client:videos(req) end

--- One voice (a clone's training status too).
---@param voice_id string
---@return heygen.Voice|nil
---@return heygen.Error|nil err
function Client:voice(voice_id) end

--- Every voice, filtered by language and gender (case-insensitively).
---@param filter? {language?: string, gender?: string, engine?: string, type?: string}
---@return heygen.Voice[]|nil
---@return heygen.Error|nil err
function Client:voices(filter) end

--- Every webhook endpoint.
---@return heygen.WebhookEndpoint[]|nil
---@return heygen.Error|nil err
function Client:webhook_endpoints() end

--- The event types an endpoint can take.
---@return {event_type: string, description: string}[]|nil
---@return heygen.Error|nil err
function Client:webhook_event_types() end

--- One page of past events, and the next token.
---@param o? table
---@return table[]|nil
---@return string?
---@return heygen.Error|nil err
function Client:webhook_events(o) end
-- END calls

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
