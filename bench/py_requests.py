"""Baseline: status polls with Python requests and a Session (keep-alive),
the body decoded with .json(), P at a time (P threads, a Session each:
a Session is not meant to be shared between threads).

    /usr/bin/python3 bench/py_requests.py URL N [P]
"""
import json
import sys
import threading
import time

import requests

url, total = sys.argv[1], int(sys.argv[2])
parallel = int(sys.argv[3]) if len(sys.argv) > 3 else 1
HEADERS = {"Accept": "application/json", "User-Agent": "heygen-lua/bench",
           "X-Api-Key": "bench-key-0123456789abcdef"}


def session():
    s = requests.Session()
    s.headers.update(HEADERS)
    return s


def poll(s):
    r = s.get(url)
    doc = r.json()
    return r.status_code == 200 and doc["code"] == 100 and doc["data"]["status"] == "completed"


sessions = [session() for _ in range(parallel)]
for s in sessions:
    assert poll(s), "warm-up request failed"
lock = threading.Lock()
state = {"issued": 0, "errors": 0}


def worker(s):
    while True:
        with lock:
            if state["issued"] >= total:
                return
            state["issued"] += 1
        if not poll(s):
            with lock:
                state["errors"] += 1


cpu0, t0 = time.process_time(), time.monotonic()
if parallel == 1:
    worker(sessions[0])
else:
    threads = [threading.Thread(target=worker, args=(s,)) for s in sessions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
secs = time.monotonic() - t0
print("RESULT " + json.dumps({"requests": total, "seconds": secs, "rps": total / secs,
                              "cpu": time.process_time() - cpu0, "errors": state["errors"],
                              "runtime": "requests " + requests.__version__}))
