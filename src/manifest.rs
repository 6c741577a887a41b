//! The manifest: the small JSON file (short cache time) that points at the content-hashed
//! bundle, carries the kill switch and the experiment settings.
#![forbid(unsafe_code)]

use alloc::string::String;
use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

/// The manifest version this build reads and writes.
pub const MANIFEST_VERSION: u32 = 1;

/// `manifest.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// [`MANIFEST_VERSION`].
    pub manifest_version: u32,
    /// Bundle file name or URL, resolved against the manifest's URL (`bundle-<hash>.bin`).
    pub bundle: String,
    /// Model version inside that bundle (shown before the bundle is fetched).
    pub model_version: String,
    /// When true, every visitor gets the shop's order and nothing is fetched beyond this file.
    #[serde(default)]
    pub kill_switch: bool,
    /// Running experiments. When the field is missing, [`default_experiment`] runs; an empty
    /// list means no experiment (everybody gets the personalized order).
    #[serde(default = "default_experiments")]
    pub experiments: Vec<ExperimentConfig>,
}

/// One experiment: a seed, its arms, and which visitors take part.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExperimentConfig {
    /// Experiment key, also the hash seed unless `seed` is set.
    pub key: String,
    /// Hash seed.
    #[serde(default)]
    pub seed: Option<String>,
    /// Hash version (GrowthBook's; 2 unless set).
    #[serde(default = "default_hash_version")]
    pub hash_version: u32,
    /// Share of visitors in the experiment, 0..=1.
    #[serde(default = "default_coverage")]
    pub coverage: f64,
    /// Arms in order; the first is the control (shop's order) by convention.
    pub arms: Vec<ArmConfig>,
    /// Mutually exclusive experiments share a namespace and take disjoint `[start, end)` ranges.
    #[serde(default)]
    pub namespace: Option<NamespaceRange>,
    /// What visitors outside the experiment (namespace or coverage) see: the personalized
    /// order when true, the shop's order when false (GrowthBook's "control value").
    #[serde(default)]
    pub personalize_outside: bool,
}

impl ExperimentConfig {
    /// The hash seed: `seed` when set, else the key.
    pub fn hash_seed(&self) -> &str {
        self.seed.as_deref().unwrap_or(&self.key)
    }

    /// Checks what [`crate::assign::assign`] would otherwise silently repair: at least two arms
    /// with unique, non-empty keys, finite non-negative weights summing to 1 (within 0.01,
    /// GrowthBook's tolerance), coverage and namespace range within 0..=1, a known hash version.
    pub fn validate(&self) -> Result<(), ExperimentError> {
        if self.key.is_empty() {
            return Err(ExperimentError::EmptyKey);
        }
        if crate::assign::hash("", "x", self.hash_version).is_none() {
            return Err(ExperimentError::UnknownHashVersion(self.hash_version));
        }
        if self.arms.len() < 2 {
            return Err(ExperimentError::TooFewArms(self.arms.len()));
        }
        for (index, arm) in self.arms.iter().enumerate() {
            if arm.key.is_empty() {
                return Err(ExperimentError::EmptyArmKey(index));
            }
            if self.arms[..index].iter().any(|other| other.key == arm.key) {
                return Err(ExperimentError::DuplicateArm(arm.key.clone()));
            }
            if !arm.weight.is_finite() || arm.weight < 0.0 {
                return Err(ExperimentError::BadWeight(arm.key.clone()));
            }
        }
        let total: f64 = self.arms.iter().map(|arm| arm.weight).sum();
        if (total - 1.0).abs() > 0.01 {
            return Err(ExperimentError::WeightsDoNotSumToOne(total));
        }
        if !(0.0..=1.0).contains(&self.coverage) {
            return Err(ExperimentError::BadCoverage(self.coverage));
        }
        if let Some(namespace) = &self.namespace {
            let valid =
                (0.0..=1.0).contains(&namespace.start) && (0.0..=1.0).contains(&namespace.end);
            if !valid || namespace.start >= namespace.end || namespace.id.is_empty() {
                return Err(ExperimentError::BadNamespace);
            }
        }
        Ok(())
    }
}

/// An experiment configuration that [`ExperimentConfig::validate`] rejects.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ExperimentError {
    /// The experiment key is empty.
    #[error("experiment key is empty")]
    EmptyKey,
    /// The hash version is not one this build knows.
    #[error("unknown hash version {0}")]
    UnknownHashVersion(u32),
    /// Fewer than two arms.
    #[error("an experiment needs at least two arms, found {0}")]
    TooFewArms(usize),
    /// An arm key is empty.
    #[error("arm {0} has an empty key")]
    EmptyArmKey(usize),
    /// Two arms share a key.
    #[error("arm key {0:?} appears twice")]
    DuplicateArm(String),
    /// A weight is negative, infinite or NaN.
    #[error("arm {0:?} has a weight that is negative or not a number")]
    BadWeight(String),
    /// The weights do not sum to 1.
    #[error("arm weights sum to {0}, not 1")]
    WeightsDoNotSumToOne(f64),
    /// Coverage outside 0..=1.
    #[error("coverage {0} is outside 0..=1")]
    BadCoverage(f64),
    /// The namespace range is empty, reversed or outside 0..=1, or its id is empty.
    #[error("namespace range must be a non-empty [start, end) within 0..=1 with an id")]
    BadNamespace,
}

