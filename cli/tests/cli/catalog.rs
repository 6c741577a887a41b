//! Real shop exports in, through `aisle audit` and `aisle build`: a Shopify product export
//! with French option names and categories in tags, its storefront `products.json`, the same
//! export saved by a European spreadsheet (semicolons, CRLF, BOM, decimal commas), and a
//! WooCommerce product export.
use crate::{aisle, check, contains_all, fixture, temp_file, temp_path};

const SHOPIFY: &str = "shopify-products-fr.csv";
const PRODUCTS_JSON: &str = "shopify-products.json";
const SEMICOLON: &str = "shopify-products-semicolon.csv";
const WOOCOMMERCE: &str = "woocommerce-products.csv";

/// Audits a fixture with extra arguments, returning (exit code, stdout, the JSON report).
fn audit(catalog: &str, extra: &[&str]) -> (i32, String, serde_json::Value) {
    let dir = tempfile::tempdir().unwrap();
    let json = temp_path(&dir, "report.json");
    let run = aisle(
        &[
            &["audit", "--catalog", &fixture(catalog), "--json", &json][..],
            extra,
        ]
        .concat(),
    );
    assert!(
        run.code == 0 || run.code == 3,
        "{}{}",
        run.stdout,
        run.stderr
    );
    let report = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    (run.code, run.stdout, report)
}

fn coverage(report: &serde_json::Value, attribute: &str) -> f64 {
    report["coverage"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["attribute"] == attribute)
        .unwrap()["percent"]
        .as_f64()
        .unwrap()
}

#[test]
fn a_shopify_export_leaves_out_drafts_archived_unpublished_and_gift_cards_and_counts_them() {
    let (code, stdout, report) = audit(SHOPIFY, &[]);
    assert_eq!(code, 3, "categories live in tags: flagged until mapped");
    assert_eq!(report["format"], "shopify");
    assert_eq!(report["products"], 9);
    assert_eq!(report["rows"], 30);
    assert_eq!(
        report["excluded"],
        serde_json::json!({"archived": 1, "draft": 1, "gift-card": 1, "unpublished": 1})
    );
    // Every variant SKU is an alias: 21 variants with a SKU on the 9 kept products.
    assert_eq!(report["aliases"], 21);
    contains_all(
        &stdout,
        &[
            "| left out: draft | 1 |",
            "| left out: gift-card | 1 |",
            "keep them with --include archived,draft,gift-card,unpublished",
        ],
    );
    let (_, _, with_drafts) = audit(SHOPIFY, &["--include", "draft,archived"]);
    assert_eq!(with_drafts["products"], 11);
}

#[test]
fn the_audit_proposes_where_category_size_colour_and_material_live() {
    let (_, stdout, report) = audit(SHOPIFY, &[]);
    assert_eq!(coverage(&report, "category"), 200.0 / 9.0);
    let proposals: Vec<(String, String, f64)> = report["proposals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["attribute"].as_str().unwrap().to_string(),
                p["source"].as_str().unwrap().to_string(),
                (p["percent_after"].as_f64().unwrap() * 10.0).round() / 10.0,
            )
        })
        .collect();
    assert_eq!(
        proposals,
        [
            ("category".into(), "tags SUBDEPT_…".into(), 100.0),
            // Colour is an option on most products and a tag on the tote bag: both.
            (
                "color".into(),
                "tags COULEUR_… + options Color, Couleur".into(),
                88.9
            ),
            ("size".into(), "options Grandeur, Size, Taille".into(), 77.8),
            ("material".into(), "tags MATIERE_…".into(), 100.0),
        ]
    );
    contains_all(
        &stdout,
        &["| category | tags SUBDEPT_… | 22.2% | 100.0% | Robes, Chemises, Pantalons |"],
    );
}

