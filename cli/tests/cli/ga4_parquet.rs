//! `aisle import ga4` of the Parquet export: `fixtures/ga4-parquet/` is the NDJSON fixture's two
//! daily tables written by DuckDB in BigQuery's Parquet export schema
//! (`sql/ga4_parquet_fixture.py`); it must import exactly as the NDJSON does.
use crate::ga4::import_ga4;
use crate::{check, fixture, temp_file, temp_path};

fn import(dir: &tempfile::TempDir, name: &str, inputs: &[String]) -> (String, String, String) {
    let (events, gaps) = (
        temp_path(dir, &format!("{name}.ndjson")),
        temp_path(dir, &format!("{name}.csv")),
    );
    let mut more = vec!["--catalog-out", &gaps];
    for input in &inputs[1..] {
        more.extend(["--input", input]);
    }
    let run = import_ga4(&inputs[0], &events, &more);
    check(&run, 0, &[]);
    (
        std::fs::read_to_string(events).unwrap(),
        std::fs::read_to_string(gaps).unwrap(),
        run.stderr,
    )
}

#[test]
fn a_parquet_export_imports_exactly_as_its_ndjson_twin() {
    let dir = tempfile::tempdir().unwrap();
    let (json_events, json_gaps, json_out) = import(
        &dir,
        "json",
        &[
            fixture("ga4/events_20240105.json"),
            fixture("ga4/events_20240106.json.gz"),
        ],
    );
    let (parquet_events, parquet_gaps, parquet_out) =
        import(&dir, "parquet", &[fixture("ga4-parquet")]);
    assert_eq!(parquet_events.lines().count(), 18);
    assert_eq!(parquet_events, json_events);
    assert_eq!(parquet_gaps, json_gaps);
    // The same drops, counted by reason, placed by row instead of line.
    for (json, parquet) in [
        (
            "events_20240105.json line 16",
            "events_20240105.parquet row 16",
        ),
        (
            "read 27 GA4 rows from 2 file(s); wrote 18 events",
            "read 27 GA4 rows from 2 file(s); wrote 18 events",
        ),
    ] {
        assert!(json_out.contains(json), "{json_out}");
        assert!(parquet_out.contains(parquet), "{parquet_out}");
    }
}

#[test]
fn a_file_named_parquet_that_is_not_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let fake = temp_file(
        &dir,
        "events_20240107.parquet",
        "{\"event_name\":\"view_item\"}\n",
    );
    let run = import_ga4(&fake, &temp_path(&dir, "e.ndjson"), &[]);
    check(&run, 1, &["events_20240107.parquet: not a Parquet file"]);
}
