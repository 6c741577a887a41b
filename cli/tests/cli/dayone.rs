//! Day one: `aisle build` from a catalog alone, ids that resolve through aliases and Shopify
//! channel ids, and the resolution reports of `build` and `audit`.
use std::path::Path;

use aisle::bundle::Model;
use aisle::history::{ActionKind, History, HistoryConfig};
use aisle::rank::{rank, ShopperContext};
use aisle_cli::build::{build, experiments_for_holdout, BuildInputs};
use aisle_cli::catalog::read_catalog;
use aisle_cli::train::TrainConfig;

use crate::{aisle, check, temp_file, temp_path};

/// The Shopify product export of `tests/fixtures/dayone/` (12 products, 3 types).
fn shopify_export() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/dayone/shopify-products.csv")
        .display()
        .to_string()
}

/// The one bundle in `dir`, decoded.
fn bundle_in(dir: &str) -> Model {
    let name = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .find(|n| n.starts_with("bundle-"))
        .expect("a bundle was written");
    Model::from_bytes(&std::fs::read(Path::new(dir).join(name)).unwrap()).unwrap()
}

/// The grid order for a history of product views.
fn order_after_views(model: &Model, views: &[&str], grid: &[&str]) -> Vec<String> {
    let mut history = History::new(HistoryConfig::default(), 0);
    for (i, id) in views.iter().enumerate() {
        history.record(ActionKind::ProductView, id, 1, None, 1000 * i as u64);
    }
    let context = ShopperContext::new(model, &history);
    rank(model, &context, grid)
        .order
        .into_iter()
        .map(|i| grid[i].to_string())
        .collect()
}

const SHOP_ORDER: [&str; 12] = [
    "organic-crew-tee",
    "city-court-low",
    "waxed-field-jacket",
    "graphic-mountain-tee",
    "trail-runner-gtx",
    "denim-trucker-jacket",
    "heavyweight-pocket-tee",
    "canvas-slip-on",
    "quilted-liner-jacket",
    "striped-breton-tee",
    "retro-jogger",
    "packable-rain-shell",
];

#[test]
fn a_catalog_alone_builds_a_bundle_that_personalizes_from_the_session() {
    let dir = tempfile::tempdir().unwrap();
    let out = temp_path(&dir, "out");
    let run = aisle(&["build", "--catalog", &shopify_export(), "--out", &out]);
    check(&run, 0, &["catalog-only bundle: built without events"]);
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{out}/manifest.json")).unwrap())
            .unwrap();
    assert_eq!(
        manifest["experiments"][0]["key"], "aisle-rerank",
        "the holdout runs from day one"
    );
    let model = bundle_in(&out);
    assert!(model.is_catalog_only());
    assert_eq!(
        (model.len(), model.category_count(), model.brand_count()),
        (12, 3, 3)
    );
    assert_eq!((model.color_count(), model.size_count()), (5, 3));
    // Every SKU of the export resolves to its product.
    assert_eq!(model.alias_count(), 36);
    assert_eq!(
        model.index_of("TRG-BLK-43"),
        model.index_of("trail-runner-gtx")
    );

    // No history: the shop's order stays.
    assert_eq!(order_after_views(&model, &[], &SHOP_ORDER), SHOP_ORDER);
    // Three sneakers viewed: the four sneakers lead, the rest keep the shop's order among
    // the products nothing points at.
    let order = order_after_views(
        &model,
        &["trail-runner-gtx", "city-court-low", "retro-jogger"],
        &SHOP_ORDER,
    );
    let mut first_four = order[..4].to_vec();
    first_four.sort();
    assert_eq!(
        first_four,
        [
            "canvas-slip-on",
            "city-court-low",
            "retro-jogger",
            "trail-runner-gtx"
        ],
        "{order:?}"
    );
    // An unknown card keeps its slot.
    let mut grid = SHOP_ORDER.to_vec();
    grid.insert(3, "gift-card");
    let order = order_after_views(&model, &["packable-rain-shell"], &grid);
    assert_eq!(order[3], "gift-card");

    let inspect = aisle(&[
        "inspect",
        &format!("{out}/{}", manifest["bundle"].as_str().unwrap()),
    ]);
    check(&inspect, 0, &[]);
    assert!(
        inspect.stdout.contains("catalog-only bundle"),
        "{}",
        inspect.stdout
    );
}

