//! `aisle import`: turns public datasets and what a shop already has (a GA4 BigQuery export,
//! a Shopify orders export) into aisle's catalog CSV and event NDJSON, so the same `build`,
//! `audit` and `evaluate` commands run on them as on events aisle collected itself.
pub mod diginetica;
pub mod ga4;
pub mod rees46;
pub mod shopify_orders;

use clap::{Args, Subcommand};

/// Arguments of `aisle import`.
#[derive(Args)]
pub struct ImportArgs {
    #[command(subcommand)]
    pub dataset: Dataset,
}

/// The datasets and exports aisle can import.
#[derive(Subcommand)]
pub enum Dataset {
    /// REES46 "eCommerce behavior data from multi category store" (events.csv).
    Rees46(rees46::Rees46Args),
    /// CIKM Cup 2016 DIGINETICA (item views, purchases, product categories).
    Diginetica(diginetica::DigineticaArgs),
    /// A GA4 BigQuery export as newline-delimited JSON (gzipped or not, sharded
    /// `events_YYYYMMDD` files): shopper actions into events, item details into a catalog-gap CSV.
    Ga4(ga4::Ga4Args),
    /// A Shopify orders export (orders_export.csv) as purchase history.
    ShopifyOrders(shopify_orders::ShopifyOrdersArgs),
}

pub fn run(args: ImportArgs) -> anyhow::Result<()> {
    match args.dataset {
        Dataset::Rees46(args) => rees46::run(args),
        Dataset::Diginetica(args) => diginetica::run(args),
        Dataset::Ga4(args) => ga4::run(args),
        Dataset::ShopifyOrders(args) => shopify_orders::run(args),
    }
}

/// Milliseconds since the Unix epoch at midnight UTC of a proleptic Gregorian date, or `None`
/// for a date that does not exist.
/// Writes an import's catalog and events and says where they went.
pub fn write_import(
    catalog_out: &std::path::Path,
    products: &[crate::catalog::Product],
    events_out: &std::path::Path,
    events: &[aisle::events::Event],
) -> anyhow::Result<()> {
    crate::catalog::write_catalog(catalog_out, products)?;
    crate::event_log::write_events(events_out, events)?;
    eprintln!(
        "aisle: imported {} products into {} and {} events into {}",
        products.len(),
        catalog_out.display(),
        events.len(),
        events_out.display()
    );
    Ok(())
}

pub fn date_to_ms(year: i64, month: u32, day: u32) -> Option<u64> {
    let days_in_month = [
        31,
        if is_leap(year) { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month[month as usize - 1] {
        return None;
    }
    // Howard Hinnant's days_from_civil.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    u64::try_from(days).ok().map(|d| d * 86_400_000)
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// Parses `YYYY-MM-DD`.
pub fn parse_date(text: &str) -> Option<u64> {
    let mut parts = text.trim().splitn(3, '-');
    let year = parts.next()?.parse().ok()?;
    let month = parts.next()?.parse().ok()?;
    let day = parts.next()?.parse().ok()?;
    date_to_ms(year, month, day)
}

/// Parses `YYYY-MM-DD HH:MM:SS` with an optional ` UTC` suffix.
pub fn parse_date_time(text: &str) -> Option<u64> {
    let text = text.trim().trim_end_matches(" UTC");
    let (date, time) = text.split_once(' ')?;
    let mut parts = time.splitn(3, ':');
    let hours: u64 = parts.next()?.parse().ok()?;
    let minutes: u64 = parts.next()?.parse().ok()?;
    let seconds: u64 = parts.next()?.parse().ok()?;
    if hours > 23 || minutes > 59 || seconds > 60 {
        return None;
    }
    Some(parse_date(date)? + ((hours * 60 + minutes) * 60 + seconds) * 1000)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, expected: Option<u64>) {
        assert_eq!(parse_date_time(text), expected, "{text}");
    }

    #[test]
    fn dates_parse_to_epoch_milliseconds() {
        check("1970-01-01 00:00:00 UTC", Some(0));
        check("2019-10-01 00:00:00 UTC", Some(1_569_888_000_000));
        check("2016-02-29 12:30:01", Some(1_456_749_001_000));
        check("2015-02-29 00:00:00", None);
        check("2019-10-01", None);
        check("2019-13-01 00:00:00", None);
        assert_eq!(parse_date("2016-05-09"), Some(1_462_752_000_000));
    }
}
