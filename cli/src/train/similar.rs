//! Neighbours from the catalog alone, for a bundle built without events (day one): products
//! of the same category that share the brand, the colour, the size range or the price band.
//!
//! A pair scores 1 for the same brand, 1 for the same colour, 0.5 for the same size range,
//! and 1 for the same price band (0.5 one band apart); the weight is the score over the
//! highest possible (3.5), so a product that shares everything weighs 1 and one that only
//! sits in a nearby price band 1/7. Each product keeps its `per_product` best, ties going to
//! the product closer in catalog order (shops list similar products together), then to the
//! earlier one.
//!
//! Candidates come from the groups a product is in (same category and brand, colour, size
//! range or price band), at most [`CANDIDATES_PER_GROUP`] from each (the nearest in catalog
//! order), so the work stays linear in the catalog however large a category is.
use std::collections::BTreeMap;

use super::layout::Catalog;

/// Candidates taken from each group a product belongs to.
pub const CANDIDATES_PER_GROUP: usize = 200;
/// Score of a shared brand, colour, size range and price band.
const BRAND: f32 = 1.0;
const COLOR: f32 = 1.0;
const SIZE: f32 = 0.5;
const PRICE_BAND: f32 = 1.0;
const MAX_SCORE: f32 = BRAND + COLOR + SIZE + PRICE_BAND;

/// What two products of one category share, in 0..=1.
pub fn similarity(catalog: &Catalog, price_band: &[u8], a: usize, b: usize) -> f32 {
    let same = |x: Option<u16>, y: Option<u16>| x.is_some() && x == y;
    let mut score = 0.0;
    if same(catalog.brand[a], catalog.brand[b]) {
        score += BRAND;
    }
    if same(catalog.color[a], catalog.color[b]) {
        score += COLOR;
    }
    if same(catalog.size[a], catalog.size[b]) {
        score += SIZE;
    }
    let (band_a, band_b) = (price_band[a], price_band[b]);
    if band_a > 0 && band_b > 0 {
        score += match band_a.abs_diff(band_b) {
            0 => PRICE_BAND,
            1 => PRICE_BAND / 2.0,
            _ => 0.0,
        };
    }
    score / MAX_SCORE
}

/// Per product (catalog order), its most similar products (catalog indices) with weights in
/// 0..=1, strongest first.
pub fn learn(catalog: &Catalog, price_band: &[u8], per_product: usize) -> Vec<Vec<(u32, f32)>> {
    // Group key: (category, attribute kind, value); members in catalog order.
    let mut groups: BTreeMap<(u16, u8, u16), Vec<u32>> = BTreeMap::new();
    for (product, &band) in price_band.iter().enumerate() {
        let category = catalog.category[product];
        let keys = [
            catalog.brand[product].map(|v| (0, v)),
            catalog.color[product].map(|v| (1, v)),
            catalog.size[product].map(|v| (2, v)),
            (band > 0).then_some((3, u16::from(band))),
        ];
        for (kind, value) in keys.into_iter().flatten() {
            groups
                .entry((category, kind, value))
                .or_default()
                .push(product as u32);
        }
    }
    let mut member_groups: Vec<Vec<&Vec<u32>>> = vec![Vec::new(); catalog.len()];
    for members in groups.values() {
        for &product in members {
            member_groups[product as usize].push(members);
        }
    }
    let mut candidates: Vec<u32> = Vec::new();
    (0..catalog.len())
        .map(|product| {
            candidates.clear();
            for members in &member_groups[product] {
                let at = members.partition_point(|&m| (m as usize) < product);
                let from = at.saturating_sub(CANDIDATES_PER_GROUP / 2);
                let to = (from + CANDIDATES_PER_GROUP + 1).min(members.len());
                candidates.extend(&members[from..to]);
            }
            candidates.sort_unstable();
            candidates.dedup();
            let mut list: Vec<(u32, f32)> = candidates
                .iter()
                .filter(|&&c| c as usize != product)
                .map(|&c| (c, similarity(catalog, price_band, product, c as usize)))
                .filter(|&(_, w)| w > 0.0)
                .collect();
            let distance = |c: u32| (c as usize).abs_diff(product);
            list.sort_by(|x, y| {
                y.1.total_cmp(&x.1)
                    .then(distance(x.0).cmp(&distance(y.0)))
                    .then(x.0.cmp(&y.0))
            });
            list.truncate(per_product);
            list
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Product;

    fn product(category: &str, brand: &str, color: &str, price: f64) -> Product {
        Product {
            id: format!("{category}-{brand}-{color}-{price}"),
            category: category.into(),
            brand: (!brand.is_empty()).then(|| brand.into()),
            color: (!color.is_empty()).then(|| color.into()),
            price: Some(price),
            ..Product::default()
        }
    }

    #[test]
    fn neighbours_share_category_and_attributes() {
        let products = [
            product("shoes", "acme", "red", 10.0),
            product("shoes", "acme", "red|blue", 11.0),
            product("shoes", "zenith", "blue", 90.0),
            product("hats", "acme", "red", 10.0),
            product("shoes", "", "", 50.0),
        ];
        let catalog = Catalog::new(&products, &[0.0; 5]);
        let bands = super::super::signals::price_bands(&catalog);
        let lists = learn(&catalog, &bands, 20);
        // Same brand and first colour; price bands 1 and 3 of the shoes, too far apart.
        assert_eq!((bands[0], bands[1]), (1, 3));
        assert_eq!(lists[0], [(1, 2.0 / 3.5)]);
        assert_eq!(lists[3], [], "the hat is alone in its category");
        assert!(
            lists[2].iter().all(|&(n, _)| n != 3),
            "never across categories"
        );
        assert!(lists.iter().flatten().all(|&(_, w)| w > 0.0 && w <= 1.0));
    }
}
