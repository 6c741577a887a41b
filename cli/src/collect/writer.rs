//! The one writer of event files: a dedicated thread that appends batches to
//! `<dir>/events-YYYY-MM-DD.ndjson` (UTC day of receipt) and makes them durable with
//! `fdatasync` before any request that sent them is answered.
//!
//! Requests that arrive while a sync runs queue up and share the next sync (group commit),
//! so throughput grows with concurrency while every acknowledgement still means "on disk".
use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};

/// Most pending batches written under one sync.
const MAX_GROUP: usize = 1024;

/// One batch of stored lines for one day's file.
pub struct WriteJob {
    /// UTC day number of receipt.
    pub day: u64,
    /// Complete lines, each ending in `\n`.
    pub lines: Vec<u8>,
    /// Answered once the lines are durable, or with the error that kept them from it.
    pub done: oneshot::Sender<io::Result<()>>,
}

/// Counters the writer keeps, read by `/metrics`.
#[derive(Default)]
pub struct WriterStats {
    /// Bytes appended and synced.
    pub bytes_written: AtomicU64,
    /// `fdatasync` calls.
    pub syncs: AtomicU64,
}

/// The sending side: cheap to clone, one per request handler.
#[derive(Clone)]
pub struct WriterHandle {
    sender: mpsc::Sender<WriteJob>,
}

impl WriterHandle {
    /// Appends `lines` to the file of `day` and waits until they are durable.
    pub async fn write(&self, day: u64, lines: Vec<u8>) -> io::Result<()> {
        let (done, answer) = oneshot::channel();
        self.sender
            .send(WriteJob { day, lines, done })
            .await
            .map_err(|_| io::Error::other("event writer stopped"))?;
        answer
            .await
            .map_err(|_| io::Error::other("event writer stopped"))?
    }
}

/// Starts the writer thread for `dir`. It ends when every handle is dropped.
pub fn start(dir: PathBuf, stats: Arc<WriterStats>) -> (WriterHandle, std::thread::JoinHandle<()>) {
    let (sender, receiver) = mpsc::channel(4096);
    let thread = std::thread::Builder::new()
        .name("aisle-event-writer".into())
        .spawn(move || run(dir, receiver, stats))
        .expect("spawning the writer thread");
    (WriterHandle { sender }, thread)
}

fn run(dir: PathBuf, mut receiver: mpsc::Receiver<WriteJob>, stats: Arc<WriterStats>) {
    let mut files = DayFiles {
        dir,
        open: HashMap::new(),
    };
    while let Some(first) = receiver.blocking_recv() {
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match receiver.try_recv() {
                Ok(job) => group.push(job),
                Err(_) => break,
            }
        }
        let result = files.append_and_sync(&group);
        match &result {
            Ok(bytes) => {
                stats.bytes_written.fetch_add(*bytes, Ordering::Relaxed);
                stats.syncs.fetch_add(1, Ordering::Relaxed);
            }
            Err(error) => eprintln!("aisle collect: writing events failed: {error}"),
        }
        for job in group {
            let answer = match &result {
                Ok(_) => Ok(()),
                Err(error) => Err(io::Error::new(error.kind(), error.to_string())),
            };
            // The request may have gone away; its events are on disk all the same.
            let _ = job.done.send(answer);
        }
    }
}

struct DayFiles {
    dir: PathBuf,
    open: HashMap<u64, File>,
}

impl DayFiles {
    /// Writes every job, syncs every file written, and returns the bytes written.
    fn append_and_sync(&mut self, group: &[WriteJob]) -> io::Result<u64> {
        let mut touched = Vec::new();
        let mut bytes = 0;
        for job in group {
            let file = self.file_for(job.day)?;
            file.write_all(&job.lines)?;
            bytes += job.lines.len() as u64;
            if !touched.contains(&job.day) {
                touched.push(job.day);
            }
        }
        for day in &touched {
            self.open[day].sync_data()?;
        }
        // Only today's file stays open once a later day has started.
        if let Some(&latest) = self.open.keys().max() {
            self.open.retain(|&day, _| day == latest);
        }
        Ok(bytes)
    }

    fn file_for(&mut self, day: u64) -> io::Result<&mut File> {
        if !self.open.contains_key(&day) {
            let path = day_file(&self.dir, day);
            let file = open_for_append(&path)?;
            self.open.insert(day, file);
        }
        Ok(self.open.get_mut(&day).expect("just inserted"))
    }
}

/// `<dir>/events-YYYY-MM-DD.ndjson`.
pub fn day_file(dir: &Path, day: u64) -> PathBuf {
    dir.join(format!("events-{}.ndjson", crate::dates::format_day(day)))
}

/// Opens a day file for appending. A new file's directory entry is synced, so the file
/// survives a crash; a file whose last line was cut by a crash gets a newline first, so the
/// next event starts on a line of its own (the cut line was never acknowledged).
fn open_for_append(path: &Path) -> io::Result<File> {
    let existed = path.exists();
    let mut file = OpenOptions::new()
        .read(true)
        .append(true)
        .create(true)
        .open(path)?;
    if existed {
        let length = file.metadata()?.len();
        if length > 0 {
            let mut last = [0u8; 1];
            file.seek(SeekFrom::Start(length - 1))?;
            file.read_exact(&mut last)?;
            if last[0] != b'\n' {
                file.write_all(b"\n")?;
                file.sync_data()?;
            }
        }
    } else if let Some(parent) = path.parent() {
        File::open(parent)?.sync_all()?;
    }
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("aisle-writer-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_cut_last_line_is_closed_before_appending() {
        let dir = temp_dir("cut");
        let path = day_file(&dir, 19_000);
        std::fs::write(&path, "{\"a\":1}\n{\"cut").unwrap();
        let mut file = open_for_append(&path).unwrap();
        file.write_all(b"{\"b\":2}\n").unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "{\"a\":1}\n{\"cut\n{\"b\":2}\n"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn batches_go_to_the_file_of_their_day() {
        let dir = temp_dir("days");
        let stats = Arc::new(WriterStats::default());
        let (handle, thread) = start(dir.clone(), stats.clone());
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        runtime.block_on(async {
            handle.write(19_000, b"one\n".to_vec()).await.unwrap();
            handle.write(19_001, b"two\n".to_vec()).await.unwrap();
            handle.write(19_000, b"late\n".to_vec()).await.unwrap();
        });
        drop(handle);
        thread.join().unwrap();
        assert_eq!(
            std::fs::read_to_string(day_file(&dir, 19_000)).unwrap(),
            "one\nlate\n"
        );
        assert_eq!(
            std::fs::read_to_string(day_file(&dir, 19_001)).unwrap(),
            "two\n"
        );
        assert_eq!(stats.bytes_written.load(Ordering::Relaxed), 13);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
