//! GA4 `begin_checkout` becomes aisle's `begin_checkout` event, and a checkout start without an
//! add to cart (Shopify's "Buy it now") teaches the build what an add would.
use aisle::events::{EventBody, LineItem};

use crate::ga4::{import_ga4, read_events};
use crate::{build, built_wire, check, fixture, temp_file, temp_path};

#[test]
fn ga4_begin_checkout_becomes_a_checkout_event_with_the_cart() {
    let dir = tempfile::tempdir().unwrap();
    let events = temp_path(&dir, "e.ndjson");
    let run = import_ga4(&fixture("ga4/events_20240105.json"), &events, &[]);
    check(&run, 0, &["begin_checkout: 1 rows"]);
    let mut checkouts = read_events(&events);
    checkouts.retain(|e| e.body.type_name() == "begin_checkout");
    assert_eq!(checkouts.len(), 1);
    assert_eq!(
        (checkouts[0].session.as_str(), checkouts[0].ts),
        ("1704450000", 1_704_450_120_000)
    );
    assert_eq!(
        checkouts[0].body,
        EventBody::BeginCheckout {
            value: None,
            currency: Some("USD".into()),
            items: vec![LineItem {
                product: "TEE-WHT-M".into(),
                quantity: 1,
                price: Some(21.0),
            }],
        }
    );
}

/// Sessions that view `a` then reach checkout with `b` (never added to the cart), or, with
/// `add`, add `b` first.
fn buy_it_now_log(add: bool) -> String {
    let mut lines = Vec::new();
    for visitor in 0..12u64 {
        let ts = 1_700_000_000_000 + visitor * 3_600_000;
        // Event number and minute into the session: the add and the checkout share a time.
        let head = |n: u64, minute: u64| {
            format!(
                r#""v":1,"id":"e{visitor}-{n}","ts":{},"visitor":"v{visitor}","session":"s{visitor}""#,
                ts + minute * 60_000
            )
        };
        lines.push(format!(
            r#"{{{},"type":"product_view","product":"BEAN-1"}}"#,
            head(0, 0)
        ));
        if add {
            lines.push(format!(
                r#"{{{},"type":"add_to_cart","product":"TOTE-1"}}"#,
                head(1, 2)
            ));
        }
        lines.push(format!(
            r#"{{{},"type":"begin_checkout","currency":"USD","value":12.0,"items":[{{"product":"TOTE-1","quantity":1,"price":12.0}}]}}"#,
            head(2, 2)
        ));
    }
    lines.join("\n") + "\n"
}

fn built(dir: &tempfile::TempDir, name: &str, log: &str) -> aisle::bundle::BundleWire {
    let events = temp_file(dir, &format!("{name}.ndjson"), log);
    let out = temp_path(dir, name);
    let run = build(&fixture("shopify-export.csv"), Some(&events), &out, &[]);
    check(&run, 0, &["learned from 12 sessions"]);
    built_wire(&out)
}

#[test]
fn a_checkout_start_without_an_add_counts_as_the_add_it_skipped() {
    let dir = tempfile::tempdir().unwrap();
    // The checkout of a product added before adds nothing; one without an add (Buy it now)
    // teaches what the add would have: the two logs build the same bundle.
    assert_eq!(
        built(&dir, "buy-it-now", &buy_it_now_log(false)),
        built(&dir, "added", &buy_it_now_log(true))
    );
}