#[test]
fn same_taste_beats_same_category_only() {
    let dir = tempfile::tempdir().unwrap();
    let out = temp_path(&dir, "out");
    assert_eq!(
        aisle(&["build", "--catalog", &shopify_export(), "--out", &out]).code,
        0
    );
    let model = bundle_in(&out);
    // Two black Summit products viewed (a jacket, a tee): among the sneakers, the black
    // Summit trail shoe comes first, then the other black one and the other Summit one, and
    // the Parkline white one last.
    let sneakers = [
        "city-court-low",
        "trail-runner-gtx",
        "canvas-slip-on",
        "retro-jogger",
    ];
    let order = order_after_views(
        &model,
        &["packable-rain-shell", "graphic-mountain-tee"],
        &sneakers,
    );
    assert_eq!(order[0], "trail-runner-gtx", "{order:?}");
    assert_eq!(order[3], "city-court-low", "{order:?}");
}

#[test]
fn an_empty_event_log_builds_a_catalog_only_bundle_too() {
    let dir = tempfile::tempdir().unwrap();
    let events = temp_file(&dir, "events.ndjson", "\n\n");
    let out = temp_path(&dir, "out");
    let run = crate::build(&shopify_export(), Some(&events), &out, &[]);
    check(
        &run,
        0,
        &["holds no events; building from the catalog alone"],
    );
    assert!(bundle_in(&out).is_catalog_only());
}

/// Events of a shop whose analytics name products by SKU, by Shopify channel id and by an id
/// the catalog does not know.
fn alias_events() -> String {
    let mut lines = Vec::new();
    let ids = [
        "shopify_US_8100000000001_45100000000011",
        "TRG-BLK-43",
        "shopify_US_8100000000003_45100000000031",
        "retro-jogger",
        "999",
    ];
    for visitor in 0..20u64 {
        for (step, id) in ids.iter().enumerate() {
            let ts = 1_700_000_000_000 + visitor * 3_600_000 + step as u64 * 60_000;
            lines.push(format!(
                r#"{{"v":1,"id":"e{visitor}-{step}","ts":{ts},"visitor":"v{visitor}","session":"s{visitor}","type":"product_view","product":"{id}"}}"#
            ));
        }
    }
    lines.join("\n") + "\n"
}

#[test]
fn events_keyed_by_any_alias_are_learned_from_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let catalog_path = shopify_export();
    let mut catalog = read_catalog(Path::new(&catalog_path)).unwrap();
    // Product and variant ids, as the storefront's products.json gives them.
    for (product, ids) in catalog.products.iter_mut().zip([
        ["8100000000001", "45100000000011"],
        ["8100000000002", "45100000000021"],
        ["8100000000003", "45100000000031"],
    ]) {
        product.aliases.extend(ids.map(String::from));
    }
    let runner = catalog
        .products
        .iter_mut()
        .find(|p| p.id == "trail-runner-gtx")
        .unwrap();
    runner.aliases.push("TRG-BLK-43".into());
    let events = temp_file(&dir, "events.ndjson", &alias_events());
    let out = dir.path().join("out");
    let output = build(
        &BuildInputs {
            catalog: &catalog,
            catalog_path: Path::new(&catalog_path),
            events_path: Some(Path::new(&events)),
        },
        &TrainConfig::default(),
        &out,
        experiments_for_holdout(0.1),
        &Default::default(),
    )
    .unwrap();
    assert!(!output.catalog_only);
    let ids = output.event_ids.unwrap();
    assert_eq!(
        (
            ids.ids,
            ids.resolved,
            ids.by_product_id,
            ids.by_alias,
            ids.by_channel_id
        ),
        (100, 80, 20, 20, 40)
    );
    assert_eq!(ids.top_unresolved, [("999".to_string(), 20)]);
    let model = bundle_in(&out.display().to_string());
    assert_eq!(model.trained_sessions, 20);
    // The channel id's product resolves in the bundle too; the sessions linked the viewed
    // products, so the first (a tee) is a neighbour of the trail runner.
    let tee = model.index_of("shopify_US_8100000000001_1").unwrap();
    assert_eq!(model.product_id(tee), "organic-crew-tee");
    let runner = model.index_of("trail-runner-gtx").unwrap();
    assert!(model.neighbours(runner).any(|(n, _)| n == tee));
}

