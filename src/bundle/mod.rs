//! The model bundle: untrusted bytes fetched from the merchant's CDN, checked and decoded
//! into the in-memory [`Model`] that ranking and abandon scoring read.
//!
//! `format` owns the wire layout; this module validates every index before building the
//! model, so the rest of the core can index arrays without checks that could panic.
#![forbid(unsafe_code)]

pub mod crc32;
pub mod format;
pub mod id_index;
pub mod ids;
pub mod names;

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

pub use format::{BundleWire, ScoringWeights, FORMAT_VERSION, MAGIC};

use crate::abandon::AbandonModel;
use ids::{plain_number, Ids};
use names::Names;

/// A colour, size or brand index meaning "none".
pub const NO_ATTRIBUTE: u16 = u16::MAX;
/// Brand index meaning "no brand".
pub const NO_BRAND: u16 = NO_ATTRIBUTE;

/// Why a bundle was refused. Every malformed input ends here; decoding never panics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BundleError {
    /// Fewer bytes than the header needs.
    TooShort { len: usize },
    /// The first bytes are not the aisle magic.
    BadMagic,
    /// Written by another format version.
    UnsupportedVersion { found: u16, supported: u16 },
    /// The payload length in the header does not match the bytes received (truncated download).
    LengthMismatch { declared: usize, actual: usize },
    /// The payload's CRC-32 does not match the header.
    ChecksumMismatch { expected: u32, actual: u32 },
    /// The payload decoded but its contents contradict each other.
    Malformed(&'static str),
}

impl BundleError {
    /// The message shown to people (the `Display` form), built without `core::fmt` so the
    /// wasm can report it without carrying the formatting machinery.
    pub fn message(&self) -> String {
        use crate::text::{concat, decimal, hex_u32};
        match self {
            BundleError::TooShort { len } => concat(&[
                "bundle is ",
                &decimal(*len as u64),
                " bytes, shorter than its header",
            ]),
            BundleError::BadMagic => {
                String::from("bundle does not start with the aisle magic bytes")
            }
            BundleError::UnsupportedVersion { found, supported } => concat(&[
                "bundle format version ",
                &decimal(u64::from(*found)),
                " is not supported (this build reads ",
                &decimal(u64::from(*supported)),
                ")",
            ]),
            BundleError::LengthMismatch { declared, actual } => concat(&[
                "bundle payload should be ",
                &decimal(*declared as u64),
                " bytes but ",
                &decimal(*actual as u64),
                " arrived",
            ]),
            BundleError::ChecksumMismatch { expected, actual } => concat(&[
                "bundle checksum ",
                &hex_u32(*actual),
                " does not match the header's ",
                &hex_u32(*expected),
            ]),
            BundleError::Malformed(reason) => concat(&["bundle is malformed: ", reason]),
        }
    }
}

impl core::fmt::Display for BundleError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for BundleError {}

/// The decoded, validated model.
#[derive(Clone, Debug)]
pub struct Model {
    /// The model version the bundle was built with.
    pub model_version: String,
    /// When the bundle was built.
    pub built_at_ms: u64,
    /// Scoring weights.
    pub weights: ScoringWeights,
    /// The cart-abandon model, if the bundle has one.
    pub abandon: Option<AbandonModel>,
    /// Sessions the model learned from (0: a catalog-only bundle).
    pub trained_sessions: u64,
    /// Product ids and aliases, and which product each names.
    ids: Ids,
    category_names: Vec<String>,
    product_category: Vec<u16>,
    brand_names: Vec<String>,
    product_brand: Vec<u16>,
    color_count: usize,
    product_color: Vec<u16>,
    size_count: usize,
    product_size: Vec<u16>,
    popularity: Vec<u8>,
    price_band: Vec<u8>,
    neighbour_start: Vec<u32>,
    neighbour_index: Vec<u32>,
    neighbour_weight: Vec<u8>,
    /// Weight of each level, indexed by level.
    weight_of_level: Vec<f32>,
}

