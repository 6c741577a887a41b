//! Reading an event log (NDJSON of [`aisle::events::Event`]) and cutting it into sessions.
//!
//! Blank lines are skipped; lines that are not an event of a schema version this build reads
//! are skipped and counted with their line numbers; events repeated with the same id by the
//! same visitor are dropped and counted (an id names one event of one visitor: a repeat is a
//! delivery retried from the visitor's device, while two logs concatenated may well use the
//! same id for different visitors' events); events out of time order are counted and sorted.
//! Nothing is dropped without being counted in [`EventIssues`].
//!
//! [`read_events`] holds the whole log in memory (`evaluate`, `audit`); `aisle build` streams
//! it through [`crate::spill`] instead, with the same line checks ([`LineChecker`]). Both give
//! training [`Session`]s through a [`SessionSource`].
//!
//! [`gather`] turns what `aisle build --events` names (files, `aisle collect`'s directory of
//! daily `events-YYYY-MM-DD.ndjson` files, gzipped or not, and imported history) into the one
//! log the build streams, keeping only the days of a window (`--since 28d`).
use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use aisle::events::{Event, EventBody, EVENT_SCHEMA_VERSION};
use aisle::history::ActionKind;
use anyhow::{bail, Context};
use serde::Serialize;

use crate::catalog::first_lines;

/// Line numbers of one kind of problem: how many, and the first few to show. A log of
/// millions of bad lines costs no more memory than one of ten.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct LineNumbers {
    /// How many lines.
    pub count: usize,
    /// The first [`LineNumbers::KEPT`] of them.
    pub first: Vec<u64>,
}

impl LineNumbers {
    /// Line numbers kept for messages.
    pub const KEPT: usize = 10;

    /// Counts one more line.
    pub fn push(&mut self, line: u64) {
        self.count += 1;
        if self.first.len() < Self::KEPT {
            self.first.push(line);
        }
    }

    /// True when no line was counted.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }
}

/// What was odd about an event log, with counts.
#[derive(Clone, Debug, Default, Serialize)]
pub struct EventIssues {
    /// Non-blank lines read.
    pub lines: usize,
    /// Lines that are not valid JSON events, skipped.
    pub malformed_lines: LineNumbers,
    /// The first parse error, to show what is wrong.
    pub first_error: Option<String>,
    /// Events of another schema version, skipped.
    pub wrong_version_lines: LineNumbers,
    /// Events whose id was already seen for their visitor, dropped.
    pub duplicates: usize,
    /// Events with an earlier time stamp than the event on the line before them, duplicates
    /// included (nothing needs the log in time order: it is sorted where it matters).
    pub out_of_order: usize,
}

impl EventIssues {
    /// One line per kind of problem, for warnings on stderr.
    pub fn warnings(&self, path: &Path) -> Vec<String> {
        let file = path.display();
        let mut out = Vec::new();
        if !self.malformed_lines.is_empty() {
            out.push(format!(
                "{file}: {} malformed line(s) skipped (lines {}; first: {})",
                self.malformed_lines.count,
                first_lines(&self.malformed_lines.first),
                self.first_error.as_deref().unwrap_or("?")
            ));
        }
        if !self.wrong_version_lines.is_empty() {
            out.push(format!(
                "{file}: {} event(s) of a schema version other than {EVENT_SCHEMA_VERSION} skipped (lines {})",
                self.wrong_version_lines.count,
                first_lines(&self.wrong_version_lines.first)
            ));
        }
        if self.duplicates > 0 {
            out.push(format!(
                "{file}: {} duplicate event(s) (same id, same visitor) dropped",
                self.duplicates
            ));
        }
        if self.out_of_order > 0 {
            out.push(format!(
                "{file}: {} event(s) out of time order, sorted by time",
                self.out_of_order
            ));
        }
        out
    }
}

/// The checks every line of an event log goes through, in file order: blank lines skipped,
/// malformed lines and other schema versions counted with their line numbers, and time
/// stamps earlier than the previous event's counted as out of order. Duplicates are found
/// later (by `read_events` in memory, by `crate::spill` per visitor).
#[derive(Debug, Default)]
pub struct LineChecker {
    /// What was found so far.
    pub issues: EventIssues,
    previous_ts: u64,
}

