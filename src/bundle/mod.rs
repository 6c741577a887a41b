//! The model bundle: untrusted bytes fetched from the merchant's CDN, checked and decoded
//! into the in-memory [`Model`] that ranking and abandon scoring read.
//!
//! `format` owns the wire layout; this module validates every index before building the
//! model, so the rest of the core can index arrays without checks that could panic.
#![forbid(unsafe_code)]

pub mod format;

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use std::collections::HashMap;

pub use format::{BundleWire, ScoringWeights, FORMAT_VERSION, MAGIC};

use crate::abandon::AbandonModel;

/// Brand index meaning "no brand".
pub const NO_BRAND: u16 = u16::MAX;

/// Why a bundle was refused. Every malformed input ends here; decoding never panics.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BundleError {
    /// Fewer bytes than the header needs.
    #[error("bundle is {len} bytes, shorter than its header")]
    TooShort { len: usize },
    /// The first bytes are not the aisle magic.
    #[error("bundle does not start with the aisle magic bytes")]
    BadMagic,
    /// Written by another format version.
    #[error("bundle format version {found} is not supported (this build reads {supported})")]
    UnsupportedVersion { found: u16, supported: u16 },
    /// The payload length in the header does not match the bytes received (truncated download).
    #[error("bundle payload should be {declared} bytes but {actual} arrived")]
    LengthMismatch { declared: usize, actual: usize },
    /// The payload's CRC-32 does not match the header.
    #[error("bundle checksum {actual:#010x} does not match the header's {expected:#010x}")]
    ChecksumMismatch { expected: u32, actual: u32 },
    /// The payload decoded but its contents contradict each other.
    #[error("bundle is malformed: {0}")]
    Malformed(&'static str),
}

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
    product_ids: Vec<String>,
    index_by_id: HashMap<String, u32>,
    category_names: Vec<String>,
    product_category: Vec<u16>,
    brand_names: Vec<String>,
    product_brand: Vec<u16>,
    popularity: Vec<u8>,
    price_band: Vec<u8>,
    neighbour_start: Vec<u32>,
    neighbour_index: Vec<u32>,
    neighbour_weight: Vec<u8>,
}

impl Model {
    /// Checks and decodes bundle bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Model, BundleError> {
        Model::from_wire(format::decode(bytes)?)
    }

    /// Validates a decoded payload and builds the in-memory model.
    pub fn from_wire(wire: BundleWire) -> Result<Model, BundleError> {
        let product_ids: Vec<String> =
            if wire.product_ids.is_empty() { Vec::new() } else { wire.product_ids.split('\n').map(String::from).collect() };
        let count = product_ids.len();
        if count > u32::MAX as usize / 2 {
            return Err(BundleError::Malformed("too many products"));
        }
        let mut index_by_id = HashMap::with_capacity(count);
        for (index, id) in product_ids.iter().enumerate() {
            if index_by_id.insert(id.clone(), index as u32).is_some() {
                return Err(BundleError::Malformed("duplicate product id"));
            }
        }
        let product_category = unpack_u16(&wire.product_category, count, "category array has the wrong length")?;
        if product_category.iter().any(|&c| usize::from(c) >= wire.category_names.len()) {
            return Err(BundleError::Malformed("category index out of range"));
        }
        let product_brand = unpack_u16(&wire.product_brand, count, "brand array has the wrong length")?;
        if product_brand.iter().any(|&b| b != NO_BRAND && usize::from(b) >= wire.brand_names.len()) {
            return Err(BundleError::Malformed("brand index out of range"));
        }
        if wire.popularity.len() != count || wire.price_band.len() != count {
            return Err(BundleError::Malformed("popularity or price array has the wrong length"));
        }
        let (neighbour_start, neighbour_index) = unpack_neighbours(&wire.neighbours, count)?;
        if neighbour_index.len() != wire.neighbour_weights.len() {
            return Err(BundleError::Malformed("neighbour weights do not match neighbours"));
        }
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
            product_ids,
            index_by_id,
            category_names: wire.category_names,
            product_category,
            brand_names: wire.brand_names,
            product_brand,
            popularity: wire.popularity,
            price_band: wire.price_band,
            neighbour_start,
            neighbour_index,
            neighbour_weight: wire.neighbour_weights,
        })
    }

    /// Number of products.
    pub fn len(&self) -> usize {
        self.product_ids.len()
    }

    /// True for a bundle without products.
    pub fn is_empty(&self) -> bool {
        self.product_ids.is_empty()
    }

    /// The bundle index of a product id.
    pub fn index_of(&self, id: &str) -> Option<u32> {
        self.index_by_id.get(id).copied()
    }

    /// The id of the product at `index`.
    pub fn product_id(&self, index: u32) -> &str {
        &self.product_ids[index as usize]
    }

    /// Category index of a product.
    pub fn category(&self, index: u32) -> u16 {
        self.product_category[index as usize]
    }

    /// Category index by name.
    pub fn category_by_name(&self, name: &str) -> Option<u16> {
        self.category_names.iter().position(|c| c == name).map(|i| i as u16)
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

    /// Popularity of a product in 0..=1.
    pub fn popularity(&self, index: u32) -> f32 {
        f32::from(self.popularity[index as usize]) / 255.0
    }

    /// Price band of a product within its category (0: unknown).
    pub fn price_band(&self, index: u32) -> u8 {
        self.price_band[index as usize]
    }

    /// Neighbours of a product with weights in 0..=1, strongest first as built.
    pub fn neighbours(&self, index: u32) -> impl Iterator<Item = (u32, f32)> + '_ {
        let start = self.neighbour_start[index as usize] as usize;
        let end = self.neighbour_start[index as usize + 1] as usize;
        self.neighbour_index[start..end]
            .iter()
            .zip(&self.neighbour_weight[start..end])
            .map(|(&n, &w)| (n, f32::from(w) / 255.0))
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
    [w.popularity, w.category, w.brand, w.neighbour, w.price, w.seen, w.recency_half_life]
        .iter()
        .chain(w.action_strength.iter())
        .all(|v| v.is_finite())
}

