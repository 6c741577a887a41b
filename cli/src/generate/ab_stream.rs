//! A generated A/B event stream with known ground truth, for the report's tests and benchmarks.
//!
//! Visitors are assigned with aisle's own assignment (default experiment), browse in 1–3
//! sessions over the test period, see grids (exposures, some changed by personalization),
//! add to cart and buy with arm-dependent probabilities. While generating, it counts the
//! truth the report must find, by the report's documented rules, and it injects bad input
//! (duplicates, resent orders, malformed lines, clock skew, visitors in two arms, visitors
//! never exposed, an unknown experiment) with exact counts.
use std::collections::BTreeMap;

use aisle::assign::assign;
use aisle::manifest::default_experiment;

use crate::random::SplitMix64;

/// Knobs of a generated stream.
#[derive(Clone, Debug)]
pub struct GeneratorConfig {
    pub seed: u64,
    pub visitors: usize,
    pub days: u64,
    /// Unix ms of the first day's midnight (UTC).
    pub start_ms: u64,
    /// Per-session add-to-cart probability in the holdout.
    pub cart_probability: f64,
    /// Probability that a cart is bought.
    pub buy_probability: f64,
    /// Multiplier of the cart probability in the personalized arm.
    pub treatment_multiplier: f64,
    /// Probability that an exposure is `changed`.
    pub changed_probability: f64,
    /// Share of lines emitted twice.
    pub duplicate_share: f64,
}

impl Default for GeneratorConfig {
    fn default() -> GeneratorConfig {
        GeneratorConfig {
            seed: 7,
            visitors: 2_000,
            days: 30,
            start_ms: 1_767_225_600_000, // 2026-01-01T00:00:00Z
            cart_probability: 0.12,
            buy_probability: 0.4,
            treatment_multiplier: 1.3,
            changed_probability: 0.6,
            duplicate_share: 0.02,
        }
    }
}

/// The truth of one arm in one scope.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ArmTruth {
    pub visitors: u64,
    pub sessions: u64,
    pub exposures: u64,
    pub carted: u64,
    pub converted: u64,
    pub orders: u64,
    pub revenue: f64,
    pub revenue_sq: f64,
}

/// What the report must find.
#[derive(Clone, Debug, Default)]
pub struct Truth {
    /// By (scope "all" | "changed", arm).
    pub arms: BTreeMap<(String, String), ArmTruth>,
    pub lines: u64,
    pub malformed: u64,
    pub duplicate_events: u64,
    pub duplicate_orders: u64,
    pub clock_skew: u64,
    pub unknown_experiment_events: u64,
    pub visitors_in_two_arms: u64,
    pub visitors_without_exposure: u64,
}

const EXPERIMENT: &str = "aisle-rerank";

struct Emitter<'a> {
    lines: Vec<String>,
    truth: &'a mut Truth,
    random: SplitMix64,
    next_id: u64,
    duplicate_share: f64,
}

impl Emitter<'_> {
    /// Emits one event: `body` is the type-specific JSON fields (starting with `"type"`).
    fn emit(&mut self, visitor: &str, session: u32, ts: u64, arms: &str, body: &str) -> String {
        self.next_id += 1;
        let id = format!("e{}", self.next_id);
        self.emit_with_id(&id, visitor, session, ts, ts + 1_500, arms, body);
        id
    }

    #[allow(clippy::too_many_arguments)]
    fn emit_with_id(
        &mut self,
        id: &str,
        visitor: &str,
        session: u32,
        ts: u64,
        received: u64,
        arms: &str,
        body: &str,
    ) {
        let line = format!(
            r#"{{"received":{received},"v":1,"id":"{id}","ts":{ts},"visitor":"{visitor}","session":"{session}"{arms},{body}}}"#
        );
        if self.random.unit() < self.duplicate_share {
            self.lines.push(line.clone());
            self.truth.duplicate_events += 1;
        }
        self.lines.push(line);
    }
}

