#!/usr/bin/env bash
# Assembles the demo storefront in target/demo-site: generated pages, the merchant's upload
# (pkg/ under /aisle/) and the bundle + manifest that `aisle build` makes from the demo data.
# Assumes scripts/build.sh ran. Usage: scripts/demo-site.sh [out-dir]
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-target/demo-site}
rm -rf "$OUT" && mkdir -p "$OUT/aisle"
node www/demo/generate.mjs www/demo/data/catalog.csv "$OUT"
cp pkg/* "$OUT/aisle/"
target/release/aisle build --catalog www/demo/data/catalog.csv --events www/demo/data/events.ndjson --out "$OUT/aisle"
