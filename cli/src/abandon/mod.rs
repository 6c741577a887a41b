//! Training and offline evaluation of the cart-abandon model (see `docs/abandon.md`).
//!
//! `moments` replays past events into scoring moments with labels, `logistic` fits the model
//! and its calibration, `metrics` scores predictions, `datasets` reads the public data and
//! `evaluate` is the `aisle evaluate-abandon` subcommand. `sample` keeps a bounded sample of
//! cart sessions so that `aisle build` trains ([`train_on_sample`]) in bounded memory;
//! [`train_abandon_model`] does the same for events in memory.
pub mod datasets;
pub mod evaluate;
pub mod logistic;
pub mod metrics;
pub mod moments;
pub mod sample;

use aisle::abandon::{standardize, AbandonModel, AbandonModelWire, Feature};
use aisle::bundle::Model;
use aisle::events::Event;
use anyhow::{bail, Result};

use moments::{Replay, ReplayConfig};
use sample::AbandonSample;

/// Nudge delay used when the data shows fewer than two returns (24 hours).
pub const FALLBACK_NUDGE_DELAY_MS: u64 = 24 * 60 * 60 * 1000;

/// Every feature a cart model may use.
pub const CART_FEATURES: [Feature; aisle::abandon::FEATURE_COUNT] = Feature::ALL;

/// Features that exist without a cart, for purchase intent on view-only data.
pub const VIEW_FEATURES: [Feature; 7] = [
    Feature::SessionViews,
    Feature::SessionDistinctProducts,
    Feature::SessionCategories,
    Feature::SessionMinutes,
    Feature::ReturningVisitor,
    Feature::PreviousPurchase,
    Feature::Weekend,
];

/// How to train.
#[derive(Clone, Debug)]
pub struct AbandonTrainingConfig {
    /// How events become scoring moments.
    pub replay: ReplayConfig,
    /// Features the model may use (constant ones are dropped).
    pub features: Vec<Feature>,
    /// L2 penalty on the standardized coefficients (the sum of log losses is minimized).
    pub l2: f64,
    /// Share of the newest training sessions held out to fit the Platt calibration; 0 fits
    /// the regression on everything and keeps the identity calibration.
    pub calibration_share: f64,
    /// Below this many sessions in the calibration part, calibrating costs more than it
    /// brings: the regression is fitted on every session and keeps the identity calibration
    /// (a log-loss fit is calibrated on its own training data).
    pub min_calibration_sessions: usize,
    /// Penalty pulling the calibration toward the identity (slope 1, intercept 0).
    pub calibration_prior: f64,
    /// Fewer usable sessions than this is an error: no model is better than a noisy one.
    pub min_sessions: usize,
    /// Leave out sessions whose last event is less than one idle period before the end of
    /// the data: their carts may still have been bought.
    pub drop_open_sessions: bool,
    /// At most this many sessions with scoring moments train the model, a deterministic
    /// sample (see `sample`) when the data has more: about 7 moments each, enough for the
    /// 17 coefficients, and memory no longer grows with the log.
    pub max_sessions: usize,
}

impl Default for AbandonTrainingConfig {
    fn default() -> Self {
        AbandonTrainingConfig {
            replay: ReplayConfig::default(),
            features: CART_FEATURES.to_vec(),
            l2: 1.0,
            calibration_share: 0.3,
            min_calibration_sessions: 200,
            calibration_prior: 2.0,
            min_sessions: 20,
            drop_open_sessions: true,
            max_sessions: 25_000,
        }
    }
}

/// What training saw and fitted, for the operator.
#[derive(Clone, Debug, Default)]
pub struct TrainingReport {
    /// Sessions with at least one scoring moment in the data, before sampling.
    pub sessions_in_data: usize,
    /// Sessions with at least one scoring moment that were used.
    pub sessions: usize,
    /// Of those, ended without a purchase after their last moment.
    pub abandoned_sessions: usize,
    /// Scoring moments used.
    pub moments: usize,
    /// Sessions that fitted the regression / the calibration.
    pub fit_sessions: usize,
    pub calibration_sessions: usize,
    /// Sessions left out because the data may have cut them off.
    pub dropped_open_sessions: usize,
    /// Features left out because they never varied in the training data.
    pub dropped_constant_features: Vec<&'static str>,
    /// The fitted model.
    pub model: AbandonModelWire,
}