impl Model {
    /// Checks and decodes bundle bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Model, BundleError> {
        Model::from_wire(format::decode(bytes)?)
    }

    /// Validates a decoded payload and builds the in-memory model.
    pub fn from_wire(wire: BundleWire) -> Result<Model, BundleError> {
        // The product ids as text, numbers written out: what the names' offsets must address.
        // A number takes at least one byte of the bundle.
        let most_text = wire.product_ids.len() as u64
            + wire.alias_ids.len() as u64
            + Names::MAX_DECIMAL as u64 * wire.product_id_numbers.len() as u64;
        if most_text > Names::MAX_TEXT {
            return Err(BundleError::Malformed("too many products"));
        }
        let mut product_ids = Names::default();
        if !wire.product_id_numbers.is_empty() {
            if !wire.product_ids.is_empty() {
                return Err(BundleError::Malformed(
                    "product ids given both as text and as numbers",
                ));
            }
            unpack_id_numbers(&wire.product_id_numbers, &mut product_ids)?;
        } else if !wire.product_ids.is_empty() {
            for id in crate::text::SplitAscii::new(&wire.product_ids, b'\n') {
                product_ids.push(id);
            }
        }
        let count = product_ids.len();
        let ids = Ids::unpack(
            product_ids,
            &wire.alias_ids,
            &wire.alias_numbers,
            &wire.alias_counts,
        )?;
        let product_category = unpack_u16(
            &wire.product_category,
            count,
            "category array has the wrong length",
        )?;
        if product_category
            .iter()
            .any(|&c| usize::from(c) >= wire.category_names.len())
        {
            return Err(BundleError::Malformed("category index out of range"));
        }
        let categories = wire.category_names.len();
        let product_brand = unpack_attribute(
            &wire.product_brand,
            &product_category,
            categories,
            wire.brand_names.len(),
            "brand array has the wrong length",
            "brand index out of range",
        )?;
        let product_color = unpack_attribute(
            &wire.product_color,
            &product_category,
            categories,
            wire.color_names.len(),
            "colour array has the wrong length",
            "colour index out of range",
        )?;
        let product_size = unpack_attribute(
            &wire.product_size,
            &product_category,
            categories,
            wire.size_names.len(),
            "size array has the wrong length",
            "size index out of range",
        )?;
        if wire.popularity.len() != count || wire.price_band.len() != count {
            return Err(BundleError::Malformed(
                "popularity or price array has the wrong length",
            ));
        }
        let (neighbour_start, neighbour_index) = unpack_neighbours(&wire.neighbours, count)?;
        let neighbour_weight = unpack_levels(
            &wire.neighbour_weights,
            wire.neighbour_weight_bits,
            neighbour_index.len(),
        )?;
        if !weights_are_finite(&wire.weights) {
            return Err(BundleError::Malformed("scoring weights are not finite"));
        }
        let abandon = match wire.abandon {
            Some(abandon) => Some(AbandonModel::from_wire(abandon)?),
            None => None,
        };
        Ok(Model {
            model_version: wire.model_version,
            built_at_ms: wire.built_at_ms,
            weights: wire.weights,
            abandon,
            trained_sessions: wire.trained_sessions,
            ids,
            category_names: wire.category_names,
            product_category,
            brand_names: wire.brand_names,
            product_brand,
            color_count: wire.color_names.len(),
            product_color,
            size_count: wire.size_names.len(),
            product_size,
            popularity: wire.popularity,
            price_band: wire.price_band,
            neighbour_start,
            neighbour_index,
            neighbour_weight,
            weight_of_level: level_weights(wire.neighbour_weight_bits),
        })
    }

    /// Number of products.
    pub fn len(&self) -> usize {
        self.product_category.len()
    }

    /// True for a bundle without products.
    pub fn is_empty(&self) -> bool {
        self.product_category.is_empty()
    }

    /// True for a bundle built from the catalog alone (no sessions learned from).
    pub fn is_catalog_only(&self) -> bool {
        self.trained_sessions == 0
    }

    /// The bundle index of the product an id names: its own id, any of its aliases, or a
    /// Shopify channel id `shopify_<country>_<product id>_<variant id>` (as GA4 integrations
    /// write item ids) whose variant or product id is one of those.
    pub fn index_of(&self, id: &str) -> Option<u32> {
        self.ids.product_of(id).or_else(|| {
            let (product, variant) = id_index::shopify_channel_ids(id)?;
            self.ids
                .product_of(variant)
                .or_else(|| self.ids.product_of(product))
        })
    }

    /// The id of the product at `index`.
    pub fn product_id(&self, index: u32) -> &str {
        self.ids.product_id(index)
    }

    /// Number of aliases.
    pub fn alias_count(&self) -> usize {
        self.ids.alias_count()
    }

    /// Category index of a product.
    pub fn category(&self, index: u32) -> u16 {
        self.product_category[index as usize]
    }

    /// Category index by name.
    pub fn category_by_name(&self, name: &str) -> Option<u16> {
        self.category_names
            .iter()
            .position(|c| c == name)
            .map(|i| i as u16)
    }

    /// Category name by index.
    pub fn category_name(&self, category: u16) -> &str {
        &self.category_names[usize::from(category)]
    }

    /// Number of categories.
    pub fn category_count(&self) -> usize {
        self.category_names.len()
    }

    /// Brand index of a product, [`NO_BRAND`] when it has none.
    pub fn brand(&self, index: u32) -> u16 {
        self.product_brand[index as usize]
    }

    /// Number of brands.
    pub fn brand_count(&self) -> usize {
        self.brand_names.len()
    }

    /// Colour index of a product, [`NO_ATTRIBUTE`] when it has none.
    pub fn color(&self, index: u32) -> u16 {
        self.product_color[index as usize]
    }

    /// Number of colours.
    pub fn color_count(&self) -> usize {
        self.color_count
    }

    /// Size range index of a product, [`NO_ATTRIBUTE`] when it has none.
    pub fn size(&self, index: u32) -> u16 {
        self.product_size[index as usize]
    }

    /// Number of size ranges.
    pub fn size_count(&self) -> usize {
        self.size_count
    }

    /// Popularity of a product in 0..=1.
    pub fn popularity(&self, index: u32) -> f32 {
        f32::from(self.popularity[index as usize]) / 255.0
    }

    /// Price band of a product within its category (0: unknown).
    pub fn price_band(&self, index: u32) -> u8 {
        self.price_band[index as usize]
    }

    /// Neighbours of a product with weights in 1/16..=1, in ascending index order.
    pub fn neighbours(&self, index: u32) -> impl Iterator<Item = (u32, f32)> + '_ {
        let start = self.neighbour_start[index as usize] as usize;
        let end = self.neighbour_start[index as usize + 1] as usize;
        self.neighbour_index[start..end]
            .iter()
            .zip(&self.neighbour_weight[start..end])
            .map(|(&n, &level)| (n, self.weight_of_level[usize::from(level)]))
    }

    /// Products per category, for debug views and audits.
    pub fn products_per_category(&self) -> BTreeMap<&str, usize> {
        let mut counts = BTreeMap::new();
        for &c in &self.product_category {
            *counts.entry(self.category_name(c)).or_insert(0) += 1;
        }
        counts
    }
}

