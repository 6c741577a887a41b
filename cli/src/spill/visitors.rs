//! The first pass over an event log: every line is checked ([`LineChecker`]) and each event
//! appended, as a compact binary record, to one of a few hundred temporary files chosen by a
//! hash of its visitor. Reading one file back then gives whole visitors: their duplicates
//! dropped and their actions in time order, with one file in memory at a time.
use std::collections::HashSet;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use sha2::{Digest, Sha256};

use super::codec::{get_event, put_event, Decoder, SpilledEvent};
use crate::event_log::{EventIssues, LineChecker, ShopperAction};

/// Input bytes per visitor file: about what one file costs in memory when it is read back
/// (its compact records are about a quarter of the JSON, their index and the duplicate
/// check the rest).
pub const INPUT_BYTES_PER_FILE: u64 = 16 << 20;
/// Most visitor files (open at once while the log is read). Past 4 GiB of input the files
/// grow instead.
pub const MAX_FILES: usize = 256;

/// An event log split into visitor files.
pub struct VisitorFiles {
    /// The files, each holding whole visitors in file order.
    files: Vec<PathBuf>,
    /// What the line checks found (duplicates are counted when files are read back).
    pub issues: EventIssues,
}

/// What reading the visitor files back found.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct VisitorSummary {
    /// Events dropped because their visitor already had an event with their id.
    pub duplicates: usize,
    /// The newest time of the events kept (0 when none).
    pub newest_ms: u64,
    /// Visitors with at least one shopper action.
    pub visitors: usize,
}

/// A reader that feeds every byte it reads into a SHA-256.
struct HashingReader<'a, R> {
    inner: R,
    hasher: &'a mut Sha256,
    bytes: u64,
}

impl<R: Read> Read for HashingReader<'_, R> {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        let read = self.inner.read(buffer)?;
        self.hasher.update(&buffer[..read]);
        self.bytes += read as u64;
        Ok(read)
    }
}

