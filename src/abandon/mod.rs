//! Cart-abandon risk: the model stored in the bundle and the scoring of a live cart.
//!
//! `features` turns the shopper's history into numbers, `nudge` picks when to remind, and this
//! module holds the model: a logistic regression on standardized, clipped features, followed
//! by a Platt calibration, fitted by `aisle build`. Scoring never allocates strings, never
//! panics and never returns NaN; an empty cart is not scored at all.
#![forbid(unsafe_code)]

pub mod features;
pub mod nudge;

use alloc::string::String;
use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

use crate::bundle::{BundleError, Model};
use crate::history::History;

pub use features::{AbandonFeatures, Feature, FEATURE_COUNT};

/// Standardized feature values are clipped to ±this, so one absurd input cannot swamp the rest.
pub const STANDARDIZED_CLIP: f32 = 5.0;
/// How many reasons a score names at most.
pub const MAX_REASONS: usize = 3;

/// The abandon model as stored in the bundle.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AbandonModelWire {
    /// Feature names (see [`Feature::name`]), in the order of the arrays below.
    pub feature_names: Vec<String>,
    /// Per feature: mean subtracted before scaling.
    pub means: Vec<f32>,
    /// Per feature: divisor after centering.
    pub scales: Vec<f32>,
    /// Per feature: logistic coefficient on the standardized value.
    pub coefficients: Vec<f32>,
    /// Logistic intercept.
    pub intercept: f32,
    /// Platt calibration: the probability is `sigmoid(slope * logit + intercept)`.
    pub calibration_slope: f32,
    /// Platt calibration intercept (see `calibration_slope`).
    pub calibration_intercept: f32,
    /// Share of training scoring moments whose session ended without a purchase.
    pub base_rate: f32,
    /// Suggested delay before a nudge when the visitor has no return pattern of their own.
    pub default_nudge_delay_ms: u64,
}

/// The validated abandon model.
#[derive(Clone, Debug, PartialEq)]
pub struct AbandonModel {
    wire: AbandonModelWire,
    features: Vec<Feature>,
}

/// The risk that a cart is abandoned, with why and when to nudge.
#[derive(Clone, Debug, PartialEq)]
pub struct AbandonScore {
    /// Calibrated probability, 0..=1, that the session ends without a purchase.
    pub probability: f32,
    /// Up to [`MAX_REASONS`] feature names that raise the risk most compared with an average
    /// cart, strongest first. Empty when nothing raises it.
    pub reasons: Vec<&'static str>,
    /// Suggested wait before a reminder, in milliseconds.
    pub nudge_delay_ms: u64,
}

impl AbandonModel {
    /// Checks that the arrays agree, every name is a known feature (once), and every number
    /// is finite with positive scales.
    pub fn from_wire(wire: AbandonModelWire) -> Result<AbandonModel, BundleError> {
        let n = wire.feature_names.len();
        if wire.means.len() != n || wire.scales.len() != n || wire.coefficients.len() != n {
            return Err(BundleError::Malformed(
                "abandon model arrays disagree in length",
            ));
        }
        let scalars = [
            wire.intercept,
            wire.calibration_slope,
            wire.calibration_intercept,
            wire.base_rate,
        ];
        let finite = [&wire.means[..], &wire.scales, &wire.coefficients, &scalars]
            .iter()
            .all(|values| crate::bundle::all_finite(values));
        if !finite {
            return Err(BundleError::Malformed(
                "abandon model numbers are not finite",
            ));
        }
        if wire.scales.iter().any(|&s| s <= 0.0) {
            return Err(BundleError::Malformed(
                "abandon model scales must be positive",
            ));
        }
        let mut features = Vec::with_capacity(n);
        for name in &wire.feature_names {
            let feature = Feature::from_name(name).ok_or(BundleError::Malformed(
                "abandon model names an unknown feature",
            ))?;
            if features.contains(&feature) {
                return Err(BundleError::Malformed(
                    "abandon model names a feature twice",
                ));
            }
            features.push(feature);
        }
        Ok(AbandonModel { wire, features })
    }

