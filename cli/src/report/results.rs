//! From sums to the figures a marketer reads: per arm and scope, each metric with its 95%
//! interval, relative lift against the control arm with its interval, and a p-value; the
//! sample-ratio check; cumulative lift by day; warnings.
use std::collections::BTreeMap;

use super::analysis::{ArmSums, ExperimentSums, Scope};
use super::stats::{self, Moments};

/// What the report knows of an experiment besides its events (from the manifest, if given).
#[derive(Clone, Debug, Default)]
pub struct ExperimentInfo {
    /// Arm keys in manifest order, with their weights.
    pub arms: Vec<(String, f64)>,
    /// The control arm (the first non-personalized arm of the manifest).
    pub control: Option<String>,
}

/// Thresholds for warnings.
#[derive(Clone, Copy, Debug)]
pub struct Thresholds {
    /// Days of data below which the report warns.
    pub min_days: u64,
    /// Visitors per arm below which the report warns.
    pub min_visitors: u64,
}

/// One CSV row: one metric of one arm in one scope.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub experiment: String,
    pub scope: Scope,
    pub arm: String,
    pub metric: &'static str,
    pub value: f64,
    pub ci: Option<(f64, f64)>,
    pub lift: Option<f64>,
    pub lift_ci: Option<(f64, f64)>,
    pub p_value: Option<f64>,
    /// The sample size behind the value (visitors, or orders for the average order value).
    pub n: u64,
}

/// The sample-ratio check of one experiment.
#[derive(Clone, Debug, PartialEq)]
pub struct SampleRatio {
    pub observed: Vec<(String, u64)>,
    pub expected_shares: Vec<f64>,
    pub chi_square: f64,
    pub p_value: f64,
    /// True when p < 0.001.
    pub mismatch: bool,
    /// True when the weights came from the manifest (else equal weights were assumed).
    pub weights_from_manifest: bool,
}

/// Cumulative lift of one treatment arm against control at the end of one day.
#[derive(Clone, Debug, PartialEq)]
pub struct LiftPoint {
    pub day: u64,
    pub conversion_lift: Option<(f64, Option<(f64, f64)>)>,
    pub revenue_lift: Option<(f64, Option<(f64, f64)>)>,
}

/// Everything the outputs need about one experiment.
#[derive(Clone, Debug)]
pub struct ExperimentResult {
    pub key: String,
    pub control: String,
    /// Arms in display order, control first.
    pub arms: Vec<String>,
    pub rows: Vec<Row>,
    pub sample_ratio: Option<SampleRatio>,
    /// (scope, treatment arm) → points by day.
    pub series: BTreeMap<(Scope, String), Vec<LiftPoint>>,
    pub warnings: Vec<String>,
    pub visitors_in_two_arms: u64,
    pub visitors_without_exposure: u64,
    pub day_span: Option<(u64, u64)>,
}

fn choose_control(observed: &[String], info: &ExperimentInfo) -> String {
    if let Some(control) = &info.control {
        return control.clone();
    }
    for name in ["holdout", "control"] {
        if observed.iter().any(|arm| arm == name) {
            return name.to_string();
        }
    }
    observed.first().cloned().unwrap_or_default()
}

/// A rate (visitors with something / visitors): value, interval, variance of the value.
fn rate(successes: u64, n: u64) -> (f64, Option<(f64, f64)>, f64) {
    if n == 0 {
        return (0.0, None, 0.0);
    }
    let p = successes as f64 / n as f64;
    (
        p,
        stats::wilson_95(successes as f64, n as f64),
        p * (1.0 - p) / n as f64,
    )
}

