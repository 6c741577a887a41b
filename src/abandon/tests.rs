//! Tests of abandon features and scoring, including every kind of bad input the issue names.
use super::*;
use crate::bundle::{format, tests::tiny_wire};
use crate::history::{
    ActionKind, HistoryConfig, HistoryError, StoredHistory, HISTORY_FORMAT_VERSION,
};

const START: u64 = 1_700_000_000_000;
const MINUTE: u64 = 60_000;
const HOUR: u64 = 60 * MINUTE;

/// A wire model over every feature: unit scales, zero means, coefficient `i + 1` on
/// feature `i` except the listed overrides.
fn wire_with(coefficients: &[(Feature, f32)]) -> AbandonModelWire {
    let n = FEATURE_COUNT;
    let mut wire = AbandonModelWire {
        feature_names: Feature::ALL
            .iter()
            .map(|f| String::from(f.name()))
            .collect(),
        means: vec![0.0; n],
        scales: vec![1.0; n],
        coefficients: vec![0.0; n],
        intercept: 0.0,
        calibration_slope: 1.0,
        calibration_intercept: 0.0,
        base_rate: 0.5,
        default_nudge_delay_ms: 24 * HOUR,
    };
    for &(feature, c) in coefficients {
        wire.coefficients[feature as usize] = c;
    }
    wire
}

fn model_with(coefficients: &[(Feature, f32)]) -> AbandonModel {
    AbandonModel::from_wire(wire_with(coefficients)).unwrap()
}

fn catalog() -> Model {
    Model::from_wire(tiny_wire()).unwrap()
}

/// Replays `steps` (kind, id, quantity, price, minutes after START) into a fresh history.
fn history(steps: &[(ActionKind, &str, u32, Option<f32>, u64)]) -> History {
    let mut h = History::new(HistoryConfig::default(), START);
    for &(kind, id, quantity, price, minutes) in steps {
        h.record(kind, id, quantity, price, START + minutes * MINUTE);
    }
    h
}

fn features(h: &History, now_minutes: u64) -> AbandonFeatures {
    AbandonFeatures::from_history(h, Some(&catalog()), START + now_minutes * MINUTE, 14, 3)
}

fn check_feature(h: &History, now_minutes: u64, feature: Feature, expected: f32) {
    let got = features(h, now_minutes).get(feature);
    assert!(
        (got - expected).abs() < 1e-5,
        "{}: got {got}, expected {expected}",
        feature.name()
    );
}

fn ln1p(x: f32) -> f32 {
    x.ln_1p()
}

use ActionKind::{
    AddToCart as Add, CategoryView as Category, ProductView as View, Purchase as Buy,
    RemoveFromCart as Remove,
};

#[test]
fn cart_features() {
    let h = history(&[(Add, "a", 2, Some(10.0), 0), (Add, "c", 1, None, 1)]);
    check_feature(&h, 1, Feature::CartLines, ln1p(2.0));
    check_feature(&h, 1, Feature::CartUnits, ln1p(3.0));
    check_feature(&h, 1, Feature::CartValue, ln1p(20.0));
    check_feature(&h, 1, Feature::CartUnpricedShare, 0.5);
    // a has band 1, c has band 0 (unknown): only a counts.
    check_feature(&h, 1, Feature::PriceVsCategory, (1.0 - 128.0) / 127.0);
}

#[test]
fn timing_features() {
    let h = history(&[
        (View, "a", 1, None, 0),
        (Add, "a", 1, Some(5.0), 2),
        (View, "b", 1, None, 3),
        (View, "c", 1, None, 4),
    ]);
    check_feature(&h, 12, Feature::MinutesSinceLastAdd, ln1p(10.0));
    check_feature(&h, 12, Feature::ActionsSinceLastAdd, ln1p(2.0));
    check_feature(&h, 12, Feature::SessionMinutes, ln1p(12.0));
}

#[test]
fn session_features() {
    let h = history(&[
        (View, "a", 1, None, 0),
        (View, "a", 1, None, 1),
        (Category, "hats", 1, None, 2),
        (View, "b", 1, None, 3),
        (Add, "b", 1, Some(1.0), 4),
        (Remove, "b", 1, None, 5),
        (Add, "a", 1, Some(1.0), 6),
    ]);
    check_feature(&h, 6, Feature::SessionViews, ln1p(3.0));
    check_feature(&h, 6, Feature::SessionDistinctProducts, ln1p(2.0));
    // shoes (a, b) and hats (category view).
    check_feature(&h, 6, Feature::SessionCategories, ln1p(2.0));
    check_feature(&h, 6, Feature::SessionRemoves, ln1p(1.0));
    check_feature(&h, 6, Feature::ReturningVisitor, 0.0);
    check_feature(&h, 6, Feature::PreviousPurchase, 0.0);
}

