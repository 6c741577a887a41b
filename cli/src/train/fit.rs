//! Fitting the scoring weights on a validation split.
//!
//! The training sessions are split once more by time: the model is trained on the earlier
//! part and the weights are chosen to maximise the grid MRR (see `crate::evaluate`) on the
//! later part. Test sessions never reach this module. The score is linear in its features
//! for a given recency half-life, so features are computed once per half-life and the
//! weights searched by coordinate ascent over a fixed grid of values; the neighbour weight
//! stays 1 because only ratios matter. The category weight cannot be fitted on category
//! grids (all products share the category) and keeps its default.
//!
//! Memory does not grow with the log: the sessions are read in passes (the split, the
//! targets, the training), and only the validation sessions that hold one of the at most
//! [`MAX_VALIDATION_TARGETS`] targets are kept. The weights do not change what is learned
//! (popularity, neighbours), so the model is trained once and only its weights vary.
use std::collections::HashMap;

use aisle::bundle::{Model, ScoringWeights};
use aisle::rank::{features, weight_array};
use anyhow::bail;
use serde::Serialize;

use super::{train, TrainConfig};
use crate::catalog::Product;
use crate::evaluate::methods::Bundle;
use crate::evaluate::protocol::{count_product_interactions, index_by_id, rank_key, session_targets, Shop, Target, TargetStats};
use crate::event_log::{FilteredSessions, Session, SessionSource};

/// Share of the training sessions used for validation.
pub const VALIDATION_FRACTION: f64 = 0.2;
/// Fewer validation targets than this and the default weights are kept.
pub const MIN_VALIDATION_TARGETS: usize = 30;
/// At most this many validation targets are used (evenly spaced), which bounds the time a
/// fit takes on large logs without biasing towards early or late sessions.
pub const MAX_VALIDATION_TARGETS: usize = 5000;
/// Half-lives (in actions) tried.
const HALF_LIVES: [f32; 6] = [1.0, 2.0, 3.0, 5.0, 8.0, 13.0];
/// Values tried for each weight.
const VALUES: [f32; 13] = [0.0, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0];
/// Weights searched, as indices into [`aisle::rank::Features::WEIGHTS`].
const SEARCHED: [usize; 4] = [0, 2, 4, 5];

/// What the fit did.
#[derive(Clone, Debug, Serialize)]
pub struct FitReport {
    pub validation_sessions: usize,
    pub validation_targets: usize,
    pub validation_mrr_default: f64,
    pub validation_mrr_fitted: f64,
    pub weights: Vec<(String, f32)>,
    pub recency_half_life: f32,
    /// Why the defaults were kept, when they were.
    pub kept_defaults: Option<String>,
}

/// Products of a grid that share one feature vector: they score alike whatever the weights,
/// so a case is scored once per distinct vector instead of once per product (a grid of
/// hundreds of products has a few dozen distinct vectors).
struct Group {
    features: [f32; 6],
    /// Products with these features.
    count: u32,
    /// Of those, how many come before the target in the shop's order (they win ties).
    before_target: u32,
}

/// One validation target: its own features and its grid's, grouped.
struct Case {
    target: [f32; 6],
    groups: Vec<Group>,
}

impl Case {
    /// `grid` holds each grid product's features in the shop's order; `target` is the
    /// target's position in it.
    fn new(grid: &[[f32; 6]], target: usize) -> Case {
        let mut index: HashMap<[u32; 6], usize> = HashMap::new();
        let mut groups: Vec<Group> = Vec::new();
        for (position, features) in grid.iter().enumerate() {
            if position == target {
                continue;
            }
            let group = *index.entry(features.map(f32::to_bits)).or_insert_with(|| {
                groups.push(Group { features: *features, count: 0, before_target: 0 });
                groups.len() - 1
            });
            groups[group].count += 1;
            groups[group].before_target += u32::from(position < target);
        }
        Case { target: grid[target], groups }
    }

    /// The target's 1-based rank under `weights`, exactly as
    /// [`crate::evaluate::protocol::rank_of`] gives it on the whole grid.
    fn rank(&self, weights: &[f32; 6]) -> u32 {
        let mine = rank_key(score(&self.target, weights));
        let mut rank = 1;
        for group in &self.groups {
            let theirs = rank_key(score(&group.features, weights));
            if theirs > mine {
                rank += group.count;
            } else if theirs == mine {
                rank += group.before_target;
            }
        }
        rank
    }
}

/// The score of one feature vector, summed in the same order as before grouping, so the
/// fitted weights do not change by a rounding.
fn score(features: &[f32; 6], weights: &[f32; 6]) -> f32 {
    features.iter().zip(weights).map(|(a, b)| a * b).sum::<f32>()
}

