#!/usr/bin/env bash
# Regenerates www/demo/data/{catalog.csv,events.ndjson} from the REES46 excerpt in
# ../shared/data/rees46 (see www/demo/data/README.md). Usage: scripts/demo-data.sh [DATA_DIR]
set -euo pipefail
# shellcheck disable=SC1091
source "$(dirname "$0")/toolchain.sh"
cd "$(dirname "$0")/.."
data="${1:-../shared/data}"
cargo run --quiet --release -p aisle-cli -- import rees46 \
  --input "$data/rees46/events.csv" \
  --categories-top 4 --per-category 40 --min-per-category 24 \
  --catalog-out www/demo/data/catalog.csv \
  --events-out www/demo/data/events.ndjson
