//! `aisle import ga4`: a GA4 BigQuery export, as BigQuery writes it to newline-delimited JSON
//! (gzipped or not, in one or many `events_YYYYMMDD` shards) or to Parquet
//! (`ga4_parquet.rs`), into aisle events and a catalog-gap CSV.
//!
//! One export row is one GA4 event: `event_timestamp` (microseconds, a string in JSON exports),
//! `event_name`, `user_pseudo_id`, the repeated `event_params` (`key` and a `value` holding one
//! of `string_value`, `int_value`, `float_value`, `double_value`), the repeated `items` and the
//! `ecommerce` record. The visitor is `user_pseudo_id`, the session its `ga_session_id` event
//! parameter, the time `event_timestamp` in milliseconds. Item ids stay as written (product id,
//! SKU or `shopify_US_<product>_<variant>`): the catalog's aliases resolve them.
//!
//! The files are streamed: memory holds one row and one entry per distinct item id (for the
//! catalog-gap file), whatever the export's size. Rows that cannot be used are counted by
//! reason with where the first ones are; nothing is dropped silently.
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use aisle::events::{Event, EventBody, LineItem, EVENT_SCHEMA_VERSION};
use anyhow::{bail, Context};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;

use super::ga4_parquet::is_parquet;
use crate::catalog::Product;

/// Arguments of `aisle import ga4`.
#[derive(Args)]
pub struct Ga4Args {
    /// Export files (`.json`, `.ndjson`, `.jsonl`, each optionally `.gz`, or `.parquet`),
    /// directories of them, or quoted glob patterns such as `'export/events_2024*.json.gz'`.
    #[arg(long, required = true, num_args = 1..)]
    pub input: Vec<String>,
    /// Where to write the events NDJSON (aisle event schema v1).
    #[arg(long)]
    pub events_out: PathBuf,
    /// Where to write what the export's `items` say about each item id (name, brand,
    /// category path, latest price), in aisle's catalog columns, to fill catalog gaps.
    #[arg(long)]
    pub catalog_out: Option<PathBuf>,
}

pub fn run(args: Ga4Args) -> anyhow::Result<()> {
    let files = list_files(&args.input)?;
    let started = Instant::now();
    let summary = import(&files, &args.events_out, args.catalog_out.as_deref(), true)?;
    let seconds = started.elapsed().as_secs_f64();
    for line in summary.lines() {
        eprintln!("aisle: {line}");
    }
    eprintln!(
        "aisle: {} rows in {seconds:.1} s ({:.0} rows/s); events in {}{}",
        summary.rows,
        summary.rows as f64 / seconds.max(1e-9),
        args.events_out.display(),
        args.catalog_out
            .as_ref()
            .map(|p| format!(", catalog gaps in {}", p.display()))
            .unwrap_or_default()
    );
    Ok(())
}

/// Where a row was: file and 1-based line.
#[derive(Clone, Debug, PartialEq)]
pub struct RowPlace {
    pub file: PathBuf,
    pub line: u64,
}

impl fmt::Display for RowPlace {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        // A Parquet file has rows, not lines; `line` counts them.
        let unit = if is_parquet(&self.file) {
            "row"
        } else {
            "line"
        };
        write!(f, "{} {unit} {}", self.file.display(), self.line)
    }
}

/// Rows (or items) left out for one reason: how many, and where the first few were.
#[derive(Clone, Debug, Default)]
pub struct Dropped {
    pub count: u64,
    pub first: Vec<RowPlace>,
    /// The first parser message, when there is one.
    pub detail: Option<String>,
}

impl Dropped {
    const KEPT: usize = 3;

    pub fn push(&mut self, place: &RowPlace) {
        self.count += 1;
        if self.first.len() < Self::KEPT {
            self.first.push(place.clone());
        }
    }

