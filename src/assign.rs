//! A/B assignment: a pure, versioned function of (experiment seed, visitor id) to an arm.
//!
//! The hash is GrowthBook's documented one, so a merchant can re-analyze an aisle experiment
//! in GrowthBook: FNV-1a 32-bit over UTF-16 code units (as JavaScript's `charCodeAt` gives),
//! version 2 being `fnv1a32(decimal(fnv1a32(seed + id))) % 10000 / 10000`. A hash version,
//! once shipped, never changes. `docs/ab-testing.md` specifies every step, and
//! `tests/vectors/assignment.json` pins them for Rust and JavaScript alike.
//!
//! The entry points for the browser edge are [`decide`] (every experiment of a manifest at
//! once, with the kill switch and QA overrides) and [`assign`] (one experiment).
#![forbid(unsafe_code)]

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

use crate::manifest::ExperimentConfig;

/// The URL query parameter that forces arms for QA: `?aisle_arm=aisle-rerank:holdout`.
pub const OVERRIDE_PARAMETER: &str = "aisle_arm";

/// At most this many overrides are read from one parameter value; the rest are ignored.
pub const MAX_OVERRIDES: usize = 16;

/// FNV-1a, 32 bits, over the UTF-16 code units of `text`.
pub fn fnv1a32(text: &str) -> u32 {
    let mut hash: u32 = 0x811c_9dc5;
    for unit in text.encode_utf16() {
        hash ^= u32::from(unit);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    hash
}

/// GrowthBook's `hash(seed, value, version)`: a number in `[0, 1)`, or `None` for an unknown
/// version.
pub fn hash(seed: &str, value: &str, version: u32) -> Option<f64> {
    match version {
        1 => {
            let mut text = String::with_capacity(value.len() + seed.len());
            text.push_str(value);
            text.push_str(seed);
            Some(f64::from(fnv1a32(&text) % 1000) / 1000.0)
        }
        2 => {
            let mut text = String::with_capacity(value.len() + seed.len());
            text.push_str(seed);
            text.push_str(value);
            let inner = fnv1a32(&text);
            Some(f64::from(fnv1a32(&crate::text::decimal(u64::from(inner))) % 10000) / 10000.0)
        }
        _ => None,
    }
}

/// GrowthBook's `getBucketRanges`: each arm's `[start, end)` on the unit line.
/// `coverage` is clamped to 0..=1; weights that do not sum to 1 (within 0.01) are replaced
/// by equal weights.
pub fn bucket_ranges(arm_count: usize, coverage: f64, weights: Option<&[f64]>) -> Vec<(f64, f64)> {
    let coverage = if coverage.is_nan() {
        1.0
    } else {
        coverage.clamp(0.0, 1.0)
    };
    let equal = || vec![1.0 / arm_count as f64; arm_count];
    let weights: Vec<f64> = match weights {
        Some(w) if w.len() == arm_count && (w.iter().sum::<f64>() - 1.0).abs() <= 0.01 => {
            w.to_vec()
        }
        _ => equal(),
    };
    let mut cumulative = 0.0;
    weights
        .iter()
        .map(|&w| {
            let start = cumulative;
            cumulative += w;
            (start, start + coverage * w)
        })
        .collect()
}

/// GrowthBook's `chooseVariation`: the arm whose range holds `n`, if any.
pub fn choose_arm(n: f64, ranges: &[(f64, f64)]) -> Option<usize> {
    ranges
        .iter()
        .position(|&(start, end)| n >= start && n < end)
}

/// GrowthBook's `inNamespace`: true when the visitor falls in `[start, end)` of namespace `id`.
/// The namespace hash is always version 1 with the seed `__<id>`, as GrowthBook's is.
pub fn in_namespace(visitor: &str, namespace: &str, start: f64, end: f64) -> bool {
    let mut seed = String::from("__");
    seed.push_str(namespace);
    match hash(&seed, visitor, 1) {
        Some(n) => n >= start && n < end,
        None => false,
    }
}

/// Why a visitor got the arm (or no arm) they got.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssignmentReason {
    /// The hash put the visitor in an arm.
    Hashed,
    /// A QA override chose the arm; such visitors must not be tracked.
    Forced,
    /// The kill switch is on: nobody is in any experiment.
    KillSwitch,
    /// The visitor id is empty.
    NoVisitor,
    /// The experiment has fewer than two arms.
    TooFewArms,
    /// The experiment names a hash version this build does not know.
    UnknownHashVersion,
    /// The visitor is outside the experiment's namespace range.
    OutsideNamespace,
    /// The visitor hashed outside every arm's range (coverage below 1).
    OutsideCoverage,
}