/// Reads the event log at `path` into visitor files in `dir`, one per `bytes_per_file` of
/// input (at most [`MAX_FILES`]). Every byte read also goes into `hasher`, preceded by the
/// file's length as 8 little-endian bytes (the bundle's model version names its inputs).
/// Only the bytes the file had when it was opened are read, so a log that a collector is
/// still appending to is read as it was then.
pub fn spill(
    path: &Path,
    dir: &Path,
    hasher: &mut Sha256,
    bytes_per_file: u64,
) -> anyhow::Result<VisitorFiles> {
    let file =
        File::open(path).with_context(|| format!("cannot read events {}", path.display()))?;
    let len = file
        .metadata()
        .with_context(|| format!("cannot read events {}", path.display()))?
        .len();
    let count = ((len / bytes_per_file.max(1)) as usize + 1).min(MAX_FILES);
    let files: Vec<PathBuf> = (0..count)
        .map(|i| dir.join(format!("visitors-{i:04}.bin")))
        .collect();
    let mut writers = files
        .iter()
        .map(|path| {
            File::create(path)
                .map(|f| BufWriter::with_capacity(32 << 10, f))
                .with_context(|| format!("cannot create {}", path.display()))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    hasher.update(len.to_le_bytes());
    let reader = BufReader::with_capacity(
        1 << 20,
        HashingReader {
            inner: file.take(len),
            hasher,
            bytes: 0,
        },
    );
    let mut checker = LineChecker::default();
    let mut record = Vec::with_capacity(4096);
    let mut lines = crate::text_input::Lines::new(reader);
    loop {
        let number = lines.number() + 1;
        let Some(line) = lines.next_line().with_context(|| {
            format!("{}: cannot read after line {}", path.display(), number - 1)
        })?
        else {
            break;
        };
        let Ok(text) = std::str::from_utf8(line) else {
            bail!(
                "{}: line {number}: cannot read (not UTF-8?)",
                path.display()
            );
        };
        let Some(event) = checker.parse(number, text) else {
            continue;
        };
        checker.check_time(event.ts);
        record.clear();
        put_event(
            &mut record,
            &SpilledEvent {
                visitor: &event.visitor,
                id: &event.id,
                ts: event.ts,
                action: ShopperAction::from_event(&event),
            },
        );
        let writer = &mut writers[file_of(&event.visitor, count)];
        writer
            .write_all(&record)
            .context("cannot write a temporary visitor file")?;
    }
    let bytes = lines.into_inner().into_inner().bytes;
    if bytes != len {
        bail!(
            "{}: the file shrank while it was read ({len} bytes at first, {bytes} read)",
            path.display()
        );
    }
    for mut writer in writers {
        writer
            .flush()
            .context("cannot write a temporary visitor file")?;
    }
    Ok(VisitorFiles {
        files,
        issues: checker.finish(path)?,
    })
}

/// The visitor file of a visitor: FNV-1a of its id, the same hash the A/B report uses.
fn file_of(visitor: &str, count: usize) -> usize {
    aisle::assign::fnv1a32(visitor) as usize % count
}

impl VisitorFiles {
    /// Calls `each(visitor, actions)` for every visitor with at least one shopper action, the
    /// actions in time order (file order breaks ties). Of events that share a visitor and an
    /// id, the first in the file is kept: an id names one event of one visitor, so a repeat is
    /// a delivery retried, and retries come from the visitor's own device.
    pub fn for_each_visitor(
        &self,
        each: &mut dyn FnMut(&str, &[ShopperAction]) -> anyhow::Result<()>,
    ) -> anyhow::Result<VisitorSummary> {
        let mut summary = VisitorSummary::default();
        let mut bytes = Vec::new();
        for path in &self.files {
            bytes.clear();
            File::open(path)
                .and_then(|mut file| file.read_to_end(&mut bytes))
                .with_context(|| format!("cannot read the temporary file {}", path.display()))?;
            read_visitors(&bytes, &mut summary, each)
                .with_context(|| format!("in the temporary file {}", path.display()))?;
        }
        Ok(summary)
    }
}

/// Reads one visitor file's records and calls `each` per visitor.
fn read_visitors(
    bytes: &[u8],
    summary: &mut VisitorSummary,
    each: &mut dyn FnMut(&str, &[ShopperAction]) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let mut input = Decoder::new(bytes);
    let mut seen: HashSet<(&str, &str)> = HashSet::new();
    let mut actions: Vec<(&str, ShopperAction)> = Vec::new();
    while let Some(record) = input.record()? {
        let event = get_event(record)?;
        if !seen.insert((event.visitor, event.id)) {
            summary.duplicates += 1;
            continue;
        }
        summary.newest_ms = summary.newest_ms.max(event.ts);
        if let Some(action) = event.action {
            actions.push((event.visitor, action));
        }
    }
    drop(seen);
    // Stable: equal times keep file order.
    actions.sort_by(|a, b| (a.0, a.1.ts).cmp(&(b.0, b.1.ts)));
    let (visitors, actions): (Vec<&str>, Vec<ShopperAction>) = actions.into_iter().unzip();
    let mut start = 0;
    while start < visitors.len() {
        let end = start
            + visitors[start..]
                .iter()
                .take_while(|&&v| v == visitors[start])
                .count();
        summary.visitors += 1;
        each(visitors[start], &actions[start..end])?;
        start = end;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(id: &str, ts: u64, visitor: &str, product: &str) -> String {
        format!(
            r#"{{"v":1,"id":"{id}","ts":{ts},"visitor":"{visitor}","session":"s","type":"product_view","product":"{product}"}}"#
        )
    }

    /// (visitor, products in order) per visitor, sorted by visitor.
    fn visitors(text: &str) -> (Vec<(String, Vec<String>)>, VisitorSummary, EventIssues) {
        visitors_in_files(text, INPUT_BYTES_PER_FILE)
    }

    fn visitors_in_files(
        text: &str,
        bytes_per_file: u64,
    ) -> (Vec<(String, Vec<String>)>, VisitorSummary, EventIssues) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events.ndjson");
        std::fs::write(&path, text).unwrap();
        let files = spill(&path, dir.path(), &mut Sha256::new(), bytes_per_file).unwrap();
        let mut seen = Vec::new();
        let summary = files
            .for_each_visitor(&mut |visitor, actions| {
                let products = actions.iter().map(|a| match a.body {
                    crate::event_log::ActionBody::ProductView { product } => product.to_string(),
                    _ => "?".into(),
                });
                seen.push((visitor.to_string(), products.collect()));
                Ok(())
            })
            .unwrap();
        seen.sort();
        (seen, summary, files.issues)
    }

    #[test]
    fn visitors_come_whole_in_time_order_without_duplicates() {
        let text = [
            line("e1", 30, "b", "b3"),
            line("e2", 10, "a", "a1"),
            line("e3", 10, "b", "b1"),
            line("e2", 10, "a", "a1"),
            line("e4", 20, "b", "b2"),
            line("e5", 10, "b", "b1-same-time"),
            r#"{"v":1,"id":"x1","ts":99,"visitor":"a","session":"s","type":"error","code":"c","message":"m"}"#.into(),
            line("e2", 5, "c", "c1"),
        ]
        .join("\n");
        let (seen, summary, issues) = visitors(&text);
        let expected = |v: &str, products: &[&str]| {
            (
                v.to_string(),
                products.iter().map(|p| p.to_string()).collect::<Vec<_>>(),
            )
        };
        assert_eq!(
            seen,
            [
                expected("a", &["a1"]),
                expected("b", &["b1", "b1-same-time", "b2", "b3"]),
                expected("c", &["c1"])
            ]
        );
        // e2 of visitor a twice is one event; e2 of visitor c is another.
        assert_eq!(
            summary,
            VisitorSummary {
                duplicates: 1,
                newest_ms: 99,
                visitors: 3
            }
        );
        assert_eq!((issues.lines, issues.out_of_order), (8, 3));
    }

    #[test]
    fn many_files_give_the_same_visitors_as_one() {
        let lines: Vec<String> = (0..200)
            .map(|i| {
                line(
                    &format!("e{i}"),
                    1000 - i % 37,
                    &format!("v{}", i % 23),
                    &format!("p{i}"),
                )
            })
            .collect();
        let text = lines.join("\n");
        let (one, one_summary, _) = visitors_in_files(&text, u64::MAX);
        let (many, many_summary, _) = visitors_in_files(&text, 100);
        assert_eq!(many, one);
        assert_eq!(many_summary, one_summary);
        assert_eq!(one.len(), 23);
    }

    #[test]
    fn the_hash_covers_the_length_and_every_byte() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events.ndjson");
        let text = line("e1", 1, "a", "p") + "\n";
        std::fs::write(&path, &text).unwrap();
        let mut hasher = Sha256::new();
        spill(&path, dir.path(), &mut hasher, INPUT_BYTES_PER_FILE).unwrap();
        let mut expected = Sha256::new();
        expected.update((text.len() as u64).to_le_bytes());
        expected.update(text.as_bytes());
        assert_eq!(hasher.finalize(), expected.finalize());
    }

    #[test]
    fn bad_lines_are_counted_and_bad_bytes_are_errors_with_their_line() {
        let text = [line("e1", 1, "a", "p"), "{not json".into(), String::new()].join("\n");
        let (_, _, issues) = visitors(&text);
        assert_eq!(
            (
                issues.lines,
                issues.malformed_lines.count,
                issues.malformed_lines.first.clone()
            ),
            (2, 1, vec![2])
        );
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events.ndjson");
        std::fs::write(
            &path,
            [line("e1", 1, "a", "p").as_bytes(), b"\n\xff\xfe\n"].concat(),
        )
        .unwrap();
        let error = spill(&path, dir.path(), &mut Sha256::new(), INPUT_BYTES_PER_FILE)
            .err()
            .unwrap();
        assert_eq!(
            format!("{error:#}"),
            format!("{}: line 2: cannot read (not UTF-8?)", path.display())
        );
    }
}
