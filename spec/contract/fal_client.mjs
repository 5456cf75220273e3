// The fal client pass: the OFFICIAL fal.ai JS client (@fal-ai/client, installed by
// scripts/npm-tools into build/npm) drives a running emulator, so the emulator's fal
// routes are judged by an implementation that is not ours.
//
//   node spec/contract/fal_client.mjs --emulator http://127.0.0.1:PORT --key FAL_KEY
//   node spec/contract/fal_client.mjs --spawn            (starts bin/heygen-emulator itself)
//   options: --client DIR (the @fal-ai/client package; default build/npm/...),
//            --only TEXT (models whose id contains TEXT), --jobs N (models at once, 4)
//
// The client is built with createFalClient({credentials, fetch}); the fetch only
// rewrites fal's hosts onto the emulator's prefixes and notes each answer's status and
// headers (never changes a request or an answer):
//   https://queue.fal.run/...       -> EMU/fal/...        (queue: submit, status, stream, result, cancel)
//   https://fal.run/...             -> EMU/fal-run/...    (synchronous run)
//   https://rest.fal.ai/...         -> EMU/fal-rest/...   (storage: upload/initiate)
//   https://rest.alpha.fal.ai/...   -> EMU/fal-rest/...
// The upload_url and file_url the emulator hands out are already its own
// (EMU/fal-cdn/...). Any other URL is refused: nothing leaves loopback.
//
// For every model of GET /_emulator/fal/registry: submit, status with logs (a scripted
// job, POST /_emulator/fal/models/{id} {queue, logs}: one step per status read, so no
// waiting on the clock), result (and its video URL's bytes), subscribe polling and
// streaming, cancel, a webhook (received here, its Ed25519 signature checked against
// the JWKS), and 422s as the client's ValidationError. Once per run: fal.run, storage
// upload (and an input Blob uploaded by the client itself), a bad key (401 ApiError), an
// unknown request and model (404), a 503 the client retries, a result error, a stream
// that does not block the server, a clock-driven stream moved by POST /_emulator/advance.
// Each assertion is one check; each failure is one line; the last line is
// "N passed, N failed"; the exit status is 1 on any failure (2: could not run).
import { createRequire } from "node:module";
import { spawn, spawnSync } from "node:child_process";
import { createHash, createPublicKey, verify } from "node:crypto";
import http from "node:http";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath } from "node:url";
import { isDeepStrictEqual, inspect } from "node:util";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

// ---------------------------------------------------------------------------------
// arguments

const args = { jobs: "4" };
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  if (a === "--spawn") args.spawn = true;
  else if (a.startsWith("--")) args[a.slice(2)] = process.argv[++i];
}
if (!args.spawn && !args.emulator) {
  console.error("usage: node spec/contract/fal_client.mjs (--emulator URL --key FAL_KEY | --spawn)");
  process.exit(2);
}

const clientDir = path.resolve(args.client ?? path.join(ROOT, "build/npm/node_modules/@fal-ai/client"));
const require = createRequire(import.meta.url);
let fal;
try {
  fal = require(path.join(clientDir, "src/index.js"));
} catch (e) {
  console.error(`fal_client: cannot load the official client from ${clientDir} (scripts/npm-tools): ${e.message}`);
  process.exit(2);
}
const { createFalClient, ApiError, ValidationError, parseEndpointId } = fal;

// ---------------------------------------------------------------------------------
// the emulator (given, or spawned)