/// The outcome of assigning one visitor to one experiment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Assignment {
    /// Experiment key.
    pub experiment: String,
    /// Index of the arm in the experiment's `arms`, `None` when not in the experiment.
    pub arm_index: Option<usize>,
    /// Key of that arm, `None` when not in the experiment.
    pub arm_key: Option<String>,
    /// True when the visitor should see the personalized order because of this experiment.
    /// Outside the experiment this is the experiment's `personalize_outside`.
    pub personalized: bool,
    /// The visitor's hash in `[0, 1)` (the GrowthBook "bucket"), when one was computed.
    pub bucket: Option<f64>,
    /// Why.
    pub reason: AssignmentReason,
    /// True when exposures and outcomes of this visitor count for the experiment: in an arm
    /// by the hash. Forced (QA) visitors and visitors outside the experiment are not tracked.
    pub track: bool,
}

impl Assignment {
    fn outside(
        experiment: &ExperimentConfig,
        bucket: Option<f64>,
        reason: AssignmentReason,
    ) -> Assignment {
        Assignment {
            experiment: experiment.key.clone(),
            arm_index: None,
            arm_key: None,
            personalized: experiment.personalize_outside && reason != AssignmentReason::KillSwitch,
            bucket,
            reason,
            track: false,
        }
    }

    fn inside(
        experiment: &ExperimentConfig,
        arm_index: usize,
        bucket: Option<f64>,
        reason: AssignmentReason,
    ) -> Assignment {
        let arm = &experiment.arms[arm_index];
        Assignment {
            experiment: experiment.key.clone(),
            arm_index: Some(arm_index),
            arm_key: Some(arm.key.clone()),
            personalized: arm.personalized,
            bucket,
            reason,
            track: reason == AssignmentReason::Hashed,
        }
    }

    /// True when the visitor is in one of the experiment's arms.
    pub fn in_experiment(&self) -> bool {
        self.arm_index.is_some()
    }
}

/// Assigns one visitor to one experiment, following GrowthBook's `run` order: visitor id,
/// arm count, namespace, hash version, then the bucket ranges from coverage and weights.
/// Never panics, whatever the configuration holds.
pub fn assign(experiment: &ExperimentConfig, visitor_id: &str) -> Assignment {
    use AssignmentReason::*;
    if visitor_id.is_empty() {
        return Assignment::outside(experiment, None, NoVisitor);
    }
    if experiment.arms.len() < 2 {
        return Assignment::outside(experiment, None, TooFewArms);
    }
    if let Some(namespace) = &experiment.namespace {
        if !in_namespace(visitor_id, &namespace.id, namespace.start, namespace.end) {
            return Assignment::outside(experiment, None, OutsideNamespace);
        }
    }
    let Some(bucket) = hash(experiment.hash_seed(), visitor_id, experiment.hash_version) else {
        return Assignment::outside(experiment, None, UnknownHashVersion);
    };
    let weights: Vec<f64> = experiment.arms.iter().map(|arm| arm.weight).collect();
    let ranges = bucket_ranges(experiment.arms.len(), experiment.coverage, Some(&weights));
    match choose_arm(bucket, &ranges) {
        Some(arm_index) => Assignment::inside(experiment, arm_index, Some(bucket), Hashed),
        None => Assignment::outside(experiment, Some(bucket), OutsideCoverage),
    }
}

/// One QA override: force `arm` in `experiment`, or in every experiment that has such an arm
/// when `experiment` is `None`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArmOverride {
    /// Experiment key, or `None` for "any experiment with this arm".
    pub experiment: Option<String>,
    /// Arm key.
    pub arm: String,
}

