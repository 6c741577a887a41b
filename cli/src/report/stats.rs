//! The tests and intervals the report needs: the two-proportion z-test, Welch's t-test,
//! Wilson and t intervals, the relative lift by the delta method and the sample-ratio
//! chi-square, built on the `statrs` crate's normal, Student's t and chi-square distributions.
use statrs::distribution::{ChiSquared, ContinuousCDF, Normal, StudentsT};

/// The 97.5% quantile of the standard normal: the half-width of a 95% interval, in sds.
pub const Z_95: f64 = 1.959_963_984_540_054;

/// P(Z ≤ z) for a standard normal Z.
fn normal_cdf(z: f64) -> f64 {
    Normal::new(0.0, 1.0).expect("the standard normal").cdf(z)
}

/// Student's t with `df` degrees of freedom (df may be fractional, as Welch's is); `None`
/// for infinite df, which is the standard normal.
fn students_t(df: f64) -> Option<StudentsT> {
    if df.is_infinite() {
        return None;
    }
    Some(StudentsT::new(0.0, 1.0, df).expect("degrees of freedom are positive"))
}

/// P(T ≤ t) for Student's t with `df` degrees of freedom.
fn t_cdf(t: f64, df: f64) -> f64 {
    students_t(df).map_or_else(|| normal_cdf(t), |distribution| distribution.cdf(t))
}

/// The `p` quantile of Student's t with `df` degrees of freedom.
fn t_quantile(p: f64, df: f64) -> f64 {
    match students_t(df) {
        Some(distribution) => distribution.inverse_cdf(p),
        None => Normal::new(0.0, 1.0)
            .expect("the standard normal")
            .inverse_cdf(p),
    }
}

/// P(X ≥ x) for a chi-square X with `df` degrees of freedom.
fn chi_square_sf(x: f64, df: f64) -> f64 {
    ChiSquared::new(df)
        .expect("degrees of freedom are positive")
        .sf(x)
}

/// Two-sided p-value of the two-proportion z-test (pooled), or `None` when undefined.
pub fn two_proportion_p(successes_a: f64, n_a: f64, successes_b: f64, n_b: f64) -> Option<f64> {
    if n_a <= 0.0 || n_b <= 0.0 {
        return None;
    }
    let pooled = (successes_a + successes_b) / (n_a + n_b);
    let se = (pooled * (1.0 - pooled) * (1.0 / n_a + 1.0 / n_b)).sqrt();
    if se <= 0.0 {
        return None;
    }
    let z = (successes_b / n_b - successes_a / n_a) / se;
    Some(2.0 * (1.0 - normal_cdf(z.abs())))
}

/// Mean and sample variance of a sample given by count, sum and sum of squares.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Moments {
    /// Sample size.
    pub n: f64,
    /// Sum of values.
    pub sum: f64,
    /// Sum of squared values.
    pub sum_sq: f64,
}

impl Moments {
    /// The mean, 0 for an empty sample.
    pub fn mean(&self) -> f64 {
        if self.n > 0.0 {
            self.sum / self.n
        } else {
            0.0
        }
    }

    /// The sample variance (n − 1), 0 below two values.
    pub fn variance(&self) -> f64 {
        if self.n < 2.0 {
            return 0.0;
        }
        ((self.sum_sq - self.sum * self.sum / self.n) / (self.n - 1.0)).max(0.0)
    }

    /// The variance of the mean.
    pub fn variance_of_mean(&self) -> f64 {
        if self.n > 0.0 {
            self.variance() / self.n
        } else {
            0.0
        }
    }

    /// A 95% t interval of the mean.
    pub fn interval_95(&self) -> Option<(f64, f64)> {
        if self.n < 2.0 {
            return None;
        }
        let half = t_quantile(0.975, self.n - 1.0) * self.variance_of_mean().sqrt();
        Some((self.mean() - half, self.mean() + half))
    }
}

