#!/usr/bin/env bash
# Assembles the demo storefront in target/demo-site: generated pages, the merchant's upload
# (pkg/ under /aisle/) and the bundle + manifest that `aisle build` makes from the demo data:
# the store's own events plus REES46 sessions with a cart (for the abandon model), a 10%
# long-running holdout. Assumes scripts/build.sh ran. Usage: scripts/demo-site.sh [out-dir]
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-target/demo-site}
rm -rf "$OUT" && mkdir -p "$OUT/aisle"
node www/demo/generate.mjs www/demo/data/catalog.csv "$OUT"
cp pkg/* "$OUT/aisle/"
cat www/demo/data/events.ndjson www/demo/data/cart-sessions.ndjson > "$OUT/.training-events.ndjson"
target/release/aisle build --catalog www/demo/data/catalog.csv --events "$OUT/.training-events.ndjson" \
  --out "$OUT/aisle" --holdout 0.1 --keep-open-sessions
rm "$OUT/.training-events.ndjson"
