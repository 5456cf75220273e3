// The fields of an answer that its operation's response schema does not declare.
//
// HeyGen's response schemas are open (no additionalProperties: false), so Prism lets
// an answer carry any field the contract never names. That is where the emulator and
// the client can agree on a field the real API does not send (both written from the
// same reading): the client reads it, the emulator serves it, every check passes, and
// a live user gets nil. The contract front records, for each judged 2xx answer, the
// paths of such fields (`data.video_url_caption`, `data[].foo`), and the summary lists
// them per operation (spec/contract/summary.mjs).
//
//   import { undeclaredFields } from "./undeclared.mjs";
//   undeclaredFields(contract, "get", "/v3/videos/{video_id}", 200, body) -> ["data.foo", ...]

// A schema with its $refs followed (JSON pointers into the contract).
function deref(contract, s) {
  for (let n = 0; s && s.$ref && n < 32; n++) {
    s = s.$ref.replace(/^#\//, "").split("/")
      .reduce((o, k) => o?.[k.replace(/~1/g, "/").replace(/~0/g, "~")], contract);
  }
  return s;
}

// The schema and every allOf/oneOf/anyOf branch under it (a field any branch declares
// is declared: which branch an answer matches is Prism's question, not this one).
function branches(contract, s, depth = 0) {
  s = deref(contract, s);
  if (!s || depth > 16) return [];
  const out = [s];
  for (const k of ["allOf", "oneOf", "anyOf"]) {
    for (const b of s[k] ?? []) out.push(...branches(contract, b, depth + 1));
  }
  return out;
}

function walk(contract, value, schema, path, out) {
  const bs = branches(contract, schema);
  if (!bs.length) return;
  if (Array.isArray(value)) {
    const items = bs.map((b) => b.items).filter(Boolean);
    if (items.length) for (const v of value) walk(contract, v, { anyOf: items }, path + "[]", out);
    return;
  }
  if (value === null || typeof value !== "object") return;
  const props = {};
  let declared = false; // some branch lists properties
  let rest = null;      // additionalProperties as a schema, or true: anything goes
  for (const b of bs) {
    // `properties: {}` on an object is a map ("counts keyed by item status", "layer name to
    // URL"): nothing is declared to hold its keys to
    if (b.properties && Object.keys(b.properties).length) { Object.assign(props, b.properties); declared = true; }
    if (b.additionalProperties === true || (b.additionalProperties && typeof b.additionalProperties === "object")) {
      rest = b.additionalProperties;
    }
  }
  if (!declared && rest === null) return; // a free-form object: nothing declared to hold it to
  for (const [k, v] of Object.entries(value)) {
    const p = path === "" ? k : path + "." + k;
    if (props[k]) walk(contract, v, props[k], p, out);
    else if (rest === true) continue;
    else if (rest) walk(contract, v, rest, p, out);
    else out.add(p);
  }
}

export function undeclaredFields(contract, method, template, status, body) {
  const op = contract.paths?.[template]?.[method.toLowerCase()];
  const resp = deref(contract, op?.responses?.[String(status)] ?? op?.responses?.["2XX"]);
  const schema = resp?.content?.["application/json"]?.schema;
  if (!schema || body === null || typeof body !== "object") return [];
  const out = new Set();
  walk(contract, body, schema, "", out);
  return [...out].sort();
}
