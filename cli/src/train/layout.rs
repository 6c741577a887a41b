//! The catalog as training sees it (products with category and brand indices), and the
//! bundle order of products.
//!
//! Bundle order groups products by category, since most neighbours share a category, and
//! within a category follows the neighbour graph, so that neighbour indices are close to
//! their product's own index and their deltas take one byte or less after compression.
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
    /// Per product, its time-decayed popularity.
    pub popularity: Vec<f64>,
}

/// Most categories a bundle can hold.
pub const MAX_CATEGORIES: usize = u16::MAX as usize;
/// Most brands a bundle can hold (one index is "no brand").
pub const MAX_BRANDS: usize = u16::MAX as usize - 1;

impl<'a> Catalog<'a> {
    /// Indexes products. Callers check [`MAX_CATEGORIES`] and [`MAX_BRANDS`] first; past them
    /// the extra names share the last index rather than wrap around.
    pub fn new(products: &'a [Product], popularity: &[f64]) -> Catalog<'a> {
        let category_names: Vec<String> =
            products.iter().map(|p| p.category.clone()).collect::<BTreeSet<_>>().into_iter().collect();
        let brand_names: Vec<String> =
            products.iter().filter_map(|p| p.brand.clone()).collect::<BTreeSet<_>>().into_iter().collect();
        let category_index: BTreeMap<&str, u16> =
            category_names.iter().enumerate().map(|(i, c)| (c.as_str(), i.min(MAX_CATEGORIES - 1) as u16)).collect();
        let brand_index: BTreeMap<&str, u16> =
            brand_names.iter().enumerate().map(|(i, b)| (b.as_str(), i.min(MAX_BRANDS - 1) as u16)).collect();
        Catalog {
            products,
            index_by_id: products.iter().enumerate().map(|(i, p)| (p.id.as_str(), i as u32)).collect(),
            category: products.iter().map(|p| category_index[p.category.as_str()]).collect(),
            brand: products.iter().map(|p| p.brand.as_deref().map(|b| brand_index[b])).collect(),
            category_names,
            brand_names,
            popularity: popularity.to_vec(),
        }
    }

    /// Number of products.
    pub fn len(&self) -> usize {
        self.products.len()
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
    /// Orders products by category; within a category, a breadth-first walk of the neighbour
    /// graph starting from the most popular product not yet placed, neighbours visited
    /// strongest first. Ties fall back to catalog order, so the result is deterministic.
    pub fn new(catalog: &Catalog, lists: &[Vec<(u32, f32)>]) -> Layout {
        let mut by_category: Vec<Vec<u32>> = vec![Vec::new(); catalog.category_names.len()];
        for product in 0..catalog.len() as u32 {
            by_category[usize::from(catalog.category[product as usize])].push(product);
        }
        let mut placed = vec![false; catalog.len()];
        let mut order = Vec::with_capacity(catalog.len());
        for mut members in by_category {
            members.sort_by(|&a, &b| catalog.popularity[b as usize].total_cmp(&catalog.popularity[a as usize]).then(a.cmp(&b)));
            let category = members.first().map(|&m| catalog.category[m as usize]);
            for &seed in &members {
                if placed[seed as usize] {
                    continue;
                }
                placed[seed as usize] = true;
                let mut queue = std::collections::VecDeque::from([seed]);
                while let Some(product) = queue.pop_front() {
                    order.push(product);
                    for &(neighbour, _) in &lists[product as usize] {
                        if !placed[neighbour as usize] && Some(catalog.category[neighbour as usize]) == category {
                            placed[neighbour as usize] = true;
                            queue.push_back(neighbour);
                        }
                    }
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