/// Two-sided p-value of Welch's t-test, or `None` when undefined (a sample below two values,
/// or both variances zero).
pub fn welch_p(a: &Moments, b: &Moments) -> Option<f64> {
    if a.n < 2.0 || b.n < 2.0 {
        return None;
    }
    let (va, vb) = (a.variance_of_mean(), b.variance_of_mean());
    let se2 = va + vb;
    if se2 <= 0.0 {
        return None;
    }
    let t = (b.mean() - a.mean()) / se2.sqrt();
    let df = se2 * se2 / (va * va / (a.n - 1.0) + vb * vb / (b.n - 1.0));
    Some(2.0 * (1.0 - t_cdf(t.abs(), df)))
}

/// Wilson's 95% interval of a proportion.
pub fn wilson_95(successes: f64, n: f64) -> Option<(f64, f64)> {
    if n <= 0.0 {
        return None;
    }
    let p = successes / n;
    let z2 = Z_95 * Z_95;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = Z_95 * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / (1.0 + z2 / n);
    Some(((centre - half).max(0.0), (centre + half).min(1.0)))
}

/// Relative lift `treatment / control − 1` with a 95% interval from the delta method on the
/// log of the ratio (so the interval stays above −100%). Inputs are the two means and the
/// variances of those means. `None` when the control mean is not positive.
pub fn relative_lift(
    control: f64,
    control_var: f64,
    treatment: f64,
    treatment_var: f64,
) -> Option<(f64, Option<(f64, f64)>)> {
    if control <= 0.0 {
        return None;
    }
    let lift = treatment / control - 1.0;
    if treatment <= 0.0 {
        return Some((lift, None));
    }
    let se = (control_var / (control * control) + treatment_var / (treatment * treatment)).sqrt();
    let log_ratio = (treatment / control).ln();
    Some((
        lift,
        Some((
            (log_ratio - Z_95 * se).exp() - 1.0,
            (log_ratio + Z_95 * se).exp() - 1.0,
        )),
    ))
}

