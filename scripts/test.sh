#!/usr/bin/env bash
# Runs every test: installs what is missing, builds pkg/ and the CLI, then
#   0. format, lint and type checks (cargo fmt, clippy, tsc --checkJs over www/ and scripts/),
#      and the shipped files built on both toolchain routes, compared (scripts/compare-routes.sh),
#   1. native tests of the core and the CLI (cargo test --workspace),
#   1b. sql/ga4_sessions.sql in DuckDB against the GA4 importer (sql/test.sh),
#   2. browser tests of src/web/ (wasm-bindgen-test in headless Chromium; the host functions
#      through wasm-bindgen, feature wasm-bindgen-host: src/web/host.rs),
#   3. end-to-end tests of the demo storefront in headless Chromium (node --test).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
# shellcheck disable=SC1091
source .cache/toolchain.env

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "format and lint (cargo fmt --check, clippy -D warnings, native and wasm32)"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --quiet -- -D warnings
# The browser edge (src/web) compiles only for wasm32: lint it there too, as it ships (raw
# imports) and with the bench and the browser tests (wasm-bindgen-host, which `bench` enables).
# shellcheck disable=SC2086
cargo clippy --target wasm32-unknown-unknown $AISLE_WASM_BUILD_STD -p aisle --all-targets --quiet -- -D warnings
# shellcheck disable=SC2086
cargo clippy --target wasm32-unknown-unknown $AISLE_WASM_BUILD_STD -p aisle --all-targets --features bench --quiet -- -D warnings

step "JS type check of www/ and scripts/ (tsc --checkJs, tsconfig.json)"
npx --no-install tsc -p tsconfig.json

step "toolchain routes (rustup and Debian's rustc-web ship the same pkg/ files)"
bash scripts/compare-routes.sh

step "native tests (core + CLI)"
cargo test --workspace

step "the GA4 session SQL in DuckDB gives the importer's sessions (sql/test.sh)"
bash sql/test.sh

step "browser tests of src/web (wasm-bindgen-test, headless Chromium)"
# shellcheck disable=SC2086
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner CHROMEDRIVER=${CHROMEDRIVER:-/usr/bin/chromedriver} \
  cargo test --target wasm32-unknown-unknown $AISLE_WASM_BUILD_STD -p aisle --features wasm-bindgen-host --test web

step "end-to-end tests (demo storefront and the bench's GrowthBook peer, headless Chromium)"
bash scripts/demo-site.sh target/demo-site >/dev/null
node --test --test-concurrency=1 tests/e2e/ tests/bench/
