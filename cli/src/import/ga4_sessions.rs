//! The session table `sql/ga4_sessions.sql` gives in BigQuery, read back as aisle events, so
//! that `aisle build --ga4-sessions` and `aisle evaluate --ga4-sessions` learn from the query's
//! result instead of the whole export. The result is read as BigQuery exports it: CSV (a
//! header row with the column names, NULL as an empty field) or newline-delimited JSON (INT64
//! as strings, FLOAT64 as numbers, NULL columns left out), gzipped or not.
//!
//! One row is one shopper action on one item. The rows of one purchase or checkout start
//! (same visitor, session, time, type and order id, next to each other as the query's
//! `ORDER BY` leaves them) become one event with all their items, as `aisle import ga4` writes
//! it. Files are streamed; rows that cannot be used are counted by reason with where the first
//! ones are.
use std::collections::BTreeMap;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use aisle::events::{Event, EventBody, LineItem, EVENT_SCHEMA_VERSION};
use anyhow::{bail, Context};
use indicatif::ProgressBar;

use super::ga4::{open, Dropped, RowPlace, Writer};
use crate::text_input::{csv_reader, Lines};

/// The query's columns, in its `SELECT` order. The first [`REQUIRED`] must be in a CSV's
/// header; the others may be left out of an export.
pub const COLUMNS: [&str; 12] = [
    "visitor",
    "session",
    "ts",
    "type",
    "product",
    "quantity",
    "price",
    "list_index",
    "order_id",
    "revenue",
    "value",
    "currency",
];
const REQUIRED: usize = 5;
// Indices into COLUMNS.
const VISITOR: usize = 0;
const SESSION: usize = 1;
const TS: usize = 2;
const TYPE: usize = 3;
const PRODUCT: usize = 4;
const QUANTITY: usize = 5;
const PRICE: usize = 6;
const LIST_INDEX: usize = 7;
const ORDER_ID: usize = 8;
const REVENUE: usize = 9;
const VALUE: usize = 10;
const CURRENCY: usize = 11;

/// Reasons a row is left out.
pub mod reason {
    pub const NOT_A_ROW: &str = "a line that is not a JSON object";
    pub const NO_VISITOR: &str = "no visitor";
    pub const NO_SESSION: &str = "no session";
    pub const NO_TIME: &str = "no usable ts (milliseconds)";
    pub const NO_PRODUCT: &str = "no product (missing or \"(not set)\")";
    pub const UNKNOWN_TYPE: &str = "a type the query does not write";
}

/// What reading the session table gave.
#[derive(Debug, Default)]
pub struct SessionTableSummary {
    /// Rows read (not counting CSV headers and blank lines).
    pub rows: u64,
    /// aisle events written.
    pub events: u64,
    /// Rows left out, by reason.
    pub dropped: BTreeMap<&'static str, Dropped>,
    /// `grid_click` rows without `list_index`: position 0 was written.
    pub grid_clicks_without_index: u64,
}

impl SessionTableSummary {
    /// Human-readable lines: what was read, written and left out.
    pub fn lines(&self, files: usize) -> Vec<String> {
        let mut out = vec![format!(
            "read {} session-table rows from {files} file(s) into {} events",
            self.rows, self.events
        )];
        out.extend(self.dropped.iter().map(|(why, d)| d.line(why)));
        if self.grid_clicks_without_index > 0 {
            out.push(format!(
                "{} grid_click rows without list_index: written with position 0",
                self.grid_clicks_without_index
            ));
        }
        out
    }
}

/// Reads the session-table files into one events NDJSON file at `out`.
pub fn convert(files: &[PathBuf], out: &Path) -> anyhow::Result<SessionTableSummary> {
    let file = File::create(out).with_context(|| format!("cannot write {}", out.display()))?;
    let mut writer = EventWriter {
        out: Writer::new(file),
        pending: None,
    };
    let mut summary = SessionTableSummary::default();
    for path in files {
        if is_csv(path) {
            read_csv(path, &mut writer, &mut summary)?;
        } else {
            read_ndjson(path, &mut writer, &mut summary)?;
        }
    }
    writer.flush()?;
    writer
        .out
        .out
        .flush()
        .with_context(|| format!("cannot write {}", out.display()))?;
    summary.events = writer.out.events;
    Ok(summary)
}

