// The contract pass's front door: the specs' clients talk to it, and every request
// the contract describes goes through Stoplight Prism (proxy mode) on its way to
// the emulator, so Prism judges the client's request and the emulator's answer
// against HeyGen's own schemas. Everything else (legacy routes the contract does
// not describe, the emulator's control routes) goes straight to the emulator.
//
//   node spec/contract/front.mjs --prism BIN --contract FILE --report FILE.jsonl
//
// prints "contract front listening on URL" once Prism is up. A client reaches the
// emulator on port P as URL/_up/P/... . Each judged exchange is one line of the
// report: {method, path, op, status, violations: [...], undeclared?: [...]} (the
// answer's fields its schema does not declare: spec/contract/undeclared.mjs); a request made while a
// fault is armed in the emulator goes direct and is recorded as unjudged (a fault
// is a deliberate break of the contract).
import http from "node:http";
import { spawn } from "node:child_process";
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { undeclaredFields } from "./undeclared.mjs";

const args = {};
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, "")] = process.argv[i + 1];
for (const k of ["prism", "contract", "report"]) {
  if (!args[k]) { console.error(`front: --${k} is required`); process.exit(2); }
}
writeFileSync(args.report, "");

// The contract's operations, as matchers; the query parameters each declares.
const contract = JSON.parse(readFileSync(args.contract, "utf8"));
const ops = [];
for (const [template, item] of Object.entries(contract.paths)) {
  const literal = template.split(/\{[^}]+\}/).map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  const re = new RegExp("^" + literal.join("[^/]+") + "$");
  const specificity = template.replace(/\{[^}]+\}/g, "").length;
  for (const m of ["get", "post", "put", "patch", "delete"]) {
    if (!item[m]) continue;
    const params = [...(item.parameters ?? []), ...(item[m].parameters ?? [])];
    const query = new Set(params.filter((p) => p.in === "query").map((p) => p.name));
    ops.push({ method: m.toUpperCase(), template, re, specificity, query });
  }
}
ops.sort((a, b) => b.specificity - a.specificity);
const operation = (method, path) => ops.find((o) => o.method === method && o.re.test(path));

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function forward(port, req, body, extraHeaders) {
  return new Promise((resolve, reject) => {
    const headers = { ...req.headers, ...extraHeaders, host: `127.0.0.1:${port}` };
    const up = http.request({ host: "127.0.0.1", port, method: req.method, path: req.url, headers, agent },
      (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on("error", reject);
      });
    up.on("error", reject);
    up.end(body);
  });
}

