// Builds the contract the pass holds traffic to: HeyGen's v3 file (85 operations,
// the newer shapes) with the strict April file's rules laid over it.
//
//   node spec/contract/merge.mjs FULL.json STRICT.json OUT.json
//
// - An operation in both: its request body must satisfy both schemas (allOf). The
//   strict file closes 15 bodies (additionalProperties: false); a closed object is
//   widened by the names the newer file added since, so "unknown" means unknown to
//   both files. The strict file's error answers (400, 401, 404, 429 ...) are added
//   to the newer file's 200/202.
// - An operation only in the strict file (the v1/v2 endpoints it still describes)
//   is taken whole.
import { readFileSync, writeFileSync } from "node:fs";

const [fullPath, strictPath, outPath] = process.argv.slice(2);
if (!outPath) {
  console.error("usage: merge.mjs FULL.json STRICT.json OUT.json");
  process.exit(2);
}
const full = JSON.parse(readFileSync(fullPath, "utf8"));
const strict = JSON.parse(readFileSync(strictPath, "utf8"));
const METHODS = ["get", "post", "put", "patch", "delete"];
const strictSchemas = strict.components?.schemas ?? {};

// The strict file's schemas live under components; copied in with a prefix so
// they can never collide with a name of the newer file.
const PREFIX = "Strict";
const rename = (node) => {
  if (Array.isArray(node)) return node.map(rename);
  if (!node || typeof node !== "object") return node;
  const out = {};
  for (const [k, v] of Object.entries(node)) {
    out[k] = k === "$ref" && typeof v === "string" && v.startsWith("#/components/schemas/")
      ? "#/components/schemas/" + PREFIX + v.slice("#/components/schemas/".length)
      : rename(v);
  }
  return out;
};

// Inline copy of a strict schema, refs resolved (a ref met again inside itself
// stays a ref), so widening one body never touches another's.
const inline = (node, stack = []) => {
  if (Array.isArray(node)) return node.map((n) => inline(n, stack));
  if (!node || typeof node !== "object") return node;
  if (typeof node.$ref === "string") {
    const name = node.$ref.split("/").pop();
    if (stack.includes(name) || !strictSchemas[name]) return rename(node);
    return inline(strictSchemas[name], [...stack, name]);
  }
  const out = {};
  for (const [k, v] of Object.entries(node)) out[k] = inline(v, stack);
  return out;
};

const fullResolve = (node) => {
  let n = node;
  for (let i = 0; n && n.$ref && i < 20; i++) n = full.components?.schemas?.[n.$ref.split("/").pop()];
  return n;
};

const variantKey = (s) => {
  const t = s?.properties?.type;
  if (!t) return undefined;
  if (t.const !== undefined) return String(t.const);
  if (Array.isArray(t.enum) && t.enum.length === 1) return String(t.enum[0]);
  return undefined;
};

// Widen every closed object of the strict schema `s` by the properties the newer
// schema `f` has at the same place.
const widen = (s, f) => {
  f = fullResolve(f);
  if (!s || typeof s !== "object" || !f || typeof f !== "object") return;
  if (s.additionalProperties === false && f.properties) {
    s.properties ??= {};
    for (const name of Object.keys(f.properties)) if (!(name in s.properties)) s.properties[name] = {};
  }
  if (s.properties && f.properties) {
    for (const name of Object.keys(s.properties)) widen(s.properties[name], f.properties[name]);
  }
  if (s.items && f.items) widen(s.items, f.items);
  // Variants the newer file added since (a studio or cinematic video): the strict file
  // cannot speak for them, so its union lets them through and the newer file judges them.
  const fUnion = f.oneOf ?? f.anyOf;
  for (const k of ["oneOf", "anyOf"]) {
    if (!Array.isArray(s[k]) || !Array.isArray(fUnion)) continue;
    const known = new Set(s[k].map((v) => variantKey(inline(v))).filter((x) => x !== undefined));
    if (!known.size) continue;
    for (const fv of fUnion) {
      const key = variantKey(fullResolve(fv));
      if (key !== undefined && !known.has(key)) {
        s[k].push({ type: "object", properties: { type: { enum: [key] } }, required: ["type"] });
        known.add(key);
        variants++;
      }
    }
  }
  for (const k of ["oneOf", "anyOf", "allOf"]) {
    if (!Array.isArray(s[k])) continue;
    const fv = f[k] ?? f.oneOf ?? f.anyOf;
    s[k].forEach((sv, i) => {
      if (Array.isArray(fv)) {
        const key = variantKey(sv);
        const match = key !== undefined ? fv.find((x) => variantKey(fullResolve(x)) === key) : fv[i];
        widen(sv, match ?? (fv.length === s[k].length ? fv[i] : undefined));
      } else {
        widen(sv, f); // a union on one side only: its variants against the whole
      }
    });
  }
};

const norm = (p) => p.replace(/\{[^}]+\}/g, "{}");
const strictOps = new Map();
for (const [p, item] of Object.entries(strict.paths)) {
  for (const m of METHODS) if (item[m]) strictOps.set(m + " " + norm(p), { path: p, op: item[m] });
}

const merged = structuredClone(full);
merged.components ??= {};
merged.components.schemas ??= {};
for (const [name, s] of Object.entries(strictSchemas)) merged.components.schemas[PREFIX + name] = rename(s);

let shared = 0, closed = 0, added = 0, variants = 0;
const seen = new Set();
for (const [p, item] of Object.entries(merged.paths)) {
  for (const m of METHODS) {
    const op = item[m];
    if (!op) continue;
    const key = m + " " + norm(p);
    seen.add(key);
    const s = strictOps.get(key);
    if (!s) continue;
    shared++;
    const sBody = s.op.requestBody?.content?.["application/json"]?.schema;
    const fMedia = op.requestBody?.content?.["application/json"];
    if (sBody && fMedia?.schema) {
      const strictBody = inline(sBody);
      widen(strictBody, fMedia.schema);
      if (JSON.stringify(strictBody).includes('"additionalProperties":false')) closed++;
      fMedia.schema = { allOf: [fMedia.schema, strictBody] };
    }
    for (const [code, resp] of Object.entries(s.op.responses ?? {})) {
      if (!(code in op.responses)) op.responses[code] = rename(resp);
    }
  }
}
for (const [key, s] of strictOps) {
  if (seen.has(key)) continue;
  const m = key.split(" ")[0];
  merged.paths[s.path] ??= {};
  merged.paths[s.path][m] = rename(s.op);
  added++;
}
writeFileSync(outPath, JSON.stringify(merged));
console.error(`merge: ${shared} operations in both files (${closed} closed bodies, ${variants} newer variants ` +
  `left to the newer file), ${added} taken from the strict file only`);
