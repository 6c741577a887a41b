//! `aisle report`: event files → per-experiment, per-arm results as `report.csv`,
//! `quality.csv` and a self-contained `report.html`.
//!
//! Two passes keep memory bounded whatever the input size: the first streams every line,
//! validates it and spills what the analysis needs into temporary partition files by visitor;
//! the second loads one partition at a time, analyzes each visitor's events together, and
//! adds them to small per-arm, per-day sums.
mod analysis;
pub mod input;
mod output_csv;
mod output_html;
mod partition;
mod results;
mod stats;

use std::collections::BTreeMap;
use std::path::PathBuf;

use aisle::events::EventBody;
use aisle::manifest::{ExperimentConfig, Manifest};
use anyhow::Context;
use clap::Args;

use analysis::{ExperimentSums, Quality};
use partition::{Notes, Partitions, Slim, SlimKind};
use results::{ExperimentInfo, Thresholds};

/// Arguments of `aisle report`.
#[derive(Args)]
pub struct ReportArgs {
    /// Event files (`.ndjson` or `.ndjson.gz`) or directories of them.
    #[arg(long, required = true, num_args = 1..)]
    pub events: Vec<PathBuf>,
    /// Output directory (created if missing).
    #[arg(long)]
    pub out: PathBuf,
    /// Only this experiment.
    #[arg(long)]
    pub experiment: Option<String>,
    /// The manifest the experiment ran with: arm weights for the sample-ratio check, the
    /// control arm, and which experiments and arms are known.
    #[arg(long)]
    pub manifest: Option<PathBuf>,
    /// Days of data below which the report warns.
    #[arg(long, default_value_t = 28)]
    pub min_days: u64,
    /// Visitors per arm below which the report warns.
    #[arg(long, default_value_t = 1000)]
    pub min_visitors: u64,
    /// Partition files for the second pass (default: one per 16 MiB of input, at most 512).
    #[arg(long)]
    pub partitions: Option<usize>,
}

/// Device time more than this after receipt is clock skew.
const MAX_AHEAD_MS: u64 = 10 * 60 * 1000;
/// Device time more than this before receipt is clock skew (events may wait offline).
const MAX_BEHIND_MS: u64 = 7 * crate::dates::DAY_MS;
/// At most this many malformed lines are quoted in the report.
const MAX_EXAMPLES: usize = 10;

pub fn run(args: ReportArgs) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let manifest: Option<Manifest> = match &args.manifest {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            Some(
                serde_json::from_str(&text)
                    .with_context(|| format!("parsing manifest {}", path.display()))?,
            )
        }
        None => None,
    };
    let files = input::list_files(&args.events)?;
    if files.is_empty() {
        anyhow::bail!("no .ndjson or .ndjson.gz file in {:?}", args.events);
    }
    let input_bytes: u64 = files
        .iter()
        .map(|f| {
            let size = std::fs::metadata(f).map(|m| m.len()).unwrap_or(0);
            if f.extension().is_some_and(|e| e == "gz") {
                size * 8
            } else {
                size
            }
        })
        .sum();
    let partition_count = args
        .partitions
        .unwrap_or((input_bytes / (16 << 20)) as usize + 1)
        .clamp(1, 512);
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    let temp = args
        .out
        .join(format!(".aisle-report-tmp-{}", std::process::id()));
    std::fs::create_dir_all(&temp).with_context(|| format!("creating {}", temp.display()))?;
    let outcome = analyze(&args, manifest.as_ref(), &files, &temp, partition_count);
    let _ = std::fs::remove_dir_all(&temp);
    let (experiments, quality) = outcome?;

    let thresholds = Thresholds {
        min_days: args.min_days,
        min_visitors: args.min_visitors,
    };
    let results: Vec<results::ExperimentResult> = experiments
        .iter()
        .filter(|(key, _)| args.experiment.as_ref().is_none_or(|only| only == *key))
        .map(|(key, sums)| {
            results::experiment_result(
                key,
                sums,
                &experiment_info(manifest.as_ref(), key),
                thresholds,
            )
        })
        .collect();
    output_csv::write_report(&args.out.join("report.csv"), &results)?;
    output_csv::write_quality(&args.out.join("quality.csv"), &quality)?;
    let html = output_html::render(&results, &quality, &files);
    std::fs::write(args.out.join("report.html"), html)
        .with_context(|| format!("writing {}", args.out.join("report.html").display()))?;

    eprintln!(
        "aisle report: {} lines from {} file(s), {} experiment(s), {} malformed, {} duplicates, in {:.2} s → {}",
        quality.lines,
        files.len(),
        results.len(),
        quality.malformed,
        quality.duplicate_events,
        started.elapsed().as_secs_f64(),
        args.out.display()
    );
    for result in &results {
        for warning in &result.warnings {
            eprintln!("aisle report: warning: {}: {warning}", result.key);
        }
    }
    Ok(())
}

