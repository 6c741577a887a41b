//! Ranking metrics per target and session-level bootstrap intervals.
use serde::Serialize;

use crate::random::splitmix64;

/// Metric names, in the order of [`values`].
pub const METRICS: [&str; 5] = ["MRR", "NDCG@10", "HR@10", "HR@20", "MRR@20"];

/// The metrics of one target, from its 1-based rank in the category grid and in the whole
/// catalog: grid MRR, NDCG@10, HitRate@10, then catalog HitRate@20 and MRR@20.
pub fn values(grid_rank: usize, catalog_rank: usize) -> [f64; 5] {
    let ndcg = if grid_rank <= 10 {
        1.0 / ((grid_rank + 1) as f64).log2()
    } else {
        0.0
    };
    [
        1.0 / grid_rank as f64,
        ndcg,
        f64::from(u8::from(grid_rank <= 10)),
        f64::from(u8::from(catalog_rank <= 20)),
        if catalog_rank <= 20 {
            1.0 / catalog_rank as f64
        } else {
            0.0
        },
    ]
}

/// A mean with its bootstrap 95% interval.
#[derive(Clone, Copy, Debug, Default, Serialize)]
pub struct Estimate {
    pub mean: f64,
    pub low: f64,
    pub high: f64,
}

/// Means of each metric over targets, with 95% percentile intervals from resampling whole
/// sessions with replacement (targets of one session are not independent). The same `seed`
/// draws the same resamples, so methods are compared on identical resamples.
pub fn bootstrap(
    per_target: &[[f64; 5]],
    session_of: &[usize],
    sessions: usize,
    resamples: usize,
    seed: u64,
) -> [Estimate; 5] {
    let mut sums = vec![[0.0f64; 5]; sessions];
    let mut counts = vec![0usize; sessions];
    for (values, &s) in per_target.iter().zip(session_of) {
        for m in 0..5 {
            sums[s][m] += values[m];
        }
        counts[s] += 1;
    }
    let total: usize = counts.iter().sum();
    let mut estimates = [Estimate::default(); 5];
    if total == 0 {
        return estimates;
    }
    for m in 0..5 {
        estimates[m].mean = sums.iter().map(|s| s[m]).sum::<f64>() / total as f64;
    }
    let mut draws: Vec<[f64; 5]> = Vec::with_capacity(resamples);
    let mut state = seed;
    for _ in 0..resamples {
        let mut sum = [0.0; 5];
        let mut count = 0usize;
        for _ in 0..sessions {
            state = splitmix64(state);
            let s = (state % sessions as u64) as usize;
            for m in 0..5 {
                sum[m] += sums[s][m];
            }
            count += counts[s];
        }
        draws.push(sum.map(|v| if count == 0 { 0.0 } else { v / count as f64 }));
    }
    for m in 0..5 {
        let mut column: Vec<f64> = draws.iter().map(|d| d[m]).collect();
        column.sort_by(f64::total_cmp);
        if let (Some(&low), Some(&high)) = (
            column.get(column.len() * 25 / 1000),
            column.get((column.len() * 975 / 1000).min(column.len().saturating_sub(1))),
        ) {
            estimates[m].low = low;
            estimates[m].high = high;
        }
    }
    estimates
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(grid_rank: usize, catalog_rank: usize, expected: [f64; 5]) {
        let got = values(grid_rank, catalog_rank);
        for (g, e) in got.iter().zip(expected) {
            assert!((g - e).abs() < 1e-9, "{got:?} != {expected:?}");
        }
    }

    #[test]
    fn metrics_of_one_target() {
        check(1, 1, [1.0, 1.0, 1.0, 1.0, 1.0]);
        check(3, 25, [1.0 / 3.0, 0.5, 1.0, 0.0, 0.0]);
        check(11, 20, [1.0 / 11.0, 0.0, 0.0, 1.0, 0.05]);
    }

    #[test]
    fn intervals_contain_the_mean_and_shrink_to_it_without_variance() {
        let same = vec![[0.5; 5]; 40];
        let sessions: Vec<usize> = (0..40).map(|i| i / 2).collect();
        let e = bootstrap(&same, &sessions, 20, 200, 7);
        assert_eq!((e[0].mean, e[0].low, e[0].high), (0.5, 0.5, 0.5));
        let varied: Vec<[f64; 5]> = (0..40).map(|i| [f64::from(i % 2 == 0); 5]).collect();
        let e = bootstrap(&varied, &(0..40).collect::<Vec<_>>(), 40, 500, 7);
        assert!(
            e[0].low < 0.5 && 0.5 < e[0].high && e[0].low > 0.2 && e[0].high < 0.8,
            "{:?}",
            e[0]
        );
    }
}
