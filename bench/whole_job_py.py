"""The whole job as a Python script does it (run by bench/whole_job.lua):
requests.Session creates a v3 avatar video, polls GET /v3/videos/{id} every
2 s, then streams the file to disk.

    /usr/bin/python3 bench/whole_job_py.py BASE_URL API_KEY OUT
"""
import sys
import time

import requests

base, key, out = sys.argv[1], sys.argv[2], sys.argv[3]
s = requests.Session()
s.headers.update({"X-Api-Key": key, "Accept": "application/json", "User-Agent": "heygen-lua/bench"})
r = s.post(base + "/v3/videos", json={"type": "avatar", "avatar_id": "Abigail_expressive_2024112501",
                                      "voice_id": "1bd001e7e50f421d891986aad5158bc8",
                                      "script": "The whole job, measured."})
r.raise_for_status()
vid = r.json()["data"]["video_id"]
while True:
    r = s.get(base + "/v3/videos/" + vid)
    r.raise_for_status()
    data = r.json()["data"]
    if data["status"] == "completed":
        break
    if data["status"] == "failed":
        sys.exit("render failed: %r" % data)
    time.sleep(2)
with s.get(data["video_url"], stream=True) as r:
    r.raise_for_status()
    with open(out, "wb") as f:
        for chunk in r.iter_content(256 * 1024):
            f.write(chunk)
