//! Scores of probabilistic predictions (ROC AUC, average precision, Brier, reliability bins)
//! and a seeded cluster bootstrap that resamples whole sessions, because moments of one
//! session share its label and are not independent.

use crate::random::SplitMix64;

/// Area under the ROC curve (ties count half); `None` when only one class is present.
pub fn roc_auc(scores: &[f64], labels: &[bool]) -> Option<f64> {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    let positives = labels.iter().filter(|&&l| l).count() as f64;
    let negatives = labels.len() as f64 - positives;
    if positives == 0.0 || negatives == 0.0 {
        return None;
    }
    // Sum of the (average, 1-based) ranks of the positives: the Mann-Whitney statistic.
    let mut rank_sum = 0.0;
    let mut start = 0;
    while start < order.len() {
        let mut end = start;
        while end < order.len() && scores[order[end]] == scores[order[start]] {
            end += 1;
        }
        let average_rank = (start + 1 + end) as f64 / 2.0;
        rank_sum += average_rank * order[start..end].iter().filter(|&&i| labels[i]).count() as f64;
        start = end;
    }
    Some((rank_sum - positives * (positives + 1.0) / 2.0) / (positives * negatives))
}

/// Average precision (area under the precision-recall curve, step-wise, tied scores taken
/// together); `None` without positives.
pub fn average_precision(scores: &[f64], labels: &[bool]) -> Option<f64> {
    let positives = labels.iter().filter(|&&l| l).count();
    if positives == 0 {
        return None;
    }
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    let (mut true_positives, mut seen, mut area) = (0usize, 0usize, 0.0);
    let mut start = 0;
    while start < order.len() {
        let mut end = start;
        while end < order.len() && scores[order[end]] == scores[order[start]] {
            end += 1;
        }
        let new_positives = order[start..end].iter().filter(|&&i| labels[i]).count();
        true_positives += new_positives;
        seen += end - start;
        area += new_positives as f64 / positives as f64 * (true_positives as f64 / seen as f64);
        start = end;
    }
    Some(area)
}

/// Mean squared difference between predicted probability and outcome.
pub fn brier(p: &[f64], labels: &[bool]) -> Option<f64> {
    if p.is_empty() {
        return None;
    }
    Some(
        p.iter()
            .zip(labels)
            .map(|(&p, &y)| (p - if y { 1.0 } else { 0.0 }).powi(2))
            .sum::<f64>()
            / p.len() as f64,
    )
}

/// One bin of a reliability table.
#[derive(Clone, Debug, PartialEq)]
pub struct ReliabilityBin {
    /// Lower edge of predicted probability (inclusive).
    pub low: f64,
    /// Upper edge (exclusive, except the last bin).
    pub high: f64,
    /// Moments in the bin.
    pub count: usize,
    /// Mean predicted probability in the bin.
    pub mean_predicted: f64,
    /// Observed rate of the outcome in the bin.
    pub observed: f64,
}

/// Which of `bins` equal-width bins a probability falls in.
pub fn bin_of(p: f64, bins: usize) -> usize {
    ((p.clamp(0.0, 1.0) * bins as f64) as usize).min(bins - 1)
}

/// Equal-width reliability bins over 0..=1; empty bins are kept with count 0.
pub fn reliability(p: &[f64], labels: &[bool], bins: usize) -> Vec<ReliabilityBin> {
    let mut table: Vec<ReliabilityBin> = (0..bins)
        .map(|b| ReliabilityBin {
            low: b as f64 / bins as f64,
            high: (b + 1) as f64 / bins as f64,
            count: 0,
            mean_predicted: 0.0,
            observed: 0.0,
        })
        .collect();
    for (&p, &y) in p.iter().zip(labels) {
        let bin = &mut table[bin_of(p, bins)];
        bin.count += 1;
        bin.mean_predicted += p;
        bin.observed += if y { 1.0 } else { 0.0 };
    }
    for bin in &mut table {
        if bin.count > 0 {
            bin.mean_predicted /= bin.count as f64;
            bin.observed /= bin.count as f64;
        }
    }
    table
}

/// A point estimate with a percentile bootstrap interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Interval {
    pub estimate: f64,
    pub low: f64,
    pub high: f64,
}

/// A statistic over a selection of moment indices (a resample may repeat indices).
pub type Statistic<'a> = Box<dyn Fn(&[usize]) -> Option<f64> + 'a>;