/// A QA override value that cannot be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OverrideError {
    /// The value is empty.
    #[error("empty override")]
    Empty,
    /// One comma-separated part has an empty experiment or arm key.
    #[error("override part {index} has an empty experiment or arm key")]
    EmptyKey {
        /// Zero-based index of the part.
        index: usize,
    },
}

/// Reads the value of the [`OVERRIDE_PARAMETER`] URL parameter (already percent-decoded):
/// comma-separated `experiment:arm` pairs, or a bare `arm` that applies to every experiment
/// having an arm with that key. The experiment key is everything before the last `:`.
/// Whitespace around parts is ignored; parts beyond [`MAX_OVERRIDES`] are ignored.
pub fn parse_override(value: &str) -> Result<Vec<ArmOverride>, OverrideError> {
    if value.trim().is_empty() {
        return Err(OverrideError::Empty);
    }
    let mut overrides = Vec::new();
    for (index, part) in crate::text::SplitAscii::new(value, b',')
        .take(MAX_OVERRIDES)
        .enumerate()
    {
        let part = part.trim();
        // The last `:` found by a byte loop: `rsplit_once` brings a `memrchr` into the wasm.
        let parsed = match part.bytes().rposition(|byte| byte == b':') {
            Some(colon) => {
                let (experiment, arm) = (part[..colon].trim(), part[colon + 1..].trim());
                if experiment.is_empty() || arm.is_empty() {
                    return Err(OverrideError::EmptyKey { index });
                }
                ArmOverride {
                    experiment: Some(experiment.into()),
                    arm: arm.into(),
                }
            }
            None if part.is_empty() => return Err(OverrideError::EmptyKey { index }),
            None => ArmOverride {
                experiment: None,
                arm: part.into(),
            },
        };
        overrides.push(parsed);
    }
    Ok(overrides)
}

/// Like [`assign`], but a matching QA override wins over the hash (and over namespace and
/// coverage). Overrides naming an arm the experiment does not have are ignored.
pub fn assign_with_overrides(
    experiment: &ExperimentConfig,
    visitor_id: &str,
    overrides: &[ArmOverride],
) -> Assignment {
    let forced = overrides.iter().find_map(|o| {
        let applies = o
            .experiment
            .as_deref()
            .map_or(true, |key| key == experiment.key);
        if !applies {
            return None;
        }
        experiment.arms.iter().position(|arm| arm.key == o.arm)
    });
    match forced {
        Some(arm_index) if experiment.arms.len() >= 2 => {
            let bucket = hash(experiment.hash_seed(), visitor_id, experiment.hash_version);
            Assignment::inside(experiment, arm_index, bucket, AssignmentReason::Forced)
        }
        _ => assign(experiment, visitor_id),
    }
}

/// What the page should do for one visitor: personalize or keep the shop's order, and the
/// visitor's assignment in every experiment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    /// True when the grid should be personalized.
    pub personalized: bool,
    /// One assignment per experiment, in manifest order.
    pub assignments: Vec<Assignment>,
}

impl Decision {
    /// The `arms` map to put in every event: experiment key to arm key, tracked assignments only.
    pub fn event_arms(&self) -> BTreeMap<String, String> {
        self.event_arm_list().into_iter().collect()
    }

    /// [`Decision::event_arms`] as a list sorted by experiment key, a later experiment with
    /// the same key replacing an earlier one as in the map. The browser edge uses this form:
    /// a `BTreeMap` costs the wasm several KB.
    pub fn event_arm_list(&self) -> Vec<(String, String)> {
        let mut arms: Vec<(String, String)> = Vec::new();
        for assignment in self.assignments.iter().filter(|a| a.track) {
            let Some(arm) = &assignment.arm_key else {
                continue;
            };
            match arms
                .binary_search_by(|(experiment, _)| experiment.as_str().cmp(&assignment.experiment))
            {
                Ok(found) => arms[found].1 = arm.clone(),
                Err(place) => arms.insert(place, (assignment.experiment.clone(), arm.clone())),
            }
        }
        arms
    }
}

