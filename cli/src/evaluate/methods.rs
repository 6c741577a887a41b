//! The rankers compared offline: the bundle as the browser runs it, and the baselines.
//!
//! Every method scores candidate products (catalog indices) for a prefix; higher goes first
//! and ties keep the candidate order, which is the shop's order.
use std::collections::HashMap;

use aisle::bundle::Model;
use aisle::history::{History, HistoryConfig};
use aisle::rank::{score, ShopperContext};

use super::protocol::Shop;
use crate::event_log::{Interaction, Session};
use crate::random::splitmix64;

/// What a method sees of a test session at one target.
pub struct Query<'a> {
    /// All interactions before the target.
    pub prefix: &'a [Interaction],
    /// Catalog indices of the product interactions before the target, oldest first.
    pub products: &'a [u32],
    /// A number unique to the target (seeds the random baseline).
    pub target_number: u64,
}

/// A ranker.
pub trait Method {
    /// Short name for tables.
    fn name(&self) -> &'static str;
    /// Writes one score per candidate into `out`.
    fn scores(&mut self, query: &Query, candidates: &[u32], out: &mut Vec<f32>);
}

/// The shop's own order: every candidate ties.
pub struct ShopOrder;

impl Method for ShopOrder {
    fn name(&self) -> &'static str {
        "shop order"
    }
    fn scores(&mut self, _: &Query, candidates: &[u32], out: &mut Vec<f32>) {
        out.clear();
        out.resize(candidates.len(), 0.0);
    }
}

/// A random order, seeded, different per target.
pub struct Random {
    pub seed: u64,
}

impl Method for Random {
    fn name(&self) -> &'static str {
        "random"
    }
    fn scores(&mut self, query: &Query, candidates: &[u32], out: &mut Vec<f32>) {
        let base = splitmix64(self.seed ^ splitmix64(query.target_number));
        out.clear();
        out.extend(
            candidates
                .iter()
                .map(|&c| (splitmix64(base ^ u64::from(c)) >> 40) as f32),
        );
    }
}

/// Products of the category viewed last come first, in the shop's order.
pub struct LastCategoryFirst<'a> {
    pub shop: &'a Shop<'a>,
}

impl Method for LastCategoryFirst<'_> {
    fn name(&self) -> &'static str {
        "last-viewed category first"
    }
    fn scores(&mut self, query: &Query, candidates: &[u32], out: &mut Vec<f32>) {
        let last = query
            .products
            .last()
            .map(|&p| self.shop.category[p as usize]);
        out.clear();
        out.extend(candidates.iter().map(|&c| {
            if Some(self.shop.category[c as usize]) == last {
                1.0
            } else {
                0.0
            }
        }));
    }
}

/// Which training sessions each product appears in.
pub struct SessionIndex {
    /// Per training session, its distinct products, in order of first appearance.
    pub sessions: Vec<Vec<u32>>,
    /// Per product, the training sessions it appears in (ascending).
    pub sessions_of: Vec<Vec<u32>>,
}

impl SessionIndex {
    pub fn new(shop: &Shop, train: &[Session]) -> SessionIndex {
        let mut sessions = Vec::with_capacity(train.len());
        let mut sessions_of = vec![Vec::new(); shop.products.len()];
        for session in train {
            let mut items: Vec<u32> = Vec::new();
            for p in super::protocol::prefix_products(shop, &session.interactions) {
                if !items.contains(&p) {
                    items.push(p);
                }
            }
            for &p in &items {
                sessions_of[p as usize].push(sessions.len() as u32);
            }
            sessions.push(items);
        }
        SessionIndex {
            sessions,
            sessions_of,
        }
    }
}

/// Item-kNN co-visitation: cosine similarity of session sets with the last product only, at
/// full precision, unlimited neighbours (Hidasi et al.'s item-kNN baseline).
pub struct ItemKnn<'a> {
    pub index: &'a SessionIndex,
    cache: HashMap<u32, HashMap<u32, f32>>,
}

impl<'a> ItemKnn<'a> {
    pub fn new(index: &'a SessionIndex) -> ItemKnn<'a> {
        ItemKnn {
            index,
            cache: HashMap::new(),
        }
    }

    fn similarities(&mut self, item: u32) -> &HashMap<u32, f32> {
        let index = self.index;
        self.cache.entry(item).or_insert_with(|| {
            let mut co: HashMap<u32, f32> = HashMap::new();
            for &s in &index.sessions_of[item as usize] {
                for &other in &index.sessions[s as usize] {
                    if other != item {
                        *co.entry(other).or_insert(0.0) += 1.0;
                    }
                }
            }
            let n_item = index.sessions_of[item as usize].len() as f32;
            for (other, value) in co.iter_mut() {
                *value /= (n_item * index.sessions_of[*other as usize].len() as f32).sqrt();
            }
            co
        })
    }
}

impl Method for ItemKnn<'_> {
    fn name(&self) -> &'static str {
        "item-kNN (last item)"
    }
    fn scores(&mut self, query: &Query, candidates: &[u32], out: &mut Vec<f32>) {
        out.clear();
        let Some(&last) = query.products.last() else {
            out.resize(candidates.len(), 0.0);
            return;
        };
        let similarities = self.similarities(last);
        out.extend(
            candidates
                .iter()
                .map(|c| similarities.get(c).copied().unwrap_or(0.0)),
        );
    }
}