    /// The stored form.
    pub fn wire(&self) -> &AbandonModelWire {
        &self.wire
    }

    /// The features the model reads, in stored order.
    pub fn features(&self) -> &[Feature] {
        &self.features
    }

    /// Scores a cart; `None` (withheld) when the cart is empty.
    pub fn score(&self, features: &AbandonFeatures) -> Option<AbandonScore> {
        if features.cart_lines() == 0 {
            return None;
        }
        let mut reasons: [(f32, Option<Feature>); MAX_REASONS] = [(0.0, None); MAX_REASONS];
        for (i, &feature) in self.features.iter().enumerate() {
            let contribution = self.contribution(i, features);
            // Keep the largest positive contributions, strongest first.
            let mut slot = MAX_REASONS;
            while slot > 0 && contribution > reasons[slot - 1].0 {
                slot -= 1;
            }
            if slot < MAX_REASONS {
                reasons.copy_within(slot..MAX_REASONS - 1, slot + 1);
                reasons[slot] = (contribution, Some(feature));
            }
        }
        Some(AbandonScore {
            probability: self.probability(features),
            reasons: reasons
                .iter()
                .filter_map(|(_, f)| f.map(Feature::name))
                .collect(),
            nudge_delay_ms: nudge::nudge_delay_ms(
                features.own_return_gap_ms(),
                self.wire.default_nudge_delay_ms,
            ),
        })
    }

    /// The calibrated probability for any features, cart or not (training tools use it on
    /// carts and on view-only sessions alike). Always finite, in 0..=1.
    pub fn probability(&self, features: &AbandonFeatures) -> f32 {
        let logit = self.logit(features);
        sigmoid(self.wire.calibration_slope * logit + self.wire.calibration_intercept)
    }

    /// The uncalibrated logit: intercept plus every contribution.
    pub fn logit(&self, features: &AbandonFeatures) -> f32 {
        let sum = (0..self.features.len())
            .map(|i| self.contribution(i, features))
            .sum::<f32>();
        let logit = self.wire.intercept + sum;
        if logit.is_finite() {
            logit
        } else {
            0.0
        }
    }

    fn contribution(&self, i: usize, features: &AbandonFeatures) -> f32 {
        let value = features.get(self.features[i]);
        self.wire.coefficients[i] * standardize(value, self.wire.means[i], self.wire.scales[i])
    }
}

/// Scores the shopper's cart against the bundle's abandon model: the one call the browser
/// makes on every cart change and when the page is hidden. `None` when the bundle has no
/// abandon model or the cart is empty. See [`AbandonFeatures::from_history`] for the clock
/// arguments.
pub fn score_cart(
    model: &Model,
    history: &History,
    now_ms: u64,
    local_hour: u8,
    weekday: u8,
) -> Option<AbandonScore> {
    let abandon = model.abandon.as_ref()?;
    // Most shoppers leave a page with an empty cart: nothing to score, no features to build
    // (the page scores the cart each time it is hidden).
    if history.cart().is_empty() {
        return None;
    }
    abandon.score(&AbandonFeatures::from_history(
        history,
        Some(model),
        now_ms,
        local_hour,
        weekday,
    ))
}

/// Centers and scales one value, clipped to ±[`STANDARDIZED_CLIP`]; NaN becomes 0. Training
/// uses this same function, so the model sees identical inputs in both places.
pub fn standardize(value: f32, mean: f32, scale: f32) -> f32 {
    let z = (value - mean) / scale;
    if z.is_nan() {
        0.0
    } else {
        z.clamp(-STANDARDIZED_CLIP, STANDARDIZED_CLIP)
    }
}

/// The logistic function, finite for every input (NaN maps to 0.5).
pub fn sigmoid(x: f32) -> f32 {
    if x.is_nan() {
        return 0.5;
    }
    let x = x.clamp(-40.0, 40.0);
    1.0 / (1.0 + (-x).exp())
}

#[cfg(test)]
mod tests;