#[test]
fn only_the_current_session_counts() {
    let h = history(&[
        (View, "a", 1, None, 0),
        (Buy, "a", 1, None, 1),
        (View, "b", 1, None, 120),
        (Add, "b", 1, None, 121),
    ]);
    check_feature(&h, 121, Feature::SessionViews, ln1p(1.0));
    check_feature(&h, 121, Feature::ReturningVisitor, 1.0);
    check_feature(&h, 121, Feature::PreviousPurchase, 1.0);
    check_feature(&h, 121, Feature::SessionMinutes, ln1p(1.0));
}

#[test]
fn clock_features() {
    let h = history(&[(Add, "a", 1, None, 0)]);
    let check = |hour: u8, weekday: u8, sin: f32, cos: f32, weekend: f32| {
        let f = AbandonFeatures::from_history(&h, None, START, hour, weekday);
        assert!(
            (f.get(Feature::HourSin) - sin).abs() < 1e-5
                && (f.get(Feature::HourCos) - cos).abs() < 1e-5
        );
        assert_eq!(f.get(Feature::Weekend), weekend);
    };
    check(0, 0, 0.0, 1.0, 1.0);
    check(6, 3, 1.0, 0.0, 0.0);
    check(18, 6, -1.0, 0.0, 1.0);
    // Out of range means unknown.
    check(24, 7, 0.0, 0.0, 0.0);
    check(255, 255, 0.0, 0.0, 0.0);
}

#[test]
fn an_empty_cart_is_withheld() {
    let model = model_with(&[(Feature::SessionViews, 1.0)]);
    assert_eq!(
        model.score(&features(&history(&[(View, "a", 1, None, 0)]), 1)),
        None
    );
    let emptied = history(&[(Add, "a", 1, None, 0), (Remove, "a", 0, None, 1)]);
    assert_eq!(model.score(&features(&emptied, 1)), None);
    let bought = history(&[(Add, "a", 1, None, 0), (Buy, "a", 1, None, 1)]);
    assert_eq!(model.score(&features(&bought, 1)), None);
}

#[test]
fn probability_follows_the_logistic_and_calibration() {
    let h = history(&[(Add, "a", 1, None, 0)]);
    let f = features(&h, 0);
    let mut wire = wire_with(&[(Feature::CartLines, 2.0)]);
    wire.means[Feature::CartLines as usize] = ln1p(1.0);
    wire.intercept = 0.5;
    let check = |wire: &AbandonModelWire, expected: f32| {
        let p = AbandonModel::from_wire(wire.clone())
            .unwrap()
            .score(&f)
            .unwrap()
            .probability;
        assert!((p - expected).abs() < 1e-6, "got {p}, expected {expected}");
    };
    check(&wire, 1.0 / (1.0 + (-0.5f32).exp()));
    wire.calibration_slope = 2.0;
    wire.calibration_intercept = -1.0;
    check(&wire, 0.5);
}

#[test]
fn reasons_are_the_largest_positive_contributions() {
    let h = history(&[
        (View, "a", 1, None, 0),
        (Add, "a", 3, Some(50.0), 1),
        (Remove, "a", 1, None, 2),
    ]);
    let f = features(&h, 30);
    let check = |coefficients: &[(Feature, f32)], expected: &[&str]| {
        assert_eq!(
            model_with(coefficients).score(&f).unwrap().reasons,
            expected
        );
    };
    check(&[], &[]);
    check(&[(Feature::CartValue, -1.0)], &[]);
    check(&[(Feature::SessionRemoves, 1.0)], &["session_removes"]);
    check(
        &[
            (Feature::SessionRemoves, 0.1),
            (Feature::CartValue, 1.0),
            (Feature::SessionMinutes, 2.0),
            (Feature::CartUnits, 0.5),
            (Feature::SessionViews, -3.0),
        ],
        &["session_minutes", "cart_value", "cart_units"],
    );
}

