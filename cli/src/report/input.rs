//! The event files a report or a build reads (files as given, directories expanded to their
//! `*.ndjson` and `*.ndjson.gz`) and the shape of a stored line; `text_input` reads them line
//! by line.
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