/// Decides for one visitor across every experiment of a manifest.
///
/// - `kill_switch` (the manifest's, the URL's or the JS API's): nobody is personalized and
///   nobody is in an experiment.
/// - No experiments: everybody is personalized (the merchant chose not to test).
/// - Otherwise the first experiment, in manifest order, that has the visitor in an arm decides;
///   keep experiments exclusive with namespaces. A visitor in no experiment is personalized
///   only when every experiment says `personalize_outside`.
pub fn decide(
    experiments: &[ExperimentConfig],
    visitor_id: &str,
    overrides: &[ArmOverride],
    kill_switch: bool,
) -> Decision {
    if kill_switch {
        let assignments = experiments
            .iter()
            .map(|e| Assignment::outside(e, None, AssignmentReason::KillSwitch))
            .collect();
        return Decision {
            personalized: false,
            assignments,
        };
    }
    let assignments: Vec<Assignment> = experiments
        .iter()
        .map(|e| assign_with_overrides(e, visitor_id, overrides))
        .collect();
    let personalized = match assignments.iter().find(|a| a.in_experiment()) {
        Some(deciding) => deciding.personalized,
        None => experiments.iter().all(|e| e.personalize_outside),
    };
    Decision {
        personalized,
        assignments,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::{default_experiment, ArmConfig, NamespaceRange};

    #[test]
    fn fnv1a32_matches_the_reference_values() {
        // Reference values of FNV-1a 32 (http://www.isthe.com/chongo/tech/comp/fnv/).
        assert_eq!(fnv1a32(""), 0x811c9dc5);
        assert_eq!(fnv1a32("a"), 0xe40c292c);
        assert_eq!(fnv1a32("foobar"), 0xbf9cf968);
    }

    #[test]
    fn bucket_ranges_follow_growthbook() {
        assert_eq!(bucket_ranges(2, 1.0, None), vec![(0.0, 0.5), (0.5, 1.0)]);
        assert_eq!(bucket_ranges(2, 0.5, None), vec![(0.0, 0.25), (0.5, 0.75)]);
        assert_eq!(
            bucket_ranges(2, 1.0, Some(&[0.1, 0.9])),
            vec![(0.0, 0.1), (0.1, 1.0)]
        );
        assert_eq!(
            bucket_ranges(2, 1.0, Some(&[0.7, 0.7])),
            vec![(0.0, 0.5), (0.5, 1.0)]
        );
    }

    #[test]
    fn choose_arm_picks_the_range_holding_n() {
        let ranges = bucket_ranges(2, 0.5, None);
        assert_eq!(choose_arm(0.1, &ranges), Some(0));
        assert_eq!(choose_arm(0.3, &ranges), None);
        assert_eq!(choose_arm(0.6, &ranges), Some(1));
    }

    fn check_override(input: &str, expected: Result<Vec<(Option<&str>, &str)>, OverrideError>) {
        let expected = expected.map(|pairs| {
            pairs
                .into_iter()
                .map(|(e, a)| ArmOverride {
                    experiment: e.map(Into::into),
                    arm: a.into(),
                })
                .collect()
        });
        assert_eq!(parse_override(input), expected, "input {input:?}");
    }

    #[test]
    fn overrides_parse() {
        check_override(
            "aisle-rerank:holdout",
            Ok(vec![(Some("aisle-rerank"), "holdout")]),
        );
        check_override("holdout", Ok(vec![(None, "holdout")]));
        check_override(" a:x , b:y ", Ok(vec![(Some("a"), "x"), (Some("b"), "y")]));
        check_override("ns:exp:arm", Ok(vec![(Some("ns:exp"), "arm")]));
        check_override("", Err(OverrideError::Empty));
        check_override("a:", Err(OverrideError::EmptyKey { index: 0 }));
        check_override("a:x,,b:y", Err(OverrideError::EmptyKey { index: 1 }));
        check_override(":x", Err(OverrideError::EmptyKey { index: 0 }));
    }

    #[test]
    fn too_many_overrides_are_cut() {
        let value = ["a:x"; MAX_OVERRIDES + 5].join(",");
        assert_eq!(parse_override(&value).unwrap().len(), MAX_OVERRIDES);
    }

    #[test]
    fn forced_arms_win_but_are_not_tracked() {
        let experiment = default_experiment();
        for visitor in ["1", "2", "3", "4"] {
            let forced =
                assign_with_overrides(&experiment, visitor, &parse_override("holdout").unwrap());
            assert_eq!(forced.arm_key.as_deref(), Some("holdout"));
            assert_eq!(forced.reason, AssignmentReason::Forced);
            assert!(!forced.track && !forced.personalized);
        }
        let other = assign_with_overrides(
            &experiment,
            "1",
            &parse_override("other-exp:holdout").unwrap(),
        );
        assert_eq!(other.reason, AssignmentReason::Hashed);
        let unknown_arm = assign_with_overrides(
            &experiment,
            "1",
            &parse_override("aisle-rerank:nope").unwrap(),
        );
        assert_eq!(unknown_arm.reason, AssignmentReason::Hashed);
    }

    #[test]
    fn event_arms_are_sorted_and_a_repeated_key_keeps_the_last_arm() {
        let tracked = |experiment: &str, arm: &str| Assignment {
            experiment: experiment.into(),
            arm_index: Some(0),
            arm_key: Some(arm.into()),
            personalized: false,
            bucket: None,
            reason: AssignmentReason::Hashed,
            track: true,
        };
        let untracked = Assignment {
            track: false,
            ..tracked("m", "forced")
        };
        let decision = Decision {
            personalized: false,
            assignments: vec![
                tracked("z", "1"),
                tracked("b", "2"),
                untracked,
                tracked("z", "3"),
                tracked("a", "4"),
            ],
        };
        let expected =
            [("a", "4"), ("b", "2"), ("z", "3")].map(|(e, a)| (String::from(e), String::from(a)));
        assert_eq!(decision.event_arm_list(), expected);
        assert_eq!(
            decision.event_arms().into_iter().collect::<Vec<_>>(),
            expected
        );
    }

    #[test]
    fn kill_switch_gives_everyone_the_shops_order() {
        let experiments = vec![default_experiment()];
        let decision = decide(
            &experiments,
            "v1",
            &parse_override("personalized").unwrap(),
            true,
        );
        assert!(!decision.personalized);
        assert!(decision.event_arms().is_empty());
        assert_eq!(decision.assignments[0].reason, AssignmentReason::KillSwitch);
    }

    #[test]
    fn no_experiment_means_everyone_personalized() {
        assert!(decide(&[], "v1", &[], false).personalized);
    }

    #[test]
    fn default_split_is_close_to_half() {
        let experiment = default_experiment();
        let personalized = (0..10_000)
            .filter(|i| assign(&experiment, &format!("visitor-{i}")).personalized)
            .count();
        assert!(
            (4_800..=5_200).contains(&personalized),
            "{personalized} of 10000 personalized"
        );
    }

    #[test]
    fn namespaces_make_experiments_exclusive() {
        let mut first = default_experiment();
        first.key = "first".into();
        first.namespace = Some(NamespaceRange {
            id: "grid".into(),
            start: 0.0,
            end: 0.5,
        });
        let mut second = default_experiment();
        second.key = "second".into();
        second.namespace = Some(NamespaceRange {
            id: "grid".into(),
            start: 0.5,
            end: 1.0,
        });
        for i in 0..2_000 {
            let visitor = format!("v{i}");
            let decision = decide(&[first.clone(), second.clone()], &visitor, &[], false);
            let enrolled = decision
                .assignments
                .iter()
                .filter(|a| a.in_experiment())
                .count();
            assert_eq!(enrolled, 1, "visitor {visitor}");
        }
    }

    #[test]
    fn broken_configs_do_not_panic() {
        let mut experiment = default_experiment();
        experiment.arms = vec![ArmConfig {
            key: "only".into(),
            weight: f64::NAN,
            personalized: true,
        }];
        assert_eq!(
            assign(&experiment, "v").reason,
            AssignmentReason::TooFewArms
        );
        experiment.arms = vec![];
        assert_eq!(
            assign_with_overrides(&experiment, "v", &parse_override("only").unwrap()).reason,
            AssignmentReason::TooFewArms
        );
        let mut experiment = default_experiment();
        experiment.arms[0].weight = f64::INFINITY;
        experiment.coverage = f64::NAN;
        assert!(assign(&experiment, "v").in_experiment());
        experiment.hash_version = 7;
        assert_eq!(
            assign(&experiment, "v").reason,
            AssignmentReason::UnknownHashVersion
        );
    }
}
