-- heygen.emulator.v3.brands: the account's brand kits and brand glossaries (GET /v3/brand-kits,
-- GET /v3/brand-glossaries; the contract's BrandKitsList and BrandGlossariesList). Both are
-- seeded (M.KITS, M.GLOSSARIES) and never change; their ids are the ones other calls accept:
-- a video agent's brand_kit_id, a translation's brand_glossary_id (M.kit_rule, M.glossary_rule).
local reply = require "heygen.emulator.reply"
local S = require "heygen.emulator.v3.support"

local paginate, positions, by_position, invalid = S.paginate, S.positions, S.by_position, S.invalid

local M = {}

M.KITS = {
  {brand_kit_id = "bk_5f1c0a2e9d7b4c3a", name = "Acme Corporate", colors = {"#0B3D91", "#FFFFFF", "#FC3D21"},
   logo_url = "/static/brand/acme-logo.jpg"},
  {brand_kit_id = "bk_8a4e2d6c1b9f7e05", name = "Acme Social", colors = {"#FF6F61", "#2E2E2E"},
   logo_url = "/static/brand/acme-social.jpg"},
  {brand_kit_id = "bk_c3b7f9e1a5d20486", name = "Plain", colors = {}, logo_url = reply.null},
}
M.GLOSSARIES = {
  {brand_glossary_id = "bg_2d9e4a7c0f1b6835", name = "Product names", created_at = "2026-01-12T09:30:00Z",
   updated_at = "2026-03-02T14:05:00Z"},
  {brand_glossary_id = "bg_7b1f3c9e5a2d0864", name = "Legal terms", created_at = "2026-02-20T16:45:00Z",
   updated_at = "2026-02-20T16:45:00Z"},
}

local function ids(list, key)
  local t = {}
  for _, v in ipairs(list) do t[v[key]] = true end
  return t
end
M.KIT_IDS, M.GLOSSARY_IDS = ids(M.KITS, "brand_kit_id"), ids(M.GLOSSARIES, "brand_glossary_id")

-- A rule (heygen.emulator.v3.support's walker) for a field that names one of them.
local function known(set, what)
  return {type = "string", check = function(v, path)
    if not set[v] then return invalid(path, "is not a " .. what .. " of this account (GET /v3/" .. what:gsub(" ", "-")
                                            .. "s lists them)", v) end
  end}
end
M.kit_rule, M.glossary_rule = known(M.KIT_IDS, "brand kit"), known(M.GLOSSARY_IDS, "brand glossary")

local function kit_view(req, st)
  return function(p)
    local k = p.item
    local logo = k.logo_url
    if type(logo) == "string" and logo:sub(1, 1) == "/" then logo = st:base(req) .. logo end
    return {brand_kit_id = k.brand_kit_id, name = k.name, colors = reply.array(k.colors), logo_url = logo}
  end
end

local function list_kits(req, st)
  return paginate(req, st, "brand-kits", positions(M.KITS), by_position, 100, 100, kit_view(req, st))
end

local function list_glossaries(req, st)
  return paginate(req, st, "brand-glossaries", positions(M.GLOSSARIES), by_position, 100, 100,
                  function(p) return p.item end)
end

M.routes = {
  {"GET", "/v3/brand%-kits", list_kits},
  {"GET", "/v3/brand%-glossaries", list_glossaries},
}

return M
