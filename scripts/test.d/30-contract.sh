# Sourced by scripts/test: the contract pass. HeyGen's own v3 schemas
# (../shared/contracts, the strict April file's rules laid over the newer one by
# spec/contract/merge.mjs) judge every request the v3 specs' clients send and every
# answer the emulator gives, through Stoplight Prism (spec/contract/front.mjs);
# then the official fal.ai JS client drives the emulator's fal routes
# (spec/contract/fal_client.mjs). Counted: each spec, each judged operation
# (one check per operation and rule: no violation), each fal client check.
contract_pass() {
  local contracts=$root/../shared/contracts out=$log_dir/contract
  mkdir -p "$out"
  echo "== contract"
  local npm_dir
  if [ ! -f "$contracts/heygen-v3.openapi.json" ]; then
    # HeyGen's schemas are the team's reference beside the checkout, not part of it:
    # CI always has them (a missing copy fails there); a clone on its own says so.
    echo "contract: ../shared/contracts is not beside this checkout: pass skipped"
    [ "${CI:-}" = "true" ] && failed=$((failed + 1))
    return
  fi
  if ! npm_dir=$(scripts/npm-tools); then
    echo "contract: could not install the npm tools"; failed=$((failed + 1)); return
  fi
  node spec/contract/merge.mjs "$contracts/heygen-v3.openapi.json" \
    "$contracts/heygen-v3-2026-04-strict.openapi.json" "$out/heygen.json" || { failed=$((failed + 1)); return; }
  node spec/contract/front.mjs --prism "$npm_dir/node_modules/.bin/prism" --contract "$out/heygen.json" \
    --report "$out/report.jsonl" >"$out/front.log" 2>&1 &
  local front_pid=$! url="" i
  for i in $(seq 1 300); do
    url=$(grep -o 'listening on http://[0-9.:]*' "$out/front.log" | cut -d' ' -f3)
    [ -n "$url" ] && break
    kill -0 $front_pid 2>/dev/null || break
    sleep 0.2
  done
  if [ -z "$url" ]; then
    cat "$out/front.log"; echo "contract: the Prism front did not start"; failed=$((failed + 1))
    kill $front_pid 2>/dev/null; return
  fi
  local v3_specs
  v3_specs="$(ls spec/contract/*_spec.lua spec/api/*_spec.lua | grep -v _legacy_spec) spec/v3_spec.lua"
  v3_specs="$v3_specs spec/v3_parity_spec.lua spec/webhook_spec.lua spec/idempotency_spec.lua spec/journal_spec.lua"
  HEYGEN_CONTRACT_FRONT=$url PASS_SPECS="$v3_specs spec/client_spec.lua spec/faults_spec.lua spec/faults_bodies_spec.lua
    spec/faults_downloads_spec.lua" \
    pass contract lua5.4 "$root/build"
  kill $front_pid 2>/dev/null; wait $front_pid 2>/dev/null
  local line
  line=$(node spec/contract/summary.mjs --report "$out/report.jsonl" --contract "$out/heygen.json" \
           --client "$root/lua/heygen" --every yes | tee "$out/summary.txt" | tail -1)
  grep -v "passed, .* failed$" "$out/summary.txt" | head -80
  contract_add "$line" "contract summary"
  if [ -f spec/contract/fal_client.mjs ]; then
    line=$(node spec/contract/fal_client.mjs --spawn --key "fal-contract-key-0123456789" 2>&1 \
             | tee "$out/fal_client.log" | tail -1)
    grep -iE "^(fail|not ok)" "$out/fal_client.log" | head -40
    contract_add "$line" "fal client"
  fi
}
# contract_add "N passed, N failed" WHAT: adds a checker's closing line to the totals
contract_add() {
  if [[ "$1" =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
    passed=$((passed + BASH_REMATCH[1])); failed=$((failed + BASH_REMATCH[2]))
    echo "$2: $1"
  else
    echo "$2: no closing line ($1)"; failed=$((failed + 1))
  fi
}
contract_pass