/// Learns the abandon model from past events. `catalog` is the bundle being built (or any
/// model with the same products): its categories and price bands feed the features exactly
/// as the browser will compute them. Fails when there are too few usable cart sessions.
pub fn train_abandon_model(
    events: &[Event],
    catalog: Option<&Model>,
    config: &AbandonTrainingConfig,
) -> Result<(AbandonModelWire, TrainingReport)> {
    let mut sample = AbandonSample::new(config);
    for (visitor, actions) in moments::actions_by_visitor(events) {
        sample.add_visitor(visitor, &actions, catalog, &config.replay);
    }
    train_on_sample(
        sample,
        events.iter().map(|e| e.ts).max().unwrap_or(0),
        config,
    )
}

/// Learns the abandon model from the sampled sessions; `data_end_ms` is the newest event of
/// the data (sessions that end less than one idle period before it may still be open).
pub fn train_on_sample(
    sample: AbandonSample,
    data_end_ms: u64,
    config: &AbandonTrainingConfig,
) -> Result<(AbandonModelWire, TrainingReport)> {
    let sessions_in_data = sample.sessions_offered();
    let replay = sample.into_replay(data_end_ms, &config.replay);
    let (sessions, dropped) = usable_sessions(&replay, config.drop_open_sessions);
    let (wire, mut report) = fit_on_sessions(&replay, &sessions, config)?;
    report.dropped_open_sessions = dropped;
    report.sessions_in_data = sessions_in_data;
    Ok((wire, report))
}

/// Sessions with scoring moments, oldest first, and how many were dropped as maybe open.
pub fn usable_sessions(replay: &Replay, drop_open_sessions: bool) -> (Vec<usize>, usize) {
    let mut with_moments = vec![false; replay.sessions.len()];
    for moment in &replay.moments {
        with_moments[moment.session] = true;
    }
    let mut sessions: Vec<usize> = (0..replay.sessions.len())
        .filter(|&s| with_moments[s])
        .collect();
    let before = sessions.len();
    if drop_open_sessions {
        sessions.retain(|&s| !replay.sessions[s].maybe_open);
    }
    let dropped = before - sessions.len();
    sessions.sort_by_key(|&s| (replay.sessions[s].started_ms, s));
    (sessions, dropped)
}

