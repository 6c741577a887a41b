#!/usr/bin/env bash
# Builds what a merchant uploads to a CDN into pkg/: the loader aisle.js, the wasm core and
# its glue, all optimized for size, then prints their raw, gzip and brotli sizes.
# Also builds the native `aisle` CLI (release).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck disable=SC1091
source scripts/toolchain.sh

log() { printf '\033[1mbuild:\033[0m %s\n' "$*" >&2; }

log "wasm core (profile wasm, target wasm32-unknown-unknown)"
# Its own target dir: the shipped build's RUSTFLAGS differ from the test builds'.
# shellcheck disable=SC2086
RUSTFLAGS="${AISLE_WASM_SHIP_RUSTFLAGS:-}" cargo build --quiet --profile wasm --target wasm32-unknown-unknown \
  --target-dir target/ship $AISLE_WASM_BUILD_STD -p aisle
rm -rf pkg && mkdir -p pkg
wasm-bindgen --target web --no-typescript --out-dir pkg --out-name aisle_core \
  target/ship/wasm32-unknown-unknown/wasm/aisle.wasm
node_modules/.bin/wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue --strip-debug --strip-producers \
  pkg/aisle_core_bg.wasm -o pkg/aisle_core_bg.wasm
# Minified: the loader as a classic script (keeping its licence comment), the glue as a module.
node_modules/.bin/terser www/loader/aisle.js --compress --mangle --comments '/^!/' -o pkg/aisle.js
node_modules/.bin/terser pkg/aisle_core.js --module --compress --mangle -o pkg/aisle_core.js

log "native CLI (release)"
cargo build --quiet --release -p aisle-cli

node scripts/sizes.mjs pkg/aisle.js pkg/aisle_core.js pkg/aisle_core_bg.wasm
