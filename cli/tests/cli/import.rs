//! `aisle import`.
use crate::{aisle, check, fixture, rees46_fixture, temp_path};

#[test]
fn rees46_imports_products_and_events() {
    let dir = tempfile::tempdir().unwrap();
    let (catalog, events) = rees46_fixture(&dir);
    let events = std::fs::read_to_string(events).unwrap();
    assert_eq!(events.lines().count(), 300);
    let catalog = std::fs::read_to_string(catalog).unwrap();
    assert!(catalog.starts_with("id,title,category,price,brand,category_title\n"));
    assert!(
        catalog.contains(
            "1307067,Lenovo notebook 1307067,2053013558920217191,251.74,lenovo,Notebook\n"
        ),
        "{catalog}"
    );
}

#[test]
fn rees46_demo_excerpt_keeps_top_categories() {
    let dir = tempfile::tempdir().unwrap();
    let (catalog, events) = (temp_path(&dir, "c.csv"), temp_path(&dir, "e.ndjson"));
    let input = fixture("rees46-head.csv");
    let args = [
        "import",
        "rees46",
        "--input",
        &input,
        "--catalog-out",
        &catalog,
        "--events-out",
        &events,
    ];
    let run = aisle(
        &[
            &args[..],
            &[
                "--categories-top",
                "1",
                "--per-category",
                "3",
                "--min-per-category",
                "2",
            ],
        ]
        .concat(),
    );
    check(&run, 0, &[]);
    let written = std::fs::read_to_string(&catalog).unwrap();
    let rows: Vec<&str> = written.lines().skip(1).collect();
    assert_eq!(rows.len(), 3, "{written}");
    assert!(rows.iter().all(|r| r.contains("Smartphone")), "{written}");
    let run = aisle(
        &[
            &args[..],
            &["--categories-top", "1", "--min-per-category", "1000"],
        ]
        .concat(),
    );
    check(&run, 1, &["no category has 1000 products"]);
}

#[test]
fn diginetica_imports_views_and_purchases_of_sampled_sessions() {
    let dir = tempfile::tempdir().unwrap();
    let (catalog, events) = (temp_path(&dir, "c.csv"), temp_path(&dir, "e.ndjson"));
    let run = aisle(&[
        "import",
        "diginetica",
        "--views",
        &fixture("diginetica-views.csv"),
        "--purchases",
        &fixture("diginetica-purchases.csv"),
        "--categories",
        &fixture("diginetica-categories.csv"),
        "--catalog-out",
        &catalog,
        "--events-out",
        &events,
    ]);
    check(
        &run,
        0,
        &["1 purchase row(s) of sessions not in the views file left out"],
    );
    let events = std::fs::read_to_string(events).unwrap();
    assert_eq!(
        events
            .lines()
            .filter(|l| l.contains("\"product_view\""))
            .count(),
        171
    );
    assert!(events.lines().any(|l| l.contains("\"purchase\"")));
    let catalog = std::fs::read_to_string(catalog).unwrap();
    assert!(
        catalog.lines().nth(1).unwrap().contains(",Item "),
        "{catalog}"
    );
}
