//! Product-to-product neighbours learned from sessions.
//!
//! Four kinds of evidence, each weighted by the session's recency (halved every
//! `half_life_days` before the newest event):
//! - **co-view**: two products interacted with in the same session, at most `window` steps
//!   apart, closer pairs counting more (both directions);
//! - **sequential rule**: `b` comes right after `a` (a → b only), the classic
//!   sequential-rules recommender;
//! - **co-cart**: both products added to the cart or bought in the same session;
//! - **view-then-buy**: `a` viewed, later `b` added or bought in the same session (a → b).
//!
//! Scores are normalised like item-kNN cosine, by the square root of both products'
//! (recency-weighted) session counts, so that popular products do not neighbour everything;
//! popularity has its own signal. Each product keeps its `per_product` strongest neighbours.
use std::collections::BTreeMap;

use aisle::history::ActionKind;

use super::layout::Catalog;
use crate::event_log::{Session, SessionSource};

/// The default [`NeighbourConfig::min_relative_weight`]: the smallest weight a bundle level
/// expresses (1/16), so nothing is rounded up.
pub const MIN_RELATIVE_WEIGHT: f32 = 1.0 / 16.0;

/// Neighbours kept per product unless asked otherwise. On the generated 10k shop, whose
/// products have about 8 real neighbours, 8 rerank grids as well as 20 (6 lose); on both
/// public datasets grid figures stay within their intervals; they take under half the bytes
/// (`docs/performance.md`, "Bundle bytes").
pub const DEFAULT_NEIGHBOURS: usize = 8;

/// How neighbours are learned.
#[derive(Clone, Debug, PartialEq)]
pub struct NeighbourConfig {
    /// Neighbours kept per product.
    pub per_product: usize,
    /// Most steps between two co-viewed products.
    pub window: usize,
    /// Weight of co-view evidence.
    pub co_view: f64,
    /// Weight of sequential-rule evidence.
    pub sequential: f64,
    /// Weight of co-cart evidence.
    pub co_cart: f64,
    /// Weight of view-then-buy evidence.
    pub view_then_buy: f64,
    /// Half-life of a session's evidence, in days before the newest event.
    pub half_life_days: f64,
    /// Neighbours weaker than this share of the product's strongest neighbour are dropped:
    /// they are mostly one-off coincidences, and cost as many bytes as strong ones.
    pub min_relative_weight: f32,
    /// Sessions longer than this (in distinct consecutive products) are cut to their last
    /// products: very long sessions are usually crawlers and would dominate.
    pub max_session_len: usize,
}

impl Default for NeighbourConfig {
    fn default() -> Self {
        NeighbourConfig {
            per_product: DEFAULT_NEIGHBOURS,
            window: 5,
            co_view: 1.0,
            sequential: 1.0,
            co_cart: 2.0,
            view_then_buy: 2.0,
            half_life_days: 30.0,
            max_session_len: 100,
            min_relative_weight: MIN_RELATIVE_WEIGHT,
        }
    }
}

/// One session reduced to catalog indices, consecutive repeats of a product merged.
struct Steps {
    products: Vec<u32>,
    /// True where the step includes an add to cart or a purchase.
    bought: Vec<bool>,
}

fn steps(catalog: &Catalog, session: &Session, max_len: usize) -> Steps {
    let mut steps = Steps {
        products: Vec::new(),
        bought: Vec::new(),
    };
    for action in &session.interactions {
        if action.kind == ActionKind::CategoryView || action.kind == ActionKind::RemoveFromCart {
            continue;
        }
        let Some(&product) = catalog.index_by_id.get(action.id.as_str()) else {
            continue;
        };
        let bought = matches!(action.kind, ActionKind::AddToCart | ActionKind::Purchase);
        if steps.products.last() == Some(&product) {
            *steps.bought.last_mut().expect("same length") |= bought;
        } else {
            steps.products.push(product);
            steps.bought.push(bought);
        }
    }
    if steps.products.len() > max_len {
        let cut = steps.products.len() - max_len;
        steps.products.drain(..cut);
        steps.bought.drain(..cut);
    }
    steps
}

/// Per product (catalog order), its neighbours (catalog indices) with weights in 0..=1,
/// strongest first, ties by index.
pub fn learn(
    catalog: &Catalog,
    sessions: &dyn SessionSource,
    now_ms: u64,
    config: &NeighbourConfig,
) -> anyhow::Result<Vec<Vec<(u32, f32)>>> {
    let half_life_ms = (config.half_life_days.max(1e-3) * 86_400_000.0).max(1.0);
    let mut scores: Vec<BTreeMap<u32, f64>> = vec![BTreeMap::new(); catalog.len()];
    let mut occurrences = vec![0.0f64; catalog.len()];
    sessions.for_each(&mut |session| {
        let steps = steps(catalog, session, config.max_session_len.max(2));
        if steps.products.is_empty() {
            return;
        }
        let end = session.interactions.last().map_or(0, |i| i.ts);
        let recency = 0.5f64.powf(now_ms.saturating_sub(end) as f64 / half_life_ms);
        let mut distinct: Vec<u32> = steps.products.clone();
        distinct.sort_unstable();
        distinct.dedup();
        for &product in &distinct {
            occurrences[product as usize] += recency;
        }
        let mut add = |a: u32, b: u32, w: f64| {
            if a != b && w > 0.0 {
                *scores[a as usize].entry(b).or_insert(0.0) += w * recency;
            }
        };
        let n = steps.products.len();
        for i in 0..n {
            let a = steps.products[i];
            for j in i + 1..n.min(i + 1 + config.window) {
                let b = steps.products[j];
                let closeness = 1.0 / (j - i) as f64;
                add(a, b, config.co_view * closeness);
                add(b, a, config.co_view * closeness);
                if j == i + 1 {
                    add(a, b, config.sequential);
                }
            }
            for j in i + 1..n {
                if steps.bought[j] {
                    add(a, steps.products[j], config.view_then_buy);
                }
            }
        }
        let carted: Vec<u32> = (0..n)
            .filter(|&i| steps.bought[i])
            .map(|i| steps.products[i])
            .collect();
        for &a in &carted {
            for &b in &carted {
                add(a, b, config.co_cart);
            }
        }
    })?;
    Ok(scores
        .into_iter()
        .enumerate()
        .map(|(a, row)| {
            let mut list: Vec<(u32, f64)> = row
                .into_iter()
                .map(|(b, score)| {
                    (
                        b,
                        score / (occurrences[a] * occurrences[b as usize]).sqrt().max(1e-9),
                    )
                })
                .collect();
            list.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
            list.truncate(config.per_product);
            let max = list.first().map_or(1.0, |x| x.1).max(1e-12);
            list.into_iter()
                .map(|(b, score)| (b, (score / max) as f32))
                .filter(|&(_, weight)| weight >= config.min_relative_weight)
                .collect()
        })
        .collect())
}
