//! Per-visitor analysis: one visitor's events (all of them, from one partition) become
//! contributions to per-experiment, per-arm, per-scope sums, plus data-quality counts.
//!
//! Rules (docs/ab-testing.md, "How the report counts"):
//! - A visitor counts in experiment E from their first exposure in E (scope `changed`: from
//!   their first exposure with `changed: true`); outcomes before that are not counted.
//! - The visitor's arm is the arm of their exposures; an outcome's `arms` map must agree when
//!   it names E. A visitor seen in two arms of E is counted and left out of E's figures.
//! - A visitor named in `arms` maps of E but never exposed in E is counted and left out.
//! - Events with the same id (per visitor) count once; purchases with the same order id count once.
use std::collections::{BTreeMap, BTreeSet, HashSet};

use super::partition::{Slim, SlimKind};
use super::stats::Moments;

/// Which visitors and outcomes a figure covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Scope {
    /// Every exposed visitor, from their first exposure.
    All,
    /// Visitors with an exposure whose order personalization changed, from that exposure.
    Changed,
}

impl Scope {
    /// The CSV name.
    pub fn name(self) -> &'static str {
        match self {
            Scope::All => "all",
            Scope::Changed => "changed",
        }
    }
}

/// Money in millionths, summed as integers so that totals do not depend on the order in
/// which visitors are added (and so on the partitioning): the report is reproducible to the bit.
pub type Micros = i128;

/// Converts an amount to [`Micros`].
pub fn to_micros(amount: f64) -> Micros {
    (amount * 1e6).round() as Micros
}

/// Count, sum and sum of squares of amounts, exactly.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ExactSum {
    /// Values added.
    pub n: u64,
    /// Σ value, micros.
    pub sum: Micros,
    /// Σ value², micros².
    pub sum_sq: Micros,
}

impl ExactSum {
    /// Adds one value.
    pub fn add(&mut self, value: Micros) {
        self.n += 1;
        self.sum += value;
        self.sum_sq += value * value;
    }

    /// The moments in currency units.
    pub fn moments(&self) -> Moments {
        Moments {
            n: self.n as f64,
            sum: self.sum as f64 / 1e6,
            sum_sq: self.sum_sq as f64 / 1e12,
        }
    }
}

/// What one day adds to an arm's cumulative figures.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct DayDelta {
    /// Visitors whose first (in-scope) exposure was that day.
    pub visitors: u64,
    /// Visitors whose first add to cart was that day.
    pub carted: u64,
    /// Visitors whose first order was that day.
    pub converted: u64,
    /// Revenue of that day's orders.
    pub revenue: Micros,
    /// Change of Σ (revenue per visitor)² that day, so that cumulative variances are exact.
    pub revenue_sq: Micros,
}

/// Sums for one arm in one scope.
#[derive(Clone, Debug, Default)]
pub struct ArmSums {
    /// Visitors.
    pub visitors: u64,
    /// Distinct (visitor, session) pairs with an in-scope event.
    pub sessions: u64,
    /// Exposure events (scope `changed`: those with `changed: true`).
    pub exposures: u64,
    /// Visitors with an add to cart.
    pub carted: u64,
    /// Visitors with an order.
    pub converted: u64,
    /// Orders.
    pub orders: u64,
    /// Revenue per visitor (n = visitors).
    pub revenue_per_visitor: ExactSum,
    /// Revenue per order (n = orders with a revenue).
    pub order_value: ExactSum,
    /// Daily contributions, by UTC day number.
    pub days: BTreeMap<u64, DayDelta>,
}

/// Sums and counts for one experiment.
#[derive(Clone, Debug, Default)]
pub struct ExperimentSums {
    /// By (scope, arm key).
    pub arms: BTreeMap<(Scope, String), ArmSums>,
    /// Visitors seen in two or more arms (left out of the figures).
    pub visitors_in_two_arms: u64,
    /// Visitors named in `arms` maps but never exposed (left out of the figures).
    pub visitors_without_exposure: u64,
    /// Currencies of the orders.
    pub currencies: BTreeSet<String>,
    /// First and last UTC day with an exposure.
    pub day_span: Option<(u64, u64)>,
}

/// Counts of input that was not used as is.
#[derive(Clone, Debug, Default)]
pub struct Quality {
    /// Lines read.
    pub lines: u64,
    /// Lines that are not valid schema v1 events.
    pub malformed: u64,
    /// The first few of those, as `file:line: reason`.
    pub malformed_examples: Vec<String>,
    /// Events whose id was already seen for the same visitor (dropped).
    pub duplicate_events: u64,
    /// Purchases whose order id was already seen for the same visitor (dropped).
    pub duplicate_orders: u64,
    /// Events whose device time is more than 10 minutes after, or 7 days before, receipt.
    /// This and the counts below are of distinct events (duplicates counted once).
    pub clock_skew: u64,
    /// Events without a receipt time (not written by `aisle collect`): skew not checked.
    pub without_receipt: u64,
    /// Exposures and `arms` entries of experiments not in the manifest (left out).
    pub unknown_experiment_events: u64,
    /// Exposures and `arms` entries naming an arm the manifest does not have (left out).
    pub unknown_arm_events: u64,
    /// Exposures and `arms` entries of experiments other than `--experiment` (ignored).
    pub other_experiment_events: u64,
}