fn weights_are_finite(w: &ScoringWeights) -> bool {
    all_finite(&[
        w.popularity,
        w.category,
        w.brand,
        w.neighbour,
        w.price,
        w.seen,
        w.color,
        w.size,
        w.recency_half_life,
    ]) && all_finite(&w.action_strength)
}

/// True when no value is NaN or infinite. A slice at a time: `chain`ed iterators cost the wasm
/// code per chain shape (with the abandon model's check: 146 B gzip).
pub(crate) fn all_finite(values: &[f32]) -> bool {
    values.iter().all(|v| v.is_finite())
}

/// The ids as numbers when every one is a plain decimal number that [`unpack_id_numbers`]
/// gives back unchanged, packed as described at [`BundleWire::product_id_numbers`].
pub fn pack_id_numbers<S: AsRef<str>>(ids: &[S]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut previous = 0u64;
    for id in ids {
        let number = plain_number(id.as_ref())?;
        format::put_varint(
            &mut out,
            format::zigzag(number.wrapping_sub(previous) as i64),
        );
        previous = number;
    }
    (!ids.is_empty()).then_some(out)
}

fn unpack_id_numbers(bytes: &[u8], ids: &mut Names) -> Result<(), BundleError> {
    let mut pos = 0;
    let mut previous = 0u64;
    while pos < bytes.len() {
        previous =
            previous.wrapping_add(format::unzigzag(format::take_varint(bytes, &mut pos)?) as u64);
        ids.push_decimal(previous);
    }
    Ok(())
}

/// The three alias fields of [`BundleWire`], packed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PackedAliases {
    /// [`BundleWire::alias_ids`].
    pub ids: String,
    /// [`BundleWire::alias_numbers`].
    pub numbers: Vec<u8>,
    /// [`BundleWire::alias_counts`].
    pub counts: Vec<u8>,
}

/// Packs per-product alias lists (bundle order) into the alias fields of [`BundleWire`]:
/// plain decimal numbers as numbers, everything else as text. No aliases at all give empty
/// fields. The lists hold no repeats (the decoder refuses them).
pub fn pack_aliases<S: AsRef<str>>(lists: &[Vec<S>]) -> PackedAliases {
    let mut packed = PackedAliases::default();
    if lists.iter().all(Vec::is_empty) {
        return packed;
    }
    let (mut previous_first, mut all_texts) = (0u64, 0usize);
    for list in lists {
        let (mut numbers, mut texts) = (Vec::new(), 0u64);
        for alias in list {
            let alias = alias.as_ref();
            match plain_number(alias) {
                Some(number) => numbers.push(number),
                None => {
                    if all_texts > 0 {
                        packed.ids.push('\n');
                    }
                    packed.ids.push_str(alias);
                    texts += 1;
                    all_texts += 1;
                }
            }
        }
        numbers.sort_unstable();
        format::put_varint(&mut packed.counts, texts);
        format::put_varint(&mut packed.counts, numbers.len() as u64);
        for (i, &number) in numbers.iter().enumerate() {
            let value = match i {
                0 => {
                    let delta = format::zigzag(number.wrapping_sub(previous_first) as i64);
                    previous_first = number;
                    delta
                }
                _ => number - numbers[i - 1] - 1,
            };
            format::put_varint(&mut packed.numbers, value);
        }
    }
    packed
}

