//! UTC calendar days from Unix milliseconds, without a time-zone library: event files rotate
//! by UTC day and reports bucket by UTC day.

/// Milliseconds in one day.
pub const DAY_MS: u64 = 86_400_000;

/// The UTC day number (days since 1970-01-01) of a Unix time in milliseconds.
pub fn day_number(ms: u64) -> u64 {
    ms / DAY_MS
}

/// `YYYY-MM-DD` of a day number.
pub fn format_day(day_number: u64) -> String {
    let (year, month, day) = civil_from_days(day_number as i64);
    format!("{year:04}-{month:02}-{day:02}")
}

// Howard Hinnant's `civil_from_days` (a public-domain algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(ms: u64, expected: &str) {
        assert_eq!(format_day(day_number(ms)), expected, "{ms}");
    }

    #[test]
    fn days_match_known_dates() {
        check(0, "1970-01-01");
        check(DAY_MS - 1, "1970-01-01");
        check(951_782_400_000, "2000-02-29");
        check(1_700_000_000_000, "2023-11-14");
        check(1_709_164_800_000, "2024-02-29");
        check(4_102_444_800_000, "2100-01-01");
    }
}