impl LineChecker {
    /// The event on line `number` (1-based), or `None` when the line is blank or skipped.
    pub fn parse(&mut self, number: u64, line: &str) -> Option<Event> {
        if line.trim().is_empty() {
            return None;
        }
        self.issues.lines += 1;
        let event: Event = match serde_json::from_str(line) {
            Ok(event) => event,
            Err(error) => {
                if self.issues.first_error.is_none() {
                    self.issues.first_error = Some(format!("line {number}: {error}"));
                }
                self.issues.malformed_lines.push(number);
                return None;
            }
        };
        if event.v != EVENT_SCHEMA_VERSION {
            self.issues.wrong_version_lines.push(number);
            return None;
        }
        Some(event)
    }

    /// Counts `ts` as out of order when it is earlier than the previous event's.
    pub fn check_time(&mut self, ts: u64) {
        if ts < self.previous_ts {
            self.issues.out_of_order += 1;
        }
        self.previous_ts = ts;
    }

    /// The issues, or an error when the log held no line at all.
    pub fn finish(self, path: &Path) -> anyhow::Result<EventIssues> {
        if self.issues.lines == 0 {
            bail!(
                "{}: the event log is empty (expected one JSON event per line)",
                path.display()
            );
        }
        Ok(self.issues)
    }
}

/// An event log read from a file, sorted by time (stable for equal times).
#[derive(Clone, Debug, Default)]
pub struct EventLog {
    /// The events kept.
    pub events: Vec<Event>,
    /// What was odd.
    pub issues: EventIssues,
}

/// Reads NDJSON events into memory.
pub fn read_events(path: &Path) -> anyhow::Result<EventLog> {
    let file = std::fs::File::open(path)
        .with_context(|| format!("cannot read events {}", path.display()))?;
    read_events_from(BufReader::new(file), path)
}

/// Reads NDJSON events from a reader; `path` only names the file in messages.
pub fn read_events_from(reader: impl BufRead, path: &Path) -> anyhow::Result<EventLog> {
    let mut checker = LineChecker::default();
    let mut events = Vec::new();
    let mut ids = BTreeSet::new();
    let mut duplicates = 0;
    let mut lines = crate::text_input::Lines::new(reader);
    loop {
        let number = lines.number() + 1;
        let cannot_read = || {
            format!(
                "{}: line {number}: cannot read (not UTF-8?)",
                path.display()
            )
        };
        let Some(line) = lines.next_line().with_context(cannot_read)? else {
            break;
        };
        let line = std::str::from_utf8(line).with_context(cannot_read)?;
        let Some(event) = checker.parse(number, line) else {
            continue;
        };
        checker.check_time(event.ts);
        if !ids.insert((event.visitor.clone(), event.id.clone())) {
            duplicates += 1;
            continue;
        }
        events.push(event);
    }
    let mut issues = checker.finish(path)?;
    issues.duplicates = duplicates;
    events.sort_by_key(|e| e.ts);
    Ok(EventLog { events, issues })
}

/// Writes events as NDJSON.
pub fn write_events(path: &Path, events: &[Event]) -> anyhow::Result<()> {
    let file =
        std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    let mut out = std::io::BufWriter::new(file);
    for event in events {
        serde_json::to_writer(&mut out, event)?;
        out.write_all(b"\n")?;
    }
    out.flush()
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// How far back `aisle build --since` reaches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Since {
    /// The newest collected day and the `n - 1` days before it (`28d`).
    Days(u64),
    /// From this UTC day on (`2024-01-01`), as a day number.
    Day(u64),
}

/// Parses `--since`: `28d` or `YYYY-MM-DD`.
pub fn parse_since(text: &str) -> Result<Since, String> {
    if let Some(days) = text.strip_suffix('d') {
        return match days.parse::<u64>() {
            Ok(days) if days > 0 => Ok(Since::Days(days)),
            _ => Err(format!("{text:?} is not a number of days such as 28d")),
        };
    }
    crate::dates::parse_date(text)
        .map(|ms| Since::Day(crate::dates::day_number(ms)))
        .ok_or_else(|| {
            format!("{text:?} is neither a number of days (28d) nor a date (2024-01-31)")
        })
}