fn mrr(cases: &[Case], weights: &[f32; 6]) -> f64 {
    let total: f64 = cases.iter().map(|case| 1.0 / case.rank(weights) as f64).sum();
    total / cases.len().max(1) as f64
}

fn set(weights: &mut ScoringWeights, array: [f32; 6]) {
    weights.popularity = array[0];
    weights.category = array[1];
    weights.brand = array[2];
    weights.neighbour = array[3];
    weights.price = array[4];
    weights.seen = array[5];
}

/// The validation split of the training sessions: the same cut as
/// [`crate::evaluate::protocol::time_split`], read in passes.
struct ValidationSplit {
    /// Sessions that end before it train, sessions that start at or after it validate.
    cut_ms: u64,
    /// Training sessions.
    train_count: usize,
    /// Validation sessions.
    test_count: usize,
    /// The newest event of the training sessions.
    now_ms: u64,
    /// Product interactions per catalog index in the training sessions (the shop's order).
    counts: Vec<u64>,
    /// Validation targets in all validation sessions.
    target_count: usize,
}

impl ValidationSplit {
    fn new(products: &[Product], sessions: &dyn SessionSource) -> anyhow::Result<ValidationSplit> {
        // Sessions come in start order, so the cut is the start of session number `at`.
        let at = ((sessions.count() as f64) * (1.0 - VALIDATION_FRACTION)).floor() as usize;
        let mut cut_ms = u64::MAX;
        let mut number = 0;
        let mut previous_start = 0;
        let mut unordered = false;
        sessions.for_each(&mut |session| {
            unordered |= session.start_ms() < previous_start;
            previous_start = session.start_ms();
            if number == at {
                cut_ms = session.start_ms();
            }
            number += 1;
        })?;
        if unordered {
            bail!("the sessions to fit the weights on are not in start order (a bug in aisle)");
        }
        let index = index_by_id(products);
        let mut split = ValidationSplit { cut_ms, train_count: 0, test_count: 0, now_ms: 0, counts: vec![0; products.len()], target_count: 0 };
        let mut stats = TargetStats::default();
        sessions.for_each(&mut |session| {
            if session.end_ms() < cut_ms {
                split.train_count += 1;
                split.now_ms = split.now_ms.max(session.end_ms());
                count_product_interactions(&index, session, &mut split.counts);
            } else if session.start_ms() >= cut_ms {
                split.test_count += 1;
                session_targets(&index, session, &mut stats, |_, _| split.target_count += 1);
            }
        })?;
        Ok(split)
    }

    fn is_train(&self, session: &Session) -> bool {
        session.end_ms() < self.cut_ms
    }

    fn is_test(&self, session: &Session) -> bool {
        session.start_ms() >= self.cut_ms
    }
}

/// The validation targets, evenly spaced when there are more than [`MAX_VALIDATION_TARGETS`],
/// and the validation sessions they belong to (their `session` indexes these).
fn validation_targets(products: &[Product], sessions: &dyn SessionSource, split: &ValidationSplit) -> anyhow::Result<(Vec<Session>, Vec<Target>)> {
    let wanted: Vec<usize> = if split.target_count > MAX_VALIDATION_TARGETS {
        let stride = split.target_count as f64 / MAX_VALIDATION_TARGETS as f64;
        (0..MAX_VALIDATION_TARGETS).map(|i| (i as f64 * stride) as usize).collect()
    } else {
        (0..split.target_count).collect()
    };
    let index = index_by_id(products);
    let mut kept: Vec<Session> = Vec::new();
    let mut targets = Vec::with_capacity(wanted.len());
    let mut number = 0;
    let mut stats = TargetStats::default();
    sessions.for_each(&mut |session| {
        if !split.is_test(session) {
            return;
        }
        let mut keep = false;
        session_targets(&index, session, &mut stats, |prefix_len, product| {
            if wanted.get(targets.len()) == Some(&number) {
                targets.push(Target { session: kept.len(), prefix_len, product });
                keep = true;
            }
            number += 1;
        });
        if keep {
            kept.push(session.clone());
        }
    })?;
    Ok((kept, targets))
}

