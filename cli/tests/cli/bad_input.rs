//! Bad input: every case ends in a clear error or a counted warning, never a panic.
use crate::{aisle, built_wire, check, fixture, temp_file, temp_path, Run};

fn tiny_catalog() -> String {
    std::fs::read_to_string(fixture("tiny-catalog.csv")).unwrap()
}

fn tiny_events() -> String {
    std::fs::read_to_string(fixture("tiny-events.ndjson")).unwrap()
}

/// Runs `aisle build` on the given catalog and events text.
fn build(catalog: &str, events: &str) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let catalog = temp_file(&dir, "catalog.csv", catalog);
    let events = temp_file(&dir, "events.ndjson", events);
    crate::build(&catalog, Some(&events), &temp_path(&dir, "out"), &[])
}

#[test]
fn the_tiny_fixture_builds_without_warnings() {
    let run = build(&tiny_catalog(), &tiny_events());
    check(&run, 0, &["wrote bundle-"]);
}

#[test]
fn an_empty_catalog_is_an_error_and_an_empty_log_builds_from_the_catalog_alone() {
    check(
        &build("", &tiny_events()),
        1,
        &["catalog.csv: the catalog is empty"],
    );
    // Day one: a shop without events yet gets a catalog-only bundle, and is told so.
    for empty in ["", "\n \n"] {
        check(
            &build(&tiny_catalog(), empty),
            0,
            &[
                "events.ndjson holds no events; building from the catalog alone",
                "catalog-only bundle: built without events",
            ],
        );
    }
}

#[test]
fn missing_files_are_errors_naming_them() {
    let run = crate::build("/nonexistent/c.csv", Some("x"), "y", &[]);
    check(&run, 1, &["cannot read catalog /nonexistent/c.csv"]);
}

#[test]
fn missing_columns_are_errors_and_unknown_columns_warnings() {
    check(
        &build("id,title,price\na,A,1\n", &tiny_events()),
        1,
        &["catalog.csv: line 1: missing column(s) category, brand"],
    );
    let with_extra = tiny_catalog()
        .replacen("color\n", "color,weight\n", 1)
        .replace('\n', ",\n")
        .replacen("color,weight,\n", "color,weight\n", 1);
    check(
        &build(&with_extra, &tiny_events()),
        0,
        &["ignored 1 unknown column(s): weight"],
    );
}

#[test]
fn malformed_lines_are_skipped_and_counted() {
    let catalog = format!("{}broken,row\n", tiny_catalog());
    check(
        &build(&catalog, &tiny_events()),
        0,
        &["1 malformed row(s) skipped (lines 8)"],
    );
    let events = format!("{}{{\"v\":1,\"id\":\n not json\n{{\"v\":1,\"id\":\"z\",\"ts\":1,\"visitor\":\"v\",\"session\":\"s\",\"type\":\"teleport\"}}\n", tiny_events());
    check(
        &build(&tiny_catalog(), &events),
        0,
        &["3 malformed line(s) skipped (lines 20, 21, 22; first: line 20:"],
    );
    let events = format!("{}{{\"v\":7,\"id\":\"z\",\"ts\":1,\"visitor\":\"v\",\"session\":\"s\",\"type\":\"product_view\",\"product\":\"s1\"}}\n", tiny_events());
    check(
        &build(&tiny_catalog(), &events),
        0,
        &["1 event(s) of a schema version other than 1 skipped (lines 20)"],
    );
}

#[test]
fn events_for_products_missing_from_the_catalog_are_counted() {
    let catalog: String = tiny_catalog()
        .lines()
        .filter(|l| !l.starts_with("h3,"))
        .map(|l| format!("{l}\n"))
        .collect();
    check(
        &build(&catalog, &tiny_events()),
        0,
        &["3 product action(s) name products missing from the catalog"],
    );
}

#[test]
fn catalogs_of_zero_or_one_products() {
    check(
        &build("id,title,category,price,brand\n", &tiny_events()),
        1,
        &["the catalog has no usable products"],
    );
    check(
        &build(
            "id,title,category,price,brand\ns1,Shoe,shoes,1,Acme\n",
            &tiny_events(),
        ),
        0,
        &[
            "the catalog has a single product",
            "product action(s) name products missing",
        ],
    );
}

