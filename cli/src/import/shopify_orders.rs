//! `aisle import shopify-orders`: a Shopify orders export (`orders_export.csv`) as purchase
//! history: one `purchase` event per order, its line items by `Lineitem sku`.
//!
//! The export has one row per line item; the rows of one order follow each other and share its
//! `Name` (`#1001`), and order-level columns (`Email`, `Total`, `Cancelled at`, …) are filled
//! on the order's first row only. Shopify writes `Created at` as `2024-01-15 10:31:02 -0500`;
//! a spreadsheet that re-saved the file writes `15/01/2024 10:31` (day first) or
//! `1/15/2024 10:31` (month first) without an offset. The importer reads every date first,
//! decides the order from the dates that can only be read one way, says what it assumed, and
//! takes dates without an offset as UTC. The visitor is the customer (a hash of the e-mail, so
//! no address is written), the session the order.
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use aisle::events::{Event, EventBody, LineItem, EVENT_SCHEMA_VERSION};
use anyhow::{bail, Context};
use clap::{Args, ValueEnum};
use sha2::{Digest, Sha256};

use crate::catalog::parse_price;
use crate::text_input::TolerantText;

/// Arguments of `aisle import shopify-orders`.
#[derive(Args)]
pub struct ShopifyOrdersArgs {
    /// The orders export CSV (Shopify admin → Orders → Export).
    #[arg(long)]
    pub input: PathBuf,
    /// Where to write the events NDJSON (aisle event schema v1).
    #[arg(long)]
    pub events_out: PathBuf,
    /// How to read dates like `03/04/2024`: `auto` decides from the file's unambiguous dates.
    #[arg(long, value_enum, default_value_t = DateOrder::Auto)]
    pub date_order: DateOrder,
}

/// Which number comes first in a slash or dot date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DateOrder {
    /// From the file: a first number above 12 means day first, a second above 12 month first.
    Auto,
    /// `15/01/2024`.
    DayFirst,
    /// `01/15/2024`.
    MonthFirst,
}

/// Columns the importer needs.
const REQUIRED: [&str; 4] = ["Name", "Created at", "Lineitem quantity", "Lineitem sku"];

/// Reasons an order or line item is left out.
pub mod reason {
    pub const BAD_DATE: &str = "Created at is not a date";
    pub const CANCELLED: &str = "cancelled order (Cancelled at is set)";
    pub const NO_SKU: &str = "line item without Lineitem sku";
    pub const BAD_QUANTITY: &str = "Lineitem quantity is not a positive whole number";
    pub const NO_ITEMS: &str = "order without a usable line item";
    pub const MALFORMED: &str = "row that is not CSV of the header's width";
}

/// What an import read, wrote and left out.
#[derive(Debug, Default)]
pub struct OrdersSummary {
    /// Data rows (line items) read.
    pub rows: u64,
    /// Orders read.
    pub orders: u64,
    /// Purchase events written.
    pub purchases: u64,
    /// Line items written.
    pub line_items: u64,
    /// Left out, by reason: how many and the first lines.
    pub dropped: BTreeMap<&'static str, (u64, Vec<u64>)>,
    /// How slash dates were read, and why.
    pub date_note: Option<String>,
    /// The field delimiter found in the header.
    pub delimiter: char,
}

impl OrdersSummary {
    fn drop(&mut self, why: &'static str, line: u64) {
        let entry = self.dropped.entry(why).or_default();
        entry.0 += 1;
        if entry.1.len() < 5 {
            entry.1.push(line);
        }
    }

    /// Left out for `why` (0 when none).
    pub fn dropped_count(&self, why: &str) -> u64 {
        self.dropped.get(why).map_or(0, |d| d.0)
    }

    /// Human-readable lines for stderr.
    pub fn lines(&self, path: &Path) -> Vec<String> {
        let file = path.display();
        let mut out = vec![format!(
            "{file}: read {} orders ({} line-item rows); wrote {} purchases with {} line items",
            self.orders, self.rows, self.purchases, self.line_items
        )];
        if let Some(note) = &self.date_note {
            out.push(format!("{file}: {note}"));
        }
        for (why, (count, lines)) in &self.dropped {
            let lines: Vec<String> = lines.iter().map(u64::to_string).collect();
            out.push(format!(
                "{file}: dropped {count} for {why} (lines {})",
                lines.join(", ")
            ));
        }
        out
    }
}

pub fn run(args: ShopifyOrdersArgs) -> anyhow::Result<()> {
    let summary = import(&args.input, &args.events_out, args.date_order)?;
    for line in summary.lines(&args.input) {
        eprintln!("aisle: {line}");
    }
    Ok(())
}

