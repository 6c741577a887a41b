//! The evaluation report as JSON and as a Markdown table.
use serde::Serialize;

use super::metrics::{Estimate, METRICS};
use super::protocol::TargetStats;
use crate::train::fit::FitReport;

/// One method's estimates, in the order of [`METRICS`].
#[derive(Clone, Debug, Serialize)]
pub struct MethodResult {
    pub method: String,
    pub estimates: [Estimate; 5],
}

/// Everything `aisle evaluate` measured.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub name: String,
    pub catalog: String,
    pub events: String,
    pub products: usize,
    pub categories: usize,
    pub train_sessions: usize,
    pub test_sessions: usize,
    pub straddling_sessions_left_out: usize,
    pub cut_ms: u64,
    pub targets: TargetStats,
    pub mean_grid_size: f64,
    pub bundle_bytes: usize,
    pub seed: u64,
    pub resamples: usize,
    pub fit: FitReport,
    pub metrics: Vec<String>,
    pub results: Vec<MethodResult>,
}

fn cell(e: &Estimate) -> String {
    format!("{:.4} [{:.4}, {:.4}]", e.mean, e.low, e.high)
}

/// The report as Markdown.
pub fn markdown(report: &Report) -> String {
    let t = &report.targets;
    let mut out = format!("# Offline evaluation: {}\n\n", report.name);
    out += &format!(
        "{} products in {} categories. Sessions split by time: {} train, {} test ({} straddling the cut left out). \
         {} targets in {} test sessions ({} consecutive repeats and {} products missing from the catalog skipped; \
         {} targets never seen in training). Mean category grid: {:.1} products. Bundle: {} bytes.\n\n",
        report.products,
        report.categories,
        report.train_sessions,
        report.test_sessions,
        report.straddling_sessions_left_out,
        t.targets,
        t.sessions_with_targets,
        t.repeats_skipped,
        t.not_in_catalog_skipped,
        t.targets_unseen_in_training,
        report.mean_grid_size,
        report.bundle_bytes,
    );
    out += "Grid protocol (rerank the target's category grid, shop order = train popularity): MRR, NDCG@10, HR@10. \
            Whole-catalog next-item protocol: HR@20, MRR@20. Mean [95% bootstrap interval over sessions, ";
    out += &format!("{} resamples, seed {}].\n\n", report.resamples, report.seed);
    out += "| method |";
    for m in METRICS {
        out += &format!(" {m} |");
    }
    out += "\n|---|";
    for _ in METRICS {
        out += "---|";
    }
    out += "\n";
    for r in &report.results {
        out += &format!("| {} |", r.method);
        for e in &r.estimates {
            out += &format!(" {} |", cell(e));
        }
        out += "\n";
    }
    let f = &report.fit;
    out += &format!(
        "\nWeights fitted on a validation split of the training sessions ({} sessions, {} targets): validation MRR {:.4} with the defaults, {:.4} fitted; recency half-life {} actions; {}.{}\n",
        f.validation_sessions,
        f.validation_targets,
        f.validation_mrr_default,
        f.validation_mrr_fitted,
        f.recency_half_life,
        f.weights.iter().map(|(n, w)| format!("{n} {w}")).collect::<Vec<_>>().join(", "),
        f.kept_defaults.as_ref().map(|why| format!(" Defaults kept: {why}.")).unwrap_or_default(),
    );
    out
}
