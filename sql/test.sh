#!/usr/bin/env bash
# Runs sql/ga4_sessions.sql in DuckDB (the PyPI wheel pinned in sql/requirements.txt, installed
# once into .cache/sql-venv) on the GA4 fixture and checks it gives the sessions of
# `aisle import ga4` (sql/test_ga4_sessions.py). AISLE_BIN picks the aisle binary
# (default target/debug/aisle, built here when missing). Instead of testing, --write-tables
# rewrites the committed session tables (cli/tests/fixtures/ga4-sessions/) from the query's
# result, and --write-parquet the GA4 Parquet fixture (cli/tests/fixtures/ga4-parquet/) from
# the NDJSON one (sql/ga4_parquet_fixture.py).
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
if [ "${1:-}" = --write-parquet ]; then
  exec "$VENV/bin/python" sql/ga4_parquet_fixture.py
fi
"$VENV/bin/python" sql/test_ga4_sessions.py "$@"