/// Reads the export at `input` and writes its purchases to `events_out`.
pub fn import(
    input: &Path,
    events_out: &Path,
    date_order: DateOrder,
) -> anyhow::Result<OrdersSummary> {
    let mut summary = OrdersSummary {
        delimiter: detect_delimiter(input)?,
        ..OrdersSummary::default()
    };
    let (order, note) = decide_date_order(input, summary.delimiter, date_order)?;
    summary.date_note = note;
    let mut reader = csv_reader(input, summary.delimiter)?;
    let columns = Columns::find(reader.headers()?, input)?;
    let file = std::fs::File::create(events_out)
        .with_context(|| format!("cannot create {}", events_out.display()))?;
    let mut out = std::io::BufWriter::new(file);
    let mut current: Option<Order> = None;
    for record in reader.records() {
        let record = match record {
            Ok(record) => record,
            Err(error) => {
                let line = error.position().map_or(0, |p| p.line());
                summary.rows += 1;
                summary.drop(reason::MALFORMED, line);
                continue;
            }
        };
        summary.rows += 1;
        let line = record.position().map_or(0, |p| p.line());
        let field = |i: Option<usize>| i.and_then(|i| record.get(i)).unwrap_or("").trim();
        let name = field(Some(columns.name));
        if current.as_ref().is_none_or(|o| o.name != name) {
            if let Some(done) = current.take() {
                finish(done, &mut summary, &mut out)?;
            }
            summary.orders += 1;
            current = Some(Order {
                name: name.to_string(),
                line,
                ..Order::default()
            });
        }
        let order_now = current.as_mut().expect("an order is open");
        if order_now.created_ms.is_none() && !field(Some(columns.created_at)).is_empty() {
            match parse_created_at(field(Some(columns.created_at)), order) {
                Some(ms) => order_now.created_ms = Some(ms),
                None => order_now.bad_date_line = Some(line),
            }
        }
        let set = |slot: &mut Option<String>, value: &str| {
            if slot.is_none() && !value.is_empty() {
                *slot = Some(value.to_string());
            }
        };
        set(&mut order_now.email, field(columns.email));
        set(&mut order_now.currency, field(columns.currency));
        set(&mut order_now.total, field(columns.total));
        set(&mut order_now.cancelled_at, field(columns.cancelled_at));
        let sku = field(Some(columns.sku));
        if sku.is_empty() {
            summary.drop(reason::NO_SKU, line);
            continue;
        }
        let Some(quantity) = field(Some(columns.quantity))
            .parse::<u32>()
            .ok()
            .filter(|&q| q > 0)
        else {
            summary.drop(reason::BAD_QUANTITY, line);
            continue;
        };
        order_now.items.push(LineItem {
            product: sku.to_string(),
            quantity,
            price: parse_price(field(columns.price)),
        });
    }
    if let Some(done) = current.take() {
        finish(done, &mut summary, &mut out)?;
    }
    out.flush()
        .with_context(|| format!("cannot write {}", events_out.display()))?;
    if summary.rows == 0 {
        bail!("{}: the orders export has no rows", input.display());
    }
    Ok(summary)
}

/// One order being read.
#[derive(Default)]
struct Order {
    name: String,
    line: u64,
    created_ms: Option<u64>,
    bad_date_line: Option<u64>,
    email: Option<String>,
    currency: Option<String>,
    total: Option<String>,
    cancelled_at: Option<String>,
    items: Vec<LineItem>,
}

/// Writes an order's purchase event, or counts why it has none.
fn finish(order: Order, summary: &mut OrdersSummary, out: &mut impl Write) -> anyhow::Result<()> {
    if order.cancelled_at.is_some() {
        summary.drop(reason::CANCELLED, order.line);
        return Ok(());
    }
    let Some(ts) = order.created_ms else {
        summary.drop(reason::BAD_DATE, order.bad_date_line.unwrap_or(order.line));
        return Ok(());
    };
    if order.items.is_empty() {
        summary.drop(reason::NO_ITEMS, order.line);
        return Ok(());
    }
    let visitor = match &order.email {
        Some(email) => customer_id(email),
        None => format!("shopify-order-{}", order.name),
    };
    summary.purchases += 1;
    summary.line_items += order.items.len() as u64;
    let event = Event {
        v: EVENT_SCHEMA_VERSION,
        id: format!("shopify-order:{}", order.name),
        ts,
        visitor,
        session: format!("order-{}", order.name),
        arms: BTreeMap::new(),
        body: EventBody::Purchase {
            order_id: Some(order.name),
            revenue: order.total.as_deref().and_then(parse_price),
            currency: order.currency,
            items: order.items,
        },
    };
    serde_json::to_writer(&mut *out, &event)?;
    out.write_all(b"\n")?;
    Ok(())
}

