#!/usr/bin/env bash
# Installs whatever aisle needs that is missing, idempotently, then writes .cache/toolchain.env
# for the other scripts to source. A second run with everything present takes seconds.
#
# The wasm toolchain: the standard route is rustup (wasm32-unknown-unknown target, rust-src,
# and a pinned release for the shipped wasm). Where rustup cannot fetch them (offline
# machines), Debian's rustc-web with its std sources; that same cargo then serves native
# builds too. Both routes build std for wasm with the same flags (see step 1).
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

# 1. Rust and the wasm32 target. Two routes, one set of flags: both build std for wasm
# themselves (-Zbuild-std) with the same size flags and the same compiler release, so the
# shipped wasm and loader are the same bytes whichever route built them
# (scripts/compare-routes.sh checks it). AISLE_TOOLCHAIN=rustup|debian picks a route by hand;
# then only .cache/toolchain-<route>.env is written, and the default choice stays as it was.
# The compiler release of the shipped wasm is Debian's rustc-web (bookworm-security); the
# rustup route installs the same release for the shipped build.
AISLE_SHIP_RUST=1.96.0
SHIP_FLAGS='export RUSTC_BOOTSTRAP=1
export AISLE_WASM_BUILD_STD="-Zbuild-std=std,panic_abort"
# The shipped wasm drops panic messages and locations (tests keep them), and LLVM inlines only
# what costs no more than the call (-inline-threshold=0; wasm-opt then inlines the small
# functions itself, scripts/wasm-opt.sh): 360 B gzip less, no slower in the core benchmark
# (docs/performance.md, "Where the wasm bytes go").
export AISLE_WASM_SHIP_RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none -Cllvm-args=-inline-threshold=0"'

rustup_ready() {
  command -v rustup >/dev/null 2>&1 || return 1
  rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown || return 1
  rustup component list --installed 2>/dev/null | grep -q '^rust-src' || return 1
  rustup +"$AISLE_SHIP_RUST" component list --installed 2>/dev/null | grep -q '^rust-src' || return 1
}

debian_ready() {
  [ -x /usr/bin/rustc ] && [ -d /usr/lib/rustlib/src/rust/library ] && [ -x /usr/lib/llvm-19/bin/wasm-ld ]
}

install_rustup_route() {
  { [ ! -e .cache/rustup-wasm-unavailable ] && command -v rustup >/dev/null 2>&1; } || return 1
  log "adding rustup's wasm32 target, rust-src, and Rust $AISLE_SHIP_RUST for the shipped wasm (once)"
  if timeout 300 rustup target add wasm32-unknown-unknown >&2 && timeout 300 rustup component add rust-src >&2 \
     && timeout 600 rustup toolchain install "$AISLE_SHIP_RUST" --profile minimal --target wasm32-unknown-unknown --component rust-src >&2; then
    return 0
  fi
  log "rustup could not fetch what the wasm build needs; falling back to Debian's rustc-web"
  touch .cache/rustup-wasm-unavailable
  return 1
}

install_debian_route() {
  apt_install rustc-web cargo-web rust-web-src lld-19 >&2
  local release
  release=$(/usr/bin/rustc --version | awk '{print $2}')
  [ "$release" = "$AISLE_SHIP_RUST" ] || log "warning: Debian's rustc is $release, the rustup route builds with $AISLE_SHIP_RUST: the routes' wasm may differ (scripts/compare-routes.sh)"
}

pick_wasm_toolchain() {
  case "${AISLE_TOOLCHAIN:-}" in
    rustup) rustup_ready || install_rustup_route || { log "AISLE_TOOLCHAIN=rustup: rustup cannot provide it"; exit 1; }; echo rustup; return ;;
    debian) debian_ready || install_debian_route; echo debian; return ;;
    "") ;;
    *) log "AISLE_TOOLCHAIN must be rustup or debian, not '$AISLE_TOOLCHAIN'"; exit 1 ;;
  esac
  if rustup_ready; then echo rustup; return; fi
  if debian_ready; then echo debian; return; fi
  if install_rustup_route; then echo rustup; return; fi
  install_debian_route
  echo debian
}

MODE=$(pick_wasm_toolchain)
if [ "$MODE" = debian ]; then
  # Debian's cargo and rustc first; cargo-installed tools (wasm-bindgen) right after.
  cat > .cache/toolchain-debian.env <<EOF
export PATH="/usr/bin:$HOME/.cargo/bin:\$PATH"
export RUSTC=/usr/bin/rustc
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=/usr/lib/llvm-19/bin/wasm-ld
export AISLE_WASM_SHIP_TOOLCHAIN=""
$SHIP_FLAGS
EOF
else
  # rustup's default toolchain for everything, the pinned release for the shipped wasm.
  cat > .cache/toolchain-rustup.env <<EOF
export PATH="$HOME/.cargo/bin:\$PATH"
unset RUSTC CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER
export AISLE_WASM_SHIP_TOOLCHAIN="+$AISLE_SHIP_RUST"
$SHIP_FLAGS
EOF
fi
[ -n "${AISLE_TOOLCHAIN:-}" ] || cp ".cache/toolchain-$MODE.env" .cache/toolchain.env
# shellcheck disable=SC1090
source ".cache/toolchain-$MODE.env"
# shellcheck disable=SC2086
log "wasm toolchain: $MODE ($(cargo --version); shipped wasm: $(cargo $AISLE_WASM_SHIP_TOOLCHAIN --version))"

# 2. wasm-bindgen CLI, exactly the version the lock file pins: the browser tests (its
#    wasm-bindgen-test-runner runs tests/web.rs) and the bench wasm (scripts/bench-wasm.sh) need
#    it. The shipped files do not: their interface is hand-written (src/web/abi.rs,
#    www/loader/wasm-abi.js).
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
