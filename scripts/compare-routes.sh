#!/usr/bin/env bash
# Builds pkg/ on both toolchain routes (rustup, and Debian's rustc-web) and checks they ship
# the same files: aisle_core_bg.wasm, aisle.js (loader with the wasm's interface and hash) and
# aisle-debug.js. Prints each file's size, gzip size and sha256 per route; exits 1 when they
# differ beyond what the two compilers' builds must (below).
# pkg/ is left as the default route builds it. Installs the missing route first (setup.sh).
# Used by npm test and npm run bench. Usage: bash scripts/compare-routes.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >/dev/null 2>&1 || bash scripts/setup.sh
DEFAULT=$(grep -q '^export RUSTC=/usr/bin/rustc' .cache/toolchain.env && echo debian || echo rustup)
OTHER=$([ "$DEFAULT" = debian ] && echo rustup || echo debian)
FILES=(aisle_core_bg.wasm aisle.js aisle-debug.js)

log() { printf '\033[1mcompare-routes:\033[0m %s\n' "$*" >&2; }

# The other route first, so pkg/ ends as the default route builds it.
for route in "$OTHER" "$DEFAULT"; do
  AISLE_TOOLCHAIN=$route bash scripts/setup.sh >/dev/null
  log "building pkg/ with the $route route"
  # A clean environment for each route: no compiler variables inherited from the caller.
  env -u RUSTC -u CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER -u AISLE_WASM_SHIP_TOOLCHAIN \
    AISLE_TOOLCHAIN="$route" AISLE_PKG_ONLY=1 bash scripts/build.sh >/dev/null
  rm -rf "target/routes/$route" && mkdir -p "target/routes/$route"
  cp "${FILES[@]/#/pkg/}" "target/routes/$route/"
done

# What may differ, and why (measured with rustup's 1.96.0 and Debian's rustc-web 1.96.0, the
# same rustc commit):
# - cargo hashes the compiler's `rustc -vV` text (Debian's names its own LLVM, 22.1.8; rustup's
#   is 22.1.2) into each crate's metadata, so the crate hashes inside symbol names differ. The
#   wasm's import and export names are written by hand (src/web/abi.rs, host.rs: no generated
#   shim names since the raw interface replaced wasm-bindgen's), so none reaches aisle.js; the
#   crate-hash mask below stays for safety. The wasm's sha384 in aisle.js differs with the
#   wasm. Same length, no effect.
# - the two LLVM releases (and linkers, rust-lld and lld-19) make a few instructions differ.
# - terser names the loader's locals by how often each character occurs in the file, so the
#   different hashes also give a few locals other one- or two-letter names.
# So: aisle-debug.js must be identical; aisle.js identical once crate hashes, sha384 values and
# one- or two-letter names are masked; the wasm within 1% in raw and gzip size. Else: exit 1.
mask() {
  sed -E 's/sha384-[A-Za-z0-9+\/=]{64}/sha384-MASKED/g; s/_[0-9a-f]{16}_/_MASKED_/g' "$1" |
    perl -pe 's/(?<![\w\$])[A-Za-z_\$][\w\$]?(?![\w\$])/~/g'
}
gz() { gzip -9n < "$1" | wc -c; }
percent() { awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; if (d < 0) d = -d; printf "%.3f", 100 * d / b }'; }

status=0
printf '%-20s %-8s %10s %10s  %s\n' file route bytes gzip sha256
for file in "${FILES[@]}"; do
  for route in rustup debian; do
    printf '%-20s %-8s %10s %10s  %s\n' "$file" "$route" "$(wc -c < "target/routes/$route/$file")" \
      "$(gz "target/routes/$route/$file")" "$(sha256sum "target/routes/$route/$file" | cut -c1-16)"
  done
done
a=target/routes/rustup b=target/routes/debian
if cmp -s "$a/aisle_core_bg.wasm" "$b/aisle_core_bg.wasm" && cmp -s "$a/aisle.js" "$b/aisle.js"; then
  log "identical: both routes ship the same bytes"
else
  raw=$(percent "$(wc -c < "$a/aisle_core_bg.wasm")" "$(wc -c < "$b/aisle_core_bg.wasm")")
  zipped=$(percent "$(gz "$a/aisle_core_bg.wasm")" "$(gz "$b/aisle_core_bg.wasm")")
  log "aisle_core_bg.wasm differs: ${raw}% raw, ${zipped}% gzip (allowed: under 1%)"
  awk -v r="$raw" -v z="$zipped" 'BEGIN { exit !(r < 1 && z < 1) }' || status=1
  if diff -q <(mask "$a/aisle.js") <(mask "$b/aisle.js") >/dev/null; then
    log "aisle.js: identical once crate hashes, sha384 values and short local names are masked"
  else
    log "aisle.js differs beyond crate hashes, sha384 values and short local names"; status=1
  fi
fi
cmp -s "$a/aisle-debug.js" "$b/aisle-debug.js" || { log "aisle-debug.js differs"; status=1; }
[ $status = 0 ] || log "FAIL: the toolchain routes ship different files"
exit $status
