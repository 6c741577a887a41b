//! The ids a bundle answers to (its product ids, its text aliases such as handles and SKUs,
//! its numeric aliases such as Shopify product and variant ids) and the lookup from any of
//! them to a product.
//!
//! Numeric aliases stay numbers: a Shopify catalog brings about 8 ids a product, most of them
//! numbers, and writing each out as text to hash it was most of its bundle's decode time
//! (`docs/performance.md`, "Bundle decode with many aliases").
#![forbid(unsafe_code)]

use alloc::vec::Vec;

use super::format;
use super::id_index::{fnv1a, number_hash, IdIndex};
use super::names::Names;
use super::BundleError;

/// Why a bundle is refused when one of its aliases names a second product.
const REPEATED_ALIAS: BundleError =
    BundleError::Malformed("an alias repeats a product id or another alias");

/// Every id of a bundle, and which product each names.
#[derive(Clone, Debug, Default)]
pub struct Ids {
    /// Product ids in bundle order, then the text aliases.
    names: Names,
    /// Number of products (the first `product_count` names).
    product_count: usize,
    /// Per text alias (the names after the products), its product.
    text_product: Vec<u32>,
    /// The numeric aliases, and per alias its product.
    numbers: Vec<u64>,
    number_product: Vec<u32>,
    by_name: IdIndex,
    by_number: IdIndex,
}

impl Ids {
    /// The product ids and the bundle's three alias fields (per product, its text aliases,
    /// then its numeric aliases, counted by `counts`), checked: no id may name two products.
    pub fn unpack(
        product_ids: Names,
        alias_ids: &str,
        alias_numbers: &[u8],
        counts: &[u8],
    ) -> Result<Ids, BundleError> {
        let mut ids = Ids {
            product_count: product_ids.len(),
            names: product_ids,
            ..Ids::default()
        };
        if !(alias_ids.is_empty() && alias_numbers.is_empty() && counts.is_empty()) {
            ids.unpack_aliases(alias_ids, alias_numbers, counts)?;
        }
        if ids.names.len() + ids.numbers.len() > u32::MAX as usize / 2 {
            return Err(BundleError::Malformed("too many products"));
        }
        let names = &ids.names;
        ids.by_name = IdIndex::build(
            names.len(),
            |i| fnv1a(names.bytes(i)),
            |i, j| names.bytes(i) == names.bytes(j),
        )
        .map_err(|position| {
            if position < ids.product_count {
                BundleError::Malformed("duplicate product id")
            } else {
                REPEATED_ALIAS
            }
        })?;
        let numbers = &ids.numbers;
        ids.by_number = IdIndex::build(
            numbers.len(),
            |i| number_hash(numbers[i]),
            |i, j| numbers[i] == numbers[j],
        )
        .map_err(|_| REPEATED_ALIAS)?;
        // A numeric alias may not spell a name either (a product id such as "1004856").
        if !ids.numbers.is_empty()
            && (0..ids.names.len())
                .any(|i| plain_number(ids.names.get(i)).is_some_and(|n| ids.number(n).is_some()))
        {
            return Err(REPEATED_ALIAS);
        }
        ids.names.shrink_to_fit();
        Ok(ids)
    }

    fn unpack_aliases(
        &mut self,
        alias_ids: &str,
        alias_numbers: &[u8],
        counts: &[u8],
    ) -> Result<(), BundleError> {
        // No text at all: no text aliases (not one empty alias), so the one empty part is
        // skipped (an `Option` flattened around the iterator cost the wasm 129 B gzip).
        let mut texts = crate::text::SplitAscii::new(alias_ids, b'\n');
        if alias_ids.is_empty() {
            texts.next();
        }
        let (mut pos, mut number_pos) = (0, 0);
        let mut previous_first = 0u64;
        for product in 0..self.product_count as u32 {
            let text_count = format::take_varint(counts, &mut pos)?;
            let number_count = format::take_varint(counts, &mut pos)?;
            for _ in 0..text_count {
                let alias = texts
                    .next()
                    .ok_or(BundleError::Malformed("more aliases counted than given"))?;
                if alias.is_empty() {
                    return Err(BundleError::Malformed("an alias is empty"));
                }
                self.names.push(alias);
                self.text_product.push(product);
            }
            let mut previous: Option<u64> = None;
            for _ in 0..number_count {
                let value = format::take_varint(alias_numbers, &mut number_pos)?;
                let number = match previous {
                    None => {
                        previous_first =
                            previous_first.wrapping_add(format::unzigzag(value) as u64);
                        previous_first
                    }
                    Some(previous) => previous
                        .checked_add(value)
                        .and_then(|n| n.checked_add(1))
                        .ok_or(BundleError::Malformed("an alias number overflows"))?,
                };
                self.numbers.push(number);
                self.number_product.push(product);
                previous = Some(number);
            }
        }
        if pos != counts.len() || number_pos != alias_numbers.len() || texts.next().is_some() {
            return Err(BundleError::Malformed(
                "alias counts do not match the aliases",
            ));
        }
        Ok(())
    }

    /// The bundle index of the product `id` names, exactly as written: its product id, a text
    /// alias, or (a plain decimal number) a numeric alias.
    pub fn product_of(&self, id: &str) -> Option<u32> {
        let bytes = id.as_bytes();
        if let Some(position) = self
            .by_name
            .find(fnv1a(bytes), |i| self.names.bytes(i) == bytes)
        {
            let position = position as usize;
            return Some(match position.checked_sub(self.product_count) {
                None => position as u32,
                Some(alias) => self.text_product[alias],
            });
        }
        let alias = self.number(plain_number(id)?)?;
        Some(self.number_product[alias as usize])
    }

    fn number(&self, number: u64) -> Option<u32> {
        self.by_number
            .find(number_hash(number), |i| self.numbers[i] == number)
    }

    /// The id of the product at `index`.
    pub fn product_id(&self, index: u32) -> &str {
        self.names.get(index as usize)
    }

    /// Number of aliases, text and numeric.
    pub fn alias_count(&self) -> usize {
        self.text_product.len() + self.numbers.len()
    }
}

/// An id as a number when it is a plain decimal number (no sign, no leading zero, fits in
/// u64) that [`crate::text::decimal`] writes back unchanged. A byte loop: `str::parse` brings
/// its own error type and checks into the wasm.
pub(crate) fn plain_number(id: &str) -> Option<u64> {
    let bytes = id.as_bytes();
    if bytes.is_empty() || (bytes.len() > 1 && bytes[0] == b'0') {
        return None;
    }
    bytes.iter().try_fold(0u64, |number, &byte| {
        byte.is_ascii_digit().then_some(())?;
        number.checked_mul(10)?.checked_add(u64::from(byte - b'0'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_numbers_are_those_decimal_writes_back() {
        for (id, expected) in [
            ("0", Some(0)),
            ("7", Some(7)),
            ("45100000000123", Some(45_100_000_000_123)),
            ("18446744073709551615", Some(u64::MAX)),
            ("18446744073709551616", None),
            ("007", None),
            ("00", None),
            ("", None),
            ("-3", None),
            ("+3", None),
            ("12a", None),
            ("1 2", None),
            ("١٢", None),
        ] {
            assert_eq!(plain_number(id), expected, "{id:?}");
            if let Some(number) = expected {
                assert_eq!(crate::text::decimal(number), id);
            }
        }
    }
}