fn experiment_info(manifest: Option<&Manifest>, key: &str) -> ExperimentInfo {
    let Some(config) = manifest.and_then(|m| m.experiments.iter().find(|e| e.key == key)) else {
        return ExperimentInfo::default();
    };
    ExperimentInfo {
        arms: config
            .arms
            .iter()
            .map(|a| (a.key.clone(), a.weight))
            .collect(),
        control: config
            .arms
            .iter()
            .find(|a| !a.personalized)
            .map(|a| a.key.clone()),
    }
}

/// Decides whether an (experiment, arm) pair is analyzed, counting what is not.
struct Filter<'a> {
    only: Option<&'a str>,
    known: Option<&'a [ExperimentConfig]>,
}

impl Filter<'_> {
    fn keep(&self, experiment: &str, arm: &str, notes: &mut Notes) -> bool {
        if self.only.is_some_and(|only| only != experiment) {
            notes.other_experiment += 1;
            return false;
        }
        if let Some(known) = self.known {
            match known.iter().find(|e| e.key == experiment) {
                None => {
                    notes.unknown_experiment += 1;
                    return false;
                }
                Some(config) if !config.arms.iter().any(|a| a.key == arm) => {
                    notes.unknown_arm += 1;
                    return false;
                }
                Some(_) => {}
            }
        }
        true
    }
}

fn analyze(
    args: &ReportArgs,
    manifest: Option<&Manifest>,
    files: &[PathBuf],
    temp: &std::path::Path,
    partition_count: usize,
) -> anyhow::Result<(BTreeMap<String, ExperimentSums>, Quality)> {
    let mut quality = Quality::default();
    let filter = Filter {
        only: args.experiment.as_deref(),
        known: manifest.map(|m| m.experiments.as_slice()),
    };
    let mut partitions = Partitions::create(temp, partition_count)?;
    for file in files {
        crate::text_input::for_each_line(file, |number, line| {
            quality.lines += 1;
            match line
                .map_err(|()| "not UTF-8".to_string())
                .and_then(|line| to_slim(line, &filter))
            {
                Ok(Some(slim)) => partitions.push(&slim)?,
                Ok(None) => {}
                Err(reason) => {
                    quality.malformed += 1;
                    if quality.malformed_examples.len() < MAX_EXAMPLES {
                        quality
                            .malformed_examples
                            .push(format!("{}:{number}: {reason}", file.display()));
                    }
                }
            }
            Ok(())
        })?;
    }
    let mut experiments = BTreeMap::new();
    for path in partitions.finish()? {
        for (_, events) in partition::read_partition(&path)? {
            analysis::analyze_visitor(events, &mut experiments, &mut quality);
        }
        std::fs::remove_file(&path).with_context(|| format!("removing {}", path.display()))?;
    }
    Ok((experiments, quality))
}

/// One line → what the analysis needs, `Ok(None)` for an empty line, `Err` for a bad one.
fn to_slim(line: &str, filter: &Filter) -> Result<Option<Slim>, String> {
    if line.trim().is_empty() {
        return Ok(None);
    }
    let stored: input::StoredEvent =
        serde_json::from_str(line).map_err(|e| format!("not a schema v1 event: {e}"))?;
    let event = stored.event;
    crate::collect::validate::check_event(&event)?;
    let mut notes = Notes::default();
    let day = match stored.received {
        Some(received) => {
            notes.clock_skew =
                event.ts > received + MAX_AHEAD_MS || event.ts + MAX_BEHIND_MS < received;
            crate::dates::day_number(received)
        }
        None => {
            notes.without_receipt = true;
            crate::dates::day_number(event.ts)
        }
    };
    let mut arms = event.arms;
    arms.retain(|experiment, arm| filter.keep(experiment, arm, &mut notes));
    let kind = match event.body {
        EventBody::Exposure {
            experiment,
            arm,
            changed,
            ..
        } => {
            if filter.keep(&experiment, &arm, &mut notes) {
                SlimKind::Exposure {
                    experiment,
                    arm,
                    changed,
                }
            } else {
                SlimKind::Other
            }
        }
        EventBody::AddToCart { .. } => SlimKind::AddToCart,
        EventBody::Purchase {
            revenue,
            order_id,
            currency,
            ..
        } => SlimKind::Purchase {
            revenue,
            order_id,
            currency,
        },
        _ => SlimKind::Other,
    };
    Ok(Some(Slim {
        visitor: event.visitor,
        id: event.id,
        ts: event.ts,
        day,
        session: event.session,
        arms,
        kind,
        notes,
    }))
}
