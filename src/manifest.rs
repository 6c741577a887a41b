//! The manifest: the small JSON file (short cache time) that points at the content-hashed
//! bundle, carries the kill switch and the experiment settings.
#![forbid(unsafe_code)]

use alloc::string::String;
use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

use crate::json::NumberText;
use crate::json_read::{self, Fields, JsonError, NumberParse, Value};
use crate::text::{concat, decimal};

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

/// Reads `manifest.json` as the page and `aisle report --manifest` both do: the JSON must be
/// a [`Manifest`] (serde's reading of the types above is the only definition), of
/// [`MANIFEST_VERSION`], with every experiment passing [`ExperimentConfig::validate`].
/// `number` reads numbers with a fraction or an exponent (`crate::json_read`).
///
/// Read field by field over `crate::json_read`'s value, not through the serde derive: the
/// derive's reading cost the wasm 10 KB gzip (docs/performance.md, "Where the wasm bytes go").
/// The serde types stay the definition: `tests/page_vectors.rs` checks on every vector of
/// `tests/vectors/manifest.json` that serde_json's reading through the derive accepts,
/// refuses and reads exactly what this does.
pub fn parse(text: &str, number: NumberParse) -> Result<Manifest, ManifestError> {
    from_value(json_read::parse(text, number))
}

/// The manifest in a JSON value already read (or the error reading it gave): `JSON.parse`'s
/// reading in the browser (`crate::value_stream`), [`parse`]'s natively.
pub fn from_value(json: Result<Value, JsonError>) -> Result<Manifest, ManifestError> {
    let value = json.map_err(ManifestError::Json)?;
    let manifest = read_manifest(&value).map_err(ManifestError::Json)?;
    if manifest.manifest_version != MANIFEST_VERSION {
        return Err(ManifestError::Version(manifest.manifest_version));
    }
    for (index, experiment) in manifest.experiments.iter().enumerate() {
        experiment
            .validate()
            .map_err(|error| ManifestError::Experiment(index, error))?;
    }
    Ok(manifest)
}

fn read_manifest(value: &Value) -> Result<Manifest, JsonError> {
    let mut fields = Fields::of(value)?;
    let experiments = fields
        .optional("experiments", |list| json_read::list(list, read_experiment))
        .unwrap_or_else(default_experiments);
    let manifest = Manifest {
        manifest_version: fields.required("manifest_version", json_read::u32_of),
        bundle: fields.required("bundle", json_read::string_of),
        model_version: fields.required("model_version", json_read::string_of),
        kill_switch: fields
            .optional("kill_switch", json_read::bool_of)
            .unwrap_or(false),
        experiments,
    };
    fields.finish(manifest)
}

fn read_experiment(value: &Value) -> Result<ExperimentConfig, JsonError> {
    let mut fields = Fields::of(value)?;
    let experiment = ExperimentConfig {
        key: fields.required("key", json_read::string_of),
        seed: fields.nullable("seed", json_read::string_of),
        hash_version: fields
            .optional("hash_version", json_read::u32_of)
            .unwrap_or_else(default_hash_version),
        coverage: fields
            .optional("coverage", json_read::f64_of)
            .unwrap_or_else(default_coverage),
        arms: fields.required("arms", |list| json_read::list(list, read_arm)),
        namespace: fields.nullable("namespace", read_namespace),
        personalize_outside: fields
            .optional("personalize_outside", json_read::bool_of)
            .unwrap_or(false),
    };
    fields.finish(experiment)
}

fn read_arm(value: &Value) -> Result<ArmConfig, JsonError> {
    let mut fields = Fields::of(value)?;
    let arm = ArmConfig {
        key: fields.required("key", json_read::string_of),
        weight: fields.required("weight", json_read::f64_of),
        personalized: fields
            .optional("personalized", json_read::bool_of)
            .unwrap_or(false),
    };
    fields.finish(arm)
}

fn read_namespace(value: &Value) -> Result<NamespaceRange, JsonError> {
    let mut fields = Fields::of(value)?;
    let namespace = NamespaceRange {
        id: fields.required("id", json_read::string_of),
        start: fields.required("start", json_read::f64_of),
        end: fields.required("end", json_read::f64_of),
    };
    fields.finish(namespace)
}

/// A manifest [`parse`] refuses.
#[derive(Clone, Debug, PartialEq)]
pub enum ManifestError {
    /// Not JSON, or not the manifest's shape (the message names the field and place).
    Json(JsonError),
    /// A manifest version this build does not read.
    Version(u32),
    /// An experiment that [`ExperimentConfig::validate`] rejects.
    Experiment(usize, ExperimentError),
}