/// Computes the result of one experiment.
pub fn experiment_result(
    key: &str,
    sums: &ExperimentSums,
    info: &ExperimentInfo,
    thresholds: Thresholds,
) -> ExperimentResult {
    let mut observed: Vec<String> = info.arms.iter().map(|(arm, _)| arm.clone()).collect();
    for (_, arm) in sums.arms.keys() {
        if !observed.contains(arm) {
            observed.push(arm.clone());
        }
    }
    if info.arms.is_empty() {
        observed.sort();
    }
    let control = choose_control(&observed, info);
    let mut arms = vec![control.clone()];
    arms.extend(observed.into_iter().filter(|arm| *arm != control));
    let empty = ArmSums::default();
    let get = |scope: Scope, arm: &str| sums.arms.get(&(scope, arm.to_string())).unwrap_or(&empty);

    let mut rows = Vec::new();
    let mut series = BTreeMap::new();
    for scope in [Scope::All, Scope::Changed] {
        let base = get(scope, &control);
        for arm in &arms {
            let sums_arm = get(scope, arm);
            let is_control = *arm == control;
            let mut push =
                |metric, value, ci, lift: Option<(f64, Option<(f64, f64)>)>, p_value, n| {
                    rows.push(Row {
                        experiment: key.to_string(),
                        scope,
                        arm: arm.clone(),
                        metric,
                        value,
                        ci,
                        lift: lift.map(|l| l.0),
                        lift_ci: lift.and_then(|l| l.1),
                        p_value,
                        n,
                    });
                };
            let n = sums_arm.visitors;
            push("visitors", n as f64, None, None, None, n);
            push("sessions", sums_arm.sessions as f64, None, None, None, n);
            push("exposures", sums_arm.exposures as f64, None, None, None, n);
            for (metric, successes, base_successes) in [
                ("add_to_cart_rate", sums_arm.carted, base.carted),
                ("conversion_rate", sums_arm.converted, base.converted),
            ] {
                let (value, ci, var) = rate(successes, n);
                let (lift, p_value) = if is_control {
                    (None, None)
                } else {
                    let (base_value, _, base_var) = rate(base_successes, base.visitors);
                    (
                        stats::relative_lift(base_value, base_var, value, var),
                        stats::two_proportion_p(
                            base_successes as f64,
                            base.visitors as f64,
                            successes as f64,
                            n as f64,
                        ),
                    )
                };
                push(metric, value, ci, lift, p_value, n);
            }
            push("orders", sums_arm.orders as f64, None, None, None, n);
            push(
                "revenue",
                sums_arm.revenue_per_visitor.moments().sum,
                None,
                None,
                None,
                n,
            );
            for (metric, moments, base_moments) in [
                (
                    "average_order_value",
                    sums_arm.order_value.moments(),
                    base.order_value.moments(),
                ),
                (
                    "revenue_per_visitor",
                    sums_arm.revenue_per_visitor.moments(),
                    base.revenue_per_visitor.moments(),
                ),
            ] {
                let (moments, base_moments) = (&moments, &base_moments);
                let (lift, p_value) = if is_control {
                    (None, None)
                } else {
                    (
                        stats::relative_lift(
                            base_moments.mean(),
                            base_moments.variance_of_mean(),
                            moments.mean(),
                            moments.variance_of_mean(),
                        ),
                        stats::welch_p(base_moments, moments),
                    )
                };
                push(
                    metric,
                    moments.mean(),
                    moments.interval_95(),
                    lift,
                    p_value,
                    moments.n as u64,
                );
            }
            if !is_control {
                series.insert(
                    (scope, arm.clone()),
                    lift_series(base, sums_arm, sums.day_span),
                );
            }
        }
    }

    let counts: Vec<(String, u64)> = arms
        .iter()
        .map(|arm| (arm.clone(), get(Scope::All, arm).visitors))
        .collect();
    let weights_from_manifest = !info.arms.is_empty();
    let expected_shares: Vec<f64> = arms
        .iter()
        .map(|arm| {
            if weights_from_manifest {
                info.arms
                    .iter()
                    .find(|(a, _)| a == arm)
                    .map_or(0.0, |(_, w)| *w)
            } else {
                1.0
            }
        })
        .collect();
    let observed: Vec<f64> = counts.iter().map(|(_, c)| *c as f64).collect();
    let sample_ratio =
        stats::chi_square_fit(&observed, &expected_shares).map(|(chi_square, p_value)| {
            SampleRatio {
                observed: counts.clone(),
                expected_shares: expected_shares.clone(),
                chi_square,
                p_value,
                mismatch: p_value < 0.001,
                weights_from_manifest,
            }
        });

    let mut warnings = Vec::new();
    match sums.day_span {
        Some((first, last)) if last - first + 1 < thresholds.min_days => warnings.push(format!(
            "only {} day(s) of data: run at least {} days (4 weeks) so that every weekday and payday counts",
            last - first + 1,
            thresholds.min_days
        )),
        None => warnings.push("no exposure in the data".to_string()),
        _ => {}
    }
    for (arm, count) in &counts {
        if *count < thresholds.min_visitors {
            warnings.push(format!(
                "arm {arm} has {count} visitor(s), below the minimum sample of {}",
                thresholds.min_visitors
            ));
        }
    }
    if let Some(check) = &sample_ratio {
        if check.mismatch {
            warnings.push(format!(
                "sample ratio mismatch (chi-square {:.2}, p = {:.2e} < 0.001): the visitors per arm do not follow the {}; find the cause before trusting any figure",
                check.chi_square,
                check.p_value,
                if weights_from_manifest { "manifest's weights" } else { "assumed equal weights" }
            ));
        }
        if !weights_from_manifest {
            warnings.push(
                "no --manifest: the sample-ratio check assumes equal arm weights".to_string(),
            );
        }
    }
    if sums.currencies.len() > 1 {
        let list: Vec<&str> = sums.currencies.iter().map(String::as_str).collect();
        warnings.push(format!(
            "orders in several currencies ({}): revenue is summed without conversion",
            list.join(", ")
        ));
    }
    if sums.visitors_in_two_arms > 0 {
        warnings.push(format!(
            "{} visitor(s) were seen in two arms and are left out",
            sums.visitors_in_two_arms
        ));
    }

    ExperimentResult {
        key: key.to_string(),
        control,
        arms,
        rows,
        sample_ratio,
        series,
        warnings,
        visitors_in_two_arms: sums.visitors_in_two_arms,
        visitors_without_exposure: sums.visitors_without_exposure,
        day_span: sums.day_span,
    }
}