/// A brand, colour or size array packed by [`pack_attribute`]: every index below `names`
/// or [`NO_ATTRIBUTE`]; an empty array means no product has one.
fn unpack_attribute(
    bytes: &[u8],
    product_category: &[u16],
    categories: usize,
    names: usize,
    length_error: &'static str,
    range_error: &'static str,
) -> Result<Vec<u16>, BundleError> {
    if bytes.is_empty() {
        return Ok(vec![NO_ATTRIBUTE; product_category.len()]);
    }
    let mut pos = 0;
    let mut local: Vec<Vec<u16>> = Vec::with_capacity(categories);
    for _ in 0..categories {
        let n = format::take_varint(bytes, &mut pos)?;
        if n > names as u64 {
            return Err(BundleError::Malformed(range_error));
        }
        let mut list = Vec::with_capacity(n as usize);
        let mut next = 0u64;
        for _ in 0..n {
            let index = next
                .checked_add(format::take_varint(bytes, &mut pos)?)
                .filter(|&index| index < names as u64)
                .ok_or(BundleError::Malformed(range_error))?;
            list.push(index as u16);
            next = index + 1;
        }
        local.push(list);
    }
    let mut values = Vec::with_capacity(product_category.len());
    for &category in product_category {
        let k = format::take_varint(bytes, &mut pos)
            .map_err(|_| BundleError::Malformed(length_error))?;
        values.push(match k.checked_sub(1) {
            None => NO_ATTRIBUTE,
            Some(k) => *usize::try_from(k)
                .ok()
                .and_then(|k| local[usize::from(category)].get(k))
                .ok_or(BundleError::Malformed(range_error))?,
        });
    }
    if pos != bytes.len() {
        return Err(BundleError::Malformed(length_error));
    }
    Ok(values)
}

/// Packs per-product brand, colour or size indices ([`NO_ATTRIBUTE`]: none) as
/// category-local indices, as described at [`BundleWire::product_brand`]; empty when no
/// product has one. `product_category` holds each product's category, below `categories`.
pub fn pack_attribute(values: &[u16], product_category: &[u16], categories: usize) -> Vec<u8> {
    if values.iter().all(|&v| v == NO_ATTRIBUTE) {
        return Vec::new();
    }
    let mut local: Vec<Vec<u16>> = vec![Vec::new(); categories];
    for (&value, &category) in values.iter().zip(product_category) {
        if value != NO_ATTRIBUTE {
            local[usize::from(category)].push(value);
        }
    }
    let mut out = Vec::new();
    for list in &mut local {
        list.sort_unstable();
        list.dedup();
        format::put_varint(&mut out, list.len() as u64);
        let mut next = 0u64;
        for &value in list.iter() {
            format::put_varint(&mut out, u64::from(value) - next);
            next = u64::from(value) + 1;
        }
    }
    for (&value, &category) in values.iter().zip(product_category) {
        let k = match value {
            NO_ATTRIBUTE => 0,
            _ => {
                let list = &local[usize::from(category)];
                list.binary_search(&value).expect("listed above") as u64 + 1
            }
        };
        format::put_varint(&mut out, k);
    }
    out
}

/// Packs u16 values as two byte planes: every low byte, then every high byte.
pub fn pack_u16(values: &[u16]) -> Vec<u8> {
    values
        .iter()
        .map(|v| v.to_le_bytes()[0])
        .chain(values.iter().map(|v| v.to_le_bytes()[1]))
        .collect()
}

fn unpack_u16(bytes: &[u8], count: usize, error: &'static str) -> Result<Vec<u16>, BundleError> {
    if bytes.len() != count * 2 {
        return Err(BundleError::Malformed(error));
    }
    let (low, high) = bytes.split_at(count);
    Ok(low
        .iter()
        .zip(high)
        .map(|(&l, &h)| u16::from_le_bytes([l, h]))
        .collect())
}

/// The weight levels a bundle may use.
pub const WEIGHT_BITS: [u8; 4] = [1, 2, 4, 8];

/// The weight of each level for `bits` bits per level (see [`BundleWire::neighbour_weights`]).
pub fn level_weights(bits: u8) -> Vec<f32> {
    let levels = 1usize << bits.min(8);
    let top = (levels - 1).max(1) as f32;
    (0..levels)
        .map(|level| (-4.0 * (top - level as f32) / top).exp2())
        .collect()
}

/// The level nearest to a weight in 0..=1 (on the log scale of [`level_weights`]).
pub fn weight_level(weight: f32, bits: u8) -> u8 {
    let target = weight.max(1e-6).ln();
    let distance = |w: f32| (w.ln() - target).abs();
    let weights = level_weights(bits);
    let mut best = 0;
    for (level, &w) in weights.iter().enumerate() {
        if distance(w) < distance(weights[best]) {
            best = level;
        }
    }
    best as u8
}

/// Packs per-product neighbour lists (index, weight level) into the wire's two byte strings.
/// Each list is sorted by index (repeats dropped) so the deltas are small and positive.
pub fn pack_neighbours(lists: &[Vec<(u32, u8)>], bits: u8) -> (Vec<u8>, Vec<u8>) {
    let mut indices = Vec::new();
    let mut levels = Vec::new();
    for (own, list) in lists.iter().enumerate() {
        let mut list = list.clone();
        list.sort_by_key(|&(n, _)| n);
        list.dedup_by_key(|&mut (n, _)| n);
        format::put_varint(&mut indices, list.len() as u64);
        let mut previous: Option<i64> = None;
        for &(neighbour, level) in &list {
            let neighbour = i64::from(neighbour);
            match previous {
                None => format::put_varint(&mut indices, format::zigzag(neighbour - own as i64)),
                Some(previous) => {
                    format::put_varint(&mut indices, (neighbour - previous - 1) as u64)
                }
            }
            previous = Some(neighbour);
            levels.push(level);
        }
    }
    (indices, pack_levels(&levels, bits))
}