    /// "dropped N for why (first: file line L; …): detail".
    pub fn line(&self, why: &str) -> String {
        let places: Vec<String> = self.first.iter().map(|p| p.to_string()).collect();
        format!(
            "dropped {} for {why} (first: {}){}",
            self.count,
            places.join("; "),
            self.detail
                .as_ref()
                .map(|d| format!(": {d}"))
                .unwrap_or_default()
        )
    }
}

/// What an import read, wrote and left out.
#[derive(Debug, Default)]
pub struct Ga4Summary {
    /// Files read, in order.
    pub files: Vec<PathBuf>,
    /// Intraday shards skipped because the day's daily table is among the inputs.
    pub intraday_skipped: Vec<PathBuf>,
    /// Non-blank lines read.
    pub rows: u64,
    /// aisle events written.
    pub events: u64,
    /// Rows of the mapped GA4 event names, by name.
    pub mapped_rows: BTreeMap<String, u64>,
    /// Rows of other event names (`page_view`, `session_start`, …): not shopper actions the
    /// model learns from.
    pub other_rows: u64,
    /// Rows or items left out, by reason.
    pub dropped: BTreeMap<&'static str, Dropped>,
    /// Rows whose time is earlier than the row before them in the same file (GA4 tables are
    /// not in time order; the build sorts, so they are kept).
    pub out_of_order: u64,
    /// `select_item` rows without `item_list_index`: position 0 was written.
    pub select_item_without_index: u64,
    /// Distinct item ids in the catalog-gap file.
    pub catalog_items: usize,
}

/// Reasons a row or an item is left out.
pub mod reason {
    pub const NOT_A_ROW: &str = "not a JSON object of the GA4 export schema";
    pub const NO_USER: &str = "no user_pseudo_id (consent mode without analytics storage?)";
    pub const NO_SESSION: &str = "no ga_session_id event parameter";
    pub const NO_TIME: &str = "no usable event_timestamp";
    pub const NO_ITEMS: &str = "an item event without items";
    pub const NO_ITEM_ID: &str = "an item without item_id (missing or \"(not set)\")";
}

impl Ga4Summary {
    /// Human-readable lines: what was read, what was written, what was left out and why.
    pub fn lines(&self) -> Vec<String> {
        let mut out = vec![format!(
            "read {} GA4 rows from {} file(s); wrote {} events ({})",
            self.rows,
            self.files.len(),
            self.events,
            self.mapped_rows
                .iter()
                .map(|(name, count)| format!("{name}: {count} rows"))
                .collect::<Vec<_>>()
                .join(", ")
        )];
        if self.other_rows > 0 {
            out.push(format!(
                "{} rows of other event names (page_view, session_start, …) are not shopper actions aisle learns from",
                self.other_rows
            ));
        }
        for file in &self.intraday_skipped {
            out.push(format!(
                "skipped {}: the same day's daily table is among the inputs",
                file.display()
            ));
        }
        for (why, dropped) in &self.dropped {
            out.push(dropped.line(why));
        }
        if self.out_of_order > 0 {
            out.push(format!(
                "{} rows earlier than the row before them (kept: the build sorts by time)",
                self.out_of_order
            ));
        }
        if self.select_item_without_index > 0 {
            out.push(format!(
                "{} select_item rows without item_list_index: written with position 0",
                self.select_item_without_index
            ));
        }
        out
    }

    /// Rows left out for `why` (0 when none).
    pub fn dropped_count(&self, why: &str) -> u64 {
        self.dropped.get(why).map_or(0, |d| d.count)
    }
}

