//! Text ids held as one text with end offsets, not one `String` each: the model's product ids
//! in bundle order, then its text aliases (handles, SKUs; `ids.rs` keeps numeric aliases as
//! numbers).
//!
//! A Shopify catalog of 10,000 products brings about 80,000 aliases; one allocation per id was
//! a large part of its bundle's decode time in the wasm (`docs/performance.md`, "Bundle decode
//! with many aliases").
#![forbid(unsafe_code)]

use alloc::string::String;
use alloc::vec::Vec;

/// Names in the order they were pushed; `get(i)` is the `i`th. The text stays below 4 GiB
/// (`u32` offsets): the caller checks what it will push ([`Names::MAX_TEXT`]).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Names {
    text: String,
    /// Where each name ends in `text`.
    ends: Vec<u32>,
}

impl Names {
    /// The most text the offsets address (in `u64`: on wasm32 it is `usize::MAX`).
    pub const MAX_TEXT: u64 = u32::MAX as u64;

    /// The most bytes a number pushed with [`Names::push_decimal`] adds (`u64::MAX`).
    pub const MAX_DECIMAL: usize = 20;

    /// Appends `name`.
    pub fn push(&mut self, name: &str) {
        self.text.push_str(name);
        self.ends.push(self.text.len() as u32);
    }

    /// Appends `value` in decimal, as `value.to_string()` writes it.
    pub fn push_decimal(&mut self, value: u64) {
        crate::text::push_decimal(&mut self.text, value);
        self.ends.push(self.text.len() as u32);
    }

    /// The `i`th name.
    pub fn get(&self, i: usize) -> &str {
        &self.text[self.range(i)]
    }

    /// The `i`th name's bytes: what the id index compares, without the char-boundary checks
    /// of slicing a `str` (a quarter of its probing time in the wasm).
    pub fn bytes(&self, i: usize) -> &[u8] {
        &self.text.as_bytes()[self.range(i)]
    }

    fn range(&self, i: usize) -> core::ops::Range<usize> {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        start..self.ends[i] as usize
    }

    /// Number of names.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// True without names.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Gives back the spare capacity of a finished list.
    pub fn shrink_to_fit(&mut self) {
        self.text.shrink_to_fit();
        self.ends.shrink_to_fit();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_back_in_order() {
        let mut names = Names::default();
        assert!(names.is_empty());
        names.push("tee");
        names.push_decimal(8_012_345_678_901);
        names.push("");
        names.push("é-sku");
        names.push_decimal(0);
        let all: Vec<&str> = (0..names.len()).map(|i| names.get(i)).collect();
        assert_eq!(all, ["tee", "8012345678901", "", "é-sku", "0"]);
    }
}
