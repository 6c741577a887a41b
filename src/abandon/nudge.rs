//! When to nudge a shopper about the cart they left: after the absence that usually precedes
//! their own return, so the reminder meets them when they tend to come back.
//!
//! A visitor seen returning at least twice gets the median of their own idle gaps; everyone
//! else gets the population default the bundle was built with.
#![forbid(unsafe_code)]

/// The shortest delay suggested: the session idle time, before which the shopper has not left.
pub const MIN_NUDGE_DELAY_MS: u64 = 30 * 60 * 1000;
/// The longest delay suggested (14 days): past it a cart reminder is noise.
pub const MAX_NUDGE_DELAY_MS: u64 = 14 * 24 * 60 * 60 * 1000;

/// The suggested delay: the visitor's own median return gap when there is one, otherwise the
/// population default, clamped to [`MIN_NUDGE_DELAY_MS`]..=[`MAX_NUDGE_DELAY_MS`].
pub fn nudge_delay_ms(own_return_gap_ms: Option<u64>, population_default_ms: u64) -> u64 {
    own_return_gap_ms
        .unwrap_or(population_default_ms)
        .clamp(MIN_NUDGE_DELAY_MS, MAX_NUDGE_DELAY_MS)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: u64 = 60 * 60 * 1000;

    fn check(own: Option<u64>, default: u64, expected: u64) {
        assert_eq!(nudge_delay_ms(own, default), expected);
    }

    #[test]
    fn own_pattern_wins_over_the_default() {
        check(Some(5 * HOUR), 24 * HOUR, 5 * HOUR);
        check(None, 24 * HOUR, 24 * HOUR);
    }

    #[test]
    fn delays_are_clamped() {
        check(Some(1), 24 * HOUR, MIN_NUDGE_DELAY_MS);
        check(None, 0, MIN_NUDGE_DELAY_MS);
        check(Some(u64::MAX), 0, MAX_NUDGE_DELAY_MS);
        check(None, u64::MAX, MAX_NUDGE_DELAY_MS);
    }
}