/// Packs levels `bits` bits each, least significant first. Levels are masked to `bits`.
pub fn pack_levels(levels: &[u8], bits: u8) -> Vec<u8> {
    let bits = usize::from(bits.clamp(1, 8));
    let mask = ((1u16 << bits) - 1) as u8;
    let mut out = vec![0u8; (levels.len() * bits).div_ceil(8)];
    for (i, &level) in levels.iter().enumerate() {
        let bit = i * bits;
        out[bit / 8] |= (level & mask) << (bit % 8);
    }
    out
}

fn unpack_levels(bytes: &[u8], bits: u8, count: usize) -> Result<Vec<u8>, BundleError> {
    // A bundle without neighbours (such as `BundleWire::default()`) needs no weight width.
    if count == 0 && bytes.is_empty() {
        return Ok(Vec::new());
    }
    if !WEIGHT_BITS.contains(&bits) {
        return Err(BundleError::Malformed(
            "neighbour weight bits must be 1, 2, 4 or 8",
        ));
    }
    let bits = usize::from(bits);
    if bytes.len() != (count * bits).div_ceil(8) {
        return Err(BundleError::Malformed(
            "neighbour weights do not match neighbours",
        ));
    }
    let mask = ((1u16 << bits) - 1) as u8;
    Ok((0..count)
        .map(|i| (bytes[i * bits / 8] >> (i * bits % 8)) & mask)
        .collect())
}

