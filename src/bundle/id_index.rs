//! Finding a product's bundle index from its id: an open-addressing hash table of positions
//! in a key list the caller keeps (the model's text ids or its numeric aliases, `ids.rs`),
//! with linear probing; FNV-1a for text keys; and the Shopify channel ids that GA4
//! integrations write, read without storing them.
//!
//! `std::collections::HashMap<String, u32>` did the same job, but hashbrown, SipHash and the
//! second copy of every id cost about 3 KB of wasm and more memory; this table holds only a
//! `u32` per slot and compares keys in the list the model keeps anyway.
#![forbid(unsafe_code)]

use alloc::vec;
use alloc::vec::Vec;

/// Marks a free slot.
const EMPTY: u32 = u32::MAX;

/// Key hash → position in the caller's key list.
#[derive(Clone, Debug, Default)]
pub struct IdIndex {
    /// Power-of-two length, at most half full: probe sequences stay short.
    slots: Vec<u32>,
}

impl IdIndex {
    /// Indexes the keys at positions `0..count`: `hash(i)` is key `i`'s hash, `same(i, j)`
    /// whether keys `i` and `j` are equal. `Err` with the position of the first key seen
    /// twice. The caller keeps fewer than `u32::MAX` keys.
    pub fn build(
        count: usize,
        hash: impl Fn(usize) -> u32,
        same: impl Fn(usize, usize) -> bool,
    ) -> Result<IdIndex, usize> {
        let mut index = IdIndex {
            slots: vec![EMPTY; (count * 2).next_power_of_two()],
        };
        for position in 0..count {
            let slot = index.probe(hash(position), |held| same(held, position));
            if index.slots[slot] != EMPTY {
                return Err(position);
            }
            index.slots[slot] = position as u32;
        }
        Ok(index)
    }

    /// The position of the key hashing to `hash` for which `is(position)` holds.
    pub fn find(&self, hash: u32, is: impl Fn(usize) -> bool) -> Option<u32> {
        if self.slots.is_empty() {
            return None;
        }
        let found = self.slots[self.probe(hash, is)];
        (found != EMPTY).then_some(found)
    }

    /// The slot that holds the key, or the free slot where it would go.
    fn probe(&self, hash: u32, is: impl Fn(usize) -> bool) -> usize {
        let mask = self.slots.len() - 1;
        let mut slot = hash as usize & mask;
        loop {
            let held = self.slots[slot];
            if held == EMPTY || is(held as usize) {
                return slot;
            }
            slot = (slot + 1) & mask;
        }
    }
}

/// The product id and the variant id in a Shopify channel item id,
/// `shopify_<country>_<product id>_<variant id>` (for example `shopify_US_8012345_44012345`),
/// the form Shopify's Google channel writes into GA4's `items[].item_id`. Both ids are
/// decimal numbers and the country is two ASCII letters; anything else is `None`. Parsing
/// costs no bundle bytes, where storing a channel id per variant and country would.
pub fn shopify_channel_ids(id: &str) -> Option<(&str, &str)> {
    let rest = id.strip_prefix("shopify_")?;
    let mut parts = crate::text::SplitAscii::new(rest, b'_');
    let (country, product, variant) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    (country.len() == 2
        && country.bytes().all(|b| b.is_ascii_alphabetic())
        && digits(product)
        && digits(variant))
    .then_some((product, variant))
}

/// FNV-1a, 32 bits, over bytes: the hash of a text key.
pub fn fnv1a(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5, |hash, &byte| {
        (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193)
    })
}

/// The hash of a numeric key: Fibonacci hashing, the high bits of a multiply.
pub fn number_hash(number: u64) -> u32 {
    (number.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 32) as u32
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::{String, ToString};

    fn text_index(list: &[String]) -> Result<IdIndex, usize> {
        IdIndex::build(
            list.len(),
            |i| fnv1a(list[i].as_bytes()),
            |i, j| list[i] == list[j],
        )
    }

    fn find(index: &IdIndex, list: &[String], id: &str) -> Option<u32> {
        index.find(fnv1a(id.as_bytes()), |i| list[i] == id)
    }

    fn ids(list: &[&str]) -> Vec<String> {
        list.iter().map(|&id| String::from(id)).collect()
    }

    #[test]
    fn every_id_is_found_at_its_position() {
        let list: Vec<String> = (0..1000).map(|i| (i * 7919).to_string()).collect();
        let index = text_index(&list).unwrap();
        for (position, id) in list.iter().enumerate() {
            assert_eq!(find(&index, &list, id), Some(position as u32));
        }
        assert_eq!(find(&index, &list, "nope"), None);
        assert_eq!(find(&index, &list, ""), None);
    }

    #[test]
    fn every_number_is_found_at_its_position() {
        // Shopify-like ids: 14 digits, close together (the hash must spread neighbours).
        let list: Vec<u64> = (0..5000).map(|i| 45_100_000_000_000 + i * 3).collect();
        let index = IdIndex::build(
            list.len(),
            |i| number_hash(list[i]),
            |i, j| list[i] == list[j],
        )
        .unwrap();
        for (position, &n) in list.iter().enumerate() {
            assert_eq!(
                index.find(number_hash(n), |i| list[i] == n),
                Some(position as u32)
            );
        }
        assert_eq!(index.find(number_hash(7), |i| list[i] == 7), None);
    }

    #[test]
    fn duplicates_are_reported() {
        assert_eq!(text_index(&ids(&["a", "b", "a"])).err(), Some(2));
        assert!(text_index(&ids(&["a", "b", "c"])).is_ok());
    }

    #[test]
    fn shopify_channel_ids_give_product_and_variant() {
        let check = |id: &str, expected: Option<(&str, &str)>| {
            assert_eq!(shopify_channel_ids(id), expected, "{id}");
        };
        check("shopify_US_8012345_44012345", Some(("8012345", "44012345")));
        check("shopify_de_1_2", Some(("1", "2")));
        check("shopify_USA_1_2", None);
        check("shopify_US_1", None);
        check("shopify_US_1_2_3", None);
        check("shopify_US_a1_2", None);
        check("shopify_US__2", None);
        check("Shopify_US_1_2", None);
        check("tee-shirt", None);
    }

    #[test]
    fn an_empty_list_finds_nothing() {
        let empty = ids(&[]);
        assert_eq!(find(&text_index(&empty).unwrap(), &empty, "a"), None);
        assert_eq!(find(&IdIndex::default(), &empty, "a"), None);
    }
}