/// Analyzes one visitor's events into `experiments` and `quality`.
pub fn analyze_visitor(
    mut events: Vec<Slim>,
    experiments: &mut BTreeMap<String, ExperimentSums>,
    quality: &mut Quality,
) {
    let mut seen_ids = HashSet::new();
    let mut seen_orders = HashSet::new();
    events.retain(|event| {
        if !seen_ids.insert(event.id.clone()) {
            quality.duplicate_events += 1;
            return false;
        }
        if let SlimKind::Purchase {
            order_id: Some(order),
            ..
        } = &event.kind
        {
            if !seen_orders.insert(order.clone()) {
                quality.duplicate_orders += 1;
                return false;
            }
        }
        quality.clock_skew += u64::from(event.notes.clock_skew);
        quality.without_receipt += u64::from(event.notes.without_receipt);
        quality.unknown_experiment_events += u64::from(event.notes.unknown_experiment);
        quality.unknown_arm_events += u64::from(event.notes.unknown_arm);
        quality.other_experiment_events += u64::from(event.notes.other_experiment);
        true
    });
    events.sort_by_key(|event| (event.ts, event.day));

    let mut named: BTreeSet<&str> = BTreeSet::new();
    for event in &events {
        named.extend(event.arms.keys().map(String::as_str));
        if let SlimKind::Exposure { experiment, .. } = &event.kind {
            named.insert(experiment);
        }
    }
    for experiment in named {
        let sums = experiments.entry(experiment.to_string()).or_default();
        let mut arms: BTreeSet<&str> = BTreeSet::new();
        let mut exposed = false;
        for event in &events {
            if let SlimKind::Exposure {
                experiment: e, arm, ..
            } = &event.kind
            {
                if e == experiment {
                    exposed = true;
                    arms.insert(arm);
                }
            }
            if let Some(arm) = event.arms.get(experiment) {
                arms.insert(arm);
            }
        }
        if !exposed {
            sums.visitors_without_exposure += 1;
            continue;
        }
        if arms.len() > 1 {
            sums.visitors_in_two_arms += 1;
            continue;
        }
        let arm = arms
            .into_iter()
            .next()
            .expect("an exposure names an arm")
            .to_string();
        for scope in [Scope::All, Scope::Changed] {
            add_visitor(&events, experiment, &arm, scope, sums);
        }
    }
}

fn is_exposure_of(event: &Slim, experiment: &str, scope: Scope) -> bool {
    match &event.kind {
        SlimKind::Exposure {
            experiment: e,
            changed,
            ..
        } => e == experiment && (scope == Scope::All || *changed),
        _ => false,
    }
}

/// Adds one visitor (already known to be in `arm`) to the sums of `scope`.
fn add_visitor(
    events: &[Slim],
    experiment: &str,
    arm: &str,
    scope: Scope,
    sums: &mut ExperimentSums,
) {
    let Some(start) = events
        .iter()
        .position(|e| is_exposure_of(e, experiment, scope))
    else {
        return;
    };
    let in_scope = &events[start..];
    let first_day = in_scope[0].day;
    if scope == Scope::All {
        let last_day = in_scope
            .iter()
            .filter(|e| is_exposure_of(e, experiment, scope))
            .map(|e| e.day)
            .max()
            .unwrap_or(first_day);
        sums.day_span = Some(match sums.day_span {
            Some((low, high)) => (low.min(first_day), high.max(last_day)),
            None => (first_day, last_day),
        });
    }
    let arm_sums = sums.arms.entry((scope, arm.to_string())).or_default();
    arm_sums.visitors += 1;
    arm_sums.days.entry(first_day).or_default().visitors += 1;
    let sessions: HashSet<&str> = in_scope.iter().map(|e| e.session.as_str()).collect();
    arm_sums.sessions += sessions.len() as u64;
    arm_sums.exposures += in_scope
        .iter()
        .filter(|e| is_exposure_of(e, experiment, scope))
        .count() as u64;
    if let Some(cart) = in_scope.iter().find(|e| e.kind == SlimKind::AddToCart) {
        arm_sums.carted += 1;
        arm_sums.days.entry(cart.day).or_default().carted += 1;
    }
    let mut revenue: Micros = 0;
    let mut converted = false;
    for event in in_scope {
        let SlimKind::Purchase {
            revenue: order_revenue,
            currency,
            ..
        } = &event.kind
        else {
            continue;
        };
        arm_sums.orders += 1;
        let day = arm_sums.days.entry(event.day).or_default();
        if !converted {
            converted = true;
            arm_sums.converted += 1;
            day.converted += 1;
        }
        // An order without a revenue counts as an order, adds nothing to revenue, and is left
        // out of the average order value.
        if let Some(order_revenue) = order_revenue.map(to_micros) {
            day.revenue += order_revenue;
            day.revenue_sq +=
                (revenue + order_revenue) * (revenue + order_revenue) - revenue * revenue;
            revenue += order_revenue;
            arm_sums.order_value.add(order_revenue);
        }
        if let Some(currency) = currency {
            sums.currencies.insert(currency.clone());
        }
    }
    arm_sums.revenue_per_visitor.add(revenue);
}
