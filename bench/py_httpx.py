"""Peer: status polls with Python httpx (keep-alive), the body decoded with
.json() and its status read. "sync": one httpx.Client, one at a time;
"async": one httpx.AsyncClient, P requests in flight on asyncio.

    /usr/bin/python3 bench/py_httpx.py URL N P sync|async
"""
import asyncio
import json
import sys
import time

import httpx

url, total, parallel, mode = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
HEADERS = {"Accept": "application/json", "User-Agent": "heygen-lua/bench",
           "X-Api-Key": "bench-key-0123456789abcdef"}


def good(r):
    doc = r.json()
    return r.status_code == 200 and doc["code"] == 100 and doc["data"]["status"] == "completed"


def run_sync():
    with httpx.Client(headers=HEADERS) as client:
        assert good(client.get(url)), "warm-up request failed"
        errors = 0
        cpu0, t0 = time.process_time(), time.monotonic()
        for _ in range(total):
            if not good(client.get(url)):
                errors += 1
        return errors, time.monotonic() - t0, time.process_time() - cpu0


async def run_async():
    limits = httpx.Limits(max_connections=parallel, max_keepalive_connections=parallel)
    async with httpx.AsyncClient(headers=HEADERS, limits=limits) as client:
        assert good(await client.get(url)), "warm-up request failed"
        state = {"issued": 0, "errors": 0}

        async def worker():
            while state["issued"] < total:
                state["issued"] += 1
                if not good(await client.get(url)):
                    state["errors"] += 1

        cpu0, t0 = time.process_time(), time.monotonic()
        await asyncio.gather(*(worker() for _ in range(parallel)))
        return state["errors"], time.monotonic() - t0, time.process_time() - cpu0


errors, secs, cpu = run_sync() if mode == "sync" else asyncio.run(run_async())
print("RESULT " + json.dumps({"requests": total, "seconds": secs, "rps": total / secs, "cpu": cpu,
                              "errors": errors, "runtime": "httpx " + httpx.__version__}))
