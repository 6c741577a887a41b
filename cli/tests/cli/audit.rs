//! `aisle audit`.
use crate::{aisle, fixture, temp_file, temp_path};

/// Audits a catalog written from `text`, returning (exit code, stdout).
fn audit_text(text: &str, extra: &[&str]) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    let catalog = temp_file(&dir, "catalog.csv", text);
    let run = aisle(&[&["audit", "--catalog", &catalog][..], extra].concat());
    (run.code, run.stdout + &run.stderr)
}

fn check(text: &str, extra: &[&str], expected_code: i32, expected_fragments: &[&str]) {
    let (code, output) = audit_text(text, extra);
    assert_eq!(code, expected_code, "{output}");
    for fragment in expected_fragments {
        assert!(
            output.contains(fragment),
            "{output}\nshould contain {fragment:?}"
        );
    }
}

const HEADER: &str = "id,title,category,price,brand,color\n";

#[test]
fn a_complete_catalog_passes() {
    check(
        &format!("{HEADER}a,A,shoes,1,acme,red\nb,B,shoes,2,acme,blue\n"),
        &[],
        0,
        &["| brand | 2 | 100.0% | ok |", "Result: PASS"],
    );
}

#[test]
fn low_required_coverage_is_flagged_with_exit_code_3() {
    check(
        &format!("{HEADER}a,A,shoes,1,,red\nb,B,shoes,2,acme,blue\n"),
        &[],
        3,
        &[
            "| brand | 1 | 50.0% | FLAG (required) |",
            "brand coverage 50.0% is below 95%",
        ],
    );
    // Optional attributes are shown as low but do not fail the audit unless required.
    check(
        &format!("{HEADER}a,A,shoes,1,acme,\nb,B,shoes,2,acme,blue\n"),
        &[],
        0,
        &["| color | 1 | 50.0% | low |"],
    );
    check(
        &format!("{HEADER}a,A,shoes,1,acme,\nb,B,shoes,2,acme,blue\n"),
        &["--require", "color"],
        3,
        &["color coverage 50.0%"],
    );
    check(
        &format!("{HEADER}a,A,shoes,1,,\nb,B,shoes,2,acme,blue\n"),
        &["--threshold", "40"],
        0,
        &["Threshold 40%"],
    );
}

#[test]
fn duplicate_missing_and_malformed_rows_are_flagged() {
    check(&format!("{HEADER}a,A,shoes,1,acme,red\na,A,shoes,1,acme,red\n,C,shoes,1,acme,red\nd,D\nb,B,shoes,1,acme,red\n"), &[], 3, &[
        "| duplicate ids | 1 |",
        "| rows without id | 1 |",
        "| malformed rows | 1 |",
    ]);
}

#[test]
fn tiny_or_unreadable_catalogs() {
    check(
        &format!("{HEADER}a,A,shoes,1,acme,red\n"),
        &[],
        3,
        &["1 usable product(s)"],
    );
    check(HEADER, &[], 3, &["0 usable product(s)"]);
    check("", &[], 1, &["the catalog is empty"]);
    check(
        "id,name\n",
        &[],
        1,
        &["line 1: missing column(s) title, category, price, brand"],
    );
    check(
        &format!("{HEADER}a,A,shoes,1,acme,red\n"),
        &["--require", "colour"],
        1,
        &["unknown attribute \"colour\""],
    );
}

#[test]
fn a_shopify_export_is_read_as_is() {
    let run = aisle(&[
        "audit",
        "--catalog",
        &fixture("shopify-export.csv"),
        "--require",
        "category,price",
    ]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    for fragment in [
        "3 products (Shopify product export, 5 rows)",
        "| brand | 2 | 66.7% | low |",
        "| color | 1 | 33.3% | low |",
        "| material | 1 | 33.3% | low |",
    ] {
        assert!(run.stdout.contains(fragment), "{}", run.stdout);
    }
}

#[test]
fn products_in_events_missing_from_the_catalog_are_counted_and_flagged() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = temp_file(
        &dir,
        "c.csv",
        &format!("{HEADER}a,A,shoes,1,acme,red\nb,B,shoes,2,acme,blue\n"),
    );
    let view = |id: u32, product: &str| {
        format!(
            r#"{{"v":1,"id":"e{id}","ts":{id},"visitor":"v","session":"s","type":"product_view","product":"{product}"}}"#
        )
    };
    let events = temp_file(
        &dir,
        "e.ndjson",
        &[
            view(1, "a"),
            view(2, "zz"),
            view(3, "zz"),
            view(3, "zz"),
            "oops".into(),
        ]
        .join("\n"),
    );
    let json = temp_path(&dir, "report.json");
    let run = aisle(&[
        "audit",
        "--catalog",
        &catalog,
        "--events",
        &events,
        "--json",
        &json,
    ]);
    assert_eq!(run.code, 3, "{}", run.stdout);
    for fragment in [
        "| on catalog products | 1 (33.3%) FLAG |",
        "| of which missing from the catalog | 1 |",
        "| malformed event lines | 1 |",
        "| duplicate events | 1 |",
        "Missing from the catalog (most actions first): zz",
    ] {
        assert!(run.stdout.contains(fragment), "{}", run.stdout);
    }
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(json).unwrap()).unwrap();
    assert_eq!(report["events"]["distinct_missing_from_catalog"], 1);
    assert_eq!(report["flags"].as_array().unwrap().len(), 1);
}