/// The UTC day of a collected day file, from its name `events-YYYY-MM-DD.ndjson[.gz]`.
pub fn collected_day(path: &Path) -> Option<u64> {
    let name = path.file_name()?.to_str()?;
    let date = name.strip_prefix("events-")?.get(..10)?;
    let rest = &name["events-".len() + 10..];
    if rest != ".ndjson" && rest != ".ndjson.gz" {
        return None;
    }
    crate::dates::parse_date(date).map(crate::dates::day_number)
}

/// The event log a build reads, gathered from its inputs.
pub struct GatheredEvents {
    /// The log: the single input file itself, or a temporary file removed on drop.
    path: PathBuf,
    temporary: bool,
    /// One line per input decision, for the build's output.
    pub notes: Vec<String>,
}

impl GatheredEvents {
    /// The NDJSON file to read.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for GatheredEvents {
    fn drop(&mut self) {
        if self.temporary {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Gathers the events a build reads from `inputs`: files as given, directories expanded to
/// their `*.ndjson` and `*.ndjson.gz` files. Collected day files (`events-YYYY-MM-DD…`) older
/// than `since` are left out (counted); other files (imported history) are read whole. One
/// plain file without a window is read in place; anything else is decompressed and joined
/// into a temporary file in `dir`, one file after another, so memory stays one buffer.
pub fn gather(
    inputs: &[PathBuf],
    since: Option<Since>,
    dir: &Path,
) -> anyhow::Result<GatheredEvents> {
    let files = crate::report::input::list_files(inputs)?;
    if files.is_empty() {
        bail!(
            "no event files (*.ndjson or *.ndjson.gz) in {}",
            inputs
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let newest_day = files.iter().filter_map(|f| collected_day(f)).max();
    let first_day = match (since, newest_day) {
        (Some(Since::Days(days)), Some(newest)) => Some((newest + 1).saturating_sub(days)),
        (Some(Since::Day(day)), _) => Some(day),
        _ => None,
    };
    let (mut kept, mut too_old, mut days) = (Vec::new(), 0usize, Vec::new());
    for file in files {
        match (collected_day(&file), first_day) {
            (Some(day), Some(first)) if day < first => too_old += 1,
            (Some(day), _) => {
                days.push(day);
                kept.push(file);
            }
            (None, _) => kept.push(file),
        }
    }
    let mut notes = Vec::new();
    if let (Some(first), Some(last)) = (days.iter().min(), days.iter().max()) {
        notes.push(format!(
            "{} collected day file(s) from {} to {}{}",
            days.len(),
            crate::dates::format_day(*first),
            crate::dates::format_day(*last),
            if too_old > 0 {
                format!(" ({too_old} older file(s) outside --since left out)")
            } else {
                String::new()
            }
        ));
    } else if too_old > 0 {
        notes.push(format!(
            "{too_old} collected day file(s) outside --since left out"
        ));
    }
    let other = kept.len() - days.len();
    if other > 0 && !days.is_empty() {
        notes.push(format!(
            "{other} other event file(s) (imported history) read whole"
        ));
    }
    if kept.is_empty() {
        bail!(
            "no event file is inside --since (the newest collected day is {})",
            newest_day.map(crate::dates::format_day).unwrap_or_default()
        );
    }
    let plain = |p: &Path| p.extension().is_none_or(|e| e != "gz");
    if kept.len() == 1 && plain(&kept[0]) {
        return Ok(GatheredEvents {
            path: kept.remove(0),
            temporary: false,
            notes,
        });
    }
    let path = dir.join(format!(".aisle-events-{}.ndjson", std::process::id()));
    let gathered = GatheredEvents {
        path,
        temporary: true,
        notes,
    };
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let out = std::fs::File::create(gathered.path())
        .with_context(|| format!("cannot create {}", gathered.path().display()))?;
    let mut out = std::io::BufWriter::with_capacity(1 << 20, out);
    for file in &kept {
        let mut reader = crate::text_input::open(file)?;
        let mut last = b'\n';
        loop {
            let buffer = reader.fill_buf().map_err(|error| {
                anyhow::anyhow!(
                    "{}: cannot read: {error}{}",
                    file.display(),
                    if error.kind() == std::io::ErrorKind::UnexpectedEof {
                        " (the gzip data ends early: a cut copy?)"
                    } else {
                        ""
                    }
                )
            })?;
            if buffer.is_empty() {
                break;
            }
            out.write_all(buffer)?;
            last = buffer[buffer.len() - 1];
            let length = buffer.len();
            reader.consume(length);
        }
        if last != b'\n' {
            out.write_all(b"\n")?;
        }
    }
    out.flush()
        .with_context(|| format!("cannot write {}", gathered.path().display()))?;
    Ok(gathered)
}

/// A shopper action (the event types the model and the abandon replay learn from), borrowed
/// from an [`Event`] or from a spilled record, so that neither allocates per event.
#[derive(Clone, Debug, PartialEq)]
pub struct ShopperAction<'a> {
    /// When, ms since the Unix epoch.
    pub ts: u64,
    /// The event's session id.
    pub session: &'a str,
    /// What the shopper did.
    pub body: ActionBody<'a>,
}

/// What a shopper did, with what training needs of it.
#[derive(Clone, Debug, PartialEq)]
pub enum ActionBody<'a> {
    ProductView {
        product: &'a str,
    },
    CategoryView {
        category: &'a str,
    },
    GridClick {
        product: &'a str,
    },
    AddToCart {
        product: &'a str,
        quantity: u32,
        price: Option<f64>,
    },
    RemoveFromCart {
        product: &'a str,
        quantity: u32,
    },
    /// An order: each line item's product and quantity.
    Purchase {
        items: Vec<(&'a str, u32)>,
    },
}

impl<'a> ShopperAction<'a> {
    /// The action an event records, or `None` for events that are not shopper actions
    /// (exposures, scores, errors).
    pub fn from_event(event: &'a Event) -> Option<ShopperAction<'a>> {
        let body = match &event.body {
            EventBody::ProductView { product } => ActionBody::ProductView { product },
            EventBody::CategoryView { category } => ActionBody::CategoryView { category },
            EventBody::GridClick { product, .. } => ActionBody::GridClick { product },
            EventBody::AddToCart {
                product,
                quantity,
                price,
            } => ActionBody::AddToCart {
                product,
                quantity: *quantity,
                price: *price,
            },
            EventBody::RemoveFromCart { product, quantity } => ActionBody::RemoveFromCart {
                product,
                quantity: *quantity,
            },
            EventBody::Purchase { items, .. } => ActionBody::Purchase {
                items: items
                    .iter()
                    .map(|i| (i.product.as_str(), i.quantity))
                    .collect(),
            },
            EventBody::Exposure { .. }
            | EventBody::AbandonScore { .. }
            | EventBody::Error { .. } => return None,
        };
        Some(ShopperAction {
            ts: event.ts,
            session: &event.session,
            body,
        })
    }

    /// Calls `each` with the interactions the model learns from: one per action, one per
    /// line item of a purchase.
    pub fn interactions(&self, mut each: impl FnMut(ActionKind, &'a str)) {
        match &self.body {
            ActionBody::ProductView { product } => each(ActionKind::ProductView, product),
            ActionBody::GridClick { product } => each(ActionKind::GridClick, product),
            ActionBody::AddToCart { product, .. } => each(ActionKind::AddToCart, product),
            ActionBody::RemoveFromCart { product, .. } => each(ActionKind::RemoveFromCart, product),
            ActionBody::CategoryView { category } => each(ActionKind::CategoryView, category),
            ActionBody::Purchase { items } => {
                for &(product, _) in items {
                    each(ActionKind::Purchase, product);
                }
            }
        }
    }
}

/// One thing a shopper did in a session, reduced to what the model learns from.
#[derive(Clone, Debug, PartialEq)]
pub struct Interaction {
    /// When, ms since the Unix epoch.
    pub ts: u64,
    /// What kind of action.
    pub kind: ActionKind,
    /// Product id (category id for a category view).
    pub id: String,
}

/// The interactions of one session, oldest first.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Session {
    /// Visitor id.
    pub visitor: String,
    /// Session id.
    pub session: String,
    /// Interactions, oldest first.
    pub interactions: Vec<Interaction>,
}

impl Session {
    /// When the session started.
    pub fn start_ms(&self) -> u64 {
        self.interactions.first().map_or(0, |i| i.ts)
    }

    /// When the session ended (its last interaction).
    pub fn end_ms(&self) -> u64 {
        self.interactions.last().map_or(0, |i| i.ts)
    }
}

/// The order sessions are trained in: by start time, then visitor and session id.
pub fn session_order(a: &Session, b: &Session) -> std::cmp::Ordering {
    a.start_ms()
        .cmp(&b.start_ms())
        .then_with(|| (&a.visitor, &a.session).cmp(&(&b.visitor, &b.session)))
}

/// Sessions in [`session_order`] that can be read more than once: a slice in memory, or the
/// session file of a streamed build ([`crate::spill::SessionFile`]). Training takes one of
/// these so that it never needs every session in memory at once.
pub trait SessionSource {
    /// How many sessions [`SessionSource::for_each`] gives.
    fn count(&self) -> usize;
    /// Calls `each` with every session, in order.
    fn for_each(&self, each: &mut dyn FnMut(&Session)) -> anyhow::Result<()>;
}

impl SessionSource for Vec<Session> {
    fn count(&self) -> usize {
        self.len()
    }
    fn for_each(&self, each: &mut dyn FnMut(&Session)) -> anyhow::Result<()> {
        self.iter().for_each(each);
        Ok(())
    }
}

/// The sessions of a source that a predicate keeps (for example the training part of a
/// time split), with their number known beforehand.
pub struct FilteredSessions<'a, F: Fn(&Session) -> bool> {
    /// All sessions.
    pub source: &'a dyn SessionSource,
    /// Which to keep.
    pub keep: F,
    /// How many `keep` accepts.
    pub count: usize,
}

impl<F: Fn(&Session) -> bool> SessionSource for FilteredSessions<'_, F> {
    fn count(&self) -> usize {
        self.count
    }
    fn for_each(&self, each: &mut dyn FnMut(&Session)) -> anyhow::Result<()> {
        self.source.for_each(&mut |session| {
            if (self.keep)(session) {
                each(session)
            }
        })
    }
}

/// Groups events by (visitor, session), turning purchases into one interaction per line item.
/// Events that are not shopper actions (exposures, scores, errors) are left out. Sessions are
/// in [`session_order`], so the result is deterministic.
pub fn sessions(events: &[Event]) -> Vec<Session> {
    let mut grouped: BTreeMap<(&str, &str), Vec<Interaction>> = BTreeMap::new();
    for event in events {
        let Some(action) = ShopperAction::from_event(event) else {
            continue;
        };
        let list = grouped
            .entry((event.visitor.as_str(), event.session.as_str()))
            .or_default();
        action.interactions(|kind, id| {
            list.push(Interaction {
                ts: event.ts,
                kind,
                id: id.to_string(),
            })
        });
    }
    let mut sessions: Vec<Session> = grouped
        .into_iter()
        .filter(|(_, interactions)| !interactions.is_empty())
        .map(|((visitor, session), interactions)| Session {
            visitor: visitor.into(),
            session: session.into(),
            interactions,
        })
        .collect();
    sessions.sort_by(session_order);
    sessions
}
#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> anyhow::Result<EventLog> {
        read_events_from(text.as_bytes(), Path::new("events.ndjson"))
    }

    fn view(id: &str, ts: u64, session: &str, product: &str) -> String {
        format!(
            r#"{{"v":1,"id":"{id}","ts":{ts},"visitor":"v","session":"{session}","type":"product_view","product":"{product}"}}"#
        )
    }

    #[test]
    fn odd_lines_are_counted() {
        let text = [
            view("e1", 10, "s", "a"),
            String::new(),
            "not json".into(),
            view("e1", 11, "s", "a"),
            view("e2", 5, "s", "b"),
            r#"{"v":2,"id":"e3","ts":1,"visitor":"v","session":"s","type":"product_view","product":"a"}"#.into(),
        ]
        .join("\n");
        let log = read(&text).unwrap();
        assert_eq!(log.issues.lines, 5);
        assert_eq!(
            log.issues.malformed_lines,
            LineNumbers {
                count: 1,
                first: vec![3]
            }
        );
        assert_eq!(log.issues.duplicates, 1);
        assert_eq!(
            log.issues.wrong_version_lines,
            LineNumbers {
                count: 1,
                first: vec![6]
            }
        );
        assert_eq!(log.issues.out_of_order, 1);
        assert_eq!(log.events.iter().map(|e| e.ts).collect::<Vec<_>>(), [5, 10]);
    }

    #[test]
    fn an_id_is_a_duplicate_only_for_the_same_visitor() {
        let other_visitor =
            view("e1", 12, "s", "b").replace(r#""visitor":"v""#, r#""visitor":"w""#);
        let log = read(
            &[
                view("e1", 10, "s", "a"),
                other_visitor,
                view("e1", 11, "s", "c"),
            ]
            .join("\n"),
        )
        .unwrap();
        assert_eq!(log.issues.duplicates, 1);
        assert_eq!(
            log.events
                .iter()
                .map(|e| e.visitor.as_str())
                .collect::<Vec<_>>(),
            ["v", "w"]
        );
    }

    #[test]
    fn since_reads_days_and_dates() {
        assert_eq!(parse_since("28d"), Ok(Since::Days(28)));
        assert_eq!(parse_since("1970-01-03"), Ok(Since::Day(2)));
        assert!(parse_since("0d").is_err());
        assert!(parse_since("last week").is_err());
        assert_eq!(
            collected_day(Path::new("d/events-1970-01-02.ndjson.gz")),
            Some(1)
        );
        assert_eq!(
            collected_day(Path::new("events-1970-01-02.ndjson")),
            Some(1)
        );
        assert_eq!(collected_day(Path::new("events-1970-01-02.json")), None);
        assert_eq!(collected_day(Path::new("history.ndjson")), None);
    }

    #[test]
    fn gather_keeps_the_window_and_joins_plain_and_gzipped_days() {
        use std::io::Write as _;
        let dir = std::env::temp_dir().join(format!("aisle-gather-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("events-2024-01-01.ndjson"), "old\n").unwrap();
        std::fs::write(dir.join("events-2024-01-02.ndjson"), "two").unwrap();
        let mut gz = flate2::write::GzEncoder::new(
            std::fs::File::create(dir.join("events-2024-01-03.ndjson.gz")).unwrap(),
            flate2::Compression::default(),
        );
        gz.write_all(b"three\n").unwrap();
        gz.finish().unwrap();
        let history = dir.join("imported.ndjson");
        std::fs::write(&history, "history\n").unwrap();
        let out = dir.join("out");
        let gathered = gather(std::slice::from_ref(&dir), Some(Since::Days(2)), &out).unwrap();
        assert_eq!(
            std::fs::read_to_string(gathered.path()).unwrap(),
            "two\nthree\nhistory\n"
        );
        assert!(gathered.notes[0].contains("2 collected day file(s) from 2024-01-02 to 2024-01-03 (1 older file(s) outside --since left out)"), "{:?}", gathered.notes);
        let path = gathered.path().to_path_buf();
        drop(gathered);
        assert!(!path.exists(), "the joined log is removed");
        let single = gather(std::slice::from_ref(&history), None, &out).unwrap();
        assert_eq!(single.path(), history.as_path());
        drop(single);
        assert!(history.exists(), "an input file is never removed");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn empty_logs_are_errors() {
        assert!(format!("{:#}", read("\n\n").unwrap_err())
            .contains("events.ndjson: the event log is empty"));
    }

    #[test]
    fn sessions_group_and_order_by_start() {
        let text = [
            view("e1", 10, "late", "a"),
            view("e2", 1, "early", "b"),
            view("e3", 20, "late", "c"),
        ]
        .join("\n");
        let log = read(&text).unwrap();
        let sessions = sessions(&log.events);
        let summary: Vec<(&str, Vec<&str>)> = sessions
            .iter()
            .map(|s| {
                (
                    s.session.as_str(),
                    s.interactions.iter().map(|i| i.id.as_str()).collect(),
                )
            })
            .collect();
        assert_eq!(summary, [("early", vec!["b"]), ("late", vec!["a", "c"])]);
    }
}
