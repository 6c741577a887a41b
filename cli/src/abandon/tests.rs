//! Training on small synthetic event logs whose outcome is known by construction.
use super::*;
use aisle::abandon::AbandonFeatures;
use aisle::events::{EventBody, LineItem, EVENT_SCHEMA_VERSION};
use aisle::history::{ActionKind, History, HistoryConfig};

const T0: u64 = 1_569_888_000_000;
const MINUTE: u64 = 60_000;

fn event(visitor: usize, minute: u64, body: EventBody) -> Event {
    Event {
        v: EVENT_SCHEMA_VERSION,
        id: String::new(),
        ts: T0 + minute * MINUTE,
        visitor: format!("v{visitor}"),
        session: String::new(),
        arms: Default::default(),
        body,
    }
}

/// `visitors` one-session visitors, one every 3 minutes: each views, adds one product priced
/// 10 or 200, and buys the cheap ones, except every fifth visitor who does the opposite.
fn shop(visitors: usize) -> Vec<Event> {
    let mut events = Vec::new();
    for v in 0..visitors {
        let start = v as u64 * 3;
        let expensive = v % 2 == 0;
        let product = format!("p{v}");
        events.push(event(
            v,
            start,
            EventBody::ProductView {
                product: product.clone(),
            },
        ));
        events.push(event(
            v,
            start + 1,
            EventBody::AddToCart {
                product: product.clone(),
                quantity: 1,
                price: Some(if expensive { 200.0 } else { 10.0 }),
            },
        ));
        if expensive == (v % 5 == 0) {
            let items = vec![LineItem {
                product,
                quantity: 1,
                price: None,
            }];
            events.push(event(
                v,
                start + 2,
                EventBody::Purchase {
                    order_id: None,
                    revenue: None,
                    currency: None,
                    items,
                },
            ));
        }
    }
    events
}

fn cart_of(price: f32) -> AbandonFeatures {
    let mut history = History::new(HistoryConfig::default(), T0);
    history.record(ActionKind::AddToCart, "x", 1, Some(price), T0);
    AbandonFeatures::from_history(&history, None, T0, 12, 2)
}

fn config() -> AbandonTrainingConfig {
    AbandonTrainingConfig {
        drop_open_sessions: false,
        min_calibration_sessions: 30,
        ..Default::default()
    }
}

/// Asserts that the model learned what [`shop`] makes true: a dearer cart is abandoned more.
fn assert_dear_carts_are_riskier(wire: &AbandonModelWire) {
    let value = wire
        .feature_names
        .iter()
        .position(|n| n == "cart_value")
        .unwrap();
    assert!(wire.coefficients[value] > 0.5, "{wire:?}");
}

#[test]
fn learns_that_dear_carts_are_abandoned() {
    let (wire, report) = train_abandon_model(&shop(100), None, &config()).unwrap();
    assert_eq!(
        (report.sessions, report.moments, report.abandoned_sessions),
        (100, 100, 50)
    );
    assert_eq!((report.fit_sessions, report.calibration_sessions), (70, 30));
    assert_dear_carts_are_riskier(&wire);
    let model = AbandonModel::from_wire(wire).unwrap();
    let (dear, cheap) = (
        model.probability(&cart_of(200.0)),
        model.probability(&cart_of(10.0)),
    );
    // 4 in 5 dear carts are abandoned and 1 in 5 cheap ones; the penalties pull a little in.
    assert!(
        dear > 0.6 && dear < 0.9 && cheap > 0.1 && cheap < 0.4,
        "dear {dear}, cheap {cheap}"
    );
}

