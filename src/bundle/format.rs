//! The bundle's bytes on the wire: a fixed header (magic, format version, payload length,
//! CRC-32) followed by a postcard-encoded [`BundleWire`]. Bulk per-product arrays are packed
//! byte strings, never element-by-element sequences, so decoding them is a copy.
//!
//! Layout, all integers little-endian:
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0 | 8 | magic `AISLEBDL` |
//! | 8 | 2 | format version ([`FORMAT_VERSION`]) |
//! | 10 | 2 | reserved, zero |
//! | 12 | 4 | payload length in bytes |
//! | 16 | 4 | CRC-32 (IEEE) of the payload |
//! | 20 | n | payload: postcard [`BundleWire`], whose first field is the model version |
//!
//! The payload is written with the `postcard` crate and read with
//! [`crate::postcard_reader`] (smaller in the wasm; the tests hold the two to each other).
#![forbid(unsafe_code)]

use alloc::string::String;
use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

use super::BundleError;
use crate::abandon::AbandonModelWire;
use crate::postcard_reader::{Malformed, Reader};

/// The first eight bytes of every bundle.
pub const MAGIC: [u8; 8] = *b"AISLEBDL";
/// The bundle format this build reads and writes.
/// Version 2 added colour and size indices, id aliases, the count of trained sessions and the
/// colour and size weights. Version 3 packs numeric aliases as numbers (`alias_numbers`) and
/// brands, colours and size ranges as category-local indices. Any other version is refused
/// (the manifest names a new bundle whenever `aisle build` runs, so a page never meets an old
/// one with a new core for long).
pub const FORMAT_VERSION: u16 = 3;
/// Bytes before the payload.
pub const HEADER_LEN: usize = 20;
/// A bundle larger than this is refused before decoding (64 MiB).
pub const MAX_PAYLOAD_LEN: usize = 64 << 20;

/// The decoded payload. Only this struct and [`crate::abandon::AbandonModelWire`] are
/// serialized; the in-memory [`super::Model`] is built from it by hand.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BundleWire {
    /// Free-form model version chosen by `aisle build` (shown in debug views and exposures).
    pub model_version: String,
    /// When the bundle was built, ms since the Unix epoch (taken from the newest event, so the
    /// same input gives the same bytes).
    pub built_at_ms: u64,
    /// Sessions the model learned from; 0 for a catalog-only bundle (built without events:
    /// no popularity, neighbours from catalog similarity, default weights).
    pub trained_sessions: u64,
    /// Product ids in bundle order, joined with `\n`; empty when `product_id_numbers` holds
    /// them.
    pub product_ids: String,
    /// When every id is a plain decimal number (no sign, no leading zero, fits in u64): per
    /// product, a zigzag varint of the wrapping difference from the previous product's number
    /// (from 0 for the first). Shops' numeric ids take half the bytes this way.
    #[serde(with = "serde_bytes")]
    pub product_id_numbers: Vec<u8>,
    /// Every other id a product goes by (handle, SKUs) that is not a plain decimal number,
    /// joined with `\n`, grouped by product in bundle order. No alias equals a product id or
    /// another alias.
    pub alias_ids: String,
    /// The aliases that are plain decimal numbers (Shopify product and variant ids, WooCommerce
    /// post ids), grouped by product in bundle order, each product's in ascending order: its
    /// first as a zigzag varint of the wrapping difference from the previous product's first
    /// (from 0), each next one as a varint of its gap from the one before minus one. Variant
    /// ids are consecutive-ish, so most take one byte, where their text took 15.
    #[serde(with = "serde_bytes")]
    pub alias_numbers: Vec<u8>,
    /// Per product, two varints: how many of `alias_ids`, then how many of `alias_numbers`
    /// are its own.
    #[serde(with = "serde_bytes")]
    pub alias_counts: Vec<u8>,
    /// Category names; products refer to them by index.
    pub category_names: Vec<String>,
    /// Per product, its category index as u16, byte planes (all low bytes, then all high
    /// bytes: the high plane is nearly constant and compresses to almost nothing).
    #[serde(with = "serde_bytes")]
    pub product_category: Vec<u8>,
    /// Brand names; products refer to them by index.
    pub brand_names: Vec<String>,
    /// Per product, its brand as a category-local index (see [`crate::bundle::pack_attribute`]):
    /// first, per category, a varint count and that many brand indices, ascending, as varint
    /// gaps (the first from -1); then per product a varint, 0 for no brand, `k` for the
    /// `k`-th brand of its category's list. A category sells few brands, so the local index
    /// takes a few bits where a global one took two bytes. Empty when no product has one.
    #[serde(with = "serde_bytes")]
    pub product_brand: Vec<u8>,
    /// Colour names; products refer to them by index.
    pub color_names: Vec<String>,
    /// Per product, the index of its first listed colour, category-local like
    /// `product_brand`; empty when no product has a colour.
    #[serde(with = "serde_bytes")]
    pub product_color: Vec<u8>,
    /// Size ranges (a product's sizes joined with `|`, e.g. `S|M|L` or `38|39|40`): products
    /// with the same range share the size system a shopper shops in.
    pub size_names: Vec<String>,
    /// Per product, its size range index, category-local like `product_brand`; empty when no
    /// product has a size.
    #[serde(with = "serde_bytes")]
    pub product_size: Vec<u8>,
    /// Per product, time-decayed popularity quantized to 0..=255 (log scale).
    #[serde(with = "serde_bytes")]
    pub popularity: Vec<u8>,
    /// Per product, price band within its category: 0 unknown, 1..=255 cheapest to dearest.
    #[serde(with = "serde_bytes")]
    pub price_band: Vec<u8>,
    /// Per product: a varint neighbour count, then its neighbours in ascending index order:
    /// the first as a zigzag varint of its difference from the product's own index, each next
    /// one as a varint of its gap from the previous neighbour minus one. Products are laid
    /// out so neighbours sit close: the numbers are small.
    #[serde(with = "serde_bytes")]
    pub neighbours: Vec<u8>,
    /// One weight level per neighbour, in the order of `neighbours`, packed
    /// `neighbour_weight_bits` bits each, least significant bits first. Level `l` of
    /// `L = 2^bits` levels means weight `2^(-4 (L-1-l) / (L-1))`: 1/16 to 1 on a log scale.
    #[serde(with = "serde_bytes")]
    pub neighbour_weights: Vec<u8>,
    /// Bits per neighbour weight level: 1, 2, 4 or 8.
    pub neighbour_weight_bits: u8,
    /// The scoring function's weights.
    pub weights: ScoringWeights,
    /// The cart-abandon model, when the training data had carts.
    pub abandon: Option<AbandonModelWire>,
}

