#!/usr/bin/env bash
# Installs whatever aisle needs that is missing, idempotently, then writes .cache/toolchain.env
# for the other scripts to source. A second run with everything present takes seconds.
#
# The wasm toolchain: the standard route is rustup's wasm32-unknown-unknown target. Where
# rustup cannot fetch it (offline machines), Debian's rustc-web with its std sources builds std
# for wasm itself (-Zbuild-std); that same cargo then serves native builds too.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .cache

log() { printf '\033[1msetup:\033[0m %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else log "need root for: $*  (run it by hand, then re-run)"; return 1
  fi
}

APT_UPDATED=""
apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null 2>&1 || { log "please install: ${missing[*]}"; return 1; }
  if [ -z "$APT_UPDATED" ]; then as_root apt-get update -qq; APT_UPDATED=1; fi
  log "installing ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

# 1. Rust and the wasm32 target.
pick_wasm_toolchain() {
  if command -v rustup >/dev/null 2>&1 && rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    echo rustup; return
  fi
  if [ -x /usr/bin/rustc ] && [ -d /usr/lib/rustlib/src/rust/library ] && [ -x /usr/lib/llvm-19/bin/wasm-ld ]; then
    echo debian; return
  fi
  if [ ! -e .cache/rustup-wasm-unavailable ] && command -v rustup >/dev/null 2>&1; then
    log "adding rustup's wasm32-unknown-unknown target (90 s at most)"
    if timeout 90 rustup target add wasm32-unknown-unknown >&2; then echo rustup; return; fi
    log "rustup could not fetch the wasm32 target; falling back to Debian's rustc-web"
    touch .cache/rustup-wasm-unavailable
  fi
  apt_install rustc-web cargo-web rust-web-src lld-19 >&2
  echo debian
}

MODE=$(pick_wasm_toolchain)
if [ "$MODE" = debian ]; then
  # Debian's cargo and rustc first; cargo-installed tools (wasm-bindgen) right after.
  cat > .cache/toolchain.env <<EOF
export PATH="/usr/bin:$HOME/.cargo/bin:\$PATH"
export RUSTC=/usr/bin/rustc
export RUSTC_BOOTSTRAP=1
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=/usr/lib/llvm-19/bin/wasm-ld
export AISLE_WASM_BUILD_STD="-Zbuild-std=std,panic_abort"
# The shipped wasm drops panic messages and locations (tests keep them).
export AISLE_WASM_SHIP_RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none"
EOF
else
  cat > .cache/toolchain.env <<EOF
export PATH="$HOME/.cargo/bin:\$PATH"
export AISLE_WASM_BUILD_STD=""
export AISLE_WASM_SHIP_RUSTFLAGS=""
EOF
fi
# shellcheck disable=SC1091
source .cache/toolchain.env
log "wasm toolchain: $MODE ($(cargo --version))"

# 2. wasm-bindgen CLI, exactly the version the lock file pins.
BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock 2>/dev/null || true)
BINDGEN_VERSION=${BINDGEN_VERSION:-0.2.130}
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$BINDGEN_VERSION" ]; then
  log "installing wasm-bindgen-cli $BINDGEN_VERSION (a few minutes, once)"
  cargo install wasm-bindgen-cli --version "$BINDGEN_VERSION" --root "$HOME/.cargo" >&2
fi

# 3. Chromium and its driver, for the browser tests and the benchmark.
apt_install chromium chromium-driver

# 4. Node packages (playwright-core drives Chromium; binaryen ships a current wasm-opt).
command -v node >/dev/null 2>&1 || apt_install nodejs npm
if [ ! -f node_modules/.package-lock.json ] || [ package.json -nt node_modules/.package-lock.json ] \
   || { [ -f package-lock.json ] && [ package-lock.json -nt node_modules/.package-lock.json ]; }; then
  log "installing node packages"
  if [ -f package-lock.json ]; then npm ci --no-audit --no-fund >&2; else npm install --no-audit --no-fund >&2; fi
fi
log "ready"