/// Converts the tables into one events file in `dir`, named after the first table (so that
/// the event log's warnings point at it: `sessions.csv.events.ndjson`), prints what it read,
/// and gives the file's path.
pub fn events_from_tables(files: &[PathBuf], dir: &Path) -> anyhow::Result<PathBuf> {
    let first = files
        .first()
        .and_then(|f| f.file_name())
        .map_or("ga4-sessions".into(), |n| n.to_string_lossy());
    let path = dir.join(format!("{first}.events.ndjson"));
    let summary = convert(files, &path)?;
    for line in summary.lines(files.len()) {
        eprintln!("aisle: ga4 sessions: {line}");
    }
    Ok(path)
}

fn is_csv(path: &Path) -> bool {
    let name = path.file_name().map(|n| n.to_string_lossy().to_lowercase());
    name.is_some_and(|n| n.ends_with(".csv") || n.ends_with(".csv.gz"))
}

fn read_csv(
    path: &Path,
    writer: &mut EventWriter,
    summary: &mut SessionTableSummary,
) -> anyhow::Result<()> {
    let file = path.display();
    let mut reader = csv_reader(open(path, &ProgressBar::hidden())?, b',');
    let header = reader
        .headers()
        .with_context(|| format!("{file}: line 1: cannot read the header"))?
        .clone();
    let index: Vec<Option<usize>> = COLUMNS
        .iter()
        .map(|c| header.iter().position(|h| h.trim() == *c))
        .collect();
    if let Some(missing) = (0..REQUIRED).find(|&c| index[c].is_none()) {
        bail!(
            "{file}: line 1: no column {:?} (the header has {}); export the result of sql/ga4_sessions.sql with its header row",
            COLUMNS[missing],
            header.iter().collect::<Vec<_>>().join(",")
        );
    }
    let mut record = csv::StringRecord::new();
    loop {
        let more = reader
            .read_record(&mut record)
            .with_context(|| format!("{file}: cannot read after line {}", line_of(&record)))?;
        if !more {
            return Ok(());
        }
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let values: Vec<Option<&str>> = index
            .iter()
            .map(|i| i.and_then(|i| record.get(i)).filter(|v| !v.is_empty()))
            .collect();
        let place = RowPlace {
            file: path.to_path_buf(),
            line: line_of(&record),
        };
        add_row(&values, &place, writer, summary)?;
    }
}

fn line_of(record: &csv::StringRecord) -> u64 {
    record.position().map_or(0, |p| p.line())
}

fn read_ndjson(
    path: &Path,
    writer: &mut EventWriter,
    summary: &mut SessionTableSummary,
) -> anyhow::Result<()> {
    let mut lines = Lines::new(open(path, &ProgressBar::hidden())?);
    loop {
        let before = lines.number();
        let line = lines
            .next_line()
            .with_context(|| format!("{}: cannot read after line {before}", path.display()))?;
        let Some(bytes) = line else {
            return Ok(());
        };
        if bytes.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let place = RowPlace {
            file: path.to_path_buf(),
            line: before + 1,
        };
        let object: serde_json::Map<String, serde_json::Value> = match serde_json::from_slice(bytes)
        {
            Ok(object) => object,
            Err(error) => {
                summary.rows += 1;
                let dropped = summary.dropped.entry(reason::NOT_A_ROW).or_default();
                dropped.detail.get_or_insert_with(|| error.to_string());
                dropped.push(&place);
                continue;
            }
        };
        // INT64 comes as a string, FLOAT64 as a number; both are read from their text.
        let texts: Vec<Option<String>> = COLUMNS
            .iter()
            .map(|c| match object.get(*c) {
                Some(serde_json::Value::String(s)) => Some(s.clone()),
                Some(serde_json::Value::Number(n)) => Some(n.to_string()),
                _ => None,
            })
            .collect();
        let values: Vec<Option<&str>> = texts.iter().map(|t| t.as_deref()).collect();
        add_row(&values, &place, writer, summary)?;
    }
}

