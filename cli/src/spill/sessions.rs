//! Sessions in training order ([`session_order`]) without holding them all: sessions come
//! visitor by visitor, are buffered as binary records up to a fixed size, sorted and written
//! as a run, and the runs are merged into one file that training reads as often as it needs
//! (an external merge sort).
//!
//! [`session_order`]: crate::event_log::session_order
use std::fs::File;
use std::io::{BufReader, BufWriter, ErrorKind, Read, Write};
use std::path::{Path, PathBuf};

use aisle::history::ActionKind;
use anyhow::Context;

use super::codec::{get_session, put_session, session_key, Decoder};
use crate::event_log::{Session, SessionSource};

/// Bytes of session records sorted in memory at a time.
pub const RUN_BYTES: usize = 32 << 20;

/// Collects sessions in any order and writes them sorted.
pub struct SessionSorter {
    dir: PathBuf,
    run_bytes: usize,
    /// Length-prefixed session records.
    buffer: Vec<u8>,
    /// Where each record of `buffer` starts.
    starts: Vec<usize>,
    runs: Vec<PathBuf>,
    count: usize,
}

impl SessionSorter {
    /// A sorter writing its files into `dir`, sorting `run_bytes` of records at a time.
    pub fn new(dir: &Path, run_bytes: usize) -> SessionSorter {
        SessionSorter {
            dir: dir.to_path_buf(),
            run_bytes,
            buffer: Vec::new(),
            starts: Vec::new(),
            runs: Vec::new(),
            count: 0,
        }
    }

    /// Adds one session: its interactions (time, kind, id), oldest first.
    pub fn push(
        &mut self,
        visitor: &str,
        session: &str,
        interactions: &[(u64, ActionKind, &str)],
    ) -> anyhow::Result<()> {
        self.starts.push(self.buffer.len());
        put_session(&mut self.buffer, visitor, session, interactions);
        self.count += 1;
        if self.buffer.len() >= self.run_bytes {
            self.write_run()?;
        }
        Ok(())
    }

    /// Sorts the buffered records and writes them as the next run.
    fn write_run(&mut self) -> anyhow::Result<()> {
        let mut keyed = Vec::with_capacity(self.starts.len());
        for &start in &self.starts {
            let record = Decoder::new(&self.buffer[start..])
                .record()?
                .expect("a record starts here");
            keyed.push((session_key(record)?, start, record.len()));
        }
        keyed.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let path = self
            .dir
            .join(format!("sessions-run-{:04}.bin", self.runs.len()));
        let mut out = BufWriter::with_capacity(
            1 << 20,
            File::create(&path).with_context(|| format!("cannot create {}", path.display()))?,
        );
        for (_, start, len) in keyed {
            out.write_all(&self.buffer[start..start + 4 + len])
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        out.flush()
            .with_context(|| format!("cannot write {}", path.display()))?;
        self.runs.push(path);
        self.buffer.clear();
        self.starts.clear();
        Ok(())
    }

    /// Writes the last run and merges the runs into one sorted file.
    pub fn finish(mut self) -> anyhow::Result<SessionFile> {
        if !self.starts.is_empty() || self.runs.is_empty() {
            self.write_run()?;
        }
        self.buffer = Vec::new();
        let path = self.dir.join("sessions.bin");
        if self.runs.len() == 1 {
            std::fs::rename(&self.runs[0], &path)
                .with_context(|| format!("cannot create {}", path.display()))?;
        } else {
            merge(&self.runs, &path)?;
            for run in &self.runs {
                std::fs::remove_file(run)
                    .with_context(|| format!("cannot remove {}", run.display()))?;
            }
        }
        Ok(SessionFile {
            path,
            count: self.count,
        })
    }
}

/// Reads length-prefixed records from a file, one at a time.
struct RecordReader {
    path: PathBuf,
    input: BufReader<File>,
    /// The current record (without its prefix), empty at the end.
    record: Vec<u8>,
    done: bool,
}

impl RecordReader {
    fn open(path: &Path) -> anyhow::Result<RecordReader> {
        let file = File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
        let mut reader = RecordReader {
            path: path.to_path_buf(),
            input: BufReader::with_capacity(1 << 20, file),
            record: Vec::new(),
            done: false,
        };
        reader.advance()?;
        Ok(reader)
    }

