-- heygen.emulator.v3.webhooks: webhook endpoints and the event log (docs/heygen-v3.md 8; the
-- contract's Webhook* operations): endpoints are created (with their signing secret, shown
-- once), listed, updated (events fully replaced), deleted and their secret rotated; the
-- events every job noted when it ended (S.note_event) are listed newest first, filtered by
-- event_type and entity_id. Deliveries themselves are heygen.emulator.deliver's.
local reply = require "heygen.emulator.reply"
local S = require "heygen.emulator.v3.support"

local null = reply.null
local v3, invalid, not_found, body_object, check = S.v3, S.invalid, S.not_found, S.body_object, S.check
local id, opt, absent, iso, now = S.id, S.opt, S.absent, S.iso, S.now
local paginate, positions, by_position = S.paginate, S.positions, S.by_position

local M = {}


M.EVENT_TYPES = {
  {"avatar_video.success", "An avatar video finished rendering"},
  {"avatar_video.fail", "An avatar video failed to render"},
  {"avatar_video_gif.success", "The GIF preview of a video is ready"},
  {"avatar_video_gif.fail", "The GIF preview of a video failed"},
  {"avatar_video_caption.success", "The captioned video is ready"},
  {"avatar_video_caption.fail", "The captioned video failed"},
  {"video_translate.success", "A video translation finished"},
  {"video_translate.fail", "A video translation failed"},
  {"video_translate.preflight.validation_failed", "A translation input failed validation"},
  {"video_translate.preflight.download_failed", "A translation input could not be downloaded"},
  {"video_agent.success", "A Video Agent session produced its video"},
  {"video_agent.fail", "A Video Agent session failed"},
  {"personalized_video", "A personalized video event"},
  {"instant_avatar.success", "An instant avatar is ready"}, {"instant_avatar.fail", "An instant avatar failed"},
  {"photo_avatar_generation.success", "Photo avatar generated"},
  {"photo_avatar_generation.fail", "Photo avatar generation failed"},
  {"photo_avatar_train.success", "Photo avatar trained"}, {"photo_avatar_train.fail", "Photo avatar training failed"},
  {"photo_avatar_add_motion.success", "Motion added to a photo avatar"},
  {"photo_avatar_add_motion.fail", "Adding motion to a photo avatar failed"},
  {"proofread_creation.success", "A proofread is ready"}, {"proofread_creation.fail", "A proofread failed"},
  {"live_avatar.success", "A live avatar session ended"}, {"live_avatar.fail", "A live avatar session failed"},
  {"hyperframes_video.success", "A HyperFrames video is ready"},
  {"hyperframes_video.fail", "A HyperFrames video failed"},
  {"ai_clipping.success", "AI clipping finished"}, {"ai_clipping.fail", "AI clipping failed"},
  {"batch.finished", "Every item of a batch reached a terminal state"},
}
local EVENT_SET = {}
for _, e in ipairs(M.EVENT_TYPES) do EVENT_SET[e[1]] = true end

local ENDPOINT_RULE = {type = "object", closed = true, fields = {
  url = {type = "string", required = true, https = true},
  events = {type = "array", items = {type = "string", enum = EVENT_SET}}, entity_id = id,
}}

-- The contract's WebhookEndpoint: the entity_id a create may take is kept (it scopes the
-- deliveries) but is not one of the endpoint's answered fields.
local function endpoint_view(ep, with_secret)
  return {endpoint_id = ep.endpoint_id, url = ep.url, events = ep.events or null, status = ep.status,
          created_at = ep.created_at, secret = with_secret and ep.secret or null}
end

local function find_endpoint(st, eid)
  for i, ep in ipairs(st.v3.endpoints) do
    if ep.endpoint_id == eid then return ep, i end
  end
end

local function create_endpoint(req, st)
  local body, err = body_object(req)
  err = err or check(body, ENDPOINT_RULE, "")
  if err then return err end
  local ep = {endpoint_id = "ep_" .. st:id(16), url = body.url, events = opt(body.events), status = "enabled",
              created_at = iso(now()), secret = "whsec_" .. st:id(32), entity_id = opt(body.entity_id)}
  table.insert(st.v3.endpoints, ep)
  -- outcomes nobody watched so far happened before this endpoint: noted, never sent
  if #st.v3.endpoints == 1 then st.webhooks:catch_up(require("heygen.emulator.v3").watch) end
  return v3(endpoint_view(ep, true))
end

local function list_endpoints(req, st)
  return paginate(req, st, "endpoints", positions(st.v3.endpoints), by_position, 10, 100,
                  function(p) return endpoint_view(p.item, false) end)
end

local function update_endpoint(req, st, eid)
  local ep = find_endpoint(st, eid)
  if not ep then return not_found("not_found", "Webhook endpoint", eid) end
  local body, err = body_object(req)
  local rule = {type = "object", closed = true,
                fields = {url = {type = "string", https = true}, events = ENDPOINT_RULE.fields.events}}
  err = err or check(body, rule, "")
  if err then return err end
  if not absent(body.url) then ep.url = body.url end
  if body.events ~= nil then ep.events = opt(body.events) end     -- fully replaced
  return v3(endpoint_view(ep, false))
end

local function delete_endpoint(_, st, eid)
  local ep, i = find_endpoint(st, eid)
  if not ep then return not_found("not_found", "Webhook endpoint", eid) end
  table.remove(st.v3.endpoints, i)
  return reply.json(200, {data = {}, error = null})
end

local function rotate_secret(_, st, eid)
  local ep = find_endpoint(st, eid)
  if not ep then return not_found("not_found", "Webhook endpoint", eid) end
  ep.secret = "whsec_" .. st:id(32)
  return v3({endpoint_id = ep.endpoint_id, secret = ep.secret})
end

-- GET /v3/webhooks/event-types takes no parameters: the whole list in one answer
-- (has_more false, no next_token), whatever the query says.
local function event_types()
  local list = {}
  for i, t in ipairs(M.EVENT_TYPES) do list[i] = {event_type = t[1], description = t[2]} end
  return reply.json(200, {data = reply.array(list), has_more = false, next_token = null})
end

local function list_events(req, st)
  local q, list = req.query, {}
  if q.event_type and q.event_type ~= "" and not EVENT_SET[q.event_type] then
    return invalid("event_type", "must be a known event type", q.event_type)
  end
  for i = #st.v3.events, 1, -1 do
    local e = st.v3.events[i]
    if (not q.event_type or q.event_type == "" or e.event_type == q.event_type)
       and (not q.entity_id or q.entity_id == "" or e.entity_id == q.entity_id) then
      list[#list + 1] = e
    end
  end
  return paginate(req, st, "events", list, function(e) return -e.seq end, 10, 100, function(e)
    return {event_id = e.event_id, event_type = e.event_type, event_data = e.event_data, created_at = e.created_at}
  end)
end

M.routes = {
  {"POST", "/v3/webhooks/endpoints", S.idempotent(create_endpoint)},
  {"GET", "/v3/webhooks/endpoints", list_endpoints},
  {"PATCH", "/v3/webhooks/endpoints/([^/]+)", update_endpoint},
  {"DELETE", "/v3/webhooks/endpoints/([^/]+)", delete_endpoint},
  {"POST", "/v3/webhooks/endpoints/([^/]+)/rotate%-secret", S.idempotent(rotate_secret)},
  {"GET", "/v3/webhooks/event%-types", event_types},
  {"GET", "/v3/webhooks/events", list_events},
}

return M
