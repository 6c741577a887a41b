//! `report.csv`: one row per experiment × scope × arm × metric, plus the sample-ratio check
//! and the per-experiment counts of excluded visitors (arm `*`); `quality.csv`: the input
//! counts. Numbers are written in full precision so other tools can re-check them.
use std::path::Path;

use anyhow::Context;

use super::analysis::Quality;
use super::results::ExperimentResult;

/// The header of `report.csv`.
pub const HEADER: [&str; 12] = [
    "experiment",
    "scope",
    "arm",
    "metric",
    "value",
    "ci_low",
    "ci_high",
    "lift",
    "lift_ci_low",
    "lift_ci_high",
    "p_value",
    "n",
];

fn number(value: Option<f64>) -> String {
    match value {
        Some(v) if v.is_finite() => format!("{v}"),
        _ => String::new(),
    }
}

/// Writes `report.csv`.
pub fn write_report(path: &Path, results: &[ExperimentResult]) -> anyhow::Result<()> {
    let mut writer =
        csv::Writer::from_path(path).with_context(|| format!("creating {}", path.display()))?;
    writer.write_record(HEADER)?;
    for result in results {
        for row in &result.rows {
            writer.write_record([
                row.experiment.clone(),
                row.scope.name().to_string(),
                row.arm.clone(),
                row.metric.to_string(),
                number(Some(row.value)),
                number(row.ci.map(|c| c.0)),
                number(row.ci.map(|c| c.1)),
                number(row.lift),
                number(row.lift_ci.map(|c| c.0)),
                number(row.lift_ci.map(|c| c.1)),
                number(row.p_value),
                row.n.to_string(),
            ])?;
        }
        let mut extra = |metric: &str, value: f64, p_value: Option<f64>| {
            let record = [
                result.key.as_str(),
                "all",
                "*",
                metric,
                &number(Some(value)),
                "",
                "",
                "",
                "",
                "",
                &number(p_value),
                "",
            ];
            writer.write_record(record)
        };
        if let Some(check) = &result.sample_ratio {
            extra(
                "sample_ratio_chi_square",
                check.chi_square,
                Some(check.p_value),
            )?;
        }
        extra(
            "visitors_in_two_arms",
            result.visitors_in_two_arms as f64,
            None,
        )?;
        extra(
            "visitors_without_exposure",
            result.visitors_without_exposure as f64,
            None,
        )?;
    }
    writer
        .flush()
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

/// The input counts as (name, value) pairs, in a fixed order.
pub fn quality_counts(quality: &Quality) -> Vec<(&'static str, u64)> {
    vec![
        ("lines", quality.lines),
        ("malformed_lines", quality.malformed),
        ("duplicate_events", quality.duplicate_events),
        ("duplicate_orders", quality.duplicate_orders),
        ("clock_skew_events", quality.clock_skew),
        ("events_without_receipt_time", quality.without_receipt),
        (
            "unknown_experiment_events",
            quality.unknown_experiment_events,
        ),
        ("unknown_arm_events", quality.unknown_arm_events),
        ("other_experiment_events", quality.other_experiment_events),
    ]
}

/// Writes `quality.csv`.
pub fn write_quality(path: &Path, quality: &Quality) -> anyhow::Result<()> {
    let mut writer =
        csv::Writer::from_path(path).with_context(|| format!("creating {}", path.display()))?;
    writer.write_record(["counter", "value"])?;
    for (name, value) in quality_counts(quality) {
        writer.write_record([name.to_string(), value.to_string()])?;
    }
    writer
        .flush()
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}