    /// Reads the next record; `done` at the end of the file.
    fn advance(&mut self) -> anyhow::Result<()> {
        let mut prefix = [0u8; 4];
        match self.input.read_exact(&mut prefix) {
            Ok(()) => {}
            Err(error) if error.kind() == ErrorKind::UnexpectedEof => {
                self.done = true;
                self.record.clear();
                return Ok(());
            }
            Err(error) => {
                return Err(error).with_context(|| format!("cannot read {}", self.path.display()))
            }
        }
        self.record.resize(u32::from_le_bytes(prefix) as usize, 0);
        self.input.read_exact(&mut self.record).with_context(|| {
            format!(
                "{} ends inside a record (the file was damaged)",
                self.path.display()
            )
        })
    }
}

/// Merges sorted runs into one sorted file. There are few runs (one per [`RUN_BYTES`] of
/// sessions), so the smallest head is found by a linear scan.
fn merge(runs: &[PathBuf], path: &Path) -> anyhow::Result<()> {
    let mut readers = runs
        .iter()
        .map(|run| RecordReader::open(run))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let mut out = BufWriter::with_capacity(
        1 << 20,
        File::create(path).with_context(|| format!("cannot create {}", path.display()))?,
    );
    loop {
        let mut smallest: Option<usize> = None;
        for (index, reader) in readers.iter().enumerate() {
            if reader.done {
                continue;
            }
            let better = match smallest {
                None => true,
                Some(best) => session_key(&reader.record)? < session_key(&readers[best].record)?,
            };
            if better {
                smallest = Some(index);
            }
        }
        let Some(index) = smallest else { break };
        let record = &readers[index].record;
        out.write_all(&(record.len() as u32).to_le_bytes())
            .and_then(|()| out.write_all(record))
            .with_context(|| format!("cannot write {}", path.display()))?;
        readers[index].advance()?;
    }
    out.flush()
        .with_context(|| format!("cannot write {}", path.display()))
}

/// Sessions sorted into a file, read in order as often as training needs.
pub struct SessionFile {
    path: PathBuf,
    count: usize,
}

impl SessionSource for SessionFile {
    fn count(&self) -> usize {
        self.count
    }

    fn for_each(&self, each: &mut dyn FnMut(&Session)) -> anyhow::Result<()> {
        let mut reader = RecordReader::open(&self.path)?;
        let mut session = Session::default();
        while !reader.done {
            get_session(&reader.record, &mut session)
                .with_context(|| format!("in {}", self.path.display()))?;
            each(&session);
            reader.advance()?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event_log::session_order;

    fn sessions_of(file: &SessionFile) -> Vec<Session> {
        let mut out = Vec::new();
        file.for_each(&mut |s| out.push(s.clone())).unwrap();
        out
    }

    /// Sessions pushed in a scrambled order come back in training order, whether they fit
    /// in one run or need many.
    #[test]
    fn sessions_come_back_in_training_order() {
        let mut expected: Vec<Session> = Vec::new();
        let mut pushed = Vec::new();
        for i in 0..300u64 {
            let start = (i * 7919) % 101;
            let visitor = format!("v{}", i % 13);
            let session = format!("s{i}");
            let interactions = vec![
                (start, ActionKind::ProductView, "p"),
                (start + 5, ActionKind::AddToCart, "q"),
            ];
            pushed.push((visitor.clone(), session.clone(), interactions.clone()));
            let interactions = interactions
                .iter()
                .map(|&(ts, kind, id)| crate::event_log::Interaction {
                    ts,
                    kind,
                    id: id.into(),
                })
                .collect();
            expected.push(Session {
                visitor,
                session,
                interactions,
            });
        }
        expected.sort_by(session_order);
        for run_bytes in [usize::MAX, 1000, 1] {
            let dir = tempfile::tempdir().unwrap();
            let mut sorter = SessionSorter::new(dir.path(), run_bytes);
            for (visitor, session, interactions) in &pushed {
                sorter.push(visitor, session, interactions).unwrap();
            }
            let file = sorter.finish().unwrap();
            assert_eq!(file.count(), 300);
            assert_eq!(sessions_of(&file), expected, "runs of {run_bytes} bytes");
            // Only the sorted file is left.
            assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        }
    }

    #[test]
    fn no_sessions_is_an_empty_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = SessionSorter::new(dir.path(), RUN_BYTES).finish().unwrap();
        assert_eq!((file.count(), sessions_of(&file)), (0, vec![]));
    }
}