/// V-SKNN (Ludewig & Jannach 2018): the `k` training sessions most similar to the prefix,
/// among the `sample` most recent ones sharing a product with it, with linearly decaying
/// weights on the prefix's positions; a product scores the summed similarity of the
/// neighbour sessions holding it. Needs every training session at hand, so it cannot ship in
/// a bundle: it shows how close the compact model gets.
pub struct Vsknn<'a> {
    pub index: &'a SessionIndex,
    pub k: usize,
    pub sample: usize,
}

impl Method for Vsknn<'_> {
    fn name(&self) -> &'static str {
        "V-SKNN (offline)"
    }
    fn scores(&mut self, query: &Query, candidates: &[u32], out: &mut Vec<f32>) {
        let items = query.products;
        let n = items.len();
        let mut weight_of: HashMap<u32, f32> = HashMap::new();
        for (i, &item) in items.iter().enumerate() {
            // Linear decay: the newest product weighs 1, the oldest 1/n.
            let w = (i + 1) as f32 / n as f32;
            let entry = weight_of.entry(item).or_insert(0.0);
            *entry = entry.max(w);
        }
        let mut related: Vec<u32> = weight_of
            .keys()
            .flat_map(|&item| self.index.sessions_of[item as usize].iter().copied())
            .collect();
        related.sort_unstable();
        related.dedup();
        // Training sessions are in time order, so the highest indices are the most recent.
        let recent = &related[related.len().saturating_sub(self.sample)..];
        let mut similar: Vec<(f32, u32)> = recent
            .iter()
            .map(|&s| {
                let session = &self.index.sessions[s as usize];
                let dot: f32 = session.iter().filter_map(|i| weight_of.get(i)).sum();
                (
                    dot / ((session.len() as f32).sqrt() * (weight_of.len() as f32).sqrt()),
                    s,
                )
            })
            .collect();
        similar.sort_by(|a, b| b.0.total_cmp(&a.0).then(b.1.cmp(&a.1)));
        similar.truncate(self.k);
        let mut item_score: HashMap<u32, f32> = HashMap::new();
        for (similarity, s) in similar {
            for &item in &self.index.sessions[s as usize] {
                *item_score.entry(item).or_insert(0.0) += similarity;
            }
        }
        out.clear();
        out.extend(
            candidates
                .iter()
                .map(|c| item_score.get(c).copied().unwrap_or(0.0)),
        );
    }
}

/// The bundle, decoded from bytes and run exactly as the browser runs it: the prefix is
/// recorded into a [`History`] (which keeps the newest 20 actions), folded into a
/// [`ShopperContext`], and each candidate scored by [`aisle::rank::score`].
pub struct Bundle<'a> {
    pub model: &'a Model,
    /// Per catalog index, the bundle index.
    pub model_index: Vec<Option<u32>>,
}

impl<'a> Bundle<'a> {
    pub fn new(model: &'a Model, shop: &Shop) -> Bundle<'a> {
        Bundle {
            model,
            model_index: shop
                .products
                .iter()
                .map(|p| model.index_of(&p.id))
                .collect(),
        }
    }

    /// The shopper context after a prefix.
    pub fn context(&self, prefix: &[Interaction]) -> ShopperContext {
        let mut history =
            History::new(HistoryConfig::default(), prefix.first().map_or(0, |a| a.ts));
        for action in prefix {
            history.record(action.kind, &action.id, 1, None, action.ts);
        }
        ShopperContext::new(self.model, &history)
    }
}

impl Method for Bundle<'_> {
    fn name(&self) -> &'static str {
        "aisle bundle"
    }
    fn scores(&mut self, query: &Query, candidates: &[u32], out: &mut Vec<f32>) {
        let context = self.context(query.prefix);
        out.clear();
        out.extend(
            candidates
                .iter()
                .map(|&c| match self.model_index[c as usize] {
                    Some(index) => score(self.model, &context, index),
                    None => f32::NEG_INFINITY,
                }),
        );
    }
}
