//! `aisle inspect`: what a bundle holds and where its bytes go, raw and gzipped, per field,
//! and its abandon model's coefficients.
use std::io::Write;
use std::path::PathBuf;

use aisle::bundle::{format, Model};
use anyhow::Context;
use clap::Args;

/// Arguments of `aisle inspect`.
#[derive(Args)]
pub struct InspectArgs {
    /// The bundle file.
    pub bundle: PathBuf,
    /// Also time decoding and reranking a 48-product grid with a 20-action history, natively
    /// (the browser's figures come from headless Chromium).
    #[arg(long)]
    pub timing: bool,
}

/// Bytes after gzip at the best compression level.
pub fn gzip_len(bytes: &[u8]) -> usize {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder
        .write_all(bytes)
        .expect("writing into a Vec cannot fail");
    encoder
        .finish()
        .expect("writing into a Vec cannot fail")
        .len()
}

pub fn run(args: InspectArgs) -> anyhow::Result<()> {
    let bytes = std::fs::read(&args.bundle)
        .with_context(|| format!("cannot read {}", args.bundle.display()))?;
    let wire = format::decode(&bytes)
        .with_context(|| format!("{}: not a valid bundle", args.bundle.display()))?;
    let model = Model::from_wire(wire.clone())
        .with_context(|| format!("{}: not a valid bundle", args.bundle.display()))?;
    let products = model.len().max(1) as f64;
    println!(
        "model {} built at {} ms: {} products, {} aliases, {} categories, {} brands, {} colours, {} size ranges",
        model.model_version,
        model.built_at_ms,
        model.len(),
        model.alias_count(),
        model.category_count(),
        model.brand_count(),
        model.color_count(),
        model.size_count()
    );
    if model.is_catalog_only() {
        println!("catalog-only bundle: learned from no sessions (no popularity; neighbours from catalog similarity; default weights)");
    } else {
        println!("learned from {} sessions", model.trained_sessions);
    }
    let neighbours: usize = (0..model.len() as u32)
        .map(|p| model.neighbours(p).count())
        .sum();
    println!(
        "neighbours: {neighbours}, {:.1} per product",
        neighbours as f64 / products
    );
    let total_gzip = gzip_len(&bytes);
    println!(
        "bundle: {} bytes, {} gzipped = {:.1} gzipped bytes per product",
        bytes.len(),
        total_gzip,
        total_gzip as f64 / products
    );
    println!("\n| field | bytes | gzipped | gzipped per product |\n|---|---:|---:|---:|");
    let names = [
        &wire.category_names,
        &wire.brand_names,
        &wire.color_names,
        &wire.size_names,
    ]
    .map(|names| names.join("\n"))
    .join("\n");
    let fields: [(&str, &[u8]); 14] = [
        ("product_ids", wire.product_ids.as_bytes()),
        ("product_id_numbers", &wire.product_id_numbers),
        ("alias_ids", wire.alias_ids.as_bytes()),
        ("alias_numbers", &wire.alias_numbers),
        ("alias_counts", &wire.alias_counts),
        ("category, brand, colour and size names", names.as_bytes()),
        ("product_category", &wire.product_category),
        ("product_brand", &wire.product_brand),
        ("product_color", &wire.product_color),
        ("product_size", &wire.product_size),
        ("popularity", &wire.popularity),
        ("price_band", &wire.price_band),
        ("neighbours", &wire.neighbours),
        ("neighbour_weights", &wire.neighbour_weights),
    ];
    for (name, field) in fields {
        let gz = gzip_len(field);
        println!(
            "| {name} | {} | {gz} | {:.2} |",
            field.len(),
            gz as f64 / products
        );
    }
    match &wire.abandon {
        Some(abandon) => {
            println!(
                "\nabandon model: base rate {:.4}, calibration slope {:.4} and intercept {:.4}, default nudge delay {} min",
                abandon.base_rate,
                abandon.calibration_slope,
                abandon.calibration_intercept,
                abandon.default_nudge_delay_ms / 60_000
            );
            println!(
                "\n| feature | coefficient (standardized) | mean | scale |\n|---|---:|---:|---:|"
            );
            println!("| intercept | {:.4} | | |", abandon.intercept);
            for (i, name) in abandon.feature_names.iter().enumerate() {
                println!(
                    "| {name} | {:.4} | {:.4} | {:.4} |",
                    abandon.coefficients[i], abandon.means[i], abandon.scales[i]
                );
            }
        }
        None => println!("\nno abandon model"),
    }
    if args.timing {
        timing(&bytes, &model);
    }
    Ok(())
}

/// Prints the mean time of decoding the bundle and of reranking a grid.
fn timing(bytes: &[u8], model: &Model) {
    use aisle::history::{ActionKind, History, HistoryConfig};
    use std::time::Instant;
    let rounds = 20;
    let start = Instant::now();
    for _ in 0..rounds {
        std::hint::black_box(Model::from_bytes(std::hint::black_box(bytes)).is_ok());
    }
    println!(
        "\ndecode: {:.2} ms (mean of {rounds})",
        start.elapsed().as_secs_f64() * 1000.0 / f64::from(rounds)
    );
    if model.len() < 2 {
        return;
    }
    // A grid: the 48 products following the most recently viewed one in bundle order (its
    // category's neighbourhood); a history of 20 views spread over the catalog.
    let count = model.len() as u32;
    let mut history = History::new(HistoryConfig::default(), 0);
    for i in 0..20u32 {
        history.record(
            ActionKind::ProductView,
            model.product_id(i * 7919 % count),
            1,
            None,
            u64::from(i) * 1000,
        );
    }
    let grid: Vec<&str> = (0..48u32)
        .map(|i| model.product_id((i + 19 * 7919) % count))
        .collect();
    let rounds = 2000;
    let start = Instant::now();
    for _ in 0..rounds {
        let context = aisle::rank::ShopperContext::new(model, std::hint::black_box(&history));
        std::hint::black_box(aisle::rank::rank(model, &context, &grid));
    }
    println!(
        "rerank 48 products, 20-action history: {:.1} µs (mean of {rounds}, context included)",
        start.elapsed().as_secs_f64() * 1e6 / f64::from(rounds)
    );
}