/// Weights of the scoring function in [`crate::rank`], fitted by `aisle build`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScoringWeights {
    /// Weight of the product's popularity (0..1 after dequantization).
    pub popularity: f32,
    /// Weight of the shopper's affinity for the product's category.
    pub category: f32,
    /// Weight of the shopper's affinity for the product's brand.
    pub brand: f32,
    /// Weight of neighbour votes from recent actions.
    pub neighbour: f32,
    /// Weight of closeness to the price band the shopper looks at.
    pub price: f32,
    /// Weight (usually negative) for products the shopper already viewed in this history.
    pub seen: f32,
    /// Weight of the shopper's affinity for the product's colour.
    pub color: f32,
    /// Weight of the shopper's affinity for the product's size range.
    pub size: f32,
    /// Half-life of an action's influence, counted in actions (the newest counts 1).
    pub recency_half_life: f32,
    /// Strength of each action kind, in the order view, click, add, remove, purchase, category.
    pub action_strength: [f32; 6],
}

impl Default for ScoringWeights {
    fn default() -> Self {
        ScoringWeights {
            popularity: 0.2,
            category: 1.0,
            brand: 0.3,
            neighbour: 1.0,
            price: 0.2,
            seen: 0.0,
            color: 0.3,
            size: 0.2,
            recency_half_life: 5.0,
            action_strength: [1.0, 1.5, 3.0, -1.0, 0.5, 0.7],
        }
    }
}

/// Writes header and payload for `wire`.
pub fn encode(wire: &BundleWire) -> Vec<u8> {
    let payload = postcard::to_allocvec(wire).expect("postcard encoding into a Vec cannot fail");
    let mut bytes = Vec::with_capacity(HEADER_LEN + payload.len());
    bytes.extend_from_slice(&MAGIC);
    bytes.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    bytes.extend_from_slice(&[0, 0]);
    bytes.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    bytes.extend_from_slice(&super::crc32::crc32(&payload).to_le_bytes());
    bytes.extend_from_slice(&payload);
    bytes
}

