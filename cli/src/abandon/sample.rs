//! A bounded, deterministic sample of cart sessions for training the abandon model on a log
//! of any size.
//!
//! Visitors are replayed one at a time ([`AbandonSample::add_visitor`]), so only one
//! visitor's history is in memory; of the sessions with scoring moments, the
//! [`AbandonTrainingConfig::max_sessions`] whose hash of (visitor, session number) is
//! smallest are kept ("bottom-k" sampling). The hash is fixed, so the sample is the same
//! whatever order visitors come in, and a log with fewer sessions than the bound keeps them
//! all: the model is then exactly the one [`super::moments::replay`] of the whole log gives.
//! Return gaps (for the population nudge delay, a median) are sampled the same way.
use std::collections::BinaryHeap;

use aisle::bundle::Model;

use super::moments::{mark_open_sessions, replay_visitor, Moment, Replay, ReplayConfig, Session};
use super::AbandonTrainingConfig;
use crate::event_log::ShopperAction;

/// At most this many return gaps are kept for the median.
pub const MAX_RETURN_GAPS: usize = 100_000;

/// The `capacity` items with the smallest keys among all offered. With keys that are hashes
/// of stable ids (ties broken by the ids), the result does not depend on the order items are
/// offered in; memory holds `capacity` items whatever the number offered.
pub struct BottomK<K: Ord, T> {
    capacity: usize,
    /// A max-heap on the key: the item to drop next is on top.
    heap: BinaryHeap<Keyed<K, T>>,
    /// Items offered so far.
    pub offered: usize,
}

/// An item ordered by its key only.
struct Keyed<K, T> {
    key: K,
    item: T,
}

impl<K: Ord, T> PartialEq for Keyed<K, T> {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}
impl<K: Ord, T> Eq for Keyed<K, T> {}
impl<K: Ord, T> PartialOrd for Keyed<K, T> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl<K: Ord, T> Ord for Keyed<K, T> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.key.cmp(&other.key)
    }
}

impl<K: Ord, T> BottomK<K, T> {
    /// An empty sample of at most `capacity` items.
    pub fn new(capacity: usize) -> BottomK<K, T> {
        BottomK {
            capacity,
            heap: BinaryHeap::new(),
            offered: 0,
        }
    }

    /// Offers one item; it is kept while its key is among the `capacity` smallest.
    pub fn offer(&mut self, key: K, item: T) {
        self.offered += 1;
        if self.heap.len() < self.capacity {
            self.heap.push(Keyed { key, item });
        } else if self.heap.peek().is_some_and(|top| key < top.key) {
            self.heap.pop();
            self.heap.push(Keyed { key, item });
        }
    }

    /// The kept items, in no particular order.
    pub fn into_items(self) -> impl Iterator<Item = T> {
        self.heap.into_iter().map(|keyed| keyed.item)
    }
}

/// A stable 64-bit hash of a visitor id and a number (FNV-1a, then a SplitMix64 finish):
/// the same on every machine and in every version, unlike the standard library's hasher.
pub fn stable_hash(visitor: &str, number: u64) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &byte in visitor.as_bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    crate::random::splitmix64(hash ^ crate::random::splitmix64(number))
}

/// One sampled session with what its visitor's replay said about it.
struct SampledSession {
    visitor: String,
    /// The session's number among its visitor's sessions.
    number: usize,
    session: Session,
    /// Its moments with their number among the visitor's moments (replay order).
    moments: Vec<(usize, Moment)>,
}

/// Cart sessions sampled from visitors replayed one at a time.
pub struct AbandonSample {
    sessions: BottomK<(u64, String, usize), SampledSession>,
    gaps: BottomK<(u64, u64), u64>,
    /// Reused for each visitor's replay.
    scratch: Replay,
}

impl AbandonSample {
    /// An empty sample keeping at most `config.max_sessions` sessions.
    pub fn new(config: &AbandonTrainingConfig) -> AbandonSample {
        AbandonSample {
            sessions: BottomK::new(config.max_sessions),
            gaps: BottomK::new(MAX_RETURN_GAPS),
            scratch: Replay::default(),
        }
    }

