// Peer: status polls with Node.js's built-in fetch (undici), keep-alive, the
// body decoded with .json() and its status read, P requests in flight.
//
//   node bench/node_fetch.mjs URL N P
const [url, totalArg, parallelArg] = process.argv.slice(2);
const total = Number(totalArg || 1000);
const parallel = Number(parallelArg || 1);
const headers = {
  Accept: "application/json",
  "User-Agent": "heygen-lua/bench",
  "X-Api-Key": "bench-key-0123456789abcdef",
};

async function poll() {
  const r = await fetch(url, { headers });
  const doc = await r.json();
  return r.status === 200 && doc.code === 100 && doc.data.status === "completed";
}

if (!(await poll())) throw new Error("warm-up request failed");
let issued = 0;
let errors = 0;
async function worker() {
  while (issued < total) {
    issued += 1;
    if (!(await poll())) errors += 1;
  }
}
const cpu0 = process.cpuUsage();
const t0 = process.hrtime.bigint();
await Promise.all(Array.from({ length: parallel }, worker));
const secs = Number(process.hrtime.bigint() - t0) / 1e9;
const cpu = process.cpuUsage(cpu0);
console.log("RESULT " + JSON.stringify({
  requests: total, seconds: secs, rps: total / secs, cpu: (cpu.user + cpu.system) / 1e6, errors,
  runtime: "Node.js " + process.version,
}));
