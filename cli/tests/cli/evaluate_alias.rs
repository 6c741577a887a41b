//! `aisle evaluate` resolves the ids of the events as `aisle build` does: views keyed by SKU,
//! variant id, product id or Shopify channel id count against the product they name, whether
//! they come as events or as the session table of `sql/ga4_sessions.sql`.
use aisle::events::EventBody;

use crate::ga4::read_events;
use crate::{aisle, check, fixture, proposed_map, temp_file, temp_path};

/// The fixture shop's products (handle, product id, first variant id, its SKU), from
/// `shopify-products.json`; the gift card is left out of the catalog.
const PRODUCTS: [(&str, &str, &str, &str); 9] = [
    (
        "robe-lin-manches-courtes",
        "8123456700008",
        "45123456700014",
        "RLMC-S-ECR",
    ),
    (
        "chemise-lin-homme",
        "8123456700015",
        "45123456700066",
        "CLH-M-BLC",
    ),
    (
        "pantalon-large-coton",
        "8123456700022",
        "45123456700105",
        "PLC-36-SAB",
    ),
    (
        "veste-de-travail",
        "8123456700029",
        "45123456700144",
        "VDT-M",
    ),
    ("tote-bag-toile", "8123456700036", "45123456700170", "TBT-1"),
    ("foulard-soie", "8123456700043", "45123456700183", "FS-ROU"),
    (
        "t-shirt-coton-bio",
        "8123456700050",
        "45123456700209",
        "TCB-S-BLA",
    ),
    ("ceinture-cuir", "8123456700057", "45123456700235", "CC-85"),
    (
        "pull-laine-merinos",
        "8123456700064",
        "45123456700261",
        "PLM-M-GRI",
    ),
];

/// 80 sessions of four views each; `keyed` gives the id an event writes for product `p` at
/// event number `n`.
fn log(keyed: impl Fn(usize, usize) -> String) -> String {
    let mut lines = String::new();
    let mut n = 0;
    for visitor in 0..80usize {
        for (step, offset) in [0, 1, 3, 4].iter().enumerate() {
            let product = (visitor + offset) % PRODUCTS.len();
            let ts = 1_700_000_000_000u64 + visitor as u64 * 3_600_000 + step as u64 * 60_000;
            lines += &format!(
                "{{\"v\":1,\"id\":\"e{n}\",\"ts\":{ts},\"visitor\":\"v{visitor}\",\"session\":\"s{visitor}\",\"type\":\"product_view\",\"product\":\"{}\"}}\n",
                keyed(product, n)
            );
            n += 1;
        }
    }
    lines
}

/// Evaluates with `input` (`--events <file>` or `--ga4-sessions <file>`).
fn evaluate(
    dir: &tempfile::TempDir,
    name: &str,
    input: [&str; 2],
    map: &str,
) -> (serde_json::Value, String) {
    let json = temp_path(dir, &format!("{name}.json"));
    let run = aisle(&[
        "evaluate",
        "--catalog",
        &fixture("shopify-products-fr.csv"),
        "--map",
        map,
        "--ids",
        &fixture("shopify-products.json"),
        input[0],
        input[1],
        "--resamples",
        "50",
        "--json",
        &json,
    ]);
    check(&run, 0, &[]);
    let report = serde_json::from_str(&std::fs::read_to_string(json).unwrap()).unwrap();
    (report, run.stderr)
}

#[test]
fn evaluate_counts_events_keyed_by_any_alias_against_the_product() {
    let dir = tempfile::tempdir().unwrap();
    let map = proposed_map(&dir);
    let by_handle = temp_file(
        &dir,
        "handles.ndjson",
        &log(|p, _| PRODUCTS[p].0.to_string()),
    );
    let by_alias = temp_file(
        &dir,
        "aliases.ndjson",
        &log(|p, n| {
            let (_, product, variant, sku) = PRODUCTS[p];
            match n % 4 {
                0 => product.to_string(),
                1 => variant.to_string(),
                2 => sku.to_string(),
                _ => format!("shopify_US_{product}_{variant}"),
            }
        }),
    );
    let (expected, _) = evaluate(&dir, "handles", ["--events", &by_handle], &map);
    let (got, stderr) = evaluate(&dir, "aliases", ["--events", &by_alias], &map);
    assert!(
        stderr.contains("320 of 320 product ids in the events (100.0%) name a catalog product (0 by product id, 240 by alias, 80 by Shopify channel id)"),
        "{stderr}"
    );
    assert!(
        expected["targets"]["targets"].as_u64().unwrap() > 0,
        "{expected}"
    );
    // The same views as the session table of sql/ga4_sessions.sql (CSV export, aliases).
    let table: String = std::iter::once("visitor,session,ts,type,product\n".to_string())
        .chain(read_events(&by_alias).iter().map(|e| {
            let EventBody::ProductView { product } = &e.body else {
                unreachable!()
            };
            format!(
                "{},{},{},product_view,{product}\n",
                e.visitor, e.session, e.ts
            )
        }))
        .collect();
    let table = temp_file(&dir, "sessions.csv", &table);
    let (from_table, _) = evaluate(&dir, "table", ["--ga4-sessions", &table], &map);
    for field in ["train_sessions", "test_sessions", "targets", "results"] {
        assert_eq!(got[field], expected[field], "{field}");
        assert_eq!(
            from_table[field], expected[field],
            "{field} from the session table"
        );
    }
}
