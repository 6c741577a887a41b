//! UTC calendar dates on the `jiff` crate: parsing the dates and times that datasets and
//! exports carry, with a real calendar check (2019-02-31 is refused), and naming UTC days,
//! by which event files rotate and reports bucket.
use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use jiff::Timestamp;

/// Milliseconds in one day.
pub const DAY_MS: u64 = 86_400_000;

/// The UTC day number (days since 1970-01-01) of a Unix time in milliseconds.
pub fn day_number(ms: u64) -> u64 {
    ms / DAY_MS
}

/// `YYYY-MM-DD` of a day number.
pub fn format_day(day_number: u64) -> String {
    utc_date_time(day_number.saturating_mul(DAY_MS))
        .strftime("%Y-%m-%d")
        .to_string()
}

/// `YYYY-MM-DD HH:MM` (UTC) of a Unix time in milliseconds.
pub fn format_minute(ms: u64) -> String {
    utc_date_time(ms).strftime("%Y-%m-%d %H:%M").to_string()
}

/// Milliseconds since the Unix epoch at UTC midnight of `YYYY-MM-DD`, or `None` for text
/// that is not such a date, or a date that does not exist or is before 1970.
pub fn parse_date(text: &str) -> Option<u64> {
    let date = Date::strptime("%Y-%m-%d", text.trim()).ok()?;
    unix_ms(date.to_datetime(jiff::civil::Time::midnight()))
}

/// Milliseconds since the Unix epoch of `YYYY-MM-DD HH:MM:SS` in UTC, with an optional
/// ` UTC` suffix (REES46 writes one); `None` as for [`parse_date`].
pub fn parse_date_time(text: &str) -> Option<u64> {
    let text = text.trim();
    let text = text.strip_suffix(" UTC").unwrap_or(text);
    unix_ms(DateTime::strptime("%Y-%m-%d %H:%M:%S", text).ok()?)
}

fn unix_ms(utc: DateTime) -> Option<u64> {
    let timestamp = TimeZone::UTC.to_timestamp(utc).ok()?;
    u64::try_from(timestamp.as_millisecond()).ok()
}

/// The UTC date and time of a Unix time in milliseconds (the latest time jiff knows for
/// times beyond it).
fn utc_date_time(ms: u64) -> DateTime {
    let timestamp = i64::try_from(ms)
        .ok()
        .and_then(|ms| Timestamp::from_millisecond(ms).ok())
        .unwrap_or(Timestamp::MAX);
    TimeZone::UTC.to_datetime(timestamp)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_day(ms: u64, expected: &str) {
        assert_eq!(format_day(day_number(ms)), expected, "{ms}");
    }

    #[test]
    fn days_match_known_dates() {
        check_day(0, "1970-01-01");
        check_day(DAY_MS - 1, "1970-01-01");
        check_day(951_782_400_000, "2000-02-29");
        check_day(1_700_000_000_000, "2023-11-14");
        check_day(1_709_164_800_000, "2024-02-29");
        check_day(4_102_444_800_000, "2100-01-01");
        assert_eq!(
            format_minute(1_569_888_000_000 + 90 * 60_000),
            "2019-10-01 01:30"
        );
    }

    fn check_time(text: &str, expected: Option<u64>) {
        assert_eq!(parse_date_time(text), expected, "{text}");
    }

    #[test]
    fn dates_and_times_parse_to_epoch_milliseconds() {
        check_time("1970-01-01 00:00:00 UTC", Some(0));
        check_time("2019-10-01 00:00:00 UTC", Some(1_569_888_000_000));
        check_time(
            "2019-10-01 02:49:58 UTC",
            Some(1_569_888_000_000 + (2 * 3600 + 49 * 60 + 58) * 1000),
        );
        check_time("2016-02-29 12:30:01", Some(1_456_749_001_000));
        assert_eq!(parse_date("2016-05-09"), Some(1_462_752_000_000));
        assert_eq!(parse_date(" 2016-05-09 "), Some(1_462_752_000_000));
    }

    #[test]
    fn impossible_dates_and_times_are_refused() {
        for bad in [
            "2019-02-31",
            "2015-02-29",
            "2019-04-31",
            "2019-13-01",
            "2019-00-10",
            "1969-12-31",
            "2019-10",
            "x",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
        for bad in [
            "2019-02-31 00:00:00 UTC",
            "2015-02-29 00:00:00",
            "2019-10-01",
            "2019-13-01 00:00:00",
            "2019-10-01 25:00:00 UTC",
            "2019-10-01 12:61:00",
            "x 00:00:00",
        ] {
            assert_eq!(parse_date_time(bad), None, "{bad}");
        }
    }
}