/// Pearson's chi-square goodness of fit of `observed` counts against `expected_shares`
/// (normalized here): the statistic and its p-value.
pub fn chi_square_fit(observed: &[f64], expected_shares: &[f64]) -> Option<(f64, f64)> {
    let total: f64 = observed.iter().sum();
    let share_total: f64 = expected_shares.iter().sum();
    if observed.len() < 2
        || observed.len() != expected_shares.len()
        || total <= 0.0
        || share_total <= 0.0
    {
        return None;
    }
    let mut statistic = 0.0;
    for (o, share) in observed.iter().zip(expected_shares) {
        let expected = total * share / share_total;
        if expected <= 0.0 {
            return None;
        }
        statistic += (o - expected) * (o - expected) / expected;
    }
    Some((
        statistic,
        chi_square_sf(statistic, (observed.len() - 1) as f64),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// How far statrs' normal CDF may be from the exact value (see `normal_cdf_known_values`).
    const ERFC_TOLERANCE: f64 = 2e-12;

    fn close(got: f64, expected: f64, tolerance: f64) {
        assert!(
            (got - expected).abs() <= tolerance,
            "got {got}, expected {expected}"
        );
    }

    #[test]
    fn normal_cdf_known_values() {
        // Python: 0.5 * math.erfc(-z / math.sqrt(2)). statrs 0.19's erfc is good to about
        // 1e-10 relative (its interval constants carry 10 digits; statrs-dev/statrs#412 fixes
        // that after the release): Φ(1.96) comes out 1.1e-12 high.
        for (z, expected) in [
            (0.0, 0.5),
            (1.96, 0.9750021048517795),
            (-3.0, 0.0013498980316300957),
            (0.5, 0.6914624612740131),
        ] {
            close(normal_cdf(z), expected, ERFC_TOLERANCE);
        }
        close(normal_cdf(Z_95), 0.975, ERFC_TOLERANCE);
    }

    #[test]
    fn t_cdf_known_values() {
        // Closed forms: df = 1 is Cauchy, df = 2 is 1/2 + t / (2 sqrt(2 + t²)).
        close(t_cdf(1.0, 1.0), 0.75, 1e-12);
        close(t_cdf(-1.0, 1.0), 0.25, 1e-12);
        for t in [-3.0, -0.4, 0.0, 1.0, 2.5] {
            close(
                t_cdf(t, 2.0),
                0.5 + t / (2.0 * (2.0f64 + t * t).sqrt()),
                1e-12,
            );
        }
        // Table quantiles: t(0.975; 10) = 2.228139, t(0.975; 30) = 2.042272.
        close(t_cdf(2.228_138_851_986_274, 10.0), 0.975, 1e-10);
        close(t_cdf(2.042_272_456_301_238, 30.0), 0.975, 1e-10);
        close(t_quantile(0.975, 10.0), 2.228_138_851_986_274, 1e-9);
        close(t_quantile(0.975, 1.0), 12.706_204_736_174_7, 1e-7);
        close(
            t_cdf(1.96, f64::INFINITY),
            0.9750021048517795,
            ERFC_TOLERANCE,
        );
    }

    #[test]
    fn chi_square_known_values() {
        close(chi_square_sf(3.841_458_820_694_124, 1.0), 0.05, 1e-10);
        close(chi_square_sf(10.827_566_170_662_733, 1.0), 0.001, 1e-10);
        close(chi_square_sf(11.070_497_693_516_351, 5.0), 0.05, 1e-10);
        for x in [0.5, 2.0, 9.0] {
            close(chi_square_sf(x, 2.0), (-x / 2.0f64).exp(), 1e-12); // df = 2 is exponential
        }
        close(chi_square_sf(0.0, 3.0), 1.0, 0.0);
    }

    #[test]
    fn two_proportion_test_matches_hand_computation() {
        // 200/1000 vs 250/1000: pooled 0.225, se = sqrt(0.225 * 0.775 * 0.002) = 0.018675,
        // z = 0.05 / 0.018675 = 2.6774, p = 2 (1 − Φ(2.6774)) = 0.007419.
        close(
            two_proportion_p(200.0, 1000.0, 250.0, 1000.0).unwrap(),
            0.007_419_4,
            2e-6,
        );
        assert_eq!(two_proportion_p(0.0, 10.0, 0.0, 10.0), None);
        assert_eq!(two_proportion_p(1.0, 0.0, 1.0, 10.0), None);
    }

    fn moments(values: &[f64]) -> Moments {
        Moments {
            n: values.len() as f64,
            sum: values.iter().sum(),
            sum_sq: values.iter().map(|v| v * v).sum(),
        }
    }

    #[test]
    fn welch_test_matches_hand_computation() {
        // a: mean 3, var 2.5 (n 5); b: mean 5, var 2.5 (n 5): t = 2 / sqrt(1) = 2, df = 8,
        // p = 2 (1 − T8(2)) = 0.080516 (table value).
        let a = moments(&[1.0, 2.0, 3.0, 4.0, 5.0]);
        let b = moments(&[3.0, 4.0, 5.0, 6.0, 7.0]);
        close(a.variance(), 2.5, 1e-12);
        close(welch_p(&a, &b).unwrap(), 0.080_516_6, 1e-6);
        assert_eq!(welch_p(&moments(&[1.0]), &b), None);
        assert_eq!(welch_p(&moments(&[2.0, 2.0]), &moments(&[2.0, 2.0])), None);
    }

    #[test]
    fn intervals_contain_the_estimate() {
        let (low, high) = wilson_95(20.0, 100.0).unwrap();
        close(low, 0.133_367, 1e-5); // Wilson interval of 20/100: [0.1334, 0.2888]
        close(high, 0.288_829, 1e-5);
        assert_eq!(wilson_95(0.0, 0.0), None);
        let (lift, interval) = relative_lift(0.2, 0.0001, 0.25, 0.0001).unwrap();
        close(lift, 0.25, 1e-12);
        let (low, high) = interval.unwrap();
        assert!(low < lift && lift < high);
        assert_eq!(relative_lift(0.0, 0.1, 0.2, 0.1), None);
    }

    #[test]
    fn chi_square_fit_flags_a_skewed_split() {
        let (statistic, p) = chi_square_fit(&[500.0, 500.0], &[0.5, 0.5]).unwrap();
        assert_eq!((statistic, p), (0.0, 1.0));
        let (statistic, p) = chi_square_fit(&[5_300.0, 4_700.0], &[0.5, 0.5]).unwrap();
        close(statistic, 36.0, 1e-9);
        assert!(p < 0.001);
        let (_, p) = chi_square_fit(&[95.0, 905.0], &[0.1, 0.9]).unwrap();
        assert!(p > 0.5);
    }
}