#[test]
fn a_small_calibration_part_is_not_split_off() {
    let (wire, report) = train_abandon_model(
        &shop(100),
        None,
        &AbandonTrainingConfig {
            drop_open_sessions: false,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!((report.fit_sessions, report.calibration_sessions), (100, 0));
    assert_eq!(
        (wire.calibration_slope, wire.calibration_intercept),
        (1.0, 0.0)
    );
}

#[test]
fn constant_features_are_left_out() {
    let (wire, report) = train_abandon_model(&shop(60), None, &config()).unwrap();
    for constant in [
        "cart_lines",
        "cart_units",
        "session_removes",
        "returning_visitor",
        "cart_unpriced_share",
    ] {
        assert!(
            report.dropped_constant_features.contains(&constant),
            "{constant}: {report:?}"
        );
        assert!(!wire.feature_names.iter().any(|n| n == constant));
    }
}

#[test]
fn training_is_deterministic() {
    let events = shop(80);
    let first = train_abandon_model(&events, None, &config()).unwrap().0;
    let second = train_abandon_model(&events, None, &config()).unwrap().0;
    assert_eq!(first, second);
}

#[test]
fn too_little_data_is_an_error() {
    let error = train_abandon_model(&shop(10), None, &config()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "only 10 usable sessions with a cart, at least 20 are needed to learn an abandon model"
    );
    let no_events = train_abandon_model(&[], None, &config()).unwrap_err();
    assert!(no_events.to_string().starts_with("only 0 usable sessions"));
}

#[test]
fn one_outcome_only_is_an_error() {
    let never_bought: Vec<Event> = shop(40)
        .into_iter()
        .filter(|e| !matches!(e.body, EventBody::Purchase { .. }))
        .collect();
    let error = train_abandon_model(&never_bought, None, &config()).unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("every training session has the same outcome"),
        "{error}"
    );
}

#[test]
fn sessions_the_data_may_have_cut_off_are_dropped() {
    let events = shop(40);
    let (_, report) =
        train_abandon_model(&events, None, &AbandonTrainingConfig::default()).unwrap();
    // The last visitors start within 30 minutes of the final event (minute 119).
    assert_eq!(report.dropped_open_sessions, 10);
    assert_eq!(report.sessions, 30);
}

#[test]
fn the_population_nudge_delay_is_the_median_return_gap() {
    assert_eq!(population_nudge_delay_ms(&[]), FALLBACK_NUDGE_DELAY_MS);
    assert_eq!(population_nudge_delay_ms(&[5]), FALLBACK_NUDGE_DELAY_MS);
    assert_eq!(population_nudge_delay_ms(&[50, 10, 40]), 40);
}

#[test]
fn a_bounded_sample_learns_the_same_whatever_the_visitor_order() {
    let events = shop(200);
    let config = AbandonTrainingConfig {
        max_sessions: 120,
        ..config()
    };
    let (wire, report) = train_abandon_model(&events, None, &config).unwrap();
    assert_eq!((report.sessions_in_data, report.sessions), (200, 120));
    assert_dear_carts_are_riskier(&wire);
    // Visitors offered in the opposite order give the same sample, so the same model.
    let mut sample = AbandonSample::new(&config);
    for (visitor, actions) in moments::actions_by_visitor(&events).iter().rev() {
        sample.add_visitor(visitor, actions, None, &config.replay);
    }
    let data_end_ms = events.iter().map(|e| e.ts).max().unwrap();
    assert_eq!(
        train_on_sample(sample, data_end_ms, &config).unwrap().0,
        wire
    );
}

/// A quarter of the sessions learns what all of them teach: the mean predicted risk of dear
/// and of cheap carts stays within a few points (the sample's noise; on real logs the bound
/// is far above what one coefficient per feature needs).
#[test]
fn a_sample_predicts_like_the_whole() {
    let events = shop(8000);
    let everything = moments::replay(&events, None, &config().replay);
    let mean_risks = |max_sessions| {
        let (wire, report) = train_abandon_model(
            &events,
            None,
            &AbandonTrainingConfig {
                max_sessions,
                ..config()
            },
        )
        .unwrap();
        let model = AbandonModel::from_wire(wire).unwrap();
        let mut sums = [(0.0, 0); 2];
        for moment in &everything.moments {
            let dear = moment.features.get(aisle::abandon::Feature::CartValue)
                > cart_of(10.0).get(aisle::abandon::Feature::CartValue);
            sums[usize::from(dear)].0 += f64::from(model.probability(&moment.features));
            sums[usize::from(dear)].1 += 1;
        }
        (report.sessions, sums.map(|(sum, n)| sum / f64::from(n)))
    };
    let (all, [cheap, dear]) = mean_risks(usize::MAX);
    let (sampled, [sampled_cheap, sampled_dear]) = mean_risks(2000);
    assert_eq!((all, sampled), (8000, 2000));
    assert!(
        (dear - 0.8).abs() < 0.02 && (cheap - 0.2).abs() < 0.02,
        "all: dear {dear}, cheap {cheap}"
    );
    assert!(
        (dear - sampled_dear).abs() < 0.03 && (cheap - sampled_cheap).abs() < 0.03,
        "sample: dear {sampled_dear}, cheap {sampled_cheap}"
    );
}
