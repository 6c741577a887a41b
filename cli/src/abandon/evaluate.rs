//! `aisle evaluate-abandon`: a time-based offline evaluation of the abandon model against the
//! constant-rate and one-feature baselines, with session-level bootstrap intervals, written
//! as Markdown (the tables in `docs/abandon.md` come from here).
use std::fmt::Write as _;
use std::path::PathBuf;

use aisle::abandon::{AbandonModel, Feature};
use anyhow::{bail, Context, Result};
use clap::{Args, ValueEnum};

use super::datasets::{read_diginetica, read_ndjson_events, read_rees46, Dataset};
use super::metrics::{
    average_precision, bin_of, brier, cluster_bootstrap, reliability, roc_auc, Interval, Statistic,
};
use super::moments::{self, ClockKnown, LabelSessions, MomentRule, Replay, ReplayConfig};
use super::{
    fit_on_sessions, moments_of, train_abandon_model, usable_sessions, AbandonTrainingConfig,
    CART_FEATURES, VIEW_FEATURES,
};

/// Which data to read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DatasetKind {
    /// REES46 `events.csv` (carts, purchases, prices): cart abandonment.
    Rees46,
    /// The DIGINETICA folder (views and purchases, no carts): purchase intent after each view.
    Diginetica,
    /// aisle's own events, NDJSON (no catalog): cart abandonment.
    Events,
}