/// Percentile 95% intervals for each statistic, resampling `groups` (each a list of moment
/// indices) with replacement `replicates` times. Every statistic sees the same resamples, so
/// differences between models are paired. A replicate where a statistic is undefined (one
/// class only) is skipped for that statistic. `None` where the estimate itself is undefined.
pub fn cluster_bootstrap(
    groups: &[Vec<usize>],
    statistics: &[Statistic],
    replicates: usize,
    seed: u64,
) -> Vec<Option<Interval>> {
    let all: Vec<usize> = groups.iter().flatten().copied().collect();
    let estimates: Vec<Option<f64>> = statistics.iter().map(|s| s(&all)).collect();
    let mut draws: Vec<Vec<f64>> = vec![Vec::with_capacity(replicates); statistics.len()];
    let mut rng = SplitMix64::new(seed);
    let mut sample = Vec::with_capacity(all.len());
    for _ in 0..replicates {
        sample.clear();
        for _ in 0..groups.len() {
            sample.extend_from_slice(&groups[rng.below(groups.len())]);
        }
        for (statistic, draws) in statistics.iter().zip(&mut draws) {
            if let Some(value) = statistic(&sample) {
                draws.push(value);
            }
        }
    }
    estimates
        .into_iter()
        .zip(draws)
        .map(|(estimate, mut draws)| {
            let estimate = estimate?;
            if draws.is_empty() {
                return Some(Interval {
                    estimate,
                    low: f64::NAN,
                    high: f64::NAN,
                });
            }
            draws.sort_by(f64::total_cmp);
            Some(Interval {
                estimate,
                low: percentile(&draws, 0.025),
                high: percentile(&draws, 0.975),
            })
        })
        .collect()
}

/// Linear-interpolated percentile of sorted values.
fn percentile(sorted: &[f64], q: f64) -> f64 {
    let position = q * (sorted.len() - 1) as f64;
    let below = position.floor() as usize;
    let above = position.ceil() as usize;
    sorted[below] + (sorted[above] - sorted[below]) * (position - below as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_auc(scores: &[f64], labels: &[bool], expected: Option<f64>) {
        assert_eq!(roc_auc(scores, labels), expected);
    }

    #[test]
    fn auc_cases() {
        check_auc(&[0.1, 0.9], &[false, true], Some(1.0));
        check_auc(&[0.9, 0.1], &[false, true], Some(0.0));
        check_auc(&[0.5, 0.5], &[false, true], Some(0.5));
        // Positives at 0.4 and 0.8 against negatives at 0.2 and 0.6: 3 of 4 pairs right.
        check_auc(
            &[0.2, 0.4, 0.6, 0.8],
            &[false, true, false, true],
            Some(0.75),
        );
        check_auc(&[0.2, 0.4], &[true, true], None);
    }

    fn check_ap(scores: &[f64], labels: &[bool], expected: Option<f64>) {
        let got = average_precision(scores, labels);
        assert!(
            match (got, expected) {
                (Some(g), Some(e)) => (g - e).abs() < 1e-12,
                (g, e) => g == e,
            },
            "{got:?} vs {expected:?}"
        );
    }

    #[test]
    fn average_precision_cases() {
        check_ap(&[0.9, 0.1], &[true, false], Some(1.0));
        // Ranked: neg, pos, neg, pos → precision at the positives 1/2 and 2/4.
        check_ap(
            &[0.8, 0.6, 0.4, 0.2],
            &[false, true, false, true],
            Some(0.5),
        );
        // All tied: the precision is the base rate.
        check_ap(&[0.5; 4], &[true, false, false, false], Some(0.25));
        check_ap(&[0.5], &[false], None);
    }

    #[test]
    fn brier_cases() {
        assert_eq!(brier(&[1.0, 0.0], &[true, false]), Some(0.0));
        assert_eq!(brier(&[0.5, 0.5], &[true, false]), Some(0.25));
        assert_eq!(brier(&[], &[]), None);
    }

    #[test]
    fn reliability_bins_average_within_each_bin() {
        let table = reliability(&[0.05, 0.15, 0.95, 1.0], &[false, true, true, false], 10);
        assert_eq!(table.len(), 10);
        assert_eq!((table[0].count, table[0].observed), (1, 0.0));
        assert_eq!((table[1].count, table[1].observed), (1, 1.0));
        assert_eq!(
            (table[9].count, table[9].mean_predicted, table[9].observed),
            (2, 0.975, 0.5)
        );
        assert_eq!(table[5].count, 0);
    }

    #[test]
    fn bootstrap_brackets_the_estimate_and_is_reproducible() {
        let values: Vec<f64> = (0..50).map(|i| (i % 5) as f64).collect();
        let groups: Vec<Vec<usize>> = (0..50).map(|i| vec![i]).collect();
        let mean: Statistic = Box::new(|idx: &[usize]| {
            Some(idx.iter().map(|&i| values[i]).sum::<f64>() / idx.len() as f64)
        });
        let never: Statistic = Box::new(|_: &[usize]| None);
        let first = cluster_bootstrap(&groups, &[mean], 500, 1);
        let interval = first[0].unwrap();
        assert_eq!(interval.estimate, 2.0);
        assert!(
            interval.low < 2.0 && interval.high > 2.0 && interval.high - interval.low < 1.5,
            "{interval:?}"
        );
        let mean_again: Statistic = Box::new(|idx: &[usize]| {
            Some(idx.iter().map(|&i| values[i]).sum::<f64>() / idx.len() as f64)
        });
        assert_eq!(
            cluster_bootstrap(&groups, &[mean_again, never], 500, 1),
            vec![first[0], None]
        );
    }
}