/// The visitor id of a customer: 16 hex digits of the SHA-256 of the trimmed, lower-case
/// e-mail, so the event log holds no address.
pub fn customer_id(email: &str) -> String {
    let digest = Sha256::digest(email.trim().to_lowercase().as_bytes());
    let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!("shopify-customer-{hex}")
}

/// Where the needed columns are.
struct Columns {
    name: usize,
    created_at: usize,
    quantity: usize,
    sku: usize,
    price: Option<usize>,
    email: Option<usize>,
    currency: Option<usize>,
    total: Option<usize>,
    cancelled_at: Option<usize>,
}

impl Columns {
    fn find(headers: &csv::StringRecord, path: &Path) -> anyhow::Result<Columns> {
        let index = |name: &str| headers.iter().position(|h| h.trim() == name);
        let missing: Vec<&str> = REQUIRED
            .iter()
            .copied()
            .filter(|c| index(c).is_none())
            .collect();
        if !missing.is_empty() {
            bail!(
                "{}: line 1: not a Shopify orders export: no column {} (found: {})",
                path.display(),
                missing.join(", "),
                headers.iter().collect::<Vec<_>>().join(", ")
            );
        }
        Ok(Columns {
            name: index("Name").expect("checked"),
            created_at: index("Created at").expect("checked"),
            quantity: index("Lineitem quantity").expect("checked"),
            sku: index("Lineitem sku").expect("checked"),
            price: index("Lineitem price"),
            email: index("Email"),
            currency: index("Currency"),
            total: index("Total"),
            cancelled_at: index("Cancelled at"),
        })
    }
}

/// `;` when the header line has more semicolons than commas (European spreadsheets), else `,`.
fn detect_delimiter(path: &Path) -> anyhow::Result<char> {
    use std::io::BufRead;
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut first = String::new();
    std::io::BufReader::new(file)
        .read_line(&mut first)
        .with_context(|| format!("{}: line 1: cannot read (not UTF-8?)", path.display()))?;
    let count = |c: char| first.chars().filter(|&x| x == c).count();
    Ok(if count(';') > count(',') { ';' } else { ',' })
}

/// A CSV reader of the export (BOM and CRLF as `text_input` reads them), held to rows of the
/// header's width.
fn csv_reader(
    path: &Path,
    delimiter: char,
) -> anyhow::Result<csv::Reader<TolerantText<std::fs::File>>> {
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(crate::text_input::csv_builder(delimiter as u8)
        .flexible(false)
        .from_reader(TolerantText::new(file)))
}

/// The first pass: decides how slash and dot dates read. Returns the order and, when the file
/// has such dates, a sentence saying what was decided and why.
fn decide_date_order(
    path: &Path,
    delimiter: char,
    requested: DateOrder,
) -> anyhow::Result<(DateOrder, Option<String>)> {
    let mut reader = csv_reader(path, delimiter)?;
    let Some(column) = reader
        .headers()?
        .iter()
        .position(|h| h.trim() == "Created at")
    else {
        return Ok((requested, None));
    };
    let (mut numeric, mut day_first_lines, mut month_first_lines) = (0u64, Vec::new(), Vec::new());
    for record in reader.records().flatten() {
        let Some((first, second)) = record.get(column).and_then(numeric_date_parts) else {
            continue;
        };
        numeric += 1;
        let line = record.position().map_or(0, |p| p.line());
        if first > 12 && day_first_lines.len() < 3 {
            day_first_lines.push(line);
        }
        if second > 12 && month_first_lines.len() < 3 {
            month_first_lines.push(line);
        }
    }
    if numeric == 0 {
        return Ok((requested, None));
    }
    let offset_note = "dates without a UTC offset read as UTC";
    let file = path.display();
    Ok(match requested {
        DateOrder::DayFirst => (
            DateOrder::DayFirst,
            Some(format!("{numeric} dates read day first (--date-order day-first); {offset_note}")),
        ),
        DateOrder::MonthFirst => (
            DateOrder::MonthFirst,
            Some(format!("{numeric} dates read month first (--date-order month-first); {offset_note}")),
        ),
        DateOrder::Auto => match (day_first_lines.is_empty(), month_first_lines.is_empty()) {
            (false, false) => bail!(
                "{file}: field Created at: dates are day first on lines {day_first_lines:?} and month first on lines {month_first_lines:?}; fix the file or pass --date-order"
            ),
            (false, true) => (
                DateOrder::DayFirst,
                Some(format!("{numeric} dates like DD/MM/YYYY read day first (line {} has a day above 12); {offset_note}", day_first_lines[0])),
            ),
            (true, false) => (
                DateOrder::MonthFirst,
                Some(format!("{numeric} dates like MM/DD/YYYY read month first (line {} has a day above 12); {offset_note}", month_first_lines[0])),
            ),
            (true, true) => (
                DateOrder::DayFirst,
                Some(format!("{numeric} dates like 03/04/2024 can be read either way: ASSUMED day first (a spreadsheet's re-save); pass --date-order month-first if they are US dates; {offset_note}")),
            ),
        },
    })
}