/// Arguments of `aisle evaluate-abandon`.
#[derive(Args, Debug)]
pub struct EvaluateAbandonArgs {
    /// Which dataset `--data` holds.
    #[arg(long, value_enum)]
    pub dataset: DatasetKind,
    /// The file (rees46, events) or folder (diginetica) to read.
    #[arg(long)]
    pub data: PathBuf,
    /// Where to score; default `cart-activity`, or `product-views` for diginetica.
    #[arg(long, value_enum)]
    pub moments: Option<MomentRule>,
    /// Share of sessions, oldest first, used for training; the rest is the test set.
    #[arg(long, default_value_t = 0.7)]
    pub train_share: f64,
    /// Bootstrap replicates (sessions resampled with replacement).
    #[arg(long, default_value_t = 2000)]
    pub replicates: usize,
    /// Bootstrap seed.
    #[arg(long, default_value_t = 46)]
    pub seed: u64,
    /// Minutes added to UTC for the shoppers' local hour.
    #[arg(long, default_value_t = 0)]
    pub utc_offset_minutes: i64,
    /// What "the session" in the label means; default `idle` (the browser's 30-minute
    /// sessions), or `event-field` for diginetica (its session ids).
    #[arg(long, value_enum)]
    pub label_sessions: Option<LabelSessions>,
    /// Keep sessions that end less than 30 idle minutes before the end of the data.
    #[arg(long)]
    pub keep_open_sessions: bool,
    /// Write the Markdown report here instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

pub fn run(args: EvaluateAbandonArgs) -> Result<()> {
    let report = evaluate(&args)?;
    match &args.out {
        Some(path) => {
            std::fs::write(path, report).with_context(|| format!("writing {}", path.display()))
        }
        None => {
            print!("{report}");
            Ok(())
        }
    }
}

/// Adds the likely fix to a "too few sessions" error when sessions were left out as possibly
/// still open: an exported log holds whole sessions, so they are not open at all.
fn with_open_sessions_hint(
    error: anyhow::Error,
    dropped_open: usize,
    args: &EvaluateAbandonArgs,
) -> anyhow::Error {
    if args.keep_open_sessions || dropped_open == 0 {
        return error;
    }
    anyhow::anyhow!(
        "{error:#}; {dropped_open} more sessions with a cart end within 30 idle minutes of the end of the data and were left out as possibly still open. An exported log (a dataset, a GA4 or orders import) holds whole sessions: the likely fix is --keep-open-sessions"
    )
}

struct Candidate {
    name: &'static str,
    features: Vec<Feature>,
    calibration_share: f64,
}

/// Runs the evaluation and returns the Markdown report.
pub fn evaluate(args: &EvaluateAbandonArgs) -> Result<String> {
    if !(0.1..=0.9).contains(&args.train_share) {
        bail!(
            "--train-share must be between 0.1 and 0.9, got {}",
            args.train_share
        );
    }
    let (dataset, title, default_rule, clock, features, simple) = match args.dataset {
        DatasetKind::Rees46 => (
            read_rees46(&args.data)?,
            "REES46: cart abandonment",
            MomentRule::CartActivity,
            ClockKnown::HourAndWeekday,
            CART_FEATURES.to_vec(),
            Feature::CartValue,
        ),
        DatasetKind::Diginetica => (
            read_diginetica(&args.data)?,
            "DIGINETICA: no purchase after a view (purchase-intent proxy)",
            MomentRule::ProductViews,
            ClockKnown::WeekdayOnly,
            VIEW_FEATURES.to_vec(),
            Feature::SessionViews,
        ),
        DatasetKind::Events => {
            let events = read_ndjson_events(&args.data)?;
            (
                Dataset {
                    events,
                    catalog: None,
                },
                "aisle events: cart abandonment",
                MomentRule::CartActivity,
                ClockKnown::HourAndWeekday,
                CART_FEATURES.to_vec(),
                Feature::CartValue,
            )
        }
    };
    let label_sessions = replay_config_labels(args);
    let replay_config = ReplayConfig {
        rule: args.moments.unwrap_or(default_rule),
        clock,
        utc_offset_minutes: args.utc_offset_minutes,
        label_sessions,
        history: Default::default(),
    };
    let replay = moments::replay(&dataset.events, dataset.catalog.as_ref(), &replay_config);
    let (sessions, dropped_open) = usable_sessions(&replay, !args.keep_open_sessions);
    let train_count = (sessions.len() as f64 * args.train_share).round() as usize;
    let (train, test) = sessions.split_at(train_count.min(sessions.len()));
    let base = AbandonTrainingConfig {
        replay: replay_config.clone(),
        min_sessions: 10,
        ..Default::default()
    };
    let candidates = [
        Candidate {
            name: "constant rate",
            features: Vec::new(),
            calibration_share: 0.0,
        },
        Candidate {
            name: simple_name(simple),
            features: vec![simple],
            calibration_share: 0.0,
        },
        Candidate {
            name: "logistic, all features, no calibration",
            features: features.clone(),
            calibration_share: 0.0,
        },
        Candidate {
            name: "logistic, all features, Platt on newest 30%",
            features: features.clone(),
            calibration_share: base.calibration_share,
        },
    ];
    // The default configuration only calibrates when the held-out part is large enough.
    let calibration_part = (train.len() as f64 * base.calibration_share).round() as usize;
    let shipped_index = if calibration_part >= base.min_calibration_sessions {
        3
    } else {
        2
    };
    let test_moments = moments_of(&replay, test);
    let labels: Vec<bool> = test_moments
        .iter()
        .map(|&m| replay.moments[m].abandoned)
        .collect();
    let mut predictions: Vec<Vec<f64>> = Vec::new();
    let mut reports = Vec::new();
    for candidate in &candidates {
        let config = AbandonTrainingConfig {
            features: candidate.features.clone(),
            calibration_share: candidate.calibration_share,
            min_calibration_sessions: 0,
            ..base.clone()
        };
        let (wire, report) = fit_on_sessions(&replay, train, &config)
            .map_err(|error| with_open_sessions_hint(error, dropped_open, args))
            .with_context(|| format!("training {}", candidate.name))?;
        let model = AbandonModel::from_wire(wire)?;
        predictions.push(
            test_moments
                .iter()
                .map(|&m| f64::from(model.probability(&replay.moments[m].features)))
                .collect(),
        );
        reports.push(report);
    }
    // What `aisle build` would ship from all of this data.
    let build_config = AbandonTrainingConfig {
        drop_open_sessions: !args.keep_open_sessions,
        features: features.clone(),
        ..base.clone()
    };
    let (_, build_report) =
        train_abandon_model(&dataset.events, dataset.catalog.as_ref(), &build_config)
            .map_err(|error| with_open_sessions_hint(error, dropped_open, args))?;

    // Bootstrap groups: each test session's moments, as positions in `test_moments`.
    let mut position_of = vec![usize::MAX; replay.moments.len()];
    for (position, &m) in test_moments.iter().enumerate() {
        position_of[m] = position;
    }
    let groups: Vec<Vec<usize>> = test
        .iter()
        .map(|&s| {
            moments_of(&replay, &[s])
                .into_iter()
                .map(|m| position_of[m])
                .collect()
        })
        .collect();

    let mut out = String::new();
    writeln!(out, "### {title}\n")?;
    describe_data(
        &mut out,
        &dataset,
        &replay,
        &sessions,
        train,
        test,
        dropped_open,
        &labels,
        args,
    )?;
    metric_table(
        &mut out,
        &candidates,
        &predictions,
        shipped_index,
        &labels,
        &groups,
        args,
    )?;
    writeln!(
        out,
        "The default configuration ships \"{}\" here: the newest 30% of training sessions would be {} sessions, and Platt calibration is only fitted from {} on.\n",
        candidates[shipped_index].name, calibration_part, base.min_calibration_sessions
    )?;
    coefficient_table(&mut out, &reports[shipped_index])?;
    reliability_table(
        &mut out,
        &predictions[shipped_index],
        &labels,
        &groups,
        args,
    )?;
    writeln!(
        out,
        "Trained on all {} usable sessions ({} without a purchase, {} moments, {} left out as possibly cut off), as `aisle build` would, the model uses {} features.\n",
        build_report.sessions,
        build_report.abandoned_sessions,
        build_report.moments,
        build_report.dropped_open_sessions,
        build_report.model.feature_names.len()
    )?;
    Ok(out)
}

fn replay_config_labels(args: &EvaluateAbandonArgs) -> LabelSessions {
    args.label_sessions
        .unwrap_or(if args.dataset == DatasetKind::Diginetica {
            LabelSessions::EventField
        } else {
            LabelSessions::Idle
        })
}

fn simple_name(feature: Feature) -> &'static str {
    match feature {
        Feature::CartValue => "cart value only",
        Feature::SessionViews => "session views only",
        _ => "one feature",
    }
}