#[test]
fn audit_names_unresolved_event_ids_and_checks_a_saved_page() {
    let dir = tempfile::tempdir().unwrap();
    let mut lines = String::new();
    for visitor in 0..10u64 {
        for (step, id) in ["trail-runner-gtx", "retro-jogger", "999", "shopify_US_1_2"]
            .iter()
            .enumerate()
        {
            let ts = 1_700_000_000_000 + visitor * 3_600_000 + step as u64 * 60_000;
            lines += &format!(
                "{{\"v\":1,\"id\":\"e{visitor}-{step}\",\"ts\":{ts},\"visitor\":\"v{visitor}\",\"session\":\"s{visitor}\",\"type\":\"product_view\",\"product\":\"{id}\"}}\n"
            );
        }
    }
    let events = temp_file(&dir, "events.ndjson", &lines);
    let page = temp_file(
        &dir,
        "collection.html",
        r##"<html><head><script async src="/aisle/aisle.js" data-grid="#product-grid" data-item=".grid__item" data-category="frontpage"></script></head>
<body><ul id="product-grid" class="grid product-grid">
<li class="grid__item" data-product-id="trail-runner-gtx"><div class="card-wrapper"><a href="/products/trail-runner-gtx">Trail Runner GTX</a></div></li>
<li class="grid__item" data-product-id="8100000000001"><div class="card-wrapper"></div></li>
<li class="grid__item" data-product-id="retro-jogger"><div class="card-wrapper"></div></li>
<li class="collection-banner">Free shipping</li>
</ul></body></html>"##,
    );
    let run = aisle(&[
        "audit",
        "--catalog",
        &shopify_export(),
        "--events",
        &events,
        "--page",
        &page,
        "--grid",
        "#product-grid",
        "--item",
        ".grid__item",
    ]);
    assert_eq!(run.code, 3, "flagged: {}", run.stdout);
    for expected in [
        "| name a catalog product | 20 (50.0%) |",
        "| `999` | 10 |",
        "| `shopify_US_1_2` | 10 |",
        "3 product card(s), 0 card(s) without an id, 0 card(s) with two ids, 1 other child(ren)",
        "| name a catalog product | 2 (66.7%) |",
        "| `8100000000001` | 1 |",
        "Page category \"frontpage\": NOT a catalog category",
        "Its products are mostly in the catalog category \"Sneakers\"",
        "data-category \"frontpage\" is not a catalog category",
    ] {
        assert!(
            run.stdout.contains(expected),
            "{expected:?} in\n{}",
            run.stdout
        );
    }
}