#[derive(Default, Clone, Copy)]
struct Cumulative {
    visitors: u64,
    converted: u64,
    revenue: super::analysis::ExactSum,
}

impl Cumulative {
    fn add(&mut self, days: &BTreeMap<u64, super::analysis::DayDelta>, day: u64) {
        if let Some(delta) = days.get(&day) {
            self.visitors += delta.visitors;
            self.converted += delta.converted;
            self.revenue.n += delta.visitors;
            self.revenue.sum += delta.revenue;
            self.revenue.sum_sq += delta.revenue_sq;
        }
    }

    fn conversion(&self) -> (f64, f64) {
        let (p, _, variance) = rate(self.converted, self.visitors);
        (p, variance)
    }

    fn revenue(&self) -> Moments {
        self.revenue.moments()
    }
}

/// Cumulative lift at the end of each day of the experiment.
fn lift_series(control: &ArmSums, treatment: &ArmSums, span: Option<(u64, u64)>) -> Vec<LiftPoint> {
    let Some((first, last)) = span else {
        return Vec::new();
    };
    // Outcomes may be received after the last exposure day (or, with batching, before the
    // first): the series covers every day that changes a sum.
    let arms = [control, treatment];
    let last = arms
        .iter()
        .filter_map(|s| s.days.keys().next_back().copied())
        .fold(last, u64::max);
    let first = arms
        .iter()
        .filter_map(|s| s.days.keys().next().copied())
        .fold(first, u64::min);
    let (mut c, mut t) = (Cumulative::default(), Cumulative::default());
    let mut points = Vec::new();
    for day in first..=last {
        c.add(&control.days, day);
        t.add(&treatment.days, day);
        let (cp, cv) = c.conversion();
        let (tp, tv) = t.conversion();
        let (cr, tr) = (c.revenue(), t.revenue());
        points.push(LiftPoint {
            day,
            conversion_lift: stats::relative_lift(cp, cv, tp, tv),
            revenue_lift: stats::relative_lift(
                cr.mean(),
                cr.variance_of_mean(),
                tr.mean(),
                tr.variance_of_mean(),
            ),
        });
    }
    points
}
