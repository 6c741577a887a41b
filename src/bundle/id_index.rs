//! Finding a product's bundle index from its id: an open-addressing hash table of indices
//! into the model's id list, with FNV-1a hashing and linear probing.
//!
//! `std::collections::HashMap<String, u32>` did the same job, but hashbrown, SipHash and the
//! second copy of every id cost about 3 KB of wasm and more memory; this table holds only a
//! `u32` per slot and looks the ids up in the list the model keeps anyway.
#![forbid(unsafe_code)]

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

/// Marks a free slot.
const EMPTY: u32 = u32::MAX;

/// Product id → index into the id list it was built from.
#[derive(Clone, Debug, Default)]
pub struct IdIndex {
    /// Power-of-two length, at most half full: probe sequences stay short.
    slots: Vec<u32>,
}

impl IdIndex {
    /// Indexes `ids`; `Err` with the position of the first id seen twice. The caller keeps
    /// fewer than `u32::MAX` ids.
    pub fn build(ids: &[String]) -> Result<IdIndex, usize> {
        let mut index = IdIndex {
            slots: vec![EMPTY; (ids.len() * 2).next_power_of_two()],
        };
        for (position, id) in ids.iter().enumerate() {
            let slot = index.probe(ids, id);
            if index.slots[slot] != EMPTY {
                return Err(position);
            }
            index.slots[slot] = position as u32;
        }
        Ok(index)
    }

    /// The position of `id` in `ids` (the same list the index was built from).
    pub fn get(&self, ids: &[String], id: &str) -> Option<u32> {
        if self.slots.is_empty() {
            return None;
        }
        let found = self.slots[self.probe(ids, id)];
        (found != EMPTY).then_some(found)
    }

    /// The slot that holds `id`, or the free slot where it would go.
    fn probe(&self, ids: &[String], id: &str) -> usize {
        let mask = self.slots.len() - 1;
        let mut slot = fnv1a(id.as_bytes()) as usize & mask;
        loop {
            let held = self.slots[slot];
            if held == EMPTY || ids[held as usize] == id {
                return slot;
            }
            slot = (slot + 1) & mask;
        }
    }
}

/// FNV-1a, 32 bits, over bytes.
fn fnv1a(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5, |hash, &byte| {
        (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(list: &[&str]) -> Vec<String> {
        list.iter().map(|&id| String::from(id)).collect()
    }

    #[test]
    fn every_id_is_found_at_its_position() {
        let list: Vec<String> = (0..1000).map(|i| (i * 7919).to_string()).collect();
        let index = IdIndex::build(&list).unwrap();
        for (position, id) in list.iter().enumerate() {
            assert_eq!(index.get(&list, id), Some(position as u32));
        }
        assert_eq!(index.get(&list, "nope"), None);
        assert_eq!(index.get(&list, ""), None);
    }

    #[test]
    fn duplicates_are_reported() {
        assert_eq!(IdIndex::build(&ids(&["a", "b", "a"])).err(), Some(2));
        assert!(IdIndex::build(&ids(&["a", "b", "c"])).is_ok());
    }

    #[test]
    fn an_empty_list_finds_nothing() {
        let empty = ids(&[]);
        assert_eq!(IdIndex::build(&empty).unwrap().get(&empty, "a"), None);
        assert_eq!(IdIndex::default().get(&empty, "a"), None);
    }
}