/// The files named by `inputs`: files as given, directories expanded to their export files,
/// glob patterns expanded; in name order per input. An `events_intraday_YYYYMMDD` shard is
/// skipped (and reported) when a daily `events_YYYYMMDD` shard of that day is listed too.
pub fn list_files(inputs: &[String]) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for input in inputs {
        let mut found: Vec<PathBuf> = if input.contains(['*', '?', '[']) {
            glob::glob(input)
                .with_context(|| format!("{input:?} is not a valid glob pattern"))?
                .filter_map(Result::ok)
                .filter(|p| p.is_file())
                .collect()
        } else {
            let path = PathBuf::from(input);
            let metadata = std::fs::metadata(&path)
                .with_context(|| format!("cannot read the GA4 export {input}"))?;
            if metadata.is_dir() {
                std::fs::read_dir(&path)
                    .with_context(|| format!("cannot list {input}"))?
                    .filter_map(|entry| entry.ok().map(|e| e.path()))
                    .filter(|p| p.is_file() && is_export_file(p))
                    .collect()
            } else {
                vec![path]
            }
        };
        if found.is_empty() {
            bail!("{input}: no GA4 export files (.json, .ndjson or .jsonl, optionally .gz, or .parquet) found");
        }
        found.sort();
        files.extend(found);
    }
    Ok(files)
}