/// Turns one row (values in [`COLUMNS`] order, `None` for NULL) into an event, or counts why
/// not.
fn add_row(
    values: &[Option<&str>],
    place: &RowPlace,
    writer: &mut EventWriter,
    summary: &mut SessionTableSummary,
) -> anyhow::Result<()> {
    summary.rows += 1;
    let text = |column: usize| values[column].map(str::trim).filter(|v| !v.is_empty());
    let mut drop = |why: &'static str| {
        summary.dropped.entry(why).or_default().push(place);
        Ok(())
    };
    let Some(visitor) = text(VISITOR) else {
        return drop(reason::NO_VISITOR);
    };
    let Some(session) = text(SESSION) else {
        return drop(reason::NO_SESSION);
    };
    let Some(ts) = text(TS).and_then(|t| t.parse::<u64>().ok()) else {
        return drop(reason::NO_TIME);
    };
    let Some(product) = text(PRODUCT).filter(|p| *p != "(not set)") else {
        return drop(reason::NO_PRODUCT);
    };
    let kind = text(TYPE).unwrap_or("");
    let number = |column: usize| text(column).and_then(|v| v.parse::<f64>().ok());
    let quantity = text(QUANTITY)
        .and_then(|q| q.parse::<u32>().ok())
        .filter(|&q| q > 0)
        .unwrap_or(1);
    let item = LineItem {
        product: product.to_string(),
        quantity,
        price: number(PRICE),
    };
    let body = match kind {
        "product_view" => EventBody::ProductView {
            product: item.product,
        },
        "grid_click" => {
            let position = text(LIST_INDEX).and_then(|i| i.parse::<u32>().ok());
            summary.grid_clicks_without_index += u64::from(position.is_none());
            EventBody::GridClick {
                product: item.product,
                position: position.unwrap_or(0),
            }
        }
        "add_to_cart" => EventBody::AddToCart {
            product: item.product,
            quantity,
            price: item.price,
        },
        "remove_from_cart" => EventBody::RemoveFromCart {
            product: item.product,
            quantity,
        },
        "purchase" | "begin_checkout" => {
            let order = text(ORDER_ID).filter(|o| *o != "(not set)");
            let key = [visitor, session, kind, order.unwrap_or("")].join("\n");
            if let Some((pending_key, event)) = &mut writer.pending {
                if *pending_key == key && event.ts == ts {
                    if let EventBody::Purchase { items, .. }
                    | EventBody::BeginCheckout { items, .. } = &mut event.body
                    {
                        items.push(item);
                    }
                    return Ok(());
                }
            }
            let currency = text(CURRENCY).map(String::from);
            let body = if kind == "purchase" {
                EventBody::Purchase {
                    order_id: order.map(String::from),
                    revenue: number(REVENUE),
                    currency,
                    items: vec![item],
                }
            } else {
                EventBody::BeginCheckout {
                    value: number(VALUE),
                    currency,
                    items: vec![item],
                }
            };
            writer.flush()?;
            writer.pending = Some((key, event(visitor, session, ts, place, body)));
            return Ok(());
        }
        _ => return drop(reason::UNKNOWN_TYPE),
    };
    writer.flush()?;
    writer.write(&event(visitor, session, ts, place, body))
}

fn event(visitor: &str, session: &str, ts: u64, place: &RowPlace, body: EventBody) -> Event {
    let file = place
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Event {
        v: EVENT_SCHEMA_VERSION,
        // Unique per row of the table, so the build's duplicate check keeps every action.
        id: format!("ga4-sessions:{file}:{}", place.line),
        ts,
        visitor: visitor.to_string(),
        session: session.to_string(),
        arms: BTreeMap::new(),
        body,
    }
}

/// Writes events, holding back the purchase or checkout whose items are still being read.
struct EventWriter {
    out: Writer,
    /// Grouping key and event of the order or checkout being read.
    pending: Option<(String, Event)>,
}

impl EventWriter {
    fn write(&mut self, event: &Event) -> anyhow::Result<()> {
        self.out.write(event)
    }

    fn flush(&mut self) -> anyhow::Result<()> {
        if let Some((_, event)) = self.pending.take() {
            self.out.write(&event)?;
        }
        Ok(())
    }
}
