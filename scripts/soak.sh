#!/usr/bin/env bash
# Flake hunt: runs the test phases of scripts/test.sh (native, browser, end-to-end) N times in a
# row with a CPU hog beside them (one busy loop per core), and lists every failing test of
# every run. A test that fails once here points at a broken guarantee or a wrong assumption.
# Usage: scripts/soak.sh [RUNS] (default 5), after `npm test` (or scripts/build.sh) built pkg/.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"
# shellcheck disable=SC1091
source .cache/toolchain.env
logs=target/soak
mkdir -p "$logs"

# The hog: one busy worker per core, stopped when this script ends.
node -e '
  const { Worker } = require("node:worker_threads");
  for (let i = 0; i < require("node:os").availableParallelism(); i++) new Worker("for(;;){}", { eval: true });
' &
hog=$!
trap 'kill $hog 2>/dev/null || true' EXIT

bash scripts/demo-site.sh target/demo-site >/dev/null
failed=0
for run in $(seq 1 "$runs"); do
  log="$logs/run-$run.log"
  started=$(date +%s)
  status=0
  {
    cargo test --workspace --quiet
    # shellcheck disable=SC2086
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner CHROMEDRIVER=${CHROMEDRIVER:-/usr/bin/chromedriver} \
      cargo test --target wasm32-unknown-unknown $AISLE_WASM_BUILD_STD -p aisle --features wasm-bindgen-host --test web --quiet
    node --test --test-concurrency=1 --test-reporter=tap tests/e2e/ tests/bench/
  } > "$log" 2>&1 || status=$?
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  printf 'run %s: exit %s in %ss (load %s)\n' "$run" "$status" "$(( $(date +%s) - started ))" "$load"
  if [ "$status" -ne 0 ]; then
    failed=$((failed + 1))
    grep -E '^\s*not ok|^test .* FAILED|panicked at' "$log" | head -20 || true
  fi
done
echo "soak: $failed of $runs runs failed (logs in $logs/)"
[ "$failed" -eq 0 ]