fn unpack_neighbours(bytes: &[u8], count: usize) -> Result<(Vec<u32>, Vec<u32>), BundleError> {
    let mut starts = Vec::with_capacity(count + 1);
    let mut indices = Vec::new();
    let mut pos = 0;
    starts.push(0);
    for own in 0..count {
        let n = format::take_varint(bytes, &mut pos)?;
        if n > count as u64 {
            return Err(BundleError::Malformed(
                "neighbour count larger than the catalog",
            ));
        }
        let mut previous: Option<i64> = None;
        for _ in 0..n {
            let value = format::take_varint(bytes, &mut pos)?;
            let neighbour = match previous {
                None => (own as i64).checked_add(format::unzigzag(value)),
                Some(previous) => i64::try_from(value)
                    .ok()
                    .and_then(|gap| previous.checked_add(gap)?.checked_add(1)),
            }
            .ok_or(BundleError::Malformed("neighbour index overflows"))?;
            if neighbour < 0 || neighbour >= count as i64 {
                return Err(BundleError::Malformed("neighbour index out of range"));
            }
            indices.push(neighbour as u32);
            previous = Some(neighbour);
        }
        starts.push(indices.len() as u32);
    }
    if pos != bytes.len() {
        return Err(BundleError::Malformed(
            "trailing bytes after the neighbour lists",
        ));
    }
    Ok((starts, indices))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A three-product bundle: shoes (a, b) and hats (c); a and b are neighbours.
    pub(crate) fn tiny_wire() -> BundleWire {
        let (neighbours, neighbour_weights) =
            pack_neighbours(&[vec![(1, 3)], vec![(0, 2)], vec![]], 2);
        BundleWire {
            model_version: "test-1".into(),
            built_at_ms: 1,
            trained_sessions: 10,
            product_ids: "a\nb\nc".into(),
            product_id_numbers: Vec::new(),
            alias_ids: String::new(),
            alias_numbers: Vec::new(),
            alias_counts: Vec::new(),
            category_names: vec!["shoes".into(), "hats".into()],
            product_category: pack_u16(&[0, 0, 1]),
            brand_names: vec!["acme".into()],
            product_brand: pack_attribute(&[0, NO_BRAND, 0], &[0, 0, 1], 2),
            color_names: vec!["red".into()],
            product_color: pack_attribute(&[0, NO_ATTRIBUTE, 0], &[0, 0, 1], 2),
            size_names: vec!["S|M|L".into(), "38|39".into()],
            product_size: pack_attribute(&[1, 1, 0], &[0, 0, 1], 2),
            popularity: vec![10, 20, 255],
            price_band: vec![1, 2, 0],
            neighbours,
            neighbour_weights,
            neighbour_weight_bits: 2,
            weights: ScoringWeights::default(),
            abandon: None,
        }
    }

    #[test]
    fn a_bundle_round_trips() {
        let bytes = format::encode(&tiny_wire());
        let model = Model::from_bytes(&bytes).unwrap();
        assert_eq!(model.len(), 3);
        assert_eq!(model.index_of("c"), Some(2));
        assert_eq!(model.category_name(model.category(2)), "hats");
        assert_eq!(model.neighbours(0).collect::<Vec<_>>(), [(1, 1.0)]);
        assert_eq!(model.neighbours(1).map(|(n, _)| n).collect::<Vec<_>>(), [0]);
        assert_eq!(model.brand(1), NO_BRAND);
    }

    #[test]
    fn aliases_and_shopify_channel_ids_resolve_to_their_product() {
        let mut wire = tiny_wire();
        set_aliases(
            &mut wire,
            &[
                vec!["8001", "44001", "SKU-A-38"],
                vec![],
                vec!["8003", "44003", "44004"],
            ],
        );
        let model = Model::from_bytes(&format::encode(&wire)).unwrap();
        assert_eq!(model.alias_count(), 6);
        let check =
            |id: &str, expected: Option<u32>| assert_eq!(model.index_of(id), expected, "{id}");
        check("a", Some(0));
        check("SKU-A-38", Some(0));
        check("44004", Some(2));
        check("shopify_US_8003_44004", Some(2));
        check("shopify_US_8003_99999", Some(2));
        check("shopify_US_1_44001", Some(0));
        check("shopify_US_1_2", None);
        check("8002", None);
        assert_eq!(model.product_id(2), "c");
        assert_eq!(model.color(0), 0);
        assert_eq!(model.size(2), 0);
        assert_eq!(
            (
                model.color_count(),
                model.size_count(),
                model.is_catalog_only()
            ),
            (1, 2, false)
        );
    }

    pub(crate) fn set_aliases(wire: &mut BundleWire, lists: &[Vec<&str>]) {
        let packed = pack_aliases(lists);
        (wire.alias_ids, wire.alias_numbers, wire.alias_counts) =
            (packed.ids, packed.numbers, packed.counts);
    }

    /// Numbers go to `alias_numbers` in any order and size (down to 0, up to `u64::MAX`,
    /// a product's first below the previous product's), everything else stays text.
    #[test]
    fn numeric_aliases_are_packed_as_numbers_and_read_back() {
        let lists = [
            vec![
                "45100000000017",
                "8100000000001",
                "45100000000012",
                "tee-shirt",
            ],
            vec!["0", "007", "18446744073709551615"],
            vec!["5", "SKU-5", "-5"],
        ];
        let mut wire = tiny_wire();
        set_aliases(&mut wire, &lists);
        assert_eq!(wire.alias_ids, "tee-shirt\n007\nSKU-5\n-5");
        let model = Model::from_bytes(&format::encode(&wire)).unwrap();
        for (product, list) in lists.iter().enumerate() {
            for alias in list {
                assert_eq!(model.index_of(alias), Some(product as u32), "{alias}");
            }
        }
        assert_eq!(model.alias_count(), 10);
        // Variant ids a few apart take one byte each after the first.
        let variants: Vec<String> = (0..6)
            .map(|i| (45_100_000_000_000u64 + 3 * i).to_string())
            .collect();
        let packed = pack_aliases(&[variants]);
        assert_eq!(packed.numbers.len(), 7 + 5);
    }

    /// Category-local indices give back the global ones; a category's list holds only the
    /// values its products use.
    #[test]
    fn attributes_round_trip_through_category_local_indices() {
        let categories = [0, 1, 0, 2, 1, 0];
        let values = [300, 7, NO_ATTRIBUTE, 7, 300, 299];
        let packed = pack_attribute(&values, &categories, 3);
        // Category 0: [299, 300]; 1: [7, 300]; 2: [7]; then one local index per product.
        assert_eq!(packed, [2, 171, 2, 0, 2, 7, 164, 2, 1, 7, 2, 1, 0, 1, 2, 1]);
        let unpacked = unpack_attribute(&packed, &categories, 3, 301, "length", "range");
        assert_eq!(unpacked.as_deref(), Ok(&values[..]));
        let check = |bytes: &[u8], error: &'static str| {
            assert_eq!(
                unpack_attribute(bytes, &categories, 3, 301, "length", "range"),
                Err(BundleError::Malformed(error)),
                "{bytes:?}"
            );
        };
        check(&packed[..packed.len() - 1], "length");
        check(&[packed.as_slice(), &[0]].concat(), "length");
        check(
            &[&packed[..2], &[0xff, 0x02], &packed[3..]].concat(),
            "range",
        );
        check(&[&packed[..12], &[3], &packed[13..]].concat(), "range");
        check(&[1, 0x80], "a packed number list ends early");
        assert!(pack_attribute(&[NO_ATTRIBUTE; 3], &[0, 0, 1], 2).is_empty());
    }

    #[test]
    fn an_empty_bundle_decodes_to_an_empty_model() {
        let model = Model::from_bytes(&format::encode(&BundleWire::default())).unwrap();
        assert!(model.is_empty());
        assert_eq!(model.index_of(""), None);
    }

    #[test]
    fn numeric_ids_round_trip_and_others_stay_text() {
        let check = |ids: &[&str], numeric: bool| {
            let packed = pack_id_numbers(ids);
            assert_eq!(packed.is_some(), numeric, "{ids:?}");
            if let Some(packed) = packed {
                let mut names = Names::default();
                unpack_id_numbers(&packed, &mut names).unwrap();
                let unpacked: Vec<&str> = (0..names.len()).map(|i| names.get(i)).collect();
                assert_eq!(unpacked, ids);
            }
        };
        check(&["1004856", "17", "0", "18446744073709551615", "1"], true);
        check(&["007"], false);
        check(&["12", "a1"], false);
        check(&["-3"], false);
        check(&["18446744073709551616"], false);
        check(&[], false);
        let mut wire = tiny_wire();
        wire.product_ids = String::new();
        wire.product_id_numbers = pack_id_numbers(&["5", "3", "9"]).unwrap();
        let model = Model::from_bytes(&format::encode(&wire)).unwrap();
        assert_eq!(model.index_of("9"), Some(2));
        wire.product_ids = "a\nb\nc".into();
        check_rejected(
            &format::encode(&wire),
            BundleError::Malformed("product ids given both as text and as numbers"),
        );
    }

    #[test]
    fn weight_levels_round_trip() {
        for bits in WEIGHT_BITS {
            let top = (1usize << bits) - 1;
            let levels: Vec<u8> = (0..13).map(|i| (i * 7 % (top + 1)) as u8).collect();
            assert_eq!(
                unpack_levels(&pack_levels(&levels, bits), bits, levels.len()).unwrap(),
                levels,
                "{bits} bits"
            );
            let weights = level_weights(bits);
            assert_eq!((weights[0], weights[top]), (1.0 / 16.0, 1.0));
            assert_eq!(weight_level(1.0, bits) as usize, top);
            assert_eq!(weight_level(0.01, bits), 0);
        }
        assert_eq!(weight_level(0.2, 2), 1);
        for (got, expected) in
            level_weights(2)
                .iter()
                .zip([0.0625, 0.157_490_13, 0.396_850_26, 1.0])
        {
            assert!((got - expected).abs() < 1e-6, "{got} != {expected}");
        }
    }

    fn check_rejected(bytes: &[u8], expected: BundleError) {
        assert_eq!(Model::from_bytes(bytes).err(), Some(expected));
    }

    #[test]
    fn messages_read_as_before() {
        let check = |error: BundleError, expected: &str| assert_eq!(error.to_string(), expected);
        check(
            BundleError::TooShort { len: 10 },
            "bundle is 10 bytes, shorter than its header",
        );
        check(
            BundleError::BadMagic,
            "bundle does not start with the aisle magic bytes",
        );
        check(
            BundleError::UnsupportedVersion {
                found: 9,
                supported: 1,
            },
            "bundle format version 9 is not supported (this build reads 1)",
        );
        check(
            BundleError::LengthMismatch {
                declared: 300,
                actual: 297,
            },
            "bundle payload should be 300 bytes but 297 arrived",
        );
        check(
            BundleError::ChecksumMismatch {
                expected: 0xdead_beef,
                actual: 0x12,
            },
            "bundle checksum 0x00000012 does not match the header's 0xdeadbeef",
        );
        check(
            BundleError::Malformed("duplicate product id"),
            "bundle is malformed: duplicate product id",
        );
    }

    #[test]
    fn damaged_bundles_are_rejected() {
        let good = format::encode(&tiny_wire());
        check_rejected(&good[..10], BundleError::TooShort { len: 10 });
        let mut bad_magic = good.clone();
        bad_magic[0] = b'X';
        check_rejected(&bad_magic, BundleError::BadMagic);
        let mut wrong_version = good.clone();
        wrong_version[8] = 9;
        check_rejected(
            &wrong_version,
            BundleError::UnsupportedVersion {
                found: 9,
                supported: FORMAT_VERSION,
            },
        );
        // A format-2 bundle (what `aisle build` wrote before format 3) is refused by its
        // header, before its payload is read, and the message names both versions.
        wrong_version[8] = 2;
        check_rejected(
            &wrong_version,
            BundleError::UnsupportedVersion {
                found: 2,
                supported: 3,
            },
        );
        assert_eq!(
            Model::from_bytes(&wrong_version).unwrap_err().to_string(),
            "bundle format version 2 is not supported (this build reads 3)"
        );
        let truncated = &good[..good.len() - 3];
        check_rejected(
            truncated,
            BundleError::LengthMismatch {
                declared: good.len() - 20,
                actual: good.len() - 23,
            },
        );
        let mut flipped = good.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 0xff;
        assert!(matches!(
            Model::from_bytes(&flipped),
            Err(BundleError::ChecksumMismatch { .. })
        ));
    }

    #[test]
    fn inconsistent_payloads_are_rejected() {
        let mut wire = tiny_wire();
        wire.product_category = pack_u16(&[0, 0, 7]);
        check_rejected(
            &format::encode(&wire),
            BundleError::Malformed("category index out of range"),
        );
        let mut wire = tiny_wire();
        wire.product_ids = "a\na\nc".into();
        check_rejected(
            &format::encode(&wire),
            BundleError::Malformed("duplicate product id"),
        );
        let mut wire = tiny_wire();
        wire.neighbours = pack_neighbours(&[vec![(9, 1)], vec![], vec![]], 2).0;
        check_rejected(
            &format::encode(&wire),
            BundleError::Malformed("neighbour index out of range"),
        );
        let mut wire = tiny_wire();
        wire.weights.category = f32::NAN;
        check_rejected(
            &format::encode(&wire),
            BundleError::Malformed("scoring weights are not finite"),
        );
        let mut wire = tiny_wire();
        wire.neighbour_weight_bits = 3;
        check_rejected(
            &format::encode(&wire),
            BundleError::Malformed("neighbour weight bits must be 1, 2, 4 or 8"),
        );
        let mut wire = tiny_wire();
        wire.neighbour_weights.push(0);
        check_rejected(
            &format::encode(&wire),
            BundleError::Malformed("neighbour weights do not match neighbours"),
        );
        let mut wire = tiny_wire();
        wire.product_brand.pop();
        check_rejected(
            &format::encode(&wire),
            BundleError::Malformed("brand array has the wrong length"),
        );
        let mut wire = tiny_wire();
        wire.product_color = pack_attribute(&[0, 1, 0], &[0, 0, 1], 2);
        check_rejected(
            &format::encode(&wire),
            BundleError::Malformed("colour index out of range"),
        );
        let mut wire = tiny_wire();
        wire.product_size.pop();
        check_rejected(
            &format::encode(&wire),
            BundleError::Malformed("size array has the wrong length"),
        );
        let aliased = |lists: &[Vec<&str>]| {
            let mut wire = tiny_wire();
            set_aliases(&mut wire, lists);
            wire
        };
        check_rejected(
            &format::encode(&aliased(&[vec!["x"], vec!["b"], vec![]])),
            BundleError::Malformed("an alias repeats a product id or another alias"),
        );
        check_rejected(
            &format::encode(&aliased(&[vec!["x"], vec![], vec!["x"]])),
            BundleError::Malformed("an alias repeats a product id or another alias"),
        );
        check_rejected(
            &format::encode(&aliased(&[vec!["x", ""], vec![], vec![]])),
            BundleError::Malformed("an alias is empty"),
        );
        check_rejected(
            &format::encode(&aliased(&[vec!["12"], vec![], vec!["12"]])),
            BundleError::Malformed("an alias repeats a product id or another alias"),
        );
        // A numeric alias that spells a product id, given as text or as numbers.
        let mut numbered = aliased(&[vec![], vec!["7"], vec![]]);
        numbered.product_ids = "a\n7\nc".into();
        check_rejected(
            &format::encode(&numbered),
            BundleError::Malformed("an alias repeats a product id or another alias"),
        );
        numbered.product_ids = String::new();
        numbered.product_id_numbers = pack_id_numbers(&["5", "6", "7"]).unwrap();
        check_rejected(
            &format::encode(&numbered),
            BundleError::Malformed("an alias repeats a product id or another alias"),
        );
        numbered.product_id_numbers = pack_id_numbers(&["5", "6", "8"]).unwrap();
        let model = Model::from_bytes(&format::encode(&numbered)).unwrap();
        assert_eq!(model.index_of("7"), Some(1));
        assert_eq!(model.index_of("8"), Some(2));
        assert_eq!(model.index_of("07"), None);
        let mut wire = aliased(&[vec!["x"], vec!["y"], vec![]]);
        wire.alias_counts = vec![1, 0, 5, 0, 0, 0];
        check_rejected(
            &format::encode(&wire),
            BundleError::Malformed("more aliases counted than given"),
        );
        wire.alias_counts = vec![1, 0, 0, 0, 0, 0];
        check_rejected(
            &format::encode(&wire),
            BundleError::Malformed("alias counts do not match the aliases"),
        );
        wire.alias_counts = vec![1, 0, 1, 0, 0, 0, 0];
        check_rejected(
            &format::encode(&wire),
            BundleError::Malformed("alias counts do not match the aliases"),
        );
        wire.alias_counts = vec![1, 0x80];
        check_rejected(
            &format::encode(&wire),
            BundleError::Malformed("a packed number list ends early"),
        );
        // Numbers: one cut inside its varint, one counted but missing, a gap past u64::MAX.
        let mut wire = aliased(&[vec!["44001", "44002"], vec![], vec![]]);
        let gap = wire.alias_numbers.pop().unwrap();
        wire.alias_numbers.push(0x80);
        check_rejected(
            &format::encode(&wire),
            BundleError::Malformed("a packed number list ends early"),
        );
        wire.alias_numbers.pop();
        wire.alias_numbers.push(gap);
        wire.alias_counts[1] = 3;
        check_rejected(
            &format::encode(&wire),
            BundleError::Malformed("a packed number list ends early"),
        );
        wire.alias_counts[1] = 2;
        wire.alias_numbers = vec![1, 5]; // u64::MAX (0 minus 1, wrapping), then 5 past it

        check_rejected(
            &format::encode(&wire),
            BundleError::Malformed("an alias number overflows"),
        );
    }
}
