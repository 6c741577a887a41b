//! Writes a generated A/B event stream (the report tests' generator,
//! `aisle_cli::generate::ab_stream`, with known ground truth) for benchmarks:
//! `cargo run --release -p aisle-cli --example generate_events -- 100000 events.ndjson`.
use aisle_cli::generate::ab_stream as generator;

use std::io::Write;

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let visitors: usize = args.next().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let path = args.next().unwrap_or_else(|| "events.ndjson".into());
    let config = generator::GeneratorConfig {
        visitors,
        ..Default::default()
    };
    let (lines, truth) = generator::generate(&config);
    let mut out = std::io::BufWriter::new(std::fs::File::create(&path)?);
    for line in &lines {
        writeln!(out, "{line}")?;
    }
    out.flush()?;
    eprintln!(
        "{} lines for {visitors} visitors to {path}; truth: {:?}",
        lines.len(),
        truth.arms
    );
    Ok(())
}
