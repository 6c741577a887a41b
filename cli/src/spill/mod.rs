//! Streaming an event log through temporary files, so that `aisle build` needs memory for
//! the catalog and the model, not for the log.
//!
//! 1. [`visitors::spill`] reads the log once, checks every line and appends each event as a
//!    compact binary record to one of up to [`visitors::MAX_FILES`] files chosen by a hash
//!    of its visitor.
//! 2. [`visitors::VisitorFiles::for_each_visitor`] reads one file at a time and gives each
//!    visitor's actions, duplicates dropped, in time order. The build cuts them into sessions
//!    ([`add_sessions`]) for a [`sessions::SessionSorter`], and later replays them for the
//!    abandon model.
//! 3. The sorter's [`sessions::SessionFile`] gives the sessions in training order, as often
//!    as training reads them.
//!
//! Nothing depends on the order of the lines: a log in time order (the generator, the
//! importers), in order of receipt (`aisle collect`: devices that were offline send late),
//! or several logs concatenated (the demo's training log) give the same sessions, so the
//! same bundle up to its model version (which names the input bytes). Memory holds one
//! visitor file (about [`visitors::INPUT_BYTES_PER_FILE`] of input), one run of sessions
//! ([`sessions::RUN_BYTES`]) and what training keeps; a single visitor with millions of
//! events (a crawler) is held whole.
pub mod codec;
pub mod sessions;
pub mod visitors;

use std::path::{Path, PathBuf};

use aisle::history::ActionKind;
use anyhow::Context;

use crate::event_log::{SessionCart, ShopperAction};
use crate::resolve::{IdResolver, ResolutionCounter};

/// A directory that is removed, with everything in it, when this is dropped (also when the
/// build fails).
pub struct TempDir(PathBuf);

impl TempDir {
    /// Creates the directory (it must not exist).
    pub fn create(path: PathBuf) -> anyhow::Result<TempDir> {
        std::fs::create_dir(&path)
            .with_context(|| format!("cannot create the temporary directory {}", path.display()))?;
        Ok(TempDir(path))
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Cuts one visitor's actions (in time order) into sessions by their session id and adds
/// them to `sorter`, purchases as one interaction per line item, exactly as
/// [`crate::event_log::sessions`] does for a log in memory. Product ids are replaced by the
/// catalog id they name (an alias, a Shopify channel id; see [`crate::resolve`]), each
/// lookup counted in `counter`.
pub fn add_sessions(
    visitor: &str,
    actions: &[ShopperAction],
    resolver: &IdResolver,
    counter: &mut ResolutionCounter,
    sorter: &mut sessions::SessionSorter,
) -> anyhow::Result<()> {
    // Stable: each session's actions stay in time order.
    let mut order: Vec<usize> = (0..actions.len()).collect();
    order.sort_by_key(|&i| actions[i].session);
    let mut interactions: Vec<(u64, ActionKind, &str)> = Vec::new();
    for group in order.chunk_by(|&a, &b| actions[a].session == actions[b].session) {
        interactions.clear();
        let mut cart = SessionCart::default();
        for &i in group {
            actions[i].interactions(&mut cart, |kind, id| {
                let id = if kind.is_about_product() {
                    counter.canonical(resolver, id)
                } else {
                    id
                };
                interactions.push((actions[i].ts, kind, id));
            });
        }
        if !interactions.is_empty() {
            sorter.push(visitor, actions[group[0]].session, &interactions)?;
        }
    }
    Ok(())
}