fn arms_field(arm: &str) -> String {
    format!(r#","arms":{{"{EXPERIMENT}":"{arm}"}}"#)
}

/// Generates the lines (in time order per visitor, visitors interleaved by day) and the truth.
pub fn generate(config: &GeneratorConfig) -> (Vec<String>, Truth) {
    let mut truth = Truth::default();
    let experiment = default_experiment();
    let mut per_day: Vec<Vec<String>> = vec![Vec::new(); config.days as usize + 2];
    let mut emitter = Emitter {
        lines: Vec::new(),
        truth: &mut truth,
        random: SplitMix64::new(config.seed),
        next_id: 0,
        duplicate_share: config.duplicate_share,
    };
    for index in 0..config.visitors {
        let visitor = format!("v{index}-{:x}", emitter.random.next_u64() & 0xffff);
        let arm = assign(&experiment, &visitor)
            .arm_key
            .expect("everyone is in the default experiment");
        let arms = arms_field(&arm);
        let cart_probability = if arm == "personalized" {
            config.cart_probability * config.treatment_multiplier
        } else {
            config.cart_probability
        };
        let first_day = emitter.random.below_u64(config.days);
        let session_count = 1 + emitter.random.below_u64(3) as u32;
        let mut all = ArmTruth {
            visitors: 1,
            ..Default::default()
        };
        let mut changed = ArmTruth::default();
        let mut changed_seen = false;
        let (mut revenue_all, mut revenue_changed) = (0.0, 0.0);
        let mut day = first_day;
        let mut last_ts = 0;
        for session in 1..=session_count {
            let mut ts = config.start_ms
                + day * 86_400_000
                + 36_000_000
                + emitter.random.below_u64(36_000_000);
            // Sessions follow each other, so that "from the first exposure on" is the same in
            // generation order and in time order.
            ts = ts.max(last_ts + 1_800_000);
            all.sessions += 1;
            let changed_at_start = changed_seen;
            let mut changed_session_counted = false;
            if changed_at_start {
                changed.sessions += 1;
                changed_session_counted = true;
            }
            for _ in 0..1 + emitter.random.below_u64(3) {
                let is_changed = emitter.random.unit() < config.changed_probability;
                let body = format!(
                    r#""type":"exposure","experiment":"{EXPERIMENT}","arm":"{arm}","bundle_version":"m1","grid":"/c/shoes#0","shown":["p1","p2","p3"],"changed":{is_changed}"#
                );
                emitter.emit(&visitor, session, ts, &arms, &body);
                all.exposures += 1;
                if is_changed {
                    if !changed_seen {
                        changed_seen = true;
                        changed.visitors = 1;
                    }
                    changed.exposures += 1;
                    if !changed_session_counted {
                        changed.sessions += 1;
                        changed_session_counted = true;
                    }
                }
                ts += 20_000 + emitter.random.below_u64(60_000);
                emitter.emit(
                    &visitor,
                    session,
                    ts,
                    &arms,
                    r#""type":"product_view","product":"p2""#,
                );
                ts += 20_000 + emitter.random.below_u64(60_000);
            }
            if emitter.random.unit() < cart_probability {
                emitter.emit(
                    &visitor,
                    session,
                    ts,
                    &arms,
                    r#""type":"add_to_cart","product":"p2","price":25.5"#,
                );
                all.carted = 1;
                if changed_seen {
                    changed.carted = 1;
                }
                ts += 60_000;
                if emitter.random.unit() < config.buy_probability {
                    let revenue = (1_000 + emitter.random.below_u64(19_000)) as f64 / 100.0;
                    let order = format!("o-{visitor}-{session}");
                    let body = format!(
                        r#""type":"purchase","order_id":"{order}","revenue":{revenue},"currency":"EUR","items":[{{"product":"p2"}}]"#
                    );
                    emitter.emit(&visitor, session, ts, &arms, &body);
                    all.orders += 1;
                    all.converted = 1;
                    revenue_all += revenue;
                    if changed_seen {
                        changed.orders += 1;
                        changed.converted = 1;
                        revenue_changed += revenue;
                    }
                    // Now and then the theme reports the same order twice under a new event id.
                    if emitter.random.unit() < 0.05 {
                        emitter.emit(&visitor, session, ts + 5_000, &arms, &body);
                        emitter.truth.duplicate_orders += 1;
                    }
                }
            }
            // Now and then a device clock runs 8 days behind: counted as skew, kept (it falls
            // before the first exposure, so it changes no figure).
            if emitter.random.unit() < 0.01 {
                emitter.next_id += 1;
                let id = format!("e{}", emitter.next_id);
                let behind = ts - 8 * 86_400_000;
                emitter.emit_with_id(
                    &id,
                    &visitor,
                    session,
                    behind,
                    ts + 2_000,
                    &arms,
                    r#""type":"product_view","product":"p9""#,
                );
                emitter.truth.clock_skew += 1;
            }
            // Now and then an exposure of an experiment that is not in the manifest.
            if emitter.random.unit() < 0.01 {
                let body = r#""type":"exposure","experiment":"old-test","arm":"b","bundle_version":"m0","grid":"/c#0","shown":["p1"],"changed":false"#;
                emitter.emit(&visitor, session, ts + 1_000, "", body);
                emitter.truth.unknown_experiment_events += 1;
            }
            last_ts = ts + 10_000;
            day = (day + 1 + emitter.random.below_u64(3)).min(config.days + 1);
        }
        all.revenue = revenue_all;
        all.revenue_sq = revenue_all * revenue_all;
        add_truth(emitter.truth, "all", &arm, &all);
        if changed_seen {
            changed.revenue = revenue_changed;
            changed.revenue_sq = revenue_changed * revenue_changed;
            add_truth(emitter.truth, "changed", &arm, &changed);
        }
        per_day[first_day as usize].append(&mut emitter.lines);
    }
    // Bad visitors and lines, spread over the first days.
    for index in 0..5 {
        let visitor = format!("two-arms-{index}");
        let ts = config.start_ms + index * 86_400_000 + 40_000_000;
        for (offset, arm) in [(0, "holdout"), (60_000, "personalized")] {
            let body = format!(
                r#""type":"exposure","experiment":"{EXPERIMENT}","arm":"{arm}","bundle_version":"m1","grid":"/c#0","shown":["p1"],"changed":true"#
            );
            emitter.emit(&visitor, 1, ts + offset, &arms_field(arm), &body);
        }
        emitter.truth.visitors_in_two_arms += 1;
        let visitor = format!("never-exposed-{index}");
        emitter.emit(
            &visitor,
            1,
            ts,
            &arms_field("holdout"),
            r#""type":"product_view","product":"p1""#,
        );
        emitter.truth.visitors_without_exposure += 1;
        emitter.lines.push("{\"v\":1,\"id\":\"cut".to_string());
        emitter.lines.push(r#"{"v":2,"id":"x","ts":1,"visitor":"v","session":"1","type":"product_view","product":"p"}"#.to_string());
        emitter.truth.malformed += 2;
        per_day[index as usize].append(&mut emitter.lines);
    }
    let lines: Vec<String> = per_day.into_iter().flatten().collect();
    truth.lines = lines.len() as u64;
    (lines, truth)
}

fn add_truth(truth: &mut Truth, scope: &str, arm: &str, visitor: &ArmTruth) {
    let sums = truth
        .arms
        .entry((scope.to_string(), arm.to_string()))
        .or_default();
    sums.visitors += visitor.visitors;
    sums.sessions += visitor.sessions;
    sums.exposures += visitor.exposures;
    sums.carted += visitor.carted;
    sums.converted += visitor.converted;
    sums.orders += visitor.orders;
    sums.revenue += visitor.revenue;
    sums.revenue_sq += visitor.revenue_sq;
}
