#!/usr/bin/env bash
# Reproduces docs/evaluation/: imports both public datasets from ../shared/data, runs
# `aisle evaluate` on each, and writes the Markdown and JSON reports.
# Usage: scripts/evaluate.sh [DATA_DIR]   (default ../shared/data)
set -euo pipefail
# shellcheck disable=SC1091
source "$(dirname "$0")/toolchain.sh"
cd "$(dirname "$0")/.."
data="${1:-../shared/data}"
work="target/evaluation-data"
out="docs/evaluation"
mkdir -p "$work" "$out"
cargo build --quiet --release -p aisle-cli
aisle=target/release/aisle

$aisle import rees46 --input "$data/rees46/events.csv" \
  --catalog-out "$work/rees46-catalog.csv" --events-out "$work/rees46-events.ndjson"
$aisle import diginetica --views "$data/diginetica/sample_train-item-views.csv" \
  --purchases "$data/diginetica/train-purchases.csv" \
  --categories "$data/diginetica/product-categories.csv" \
  --catalog-out "$work/diginetica-catalog.csv" --events-out "$work/diginetica-events.ndjson"

for dataset in rees46 diginetica; do
  $aisle evaluate --name "$dataset" \
    --catalog "$work/$dataset-catalog.csv" --events "$work/$dataset-events.ndjson" \
    --seed 1 --resamples 1000 \
    --markdown "$out/$dataset.md" --json "$out/$dataset.json" > /dev/null
  echo "wrote $out/$dataset.md and $out/$dataset.json"
done