// Straight through, streamed: a reset or a short body from the emulator (its
// faults) reaches the client as the same reset or short body.
function pipeThrough(port, req, body, res) {
  return new Promise((resolve) => {
    const headers = { ...req.headers, host: `127.0.0.1:${port}` };
    const up = http.request({ host: "127.0.0.1", port, method: req.method, path: req.url, headers, agent },
      (ur) => {
        res.writeHead(ur.statusCode, ur.rawHeaders);
        ur.pipe(res);
        ur.on("aborted", () => res.socket?.destroy());
        ur.on("error", () => res.socket?.destroy());
        ur.on("end", () => resolve(ur.statusCode));
        ur.on("close", () => resolve(ur.statusCode));
      });
    up.on("error", () => { res.socket?.destroy(); resolve(0); });
    up.end(body);
  });
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

// Whether the emulator on `port` has a fault armed (then the exchange is not judged).
async function faultArmed(port) {
  const res = await forward(port, { method: "GET", url: "/_emulator/faults", headers: {} }, undefined, {});
  const list = JSON.parse(res.body.toString("utf8") || "[]");
  const items = Array.isArray(list) ? list : (list.faults ?? []);
  return items.some((f) => f.remaining === undefined || f.remaining !== 0);
}

function answer(res, r) {
  const headers = { ...r.headers };
  delete headers["transfer-encoding"];
  delete headers.connection;
  delete headers["keep-alive"];
  headers["content-length"] = String(r.body.length);
  res.writeHead(r.status, headers);
  res.end(r.body);
}

// Answers HeyGen documents that the contract's lists of status codes leave out:
// 402 insufficient_credit on paid creates (docs/heygen-v3.md, "Errors": the
// error-codes page lists it), and 5xx, which no operation can promise away.
function excused(v, status) {
  return /Unable to match the returned status code/.test(v.message) && (status === 402 || status >= 500);
}

// Prism's sl-violations header: a JSON list, or (past its size limit) a sentence such
// as "Too many violations! ..." saying the request or the answer broke the contract.
function parseViolations(header) {
  try {
    return JSON.parse(header);
  } catch {
    return [{ location: [/response/i.test(header) ? "response" : "request"], severity: "Error", message: header }];
  }
}

function record(line) { appendFileSync(args.report, JSON.stringify(line) + "\n"); }

let prismPort;
const originals = new Map(); // x-contract-body id -> the request body as the client sent it
let bodySeq = 0;

// Client-facing: /_up/PORT/path -> Prism (described operations) or the emulator.
const front = http.createServer(async (req, res) => {
  try {
    const m = req.url.match(/^\/_up\/(\d+)(\/.*)$/);
    if (!m) { res.writeHead(404).end("front: no /_up/PORT/ prefix"); return; }
    const port = Number(m[1]);
    req.url = m[2];
    const url = new URL(req.url, "http://x");
    const body = await readBody(req);
    const op = operation(req.method, url.pathname);
    if (!op) { await pipeThrough(port, req, body, res); return; }
    const entry = { method: req.method, path: url.pathname, op: `${op.method} ${op.template}` };
    const unjudged = await faultArmed(port) ? "fault armed" : null;
    if (unjudged) {
      record({ ...entry, status: await pipeThrough(port, req, body, res), unjudged });
      return;
    }
    const violations = [];
    for (const name of url.searchParams.keys()) {
      if (!op.query.has(name)) {
        violations.push({ location: ["request", "query", name], severity: "Error",
          message: `query parameter '${name}' is not a parameter of ${entry.op}` });
      }
    }
    // Prism passes bodies on as text (a multipart upload's bytes would arrive
    // changed): it judges what it got, and the emulator gets the bytes the client sent.
    const bodyId = String(++bodySeq);
    originals.set(bodyId, body);
    const r = await forward(prismPort, req, body, { "x-contract-upstream": String(port), "x-contract-body": bodyId })
      .finally(() => originals.delete(bodyId));
    const prismSays = r.headers["sl-violations"];
    if (prismSays) violations.push(...parseViolations(prismSays).filter((v) => !excused(v, r.status)));
    const problem = /problem\+json/.test(r.headers["content-type"] ?? "") &&
      r.body.toString("utf8").includes("stoplight.io/prism/errors");
    if (problem) violations.push({ location: ["prism"], severity: "Error", message: r.body.toString("utf8") });
    if (violations.length) {
      entry.request = body.toString("utf8").slice(0, 4000);
      entry.response = r.body.toString("utf8").slice(0, 4000);
    }
    if (r.status >= 200 && r.status < 300 && /json/.test(r.headers["content-type"] ?? "")) {
      let parsed = null;
      try { parsed = JSON.parse(r.body.toString("utf8")); } catch { /* Prism judges a malformed answer */ }
      const extra = undeclaredFields(contract, op.method, op.template, r.status, parsed);
      if (extra.length) entry.undeclared = extra;
    }
    record({ ...entry, status: r.status, violations });
    answer(res, r);
  } catch (e) {
    res.writeHead(502).end("front: " + e.message);
  }
});

// Prism's upstream: back to the emulator the client meant.
const back = http.createServer(async (req, res) => {
  try {
    const port = Number(req.headers["x-contract-upstream"]);
    const original = originals.get(req.headers["x-contract-body"]);
    delete req.headers["x-contract-upstream"];
    delete req.headers["x-contract-body"];
    let body = await readBody(req);
    if (original) {
      body = original;
      req.headers["content-length"] = String(body.length);
      delete req.headers["transfer-encoding"];
    }
    answer(res, await forward(port, req, body, {}));
  } catch (e) {
    res.writeHead(502).end("front: " + e.message);
  }
});

const listen = (server) => new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server.address().port)));
const frontPort = await listen(front);
const backPort = await listen(back);
{ // a free port for Prism: bound, read, released
  const probe = http.createServer();
  prismPort = await listen(probe);
  await new Promise((resolve) => probe.close(resolve));
}
front.keepAliveTimeout = 30000;

const prism = spawn(args.prism, ["proxy", args.contract, `http://127.0.0.1:${backPort}`,
  "--port", String(prismPort), "--host", "127.0.0.1"], { stdio: ["ignore", "pipe", "pipe"] });
let prismLog = "";
prism.stderr.on("data", (d) => { prismLog += d; });
const ready = await new Promise((resolve) => {
  const timer = setTimeout(() => resolve(false), 60000);
  prism.stdout.on("data", (d) => {
    prismLog += d;
    if (/Prism is listening/.test(prismLog)) { clearTimeout(timer); resolve(true); }
  });
  prism.on("exit", () => { clearTimeout(timer); resolve(false); });
});
if (!ready) { console.error("front: Prism did not start:\n" + prismLog); process.exit(1); }
prism.stdout.resume();
const stop = () => { prism.kill(); process.exit(0); };
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
console.log(`contract front listening on http://127.0.0.1:${frontPort}`);