impl ManifestError {
    /// The code the page's `aisle:error` event carries.
    pub fn code(&self) -> &'static str {
        match self {
            ManifestError::Version(_) => "manifest_version",
            ManifestError::Json(_) | ManifestError::Experiment(..) => "manifest_invalid",
        }
    }

    /// The message shown to people, built without `core::fmt` (`number` writes the numbers
    /// it quotes), so the wasm can report it.
    pub fn message(&self, number: NumberText) -> String {
        match self {
            ManifestError::Json(error) => concat(&["manifest is not valid: ", &error.message()]),
            ManifestError::Version(found) => concat(&[
                "manifest_version is ",
                &decimal(u64::from(*found)),
                ", this build reads 1",
            ]),
            ManifestError::Experiment(index, error) => concat(&[
                "experiments[",
                &decimal(*index as u64),
                "]: ",
                &error.message(number),
                " (see docs/ab-testing.md)",
            ]),
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl core::fmt::Display for ManifestError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.message(crate::json::rust_number_text))
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl std::error::Error for ManifestError {}

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
#[derive(Clone, Debug, PartialEq)]
pub enum ExperimentError {
    /// The experiment key is empty.
    EmptyKey,
    /// The hash version is not one this build knows.
    UnknownHashVersion(u32),
    /// Fewer than two arms.
    TooFewArms(usize),
    /// An arm key is empty.
    EmptyArmKey(usize),
    /// Two arms share a key.
    DuplicateArm(String),
    /// A weight is negative, infinite or NaN.
    BadWeight(String),
    /// The weights do not sum to 1.
    WeightsDoNotSumToOne(f64),
    /// Coverage outside 0..=1.
    BadCoverage(f64),
    /// The namespace range is empty, reversed or outside 0..=1, or its id is empty.
    BadNamespace,
}

impl ExperimentError {
    /// The message shown to people, built without `core::fmt`; `number` writes the numbers.
    pub fn message(&self, number: NumberText) -> String {
        let quoted = |text: &str| concat(&["\"", text, "\""]);
        let float = |value: f64| {
            let mut text = String::new();
            number(value, &mut text);
            text
        };
        match self {
            ExperimentError::EmptyKey => String::from("experiment key is empty"),
            ExperimentError::UnknownHashVersion(version) => {
                concat(&["unknown hash version ", &decimal(u64::from(*version))])
            }
            ExperimentError::TooFewArms(found) => concat(&[
                "an experiment needs at least two arms, found ",
                &decimal(*found as u64),
            ]),
            ExperimentError::EmptyArmKey(index) => {
                concat(&["arm ", &decimal(*index as u64), " has an empty key"])
            }
            ExperimentError::DuplicateArm(key) => {
                concat(&["arm key ", &quoted(key), " appears twice"])
            }
            ExperimentError::BadWeight(key) => concat(&[
                "arm ",
                &quoted(key),
                " has a weight that is negative or not a number",
            ]),
            ExperimentError::WeightsDoNotSumToOne(total) => {
                concat(&["arm weights sum to ", &float(*total), ", not 1"])
            }
            ExperimentError::BadCoverage(coverage) => {
                concat(&["coverage ", &float(*coverage), " is outside 0..=1"])
            }
            ExperimentError::BadNamespace => String::from(
                "namespace range must be a non-empty [start, end) within 0..=1 with an id",
            ),
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl core::fmt::Display for ExperimentError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.message(crate::json::rust_number_text))
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl std::error::Error for ExperimentError {}

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
    #[cfg(not(target_arch = "wasm32"))] // the host's number readers (the browser's there)
    fn a_refused_manifest_says_where() {
        let message = |text: &str| {
            parse(text, json_read::rust_number_parse)
                .unwrap_err()
                .message(crate::json::rust_number_text)
        };
        assert_eq!(
            message(
                r#"{"manifest_version":1,"bundle":"b.bin","model_version":"m1",
                    "experiments":[{"key":"k","arms":[{"key":"a","weight":0.5},{"key":"b"}]}]}"#
            ),
            "manifest is not valid: experiments[0].arms[1]: missing field `weight`"
        );
        assert_eq!(
            message(
                r#"{"manifest_version":1,"bundle":"b.bin","model_version":"m1","experiments":{}}"#
            ),
            "manifest is not valid: experiments: wrong type: found an object"
        );
        assert_eq!(
            message(r#"{"manifest_version":"1","bundle":"b.bin","model_version":"m1"}"#),
            "manifest is not valid: manifest_version: wrong type: found a string"
        );
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