/// Packs u16 values little-endian.
pub fn pack_u16(values: &[u16]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

fn unpack_u16(bytes: &[u8], count: usize, error: &'static str) -> Result<Vec<u16>, BundleError> {
    if bytes.len() != count * 2 {
        return Err(BundleError::Malformed(error));
    }
    Ok(bytes.chunks_exact(2).map(|pair| u16::from_le_bytes([pair[0], pair[1]])).collect())
}

/// Packs per-product neighbour lists (index, quantized weight) into the wire's two byte
/// strings. Lists keep their order; indices are delta-coded against the previous one.
pub fn pack_neighbours(lists: &[Vec<(u32, u8)>]) -> (Vec<u8>, Vec<u8>) {
    let mut indices = Vec::new();
    let mut weights = Vec::new();
    for (own, list) in lists.iter().enumerate() {
        format::put_varint(&mut indices, list.len() as u64);
        let mut previous = own as i64;
        for &(neighbour, weight) in list {
            format::put_varint(&mut indices, format::zigzag(i64::from(neighbour) - previous));
            previous = i64::from(neighbour);
            weights.push(weight.max(1));
        }
    }
    (indices, weights)
}

fn unpack_neighbours(bytes: &[u8], count: usize) -> Result<(Vec<u32>, Vec<u32>), BundleError> {
    let mut starts = Vec::with_capacity(count + 1);
    let mut indices = Vec::new();
    let mut pos = 0;
    starts.push(0);
    for own in 0..count {
        let n = format::take_varint(bytes, &mut pos)?;
        if n > count as u64 {
            return Err(BundleError::Malformed("neighbour count larger than the catalog"));
        }
        let mut previous = own as i64;
        for _ in 0..n {
            let delta = format::unzigzag(format::take_varint(bytes, &mut pos)?);
            let neighbour = previous.checked_add(delta).ok_or(BundleError::Malformed("neighbour index overflows"))?;
            if neighbour < 0 || neighbour >= count as i64 {
                return Err(BundleError::Malformed("neighbour index out of range"));
            }
            indices.push(neighbour as u32);
            previous = neighbour;
        }
        starts.push(indices.len() as u32);
    }
    if pos != bytes.len() {
        return Err(BundleError::Malformed("trailing bytes after the neighbour lists"));
    }
    Ok((starts, indices))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A three-product bundle: shoes (a, b) and hats (c); a and b are neighbours.
    pub(crate) fn tiny_wire() -> BundleWire {
        let (neighbours, neighbour_weights) = pack_neighbours(&[vec![(1, 200)], vec![(0, 200)], vec![]]);
        BundleWire {
            model_version: "test-1".into(),
            built_at_ms: 1,
            product_ids: "a\nb\nc".into(),
            category_names: vec!["shoes".into(), "hats".into()],
            product_category: pack_u16(&[0, 0, 1]),
            brand_names: vec!["acme".into()],
            product_brand: pack_u16(&[0, NO_BRAND, 0]),
            popularity: vec![10, 20, 255],
            price_band: vec![1, 2, 0],
            neighbours,
            neighbour_weights,
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
        assert_eq!(model.neighbours(0).map(|(n, _)| n).collect::<Vec<_>>(), [1]);
        assert_eq!(model.brand(1), NO_BRAND);
    }

    fn check_rejected(bytes: &[u8], expected: BundleError) {
        assert_eq!(Model::from_bytes(bytes).err(), Some(expected));
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
        check_rejected(&wrong_version, BundleError::UnsupportedVersion { found: 9, supported: FORMAT_VERSION });
        let truncated = &good[..good.len() - 3];
        check_rejected(truncated, BundleError::LengthMismatch { declared: good.len() - 20, actual: good.len() - 23 });
        let mut flipped = good.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 0xff;
        assert!(matches!(Model::from_bytes(&flipped), Err(BundleError::ChecksumMismatch { .. })));
    }

    #[test]
    fn inconsistent_payloads_are_rejected() {
        let mut wire = tiny_wire();
        wire.product_category = pack_u16(&[0, 0, 7]);
        check_rejected(&format::encode(&wire), BundleError::Malformed("category index out of range"));
        let mut wire = tiny_wire();
        wire.product_ids = "a\na\nc".into();
        check_rejected(&format::encode(&wire), BundleError::Malformed("duplicate product id"));
        let mut wire = tiny_wire();
        wire.neighbours = pack_neighbours(&[vec![(9, 1)], vec![], vec![]]).0;
        check_rejected(&format::encode(&wire), BundleError::Malformed("neighbour index out of range"));
        let mut wire = tiny_wire();
        wire.weights.category = f32::NAN;
        check_rejected(&format::encode(&wire), BundleError::Malformed("scoring weights are not finite"));
    }
}
