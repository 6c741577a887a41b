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
use std::hash::BuildHasherDefault;
use std::ops::Range;

use aisle::bundle::{Model, ScoringWeights};
use aisle::rank::{features, weight_array, FEATURE_COUNT};
use anyhow::bail;
use serde::Serialize;

use super::{train, TrainConfig};
use crate::catalog::Product;
use crate::evaluate::methods::Bundle;
use crate::evaluate::protocol::{
    count_product_interactions, index_by_id, rank_key, session_targets, Shop, Target, TargetStats,
};
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
const VALUES: [f32; 13] = [
    0.0, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0,
];
/// Weights searched, as indices into [`aisle::rank::Features::WEIGHTS`]: popularity, brand,
/// price, seen, colour and size.
const SEARCHED: [usize; 6] = [0, 2, 4, 5, 6, 7];
/// One product's features (or the weights), in the order of [`aisle::rank::Features::WEIGHTS`].
type Vector = [f32; FEATURE_COUNT];

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

/// The validation targets of one half-life, ready to be scored under any weights.
///
/// Products of a grid that share one feature vector score alike whatever the weights, so
/// each grid is kept as its distinct vectors ("groups", about a third of its products) with
/// how many products have each. Groups are stored column by column, so that scoring them is a
/// loop over contiguous arrays the compiler vectorizes. Ranks are exactly those of
/// [`crate::evaluate::protocol::rank_of`] on the whole grid.
#[derive(Default)]
struct Cases {
    /// Per case: the target's features and the range of its grid's groups.
    cases: Vec<(Vector, Range<usize>)>,
    /// Per group: feature `k` is `columns[k][group]`.
    columns: [Vec<f32>; FEATURE_COUNT],
    /// Per group: products with these features.
    count: Vec<u32>,
    /// Per group: of those, how many come before the target in the shop's order (they win
    /// ties).
    before_target: Vec<u32>,
}

impl Cases {
    /// Adds a case: `grid` holds each grid product's features in the shop's order, `target`
    /// is the target's position in it.
    fn push(&mut self, grid: &[Vector], target: usize) {
        let first = self.count.len();
        let mut index: HashMap<[u32; FEATURE_COUNT], usize, BuildHasherDefault<FeatureHasher>> =
            HashMap::default();
        for (position, features) in grid.iter().enumerate() {
            if position == target {
                continue;
            }
            let group = *index.entry(features.map(f32::to_bits)).or_insert_with(|| {
                for (column, &value) in self.columns.iter_mut().zip(features) {
                    column.push(value);
                }
                self.count.push(0);
                self.before_target.push(0);
                self.count.len() - 1
            });
            self.count[group] += 1;
            self.before_target[group] += u32::from(position < target);
        }
        self.cases.push((grid[target], first..self.count.len()));
    }

    fn len(&self) -> usize {
        self.cases.len()
    }

    /// The 1-based rank of case `case`'s target under `weights`.
    fn rank(&self, case: usize, weights: &Vector) -> u32 {
        let (target, range) = &self.cases[case];
        let mine = rank_key(score(target, weights));
        let [c0, c1, c2, c3, c4, c5, c6, c7] =
            self.columns.each_ref().map(|column| &column[range.clone()]);
        let (count, before) = (
            &self.count[range.clone()],
            &self.before_target[range.clone()],
        );
        let [w0, w1, w2, w3, w4, w5, w6, w7] = *weights;
        let mut rank = 1;
        for j in 0..count.len() {
            // The terms in the order `score` adds them: the same rounding, the same ties.
            // Written without branches so that the loop is vectorized.
            let theirs = rank_key(
                -0.0 + c0[j] * w0
                    + c1[j] * w1
                    + c2[j] * w2
                    + c3[j] * w3
                    + c4[j] * w4
                    + c5[j] * w5
                    + c6[j] * w6
                    + c7[j] * w7,
            );
            rank += u32::from(theirs > mine) * count[j] + u32::from(theirs == mine) * before[j];
        }
        rank
    }

    /// The mean reciprocal rank of the targets under `weights`.
    fn mrr(&self, weights: &Vector) -> f64 {
        let total: f64 = (0..self.len())
            .map(|case| 1.0 / self.rank(case, weights) as f64)
            .sum();
        total / self.len().max(1) as f64
    }
}

/// A fast hash for feature vectors (their bits), seeded by nothing: the map it serves is
/// only looked up, never iterated, so its order cannot reach the bundle. The standard
/// library's SipHash took an eighth of a build.
#[derive(Default)]
struct FeatureHasher(u64);

impl std::hash::Hasher for FeatureHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word))
                .wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// The score of one feature vector: what `aisle::rank` computes, term by term.
fn score(features: &Vector, weights: &Vector) -> f32 {
    features
        .iter()
        .zip(weights)
        .map(|(a, b)| a * b)
        .sum::<f32>()
}