#[allow(clippy::too_many_arguments)]
fn describe_data(
    out: &mut String,
    dataset: &Dataset,
    replay: &Replay,
    sessions: &[usize],
    train: &[usize],
    test: &[usize],
    dropped_open: usize,
    labels: &[bool],
    args: &EvaluateAbandonArgs,
) -> Result<()> {
    let abandoned_sessions = |list: &[usize]| {
        list.iter()
            .filter(|&&s| {
                replay
                    .moments
                    .iter()
                    .rev()
                    .find(|m| m.session == s)
                    .is_some_and(|m| m.abandoned)
            })
            .count()
    };
    let span = |list: &[usize]| -> (String, String) {
        let first = list
            .iter()
            .map(|&s| replay.sessions[s].started_ms)
            .min()
            .unwrap_or(0);
        let last = list
            .iter()
            .map(|&s| replay.sessions[s].last_ms)
            .max()
            .unwrap_or(0);
        (
            crate::dates::format_minute(first),
            crate::dates::format_minute(last),
        )
    };
    let (train_from, train_to) = span(train);
    let test_moments: Vec<u64> = replay
        .moments
        .iter()
        .filter(|m| test.contains(&m.session))
        .map(|m| m.at_ms)
        .collect();
    let (test_from, test_to) = (
        crate::dates::format_minute(test_moments.iter().copied().min().unwrap_or(0)),
        crate::dates::format_minute(test_moments.iter().copied().max().unwrap_or(0)),
    );
    writeln!(out, "- events read: {}; sessions with scoring moments: {} ({} more left out as possibly cut off by the end of the data)", dataset.events.len(), sessions.len(), dropped_open)?;
    writeln!(
        out,
        "- training: {} sessions ({} ended without a purchase), {} – {}",
        train.len(),
        abandoned_sessions(train),
        train_from,
        train_to
    )?;
    writeln!(
        out,
        "- test: {} sessions ({} ended without a purchase), {} moments ({} labelled no-purchase) scored {} – {}",
        test.len(),
        abandoned_sessions(test),
        labels.len(),
        labels.iter().filter(|&&l| l).count(),
        test_from,
        test_to
    )?;
    writeln!(
        out,
        "- label: no purchase before the end of the session, sessions: `{:?}`",
        replay_config_labels(args)
    )?;
    writeln!(
        out,
        "- moments: `{:?}`; bootstrap: {} replicates over test sessions, seed {}\n",
        args.moments.unwrap_or(match args.dataset {
            DatasetKind::Diginetica => MomentRule::ProductViews,
            _ => MomentRule::CartActivity,
        }),
        args.replicates,
        args.seed
    )?;
    Ok(())
}

