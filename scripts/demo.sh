#!/usr/bin/env bash
# The demo: installs what is missing, builds everything and serves the demo storefront on
# localhost (PORT, default 8080). Stop it with Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
bash scripts/demo-site.sh target/demo-site
exec node www/demo/serve.mjs target/demo-site "${PORT:-8080}"