/// The figures of `docs/model.md` ("One product, many ids"): bundle bytes per product on the
/// generated 10,000-product shop without aliases, with the ids a Shopify store adds (product
/// id, variant ids, SKUs), and with Shopify channel ids stored as well. The bundles are
/// catalog-only (no weight fit: minutes saved per build; aliases cost the same bytes). Run with
/// `cargo test -p aisle-cli --release --test cli alias_bytes -- --ignored --nocapture`.
#[test]
#[ignore = "a measurement (about a minute in release), not a check"]
fn alias_bytes_per_product() {
    use aisle_cli::inspect::gzip_len;
    use aisle_cli::random::SplitMix64;
    let dir = tempfile::tempdir().unwrap();
    let (catalog_path, events) = (temp_path(&dir, "g.csv"), temp_path(&dir, "g.ndjson"));
    // The generator writes events too; the catalog-only builds leave them unread.
    let run = aisle(&[
        "generate",
        "--products",
        "10000",
        "--sessions",
        "40000",
        "--catalog-out",
        &catalog_path,
        "--events-out",
        &events,
    ]);
    check(&run, 0, &[]);
    let plain = read_catalog(Path::new(&catalog_path)).unwrap();
    // Shopify-like ids: 13-digit product ids and 14-digit variant ids, both increasing in
    // creation order with random gaps; 1 to 6 variants (sizes) per product, a SKU each.
    let mut random = SplitMix64::new(7);
    let mut product_id = 8_100_000_000_000u64;
    let mut variant_id = 45_100_000_000_000u64;
    let sizes = ["XS", "S", "M", "L", "XL", "XXL"];
    let mut shopify = plain.clone();
    let mut channel = plain.clone();
    for (i, (product, with_channel)) in shopify
        .products
        .iter_mut()
        .zip(&mut channel.products)
        .enumerate()
    {
        product_id += 1 + random.below(5_000_000) as u64;
        product.aliases.push(product_id.to_string());
        let stem: String = product
            .title
            .chars()
            .filter(char::is_ascii_alphabetic)
            .take(3)
            .collect::<String>()
            .to_ascii_uppercase();
        for size in &sizes[..1 + random.below(6)] {
            variant_id += 1 + random.below(40) as u64;
            product.aliases.push(variant_id.to_string());
            product.aliases.push(format!("{stem}-{i:05}-{size}"));
            with_channel
                .aliases
                .push(format!("shopify_US_{product_id}_{variant_id}"));
        }
        let own = product.aliases.clone();
        with_channel.aliases.splice(0..0, own);
    }
    println!("\n| catalog | aliases per product | bundle bytes per product | gzipped bytes per product | decode, native (mean of 20) |\n|---|---:|---:|---:|---:|");
    for (name, catalog) in [
        ("generated ids only", &plain),
        ("+ Shopify product id, variant ids, SKUs", &shopify),
        (
            "+ channel ids `shopify_US_<pid>_<vid>` stored too",
            &channel,
        ),
    ] {
        let out = dir.path().join(name.len().to_string());
        let output = build(
            &BuildInputs {
                catalog,
                catalog_path: Path::new(&catalog_path),
                events_path: None,
            },
            &TrainConfig::default(),
            &out,
            experiments_for_holdout(0.5),
            &Default::default(),
        )
        .unwrap();
        let bytes = std::fs::read(out.join(&output.bundle_name)).unwrap();
        let n = catalog.products.len() as f64;
        let aliases: usize = catalog.products.iter().map(|p| p.aliases.len()).sum();
        let start = std::time::Instant::now();
        for _ in 0..20 {
            assert!(Model::from_bytes(std::hint::black_box(&bytes)).is_ok());
        }
        println!(
            "| {name} | {:.1} | {:.1} | {:.1} | {:.1} ms |",
            aliases as f64 / n,
            bytes.len() as f64 / n,
            gzip_len(&bytes) as f64 / n,
            start.elapsed().as_secs_f64() * 1000.0 / 20.0
        );
    }
}

/// The publish gate without events: a catalog-only rebuild replaces a catalog-only bundle
/// (the catalog changed) but never one learned from events.
#[test]
fn a_catalog_only_rebuild_replaces_only_a_catalog_only_bundle() {
    let dir = tempfile::tempdir().unwrap();
    let out = temp_path(&dir, "out");
    let export = std::fs::read_to_string(shopify_export()).unwrap();
    let changed = temp_file(&dir, "changed.csv", &export.replace(",129.00,", ",119.00,"));
    assert_eq!(
        aisle(&["build", "--catalog", &shopify_export(), "--out", &out]).code,
        0
    );
    let run = aisle(&["build", "--catalog", &changed, "--out", &out]);
    check(
        &run,
        0,
        &["a catalog-only bundle replaces a catalog-only bundle"],
    );
    let events = temp_file(&dir, "events.ndjson", &alias_events());
    let run = crate::build(&shopify_export(), Some(&events), &out, &["--force"]);
    check(&run, 0, &[]);
    let run = aisle(&["build", "--catalog", &changed, "--out", &out]);
    check(&run, 4, &["would replace one learned from 20 sessions"]);
}