#[test]
fn nudge_delay_uses_own_returns_when_there_are_two() {
    let model = model_with(&[]);
    let check = |steps: &[(ActionKind, &str, u32, Option<f32>, u64)], expected: u64| {
        let h = history(steps);
        let last = steps.last().unwrap().4;
        assert_eq!(
            model.score(&features(&h, last)).unwrap().nudge_delay_ms,
            expected
        );
    };
    check(&[(Add, "a", 1, None, 0)], 24 * HOUR);
    check(
        &[(View, "a", 1, None, 0), (Add, "a", 1, None, 120)],
        24 * HOUR,
    );
    // Gaps of 120 and 240 minutes: the lower middle is 120.
    check(
        &[
            (View, "a", 1, None, 0),
            (View, "a", 1, None, 120),
            (Add, "a", 1, None, 360),
        ],
        120 * MINUTE,
    );
    // Gaps of 60, 300 and 100 minutes: the median is 100.
    check(
        &[
            (View, "a", 1, None, 0),
            (View, "a", 1, None, 60),
            (View, "a", 1, None, 360),
            (Add, "a", 1, None, 460),
        ],
        100 * MINUTE,
    );
}

fn assert_sane(score: Option<AbandonScore>) {
    let score = score.expect("a non-empty cart is scored");
    assert!(
        score.probability.is_finite() && (0.0..=1.0).contains(&score.probability),
        "{score:?}"
    );
    assert!(score.reasons.len() <= MAX_REASONS);
}

/// Bad carts, each must still get a finite score from an ordinary model.
#[test]
fn bad_input_still_scores() {
    let coefficients: Vec<(Feature, f32)> = Feature::ALL.iter().map(|&f| (f, 1.0)).collect();
    let model = model_with(&coefficients);
    let check = |steps: &[(ActionKind, &str, u32, Option<f32>, u64)], now_minutes: u64| {
        let h = history(steps);
        let f = features(&h, now_minutes);
        assert!(f.values().iter().all(|v| v.is_finite()), "{f:?}");
        assert_sane(model.score(&f));
    };
    // Unknown products.
    check(&[(Add, "no-such-product", 1, Some(3.0), 0)], 0);
    // Huge quantities and prices.
    check(
        &[
            (Add, "a", u32::MAX, Some(f32::MAX), 0),
            (Add, "a", u32::MAX, Some(f32::MAX), 1),
        ],
        1,
    );
    // Negative, NaN and infinite prices.
    check(
        &[
            (Add, "a", 1, Some(-5.0), 0),
            (Add, "b", 1, Some(f32::NAN), 0),
            (Add, "c", 1, Some(f32::INFINITY), 0),
        ],
        0,
    );
    // Missing prices.
    check(&[(Add, "a", 1, None, 0)], 0);
    // A clock that runs backwards: the scoring time is before the last add.
    check(&[(Add, "a", 1, None, 600)], 0);
    // A scoring time far in the future.
    let h = history(&[(Add, "a", 1, None, 0)]);
    assert_sane(model.score(&AbandonFeatures::from_history(&h, None, u64::MAX, 200, 200)));
}

#[test]
fn a_clock_that_runs_backwards_counts_as_no_time() {
    let h = history(&[(Add, "a", 1, None, 600)]);
    check_feature(&h, 0, Feature::MinutesSinceLastAdd, 0.0);
    check_feature(&h, 0, Feature::SessionMinutes, 0.0);
}

#[test]
fn a_hostile_model_still_gives_finite_probabilities() {
    let h = history(&[(Add, "a", 1, Some(1.0), 0), (Add, "b", 1, Some(1.0), 0)]);
    let f = features(&h, 0);
    let check = |coefficient: f32, scale: f32| {
        let mut wire = wire_with(
            &Feature::ALL
                .iter()
                .map(|&f| (f, coefficient))
                .collect::<Vec<_>>(),
        );
        wire.scales = vec![scale; FEATURE_COUNT];
        wire.intercept = coefficient;
        assert_sane(AbandonModel::from_wire(wire).unwrap().score(&f));
    };
    check(f32::MAX, 1.0);
    check(-f32::MAX, f32::MIN_POSITIVE);
    check(1.0, f32::MIN_POSITIVE);
}

#[test]
fn an_older_stored_history_is_refused_and_a_fresh_one_withholds() {
    let mut stored: StoredHistory = history(&[(Add, "a", 1, None, 0)]).to_stored();
    stored.v = HISTORY_FORMAT_VERSION + 1;
    let restored = History::restore(stored, HistoryConfig::default());
    assert!(matches!(restored, Err(HistoryError::WrongVersion { .. })));
    let fresh = History::new(HistoryConfig::default(), START);
    assert_eq!(
        model_with(&[(Feature::CartLines, 1.0)]).score(&features(&fresh, 0)),
        None
    );
}

