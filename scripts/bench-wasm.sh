#!/usr/bin/env bash
# Builds the benchmark wasm into target/bench-pkg/: the shipped build (same profile, flags
# and wasm-opt) plus the `bench` feature's micro-benchmark exports (src/web/bench.rs), which
# are wasm-bindgen's (the feature brings it in, and the host functions through it:
# src/web/host.rs), with its glue; the shipped interface's raw exports stay in the wasm, and
# the loader's glue for them (www/loader/wasm-abi.js) is copied beside it for the bench page.
# Its own target dir, seeded from the shipped build's, so std and the dependencies are
# reused and the shipped build is never invalidated. Usage: scripts/bench-wasm.sh
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck disable=SC1091
source .cache/toolchain.env
if [ ! -d target/bench-wasm ] && [ -d target/ship ]; then cp -a target/ship target/bench-wasm; fi
# shellcheck disable=SC2086
RUSTFLAGS="${AISLE_WASM_SHIP_RUSTFLAGS:-}" cargo build --quiet --profile wasm --target wasm32-unknown-unknown \
  --target-dir target/bench-wasm $AISLE_WASM_BUILD_STD -p aisle --features bench
rm -rf target/bench-pkg && mkdir -p target/bench-pkg
wasm-bindgen --target web --no-typescript --out-dir target/bench-pkg --out-name aisle_core \
  target/bench-wasm/wasm32-unknown-unknown/wasm/aisle.wasm
bash scripts/wasm-opt.sh target/bench-pkg/aisle_core_bg.wasm target/bench-pkg/aisle_core_bg.wasm --strip-debug
cp www/loader/wasm-abi.js target/bench-pkg/
