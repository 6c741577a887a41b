//! Runs the language-agnostic assignment vectors (`tests/vectors/assignment.json`) against the
//! Rust implementation. The browser tests run the same file against the wasm build.
use std::collections::BTreeMap;

use aisle::assign::{self, ArmOverride, Assignment};
use aisle::manifest::ExperimentConfig;
use serde::Deserialize;

#[derive(Deserialize)]
struct Vectors {
    fnv1a32: Vec<FnvCase>,
    hash: Vec<HashCase>,
    bucket_ranges: Vec<RangeCase>,
    choose_arm: Vec<ChooseCase>,
    in_namespace: Vec<NamespaceCase>,
    assign: Vec<AssignCase>,
    parse_override: Vec<OverrideCase>,
    decide: Vec<DecideCase>,
}

#[derive(Deserialize)]
struct FnvCase {
    name: String,
    input: String,
    expected: u32,
}

#[derive(Deserialize)]
struct HashCase {
    name: String,
    seed: String,
    value: String,
    version: u32,
    expected: Option<f64>,
}

#[derive(Deserialize)]
struct RangeCase {
    name: String,
    arm_count: usize,
    coverage: f64,
    weights: Option<Vec<f64>>,
    expected: Vec<(f64, f64)>,
}

#[derive(Deserialize)]
struct ChooseCase {
    name: String,
    n: f64,
    ranges: Vec<(f64, f64)>,
    expected: Option<usize>,
}

#[derive(Deserialize)]
struct NamespaceCase {
    name: String,
    visitor: String,
    namespace: String,
    start: f64,
    end: f64,
    expected: bool,
}

#[derive(Deserialize)]
struct AssignCase {
    name: String,
    experiment: ExperimentConfig,
    visitor: String,
    expected: Assignment,
}

#[derive(Deserialize)]
struct OverrideCase {
    name: String,
    input: String,
    expected: Option<Vec<ArmOverride>>,
}

#[derive(Deserialize)]
struct DecideCase {
    name: String,
    experiments: Vec<ExperimentConfig>,
    visitor: String,
    overrides: Vec<ArmOverride>,
    kill_switch: bool,
    expected: DecideExpected,
}

#[derive(Deserialize)]
struct DecideExpected {
    personalized: bool,
    event_arms: BTreeMap<String, String>,
    arm_keys: Vec<Option<String>>,
}

fn vectors() -> Vectors {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/assignment.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn fnv1a32_vectors() {
    for case in vectors().fnv1a32 {
        assert_eq!(assign::fnv1a32(&case.input), case.expected, "{}", case.name);
    }
}

#[test]
fn hash_vectors() {
    let cases = vectors().hash;
    assert!(cases.len() >= 15);
    for case in cases {
        assert_eq!(
            assign::hash(&case.seed, &case.value, case.version),
            case.expected,
            "{}",
            case.name
        );
    }
}

#[test]
fn bucket_range_vectors() {
    for case in vectors().bucket_ranges {
        let got = assign::bucket_ranges(case.arm_count, case.coverage, case.weights.as_deref());
        assert_eq!(got.len(), case.expected.len(), "{}", case.name);
        for (g, e) in got.iter().zip(&case.expected) {
            assert!(
                (g.0 - e.0).abs() < 1e-9 && (g.1 - e.1).abs() < 1e-9,
                "{}: {got:?} != {:?}",
                case.name,
                case.expected
            );
        }
    }
}

#[test]
fn choose_arm_vectors() {
    for case in vectors().choose_arm {
        assert_eq!(
            assign::choose_arm(case.n, &case.ranges),
            case.expected,
            "{}",
            case.name
        );
    }
}

#[test]
fn namespace_vectors() {
    for case in vectors().in_namespace {
        assert_eq!(
            assign::in_namespace(&case.visitor, &case.namespace, case.start, case.end),
            case.expected,
            "{}",
            case.name
        );
    }
}

#[test]
fn assign_vectors() {
    let cases = vectors().assign;
    assert!(cases.len() > 100);
    for case in cases {
        let got = assign::assign(&case.experiment, &case.visitor);
        let expected = case.expected;
        assert_eq!(got, expected, "{}", case.name);
    }
}

#[test]
fn parse_override_vectors() {
    for case in vectors().parse_override {
        assert_eq!(
            assign::parse_override(&case.input).ok(),
            case.expected,
            "{}",
            case.name
        );
    }
}

#[test]
fn decide_vectors() {
    for case in vectors().decide {
        let decision = assign::decide(
            &case.experiments,
            &case.visitor,
            &case.overrides,
            case.kill_switch,
        );
        assert_eq!(
            decision.personalized, case.expected.personalized,
            "{}",
            case.name
        );
        assert_eq!(
            decision.event_arms(),
            case.expected.event_arms,
            "{}",
            case.name
        );
        let arm_keys: Vec<Option<String>> = decision
            .assignments
            .iter()
            .map(|a| a.arm_key.clone())
            .collect();
        assert_eq!(arm_keys, case.expected.arm_keys, "{}", case.name);
    }
}
