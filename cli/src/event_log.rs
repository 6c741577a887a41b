//! Reading an event log (NDJSON of [`aisle::events::Event`]) and cutting it into sessions.
//!
//! Blank lines are skipped; lines that are not an event of a schema version this build reads
//! are skipped and counted with their line numbers; events repeated with the same id are
//! dropped and counted; events out of time order are counted and sorted. Nothing is dropped
//! without being counted in [`EventIssues`].
use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;

use aisle::events::{Event, EventBody, EVENT_SCHEMA_VERSION};
use aisle::history::ActionKind;
use anyhow::{bail, Context};
use serde::Serialize;

use crate::catalog::first_lines;

/// What was odd about an event log, with counts.
#[derive(Clone, Debug, Default, Serialize)]
pub struct EventIssues {
    /// Non-blank lines read.
    pub lines: usize,
    /// Lines that are not valid JSON events, skipped (line numbers).
    pub malformed_lines: Vec<u64>,
    /// The first parse error, to show what is wrong.
    pub first_error: Option<String>,
    /// Events of another schema version, skipped (line numbers).
    pub wrong_version_lines: Vec<u64>,
    /// Events whose id was already seen, dropped.
    pub duplicates: usize,
    /// Events with an earlier time stamp than the line before them (the log is sorted).
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
                self.malformed_lines.len(),
                first_lines(&self.malformed_lines),
                self.first_error.as_deref().unwrap_or("?")
            ));
        }
        if !self.wrong_version_lines.is_empty() {
            out.push(format!(
                "{file}: {} event(s) of a schema version other than {EVENT_SCHEMA_VERSION} skipped (lines {})",
                self.wrong_version_lines.len(),
                first_lines(&self.wrong_version_lines)
            ));
        }
        if self.duplicates > 0 {
            out.push(format!("{file}: {} duplicate event(s) (same id) dropped", self.duplicates));
        }
        if self.out_of_order > 0 {
            out.push(format!("{file}: {} event(s) out of time order, sorted by time", self.out_of_order));
        }
        out
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

/// Reads NDJSON events.
pub fn read_events(path: &Path) -> anyhow::Result<EventLog> {
    let file = std::fs::File::open(path).with_context(|| format!("cannot read events {}", path.display()))?;
    read_events_from(BufReader::new(file), path)
}

/// Reads NDJSON events from a reader; `path` only names the file in messages.
pub fn read_events_from(reader: impl BufRead, path: &Path) -> anyhow::Result<EventLog> {
    let mut log = EventLog::default();
    let mut ids = BTreeSet::new();
    let mut previous_ts = 0;
    for (number, line) in reader.lines().enumerate() {
        let number = number as u64 + 1;
        let line = line.with_context(|| format!("{}: line {number}: cannot read (not UTF-8?)", path.display()))?;
        if line.trim().is_empty() {
            continue;
        }
        log.issues.lines += 1;
        let event: Event = match serde_json::from_str(&line) {
            Ok(event) => event,
            Err(error) => {
                if log.issues.first_error.is_none() {
                    log.issues.first_error = Some(format!("line {number}: {error}"));
                }
                log.issues.malformed_lines.push(number);
                continue;
            }
        };
        if event.v != EVENT_SCHEMA_VERSION {
            log.issues.wrong_version_lines.push(number);
            continue;
        }
        if !ids.insert(event.id.clone()) {
            log.issues.duplicates += 1;
            continue;
        }
        if event.ts < previous_ts {
            log.issues.out_of_order += 1;
        }
        previous_ts = event.ts;
        log.events.push(event);
    }
    if log.issues.lines == 0 {
        bail!("{}: the event log is empty (expected one JSON event per line)", path.display());
    }
    log.events.sort_by_key(|e| e.ts);
    Ok(log)
}

/// Writes events as NDJSON.
pub fn write_events(path: &Path, events: &[Event]) -> anyhow::Result<()> {
    let file = std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    let mut out = std::io::BufWriter::new(file);
    for event in events {
        serde_json::to_writer(&mut out, event)?;
        out.write_all(b"\n")?;
    }
    out.flush().with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
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
#[derive(Clone, Debug, PartialEq)]
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
}

/// Groups events by (visitor, session), turning purchases into one interaction per line item.
/// Events that are not shopper actions (exposures, scores, errors) are left out. Sessions are
/// ordered by start time, then by visitor and session id, so the result is deterministic.
pub fn sessions(events: &[Event]) -> Vec<Session> {
    let mut grouped: BTreeMap<(&str, &str), Vec<Interaction>> = BTreeMap::new();
    for event in events {
        let list = grouped.entry((event.visitor.as_str(), event.session.as_str())).or_default();
        let mut push = |kind, id: &str| list.push(Interaction { ts: event.ts, kind, id: id.to_string() });
        match &event.body {
            EventBody::ProductView { product } => push(ActionKind::ProductView, product),
            EventBody::GridClick { product, .. } => push(ActionKind::GridClick, product),
            EventBody::AddToCart { product, .. } => push(ActionKind::AddToCart, product),
            EventBody::RemoveFromCart { product, .. } => push(ActionKind::RemoveFromCart, product),
            EventBody::CategoryView { category } => push(ActionKind::CategoryView, category),
            EventBody::Purchase { items, .. } => {
                for item in items {
                    push(ActionKind::Purchase, &item.product);
                }
            }
            EventBody::Exposure { .. } | EventBody::AbandonScore { .. } | EventBody::Error { .. } => {}
        }
    }
    let mut sessions: Vec<Session> = grouped
        .into_iter()
        .filter(|(_, interactions)| !interactions.is_empty())
        .map(|((visitor, session), interactions)| Session { visitor: visitor.into(), session: session.into(), interactions })
        .collect();
    sessions.sort_by(|a, b| a.start_ms().cmp(&b.start_ms()).then_with(|| (&a.visitor, &a.session).cmp(&(&b.visitor, &b.session))));
    sessions
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> anyhow::Result<EventLog> {
        read_events_from(text.as_bytes(), Path::new("events.ndjson"))
    }

    fn view(id: &str, ts: u64, session: &str, product: &str) -> String {
        format!(r#"{{"v":1,"id":"{id}","ts":{ts},"visitor":"v","session":"{session}","type":"product_view","product":"{product}"}}"#)
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
        assert_eq!(log.issues.malformed_lines, [3]);
        assert_eq!(log.issues.duplicates, 1);
        assert_eq!(log.issues.wrong_version_lines, [6]);
        assert_eq!(log.issues.out_of_order, 1);
        assert_eq!(log.events.iter().map(|e| e.ts).collect::<Vec<_>>(), [5, 10]);
    }

    #[test]
    fn empty_logs_are_errors() {
        assert!(format!("{:#}", read("\n\n").unwrap_err()).contains("events.ndjson: the event log is empty"));
    }

    #[test]
    fn sessions_group_and_order_by_start() {
        let text = [view("e1", 10, "late", "a"), view("e2", 1, "early", "b"), view("e3", 20, "late", "c")].join("\n");
        let log = read(&text).unwrap();
        let sessions = sessions(&log.events);
        let summary: Vec<(&str, Vec<&str>)> =
            sessions.iter().map(|s| (s.session.as_str(), s.interactions.iter().map(|i| i.id.as_str()).collect())).collect();
        assert_eq!(summary, [("early", vec!["b"]), ("late", vec!["a", "c"])]);
    }
}
