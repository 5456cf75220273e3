"""Baseline: status polls with Python requests and a Session (keep-alive),
the body decoded with .json(), one at a time.

    python3 bench/py_requests.py URL N
"""
import json
import sys
import time

import requests

url, total = sys.argv[1], int(sys.argv[2])
session = requests.Session()
session.headers.update({"Accept": "application/json", "User-Agent": "heygen-lua/bench",
                        "X-Api-Key": "bench-key-0123456789abcdef"})


def poll():
    r = session.get(url)
    doc = r.json()
    return r.status_code == 200 and doc["code"] == 100 and doc["data"]["status"] == "completed"


assert poll(), "warm-up request failed"
errors = 0
t0 = time.monotonic()
for _ in range(total):
    if not poll():
        errors += 1
secs = time.monotonic() - t0
print("RESULT " + json.dumps({"requests": total, "seconds": secs, "rps": total / secs, "errors": errors}))
