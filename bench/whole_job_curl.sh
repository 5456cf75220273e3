#!/usr/bin/env bash
# The whole job as a shell script does it (run by bench/whole_job.lua): curl
# creates a v3 avatar video, polls GET /v3/videos/{id} every 2 s (jq reads the
# status), then downloads the file with curl -o.
#
#   bash bench/whole_job_curl.sh BASE_URL API_KEY OUT
set -euo pipefail
base=$1 key=$2 out=$3
hdr=(-H "X-Api-Key: $key" -H "Accept: application/json" -H "User-Agent: heygen-lua/bench")
id=$(curl -sf "${hdr[@]}" -H "Content-Type: application/json" -X POST "$base/v3/videos" \
  -d '{"type":"avatar","avatar_id":"Abigail_expressive_2024112501",'\
'"voice_id":"1bd001e7e50f421d891986aad5158bc8","script":"The whole job, measured."}' \
  | jq -er .data.video_id)
while :; do
  doc=$(curl -sf "${hdr[@]}" "$base/v3/videos/$id")
  status=$(jq -r .data.status <<<"$doc")
  case $status in
    completed) break ;;
    failed) echo "render failed: $doc" >&2; exit 1 ;;
  esac
  sleep 2
done
curl -sf -o "$out" "$(jq -r .data.video_url <<<"$doc")"
