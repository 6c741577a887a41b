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
    /// Running experiments.
    #[serde(default)]
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