    /// Replays one visitor's actions (in time order, file order breaking ties) and offers
    /// its sessions with scoring moments and its return gaps to the sample.
    pub fn add_visitor(
        &mut self,
        visitor: &str,
        actions: &[ShopperAction],
        catalog: Option<&Model>,
        config: &ReplayConfig,
    ) {
        let replay = &mut self.scratch;
        replay.sessions.clear();
        replay.moments.clear();
        replay.return_gaps_ms.clear();
        replay_visitor(actions, catalog, config, replay);
        for (number, &gap) in replay.return_gaps_ms.iter().enumerate() {
            self.gaps
                .offer((stable_hash(visitor, number as u64), gap), gap);
        }
        let mut moments: Vec<Vec<(usize, Moment)>> = vec![Vec::new(); replay.sessions.len()];
        for (number, moment) in replay.moments.drain(..).enumerate() {
            moments[moment.session].push((number, moment));
        }
        for (number, (session, moments)) in replay.sessions.drain(..).zip(moments).enumerate() {
            if moments.is_empty() {
                continue;
            }
            let key = (
                stable_hash(visitor, number as u64),
                visitor.to_string(),
                number,
            );
            self.sessions.offer(
                key,
                SampledSession {
                    visitor: visitor.to_string(),
                    number,
                    session,
                    moments,
                },
            );
        }
    }

    /// Sessions with scoring moments offered so far (before sampling).
    pub fn sessions_offered(&self) -> usize {
        self.sessions.offered
    }

    /// The sample as a [`Replay`] laid out exactly as `replay` lays out a whole log: sessions
    /// and moments in visitor order, then replay order. Sessions whose last event is less
    /// than one idle period before `data_end_ms` are marked as maybe open.
    pub fn into_replay(self, data_end_ms: u64, config: &ReplayConfig) -> Replay {
        let mut sampled: Vec<SampledSession> = self.sessions.into_items().collect();
        sampled.sort_by(|a, b| (&a.visitor, a.number).cmp(&(&b.visitor, b.number)));
        let mut replay = Replay::default();
        let mut visitor_moments: Vec<(usize, Moment)> = Vec::new();
        let mut rest = sampled.as_mut_slice();
        // A visitor's sessions are next to each other; their moments interleave in replay
        // order only with each other (sessions by the event's field may overlap in time).
        while !rest.is_empty() {
            let count = rest
                .iter()
                .take_while(|s| s.visitor == rest[0].visitor)
                .count();
            let (visitor, later) = rest.split_at_mut(count);
            for sampled in visitor.iter_mut() {
                let index = replay.sessions.len();
                replay.sessions.push(sampled.session.clone());
                visitor_moments.extend(std::mem::take(&mut sampled.moments).into_iter().map(
                    |(number, moment)| {
                        (
                            number,
                            Moment {
                                session: index,
                                ..moment
                            },
                        )
                    },
                ));
            }
            visitor_moments.sort_by_key(|(number, _)| *number);
            replay
                .moments
                .extend(visitor_moments.drain(..).map(|(_, moment)| moment));
            rest = later;
        }
        replay.return_gaps_ms = self.gaps.into_items().collect();
        mark_open_sessions(&mut replay, data_end_ms, config);
        replay
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bottom_k_keeps_the_smallest_keys_whatever_the_order() {
        let keys: Vec<u64> = (0..1000).map(crate::random::splitmix64).collect();
        let mut expected = keys.clone();
        expected.sort_unstable();
        expected.truncate(10);
        for rotation in [0, 17, 500] {
            let mut sample = BottomK::new(10);
            for &key in keys.iter().cycle().skip(rotation).take(keys.len()) {
                sample.offer(key, key);
            }
            let mut kept: Vec<u64> = sample.into_items().collect();
            kept.sort_unstable();
            assert_eq!(kept, expected);
        }
        let mut small = BottomK::new(10);
        small.offer(3, "a");
        small.offer(1, "b");
        assert_eq!(small.offered, 2);
        assert_eq!(small.into_items().count(), 2);
    }

    #[test]
    fn stable_hash_is_pinned() {
        // Changing the hash changes which sessions large logs train on: keep it fixed.
        assert_eq!(stable_hash("", 0), 0x5b21_f68f_fa77_f14c);
        assert_ne!(stable_hash("v1", 0), stable_hash("v1", 1));
        assert_ne!(stable_hash("v1", 0), stable_hash("v2", 0));
    }
}
