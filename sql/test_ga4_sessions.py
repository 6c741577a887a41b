"""sql/ga4_sessions.sql, run by DuckDB on the committed GA4 fixture, gives the same sessions as
the streaming importer (`aisle import ga4`); its result, exported in BigQuery's CSV and JSON
shapes, is committed in cli/tests/fixtures/ga4-sessions/ (`sql/test.sh --write-tables`), where
a CLI test builds from it and gets the importer's bundle.

The fixture's daily files are loaded with the column types of the GA4 BigQuery export schema
(INT64, STRING, FLOAT64, nested REPEATED RECORDs), as the table sits in BigQuery; the SQL runs
unchanged except for its table name. Both results are reduced to sessions: per (visitor,
session) the actions in time order, purchases one action per line item (as `aisle build` learns
from them).
"""
import csv
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import unittest

import duckdb

ROOT = pathlib.Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "cli/tests/fixtures/ga4"
AISLE = os.environ.get("AISLE_BIN", str(ROOT / "target/debug/aisle"))

# The export schema's types for the columns the SQL reads (developers.google.com/analytics/bigquery/event-schema).
COLUMNS = {
    "event_date": "VARCHAR",
    "event_timestamp": "BIGINT",
    "event_name": "VARCHAR",
    "event_params": "STRUCT(key VARCHAR, value STRUCT(string_value VARCHAR, int_value BIGINT, float_value DOUBLE, double_value DOUBLE))[]",
    "user_pseudo_id": "VARCHAR",
    "ecommerce": "STRUCT(transaction_id VARCHAR, purchase_revenue DOUBLE)",
    "items": "STRUCT(item_id VARCHAR, item_name VARCHAR, price DOUBLE, quantity BIGINT, item_list_index VARCHAR)[]",
}


def sql_result():
    """The query's result on the fixture: column names and rows."""
    con = duckdb.connect()
    columns = "{" + ", ".join(f"'{k}': '{v}'" for k, v in COLUMNS.items()) + "}"
    files = [str(p) for p in sorted(FIXTURE.glob("events_2*.json*"))]
    con.execute(f"CREATE VIEW export AS SELECT * FROM read_json({files!r}, format='newline_delimited', columns={columns})")
    sql = (ROOT / "sql/ga4_sessions.sql").read_text()
    sql = sql.replace("`your-project.analytics_123456789.events_*`", "export")
    cursor = con.execute(sql)
    return [d[0] for d in cursor.description], cursor.fetchall()


def sql_sessions():
    names, rows = sql_result()
    sessions = {}
    for values in rows:
        row = dict(zip(names, values))
        sessions.setdefault((row["visitor"], row["session"]), []).append(
            (row["ts"], row["type"], row["product"], row["quantity"] if row["type"] != "product_view" and row["type"] != "grid_click" else None))
    return {k: sorted(v) for k, v in sessions.items()}


def write_bigquery_csv(path, names, rows):
    """As BigQuery's extract job writes CSV: a header row, NULL as an empty field, fields quoted
    only where needed, FLOAT64 with its decimal point."""
    with open(path, "w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(names)
        for row in rows:
            writer.writerow(["" if v is None else repr(v) if isinstance(v, float) else v for v in row])


def write_bigquery_json(path, names, rows):
    """As BigQuery's extract job writes newline-delimited JSON: INT64 as strings, FLOAT64 as
    numbers, NULL columns left out."""
    with open(path, "w") as f:
        for row in rows:
            record = {}
            for name, value in zip(names, row):
                if value is None:
                    continue
                record[name] = str(value) if isinstance(value, int) else value
            f.write(json.dumps(record, separators=(",", ":")) + "\n")


TABLES = ROOT / "cli/tests/fixtures/ga4-sessions"


def write_tables(directory):
    """The query's result on the fixture, exported as BigQuery writes CSV and JSON."""
    names, rows = sql_result()
    write_bigquery_csv(directory / "sessions.csv", names, rows)
    write_bigquery_json(directory / "sessions.json", names, rows)


def importer_sessions():
    with tempfile.TemporaryDirectory() as tmp:
        out = pathlib.Path(tmp) / "events.ndjson"
        files = [str(p) for p in sorted(FIXTURE.glob("events_2*.json*"))]
        subprocess.run([AISLE, "import", "ga4", "--input", *files, "--events-out", str(out)], check=True, capture_output=True)
        sessions = {}
        for line in out.read_text().splitlines():
            e = json.loads(line)
            key = (e["visitor"], e["session"])
            if e["type"] in ("purchase", "begin_checkout"):
                actions = [(e["ts"], e["type"], i["product"], i["quantity"]) for i in e["items"]]
            else:
                quantity = e.get("quantity") if e["type"] in ("add_to_cart", "remove_from_cart") else None
                actions = [(e["ts"], e["type"], e["product"], quantity)]
            sessions.setdefault(key, []).extend(actions)
        return {k: sorted(v) for k, v in sessions.items()}


class Ga4SessionsSql(unittest.TestCase):
    def test_sql_gives_the_importers_sessions(self):
        expected = importer_sessions()
        got = sql_sessions()
        self.assertEqual(len(expected), 4, expected)
        self.assertEqual(got, expected)
        self.assertIn("begin_checkout", {a[1] for actions in got.values() for a in actions})

    def test_the_committed_tables_are_the_querys_result(self):
        """cli/tests/fixtures/ga4-sessions/ (read by the CLI test that builds from them and
        compares with the importer's bundle) is what the query gives now."""
        with tempfile.TemporaryDirectory() as tmp:
            write_tables(pathlib.Path(tmp))
            for name in ("sessions.csv", "sessions.json"):
                self.assertEqual((TABLES / name).read_text(), (pathlib.Path(tmp) / name).read_text(),
                                 f"{name} is stale: run `sql/test.sh --write-tables`")


if __name__ == "__main__":
    if sys.argv[1:] == ["--write-tables"]:
        TABLES.mkdir(exist_ok=True)
        write_tables(TABLES)
    else:
        sys.exit(unittest.main())
