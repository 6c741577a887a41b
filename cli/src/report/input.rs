//! Reading event files line by line: plain or gzip NDJSON, given as files or directories.
//! Nothing is held beyond the current line.
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use aisle::events::Event;
use anyhow::Context;
use serde::Deserialize;

/// One stored line: the event and, when `aisle collect` wrote it, the receipt time.
#[derive(Deserialize)]
pub struct StoredEvent {
    /// Receipt time on the collector's clock, Unix ms.
    #[serde(default)]
    pub received: Option<u64>,
    /// The event.
    #[serde(flatten)]
    pub event: Event,
}

/// The event files named by `inputs`: files as given, directories expanded to their
/// `*.ndjson` and `*.ndjson.gz` files in name order.
pub fn list_files(inputs: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for input in inputs {
        let metadata =
            std::fs::metadata(input).with_context(|| format!("reading {}", input.display()))?;
        if metadata.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(input)
                .with_context(|| format!("listing {}", input.display()))?
                .filter_map(|entry| entry.ok().map(|e| e.path()))
                .filter(|path| is_event_file(path))
                .collect();
            found.sort();
            files.extend(found);
        } else {
            files.push(input.clone());
        }
    }
    Ok(files)
}

fn is_event_file(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    name.ends_with(".ndjson") || name.ends_with(".ndjson.gz")
}

/// Opens a file, decompressing it when its name ends in `.gz`.
pub fn open(path: &Path) -> anyhow::Result<Box<dyn BufRead>> {
    let file = File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let reader: Box<dyn Read> = if path.extension().is_some_and(|e| e == "gz") {
        Box::new(flate2::read::MultiGzDecoder::new(BufReader::with_capacity(
            1 << 16,
            file,
        )))
    } else {
        Box::new(file)
    };
    Ok(Box::new(BufReader::with_capacity(1 << 16, reader)))
}

/// Calls `each(line_number, line)` for every line of `path` (1-based, without the line end
/// and, on line 1, a byte-order mark; `Err` for a line that is not UTF-8), stopping at the
/// first error `each` returns.
pub fn for_each_line(
    path: &Path,
    mut each: impl FnMut(u64, Result<&str, ()>) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let mut lines = crate::text_input::Lines::new(open(path)?);
    loop {
        let number = lines.number();
        let Some(line) = lines
            .next_line()
            .with_context(|| format!("reading {} after line {number}", path.display()))?
        else {
            return Ok(());
        };
        each(number + 1, std::str::from_utf8(line).map_err(|_| ()))?;
    }
}