/// The key of [`default_experiment`].
pub const DEFAULT_EXPERIMENT_KEY: &str = "aisle-rerank";

/// The experiment that runs when a manifest names none: `aisle-rerank`, hash version 2,
/// everybody in it, half `holdout` (the shop's order), half `personalized`.
pub fn default_experiment() -> ExperimentConfig {
    ExperimentConfig {
        key: DEFAULT_EXPERIMENT_KEY.into(),
        seed: None,
        hash_version: 2,
        coverage: 1.0,
        arms: vec![
            ArmConfig {
                key: "holdout".into(),
                weight: 0.5,
                personalized: false,
            },
            ArmConfig {
                key: "personalized".into(),
                weight: 0.5,
                personalized: true,
            },
        ],
        namespace: None,
        personalize_outside: false,
    }
}

fn default_experiments() -> Vec<ExperimentConfig> {
    vec![default_experiment()]
}

/// One arm of an experiment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ArmConfig {
    /// Arm key, for example `holdout` or `personalized`.
    pub key: String,
    /// Share of the experiment's traffic, the weights summing to 1.
    pub weight: f64,
    /// True when this arm shows the personalized order.
    #[serde(default)]
    pub personalized: bool,
}

/// A namespace range `[start, end)`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NamespaceRange {
    /// Namespace id.
    pub id: String,
    /// Range start, 0..=1.
    pub start: f64,
    /// Range end, 0..=1.
    pub end: f64,
}

fn default_hash_version() -> u32 {
    2
}

fn default_coverage() -> f64 {
    1.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_experiments_mean_the_default_experiment() {
        let manifest: Manifest =
            serde_json::from_str(r#"{"manifest_version":1,"bundle":"b.bin","model_version":"m1"}"#)
                .unwrap();
        assert_eq!(manifest.experiments, vec![default_experiment()]);
        let none: Manifest = serde_json::from_str(
            r#"{"manifest_version":1,"bundle":"b.bin","model_version":"m1","experiments":[]}"#,
        )
        .unwrap();
        assert!(none.experiments.is_empty());
    }

    #[test]
    fn experiment_fields_default_like_growthbook() {
        let experiment: ExperimentConfig =
            serde_json::from_str(r#"{"key":"k","arms":[{"key":"a","weight":0.9},{"key":"b","weight":0.1,"personalized":true}]}"#).unwrap();
        assert_eq!(experiment.hash_version, 2);
        assert_eq!(experiment.coverage, 1.0);
        assert_eq!(experiment.hash_seed(), "k");
        assert!(!experiment.personalize_outside);
        assert_eq!(experiment.validate(), Ok(()));
    }

    fn check_invalid(edit: impl FnOnce(&mut ExperimentConfig), expected: ExperimentError) {
        let mut experiment = default_experiment();
        edit(&mut experiment);
        assert_eq!(experiment.validate(), Err(expected));
    }

    #[test]
    fn validation_names_the_problem() {
        assert_eq!(default_experiment().validate(), Ok(()));
        check_invalid(|e| e.key.clear(), ExperimentError::EmptyKey);
        check_invalid(
            |e| e.hash_version = 3,
            ExperimentError::UnknownHashVersion(3),
        );
        check_invalid(|e| e.arms.truncate(1), ExperimentError::TooFewArms(1));
        check_invalid(
            |e| e.arms[1].key = "holdout".into(),
            ExperimentError::DuplicateArm("holdout".into()),
        );
        check_invalid(|e| e.arms[0].key.clear(), ExperimentError::EmptyArmKey(0));
        check_invalid(
            |e| e.arms[0].weight = -0.5,
            ExperimentError::BadWeight("holdout".into()),
        );
        check_invalid(
            |e| e.arms[0].weight = 0.9,
            ExperimentError::WeightsDoNotSumToOne(1.4),
        );
        check_invalid(|e| e.coverage = 1.5, ExperimentError::BadCoverage(1.5));
        check_invalid(
            |e| {
                e.namespace = Some(NamespaceRange {
                    id: "n".into(),
                    start: 0.5,
                    end: 0.5,
                })
            },
            ExperimentError::BadNamespace,
        );
    }
}
