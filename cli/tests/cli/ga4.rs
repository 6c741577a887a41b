//! `aisle import ga4` on a GA4 BigQuery export in the shape BigQuery writes it.
use std::io::Write;

use aisle::events::{Event, EventBody};

use crate::{aisle, check, fixture, temp_path, Run};

fn read_events(path: &str) -> Vec<Event> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Runs `aisle import ga4 --input <input> --events-out <events>` and any further arguments.
fn import_ga4(input: &str, events: &str, more: &[&str]) -> Run {
    aisle(
        &[
            &["import", "ga4", "--input", input, "--events-out", events],
            more,
        ]
        .concat(),
    )
}

/// Imports the GA4 fixture directory into `dir`: (the run, events, catalog gaps).
fn import_fixture(dir: &tempfile::TempDir) -> (Run, String, String) {
    let (events, gaps) = (temp_path(dir, "e.ndjson"), temp_path(dir, "gaps.csv"));
    let run = import_ga4(&fixture("ga4"), &events, &["--catalog-out", &gaps]);
    check(&run, 0, &[]);
    (run, events, gaps)
}

#[test]
fn ga4_export_directory_imports_shopper_actions_and_catalog_gaps() {
    let dir = tempfile::tempdir().unwrap();
    let (run, events, catalog) = import_fixture(&dir);
    let events = read_events(&events);
    let count = |name: &str| events.iter().filter(|e| e.body.type_name() == name).count();
    assert_eq!(
        [
            count("product_view"),
            count("grid_click"),
            count("add_to_cart"),
            count("remove_from_cart"),
            count("purchase")
        ],
        [9, 1, 4, 1, 2]
    );
    // Session = user_pseudo_id + ga_session_id; time = event_timestamp µs → ms.
    let click = events
        .iter()
        .find(|e| e.body.type_name() == "grid_click")
        .unwrap();
    assert_eq!(
        (click.visitor.as_str(), click.session.as_str(), click.ts),
        ("1923456789.1704440000", "1704450000", 1_704_450_035_000)
    );
    assert_eq!(
        click.body,
        EventBody::GridClick {
            product: "TEE-WHT-M".into(),
            position: 2
        }
    );
    let purchase = events
        .iter()
        .find(|e| matches!(&e.body, EventBody::Purchase { order_id: Some(o), .. } if o == "#1001"))
        .unwrap();
    let EventBody::Purchase {
        revenue,
        currency,
        items,
        ..
    } = &purchase.body
    else {
        unreachable!()
    };
    assert_eq!(
        (*revenue, currency.as_deref(), items[0].product.as_str()),
        (Some(26.0), Some("USD"), "TEE-WHT-M")
    );
    // Ids stay as written: channel ids and SKUs alike; a numeric item_id reads as the same text.
    assert!(events.iter().any(|e| e.body
        == EventBody::ProductView {
            product: "shopify_US_8012345678901_44012345678901".into()
        }));
    let belt: Vec<&Event> = events
        .iter()
        .filter(|e| {
            e.body
                == EventBody::ProductView {
                    product: "8012345678903".into(),
                }
        })
        .collect();
    assert_eq!(
        belt.len(),
        2,
        "the belt's id is a string in one file and a number in the other"
    );
    // The intraday shard of a day whose daily shard is there is skipped, and said so.
    assert!(
        run.stderr.contains("skipped") && run.stderr.contains("events_intraday_20240106.json"),
        "{}",
        run.stderr
    );
    let gaps = std::fs::read_to_string(&catalog).unwrap();
    assert!(
        gaps.starts_with("id,title,category,price,brand\n"),
        "{gaps}"
    );
    assert!(gaps.contains("shopify_US_8012345678901_44012345678901,Wool Beanie,Accessories > Hats,25.00,Northwind\n"), "{gaps}");
    assert!(
        gaps.contains(
            "shopify_US_8012345678902_44012345678902,Canvas Tote,Accessories > Bags,15.50,\n"
        ),
        "(not set) brand stays empty: {gaps}"
    );
}

