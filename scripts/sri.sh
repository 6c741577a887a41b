#!/usr/bin/env bash
# Prints the Subresource Integrity value (sha384, base64) of each file given, default the
# loader in pkg/, for the script tag's `integrity` attribute (see docs/security.md):
#   <script async src=".../aisle.js" integrity="sha384-…" crossorigin="anonymous" ...>
# Usage: bash scripts/sri.sh [FILE...]     Output: one line per file, "<integrity> <file>".
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -gt 0 ] || set -- pkg/aisle.js
for file in "$@"; do
  printf 'sha384-%s %s\n' "$(openssl dgst -sha384 -binary "$file" | openssl base64 -A)" "$file"
done