fn metric_table(
    out: &mut String,
    candidates: &[Candidate],
    predictions: &[Vec<f64>],
    shipped: usize,
    labels: &[bool],
    groups: &[Vec<usize>],
    args: &EvaluateAbandonArgs,
) -> Result<()> {
    let pick = |index: &[usize], p: &[f64]| -> (Vec<f64>, Vec<bool>) {
        (
            index.iter().map(|&i| p[i]).collect(),
            index.iter().map(|&i| labels[i]).collect(),
        )
    };
    type Metric = fn(&[f64], &[bool]) -> Option<f64>;
    let metrics: [(&str, Metric); 4] = [
        ("ROC AUC", |p, y| roc_auc(p, y)),
        ("PR AUC (no purchase)", |p, y| average_precision(p, y)),
        ("PR AUC (purchase)", |p, y| {
            let flipped_p: Vec<f64> = p.iter().map(|v| -v).collect();
            let flipped_y: Vec<bool> = y.iter().map(|v| !v).collect();
            average_precision(&flipped_p, &flipped_y)
        }),
        ("Brier", |p, y| brier(p, y)),
    ];
    let mut statistics: Vec<Statistic> = Vec::new();
    for p in predictions {
        for &(_, metric) in &metrics {
            statistics.push(Box::new(move |index: &[usize]| {
                let (p, y) = pick(index, p);
                metric(&p, &y)
            }));
        }
    }
    // Paired differences of the shipped model against every other row: AUC and Brier.
    let others: Vec<usize> = (0..predictions.len()).filter(|&c| c != shipped).collect();
    for &baseline in &others {
        for &(_, metric) in [metrics[0], metrics[3]].iter() {
            let (a, b) = (&predictions[shipped], &predictions[baseline]);
            statistics.push(Box::new(move |index: &[usize]| {
                let (pa, y) = pick(index, a);
                let (pb, _) = pick(index, b);
                Some(metric(&pa, &y)? - metric(&pb, &y)?)
            }));
        }
    }
    let intervals = cluster_bootstrap(groups, &statistics, args.replicates, args.seed);
    writeln!(
        out,
        "| model | {} |",
        metrics
            .iter()
            .map(|(name, _)| *name)
            .collect::<Vec<_>>()
            .join(" | ")
    )?;
    writeln!(out, "|---|{}", "---|".repeat(metrics.len()))?;
    for (c, candidate) in candidates.iter().enumerate() {
        let cells: Vec<String> = (0..metrics.len())
            .map(|k| cell(intervals[c * metrics.len() + k]))
            .collect();
        writeln!(out, "| {} | {} |", candidate.name, cells.join(" | "))?;
    }
    writeln!(out, "\nShipped model (\"{}\") minus each other row (paired bootstrap; AUC higher is better, Brier lower is better):\n", candidates[shipped].name)?;
    writeln!(out, "| other | Δ ROC AUC | Δ Brier |\n|---|---|---|")?;
    let offset = candidates.len() * metrics.len();
    for (k, &baseline) in others.iter().enumerate() {
        writeln!(
            out,
            "| {} | {} | {} |",
            candidates[baseline].name,
            cell(intervals[offset + k * 2]),
            cell(intervals[offset + k * 2 + 1])
        )?;
    }
    writeln!(out)?;
    Ok(())
}

