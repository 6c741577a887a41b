#!/usr/bin/env bash
# Writes a release into dist/ (or $1): what a merchant or an operator downloads.
#   aisle-<version>.tgz                                the npm package (npm/, prebuilt pkg/)
#   aisle-<version>-x86_64-unknown-linux-gnu.tar.gz    the CLI: aisle, README.md, licences
#   aisle-shopify-embed-<version>.tar.gz               the Shopify theme app extension, assets in
#   SHA256SUMS                                         sha256 of each, for `sha256sum -c`
# Builds first (scripts/build.sh). Archives are reproducible: sorted, fixed times and owners.
# Usage: bash scripts/release.sh [DIST_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
DIST=$(mkdir -p "${1:-dist}" && cd "${1:-dist}" && pwd)
# shellcheck disable=SC1091
source scripts/toolchain.sh

log() { printf '\033[1mrelease:\033[0m %s\n' "$*" >&2; }

VERSION=$(node -p "require('./npm/package.json').version")
CRATE_VERSION=$(awk -F'"' '/^version = / { print $2; exit }' cli/Cargo.toml)
[ "$VERSION" = "$CRATE_VERSION" ] || { log "npm/package.json says $VERSION, cli/Cargo.toml says $CRATE_VERSION"; exit 1; }
TARGET=$(rustc -vV | awk '/^host:/ { print $2 }')
[ "$TARGET" = x86_64-unknown-linux-gnu ] || { log "release archives are built on x86_64-unknown-linux-gnu, this is $TARGET"; exit 1; }

bash scripts/build.sh
rm -f "$DIST"/aisle-*.tgz "$DIST"/aisle-*.tar.gz "$DIST/SHA256SUMS"
STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT

# One archive from a staged folder: same bytes for the same files.
archive() { # archive OUT DIR-IN-STAGE
  tar --sort=name --mtime='2000-01-01 00:00Z' --owner=0 --group=0 --numeric-owner -C "$STAGE" -cf - "$2" | gzip -9n > "$1"
}

log "npm package"
(cd npm && npm pack --silent --pack-destination "$DIST" >/dev/null)

log "CLI for $TARGET"
CLI="aisle-$VERSION-$TARGET"
mkdir -p "$STAGE/$CLI"
cp target/release/aisle README.md LICENSE-MIT LICENSE-APACHE "$STAGE/$CLI/"
strip "$STAGE/$CLI/aisle" 2>/dev/null || true
archive "$DIST/$CLI.tar.gz" "$CLI"

log "Shopify theme app extension"
# The extension's assets are the built pkg/ files; they are staged beside the committed Liquid
# (extensions/aisle-embed/assets/ is not in git) and archived as the folder `shopify app deploy`
# takes from an app's extensions/.
mkdir -p extensions/aisle-embed/assets
cp pkg/aisle.js pkg/aisle_core_bg.wasm pkg/aisle-debug.js extensions/aisle-embed/assets/
cp -r extensions/aisle-embed "$STAGE/aisle-embed"
archive "$DIST/aisle-shopify-embed-$VERSION.tar.gz" aisle-embed

(cd "$DIST" && sha256sum "aisle-$VERSION.tgz" "$CLI.tar.gz" "aisle-shopify-embed-$VERSION.tar.gz" > SHA256SUMS)
log "wrote $DIST:"
(cd "$DIST" && ls -l "aisle-$VERSION.tgz" "$CLI.tar.gz" "aisle-shopify-embed-$VERSION.tar.gz" SHA256SUMS >&2)
