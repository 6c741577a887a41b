//! The catalog as training sees it (products with category, brand, colour and size range
//! indices), and the bundle order of products.
//!
//! Bundle order groups products by category, since most neighbours share a category, and
//! within a category walks the neighbour graph, so that neighbour indices are close to
//! their product's own index and their deltas take few bits after compression.
use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::catalog::Product;

/// Products with their categorical signals as indices, in catalog order.
pub struct Catalog<'a> {
    /// The products, in catalog order.
    pub products: &'a [Product],
    /// Catalog index by product id.
    pub index_by_id: HashMap<&'a str, u32>,
    /// Category names, sorted.
    pub category_names: Vec<String>,
    /// Per product, its category index.
    pub category: Vec<u16>,
    /// Brand names, sorted.
    pub brand_names: Vec<String>,
    /// Per product, its brand index.
    pub brand: Vec<Option<u16>>,
    /// Colour names, sorted.
    pub color_names: Vec<String>,
    /// Per product, the index of its first listed colour.
    pub color: Vec<Option<u16>>,
    /// Size ranges (all of a product's sizes, `|`-joined), sorted.
    pub size_names: Vec<String>,
    /// Per product, its size range index.
    pub size: Vec<Option<u16>>,
    /// Per product, its time-decayed popularity.
    pub popularity: Vec<f64>,
}

/// Most categories a bundle can hold.
pub const MAX_CATEGORIES: usize = u16::MAX as usize;
/// Most brands (and colours, and size ranges) a bundle can hold (one index is "none").
pub const MAX_BRANDS: usize = u16::MAX as usize - 1;

/// A product's colour as the bundle keeps it: the first listed colour.
pub fn product_color(product: &Product) -> Option<&str> {
    let first = product.color.as_deref()?.split('|').next()?.trim();
    (!first.is_empty()).then_some(first)
}

/// A product's size range as the bundle keeps it: all its sizes, `|`-joined as listed.
pub fn product_size(product: &Product) -> Option<&str> {
    let sizes = product.size.as_deref()?.trim();
    (!sizes.is_empty()).then_some(sizes)
}

/// Sorted distinct values and, per product, the index of its value. Past [`MAX_BRANDS`] the
/// extra values share the last index (callers check the count first).
fn dictionary<'p>(
    values: impl Iterator<Item = Option<&'p str>> + Clone,
) -> (Vec<String>, Vec<Option<u16>>) {
    let names: Vec<String> = values
        .clone()
        .flatten()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .map(String::from)
        .collect();
    let index: BTreeMap<&str, u16> = names
        .iter()
        .enumerate()
        .map(|(i, name)| (name.as_str(), i.min(MAX_BRANDS - 1) as u16))
        .collect();
    let per_product = values.map(|v| v.map(|v| index[v])).collect();
    (names, per_product)
}

impl<'a> Catalog<'a> {
    /// Indexes products. Callers check [`MAX_CATEGORIES`] and [`MAX_BRANDS`] first; past them
    /// the extra names share the last index rather than wrap around.
    pub fn new(products: &'a [Product], popularity: &[f64]) -> Catalog<'a> {
        let category_names: Vec<String> = products
            .iter()
            .map(|p| p.category.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let (brand_names, brand) = dictionary(products.iter().map(|p| p.brand.as_deref()));
        let (color_names, color) = dictionary(products.iter().map(product_color));
        let (size_names, size) = dictionary(products.iter().map(product_size));
        let category_index: BTreeMap<&str, u16> = category_names
            .iter()
            .enumerate()
            .map(|(i, c)| (c.as_str(), i.min(MAX_CATEGORIES - 1) as u16))
            .collect();
        Catalog {
            products,
            index_by_id: products
                .iter()
                .enumerate()
                .map(|(i, p)| (p.id.as_str(), i as u32))
                .collect(),
            category: products
                .iter()
                .map(|p| category_index[p.category.as_str()])
                .collect(),
            brand,
            category_names,
            brand_names,
            color_names,
            color,
            size_names,
            size,
            popularity: popularity.to_vec(),
        }
    }

    /// Number of products.
    pub fn len(&self) -> usize {
        self.products.len()
    }

    /// Whether the catalog has no products.
    pub fn is_empty(&self) -> bool {
        self.products.is_empty()
    }
}

/// The bundle order of products.
pub struct Layout {
    /// `order[bundle index]` = catalog index.
    pub order: Vec<u32>,
    /// `position[catalog index]` = bundle index.
    pub position: Vec<u32>,
}

impl Layout {
    /// Orders products by category; within a category, a greedy walk along the neighbour
    /// graph: from the most popular product not yet placed, step to its strongest unplaced
    /// neighbour, or failing that to the strongest unplaced neighbour of the last few placed
    /// products, until the walk is stuck; then start again from the next most popular. Chains
    /// of similar products (sizes, models of a line) come out in sequence, so a product's
    /// neighbours sit a few places away. Ties fall back to catalog order: deterministic.
    pub fn new(catalog: &Catalog, lists: &[Vec<(u32, f32)>]) -> Layout {
        /// How many recently placed products a stuck walk looks back at.
        const LOOK_BACK: usize = 8;
        let mut by_category: Vec<Vec<u32>> = vec![Vec::new(); catalog.category_names.len()];
        for product in 0..catalog.len() as u32 {
            by_category[usize::from(catalog.category[product as usize])].push(product);
        }
        let mut placed = vec![false; catalog.len()];
        let mut order: Vec<u32> = Vec::with_capacity(catalog.len());
        for mut members in by_category {
            members.sort_by(|&a, &b| {
                catalog.popularity[b as usize]
                    .total_cmp(&catalog.popularity[a as usize])
                    .then(a.cmp(&b))
            });
            let Some(&first) = members.first() else {
                continue;
            };
            let category = catalog.category[first as usize];
            let next_from = |product: u32, placed: &[bool]| {
                lists[product as usize]
                    .iter()
                    .map(|&(n, _)| n)
                    .find(|&n| !placed[n as usize] && catalog.category[n as usize] == category)
            };
            for &seed in &members {
                if placed[seed as usize] {
                    continue;
                }
                let walk_start = order.len();
                let mut current = Some(seed);
                while let Some(product) = current {
                    placed[product as usize] = true;
                    order.push(product);
                    let recent = &order[walk_start.max(order.len().saturating_sub(LOOK_BACK))..];
                    current = recent.iter().rev().find_map(|&p| next_from(p, &placed));
                }
            }
        }
        let mut position = vec![0u32; catalog.len()];
        for (bundle_index, &product) in order.iter().enumerate() {
            position[product as usize] = bundle_index as u32;
        }
        Layout { order, position }
    }
}
