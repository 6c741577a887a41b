//! Training: catalog + sessions → the bundle's wire form.
//!
//! `layout` fixes the bundle order of products, `signals` computes per-product signals
//! (popularity, category, brand, colour, size range, price band), `neighbours` learns
//! product-to-product links from sessions, `similar` finds them in the catalog when there are
//! no sessions (a catalog-only bundle), and `fit` chooses the scoring weights on a
//! validation split. Everything here
//! is deterministic: the same input gives the same bytes (no hash-map iteration order, no
//! clock, no randomness).
pub mod fit;
pub mod layout;
pub mod neighbours;
pub mod signals;
pub mod similar;

use aisle::bundle::{
    pack_aliases, pack_attribute, pack_id_numbers, pack_neighbours, pack_u16, weight_level,
    BundleWire, ScoringWeights, NO_ATTRIBUTE,
};

use crate::catalog::Product;
use crate::event_log::SessionSource;

/// Settings of a training run.
#[derive(Clone, Debug)]
pub struct TrainConfig {
    /// Written into the bundle.
    pub model_version: String,
    /// How neighbours are learned.
    pub neighbours: neighbours::NeighbourConfig,
    /// Half-life of an event's weight in the popularity signal, in days.
    pub popularity_half_life_days: f64,
    /// The scoring weights to write.
    pub weights: ScoringWeights,
    /// Bits per neighbour weight (1, 2, 4 or 8), [`DEFAULT_WEIGHT_BITS`] by default.
    pub neighbour_weight_bits: u8,
}

/// Bits per neighbour weight unless asked otherwise: with the 8 strongest neighbours kept,
/// 1 bit (strong or weak) reranks grids as well as 2 on both public datasets and on the
/// generated shop, at a tenth of the compressed weight bytes; on rees46 the weight fit then
/// favours brands, which costs whole-catalog recall (`docs/performance.md`, "Bundle bytes").
pub const DEFAULT_WEIGHT_BITS: u8 = 1;

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            model_version: "aisle-model-1".into(),
            neighbours: neighbours::NeighbourConfig::default(),
            popularity_half_life_days: 7.0,
            weights: ScoringWeights::default(),
            neighbour_weight_bits: DEFAULT_WEIGHT_BITS,
        }
    }
}

/// Builds the bundle's wire form. `now_ms` is the time the model is built "at": the newest
/// training event, so decay does not depend on the clock.
/// Reads the sessions twice (popularity, then neighbours). When no session touches a catalog
/// product (no events: day one), the bundle is catalog-only: no popularity, and neighbours
/// from catalog similarity ([`similar`]) instead of sessions.
pub fn train(
    products: &[Product],
    sessions: &dyn SessionSource,
    now_ms: u64,
    config: &TrainConfig,
) -> anyhow::Result<BundleWire> {
    let popularity =
        signals::popularity(products, sessions, now_ms, config.popularity_half_life_days)?;
    let indexed = layout::Catalog::new(products, &popularity.per_product);
    let price_band = signals::price_bands(&indexed);
    let lists = if popularity.sessions == 0 {
        similar::learn(&indexed, &price_band, config.neighbours.per_product)
    } else {
        neighbours::learn(&indexed, sessions, now_ms, &config.neighbours)?
    };
    let layout = layout::Layout::new(&indexed, &lists);
    let mut wire = wire(&indexed, &layout, &lists, &price_band, now_ms, config);
    wire.trained_sessions = popularity.sessions;
    Ok(wire)
}

/// Puts the learned pieces into the wire form, in the bundle order of `layout`.
fn wire(
    catalog: &layout::Catalog,
    layout: &layout::Layout,
    lists: &[Vec<(u32, f32)>],
    price_band: &[u8],
    now_ms: u64,
    config: &TrainConfig,
) -> BundleWire {
    let order = &layout.order;
    let product_ids: Vec<&str> = order
        .iter()
        .map(|&p| catalog.products[p as usize].id.as_str())
        .collect();
    let product_category: Vec<u16> = order
        .iter()
        .map(|&p| catalog.category[p as usize])
        .collect();
    // Brands, colours and size ranges as category-local indices (empty when no product has
    // one, see `BundleWire`).
    let local_in_order = |values: &[Option<u16>]| -> Vec<u8> {
        let values: Vec<u16> = order
            .iter()
            .map(|&p| values[p as usize].unwrap_or(NO_ATTRIBUTE))
            .collect();
        pack_attribute(&values, &product_category, catalog.category_names.len())
    };
    let (aliases, _) = crate::resolve::bundle_aliases(catalog.products);
    let alias_lists: Vec<Vec<&str>> = order.iter().map(|&p| aliases[p as usize].clone()).collect();
    let aliases = pack_aliases(&alias_lists);
    let popularity = signals::quantize_popularity(&catalog.popularity);
    let neighbour_lists: Vec<Vec<(u32, u8)>> = order
        .iter()
        .map(|&p| {
            lists[p as usize]
                .iter()
                .map(|&(n, w)| {
                    (
                        layout.position[n as usize],
                        weight_level(w, config.neighbour_weight_bits),
                    )
                })
                .collect()
        })
        .collect();
    let id_numbers = pack_id_numbers(&product_ids);
    let (neighbours, neighbour_weights) =
        pack_neighbours(&neighbour_lists, config.neighbour_weight_bits);
    BundleWire {
        model_version: config.model_version.clone(),
        built_at_ms: now_ms,
        trained_sessions: 0,
        product_ids: if id_numbers.is_some() {
            String::new()
        } else {
            product_ids.join("\n")
        },
        product_id_numbers: id_numbers.unwrap_or_default(),
        alias_ids: aliases.ids,
        alias_numbers: aliases.numbers,
        alias_counts: aliases.counts,
        category_names: catalog.category_names.clone(),
        product_category: pack_u16(&product_category),
        brand_names: catalog.brand_names.clone(),
        product_brand: local_in_order(&catalog.brand),
        color_names: catalog.color_names.clone(),
        product_color: local_in_order(&catalog.color),
        size_names: catalog.size_names.clone(),
        product_size: local_in_order(&catalog.size),
        popularity: order.iter().map(|&p| popularity[p as usize]).collect(),
        price_band: order.iter().map(|&p| price_band[p as usize]).collect(),
        neighbours,
        neighbour_weights,
        neighbour_weight_bits: config.neighbour_weight_bits,
        weights: config.weights.clone(),
        abandon: None,
    }
}
