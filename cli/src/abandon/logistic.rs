//! Penalized logistic regression fitted by Newton's method (IRLS) for a fixed number of
//! steps: deterministic, no learning rate to tune, exact for the few features we have.
//!
//! The penalty pulls each coefficient toward a centre (`penalty[j] × (β_j − centre[j])² / 2`),
//! which serves both the L2-regularized model (centre 0, intercept free) and the Platt
//! calibration (slope pulled toward 1 and intercept toward 0 when data is scarce).

// Matrix code reads best with explicit row and column indices.
#![allow(clippy::needless_range_loop)]

/// Newton steps taken; the loss is convex, so a few dozen reach machine precision.
pub const NEWTON_STEPS: usize = 50;

/// Fits `P(y) = sigmoid(x · β)` on rows `x` (include a constant column for an intercept).
/// Rows and labels must have the same length; every row has `penalty.len()` columns.
pub fn fit(x: &[Vec<f64>], y: &[bool], penalty: &[f64], centre: &[f64]) -> Vec<f64> {
    let d = penalty.len();
    let mut beta = centre.to_vec();
    for _ in 0..NEWTON_STEPS {
        let mut gradient: Vec<f64> = (0..d).map(|j| penalty[j] * (beta[j] - centre[j])).collect();
        let mut hessian = vec![vec![0.0; d]; d];
        for j in 0..d {
            hessian[j][j] = penalty[j];
        }
        for (row, &label) in x.iter().zip(y) {
            let p = sigmoid(dot(row, &beta));
            let residual = p - if label { 1.0 } else { 0.0 };
            let weight = (p * (1.0 - p)).max(1e-10);
            for j in 0..d {
                gradient[j] += residual * row[j];
                for k in 0..=j {
                    hessian[j][k] += weight * row[j] * row[k];
                }
            }
        }
        for j in 0..d {
            for k in j + 1..d {
                hessian[j][k] = hessian[k][j];
            }
            // A tiny ridge keeps the system solvable when a column is constant or separable.
            hessian[j][j] += 1e-9;
        }
        let Some(step) = solve(hessian, gradient) else {
            break;
        };
        for j in 0..d {
            beta[j] -= step[j];
        }
        if step.iter().all(|s| s.abs() < 1e-12) {
            break;
        }
    }
    beta
}

pub fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z.clamp(-40.0, 40.0)).exp())
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Solves `a · s = b` by Gaussian elimination with partial pivoting; `None` when singular.
fn solve(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Option<Vec<f64>> {
    let n = b.len();
    for col in 0..n {
        let pivot = (col..n).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[pivot][col].abs() < 1e-300 || !a[pivot][col].is_finite() {
            return None;
        }
        a.swap(col, pivot);
        b.swap(col, pivot);
        for row in col + 1..n {
            let factor = a[row][col] / a[col][col];
            for k in col..n {
                a[row][k] -= factor * a[col][k];
            }
            b[row] -= factor * b[col];
        }
    }
    let mut s = vec![0.0; n];
    for row in (0..n).rev() {
        let tail: f64 = (row + 1..n).map(|k| a[row][k] * s[k]).sum();
        s[row] = (b[row] - tail) / a[row][row];
    }
    s.iter().all(|v| v.is_finite()).then_some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intercept_only_recovers_the_base_rate() {
        let x = vec![vec![1.0]; 10];
        let y: Vec<bool> = (0..10).map(|i| i < 3).collect();
        let beta = fit(&x, &y, &[0.0], &[0.0]);
        assert!((sigmoid(beta[0]) - 0.3).abs() < 1e-9, "{beta:?}");
    }

    #[test]
    fn recovers_a_known_slope_on_grouped_data() {
        // At x = -1: 1 of 4 positive; at x = 1: 3 of 4. The exact fit is β = (0, ln 3).
        let x: Vec<Vec<f64>> = [-1.0, -1.0, -1.0, -1.0, 1.0, 1.0, 1.0, 1.0]
            .iter()
            .map(|&v| vec![1.0, v])
            .collect();
        let y = [true, false, false, false, true, true, true, false];
        let beta = fit(&x, &y, &[0.0, 0.0], &[0.0, 0.0]);
        assert!(
            beta[0].abs() < 1e-9 && (beta[1] - 3f64.ln()).abs() < 1e-9,
            "{beta:?}"
        );
    }

    #[test]
    fn the_penalty_shrinks_toward_the_centre() {
        let x: Vec<Vec<f64>> = [-1.0, 1.0].iter().map(|&v| vec![1.0, v]).collect();
        let y = [false, true];
        // Separable data: without a penalty the slope would run off; with one it stays finite.
        let loose = fit(&x, &y, &[0.0, 0.1], &[0.0, 0.0]);
        let tight = fit(&x, &y, &[0.0, 100.0], &[0.0, 0.0]);
        assert!(
            loose[1].is_finite() && tight[1] > 0.0 && tight[1] < loose[1] && tight[1] < 0.02,
            "{loose:?} {tight:?}"
        );
        let centred = fit(&x, &y, &[1e6, 1e6], &[0.0, 1.0]);
        assert!((centred[1] - 1.0).abs() < 1e-3, "{centred:?}");
    }

    #[test]
    fn empty_data_returns_the_centre() {
        assert_eq!(fit(&[], &[], &[1.0, 1.0], &[0.0, 1.0]), [0.0, 1.0]);
    }
}
