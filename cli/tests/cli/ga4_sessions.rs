//! `aisle build --ga4-sessions`: the session table of `sql/ga4_sessions.sql` as BigQuery exports
//! it. `fixtures/ga4-sessions/` is that query's result on the GA4 fixture, run by DuckDB and
//! written in BigQuery's CSV and JSON export shapes (`sql/test.sh` checks it is current).
use aisle::events::EventBody;

use crate::ga4::import_ga4;
use crate::ga4::read_events;
use crate::{build, built_wire, check, fixture, temp_file, temp_path, Run};

/// `aisle build` of the shop's export with the session table `table`, into `out`.
fn from_table(table: &str, out: &str) -> Run {
    build(
        &fixture("shopify-export.csv"),
        None::<&str>,
        out,
        &["--ga4-sessions", table],
    )
}

const HEADER: &str =
    "visitor,session,ts,type,product,quantity,price,list_index,order_id,revenue,value,currency\n";

#[test]
fn the_session_table_builds_and_its_bad_rows_are_counted_with_their_line() {
    let dir = tempfile::tempdir().unwrap();
    let rows = [
        "v1,1704450000,1704450060000,product_view,TEE-BLK-S,1,19.0,,,,,",
        "v1,1704450000,1704450120000,grid_click,TEE-WHT-M,1,21.0,2,,,,",
        "v1,1704450000,1704450180000,purchase,TEE-BLK-S,2,19.0,,#1001,59.0,,USD",
        "v1,1704450000,1704450180000,purchase,TEE-WHT-M,1,21.0,,#1001,59.0,,USD",
        ",1704450000,1704450240000,product_view,TEE-BLK-S,1,,,,,,",
        "v2,1704460000,not-a-time,product_view,TEE-BLK-S,1,,,,,,",
        "v2,1704460000,1704460060000,page_view,TEE-BLK-S,1,,,,,,",
        "v2,1704460000,1704460120000,product_view,BEAN-1,1,,,,,,",
    ];
    let table = temp_file(
        &dir,
        "sessions.csv",
        &(HEADER.to_string() + &rows.join("\n") + "\n"),
    );
    let run = from_table(&table, &temp_path(&dir, "site"));
    check(
        &run,
        0,
        &[
            "read 8 session-table rows from 1 file(s) into 4 events",
            "dropped 1 for no visitor (first: ",
            "sessions.csv line 6)",
            "dropped 1 for no usable ts (milliseconds) (first: ",
            "sessions.csv line 7)",
            "dropped 1 for a type the query does not write (first: ",
            "sessions.csv line 8)",
            "learned from 2 sessions",
        ],
    );
}

#[test]
fn json_rows_of_one_order_become_one_purchase() {
    let dir = tempfile::tempdir().unwrap();
    // BigQuery's JSON export: INT64 as strings, FLOAT64 as numbers, NULL columns left out.
    let table = temp_file(
        &dir,
        "sessions.json",
        concat!(
            r##"{"visitor":"v1","session":"1704450000","ts":"1704450180000","type":"purchase","product":"TEE-BLK-S","quantity":"2","price":19.0,"order_id":"#1001","revenue":59.0,"currency":"USD"}"##,
            "\n",
            r##"{"visitor":"v1","session":"1704450000","ts":"1704450180000","type":"purchase","product":"TEE-WHT-M","quantity":"1","price":21.0,"order_id":"#1001","revenue":59.0,"currency":"USD"}"##,
            "\n",
            r##"{"visitor":"v1","session":"1704450000","ts":"1704450240000","type":"begin_checkout","product":"BEAN-1","quantity":"1","price":25.0,"value":25.0,"currency":"USD"}"##,
            "\n",
        ),
    );
    let dir_out = temp_path(&dir, "converted");
    std::fs::create_dir_all(&dir_out).unwrap();
    let summary = aisle_cli::import::ga4_sessions::convert(
        &[std::path::PathBuf::from(&table)],
        &std::path::Path::new(&dir_out).join("events.ndjson"),
    )
    .unwrap();
    assert_eq!((summary.rows, summary.events), (3, 2));
    let events = read_events(&format!("{dir_out}/events.ndjson"));
    let EventBody::Purchase {
        order_id,
        revenue,
        items,
        ..
    } = &events[0].body
    else {
        panic!("{:?}", events[0]);
    };
    assert_eq!(
        (
            order_id.as_deref(),
            *revenue,
            items.len(),
            items[0].quantity
        ),
        (Some("#1001"), Some(59.0), 2, 2)
    );
    assert!(
        matches!(&events[1].body, EventBody::BeginCheckout { value: Some(v), .. } if *v == 25.0)
    );
}

#[test]
fn a_table_without_a_required_column_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let table = temp_file(
        &dir,
        "sessions.csv",
        "visitor,session,ts,product\nv1,1,5,TEE-BLK-S\n",
    );
    let run = from_table(&table, &temp_path(&dir, "site"));
    check(&run, 1, &["sessions.csv: line 1: no column \"type\""]);
}

#[test]
fn the_exported_query_result_builds_the_bundle_the_streaming_importer_builds() {
    let dir = tempfile::tempdir().unwrap();
    let events = temp_path(&dir, "imported.ndjson");
    // `--input` takes the two daily files (the fixture directory's intraday table is the
    // same day, which the query does not read either).
    let import = import_ga4(
        &fixture("ga4/events_20240105.json"),
        &events,
        &["--input", &fixture("ga4/events_20240106.json.gz")],
    );
    check(&import, 0, &[]);
    let out = temp_path(&dir, "streamed");
    check(
        &build(&fixture("shopify-export.csv"), Some(&events), &out, &[]),
        0,
        &[],
    );
    let streamed = built_wire(&out);
    assert!(streamed.trained_sessions > 0);
    for table in ["sessions.csv", "sessions.json"] {
        let out = temp_path(&dir, table);
        let run = from_table(&fixture(&format!("ga4-sessions/{table}")), &out);
        check(&run, 0, &[]);
        assert!(!run.stderr.contains("dropped"), "{}", run.stderr);
        assert_eq!(built_wire(&out), streamed, "{table}");
    }
}