/// The first two numbers of a `D/M/YYYY …` or `D.M.YYYY …` date.
fn numeric_date_parts(text: &str) -> Option<(u32, u32)> {
    let date = text.split_whitespace().next()?;
    let separator = if date.contains('/') {
        '/'
    } else if date.contains('.') {
        '.'
    } else {
        return None;
    };
    let mut parts = date.split(separator);
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

/// Milliseconds since the Unix epoch of a `Created at` value: Shopify's
/// `2024-01-15 10:31:02 -0500` (also ISO `T` and `Z` forms), or a spreadsheet's date without
/// an offset (UTC assumed) in ISO, slash or dot form, read in `order`.
pub fn parse_created_at(text: &str, order: DateOrder) -> Option<u64> {
    let text = text.trim();
    let zoned = [
        "%Y-%m-%d %H:%M:%S %z",
        "%Y-%m-%d %H:%M %z",
        "%Y-%m-%dT%H:%M:%S%:z",
    ];
    for format in zoned {
        if let Ok(time) = jiff::Timestamp::strptime(format, text) {
            return u64::try_from(time.as_millisecond()).ok();
        }
    }
    if let Ok(time) = text.parse::<jiff::Timestamp>() {
        return u64::try_from(time.as_millisecond()).ok();
    }
    let (day, month) = if order == DateOrder::MonthFirst {
        ("%m", "%d")
    } else {
        ("%d", "%m")
    };
    let mut local = vec![
        "%Y-%m-%d %H:%M:%S".to_string(),
        "%Y-%m-%d %H:%M".to_string(),
        "%Y-%m-%d".to_string(),
    ];
    for separator in ['/', '.'] {
        let (a, b) = if separator == '.' {
            ("%d", "%m")
        } else {
            (day, month)
        };
        for time in [" %H:%M:%S", " %H:%M", ""] {
            local.push(format!("{a}{separator}{b}{separator}%Y{time}"));
        }
    }
    for format in &local {
        let parsed = if format.contains("%H") {
            jiff::civil::DateTime::strptime(format, text).ok()
        } else {
            jiff::civil::Date::strptime(format, text)
                .ok()
                .map(|d| d.to_datetime(jiff::civil::Time::midnight()))
        };
        if let Some(civil) = parsed {
            let time = jiff::tz::TimeZone::UTC.to_timestamp(civil).ok()?;
            return u64::try_from(time.as_millisecond()).ok();
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, order: DateOrder, expected: Option<&str>) {
        let expected = expected.map(|e| {
            u64::try_from(e.parse::<jiff::Timestamp>().unwrap().as_millisecond()).unwrap()
        });
        assert_eq!(parse_created_at(text, order), expected, "{text}");
    }

    #[test]
    fn created_at_reads_shopify_and_spreadsheet_forms() {
        use DateOrder::*;
        check(
            "2024-01-15 10:31:02 -0500",
            Auto,
            Some("2024-01-15T15:31:02Z"),
        );
        check(
            "2024-01-15 10:31:02 +0100",
            Auto,
            Some("2024-01-15T09:31:02Z"),
        );
        check(
            "2024-01-15T10:31:02-05:00",
            Auto,
            Some("2024-01-15T15:31:02Z"),
        );
        check("15/01/2024 10:31", DayFirst, Some("2024-01-15T10:31:00Z"));
        check("1/15/2024 10:31", MonthFirst, Some("2024-01-15T10:31:00Z"));
        check(
            "03/04/2024 10:31:05",
            DayFirst,
            Some("2024-04-03T10:31:05Z"),
        );
        check(
            "03/04/2024 10:31:05",
            MonthFirst,
            Some("2024-03-04T10:31:05Z"),
        );
        check("15.01.2024 10:31", Auto, Some("2024-01-15T10:31:00Z"));
        check("2024-01-15 10:31", Auto, Some("2024-01-15T10:31:00Z"));
        check("15/01/2024 10:31", MonthFirst, None);
        check("yesterday", Auto, None);
    }

    #[test]
    fn customers_are_hashed_case_blind() {
        assert_eq!(
            customer_id("Ann@Example.com "),
            customer_id("ann@example.com")
        );
        assert!(customer_id("ann@example.com").starts_with("shopify-customer-"));
        assert!(!customer_id("ann@example.com").contains('@'));
    }
}
