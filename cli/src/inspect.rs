//! `aisle inspect`: what a bundle holds and where its bytes go, raw and gzipped, per field.
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
}

/// Bytes after gzip at the best compression level.
pub fn gzip_len(bytes: &[u8]) -> usize {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).expect("writing into a Vec cannot fail");
    encoder.finish().expect("writing into a Vec cannot fail").len()
}

pub fn run(args: InspectArgs) -> anyhow::Result<()> {
    let bytes = std::fs::read(&args.bundle).with_context(|| format!("cannot read {}", args.bundle.display()))?;
    let wire = format::decode(&bytes).with_context(|| format!("{}: not a valid bundle", args.bundle.display()))?;
    let model = Model::from_wire(wire.clone()).with_context(|| format!("{}: not a valid bundle", args.bundle.display()))?;
    let products = model.len().max(1) as f64;
    println!("model {} built at {} ms: {} products, {} categories, {} brands", model.model_version, model.built_at_ms, model.len(), model.category_count(), model.brand_count());
    let total_gzip = gzip_len(&bytes);
    println!("bundle: {} bytes, {} gzipped = {:.1} gzipped bytes per product", bytes.len(), total_gzip, total_gzip as f64 / products);
    println!("\n| field | bytes | gzipped | gzipped per product |\n|---|---:|---:|---:|");
    let names = wire.category_names.join("\n") + "\n" + &wire.brand_names.join("\n");
    let fields: [(&str, &[u8]); 8] = [
        ("product_ids", wire.product_ids.as_bytes()),
        ("category and brand names", names.as_bytes()),
        ("product_category", &wire.product_category),
        ("product_brand", &wire.product_brand),
        ("popularity", &wire.popularity),
        ("price_band", &wire.price_band),
        ("neighbours", &wire.neighbours),
        ("neighbour_weights", &wire.neighbour_weights),
    ];
    for (name, field) in fields {
        let gz = gzip_len(field);
        println!("| {name} | {} | {gz} | {:.2} |", field.len(), gz as f64 / products);
    }
    Ok(())
}
