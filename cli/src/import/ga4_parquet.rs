//! A GA4 BigQuery export in Parquet (`bq extract --destination_format=PARQUET`), read row by
//! row with the `parquet` crate's record reader (no arrow), each row turned into the JSON
//! object the NDJSON export would hold, so both go through the same mapping in `ga4.rs`.
//!
//! Parquet writes INT64 columns as numbers where the JSON export writes strings; the mapping
//! reads both. REPEATED fields read the same whether BigQuery wrote them as plain repeated
//! groups or, with `--parquet_enable_list_inference`, as LIST groups.
use std::fs::File;
use std::path::Path;

use anyhow::Context;
use parquet::file::reader::{FileReader, SerializedFileReader};

/// Whether `path` names a Parquet file (by its extension).
pub fn is_parquet(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("parquet"))
}

/// Calls `each` with every row of the file (1-based row number, the row as a JSON object), in
/// file order; stops at the first error `each` returns.
pub fn for_each_row(
    path: &Path,
    mut each: impl FnMut(u64, serde_json::Value) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let file = File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let reader = SerializedFileReader::new(file).with_context(|| {
        format!(
            "{}: not a Parquet file (or a cut one: fetch it again)",
            path.display()
        )
    })?;
    let rows = reader
        .get_row_iter(None)
        .with_context(|| format!("{}: cannot read its rows", path.display()))?;
    for (index, row) in rows.enumerate() {
        let number = index as u64 + 1;
        let row = row.map_err(|error| {
            // The codecs left out of the build (zstd, lz4, brotli) say only "Disabled feature".
            let hint = if error.to_string().contains("Disabled feature") {
                " (a compression this build does not read: export with --compression=SNAPPY)"
            } else {
                ""
            };
            anyhow::anyhow!(
                "{}: cannot read row {number}: {error}{hint}",
                path.display()
            )
        })?;
        each(number, row.to_json_value())?;
    }
    Ok(())
}
