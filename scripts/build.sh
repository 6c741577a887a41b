#!/usr/bin/env bash
# Builds what a merchant uploads to a CDN into pkg/: aisle.js (the loader's modules, the
# wasm's hand-written interface www/loader/wasm-abi.js among them, as one classic script) and
# the wasm core (raw `extern "C"` exports, no wasm-bindgen: src/web/abi.rs), both optimized
# for size, then prints their raw, gzip and brotli sizes.
# Also builds the native `aisle` CLI (release).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck disable=SC1091
source scripts/toolchain.sh

log() { printf '\033[1mbuild:\033[0m %s\n' "$*" >&2; }

log "wasm core (profile wasm, target wasm32-unknown-unknown)"
# Its own target dir: the shipped build's RUSTFLAGS differ from the test builds'.
# Both toolchain routes: std built for wasm with the size flags, by the same compiler release
# (scripts/setup.sh; on rustup, AISLE_WASM_SHIP_TOOLCHAIN pins it).
# shellcheck disable=SC2086
RUSTFLAGS="${AISLE_WASM_SHIP_RUSTFLAGS:-}" cargo ${AISLE_WASM_SHIP_TOOLCHAIN:-} build --quiet --profile wasm \
  --target wasm32-unknown-unknown --target-dir target/ship $AISLE_WASM_BUILD_STD -p aisle
rm -rf pkg target/glue && mkdir -p pkg target/glue
# cargo's wasm is what ships, once wasm-opt has made it smaller (no wasm-bindgen pass: the
# interface is raw exports and imports, src/web/abi.rs and host.rs).
wasm=target/ship/wasm32-unknown-unknown/wasm/aisle.wasm
bash scripts/wasm-opt.sh "$wasm" pkg/aisle_core_bg.wasm --strip-debug
# AISLE_WASM_NAMES=1: the same optimization keeping the function names, for
# `node scripts/bench/wasm-functions.mjs target/glue/aisle_core_named.wasm` (where the bytes go).
if [ "${AISLE_WASM_NAMES:-}" = 1 ]; then
  bash scripts/wasm-opt.sh "$wasm" target/glue/aisle_core_named.wasm --debuginfo
fi
# The debug view (?aisle_debug=1 only), then one script for the page: the loader's modules
# bundled by esbuild with the sha384 of the wasm and of the debug view inside.
# Minified as classic scripts (keeping their licence comments), as ES2020: the loader already
# needs it (classes, spread), and terser then writes a function expression that uses no `this`
# as an arrow and an object's function as a method (none of ours is called with `new`):
# aisle.js 127 B gzip smaller (docs/performance.md, "Issue 12, session 9").
minify() {
  node_modules/.bin/terser "$1" --ecma 2020 --compress passes=2,unsafe_arrows=true,unsafe_methods=true \
    --mangle --comments '/^!/' -o "$2"
}
minify www/loader/aisle-debug.js pkg/aisle-debug.js
node scripts/assemble-loader.mjs www/loader/boot.js pkg/aisle_core_bg.wasm pkg/aisle-debug.js target/glue/aisle.js
minify target/glue/aisle.js pkg/aisle.js

if [ "${AISLE_PKG_ONLY:-}" != 1 ]; then # scripts/compare-routes.sh builds pkg/ only
  log "native CLI (release)"
  cargo build --quiet --release -p aisle-cli
fi

node scripts/sizes.mjs pkg/aisle.js pkg/aisle_core_bg.wasm