#[test]
fn an_accepted_proposal_is_a_mapping_file_that_audit_and_build_read() {
    let dir = tempfile::tempdir().unwrap();
    let run = aisle(&["audit", "--catalog", &fixture(SHOPIFY), "--propose-map"]);
    check(&run, 0, &[]);
    contains_all(
        &run.stdout,
        &[
            "[category]\ntag_prefix = \"SUBDEPT_\"\n",
            "[color]\ntag_prefix = \"COULEUR_\"\noption = [\"Color\", \"Couleur\"]\n",
            "[size]\noption = [\"Grandeur\", \"Size\", \"Taille\"]\n",
            "[material]\ntag_prefix = \"MATIERE_\"\n",
        ],
    );
    let map = temp_file(&dir, "catalog-map.toml", &run.stdout);
    let (code, stdout, report) = audit(SHOPIFY, &["--map", &map]);
    assert_eq!(code, 0, "{stdout}");
    assert_eq!(coverage(&report, "category"), 100.0);
    assert_eq!(coverage(&report, "material"), 100.0);
    assert_eq!(report["categories"], 9);
    assert!(report["proposals"].as_array().unwrap().is_empty());

    let events = temp_file(
        &dir,
        "events.ndjson",
        &[
            "robe-lin-manches-courtes",
            "chemise-lin-homme",
            "robe-lin-manches-courtes",
            "foulard-soie",
        ]
        .iter()
        .enumerate()
        .map(|(n, product)| {
            format!(
                "{{\"v\":1,\"id\":\"e{n}\",\"ts\":{},\"visitor\":\"v0\",\"session\":\"s0\",\"type\":\"product_view\",\"product\":\"{product}\"}}\n",
                1_700_000_000_000u64 + n as u64 * 60_000
            )
        })
        .collect::<String>(),
    );
    let out = temp_path(&dir, "out");
    let build = aisle(&[
        "build",
        "--catalog",
        &fixture(SHOPIFY),
        "--map",
        &map,
        "--ids",
        &fixture(PRODUCTS_JSON),
        "--events",
        &events,
        "--out",
        &out,
    ]);
    check(&build, 0, &[]);
    contains_all(
        &build.stderr,
        &[
            "left out 1 draft, 1 archived, 1 unpublished, 1 gift-card",
            "shopify-products.json: 1 handle(s) are not in the catalog (left out there, or a different shop?): carte-cadeau",
        ],
    );
    assert!(std::path::Path::new(&out).join("manifest.json").exists());
}

#[test]
fn products_json_gives_the_product_and_variant_ids_the_theme_and_ga4_use() {
    let (_, stdout, report) = audit(SHOPIFY, &["--ids", &fixture(PRODUCTS_JSON)]);
    // 21 SKUs, 9 product ids, 21 variant ids.
    assert_eq!(report["aliases"], 51);
    assert_eq!(report["products_with_aliases"], 9);
    contains_all(&stdout, &["Id map: ", "carte-cadeau"]);
    // Read alone, products.json is a catalog with every id.
    let (_, _, alone) = audit(PRODUCTS_JSON, &[]);
    assert_eq!(alone["format"], "shopify_products_json");
    assert_eq!(alone["products"], 10);
}

#[test]
fn a_spreadsheet_saved_export_with_semicolons_crlf_bom_and_decimal_commas_reads_the_same() {
    let (_, stdout, report) = audit(SEMICOLON, &[]);
    assert_eq!(report["delimiter"], "semicolon");
    assert_eq!(report["products"], 3);
    assert_eq!(report["bad_values"], 0);
    assert_eq!(coverage(&report, "price"), 100.0);
    contains_all(
        &stdout,
        &["Field delimiter: semicolon.", "| left out: gift-card | 1 |"],
    );
}

#[test]
fn a_woocommerce_export_folds_variations_into_their_parents() {
    let (code, stdout, report) = audit(WOOCOMMERCE, &[]);
    assert_eq!(code, 3, "WooCommerce exports have no brand column");
    assert_eq!(report["format"], "woo_commerce");
    assert_eq!(
        (report["rows"].as_u64(), report["products"].as_u64()),
        (Some(13), Some(6))
    );
    assert_eq!(
        report["excluded"],
        serde_json::json!({"draft": 1, "unpublished": 1})
    );
    // Parent SKUs (5 of 6 have one), variation ids (5) and variation SKUs (4).
    assert_eq!(report["aliases"], 14);
    assert_eq!(coverage(&report, "category"), 100.0);
    contains_all(
        &stdout,
        &["| color | options Color, Farbe | 50.0% | 66.7% | Blue, Green, Red |"],
    );
}

#[test]
fn a_mapping_that_names_what_the_export_lacks_is_an_error_naming_file_line_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let map = temp_file(
        &dir,
        "catalog-map.toml",
        "[category]\ntag_prefix = \"SUBDEPT_\"\n\n[material]\ncolumn = \"Google Shopping / Material\"\n",
    );
    let run = aisle(&["audit", "--catalog", &fixture(SHOPIFY), "--map", &map]);
    assert_eq!(run.code, 1);
    contains_all(
        &run.stderr,
        &["catalog-map.toml: line 5: [material] column = \"Google Shopping / Material\": the catalog has no such column"],
    );
    let build = crate::build(
        &fixture(SHOPIFY),
        Some(fixture("tiny-events.ndjson")),
        &temp_path(&dir, "out"),
        &["--map", &map],
    );
    assert_eq!(build.code, 1);
    contains_all(&build.stderr, &["line 5: [material] column"]);
}

#[test]
fn unreadable_values_name_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = temp_file(
        &dir,
        "products_export.csv",
        "Handle,Title,Type,Vendor,Variant Price\r\ntee,Tee,Shirts,Acme,\"12,50 €\"\r\ncap,Cap,Hats,Acme,ask us\r\n",
    );
    let events = fixture("tiny-events.ndjson");
    let build = crate::build(&catalog, Some(&events), &temp_path(&dir, "out"), &[]);
    contains_all(
        &build.stderr,
        &["products_export.csv: 1 value(s) in column \"Variant Price\" cannot be read, kept without it: line 3 \"ask us\""],
    );
}
