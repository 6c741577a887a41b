//! The few distributions the report needs, from first principles: the normal CDF, Student's t
//! CDF and quantile (for Welch's test), the chi-square survival function (sample-ratio check),
//! and the tests and intervals built on them. Accurate to about 1e-10, plenty for p-values.

/// The 97.5% quantile of the standard normal: the half-width of a 95% interval, in sds.
pub const Z_95: f64 = 1.959_963_984_540_054;

/// ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9).
pub fn ln_gamma(x: f64) -> f64 {
    const COEFFICIENTS: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection: Γ(x)Γ(1-x) = π / sin(πx).
        return (std::f64::consts::PI / (std::f64::consts::PI * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let t = x + 7.5;
    let mut sum = COEFFICIENTS[0];
    for (i, c) in COEFFICIENTS.iter().enumerate().skip(1) {
        sum += c / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + sum.ln()
}

/// The regularized upper incomplete gamma function Q(a, x).
pub fn gamma_q(a: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    if x < a + 1.0 {
        1.0 - gamma_p_series(a, x)
    } else {
        gamma_q_fraction(a, x)
    }
}

fn gamma_p_series(a: f64, x: f64) -> f64 {
    let mut term = 1.0 / a;
    let mut sum = term;
    let mut n = a;
    for _ in 0..1000 {
        n += 1.0;
        term *= x / n;
        sum += term;
        if term.abs() < sum.abs() * 1e-16 {
            break;
        }
    }
    sum * (-x + a * x.ln() - ln_gamma(a)).exp()
}

fn gamma_q_fraction(a: f64, x: f64) -> f64 {
    // Lentz's method for the continued fraction of Q.
    let tiny = 1e-300;
    let mut b = x + 1.0 - a;
    let mut c = 1.0 / tiny;
    let mut d = 1.0 / b;
    let mut h = d;
    for i in 1..1000 {
        let an = -(i as f64) * (i as f64 - a);
        b += 2.0;
        d = an * d + b;
        if d.abs() < tiny {
            d = tiny;
        }
        c = b + an / c;
        if c.abs() < tiny {
            c = tiny;
        }
        d = 1.0 / d;
        let delta = d * c;
        h *= delta;
        if (delta - 1.0).abs() < 1e-16 {
            break;
        }
    }
    (-x + a * x.ln() - ln_gamma(a)).exp() * h
}

/// The complementary error function.
pub fn erfc(x: f64) -> f64 {
    if x >= 0.0 {
        gamma_q(0.5, x * x)
    } else {
        2.0 - gamma_q(0.5, x * x)
    }
}

/// P(Z ≤ z) for a standard normal Z.
pub fn normal_cdf(z: f64) -> f64 {
    0.5 * erfc(-z / std::f64::consts::SQRT_2)
}

/// The regularized incomplete beta function I_x(a, b).
pub fn beta_i(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let front =
        (ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln()).exp();
    if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_fraction(a, b, x) / a
    } else {
        1.0 - front * beta_fraction(b, a, 1.0 - x) / b
    }
}

fn beta_fraction(a: f64, b: f64, x: f64) -> f64 {
    let tiny = 1e-300;
    let mut c = 1.0;
    let mut d = 1.0 - (a + b) * x / (a + 1.0);
    if d.abs() < tiny {
        d = tiny;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..1000 {
        let m = m as f64;
        let even = m * (b - m) * x / ((a + 2.0 * m - 1.0) * (a + 2.0 * m));
        d = 1.0 + even * d;
        d = if d.abs() < tiny { 1.0 / tiny } else { 1.0 / d };
        c = 1.0 + even / c;
        if c.abs() < tiny {
            c = tiny;
        }
        h *= d * c;
        let odd = -(a + m) * (a + b + m) * x / ((a + 2.0 * m) * (a + 2.0 * m + 1.0));
        d = 1.0 + odd * d;
        d = if d.abs() < tiny { 1.0 / tiny } else { 1.0 / d };
        c = 1.0 + odd / c;
        if c.abs() < tiny {
            c = tiny;
        }
        let delta = d * c;
        h *= delta;
        if (delta - 1.0).abs() < 1e-16 {
            break;
        }
    }
    h
}

/// P(T ≤ t) for Student's t with `df` degrees of freedom (df may be fractional, as Welch's is).
pub fn t_cdf(t: f64, df: f64) -> f64 {
    if df.is_infinite() {
        return normal_cdf(t);
    }
    let tail = 0.5 * beta_i(df / 2.0, 0.5, df / (df + t * t));
    if t >= 0.0 {
        1.0 - tail
    } else {
        tail
    }
}

/// The `p` quantile of Student's t (bisection on [`t_cdf`]).
pub fn t_quantile(p: f64, df: f64) -> f64 {
    let (mut low, mut high) = (-1e4, 1e4);
    for _ in 0..200 {
        let mid = 0.5 * (low + high);
        if t_cdf(mid, df) < p {
            low = mid;
        } else {
            high = mid;
        }
    }
    0.5 * (low + high)
}

/// P(X ≥ x) for a chi-square X with `df` degrees of freedom.
pub fn chi_square_sf(x: f64, df: f64) -> f64 {
    gamma_q(df / 2.0, x / 2.0)
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

    fn close(got: f64, expected: f64, tolerance: f64) {
        assert!(
            (got - expected).abs() <= tolerance,
            "got {got}, expected {expected}"
        );
    }

    #[test]
    fn normal_cdf_known_values() {
        // Python: 0.5 * math.erfc(-z / math.sqrt(2)).
        for (z, expected) in [
            (0.0, 0.5),
            (1.96, 0.9750021048517795),
            (-3.0, 0.0013498980316300957),
            (0.5, 0.6914624612740131),
        ] {
            close(normal_cdf(z), expected, 1e-12);
        }
        close(normal_cdf(Z_95), 0.975, 1e-12);
    }

    #[test]
    fn ln_gamma_known_values() {
        close(ln_gamma(1.0), 0.0, 1e-13);
        close(ln_gamma(0.5), std::f64::consts::PI.sqrt().ln(), 1e-13);
        close(ln_gamma(10.0), (362_880.0f64).ln(), 1e-11);
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
        close(t_cdf(1.96, f64::INFINITY), 0.9750021048517795, 1e-12);
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
