//! Writes a large GA4 BigQuery export for measuring `aisle import ga4`: the rows of the committed
//! fixture (`cli/tests/fixtures/ga4/`, every column as BigQuery writes it) repeated with other
//! visitors, sessions, times and item ids, into gzipped daily shards `events_YYYYMMDD.json.gz`.
//! `cargo run --release -p aisle-cli --example ga4_export -- ROWS DAYS OUT_DIR`
use std::io::{BufRead, Write};

use serde_json::Value;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let rows: u64 = args
        .next()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let days: u64 = args
        .next()
        .and_then(|v| v.parse().ok())
        .unwrap_or(30)
        .max(1);
    let out = std::path::PathBuf::from(args.next().unwrap_or_else(|| "ga4-export".into()));
    std::fs::create_dir_all(&out)?;
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ga4");
    let mut templates: Vec<Value> = Vec::new();
    let day1 = std::fs::read_to_string(fixture.join("events_20240105.json"))?;
    let day2 = flate2::read::MultiGzDecoder::new(std::fs::File::open(
        fixture.join("events_20240106.json.gz"),
    )?);
    for line in day1
        .lines()
        .map(str::to_string)
        .chain(std::io::BufReader::new(day2).lines().map_while(Result::ok))
    {
        let line = line.trim_start_matches('\u{feff}').trim();
        if !line.is_empty() {
            templates.push(serde_json::from_str(line)?);
        }
    }
    let per_day = rows.div_ceil(days);
    let start_us: u64 = 1_704_067_200_000_000; // 2024-01-01
    let mut written = 0u64;
    for day in 0..days {
        let date = jiff::civil::date(2024, 1, 1).checked_add(jiff::Span::new().days(day as i64))?;
        let name = format!("events_{}.json.gz", date.strftime("%Y%m%d"));
        let file = std::fs::File::create(out.join(name))?;
        let mut gz = std::io::BufWriter::new(flate2::write::GzEncoder::new(
            file,
            flate2::Compression::fast(),
        ));
        for i in 0..per_day.min(rows - written) {
            let n = written + i;
            let mut row = templates[(n % templates.len() as u64) as usize].clone();
            // About 12 rows per session, 3 sessions per visitor, 5,000 products.
            let session = n / 12;
            let visitor = session / 3;
            let ts = start_us + day * 86_400_000_000 + (i * 86_400_000_000 / per_day);
            row["event_timestamp"] = Value::String(ts.to_string());
            row["event_date"] = Value::String(date.strftime("%Y%m%d").to_string());
            if row.get("user_pseudo_id").is_some() {
                row["user_pseudo_id"] = Value::String(format!("{visitor}.1704067200"));
            }
            if let Some(params) = row["event_params"].as_array_mut() {
                for p in params {
                    if p["key"] == "ga_session_id" {
                        p["value"] = serde_json::json!({ "int_value": (1_704_067_200 + session).to_string() });
                    }
                }
            }
            if let Some(items) = row["items"].as_array_mut() {
                for item in items {
                    if item["item_id"] != "(not set)" {
                        item["item_id"] = Value::String(format!("SKU-{}", (n * 7919) % 5000));
                    }
                }
            }
            serde_json::to_writer(&mut gz, &row)?;
            gz.write_all(b"\n")?;
        }
        written += per_day.min(rows - written);
        gz.into_inner()
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .finish()?;
    }
    eprintln!("{written} rows in {days} daily shards to {}", out.display());
    Ok(())
}
