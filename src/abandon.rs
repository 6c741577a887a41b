//! Cart-abandon risk: the model stored in the bundle and the scoring of a live cart.
//!
//! This first version holds a standardized logistic regression; `aisle build` fits it.
#![forbid(unsafe_code)]

use alloc::string::String;
use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

use crate::bundle::BundleError;

/// The abandon model as stored in the bundle.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AbandonModelWire {
    /// Feature names, in the order of the arrays below.
    pub feature_names: Vec<String>,
    /// Per feature: mean subtracted before scaling.
    pub means: Vec<f32>,
    /// Per feature: divisor after centering.
    pub scales: Vec<f32>,
    /// Per feature: logistic coefficient on the standardized value.
    pub coefficients: Vec<f32>,
    /// Logistic intercept.
    pub intercept: f32,
    /// Suggested delay before a nudge when the visitor has no return pattern of their own.
    pub default_nudge_delay_ms: u64,
}

/// The validated abandon model.
#[derive(Clone, Debug, PartialEq)]
pub struct AbandonModel {
    wire: AbandonModelWire,
}

impl AbandonModel {
    /// Checks that the arrays agree and every number is finite.
    pub fn from_wire(wire: AbandonModelWire) -> Result<AbandonModel, BundleError> {
        let n = wire.feature_names.len();
        if wire.means.len() != n || wire.scales.len() != n || wire.coefficients.len() != n {
            return Err(BundleError::Malformed("abandon model arrays disagree in length"));
        }
        let numbers = wire.means.iter().chain(&wire.scales).chain(&wire.coefficients).chain(core::iter::once(&wire.intercept));
        if numbers.clone().any(|v| !v.is_finite()) || wire.scales.iter().any(|&s| s == 0.0) {
            return Err(BundleError::Malformed("abandon model numbers are not finite"));
        }
        Ok(AbandonModel { wire })
    }

    /// The stored form.
    pub fn wire(&self) -> &AbandonModelWire {
        &self.wire
    }
}
