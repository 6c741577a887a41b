#!/usr/bin/env bash
# Runs sql/ga4_sessions.sql in DuckDB (the PyPI wheel pinned in sql/requirements.txt, installed
# once into .cache/sql-venv) on the GA4 fixture and checks it gives the sessions of
# `aisle import ga4` (sql/test_ga4_sessions.py). AISLE_BIN picks the aisle binary
# (default target/debug/aisle, built here when missing). With --write-tables, rewrites the
# committed session tables (cli/tests/fixtures/ga4-sessions/) instead of testing.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.cache/sql-venv
if ! "$VENV/bin/python" -c "import duckdb" 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet -r sql/requirements.txt
fi
if [ -z "${AISLE_BIN:-}" ] && [ ! -x target/debug/aisle ]; then
  # shellcheck disable=SC1091
  [ -f .cache/toolchain.env ] && source .cache/toolchain.env
  cargo build --quiet -p aisle-cli
fi
# --write-tables rewrites cli/tests/fixtures/ga4-sessions/ from the query's result.
"$VENV/bin/python" sql/test_ga4_sessions.py "$@"