fn coefficient_table(out: &mut String, report: &super::TrainingReport) -> Result<()> {
    let model = &report.model;
    writeln!(
        out,
        "Shipped model: regression fitted on {} sessions, calibration on {} (slope {:.3}, intercept {:.3}); training no-purchase rate {:.3}; default nudge delay {} min.\n",
        report.fit_sessions,
        report.calibration_sessions,
        model.calibration_slope,
        model.calibration_intercept,
        model.base_rate,
        model.default_nudge_delay_ms / 60_000
    )?;
    writeln!(
        out,
        "| feature | mean | scale | coefficient (per standard deviation) |\n|---|---|---|---|"
    )?;
    for i in 0..model.feature_names.len() {
        writeln!(
            out,
            "| {} | {:.3} | {:.3} | {:+.3} |",
            model.feature_names[i], model.means[i], model.scales[i], model.coefficients[i]
        )?;
    }
    writeln!(out, "| (intercept) | | | {:+.3} |", model.intercept)?;
    if !report.dropped_constant_features.is_empty() {
        writeln!(
            out,
            "\nLeft out because constant in the training data: {}.",
            report.dropped_constant_features.join(", ")
        )?;
    }
    writeln!(out)?;
    Ok(())
}

fn reliability_table(
    out: &mut String,
    p: &[f64],
    labels: &[bool],
    groups: &[Vec<usize>],
    args: &EvaluateAbandonArgs,
) -> Result<()> {
    const BINS: usize = 10;
    let table = reliability(p, labels, BINS);
    let statistics: Vec<Statistic> = (0..BINS)
        .map(|bin| -> Statistic {
            Box::new(move |index: &[usize]| {
                let inside: Vec<bool> = index
                    .iter()
                    .filter(|&&i| bin_of(p[i], BINS) == bin)
                    .map(|&i| labels[i])
                    .collect();
                (!inside.is_empty())
                    .then(|| inside.iter().filter(|&&l| l).count() as f64 / inside.len() as f64)
            })
        })
        .collect();
    let intervals = cluster_bootstrap(groups, &statistics, args.replicates, args.seed);
    writeln!(out, "Reliability of the shipped model on the test moments (10 equal-width bins of predicted no-purchase probability):\n")?;
    writeln!(out, "| predicted | moments | mean predicted | observed no-purchase rate [95%] |\n|---|---|---|---|")?;
    for (bin, interval) in table.iter().zip(intervals) {
        if bin.count == 0 {
            writeln!(out, "| {:.1}–{:.1} | 0 | | |", bin.low, bin.high)?;
        } else {
            writeln!(
                out,
                "| {:.1}–{:.1} | {} | {:.3} | {} |",
                bin.low,
                bin.high,
                bin.count,
                bin.mean_predicted,
                cell(interval)
            )?;
        }
    }
    writeln!(out)?;
    Ok(())
}

fn cell(interval: Option<Interval>) -> String {
    match interval {
        Some(i) if i.low.is_nan() => format!("{:.3} [–]", i.estimate),
        Some(i) => format!("{:.3} [{:.3}, {:.3}]", i.estimate, i.low, i.high),
        None => "–".into(),
    }
}