fn is_export_file(path: &Path) -> bool {
    if is_parquet(path) {
        return true;
    }
    let name = file_name(path);
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    [".json", ".ndjson", ".jsonl"]
        .iter()
        .any(|ext| name.ends_with(ext))
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// `YYYYMMDD` of an `events_intraday_YYYYMMDD…` file name.
fn intraday_day(path: &Path) -> Option<String> {
    let name = file_name(path);
    let rest = name.strip_prefix("events_intraday_")?;
    let day = rest.get(..8)?;
    day.bytes()
        .all(|b| b.is_ascii_digit())
        .then(|| day.to_string())
}

/// `YYYYMMDD` of an `events_YYYYMMDD…` file name.
fn daily_day(path: &Path) -> Option<String> {
    let name = file_name(path);
    let rest = name.strip_prefix("events_")?;
    let day = rest.get(..8)?;
    day.bytes()
        .all(|b| b.is_ascii_digit())
        .then(|| day.to_string())
}

/// Imports `files` (see [`list_files`]) into `events_out` and, when given, the catalog-gap CSV.
pub fn import(
    files: &[PathBuf],
    events_out: &Path,
    catalog_out: Option<&Path>,
    show_progress: bool,
) -> anyhow::Result<Ga4Summary> {
    let daily: std::collections::HashSet<String> =
        files.iter().filter_map(|f| daily_day(f)).collect();
    let mut summary = Ga4Summary::default();
    let mut kept = Vec::new();
    for file in files {
        match intraday_day(file) {
            Some(day) if daily.contains(&day) => summary.intraday_skipped.push(file.clone()),
            _ => kept.push(file.clone()),
        }
    }
    let total_bytes: u64 = kept
        .iter()
        .map(|f| std::fs::metadata(f).map(|m| m.len()).unwrap_or(0))
        .sum();
    let progress = if show_progress {
        ProgressBar::new(total_bytes)
    } else {
        ProgressBar::hidden()
    };
    progress.set_style(
        ProgressStyle::with_template(
            "importing GA4 {bar:40} {bytes}/{total_bytes} {binary_bytes_per_sec} {eta}",
        )
        .expect("the template is valid"),
    );
    let out = File::create(events_out)
        .with_context(|| format!("cannot create {}", events_out.display()))?;
    let mut writer = Writer::new(out);
    let mut items = CatalogGaps::default();
    for file in &kept {
        import_file(file, &progress, &mut writer, &mut items, &mut summary)?;
        summary.files.push(file.clone());
    }
    progress.finish_and_clear();
    writer
        .out
        .flush()
        .with_context(|| format!("cannot write {}", events_out.display()))?;
    summary.events = writer.events;
    if summary.rows > 0 && summary.rows == summary.dropped_count(reason::NOT_A_ROW) {
        bail!(
            "{}: no line is a GA4 export row ({})",
            kept.iter()
                .map(|f| f.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
            summary.dropped[reason::NOT_A_ROW]
                .detail
                .as_deref()
                .unwrap_or("?")
        );
    }
    if let Some(path) = catalog_out {
        let products = items.into_products();
        summary.catalog_items = products.len();
        crate::catalog::write_catalog(path, &products)?;
    }
    Ok(summary)
}

/// An events NDJSON file being written, counting its events.
pub struct Writer {
    pub out: BufWriter<File>,
    pub events: u64,
}

impl Writer {
    pub fn new(file: File) -> Writer {
        Writer {
            out: BufWriter::with_capacity(1 << 20, file),
            events: 0,
        }
    }

    pub fn write(&mut self, event: &Event) -> anyhow::Result<()> {
        serde_json::to_writer(&mut self.out, event)?;
        self.out.write_all(b"\n")?;
        self.events += 1;
        Ok(())
    }
}

/// Opens an export file, decompressing `.gz`; every compressed byte read advances `progress`.
pub fn open(path: &Path, progress: &ProgressBar) -> anyhow::Result<Box<dyn BufRead>> {
    let file = File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let counted = progress.wrap_read(BufReader::with_capacity(1 << 16, file));
    let reader: Box<dyn Read> = if path.extension().is_some_and(|e| e == "gz") {
        Box::new(flate2::read::MultiGzDecoder::new(counted))
    } else {
        Box::new(counted)
    };
    Ok(Box::new(BufReader::with_capacity(1 << 20, reader)))
}

fn import_file(
    path: &Path,
    progress: &ProgressBar,
    writer: &mut Writer,
    items: &mut CatalogGaps,
    summary: &mut Ga4Summary,
) -> anyhow::Result<()> {
    if is_parquet(path) {
        return import_parquet_file(path, progress, writer, items, summary);
    }
    let mut lines = crate::text_input::Lines::new(open(path, progress)?);
    let mut place = RowPlace {
        file: path.to_path_buf(),
        line: 0,
    };
    let mut previous_ts = 0u64;
    loop {
        let line = lines.next_line().map_err(|error| {
            let cut = error.kind() == std::io::ErrorKind::UnexpectedEof;
            anyhow::anyhow!(
                "{}: cannot read after line {}: {error}{}",
                path.display(),
                place.line,
                if cut {
                    " (the gzip data ends early: a cut download? fetch the file again)"
                } else {
                    ""
                }
            )
        })?;
        let Some(bytes) = line else {
            return Ok(());
        };
        place.line += 1;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        add_row(
            serde_json::from_slice(bytes),
            &place,
            &mut previous_ts,
            writer,
            items,
            summary,
        )?;
    }
}

/// A Parquet export file: its rows as the JSON objects the NDJSON export holds.
fn import_parquet_file(
    path: &Path,
    progress: &ProgressBar,
    writer: &mut Writer,
    items: &mut CatalogGaps,
    summary: &mut Ga4Summary,
) -> anyhow::Result<()> {
    let mut place = RowPlace {
        file: path.to_path_buf(),
        line: 0,
    };
    let mut previous_ts = 0u64;
    super::ga4_parquet::for_each_row(path, |number, value| {
        place.line = number;
        add_row(
            serde_json::from_value(value),
            &place,
            &mut previous_ts,
            writer,
            items,
            summary,
        )
    })?;
    progress.inc(std::fs::metadata(path).map_or(0, |m| m.len()));
    Ok(())
}

/// Maps one parsed row (or counts why it is not one), noting rows earlier than the one before.
fn add_row(
    row: Result<Row, serde_json::Error>,
    place: &RowPlace,
    previous_ts: &mut u64,
    writer: &mut Writer,
    items: &mut CatalogGaps,
    summary: &mut Ga4Summary,
) -> anyhow::Result<()> {
    summary.rows += 1;
    let row = match row {
        Ok(row) => row,
        Err(error) => {
            let dropped = summary.dropped.entry(reason::NOT_A_ROW).or_default();
            if dropped.detail.is_none() {
                dropped.detail = Some(error.to_string());
            }
            dropped.push(place);
            return Ok(());
        }
    };
    if let Some(ts) = row
        .event_timestamp
        .as_ref()
        .and_then(|t| t.0.parse::<u64>().ok())
    {
        if ts < *previous_ts {
            summary.out_of_order += 1;
        }
        *previous_ts = ts;
    }
    map_row(&row, place, writer, items, summary)
}

/// Writes the aisle events of one export row, or counts why it has none.
fn map_row(
    row: &Row,
    place: &RowPlace,
    writer: &mut Writer,
    catalog: &mut CatalogGaps,
    summary: &mut Ga4Summary,
) -> anyhow::Result<()> {
    let name = row.event_name.as_deref().unwrap_or("");
    let kind = match name {
        "view_item" | "select_item" | "add_to_cart" | "remove_from_cart" | "begin_checkout"
        | "purchase" => name,
        _ => {
            summary.other_rows += 1;
            return Ok(());
        }
    };
    let drop = |summary: &mut Ga4Summary, why: &'static str| {
        summary.dropped.entry(why).or_default().push(place);
    };
    let Some(visitor) = row.user_pseudo_id.as_ref().filter(|v| !v.0.is_empty()) else {
        drop(summary, reason::NO_USER);
        return Ok(());
    };
    let Some(session) = row.param("ga_session_id") else {
        drop(summary, reason::NO_SESSION);
        return Ok(());
    };
    let Some(timestamp) = row.event_timestamp.as_ref() else {
        drop(summary, reason::NO_TIME);
        return Ok(());
    };
    let Ok(micros) = timestamp.0.parse::<u64>() else {
        drop(summary, reason::NO_TIME);
        return Ok(());
    };
    let items = row.items.as_deref().unwrap_or(&[]);
    if items.is_empty() {
        drop(summary, reason::NO_ITEMS);
        return Ok(());
    }
    let mut usable: Vec<(usize, &Item, String)> = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        match item.id() {
            Some(id) => {
                catalog.add(&id, item);
                usable.push((i, item, id));
            }
            None => drop(summary, reason::NO_ITEM_ID),
        }
    }
    if usable.is_empty() {
        return Ok(());
    }
    *summary.mapped_rows.entry(kind.to_string()).or_default() += 1;
    let event = |index: usize, body: EventBody| Event {
        v: EVENT_SCHEMA_VERSION,
        id: format!("ga4:{}:{kind}:{index}", timestamp.0),
        ts: micros / 1000,
        visitor: visitor.0.clone(),
        session: session.clone(),
        arms: BTreeMap::new(),
        body,
    };
    if kind == "purchase" {
        let ecommerce = row.ecommerce.as_ref();
        let body = EventBody::Purchase {
            order_id: ecommerce
                .and_then(|e| e.transaction_id.as_ref())
                .map(|t| t.0.clone())
                .filter(|t| is_set(t)),
            revenue: ecommerce.and_then(|e| e.purchase_revenue),
            currency: row.param("currency"),
            items: line_items(&usable),
        };
        return writer.write(&event(0, body));
    }
    if kind == "begin_checkout" {
        let body = EventBody::BeginCheckout {
            value: row.param("value").and_then(|v| v.parse::<f64>().ok()),
            currency: row.param("currency"),
            items: line_items(&usable),
        };
        return writer.write(&event(0, body));
    }
    for (index, item, id) in usable {
        let product = id;
        let body = match kind {
            "view_item" => EventBody::ProductView { product },
            "select_item" => {
                let position = item
                    .item_list_index
                    .as_ref()
                    .and_then(|i| i.0.parse::<u32>().ok());
                if position.is_none() {
                    summary.select_item_without_index += 1;
                }
                EventBody::GridClick {
                    product,
                    position: position.unwrap_or(0),
                }
            }
            "add_to_cart" => EventBody::AddToCart {
                product,
                quantity: item.quantity(),
                price: item.price,
            },
            _ => EventBody::RemoveFromCart {
                product,
                quantity: item.quantity(),
            },
        };
        writer.write(&event(index, body))?;
    }
    Ok(())
}

