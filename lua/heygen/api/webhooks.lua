--- Webhook endpoints and events (v3 only, ../shared/docs/heygen-v3.md 8). Receiving and
-- verifying deliveries is heygen.webhook.
local api = require "heygen.api"
local schema = require "heygen.api.schema.v3"
local support = require "heygen.api.support"

local M = {}

M.PAGE = 100


api.rows {
  webhook_endpoints = {
    doc = { returns = "heygen.WebhookEndpoint[]", text = "Every webhook endpoint" },
    v3 = { args = "none", path = "/v3/webhooks/endpoints", pages = M.PAGE },
  },

  create_webhook_endpoint = {
    doc = { args = "o: heygen.EndpointOptions", returns = "heygen.WebhookEndpoint",
      text = "Register an https endpoint (its secret is only in this answer)" },
    v3 = { method = "POST", path = "/v3/webhooks/endpoints", creates = true, schema = schema.webhook_endpoint,
      body = "table" },
  },

  update_webhook_endpoint = {
    doc = { args = "id: string, o: table", returns = "heygen.WebhookEndpoint",
      text = "Change an endpoint's url or events" },
    v3 = { args = "id_table", schema = schema.webhook_update, method = "PATCH", path = "/v3/webhooks/endpoints/{1}",
      body = "table" },
  },

  delete_webhook_endpoint = {
    doc = { args = "id: string", returns = "true", text = "Remove an endpoint" },
    v3 = { args = "id", method = "DELETE", path = "/v3/webhooks/endpoints/{1}", result = support.yes },
  },

  rotate_webhook_secret = {
    doc = { args = "id: string", returns = "{endpoint_id: string, secret: string}", text = "A new signing secret" },
    v3 = { args = "id", http = "POST /v3/webhooks/endpoints/{1}/rotate-secret", request = function(_, eid)
      -- the operation takes no body: an empty one, and no content type (an empty header
      -- line keeps libcurl from adding its form one)
      local spec = support.create("/v3/webhooks/endpoints/" .. support.enc(eid) .. "/rotate-secret")
      spec.body, spec.headers = "", { ["Content-Type"] = "" }
      return spec
    end },
  },

  -- GET /v3/webhooks/event-types has no parameters: one GET answers the whole list.
  webhook_event_types = {
    doc = { returns = "{event_type: string, description: string}[]", text = "The event types an endpoint can take" },
    v3 = { args = "none", path = "/v3/webhooks/event-types",
      result = function(_, d) return type(d) == "table" and d or {} end },
  },

  webhook_events = {
    doc = { args = "o?: table", returns = "table[], string?", text = "One page of past events, and the next token" },
    v3 = { args = "optional_table", schema = schema.webhook_events, path = "/v3/webhooks/events", query = "table",
      result = function(_, d, doc)
        return d or {}, type(doc) == "table" and doc.has_more and doc.next_token or nil
      end },
  },
}

return M
