"""Writes cli/tests/fixtures/ga4-parquet/: the GA4 NDJSON fixture's daily tables as BigQuery's
Parquet export writes them (`bq extract --destination_format=PARQUET`, SNAPPY, the default;
with `--parquet_enable_list_inference`, REPEATED fields as Parquet LIST groups), made by DuckDB
from the NDJSON with the export schema's column types (DuckDB from PyPI, sql/requirements.txt).
Run: `sql/test.sh --write-parquet`.
"""
import pathlib

import duckdb

ROOT = pathlib.Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "cli/tests/fixtures/ga4"
OUT = ROOT / "cli/tests/fixtures/ga4-parquet"

PARAM_VALUE = "STRUCT(string_value VARCHAR, int_value BIGINT, float_value DOUBLE, double_value DOUBLE)"
# The GA4 export schema (developers.google.com/analytics/bigquery/event-schema), in its column
# order, for the columns the fixture has: INT64 as BIGINT, FLOAT64 as DOUBLE, RECORD as STRUCT,
# REPEATED as a list.
COLUMNS = {
    "event_date": "VARCHAR",
    "event_timestamp": "BIGINT",
    "event_name": "VARCHAR",
    "event_params": f"STRUCT(key VARCHAR, value {PARAM_VALUE})[]",
    "event_bundle_sequence_id": "BIGINT",
    "event_server_timestamp_offset": "BIGINT",
    "user_pseudo_id": "VARCHAR",
    "privacy_info": "STRUCT(analytics_storage VARCHAR, ads_storage VARCHAR, uses_transient_token VARCHAR)",
    "user_properties": "STRUCT(key VARCHAR, value STRUCT(string_value VARCHAR, int_value BIGINT, float_value DOUBLE, double_value DOUBLE, set_timestamp_micros BIGINT))[]",
    "user_first_touch_timestamp": "BIGINT",
    "device": "STRUCT(category VARCHAR, mobile_brand_name VARCHAR, mobile_model_name VARCHAR, operating_system VARCHAR, operating_system_version VARCHAR, language VARCHAR, is_limited_ad_tracking VARCHAR, browser VARCHAR, browser_version VARCHAR, web_info STRUCT(browser VARCHAR, browser_version VARCHAR, hostname VARCHAR))",
    "geo": "STRUCT(city VARCHAR, country VARCHAR, continent VARCHAR, region VARCHAR, sub_continent VARCHAR, metro VARCHAR)",
    "traffic_source": "STRUCT(name VARCHAR, medium VARCHAR, source VARCHAR)",
    "stream_id": "VARCHAR",
    "platform": "VARCHAR",
    "ecommerce": "STRUCT(total_item_quantity BIGINT, purchase_revenue_in_usd DOUBLE, purchase_revenue DOUBLE, shipping_value_in_usd DOUBLE, shipping_value DOUBLE, tax_value_in_usd DOUBLE, tax_value DOUBLE, unique_items BIGINT, transaction_id VARCHAR)",
    "items": "STRUCT(item_id VARCHAR, item_name VARCHAR, item_brand VARCHAR, item_variant VARCHAR, item_category VARCHAR, item_category2 VARCHAR, item_category3 VARCHAR, item_category4 VARCHAR, item_category5 VARCHAR, price_in_usd DOUBLE, price DOUBLE, quantity BIGINT, item_revenue_in_usd DOUBLE, item_revenue DOUBLE, coupon VARCHAR, affiliation VARCHAR, location_id VARCHAR, item_list_id VARCHAR, item_list_name VARCHAR, item_list_index VARCHAR, promotion_id VARCHAR, promotion_name VARCHAR, creative_name VARCHAR, creative_slot VARCHAR, item_params STRUCT(key VARCHAR, value "
    + PARAM_VALUE
    + ")[])[]",
    "is_active_user": "BOOLEAN",
    "batch_event_index": "BIGINT",
    "batch_page_id": "BIGINT",
    "batch_ordering_id": "BIGINT",
}


def main():
    OUT.mkdir(exist_ok=True)
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = true")
    columns = "{" + ", ".join(f"'{k}': '{v}'" for k, v in COLUMNS.items()) + "}"
    for source in sorted(FIXTURE.glob("events_2*.json*")):
        day = source.name.split(".")[0]
        target = OUT / f"{day}.parquet"
        con.execute(
            f"COPY (SELECT * FROM read_json('{source}', format='newline_delimited', columns={columns})) "
            f"TO '{target}' (FORMAT PARQUET, COMPRESSION SNAPPY)"
        )
        print(f"wrote {target.relative_to(ROOT)} ({target.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
