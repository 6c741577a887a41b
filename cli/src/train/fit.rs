//! Fitting the scoring weights on a validation split.
//!
//! The training sessions are split once more by time: the model is trained on the earlier
//! part and the weights are chosen to maximise the grid MRR (see `crate::evaluate`) on the
//! later part. Test sessions never reach this module. The score is linear in its features
//! for a given recency half-life, so features are computed once per half-life and the
//! weights searched by coordinate ascent over a fixed grid of values; the neighbour weight
//! stays 1 because only ratios matter. The category weight cannot be fitted on category
//! grids (all products share the category) and keeps its default.
use aisle::bundle::{Model, ScoringWeights};
use aisle::rank::{features, weight_array};
use serde::Serialize;

use super::{train, TrainConfig};
use crate::catalog::Product;
use crate::evaluate::methods::Bundle;
use crate::evaluate::protocol::{rank_of, targets, time_split, Shop};
use crate::event_log::Session;

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

/// One validation target: the features of each grid product and where the target sits.
struct Case {
    features: Vec<[f32; 6]>,
    target: usize,
}

fn mrr(cases: &[Case], weights: &[f32; 6], scores: &mut Vec<f32>) -> f64 {
    let total: f64 = cases
        .iter()
        .map(|case| {
            scores.clear();
            scores.extend(case.features.iter().map(|f| f.iter().zip(weights).map(|(a, b)| a * b).sum::<f32>()));
            1.0 / rank_of(scores, case.target) as f64
        })
        .sum();
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

/// Chooses scoring weights from `sessions` (the training sessions only).
pub fn fit(products: &[Product], sessions: &[Session], config: &TrainConfig) -> (ScoringWeights, FitReport) {
    let defaults = config.weights.clone();
    let split = time_split(sessions, VALIDATION_FRACTION);
    let shop = Shop::new(products, &split.train);
    let seen = vec![true; products.len()];
    let (mut validation, _) = targets(&shop, &split.test, &seen);
    if validation.len() > MAX_VALIDATION_TARGETS {
        let stride = validation.len() as f64 / MAX_VALIDATION_TARGETS as f64;
        validation = (0..MAX_VALIDATION_TARGETS).map(|i| validation[(i as f64 * stride) as usize].clone()).collect();
    }
    let mut report = FitReport {
        validation_sessions: split.test.len(),
        validation_targets: validation.len(),
        validation_mrr_default: 0.0,
        validation_mrr_fitted: 0.0,
        weights: Vec::new(),
        recency_half_life: defaults.recency_half_life,
        kept_defaults: None,
    };
    let now_ms = split.train.iter().filter_map(|s| s.interactions.last()).map(|i| i.ts).max().unwrap_or(0);
    let mut best: Option<(f64, ScoringWeights)> = None;
    let mut scores = Vec::new();
    if validation.len() >= MIN_VALIDATION_TARGETS {
        // Drawn on stderr only when it is a terminal.
        let progress = indicatif::ProgressBar::new(HALF_LIVES.len() as u64);
        progress.set_style(indicatif::ProgressStyle::with_template("fitting weights {bar:40} {pos}/{len} {eta}").expect("the template is valid"));
        for half_life in HALF_LIVES {
            progress.inc(1);
            let mut weights = ScoringWeights { recency_half_life: half_life, ..defaults.clone() };
            let wire = train(products, &split.train, now_ms, &TrainConfig { weights: weights.clone(), ..config.clone() });
            let Ok(model) = Model::from_wire(wire) else { continue };
            let bundle = Bundle::new(&model, &shop);
            let cases: Vec<Case> = validation
                .iter()
                .map(|target| {
                    let context = bundle.context(&split.test[target.session].interactions[..target.prefix_len]);
                    let grid = shop.grid_of(target.product);
                    Case {
                        features: grid
                            .iter()
                            .map(|&p| bundle.model_index[p as usize].map_or([0.0; 6], |i| features(&model, &context, i).to_array()))
                            .collect(),
                        target: grid.iter().position(|&p| p == target.product).expect("the grid holds the target"),
                    }
                })
                .collect();
            let mut array = weight_array(&weights);
            array[3] = 1.0;
            if half_life == defaults.recency_half_life {
                report.validation_mrr_default = mrr(&cases, &weight_array(&defaults), &mut scores);
            }
            let mut current = mrr(&cases, &array, &mut scores);
            for _round in 0..3 {
                let mut improved = false;
                for &dimension in &SEARCHED {
                    for value in VALUES {
                        let mut candidate = array;
                        candidate[dimension] = value;
                        let value_mrr = mrr(&cases, &candidate, &mut scores);
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
    (weights, report)
}