/// Checks the header and the checksum, then decodes the payload. Never panics.
pub fn decode(bytes: &[u8]) -> Result<BundleWire, BundleError> {
    if bytes.len() < HEADER_LEN {
        return Err(BundleError::TooShort { len: bytes.len() });
    }
    if bytes[..8] != MAGIC {
        return Err(BundleError::BadMagic);
    }
    let version = u16::from_le_bytes([bytes[8], bytes[9]]);
    if version != FORMAT_VERSION {
        return Err(BundleError::UnsupportedVersion {
            found: version,
            supported: FORMAT_VERSION,
        });
    }
    let declared = u32::from_le_bytes([bytes[12], bytes[13], bytes[14], bytes[15]]) as usize;
    let payload = &bytes[HEADER_LEN..];
    if declared > MAX_PAYLOAD_LEN || declared != payload.len() {
        return Err(BundleError::LengthMismatch {
            declared,
            actual: payload.len(),
        });
    }
    let expected = u32::from_le_bytes([bytes[16], bytes[17], bytes[18], bytes[19]]);
    let actual = super::crc32::crc32(payload);
    if expected != actual {
        return Err(BundleError::ChecksumMismatch { expected, actual });
    }
    decode_payload(payload)
}

/// Reads the postcard payload (everything after the header), which must be used up.
pub fn decode_payload(payload: &[u8]) -> Result<BundleWire, BundleError> {
    let mut reader = Reader::new(payload);
    let wire = read_wire(&mut reader);
    match reader.finish(wire) {
        Err(Malformed) => Err(BundleError::Malformed("payload does not decode")),
        Ok((_, false)) => Err(BundleError::Malformed("trailing bytes after the payload")),
        Ok((wire, true)) => Ok(wire),
    }
}

/// [`BundleWire`] as postcard lays it out: the fields in declaration order (a struct
/// literal's fields are evaluated in source order). No `?`: the reader's first failure sticks
/// ([`Reader::finish`]), so there is no clean-up path per field.
fn read_wire(r: &mut Reader) -> BundleWire {
    BundleWire {
        model_version: r.string(),
        built_at_ms: r.u64(),
        trained_sessions: r.u64(),
        product_ids: r.string(),
        product_id_numbers: r.bytes(),
        alias_ids: r.string(),
        alias_numbers: r.bytes(),
        alias_counts: r.bytes(),
        category_names: r.seq(Reader::string),
        product_category: r.bytes(),
        brand_names: r.seq(Reader::string),
        product_brand: r.bytes(),
        color_names: r.seq(Reader::string),
        product_color: r.bytes(),
        size_names: r.seq(Reader::string),
        product_size: r.bytes(),
        popularity: r.bytes(),
        price_band: r.bytes(),
        neighbours: r.bytes(),
        neighbour_weights: r.bytes(),
        neighbour_weight_bits: r.byte(),
        weights: read_weights(r),
        abandon: r.option(read_abandon),
    }
}

fn read_weights(r: &mut Reader) -> ScoringWeights {
    ScoringWeights {
        popularity: r.f32(),
        category: r.f32(),
        brand: r.f32(),
        neighbour: r.f32(),
        price: r.f32(),
        seen: r.f32(),
        color: r.f32(),
        size: r.f32(),
        recency_half_life: r.f32(),
        action_strength: [r.f32(), r.f32(), r.f32(), r.f32(), r.f32(), r.f32()],
    }
}

fn read_abandon(r: &mut Reader) -> AbandonModelWire {
    AbandonModelWire {
        feature_names: r.seq(Reader::string),
        means: r.seq(Reader::f32),
        scales: r.seq(Reader::f32),
        coefficients: r.seq(Reader::f32),
        intercept: r.f32(),
        calibration_slope: r.f32(),
        calibration_intercept: r.f32(),
        base_rate: r.f32(),
        default_nudge_delay_ms: r.u64(),
    }
}

/// Appends `value` as an unsigned LEB128 varint.
pub fn put_varint(out: &mut Vec<u8>, mut value: u64) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// Reads an unsigned LEB128 varint at `*pos`, advancing it.
pub fn take_varint(bytes: &[u8], pos: &mut usize) -> Result<u64, BundleError> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let byte = *bytes
            .get(*pos)
            .ok_or(BundleError::Malformed("a packed number list ends early"))?;
        *pos += 1;
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Ok(value);
        }
    }
    Err(BundleError::Malformed("varint longer than 64 bits"))
}

/// Zigzag-encodes a signed difference.
pub fn zigzag(value: i64) -> u64 {
    ((value << 1) ^ (value >> 63)) as u64
}

/// Undoes [`zigzag`].
pub fn unzigzag(value: u64) -> i64 {
    ((value >> 1) as i64) ^ -((value & 1) as i64)
}