/// The usable items of a row as the line items of one cart or order event.
fn line_items(usable: &[(usize, &Item, String)]) -> Vec<LineItem> {
    usable
        .iter()
        .map(|(_, item, id)| LineItem {
            product: id.clone(),
            quantity: item.quantity(),
            price: item.price,
        })
        .collect()
}

/// GA4 writes `(not set)` where a value is missing.
fn is_set(text: &str) -> bool {
    !text.trim().is_empty() && text != "(not set)"
}

/// The fields of an export row aisle reads (every other column is ignored).
#[derive(Deserialize)]
struct Row {
    #[serde(default)]
    event_timestamp: Option<Scalar>,
    #[serde(default)]
    event_name: Option<String>,
    #[serde(default)]
    event_params: Option<Vec<Param>>,
    #[serde(default)]
    user_pseudo_id: Option<Scalar>,
    #[serde(default)]
    items: Option<Vec<Item>>,
    #[serde(default)]
    ecommerce: Option<Ecommerce>,
}

impl Row {
    /// The value of event parameter `key` as text, whichever of its typed fields holds it.
    fn param(&self, key: &str) -> Option<String> {
        let value = self
            .event_params
            .as_deref()?
            .iter()
            .find(|p| p.key.as_deref() == Some(key))?
            .value
            .as_ref()?;
        let text = value
            .string_value
            .clone()
            .or_else(|| value.int_value.as_ref().map(|v| v.0.clone()))
            .or_else(|| {
                value
                    .double_value
                    .or(value.float_value)
                    .map(|v| v.to_string())
            })?;
        is_set(&text).then_some(text)
    }
}