#[test]
fn duplicate_and_out_of_order_events_are_counted() {
    let events = tiny_events();
    let mut lines: Vec<&str> = events.lines().collect();
    let first = lines[0];
    lines.push(first);
    lines.swap(1, 5);
    let run = build(&tiny_catalog(), &(lines.join("\n") + "\n"));
    // Out of order: the swapped line and the repeat of the first line at the end.
    check(
        &run,
        0,
        &[
            "1 duplicate event(s) (same id, same visitor) dropped",
            "3 event(s) out of time order, sorted by time",
        ],
    );
    // Sorting makes the model independent of the order the lines came in (the model version
    // still names the input files' bytes, so it differs).
    let dir = tempfile::tempdir().unwrap();
    let mut shuffled: Vec<&str> = events.lines().collect();
    shuffled.reverse();
    let catalog = temp_file(&dir, "c.csv", &tiny_catalog());
    let (sorted, reversed) = (
        temp_file(&dir, "a.ndjson", &events),
        temp_file(&dir, "b.ndjson", &(shuffled.join("\n") + "\n")),
    );
    let wires: Vec<aisle::bundle::BundleWire> = [sorted, reversed]
        .iter()
        .enumerate()
        .map(|(i, events)| {
            let out = temp_path(&dir, &format!("out{i}"));
            check(&crate::build(&catalog, Some(events), &out, &[]), 0, &[]);
            built_wire(&out)
        })
        .collect();
    assert_eq!(wires[0], wires[1]);
}

#[test]
fn importers_name_the_file_and_count_bad_rows() {
    let dir = tempfile::tempdir().unwrap();
    let outs = [temp_path(&dir, "c.csv"), temp_path(&dir, "e.ndjson")];
    let input = temp_file(&dir, "in.csv", "event_time,event_type,product_id\n");
    let run = aisle(&[
        "import",
        "rees46",
        "--input",
        &input,
        "--catalog-out",
        &outs[0],
        "--events-out",
        &outs[1],
    ]);
    check(&run, 1, &["in.csv: line 1: missing column(s) category_id, category_code, brand, price, user_id, user_session"]);
    let head = std::fs::read_to_string(fixture("rees46-head.csv")).unwrap();
    let bad = format!("{head}not a date,view,1,2,,b,1,u,s\n2019-10-01 00:00:00 UTC,view\n2019-10-01 00:00:00 UTC,wishlist,1,2,,b,1,u,s\n");
    let input = temp_file(&dir, "bad.csv", &bad);
    let run = aisle(&[
        "import",
        "rees46",
        "--input",
        &input,
        "--catalog-out",
        &outs[0],
        "--events-out",
        &outs[1],
    ]);
    check(
        &run,
        0,
        &[
            "2 malformed row(s) skipped (lines 302, 303)",
            "1 row(s) of unknown event_type \"wishlist\" skipped",
        ],
    );
    let views = temp_file(&dir, "views.csv", "wrong;header\n");
    let cats = fixture("diginetica-categories.csv");
    let run = aisle(&[
        "import",
        "diginetica",
        "--views",
        &views,
        "--categories",
        &cats,
        "--catalog-out",
        &outs[0],
        "--events-out",
        &outs[1],
    ]);
    check(&run, 1, &["views.csv: line 1: expected the columns session_id;user_id;item_id;timeframe;eventdate"]);
}

#[test]
fn evaluate_refuses_logs_it_cannot_split() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = temp_file(&dir, "c.csv", &tiny_catalog());
    let events = temp_file(
        &dir,
        "e.ndjson",
        tiny_events()
            .lines()
            .take(3)
            .collect::<Vec<_>>()
            .join("\n")
            .as_str(),
    );
    let run = aisle(&["evaluate", "--catalog", &catalog, "--events", &events]);
    check(
        &run,
        1,
        &["cannot be split into training and test sessions by time"],
    );
}
