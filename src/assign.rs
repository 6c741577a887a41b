//! A/B assignment: a pure, versioned function of (experiment seed, visitor id) to an arm.
//!
//! The hash is GrowthBook's documented one, so a merchant can re-analyze an aisle experiment
//! in GrowthBook: FNV-1a 32-bit over UTF-16 code units (as JavaScript's `charCodeAt` gives),
//! version 2 being `fnv1a32(decimal(fnv1a32(seed + id))) % 10000 / 10000`. A hash version,
//! once shipped, never changes.
#![forbid(unsafe_code)]

use alloc::string::String;
use alloc::vec::Vec;

/// FNV-1a, 32 bits, over the UTF-16 code units of `text`.
pub fn fnv1a32(text: &str) -> u32 {
    let mut hash: u32 = 0x811c_9dc5;
    for unit in text.encode_utf16() {
        hash ^= u32::from(unit);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    hash
}

/// GrowthBook's `hash(seed, value, version)`: a number in `[0, 1)`, or `None` for an unknown
/// version.
pub fn hash(seed: &str, value: &str, version: u32) -> Option<f64> {
    match version {
        1 => {
            let mut text = String::with_capacity(value.len() + seed.len());
            text.push_str(value);
            text.push_str(seed);
            Some(f64::from(fnv1a32(&text) % 1000) / 1000.0)
        }
        2 => {
            let mut text = String::with_capacity(value.len() + seed.len());
            text.push_str(seed);
            text.push_str(value);
            let inner = fnv1a32(&text);
            Some(f64::from(fnv1a32(&inner.to_string()) % 10000) / 10000.0)
        }
        _ => None,
    }
}

/// GrowthBook's `getBucketRanges`: each arm's `[start, end)` on the unit line.
/// `coverage` is clamped to 0..=1; weights that do not sum to 1 (within 0.01) are replaced
/// by equal weights.
pub fn bucket_ranges(arm_count: usize, coverage: f64, weights: Option<&[f64]>) -> Vec<(f64, f64)> {
    let coverage = if coverage.is_nan() { 1.0 } else { coverage.clamp(0.0, 1.0) };
    let equal = || vec![1.0 / arm_count as f64; arm_count];
    let weights: Vec<f64> = match weights {
        Some(w) if w.len() == arm_count && (w.iter().sum::<f64>() - 1.0).abs() <= 0.01 => w.to_vec(),
        _ => equal(),
    };
    let mut cumulative = 0.0;
    weights
        .iter()
        .map(|&w| {
            let start = cumulative;
            cumulative += w;
            (start, start + coverage * w)
        })
        .collect()
}

/// GrowthBook's `chooseVariation`: the arm whose range holds `n`, if any.
pub fn choose_arm(n: f64, ranges: &[(f64, f64)]) -> Option<usize> {
    ranges.iter().position(|&(start, end)| n >= start && n < end)
}

/// GrowthBook's `inNamespace`: true when the visitor falls in `[start, end)` of namespace `id`.
pub fn in_namespace(visitor: &str, namespace: &str, start: f64, end: f64) -> bool {
    let mut seed = String::from("__");
    seed.push_str(namespace);
    match hash(&seed, visitor, 1) {
        Some(n) => n >= start && n < end,
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a32_matches_the_reference_values() {
        // Reference values of FNV-1a 32 (http://www.isthe.com/chongo/tech/comp/fnv/).
        assert_eq!(fnv1a32(""), 0x811c9dc5);
        assert_eq!(fnv1a32("a"), 0xe40c292c);
        assert_eq!(fnv1a32("foobar"), 0xbf9cf968);
    }

    #[test]
    fn bucket_ranges_follow_growthbook() {
        assert_eq!(bucket_ranges(2, 1.0, None), vec![(0.0, 0.5), (0.5, 1.0)]);
        assert_eq!(bucket_ranges(2, 0.5, None), vec![(0.0, 0.25), (0.5, 0.75)]);
        assert_eq!(bucket_ranges(2, 1.0, Some(&[0.1, 0.9])), vec![(0.0, 0.1), (0.1, 1.0)]);
        assert_eq!(bucket_ranges(2, 1.0, Some(&[0.7, 0.7])), vec![(0.0, 0.5), (0.5, 1.0)]);
    }

    #[test]
    fn choose_arm_picks_the_range_holding_n() {
        let ranges = bucket_ranges(2, 0.5, None);
        assert_eq!(choose_arm(0.1, &ranges), Some(0));
        assert_eq!(choose_arm(0.3, &ranges), None);
        assert_eq!(choose_arm(0.6, &ranges), Some(1));
    }
}