let child;
async function spawnEmulator(key) {
  child = spawn(path.join(ROOT, "bin/heygen-emulator"), ["--port", "0", "--api-key", key],
                { stdio: ["pipe", "pipe", "inherit"] });
  const lines = readline.createInterface({ input: child.stdout });
  return await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no listening line in 15 s")), 15000);
    child.on("exit", (code) => reject(new Error(`emulator exited (${code})`)));
    lines.on("line", (line) => {
      const m = line.match(/listening on (https?:\/\/\S+)/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
  });
}

const KEY = args.key ?? "fal-client-pass-key";
let EMU;
try {
  EMU = (args.spawn ? await spawnEmulator(KEY) : args.emulator).replace(/\/$/, "");
} catch (e) {
  console.error(`fal_client: cannot start the emulator: ${e.message}`);
  process.exit(2);
}

async function control(method, p, body) {
  const res = await fetch(EMU + p, {
    method, headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

// ---------------------------------------------------------------------------------
// checks

let passed = 0;
let failed = 0;
const show = (v) => inspect(v, { depth: 4, breakLength: Infinity, maxStringLength: 300 });

function check(name, ok, expected, got) {
  if (ok) { passed++; return true; }
  failed++;
  console.log(`FAIL ${name}: expected ${expected}, got ${show(got)}`);
  return false;
}
const eq = (name, got, want) => check(name, isDeepStrictEqual(got, want), show(want), got);
const truthy = (name, got, what) => check(name, Boolean(got), what, got);

// Runs fn(); an exception it did not expect is one failure of `name`.
async function section(name, fn) {
  try {
    await fn();
  } catch (e) {
    check(name, false, "no exception", e instanceof ApiError ? `${e.name} ${e.status} ${show(e.body)}` : e.stack);
  }
}

// The error `promise` rejects with (a failure, and null, when it resolves).
async function rejection(name, promise) {
  try {
    const v = await promise;
    check(name, false, "a rejection", v);
    return null;
  } catch (e) {
    return e;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// A rejection nobody handles (the client's, or ours) is a failure, not a crash.
process.on("unhandledRejection", (e) => {
  check("unhandled rejection", false, "none", e instanceof ApiError ? `${e.name} ${e.status} ${show(e.body)}` : e?.stack ?? e);
});

// ---------------------------------------------------------------------------------
// the official client, through fetch that only moves fal's hosts onto the emulator

const HOSTS = [
  ["https://queue.fal.run", "/fal"],
  ["https://fal.run", "/fal-run"],
  ["https://rest.alpha.fal.ai", "/fal-rest"],
  ["https://rest.fal.ai", "/fal-rest"],
];

function route(url) {
  for (const [host, prefix] of HOSTS) {
    if (url === host || url.startsWith(host + "/") || url.startsWith(host + "?")) {
      return EMU + prefix + url.slice(host.length);
    }
  }
  if (url.startsWith(EMU + "/")) return url;
  throw new Error(`fal_client: refusing to fetch ${url} (only fal's hosts, moved onto the emulator)`);
}

const exchanges = [];     // {method, url, target, status, headers, body (JSON answers)}

async function emulatorFetch(input, init = {}) {
  const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
  const target = route(url);
  const res = await fetch(target, init);
  const ex = { method: (init.method ?? "GET").toUpperCase(), url, target, status: res.status, headers: res.headers };
  if ((res.headers.get("content-type") ?? "").includes("application/json")) ex.body = await res.clone().text();
  exchanges.push(ex);
  return res;
}

const client = createFalClient({ credentials: KEY, fetch: emulatorFetch });
const badClient = createFalClient({ credentials: "not-a-valid-fal-key", fetch: emulatorFetch });

// The exchanges whose target path (after the emulator's origin) matches re.
const seen = (method, re) => exchanges.filter((x) => x.method === method && re.test(x.target.slice(EMU.length)));
const esc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

// ---------------------------------------------------------------------------------
// a webhook receiver on loopback

const deliveries = [];
const waiters = [];
const receiver = http.createServer((req, res) => {
  const parts = [];
  req.on("data", (c) => parts.push(c));
  req.on("end", () => {
    const d = { path: req.url, headers: req.headers, raw: Buffer.concat(parts) };
    deliveries.push(d);
    res.writeHead(200, { "content-type": "application/json" }).end("{}");
    for (const w of waiters.splice(0)) w();
  });
});
await new Promise((r) => receiver.listen(0, "127.0.0.1", r));
const HOOK = `http://127.0.0.1:${receiver.address().port}`;

async function delivery(p, ms = 5000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const d = deliveries.find((x) => x.path === p);
    if (d || Date.now() > deadline) return d;
    await new Promise((r) => { waiters.push(r); setTimeout(r, 100); });
  }
}

let jwk;
async function webhookKey() {
  if (!jwk) jwk = (await control("GET", "/fal/.well-known/jwks.json")).keys[0];
  return createPublicKey({ key: jwk, format: "jwk" });
}

// ---------------------------------------------------------------------------------
// inputs from the registry

const IMAGE = "https://example.com/first.png";
const valueFor = (field) => field.endsWith("_urls") ? [IMAGE] : field.endsWith("_url") ? IMAGE : "a red fox runs through snow";

function inputFor(spec) {
  const input = {};
  for (const f of spec.required) input[f] = valueFor(f);
  if (spec.one_of) input[spec.one_of[0]] = valueFor(spec.one_of[0]);
  return input;
}

const appOf = (model) => {
  const a = parseEndpointId(model);
  return `${a.namespace ? a.namespace + "/" : ""}${a.owner}/${a.alias}`;
};

const LOGS = ["step one", "step two"];
// The next submit of `model` is scripted: queue positions 1, 0, then one log line per
// status read, then COMPLETED (five reads in all).
const script = (model, extra = {}) => control("POST", `/_emulator/fal/models/${model}`, { queue: 1, logs: LOGS, times: 1, ...extra });
const STEPS = ["IN_QUEUE", "IN_QUEUE", "IN_PROGRESS", "IN_PROGRESS", "COMPLETED"];

// ---------------------------------------------------------------------------------
// per model

let hookSeq = 0;

async function checkModel(model, spec) {
  const app = appOf(model);
  const input = inputFor(spec);
  const base = `${EMU}/fal/${app}/requests/`;
  const n = (what) => `${model}: ${what}`;

  // submit, status with logs, result
  await section(n("submit/status/result"), async () => {
    await script(model);
    const sub = await client.queue.submit(model, { input });
    const id = sub.request_id;
    if (!check(n("submit request_id"), UUID.test(id ?? ""), "a uuid", sub)) return;
    eq(n("submit status"), sub.status, "IN_QUEUE");
    eq(n("submit status_url"), sub.status_url, `${base}${id}/status`);
    eq(n("submit response_url"), sub.response_url, `${base}${id}`);
    eq(n("submit cancel_url"), sub.cancel_url, `${base}${id}/cancel`);
    eq(n("submit queue_position"), typeof sub.queue_position, "number");
    const post = seen("POST", new RegExp(`^/fal/${esc(model)}$`)).at(-1);
    eq(n("submit x-fal-request-id"), post?.headers.get("x-fal-request-id"), id);

    const reads = [];
    for (let i = 0; i < STEPS.length; i++) reads.push(await client.queue.status(model, { requestId: id, logs: true }));
    eq(n("status sequence"), reads.map((r) => r.status), STEPS);
    eq(n("status queue positions"), reads.slice(0, 2).map((r) => r.queue_position), [1, 0]);
    eq(n("status logs while in progress"), reads.slice(2, 4).map((r) => (r.logs ?? []).map((l) => l.message)),
       [LOGS.slice(0, 1), LOGS]);
    eq(n("status logs when completed"), (reads[4].logs ?? []).map((l) => l.message), LOGS);
    check(n("status log entries"), (reads[4].logs ?? []).every((l) => l.level && l.timestamp && l.message),
          "{message, level, timestamp} each", reads[4].logs);
    eq(n("status metrics.inference_time"), typeof reads[4].metrics?.inference_time, "number");
    const gets = seen("GET", new RegExp(`^/fal/${esc(app)}/requests/${id}/status\\?logs=1$`));
    eq(n("status HTTP codes"), gets.map((x) => x.status), [202, 202, 202, 202, 200]);
    eq(n("status x-fal-request-id"), gets.map((x) => x.headers.get("x-fal-request-id")), STEPS.map(() => id));
    const quiet = await client.queue.status(model, { requestId: id, logs: false });
    check(n("status without logs has none"), quiet.logs == null, "no logs", quiet.logs);

    const res = await client.queue.result(model, { requestId: id });
    eq(n("result requestId (x-fal-request-id)"), res.requestId, id);
    const v = res.data?.video ?? {};
    check(n("result video"), typeof v.url === "string" && v.content_type === "video/mp4" && typeof v.file_name === "string"
          && Number.isInteger(v.file_size) && v.file_size > 0, "{url, content_type video/mp4, file_name, file_size}", res.data);
    if (model.includes("seedance")) eq(n("result seed (Seedance)"), typeof res.data?.seed, "number");
    if (typeof v.url === "string") {
      const file = await fetch(route(v.url));
      const bytes = Buffer.from(await file.arrayBuffer());
      eq(n("video URL serves file_size bytes"), [file.status, bytes.length], [200, v.file_size]);
    }
  });

  // subscribe, polling
  await section(n("subscribe polling"), async () => {
    await script(model);
    const updates = [];
    let enqueued;
    const res = await client.subscribe(model, {
      input, logs: true, pollInterval: 10,
      onEnqueue: (rid) => { enqueued = rid; },
      onQueueUpdate: (u) => updates.push({ status: u.status, logs: (u.logs ?? []).length }),
    });
    truthy(n("subscribe onEnqueue"), UUID.test(enqueued ?? ""), "a request id");
    eq(n("subscribe requestId"), res.requestId, enqueued);
    eq(n("subscribe polling updates"), updates.map((u) => u.status), STEPS);
    eq(n("subscribe polling log counts"), updates.slice(2).map((u) => u.logs), [1, 2, 2]);
    eq(n("subscribe polling result"), typeof res.data?.video?.url, "string");
  });

  // subscribe, streaming status
  await section(n("subscribe streaming"), async () => {
    await script(model);
    const updates = [];
    let enqueued;
    const res = await client.subscribe(model, {
      input, logs: true, mode: "streaming",
      onEnqueue: (rid) => { enqueued = rid; },
      onQueueUpdate: (u) => updates.push({ status: u.status, logs: (u.logs ?? []).map((l) => l.message) }),
    });
    eq(n("streaming updates"), updates.map((u) => u.status), STEPS);
    // the client appends each event's logs to the ones before: each line must come once
    eq(n("streaming logs, accumulated by the client"), updates.at(-1)?.logs, LOGS);
    eq(n("streaming result"), [res.requestId, typeof res.data?.video?.url], [enqueued, "string"]);
    const s = seen("GET", new RegExp(`^/fal/${esc(app)}/requests/${enqueued}/status/stream\\?logs=1$`)).at(-1);
    eq(n("stream answer"), [s?.status, (s?.headers.get("content-type") ?? "").split(";")[0],
                            s?.headers.get("x-fal-request-id")], [200, "text/event-stream", enqueued]);
  });

  // cancel a fresh request
  await section(n("cancel"), async () => {
    await script(model, { queue: 5 });
    const { request_id: id } = await client.queue.submit(model, { input });
    const before = await client.queue.status(model, { requestId: id });
    eq(n("cancel: queued before"), before.status, "IN_QUEUE");
    const done = await client.queue.cancel(model, { requestId: id });
    eq(n("cancel resolves"), done, undefined);
    const put = seen("PUT", new RegExp(`^/fal/${esc(app)}/requests/${id}/cancel$`)).at(-1);
    eq(n("cancel answer"), [put?.status, put?.headers.get("x-fal-request-id"), JSON.parse(put?.body ?? "{}").status],
       [202, id, "CANCELLATION_REQUESTED"]);
    const after = await client.queue.status(model, { requestId: id });
    eq(n("cancelled status"), [after.status, after.error_type], ["COMPLETED", "client_cancelled"]);
    const e = await rejection(n("cancelled result"), client.queue.result(model, { requestId: id }));
    if (e) {
      check(n("cancelled result error"), e instanceof ApiError && e.status === 499 && e.requestId === id
            && e.body?.error_type === "client_cancelled", "ApiError 499 client_cancelled with the request id",
            { name: e.name, status: e.status, requestId: e.requestId, body: e.body });
    }
    const again = await rejection(n("second cancel"), client.queue.cancel(model, { requestId: id }));
    if (again) {
      eq(n("second cancel error"), [again instanceof ApiError, again.status, again.body?.status, again.requestId],
         [true, 400, "ALREADY_COMPLETED", id]);
    }
  });

  // webhook
  await section(n("webhook"), async () => {
    await script(model);
    const hookPath = `/hook/${++hookSeq}`;
    const since = (await control("GET", "/_emulator/requests?since=0&path=" + encodeURIComponent("^/fal/"))).at(-1)?.seq ?? 0;
    const sub = await client.queue.submit(model, { input, webhookUrl: HOOK + hookPath });
    const id = sub.request_id;
    eq(n("webhook submit gateway_request_id"), sub.gateway_request_id, id);
    const logged = (await control("GET", `/_emulator/requests?since=${since}&method=POST`))
      .filter((r) => r.path === `/fal/${model}`);
    eq(n("webhook: the emulator received fal_webhook"), logged.at(-1)?.query?.fal_webhook, HOOK + hookPath);
    await client.queue.subscribeToStatus(model, { requestId: id, pollInterval: 10 });
    const d = await delivery(hookPath);
    if (!check(n("webhook delivered"), d, "a POST to the receiver in 5 s", null)) return;
    const body = JSON.parse(d.raw.toString("utf8"));
    eq(n("webhook body"), [body.request_id, body.gateway_request_id, body.status, body.error, typeof body.payload?.video?.url],
       [id, id, "OK", null, "string"]);
    const h = d.headers;
    eq(n("webhook request id header"), h["x-fal-webhook-request-id"], id);
    const message = [h["x-fal-webhook-request-id"], h["x-fal-webhook-user-id"], h["x-fal-webhook-timestamp"],
                     createHash("sha256").update(d.raw).digest("hex")].join("\n");
    const sig = Buffer.from(h["x-fal-webhook-signature"] ?? "", "hex");
    truthy(n("webhook Ed25519 signature (JWKS key)"), verify(null, Buffer.from(message), await webhookKey(), sig),
           "a signature the JWKS key verifies");
  });

  // 422s, as the official client parses them
  await section(n("validation"), async () => {
    const e = await rejection(n("empty input"), client.queue.submit(model, { input: {} }));
    if (!e) return;
    check(n("empty input: ValidationError 422"), e instanceof ValidationError && e.status === 422,
          "ValidationError 422", { name: e.name, status: e.status, body: e.body });
    truthy(n("empty input: x-fal-request-id"), e.requestId, "a request id on the error");
    const missing = [...spec.required, ...(spec.one_of ? [spec.one_of[0]] : [])];
    for (const f of missing) {
      const errs = e.getFieldErrors?.(f) ?? [];
      check(n(`empty input: field error for ${f}`), errs.length === 1 && typeof errs[0].msg === "string"
            && typeof errs[0].type === "string" && errs[0].loc?.[0] === "body", "one {loc: [body, f], msg, type}", e.fieldErrors);
    }
    const field = Object.keys(spec.enums ?? {}).sort()[0];
    if (field) {
      const bad = await rejection(n(`bad ${field}`), client.queue.submit(model, { input: { ...input, [field]: "bogus" } }));
      if (bad) {
        const errs = bad instanceof ValidationError ? bad.getFieldErrors(field) : [];
        check(n(`bad ${field}: ValidationError for it`), errs.length === 1 && typeof errs[0].msg === "string",
              `ValidationError with one error at ${field}`, { name: bad.name, status: bad.status, body: bad.body });
      }
    }
  });
}

// ---------------------------------------------------------------------------------
// once per run

async function checkOnce(models, registry) {
  const t2v = models.find((m) => m === "bytedance/seedance-2.0/text-to-video") ?? models[0];
  const i2v = models.find((m) => registry[m].required.includes("image_url")) ?? models[0];
  const input = inputFor(registry[t2v]);

  await section("fal.run", async () => {
    await script(t2v);
    const res = await client.run(t2v, { input });
    truthy("fal.run requestId", UUID.test(res.requestId ?? ""), "a uuid from x-fal-request-id");
    eq("fal.run output", [res.data?.video?.content_type, typeof res.data?.video?.url], ["video/mp4", "string"]);
    const ex = seen("POST", new RegExp(`^/fal-run/${esc(t2v)}$`)).at(-1);
    eq("fal.run went to the synchronous host", ex?.url, `https://fal.run/${t2v}`);
    const e = await rejection("fal.run bad input", client.run(t2v, { input: {} }));
    if (e) eq("fal.run bad input: ValidationError", [e instanceof ValidationError, e.status], [true, 422]);
    await control("POST", `/_emulator/fal/models/${t2v}`,
                  { queue: 0, logs: [], times: 1, result: { status: 500, detail: "boom", error_type: "runner_server_error" } });
    const f = await rejection("fal.run failed run", client.run(t2v, { input }));
    if (f) {
      eq("fal.run failed run: ApiError", [f instanceof ApiError, f.status, f.body?.error_type, UUID.test(f.requestId)],
         [true, 500, "runner_server_error", true]);
    }
  });

  await section("storage.upload", async () => {
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 250, 0, 7]);
    const url = await client.storage.upload(new Blob([bytes], { type: "image/png" }));
    truthy("storage.upload returns a URL", typeof url === "string" && /^https?:\/\//.test(url), "a file URL");
    const ini = seen("POST", /^\/fal-rest\/storage\/upload\/initiate/).at(-1);
    eq("storage initiate", [ini?.url.split("?")[0], ini?.status, new URL(ini?.target ?? EMU).searchParams.get("storage_type")],
       ["https://rest.fal.ai/storage/upload/initiate", 200, "fal-cdn-v3"]);
    const put = exchanges.filter((x) => x.method === "PUT" && !x.target.includes("/requests/")).at(-1);
    eq("storage PUT to upload_url", put?.status, 200);
    const file = await fetch(route(url));
    const got = Buffer.from(await file.arrayBuffer());
    eq("storage file URL serves the same bytes", [file.status, file.headers.get("content-type"), got.equals(bytes)],
       [200, "image/png", true]);

    // a Blob in the input: the client uploads it and submits its URL
    await script(i2v);
    const image = Buffer.from("not really a png, but bytes all the same");
    const sub = await client.queue.submit(i2v, { input: { ...inputFor(registry[i2v]), image_url: new Blob([image], { type: "image/png" }) } });
    const logged = (await control("GET", "/_emulator/requests?since=0&method=POST"))
      .filter((r) => r.path === `/fal/${i2v}`).at(-1);
    const sent = JSON.parse(logged?.body ?? "{}").image_url;
    truthy("input Blob uploaded, its URL submitted", typeof sent === "string" && sent.includes("/fal-cdn/files/"), "a file URL");
    if (typeof sent === "string") {
      const again = Buffer.from(await (await fetch(route(sent))).arrayBuffer());
      eq("the submitted URL serves the Blob", again.equals(image), true);
    }
    await client.queue.cancel(i2v, { requestId: sub.request_id });
  });

  await section("bad key", async () => {
    const keys = (await control("GET", "/_emulator/config")).api_keys ?? [];
    if (!check("bad key: the emulator has api_keys", keys.length > 0, "--api-key given to the emulator", keys)) return;
    const e = await rejection("bad key submit", badClient.queue.submit(t2v, { input }));
    if (e) {
      eq("bad key submit: ApiError 401", [e instanceof ApiError, e instanceof ValidationError, e.status, typeof e.body?.detail],
         [true, false, 401, "string"]);
      truthy("bad key submit: x-fal-request-id", e.requestId, "a request id on the 401");
    }
    const s = await rejection("bad key status", badClient.queue.status(t2v, { requestId: "00000000-0000-4000-a000-000000000000" }));
    if (s) eq("bad key status: ApiError 401", [s instanceof ApiError, s.status], [true, 401]);
    const r = await rejection("bad key fal.run", badClient.run(t2v, { input }));
    if (r) eq("bad key fal.run: ApiError 401", [r instanceof ApiError, r.status], [true, 401]);
    const u = await rejection("bad key storage", badClient.storage.upload(new Blob(["x"], { type: "text/plain" })));
    if (u) eq("bad key storage: ApiError 401", [u instanceof ApiError, u.status], [true, 401]);
  });

  await section("not found", async () => {
    const unknown = "00000000-0000-4000-a000-000000000000";
    const s = await rejection("unknown request status", client.queue.status(t2v, { requestId: unknown }));
    if (s) eq("unknown request status: ApiError 404", [s instanceof ApiError, s.status, s.requestId], [true, 404, unknown]);
    const m = await rejection("unknown model", client.queue.submit("fal-ai/no-such-model", { input: { prompt: "x" } }));
    if (m) eq("unknown model: ApiError 404", [m instanceof ApiError, m.status], [true, 404]);
    const st = await client.queue.streamStatus(t2v, { requestId: unknown });
    const e = await rejection("unknown request stream", st.done());
    if (e) eq("unknown request stream: ApiError 404", [e instanceof ApiError, e.status], [true, 404]);
  });

  await section("retry", async () => {
    // the full id answers 503 once; the client retries; the retry meets the app's script
    await control("POST", `/_emulator/fal/models/${appOf(t2v)}`, { queue: 0, logs: [], times: 1 });
    await control("POST", `/_emulator/fal/models/${t2v}`, { reject: { status: 503 }, times: 1 });
    const mark = exchanges.length;
    const sub = await client.queue.submit(t2v, { input });
    const codes = exchanges.slice(mark).filter((x) => x.method === "POST").map((x) => x.status);
    eq("503 on submit is retried by the client", codes, [503, 200]);
    const first = exchanges.slice(mark).find((x) => x.status === 503);
    eq("503 answer", [first?.headers.get("x-fal-error-type"), UUID.test(first?.headers.get("x-fal-request-id") ?? "")],
       ["runner_scheduling_failure", true]);
    await client.queue.subscribeToStatus(t2v, { requestId: sub.request_id, pollInterval: 10 });
  });

  await section("model error on result", async () => {
    const detail = [{ loc: ["body", "prompt"], msg: "The prompt was flagged", type: "content_policy_violation" }];
    await control("POST", `/_emulator/fal/models/${t2v}`, { queue: 0, logs: [], times: 1, result: { status: 422, detail } });
    const e = await rejection("subscribe with a 422 result", client.subscribe(t2v, { input, pollInterval: 10 }));
    if (e) {
      eq("422 result: ValidationError", [e instanceof ValidationError, e.status, e.getFieldErrors?.("prompt")?.[0]?.type],
         [true, 422, "content_policy_violation"]);
    }
  });

  await section("stream does not block", async () => {
    await control("POST", `/_emulator/fal/models/${t2v}`, { queue: 0, logs: ["working"], stuck: true, times: 1 });
    const stuck = await client.queue.submit(t2v, { input });
    const st = await client.queue.streamStatus(t2v, { requestId: stuck.request_id, logs: true });
    const ended = st.done();
    ended.catch(() => {});      // awaited below; an early error must not go unhandled
    const events = [];
    st.on("data", (d) => events.push(d.status));
    for (let i = 0; i < 50 && events.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    eq("stuck stream events", events.slice(0, 2), ["IN_QUEUE", "IN_PROGRESS"]);
    await script(t2v);
    const other = await client.queue.submit(t2v, { input });
    const t0 = Date.now();
    const s = await client.queue.status(t2v, { requestId: other.request_id });
    const ms = Date.now() - t0;
    check("a status answers while a stream is open", s.status === "IN_QUEUE" && ms < 1000, "IN_QUEUE in < 1 s",
          { status: s.status, ms });
    st.abort();
    const last = await ended;
    eq("an aborted stream ends", last?.status, "IN_PROGRESS");
    await client.queue.cancel(t2v, { requestId: stuck.request_id });
    await client.queue.cancel(t2v, { requestId: other.request_id });
  });

  await section("clock-driven stream", async () => {
    // no script: the job follows the emulator's clock (3 s queued, 30 s running, nominal)
    const sub = await client.queue.submit(t2v, { input });
    const st = await client.queue.streamStatus(t2v, { requestId: sub.request_id, logs: true });
    const ended = st.done();
    ended.catch(() => {});
    const events = [];
    st.on("data", (d) => events.push(d.status));
    await new Promise((r) => setTimeout(r, 100));
    await control("POST", "/_emulator/advance", { seconds: 3.5 });
    await new Promise((r) => setTimeout(r, 200));
    await control("POST", "/_emulator/advance", { seconds: 40 });
    const timer = setTimeout(() => st.abort(), 5000);
    const last = await ended;
    clearTimeout(timer);
    eq("clock-driven stream ends COMPLETED", last?.status, "COMPLETED");
    const order = events.map((s) => STEPS.indexOf(s));
    check("clock-driven stream in order", order.every((v, i) => i === 0 || v >= order[i - 1]) && order.at(-1) === 4,
          "statuses in order, ending COMPLETED", events);
  });
}

// An emulator without GET /_emulator/fal/registry (an older one): this checkout's table,
// printed by lua5.4.
function localRegistry(err) {
  console.log(`note: ${err.message}; using this checkout's lua/heygen/emulator/fal.lua MODELS`);
  const lua = `package.path = ${JSON.stringify(ROOT + "/lua/?.lua;" + ROOT + "/lua/?/init.lua;")} .. package.path
    local reply = require "heygen.emulator.reply"
    local out = {}
    for id, m in pairs(require("heygen.emulator.fal").MODELS) do
      out[id] = {required = reply.array(m.required), one_of = m.one_of, enums = next(m.enums) and m.enums or nil}
    end
    io.write(reply.encode(out))`;
  const r = spawnSync("lua5.4", ["-e", lua], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`lua5.4 could not print the registry: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

// ---------------------------------------------------------------------------------
// run

let code = 0;
try {
  const registry = await control("GET", "/_emulator/fal/registry").catch(localRegistry);
  let models = Object.keys(registry).sort();
  if (args.only) models = models.filter((m) => m.includes(args.only));
  check("the emulator serves fal models", models.length > 0, "a non-empty /_emulator/fal/registry", registry);
  const queue = [...models];
  const jobs = Math.max(1, Number(args.jobs) || 1);
  await Promise.all(Array.from({ length: jobs }, async () => {
    while (queue.length) { const m = queue.shift(); await checkModel(m, registry[m]); }
  }));
  if (models.length) await checkOnce(models, registry);
} catch (e) {
  console.log(`FAIL the run: ${e.stack}`);
  failed++;
} finally {
  receiver.close();
  if (child) {
    await control("POST", "/_emulator/shutdown", {}).catch(() => {});
    child.kill();
  }
}
console.log(`${passed} passed, ${failed} failed`);
code = failed > 0 ? 1 : 0;
process.exit(code);
