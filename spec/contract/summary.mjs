// Reads the contract front's report and says what the pass found.
//
//   node spec/contract/summary.mjs --report R.jsonl --contract C.json --client lua/heygen [--every yes]
//
// Checks, one each:
// - every (operation, answer status) pair seen: no exchange of it broke the
//   contract (Prism's request and response validation, the front's query check);
// - every v3 path the client's source names (lua/heygen/**/*.lua string literals
//   starting "/v3/") matches an operation of the contract, and at least one of the
//   operations it can reach was judged during the pass;
// - with --every yes: every live v3 operation of the contract was reached by some call
//   (the retired /v3/video-agents/sessions... paths are counted apart, and no client
//   path may reach only them);
// - every operation answered 2xx: its answers carry only fields its schema declares
//   (spec/contract/undeclared.mjs; the few allowed ones listed with their reason).
// Ends with "N passed, N failed".
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const args = {};
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, "")] = process.argv[i + 1];

const lines = readFileSync(args.report, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
const contract = JSON.parse(readFileSync(args.contract, "utf8"));
let passed = 0, failed = 0;
const fail = (msg) => { failed++; console.log("FAIL " + msg); };

// 1. Exchanges, grouped by operation and status.
const groups = new Map();
let judged = 0, unjudged = 0;
// A request that breaks the contract and is refused (4xx) is the emulator doing its
// job (the specs of its own validation send such requests on purpose): a check that
// passed. The same request accepted (2xx), or an answer that breaks the contract, fails.
let refused = 0;
for (const r of lines) {
  if (r.unjudged) { unjudged++; continue; }
  judged++;
  const key = `${r.op} -> ${r.status}`;
  const g = groups.get(key) ?? { n: 0, bad: [] };
  g.n++;
  const onRequest = (v) => (v.location ?? [])[0] === "request";
  const answer = r.violations.filter((v) => !onRequest(v));
  const request = r.violations.filter(onRequest);
  if (request.length && r.status >= 400 && r.status < 500 && !answer.length) {
    refused++;
  } else if (r.violations.length) {
    g.bad.push(r);
  }
  groups.set(key, g);
}
for (const [key, g] of [...groups].sort()) {
  if (!g.bad.length) { passed++; continue; }
  const first = g.bad[0];
  const msgs = [...new Set(g.bad.flatMap((r) => r.violations.map((v) => `${(v.location ?? []).join(".")}: ${v.message}`)))];
  fail(`${key}: ${g.bad.length} of ${g.n} exchanges broke the contract\n  ` + msgs.slice(0, 8).join("\n  ") +
    `\n  request: ${(first.request ?? "").slice(0, 400)}\n  answer: ${(first.response ?? "").slice(0, 400)}`);
}

// 2. The client's v3 paths, from its source.
const templates = [];
for (const [t, item] of Object.entries(contract.paths)) {
  if (!t.startsWith("/v3/")) continue;
  for (const m of ["get", "post", "put", "patch", "delete"]) if (item[m]) templates.push({ op: `${m.toUpperCase()} ${t}`, t });
}
const seenOps = new Set(lines.filter((r) => !r.unjudged).map((r) => r.op));
const literals = new Set();
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) { if (name !== "emulator") walk(p); continue; }
    if (!name.endsWith(".lua")) continue;
    for (const m of readFileSync(p, "utf8").matchAll(/"(\/v3\/[^"]*)"/g)) literals.add(m[1]);
  }
};
walk(args.client);
// A literal is a whole path, or the start of one that an id or a tail completes.
const reaches = (lit, t) => {
  const seg = t.split("/"), ls = lit.split("/");
  const open = lit.endsWith("/");
  if (open) ls.pop();
  if (ls.length > seg.length || (!open && ls.length !== seg.length)) return false;
  return ls.every((s, i) => s === seg[i] || /^\{.*\}$/.test(seg[i]));
};
for (const lit of [...literals].sort()) {
  const ops = templates.filter((x) => reaches(lit, x.t));
  if (!ops.length) { fail(`client path ${lit}: no operation of the contract has it`); continue; }
  if (ops.some((x) => seenOps.has(x.op))) { passed++; continue; }
  fail(`client path ${lit}: none of ${ops.map((x) => x.op).join(", ")} was judged in the pass`);
}

// The strict April file still has the video agent under /v3/video-agents/sessions...; the API moved
// those paths on 2026-04-09 and our docs say not to implement them (docs/heygen-v3.md section 2):
// they are retired, counted apart, and no client path may reach them.
const isRetired = (t) => t.startsWith("/v3/video-agents/sessions");
const retired = templates.filter((x) => isRetired(x.t));
for (const lit of literals) {
  const ops = templates.filter((x) => reaches(lit, x.t));
  if (ops.length && ops.every((x) => isRetired(x.t))) fail(`client path ${lit}: reaches only retired operations`);
}
const live = templates.filter((x) => !isRetired(x.t));
const allV3 = live.length;
const missed = live.filter((x) => !seenOps.has(x.op));
const covered = allV3 - missed.length;
if (args.every) for (const x of missed) fail(`operation ${x.op}: no call in the pass reached it`);
// 4. Fields an answer carries that its operation's schema does not declare (the front
// records them: spec/contract/undeclared.mjs). The schemas are open, so Prism lets them
// pass; but a field only the emulator sends is one the client may come to read and a
// live user never gets. One check per operation answered 2xx; the allowed ones say why.
const ALLOWED = [
  // docs/heygen-api.md section 1: the v2 envelope is {"error": null, "data": {...}}, and the
  // client checks error == null (the strict file's v2 schemas name data alone)
  { op: /^[A-Z]+ \/v2\//, path: "error", why: "the v2 envelope's error (docs/heygen-api.md 1)" },
];
const undeclared = new Map();
for (const r of lines) {
  if (r.unjudged || r.status < 200 || r.status >= 300) continue;
  const set = undeclared.get(r.op) ?? new Set();
  for (const p of r.undeclared ?? []) {
    if (!ALLOWED.some((a) => a.op.test(r.op) && a.path === p)) set.add(p);
  }
  undeclared.set(r.op, set);
}
let extraFields = 0;
for (const [op, set] of [...undeclared].sort()) {
  if (!set.size) { passed++; continue; }
  extraFields += set.size;
  fail(`${op}: the emulator's answers carry fields the contract's schema does not declare: ${[...set].sort().join(", ")}`);
}
console.log(`contract: ${judged} exchanges judged (${unjudged} not: made while a fault was armed; ` +
  `${refused} requests that break the contract, refused with a 4xx as they should be), ` +
  `${groups.size} operation/status pairs, ${covered} of ${allV3} v3 operations exercised ` +
  `(${retired.length} retired ones apart), ` +
  `${literals.size} client paths, ${undeclared.size} operations' 2xx answers held to their declared fields ` +
  `(${extraFields} undeclared)`);
console.log(`${passed} passed, ${failed} failed`);