/// Chooses scoring weights from `sessions` (the training sessions only).
pub fn fit(products: &[Product], sessions: &dyn SessionSource, config: &TrainConfig) -> anyhow::Result<(ScoringWeights, FitReport)> {
    let defaults = config.weights.clone();
    let split = ValidationSplit::new(products, sessions)?;
    let (validation_sessions, validation) = validation_targets(products, sessions, &split)?;
    let shop = Shop::from_counts(products, index_by_id(products), &split.counts);
    let mut report = FitReport {
        validation_sessions: split.test_count,
        validation_targets: validation.len(),
        validation_mrr_default: 0.0,
        validation_mrr_fitted: 0.0,
        weights: Vec::new(),
        recency_half_life: defaults.recency_half_life,
        kept_defaults: None,
    };
    let mut best: Option<(f64, ScoringWeights)> = None;
    if validation.len() >= MIN_VALIDATION_TARGETS {
        let train_sessions = FilteredSessions { source: sessions, keep: |s: &Session| split.is_train(s), count: split.train_count };
        let trained = train(products, &train_sessions, split.now_ms, config)?;
        // Drawn on stderr only when it is a terminal.
        let progress = indicatif::ProgressBar::new(HALF_LIVES.len() as u64);
        progress.set_style(indicatif::ProgressStyle::with_template("fitting weights {bar:40} {pos}/{len} {eta}").expect("the template is valid"));
        let mut grid_features: Vec<[f32; 6]> = Vec::new();
        for half_life in HALF_LIVES {
            progress.inc(1);
            let mut weights = ScoringWeights { recency_half_life: half_life, ..defaults.clone() };
            let Ok(model) = Model::from_wire(aisle::bundle::BundleWire { weights: weights.clone(), ..trained.clone() }) else { continue };
            let bundle = Bundle::new(&model, &shop);
            let cases: Vec<Case> = validation
                .iter()
                .map(|target| {
                    let context = bundle.context(&validation_sessions[target.session].interactions[..target.prefix_len]);
                    let grid = shop.grid_of(target.product);
                    grid_features.clear();
                    grid_features.extend(
                        grid.iter().map(|&p| bundle.model_index[p as usize].map_or([0.0; 6], |i| features(&model, &context, i).to_array())),
                    );
                    Case::new(&grid_features, grid.iter().position(|&p| p == target.product).expect("the grid holds the target"))
                })
                .collect();
            let mut array = weight_array(&weights);
            array[3] = 1.0;
            if half_life == defaults.recency_half_life {
                report.validation_mrr_default = mrr(&cases, &weight_array(&defaults));
            }
            let mut current = mrr(&cases, &array);
            for _round in 0..3 {
                let mut improved = false;
                for &dimension in &SEARCHED {
                    for value in VALUES {
                        let mut candidate = array;
                        candidate[dimension] = value;
                        let value_mrr = mrr(&cases, &candidate);
                        if value_mrr > current + 1e-12 {
                            current = value_mrr;
                            array = candidate;
                            improved = true;
                        }
                    }
                }
                if !improved {
                    break;
                }
            }
            set(&mut weights, array);
            if best.as_ref().is_none_or(|(score, _)| current > *score + 1e-12) {
                best = Some((current, weights));
            }
        }
        progress.finish_and_clear();
    }
    let weights = match best {
        Some((score, weights)) if score > report.validation_mrr_default => {
            report.validation_mrr_fitted = score;
            weights
        }
        Some(_) => {
            report.kept_defaults = Some("no weights did better than the defaults on validation".into());
            report.validation_mrr_fitted = report.validation_mrr_default;
            defaults
        }
        None => {
            report.kept_defaults =
                Some(format!("{} validation targets, fewer than {MIN_VALIDATION_TARGETS}", validation.len()));
            defaults
        }
    };
    report.weights = aisle::rank::Features::WEIGHTS.iter().map(|n| n.to_string()).zip(weight_array(&weights)).collect();
    report.recency_half_life = weights.recency_half_life;
    Ok((weights, report))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluate::protocol::rank_of;

    /// Grouping a grid by feature vector gives the rank scoring every product gives.
    #[test]
    fn grouped_ranks_equal_ranks_over_the_whole_grid() {
        let grid: Vec<[f32; 6]> = (0..40)
            .map(|i| [(i % 4) as f32 * 0.25, 1.0, (i % 2) as f32, if i % 7 == 0 { 0.5 } else { 0.0 }, (i % 3) as f32 * 0.1, if i == 13 { f32::NAN } else { 0.0 }])
            .collect();
        let weight_sets = [[1.0, 0.3, 0.2, 1.0, 0.1, 0.5], [0.0; 6], [5.0, 0.0, 0.0, 1.0, 0.0, 0.0], [0.02, 1.0, 3.0, 1.0, 2.0, 0.0]];
        for weights in weight_sets {
            let scores: Vec<f32> = grid.iter().map(|f| score(f, &weights)).collect();
            for target in 0..grid.len() {
                assert_eq!(Case::new(&grid, target).rank(&weights) as usize, rank_of(&scores, target), "target {target}, weights {weights:?}");
            }
        }
    }
}
