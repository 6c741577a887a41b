//! Spilling events to temporary files by visitor, so that each visitor's events can be
//! analyzed together (duplicates dropped, ordered by time) while memory holds one partition
//! at a time, whatever the input size.
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::{Deserialize, Serialize};

/// What the analysis needs of one event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Slim {
    /// Visitor id.
    #[serde(rename = "v")]
    pub visitor: String,
    /// Event id.
    #[serde(rename = "i")]
    pub id: String,
    /// Device time, Unix ms.
    #[serde(rename = "t")]
    pub ts: u64,
    /// UTC day number used for the daily series: the day of receipt when known, else of `ts`.
    #[serde(rename = "d")]
    pub day: u64,
    /// Session id.
    #[serde(rename = "s")]
    pub session: String,
    /// The event's `arms` map (experiment to arm), kept experiments only.
    #[serde(rename = "a", default, skip_serializing_if = "BTreeMap::is_empty")]
    pub arms: BTreeMap<String, String>,
    /// What happened, as far as the analysis cares.
    #[serde(rename = "k")]
    pub kind: SlimKind,
    /// What the first pass noticed, counted once duplicates are gone.
    #[serde(rename = "q", default, skip_serializing_if = "Notes::is_empty")]
    pub notes: Notes,
}

/// Data-quality findings of one event.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Notes {
    /// Device clock too far from the receipt time.
    #[serde(default)]
    pub clock_skew: bool,
    /// No receipt time.
    #[serde(default)]
    pub without_receipt: bool,
    /// Exposures and `arms` entries of experiments not in the manifest.
    #[serde(default)]
    pub unknown_experiment: u32,
    /// Exposures and `arms` entries of arms not in the manifest.
    #[serde(default)]
    pub unknown_arm: u32,
    /// Exposures and `arms` entries of experiments not asked for.
    #[serde(default)]
    pub other_experiment: u32,
}

impl Notes {
    /// True when there is nothing to count.
    pub fn is_empty(&self) -> bool {
        *self == Notes::default()
    }
}

/// The kinds of event the analysis tells apart.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum SlimKind {
    /// A grid was shown in `arm` of `experiment`; `changed` when personalization changed it.
    Exposure {
        experiment: String,
        arm: String,
        changed: bool,
    },
    /// An add to cart.
    AddToCart,
    /// An order.
    Purchase {
        revenue: Option<f64>,
        order_id: Option<String>,
        currency: Option<String>,
    },
    /// Anything else (counts for sessions only).
    Other,
}

/// The writing side: one buffered file per partition.
pub struct Partitions {
    dir: PathBuf,
    writers: Vec<BufWriter<File>>,
}

impl Partitions {
    /// Creates `count` empty partition files in `dir` (which must exist).
    pub fn create(dir: &Path, count: usize) -> anyhow::Result<Partitions> {
        let writers = (0..count.max(1))
            .map(|i| {
                let path = partition_path(dir, i);
                File::create(&path)
                    .map(|f| BufWriter::with_capacity(1 << 16, f))
                    .with_context(|| format!("creating {}", path.display()))
            })
            .collect::<anyhow::Result<_>>()?;
        Ok(Partitions {
            dir: dir.to_path_buf(),
            writers,
        })
    }

    /// Appends one record to its visitor's partition.
    pub fn push(&mut self, slim: &Slim) -> anyhow::Result<()> {
        let index = (aisle::assign::fnv1a32(&slim.visitor) as usize) % self.writers.len();
        let writer = &mut self.writers[index];
        serde_json::to_writer(&mut *writer, slim)?;
        writer
            .write_all(b"\n")
            .context("writing a partition file")?;
        Ok(())
    }

    /// Flushes every file and returns their paths.
    pub fn finish(self) -> anyhow::Result<Vec<PathBuf>> {
        let count = self.writers.len();
        for mut writer in self.writers {
            writer.flush().context("writing a partition file")?;
        }
        Ok((0..count).map(|i| partition_path(&self.dir, i)).collect())
    }
}

fn partition_path(dir: &Path, index: usize) -> PathBuf {
    dir.join(format!("part-{index:04}.ndjson"))
}

/// Reads one partition back, grouped by visitor (visitors in first-seen order).
pub fn read_partition(path: &Path) -> anyhow::Result<Vec<(String, Vec<Slim>)>> {
    let reader = BufReader::with_capacity(
        1 << 16,
        File::open(path).with_context(|| format!("opening {}", path.display()))?,
    );
    let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut visitors: Vec<(String, Vec<Slim>)> = Vec::new();
    for line in reader.lines() {
        let line = line.with_context(|| format!("reading {}", path.display()))?;
        let slim: Slim = serde_json::from_str(&line)
            .with_context(|| format!("reading back {}", path.display()))?;
        match index.get(&slim.visitor) {
            Some(&i) => visitors[i].1.push(slim),
            None => {
                index.insert(slim.visitor.clone(), visitors.len());
                visitors.push((slim.visitor.clone(), vec![slim]));
            }
        }
    }
    Ok(visitors)
}