/// Fits the model on the moments of `sessions` (oldest first): the regression on the older
/// part, the calibration on the newest `calibration_share` of them when that part holds at
/// least `min_calibration_sessions`, otherwise the regression on all of them.
pub fn fit_on_sessions(
    replay: &Replay,
    sessions: &[usize],
    config: &AbandonTrainingConfig,
) -> Result<(AbandonModelWire, TrainingReport)> {
    if sessions.len() < config.min_sessions {
        bail!(
            "only {} usable sessions with a cart, at least {} are needed to learn an abandon model",
            sessions.len(),
            config.min_sessions
        );
    }
    let mut calibration_count = ((sessions.len() as f64 * config.calibration_share.clamp(0.0, 0.9))
        .round() as usize)
        .min(sessions.len());
    if calibration_count < config.min_calibration_sessions {
        calibration_count = 0;
    }
    let (fit_sessions, calibration_sessions) =
        sessions.split_at(sessions.len() - calibration_count);
    let fit_moments = moments_of(replay, fit_sessions);
    let labels: Vec<bool> = fit_moments
        .iter()
        .map(|&m| replay.moments[m].abandoned)
        .collect();
    if labels.iter().all(|&l| l) || labels.iter().all(|&l| !l) {
        bail!("every training session has the same outcome; an abandon model needs both abandoned and bought carts");
    }

    // Standardize on the fitting part; drop features that never vary there.
    let mut features = Vec::new();
    let mut means = Vec::new();
    let mut scales = Vec::new();
    let mut dropped_constant_features = Vec::new();
    for &feature in &config.features {
        let values: Vec<f64> = fit_moments
            .iter()
            .map(|&m| f64::from(replay.moments[m].features.get(feature)))
            .collect();
        let mean = values.iter().sum::<f64>() / values.len() as f64;
        let variance = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / values.len() as f64;
        if variance.sqrt() < 1e-6 {
            dropped_constant_features.push(feature.name());
            continue;
        }
        features.push(feature);
        means.push(mean as f32);
        scales.push(variance.sqrt() as f32);
    }
    let rows: Vec<Vec<f64>> = fit_moments
        .iter()
        .map(|&m| {
            let values = &replay.moments[m].features;
            let standardized = features
                .iter()
                .zip(means.iter().zip(&scales))
                .map(|(&f, (&mean, &scale))| f64::from(standardize(values.get(f), mean, scale)));
            std::iter::once(1.0).chain(standardized).collect()
        })
        .collect();
    let mut penalty = vec![config.l2; features.len() + 1];
    penalty[0] = 0.0;
    let beta = logistic::fit(&rows, &labels, &penalty, &vec![0.0; features.len() + 1]);

    let mut wire = AbandonModelWire {
        feature_names: features.iter().map(|f| f.name().to_string()).collect(),
        means,
        scales,
        coefficients: beta[1..].iter().map(|&b| b as f32).collect(),
        intercept: beta[0] as f32,
        calibration_slope: 1.0,
        calibration_intercept: 0.0,
        base_rate: (labels.iter().filter(|&&l| l).count() as f64 / labels.len() as f64) as f32,
        default_nudge_delay_ms: population_nudge_delay_ms(&replay.return_gaps_ms),
    };
    if !calibration_sessions.is_empty() {
        let model = AbandonModel::from_wire(wire.clone())?;
        let calibration_moments = moments_of(replay, calibration_sessions);
        let rows: Vec<Vec<f64>> = calibration_moments
            .iter()
            .map(|&m| vec![1.0, f64::from(model.logit(&replay.moments[m].features))])
            .collect();
        let labels: Vec<bool> = calibration_moments
            .iter()
            .map(|&m| replay.moments[m].abandoned)
            .collect();
        let prior = config.calibration_prior;
        let platt = logistic::fit(&rows, &labels, &[prior, prior], &[0.0, 1.0]);
        wire.calibration_intercept = platt[0] as f32;
        wire.calibration_slope = platt[1] as f32;
    }
    // The core validates what it will load; a model it would refuse must not be shipped.
    AbandonModel::from_wire(wire.clone())?;

    let all_moments = moments_of(replay, sessions);
    let report = TrainingReport {
        sessions_in_data: sessions.len(),
        sessions: sessions.len(),
        abandoned_sessions: count_abandoned(replay, sessions),
        moments: all_moments.len(),
        fit_sessions: fit_sessions.len(),
        calibration_sessions: calibration_sessions.len(),
        dropped_open_sessions: 0,
        dropped_constant_features,
        model: wire.clone(),
    };
    Ok((wire, report))
}

/// Indices of the moments of the given sessions, in replay order.
pub fn moments_of(replay: &Replay, sessions: &[usize]) -> Vec<usize> {
    let mut wanted = vec![false; replay.sessions.len()];
    for &s in sessions {
        wanted[s] = true;
    }
    (0..replay.moments.len())
        .filter(|&m| wanted[replay.moments[m].session])
        .collect()
}

/// How many of `sessions` ended abandoned: their last moment was not followed by a purchase.
/// One pass over the moments (looking up each session's last moment separately was
/// quadratic: 40% of a 1M-event build).
fn count_abandoned(replay: &Replay, sessions: &[usize]) -> usize {
    let mut last_abandoned = vec![false; replay.sessions.len()];
    for moment in &replay.moments {
        last_abandoned[moment.session] = moment.abandoned;
    }
    sessions.iter().filter(|&&s| last_abandoned[s]).count()
}

/// The median idle gap before any visitor's return, or [`FALLBACK_NUDGE_DELAY_MS`] with
/// fewer than two returns in the data.
pub fn population_nudge_delay_ms(gaps: &[u64]) -> u64 {
    aisle::abandon::features::median_of_at_least_two(gaps).unwrap_or(FALLBACK_NUDGE_DELAY_MS)
}

#[cfg(test)]
mod tests;