#[test]
fn every_dropped_ga4_row_is_counted_by_reason_with_its_place() {
    let dir = tempfile::tempdir().unwrap();
    let events = temp_path(&dir, "e.ndjson");
    let run = import_ga4(&fixture("ga4"), &events, &[]);
    check(&run, 0, &[]);
    for expected in [
        "dropped 1 for no user_pseudo_id (consent mode without analytics storage?) (first: ",
        "events_20240105.json line 16",
        "dropped 1 for no ga_session_id event parameter (first: ",
        "events_20240106.json.gz line 6",
        "dropped 1 for an item event without items (first: ",
        "dropped 1 for an item without item_id (missing or \"(not set)\")",
        "1 begin_checkout rows read but not written",
        "2 rows earlier than the row before them",
    ] {
        assert!(
            run.stderr.contains(expected),
            "missing {expected:?} in\n{}",
            run.stderr
        );
    }
}

#[test]
fn ga4_glob_patterns_pick_the_shards() {
    let dir = tempfile::tempdir().unwrap();
    let events = temp_path(&dir, "e.ndjson");
    let pattern = format!("{}/events_2024010*.json*", fixture("ga4"));
    let run = import_ga4(&pattern, &events, &[]);
    check(&run, 0, &[]);
    assert_eq!(read_events(&events).len(), 17);
    let none = import_ga4(&format!("{}/events_1999*", fixture("ga4")), &events, &[]);
    check(&none, 1, &["no GA4 export files"]);
}

#[test]
fn a_truncated_ga4_gzip_names_the_file_and_the_last_line_read() {
    let dir = tempfile::tempdir().unwrap();
    let whole = std::fs::read(fixture("ga4/events_20240106.json.gz")).unwrap();
    let cut = temp_path(&dir, "events_20240106.json.gz");
    std::fs::File::create(&cut)
        .unwrap()
        .write_all(&whole[..whole.len() * 2 / 3])
        .unwrap();
    let run = import_ga4(&cut, &temp_path(&dir, "e.ndjson"), &[]);
    check(
        &run,
        1,
        &[
            "events_20240106.json.gz: cannot read after line",
            "the gzip data ends early",
        ],
    );
}

#[test]
fn a_file_that_is_not_a_ga4_export_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let run = import_ga4(
        &fixture("shopify-orders.csv"),
        &temp_path(&dir, "e.ndjson"),
        &[],
    );
    check(&run, 1, &["no line is a GA4 export row"]);
}

#[test]
fn ga4_items_fill_catalog_gaps_and_name_the_items_no_product_matches() {
    let dir = tempfile::tempdir().unwrap();
    let (_, _, gaps) = import_fixture(&dir);
    // The same shop's export: SKUs resolve; the product ids and channel ids need the shop's
    // products.json, which this fixture does not have, so they are named, not guessed.
    let audit = aisle(&[
        "audit",
        "--catalog",
        &fixture("shopify-export.csv"),
        "--fill",
        &gaps,
    ]);
    let out = format!("{}{}", audit.stdout, audit.stderr);
    assert!(out.contains("5 row(s) filled"), "{out}");
    assert!(
        out.contains("3 row(s) name no product of the catalog and were not used: 8012345678903, shopify_US_8012345678901_44012345678901, shopify_US_8012345678902_44012345678902"),
        "{out}"
    );
    // A fill file that does not exist is an error naming it.
    let missing = temp_path(&dir, "missing.csv");
    let bad = aisle(&[
        "build",
        "--catalog",
        &fixture("shopify-export.csv"),
        "--fill",
        &missing,
        "--out",
        &temp_path(&dir, "site"),
    ]);
    assert_ne!(bad.code, 0);
    assert!(bad.stderr.contains("missing.csv"), "{}", bad.stderr);
}