#[derive(Deserialize)]
struct Param {
    #[serde(default)]
    key: Option<String>,
    #[serde(default)]
    value: Option<ParamValue>,
}

#[derive(Deserialize)]
struct ParamValue {
    #[serde(default)]
    string_value: Option<String>,
    #[serde(default)]
    int_value: Option<Scalar>,
    #[serde(default, deserialize_with = "number")]
    float_value: Option<f64>,
    #[serde(default, deserialize_with = "number")]
    double_value: Option<f64>,
}

#[derive(Deserialize)]
struct Item {
    #[serde(default)]
    item_id: Option<Scalar>,
    #[serde(default)]
    item_name: Option<String>,
    #[serde(default)]
    item_brand: Option<String>,
    #[serde(default)]
    item_category: Option<String>,
    #[serde(default)]
    item_category2: Option<String>,
    #[serde(default)]
    item_category3: Option<String>,
    #[serde(default)]
    item_category4: Option<String>,
    #[serde(default)]
    item_category5: Option<String>,
    #[serde(default, deserialize_with = "number")]
    price: Option<f64>,
    #[serde(default)]
    quantity: Option<Scalar>,
    #[serde(default)]
    item_list_index: Option<Scalar>,
}

impl Item {
    fn id(&self) -> Option<String> {
        self.item_id
            .as_ref()
            .map(|id| id.0.trim().to_string())
            .filter(|id| is_set(id))
    }

    /// Units, 1 when missing or not a positive whole number.
    fn quantity(&self) -> u32 {
        self.quantity
            .as_ref()
            .and_then(|q| q.0.parse::<u32>().ok())
            .filter(|&q| q > 0)
            .unwrap_or(1)
    }

    /// `item_category` … `item_category5`, set levels joined with ` > `.
    fn category_path(&self) -> String {
        [
            &self.item_category,
            &self.item_category2,
            &self.item_category3,
            &self.item_category4,
            &self.item_category5,
        ]
        .iter()
        .filter_map(|level| level.as_deref().map(str::trim).filter(|l| is_set(l)))
        .collect::<Vec<_>>()
        .join(" > ")
    }
}

#[derive(Deserialize)]
struct Ecommerce {
    #[serde(default)]
    transaction_id: Option<Scalar>,
    #[serde(default, deserialize_with = "number")]
    purchase_revenue: Option<f64>,
}

/// A JSON string or number as text: BigQuery writes INT64 columns as strings, other tools as
/// numbers, and one shop's ids are numbers in one file and strings in another.
struct Scalar(String);

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Scalar, D::Error> {
        struct ScalarVisitor;
        impl Visitor<'_> for ScalarVisitor {
            type Value = Scalar;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string or a number")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Scalar, E> {
                Ok(Scalar(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
        }
        deserializer.deserialize_any(ScalarVisitor)
    }
}