#[test]
fn from_values_drops_non_finite_values() {
    let mut values = [1.0; FEATURE_COUNT];
    values[0] = f32::NAN;
    values[1] = f32::INFINITY;
    let f = AbandonFeatures::from_values(values, 1, None);
    assert_eq!(f.get(Feature::ALL[0]), 0.0);
    assert_eq!(f.get(Feature::ALL[1]), 0.0);
    assert_sane(model_with(&[(Feature::ALL[0], 1.0)]).score(&f));
}

#[test]
fn standardize_clips_and_drops_nan() {
    let check = |value: f32, mean: f32, scale: f32, expected: f32| {
        assert_eq!(standardize(value, mean, scale), expected)
    };
    check(3.0, 1.0, 2.0, 1.0);
    check(1e30, 0.0, 1.0, STANDARDIZED_CLIP);
    check(-1e30, 0.0, 1.0, -STANDARDIZED_CLIP);
    check(f32::NAN, 0.0, 1.0, 0.0);
    check(f32::INFINITY, f32::INFINITY, 1.0, 0.0);
}

#[test]
fn feature_names_round_trip() {
    for feature in Feature::ALL {
        assert_eq!(Feature::from_name(feature.name()), Some(feature));
        assert_eq!(Feature::ALL[feature as usize], feature);
    }
    assert_eq!(Feature::from_name("cart_colour"), None);
}

fn check_rejected(change: impl Fn(&mut AbandonModelWire), expected: &'static str) {
    let mut wire = wire_with(&[]);
    change(&mut wire);
    assert_eq!(
        AbandonModel::from_wire(wire),
        Err(BundleError::Malformed(expected))
    );
}

#[test]
fn malformed_models_are_rejected() {
    check_rejected(
        |w| w.means.pop().map(drop).unwrap_or(()),
        "abandon model arrays disagree in length",
    );
    check_rejected(
        |w| w.coefficients[3] = f32::NAN,
        "abandon model numbers are not finite",
    );
    check_rejected(
        |w| w.calibration_slope = f32::INFINITY,
        "abandon model numbers are not finite",
    );
    check_rejected(
        |w| w.scales[0] = 0.0,
        "abandon model scales must be positive",
    );
    check_rejected(
        |w| w.scales[0] = -1.0,
        "abandon model scales must be positive",
    );
    check_rejected(
        |w| w.feature_names[2] = "cart_colour".into(),
        "abandon model names an unknown feature",
    );
    check_rejected(
        |w| w.feature_names[2] = "cart_lines".into(),
        "abandon model names a feature twice",
    );
}

#[test]
fn a_subset_of_features_in_any_order_is_accepted() {
    let wire = AbandonModelWire {
        feature_names: vec!["session_views".into(), "cart_lines".into()],
        means: vec![0.0, 0.0],
        scales: vec![1.0, 1.0],
        coefficients: vec![0.0, 1.0],
        calibration_slope: 1.0,
        ..Default::default()
    };
    let model = AbandonModel::from_wire(wire).unwrap();
    assert_eq!(
        model.features(),
        [Feature::SessionViews, Feature::CartLines]
    );
    let f = features(&history(&[(Add, "a", 1, None, 0)]), 0);
    assert_eq!(model.logit(&f), ln1p(1.0));
}

#[test]
fn a_bundle_carries_the_abandon_model_and_score_cart_uses_it() {
    let mut wire = tiny_wire();
    wire.abandon = Some(wire_with(&[(Feature::CartLines, 1.0)]));
    let model = Model::from_bytes(&format::encode(&wire)).unwrap();
    assert_eq!(
        model.abandon.as_ref().unwrap().wire(),
        wire.abandon.as_ref().unwrap()
    );
    let h = history(&[(Add, "a", 1, None, 0)]);
    let score = score_cart(&model, &h, START, 12, 2).unwrap();
    assert!((score.probability - sigmoid(ln1p(1.0))).abs() < 1e-6);
    assert_eq!(score.reasons, ["cart_lines"]);
    assert_eq!(score_cart(&catalog(), &h, START, 12, 2), None);
    let mut bad = tiny_wire();
    bad.abandon = Some(AbandonModelWire {
        feature_names: vec!["x".into()],
        ..Default::default()
    });
    assert!(Model::from_bytes(&format::encode(&bad)).is_err());
}