fn set(weights: &mut ScoringWeights, array: Vector) {
    weights.popularity = array[0];
    weights.category = array[1];
    weights.brand = array[2];
    weights.neighbour = array[3];
    weights.price = array[4];
    weights.seen = array[5];
    weights.color = array[6];
    weights.size = array[7];
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
        let mut split = ValidationSplit {
            cut_ms,
            train_count: 0,
            test_count: 0,
            now_ms: 0,
            counts: vec![0; products.len()],
            target_count: 0,
        };
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
fn validation_targets(
    products: &[Product],
    sessions: &dyn SessionSource,
    split: &ValidationSplit,
) -> anyhow::Result<(Vec<Session>, Vec<Target>)> {
    let wanted: Vec<usize> = if split.target_count > MAX_VALIDATION_TARGETS {
        let stride = split.target_count as f64 / MAX_VALIDATION_TARGETS as f64;
        (0..MAX_VALIDATION_TARGETS)
            .map(|i| (i as f64 * stride) as usize)
            .collect()
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
                targets.push(Target {
                    session: kept.len(),
                    prefix_len,
                    product,
                });
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
pub fn fit(
    products: &[Product],
    sessions: &dyn SessionSource,
    config: &TrainConfig,
) -> anyhow::Result<(ScoringWeights, FitReport)> {
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
        let train_sessions = FilteredSessions {
            source: sessions,
            keep: |s: &Session| split.is_train(s),
            count: split.train_count,
        };
        let trained = train(products, &train_sessions, split.now_ms, config)?;
        // Drawn on stderr only when it is a terminal.
        let progress = indicatif::ProgressBar::new(HALF_LIVES.len() as u64);
        progress.set_style(
            indicatif::ProgressStyle::with_template("fitting weights {bar:40} {pos}/{len} {eta}")
                .expect("the template is valid"),
        );
        let mut grid_features: Vec<Vector> = Vec::new();
        for half_life in HALF_LIVES {
            progress.inc(1);
            let mut weights = ScoringWeights {
                recency_half_life: half_life,
                ..defaults.clone()
            };
            let Ok(model) = Model::from_wire(aisle::bundle::BundleWire {
                weights: weights.clone(),
                ..trained.clone()
            }) else {
                continue;
            };
            let bundle = Bundle::new(&model, &shop);
            let mut cases = Cases::default();
            for target in &validation {
                let context = bundle.context(
                    &validation_sessions[target.session].interactions[..target.prefix_len],
                );
                let grid = shop.grid_of(target.product);
                grid_features.clear();
                grid_features.extend(grid.iter().map(|&p| {
                    bundle.model_index[p as usize].map_or([0.0; FEATURE_COUNT], |i| {
                        features(&model, &context, i).to_array()
                    })
                }));
                cases.push(
                    &grid_features,
                    grid.iter()
                        .position(|&p| p == target.product)
                        .expect("the grid holds the target"),
                );
            }
            let mut array = weight_array(&weights);
            array[3] = 1.0;
            if half_life == defaults.recency_half_life {
                report.validation_mrr_default = cases.mrr(&weight_array(&defaults));
            }
            let mut current = cases.mrr(&array);
            for _round in 0..3 {
                let mut improved = false;
                for &dimension in &SEARCHED {
                    for value in VALUES {
                        let mut candidate = array;
                        candidate[dimension] = value;
                        let value_mrr = cases.mrr(&candidate);
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
            if best
                .as_ref()
                .is_none_or(|(score, _)| current > *score + 1e-12)
            {
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
            report.kept_defaults =
                Some("no weights did better than the defaults on validation".into());
            report.validation_mrr_fitted = report.validation_mrr_default;
            defaults
        }
        None => {
            report.kept_defaults = Some(format!(
                "{} validation targets, fewer than {MIN_VALIDATION_TARGETS}",
                validation.len()
            ));
            defaults
        }
    };
    report.weights = aisle::rank::Features::WEIGHTS
        .iter()
        .map(|n| n.to_string())
        .zip(weight_array(&weights))
        .collect();
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
        let grid: Vec<Vector> = (0..40)
            .map(|i| {
                [
                    (i % 4) as f32 * 0.25,
                    1.0,
                    (i % 2) as f32,
                    if i % 7 == 0 { 0.5 } else { 0.0 },
                    (i % 3) as f32 * 0.1,
                    if i == 13 { f32::NAN } else { 0.0 },
                    (i % 5) as f32 * 0.2,
                    if i % 3 == 1 { 1.0 } else { 0.0 },
                ]
            })
            .collect();
        let mut cases = Cases::default();
        for target in 0..grid.len() {
            cases.push(&grid, target);
        }
        let weight_sets = [
            [1.0, 0.3, 0.2, 1.0, 0.1, 0.5, 0.3, 0.2],
            [0.0; FEATURE_COUNT],
            [5.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0],
            [0.02, 1.0, 3.0, 1.0, 2.0, 0.0, 1.5, 0.05],
        ];
        for weights in weight_sets {
            let scores: Vec<f32> = grid.iter().map(|f| score(f, &weights)).collect();
            for target in 0..grid.len() {
                assert_eq!(
                    cases.rank(target, &weights) as usize,
                    rank_of(&scores, target),
                    "target {target}, weights {weights:?}"
                );
            }
        }
    }
}