/// A FLOAT64 column: a JSON number, or a numeric string; null when missing.
fn number<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<f64>, D::Error> {
    Ok(Option::<Scalar>::deserialize(deserializer)?
        .and_then(|s| s.0.trim().parse::<f64>().ok())
        .filter(|v| v.is_finite()))
}

/// What the export's `items` say about each item id, for the catalog-gap file.
#[derive(Default)]
struct CatalogGaps {
    items: HashMap<String, Product>,
}

impl CatalogGaps {
    /// Records an item: the first name, brand and category seen, the latest price.
    fn add(&mut self, id: &str, item: &Item) {
        let product = self.items.entry(id.to_string()).or_insert_with(|| Product {
            id: id.to_string(),
            ..Product::default()
        });
        if product.title.is_empty() {
            if let Some(name) = item.item_name.as_deref().filter(|n| is_set(n)) {
                product.title = name.trim().to_string();
            }
        }
        if product.brand.is_none() {
            product.brand = item
                .item_brand
                .as_deref()
                .filter(|b| is_set(b))
                .map(|b| b.trim().to_string());
        }
        if product.category.is_empty() {
            product.category = item.category_path();
        }
        if let Some(price) = item.price.filter(|p| *p > 0.0) {
            product.price = Some(price);
        }
    }

    fn into_products(self) -> Vec<Product> {
        let mut products: Vec<Product> = self.items.into_values().collect();
        products.sort_by(|a, b| a.id.cmp(&b.id));
        products
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(json: &str) -> Row {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn params_read_whichever_typed_value_holds_them() {
        let r = row(
            r#"{"event_params":[{"key":"ga_session_id","value":{"int_value":"1700000123"}},{"key":"currency","value":{"string_value":"USD"}},{"key":"x","value":{"double_value":1.5}}]}"#,
        );
        assert_eq!(r.param("ga_session_id").as_deref(), Some("1700000123"));
        assert_eq!(r.param("currency").as_deref(), Some("USD"));
        assert_eq!(r.param("x").as_deref(), Some("1.5"));
        assert_eq!(r.param("missing"), None);
        let numeric =
            row(r#"{"event_params":[{"key":"ga_session_id","value":{"int_value":1700000123}}]}"#);
        assert_eq!(
            numeric.param("ga_session_id").as_deref(),
            Some("1700000123")
        );
    }

    #[test]
    fn item_ids_read_the_same_as_numbers_and_strings() {
        let r = row(
            r#"{"items":[{"item_id":12345,"price":"9.50","quantity":"2"},{"item_id":"12345","price":9.5},{"item_id":"(not set)"}]}"#,
        );
        let items = r.items.unwrap();
        assert_eq!(items[0].id(), items[1].id());
        assert_eq!(items[0].price, Some(9.5));
        assert_eq!(items[0].quantity(), 2);
        assert_eq!(items[1].quantity(), 1);
        assert_eq!(items[2].id(), None);
    }

    #[test]
    fn category_levels_join_into_a_path() {
        let r = row(
            r#"{"items":[{"item_id":"a","item_category":"Apparel","item_category2":"Men's","item_category3":"(not set)","item_category4":"","item_category5":"T-Shirts"}]}"#,
        );
        assert_eq!(
            r.items.unwrap()[0].category_path(),
            "Apparel > Men's > T-Shirts"
        );
    }

    #[test]
    fn intraday_and_daily_days_come_from_file_names() {
        assert_eq!(
            daily_day(Path::new("x/events_20240105-000000000001.json.gz")).as_deref(),
            Some("20240105")
        );
        assert_eq!(
            intraday_day(Path::new("events_intraday_20240105.json")).as_deref(),
            Some("20240105")
        );
        assert_eq!(daily_day(Path::new("events_intraday_20240105.json")), None);
    }
}
