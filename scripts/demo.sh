#!/usr/bin/env bash
# The demo: installs what is missing, builds everything and serves the demo storefront on
# localhost (PORT, default 8080), with `aisle collect` on PORT+1 receiving its events into
# target/demo-events (read them with `target/release/aisle report --events target/demo-events
# --out target/demo-report`). Stop it with Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
bash scripts/demo-site.sh target/demo-site
PORT=${PORT:-8080}
COLLECT_PORT=$((PORT + 1))
target/release/aisle collect --listen "127.0.0.1:$COLLECT_PORT" --dir target/demo-events >/dev/null &
COLLECTOR_PID=$!
trap 'kill $COLLECTOR_PID 2>/dev/null' EXIT
echo "events: aisle collect on 127.0.0.1:$COLLECT_PORT → target/demo-events/"
AISLE_COLLECTOR="http://127.0.0.1:$COLLECT_PORT/e" node www/demo/serve.mjs target/demo-site "$PORT"
