//! Finding a product's bundle index from its id: an open-addressing hash table of indices
//! into the model's id list ([`Names`]: product ids, then aliases), with FNV-1a hashing and
//! linear probing; and the Shopify channel ids that GA4 integrations write, read without storing
//! them.
//!
//! `std::collections::HashMap<String, u32>` did the same job, but hashbrown, SipHash and the
//! second copy of every id cost about 3 KB of wasm and more memory; this table holds only a
//! `u32` per slot and looks the ids up in the list the model keeps anyway.
#![forbid(unsafe_code)]

use alloc::vec;
use alloc::vec::Vec;

use super::names::Names;

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
    pub fn build(ids: &Names) -> Result<IdIndex, usize> {
        let mut index = IdIndex {
            slots: vec![EMPTY; (ids.len() * 2).next_power_of_two()],
        };
        for position in 0..ids.len() {
            let slot = index.probe(ids, ids.get(position));
            if index.slots[slot] != EMPTY {
                return Err(position);
            }
            index.slots[slot] = position as u32;
        }
        Ok(index)
    }

    /// The position of `id` in `ids` (the same list the index was built from).
    pub fn get(&self, ids: &Names, id: &str) -> Option<u32> {
        if self.slots.is_empty() {
            return None;
        }
        let found = self.slots[self.probe(ids, id)];
        (found != EMPTY).then_some(found)
    }

    /// The slot that holds `id`, or the free slot where it would go.
    fn probe(&self, ids: &Names, id: &str) -> usize {
        let mask = self.slots.len() - 1;
        let mut slot = fnv1a(id.as_bytes()) as usize & mask;
        loop {
            let held = self.slots[slot];
            if held == EMPTY || ids.bytes(held as usize) == id.as_bytes() {
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
    let parts = crate::text::split_ascii(rest, b'_');
    let [country, product, variant] = parts.as_slice() else {
        return None;
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    (country.len() == 2
        && country.bytes().all(|b| b.is_ascii_alphabetic())
        && digits(product)
        && digits(variant))
    .then_some((*product, *variant))
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

    fn ids(list: &[&str]) -> Names {
        let mut names = Names::default();
        for id in list {
            names.push(id);
        }
        names
    }

    #[test]
    fn every_id_is_found_at_its_position() {
        let mut list = Names::default();
        for i in 0..1000 {
            list.push_decimal(i * 7919);
        }
        let index = IdIndex::build(&list).unwrap();
        for position in 0..list.len() {
            assert_eq!(index.get(&list, list.get(position)), Some(position as u32));
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
        assert_eq!(IdIndex::build(&empty).unwrap().get(&empty, "a"), None);
        assert_eq!(IdIndex::default().get(&empty, "a"), None);
    }
}
