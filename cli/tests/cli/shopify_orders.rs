//! `aisle import shopify-orders` on exports in Shopify's column layout, as exported and as a
//! European spreadsheet re-saves them.
use aisle::events::{Event, EventBody};

use crate::{aisle, check, fixture, temp_file, temp_path};

fn import(input: &str, extra: &[&str]) -> (crate::Run, Vec<Event>) {
    let dir = tempfile::tempdir().unwrap();
    let events = temp_path(&dir, "e.ndjson");
    let run = aisle(
        &[
            &[
                "import",
                "shopify-orders",
                "--input",
                input,
                "--events-out",
                &events,
            ][..],
            extra,
        ]
        .concat(),
    );
    let events = std::fs::read_to_string(&events)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (run, events)
}

/// An order as the tests compare it: id, time, (product, quantity) per line item.
type OrderSummary = (String, u64, Vec<(String, u32)>);

fn orders(events: &[Event]) -> Vec<OrderSummary> {
    events
        .iter()
        .map(|e| match &e.body {
            EventBody::Purchase {
                order_id, items, ..
            } => (
                order_id.clone().unwrap(),
                e.ts,
                items
                    .iter()
                    .map(|i| (i.product.clone(), i.quantity))
                    .collect(),
            ),
            other => panic!("{other:?}"),
        })
        .collect()
}

#[test]
fn shopify_orders_become_purchases_by_lineitem_sku() {
    let (run, events) = import(&fixture("shopify-orders.csv"), &[]);
    check(&run, 0, &[]);
    let got = orders(&events);
    assert_eq!(got.len(), 3, "{got:?}");
    // 2024-01-15 10:31:02 -0500 is 15:31:02 UTC.
    assert_eq!(
        got[2],
        (
            "#1001".into(),
            1_705_332_662_000,
            vec![("TEE-BLK-S".into(), 1), ("BEAN-1".into(), 1)]
        )
    );
    assert_eq!(got[1].2, vec![("TEE-BLK-M".to_string(), 2)]);
    // The same customer (e-mail in another case) is one visitor, and no address is written.
    assert_eq!(events[1].visitor, events[2].visitor);
    assert!(events.iter().all(|e| !e.visitor.contains('@')));
    assert!(
        run.stderr
            .contains("dropped 1 for cancelled order (Cancelled at is set) (lines 3)"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("dropped 1 for line item without Lineitem sku (lines 6)"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_spreadsheet_resave_reads_day_first_and_says_so() {
    let (run, events) = import(&fixture("shopify-orders-resaved.csv"), &[]);
    check(&run, 0, &[]);
    // Semicolons, BOM and CRLF; `15/01/2024 15:31` without offset is read as UTC.
    assert_eq!(orders(&events)[2].1, 1_705_332_660_000);
    assert!(
        run.stderr
            .contains("6 dates like DD/MM/YYYY read day first (line 2 has a day above 12)"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("dates without a UTC offset read as UTC"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("(lines 6)"),
        "line numbers count CRLF lines right: {}",
        run.stderr
    );
}

#[test]
fn ambiguous_dates_are_assumed_day_first_aloud_and_can_be_overridden() {
    let dir = tempfile::tempdir().unwrap();
    let text = "Name,Email,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku\n#1,a@b.c,03/04/2024 10:00,1,Tee,19.00,TEE-1\n";
    let path = temp_file(&dir, "orders.csv", text);
    let (run, events) = import(&path, &[]);
    check(&run, 0, &["ASSUMED day first"]);
    assert_eq!(events[0].ts, 1_712_138_400_000); // 2024-04-03 10:00 UTC
    let (_, us) = import(&path, &["--date-order", "month-first"]);
    assert_eq!(us[0].ts, 1_709_546_400_000); // 2024-03-04 10:00 UTC
}

#[test]
fn mixed_date_orders_and_missing_columns_are_errors_naming_file_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let mixed = temp_file(&dir, "mixed.csv", "Name,Created at,Lineitem quantity,Lineitem sku\n#1,15/01/2024 10:00,1,A\n#2,01/15/2024 10:00,1,B\n");
    let (run, _) = import(&mixed, &[]);
    check(&run, 1, &["mixed.csv: field Created at: dates are day first on lines [2] and month first on lines [3]"]);
    let products = fixture("shopify-export.csv");
    let (run, _) = import(&products, &[]);
    check(&run, 1, &["shopify-export.csv: line 1: not a Shopify orders export: no column Name, Created at, Lineitem quantity, Lineitem sku"]);
}
