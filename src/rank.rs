//! Reranking a category grid for one shopper: score each product the bundle knows from the
//! shopper's recent actions, then permute the known products among the slots they occupy.
//!
//! Products the bundle does not know keep their slots, so their relative order is the shop's;
//! ties keep the shop's order too, which makes the result stable and deterministic.
#![forbid(unsafe_code)]

use alloc::vec::Vec;

use crate::bundle::{Model, NO_ATTRIBUTE};
use crate::history::{ActionKind, History};

/// What the shopper's history says about their taste, computed once per page. Dense arrays
/// indexed by category, brand, colour, size range and product: faster to read than maps, and
/// less wasm.
#[derive(Clone, Debug, Default)]
pub struct ShopperContext {
    category_affinity: Vec<f32>,
    brand_affinity: Vec<f32>,
    color_affinity: Vec<f32>,
    size_affinity: Vec<f32>,
    neighbour_votes: Vec<f32>,
    price_band_focus: Vec<(f32, f32)>,
    seen: Vec<bool>,
    seen_any: bool,
}

impl ShopperContext {
    /// Folds the history into affinities. Newer actions weigh more (half-life in actions).
    pub fn new(model: &Model, history: &History) -> ShopperContext {
        let weights = &model.weights;
        let mut context = ShopperContext {
            category_affinity: vec![0.0; model.category_count()],
            brand_affinity: vec![0.0; model.brand_count()],
            color_affinity: vec![0.0; model.color_count()],
            size_affinity: vec![0.0; model.size_count()],
            neighbour_votes: vec![0.0; model.len()],
            price_band_focus: vec![(0.0, 0.0); model.category_count()],
            seen: vec![false; model.len()],
            seen_any: false,
        };
        let half_life = weights.recency_half_life.max(0.1);
        for (age, action) in history.actions().rev().enumerate() {
            let recency = 0.5f32.powf(age as f32 / half_life);
            let strength = weights.action_strength[action_slot(action.kind)] * recency;
            if action.kind == ActionKind::CategoryView {
                if let Some(category) = model.category_by_name(&action.id) {
                    context.category_affinity[usize::from(category)] += strength;
                }
                continue;
            }
            let Some(product) = model.index_of(&action.id) else {
                continue;
            };
            context.seen[product as usize] = true;
            context.seen_any = true;
            context.category_affinity[usize::from(model.category(product))] += strength;
            add_affinity(&mut context.brand_affinity, model.brand(product), strength);
            add_affinity(&mut context.color_affinity, model.color(product), strength);
            add_affinity(&mut context.size_affinity, model.size(product), strength);
            let band = model.price_band(product);
            if band > 0 && strength > 0.0 {
                let focus = &mut context.price_band_focus[usize::from(model.category(product))];
                focus.0 += strength * f32::from(band);
                focus.1 += strength;
            }
            for (neighbour, weight) in model.neighbours(product) {
                context.neighbour_votes[neighbour as usize] += strength * weight;
            }
        }
        normalize(&mut context.category_affinity);
        normalize(&mut context.brand_affinity);
        normalize(&mut context.color_affinity);
        normalize(&mut context.size_affinity);
        normalize(&mut context.neighbour_votes);
        context
    }

    /// True when the history taught nothing the bundle can use.
    pub fn is_empty(&self) -> bool {
        !self.seen_any && self.category_affinity.iter().all(|&a| a == 0.0)
    }

    /// The shopper's affinity for a category, in -1..=1.
    pub fn category_affinity(&self, category: u16) -> f32 {
        self.category_affinity
            .get(usize::from(category))
            .copied()
            .unwrap_or(0.0)
    }
}

/// Adds `strength` to the affinity of an attribute value, unless the product has none.
fn add_affinity(affinity: &mut [f32], value: u16, strength: f32) {
    if value != NO_ATTRIBUTE {
        if let Some(slot) = affinity.get_mut(usize::from(value)) {
            *slot += strength;
        }
    }
}

/// The affinity of an attribute value, 0 when the product has none.
fn affinity_of(affinity: &[f32], value: u16) -> f32 {
    affinity.get(usize::from(value)).copied().unwrap_or(0.0)
}

/// Where an action kind's strength sits in [`crate::bundle::ScoringWeights::action_strength`].
pub fn action_slot(kind: ActionKind) -> usize {
    match kind {
        ActionKind::ProductView => 0,
        ActionKind::GridClick => 1,
        ActionKind::AddToCart => 2,
        ActionKind::RemoveFromCart => 3,
        ActionKind::Purchase => 4,
        ActionKind::CategoryView => 5,
    }
}

/// Scales values so the largest magnitude is 1.
fn normalize(values: &mut [f32]) {
    let max = values.iter().fold(0.0f32, |max, v| max.max(v.abs()));
    if max > 0.0 {
        for v in values {
            *v /= max;
        }
    }
}

/// Number of signals [`score`] combines.
pub const FEATURE_COUNT: usize = 8;

/// The signals that [`score`] combines, each in -1..=1, in the order of [`Features::WEIGHTS`].
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Features {
    /// The product's popularity.
    pub popularity: f32,
    /// The shopper's affinity for the product's category.
    pub category: f32,
    /// The shopper's affinity for the product's brand.
    pub brand: f32,
    /// Neighbour votes from the shopper's recent actions.
    pub neighbour: f32,
    /// Closeness to the price band the shopper looks at in this category.
    pub price: f32,
    /// 1 when the shopper already interacted with this product.
    pub seen: f32,
    /// The shopper's affinity for the product's colour.
    pub color: f32,
    /// The shopper's affinity for the product's size range.
    pub size: f32,
}

impl Features {
    /// Names of the features, matching the fields of [`crate::bundle::ScoringWeights`].
    pub const WEIGHTS: [&'static str; FEATURE_COUNT] = [
        "popularity",
        "category",
        "brand",
        "neighbour",
        "price",
        "seen",
        "color",
        "size",
    ];

    /// The features as an array, in the order of [`Features::WEIGHTS`].
    pub fn to_array(self) -> [f32; FEATURE_COUNT] {
        [
            self.popularity,
            self.category,
            self.brand,
            self.neighbour,
            self.price,
            self.seen,
            self.color,
            self.size,
        ]
    }
}

/// The signals of one product for this shopper.
pub fn features(model: &Model, context: &ShopperContext, product: u32) -> Features {
    let category = model.category(product);
    Features {
        popularity: model.popularity(product),
        category: context.category_affinity(category),
        brand: affinity_of(&context.brand_affinity, model.brand(product)),
        color: affinity_of(&context.color_affinity, model.color(product)),
        size: affinity_of(&context.size_affinity, model.size(product)),
        neighbour: context
            .neighbour_votes
            .get(product as usize)
            .copied()
            .unwrap_or(0.0),
        price: price_closeness(
            context.price_band_focus[usize::from(category)],
            model.price_band(product),
        ),
        seen: if context.seen.get(product as usize).copied().unwrap_or(false) {
            1.0
        } else {
            0.0
        },
    }
}

/// The weights of [`score`] as an array, in the order of [`Features::WEIGHTS`].
pub fn weight_array(weights: &crate::bundle::ScoringWeights) -> [f32; FEATURE_COUNT] {
    [
        weights.popularity,
        weights.category,
        weights.brand,
        weights.neighbour,
        weights.price,
        weights.seen,
        weights.color,
        weights.size,
    ]
}

/// The score of one product for this shopper. Higher goes first.
pub fn score(model: &Model, context: &ShopperContext, product: u32) -> f32 {
    let features = features(model, context, product).to_array();
    weight_array(&model.weights)
        .iter()
        .zip(features)
        .map(|(w, f)| w * f)
        .sum()
}

/// 1 when the product sits in the price band the shopper looks at in its category, falling
/// to 0 four bands away; 0 when either is unknown.
fn price_closeness(focus: (f32, f32), band: u8) -> f32 {
    if band == 0 || focus.1 <= 0.0 {
        return 0.0;
    }
    let distance = (f32::from(band) - focus.0 / focus.1).abs();
    (1.0 - distance / 4.0).max(0.0)
}

/// A grid's new order and the scores behind it.
#[derive(Clone, Debug, PartialEq)]
pub struct Ranking {
    /// Per grid item in the shop's order: its score, or `None` when the bundle does not know it.
    pub scores: Vec<Option<f32>>,
    /// The new order: `order[slot]` is the shop-order index of the item to show in `slot`.
    pub order: Vec<usize>,
}

impl Ranking {
    /// True when the new order differs from the shop's.
    pub fn changes_order(&self) -> bool {
        self.order
            .iter()
            .enumerate()
            .any(|(slot, &item)| slot != item)
    }
}

/// Ranks grid items (product ids in the shop's order).
pub fn rank<S: AsRef<str>>(model: &Model, context: &ShopperContext, items: &[S]) -> Ranking {
    let scores: Vec<Option<f32>> = items
        .iter()
        .map(|id| {
            model
                .index_of(id.as_ref())
                .map(|product| score(model, context, product))
        })
        .collect();
    Ranking {
        order: order_by_scores(&scores),
        scores,
    }
}

/// Sorts the scored items among their own slots, best first, ties and unknown items in the
/// shop's order. Non-finite scores count as the lowest.
pub fn order_by_scores(scores: &[Option<f32>]) -> Vec<usize> {
    let known_slots: Vec<usize> = (0..scores.len()).filter(|&i| scores[i].is_some()).collect();
    let mut by_score = known_slots.clone();
    let key = |i: usize| scores[i].filter(|s| s.is_finite()).unwrap_or(f32::MIN);
    // Unstable is fine: the index breaks every tie, so the order is fully determined.
    heap_sort(&mut by_score, |a, b| {
        key(b).total_cmp(&key(a)).then(a.cmp(&b)).is_lt()
    });
    let mut order: Vec<usize> = (0..scores.len()).collect();
    for (slot, item) in known_slots.into_iter().zip(by_score) {
        order[slot] = item;
    }
    order
}

/// Sorts `items` so that `goes_first(a, b)` holds for every earlier `a` and later `b`. A
/// heapsort: O(n log n) like the standard library's sorts, in a few hundred bytes of wasm
/// where `sort_unstable_by` costs 3 KB. Not stable; callers break every tie themselves.
fn heap_sort(items: &mut [usize], goes_first: impl Fn(usize, usize) -> bool) {
    // A heap whose root goes last; each round moves the root to the end of the sorted tail.
    let sift_down = |items: &mut [usize], mut node: usize| loop {
        let mut child = 2 * node + 1;
        if child >= items.len() {
            return;
        }
        if child + 1 < items.len() && goes_first(items[child], items[child + 1]) {
            child += 1;
        }
        if !goes_first(items[node], items[child]) {
            return;
        }
        items.swap(node, child);
        node = child;
    };
    for node in (0..items.len() / 2).rev() {
        sift_down(items, node);
    }
    for end in (1..items.len()).rev() {
        items.swap(0, end);
        sift_down(&mut items[..end], 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bundle::format::encode;
    use crate::bundle::tests::tiny_wire;
    use crate::history::HistoryConfig;

    fn check(scores: &[Option<f32>], expected: &[usize]) {
        assert_eq!(order_by_scores(scores), expected);
    }

    #[test]
    fn known_items_move_unknown_items_keep_their_slots() {
        check(&[Some(1.0), Some(3.0), Some(2.0)], &[1, 2, 0]);
        check(&[Some(1.0), None, Some(3.0)], &[2, 1, 0]);
        check(&[None, Some(1.0), None, Some(2.0), None], &[0, 3, 2, 1, 4]);
        check(&[], &[]);
    }

    #[test]
    fn heap_sort_sorts_every_shape() {
        let mut random = 0x2545_f491_u32;
        for len in [0, 1, 2, 3, 7, 64, 500] {
            let mut items: Vec<usize> = (0..len)
                .map(|_| {
                    random ^= random << 13;
                    random ^= random >> 17;
                    random ^= random << 5;
                    random as usize % 50
                })
                .collect();
            let mut expected = items.clone();
            expected.sort_unstable_by(|a, b| b.cmp(a));
            heap_sort(&mut items, |a, b| a > b);
            assert_eq!(items, expected, "{len} items");
        }
    }

    #[test]
    fn ties_and_nan_keep_the_shop_order() {
        check(&[Some(1.0), Some(1.0), Some(2.0)], &[2, 0, 1]);
        check(
            &[Some(f32::NAN), Some(0.0), Some(f32::INFINITY)],
            &[1, 0, 2],
        );
    }

    #[test]
    fn products_of_the_viewed_category_come_first() {
        let model = Model::from_bytes(&encode(&tiny_wire())).unwrap();
        let mut history = History::new(HistoryConfig::default(), 0);
        let empty = ShopperContext::new(&model, &history);
        // With no history, popularity decides: c (hats) is the most popular.
        assert_eq!(rank(&model, &empty, &["a", "b", "c"]).order, [2, 1, 0]);
        history.record(ActionKind::ProductView, "a", 1, None, 1);
        let context = ShopperContext::new(&model, &history);
        let ranking = rank(&model, &context, &["c", "x", "b", "a"]);
        assert_eq!(ranking.scores[1], None);
        assert_eq!(ranking.order, [2, 1, 3, 0]);
        assert!(ranking.changes_order());
    }

    #[test]
    fn category_views_count_by_name() {
        let model = Model::from_bytes(&encode(&tiny_wire())).unwrap();
        let mut history = History::new(HistoryConfig::default(), 0);
        history.record(ActionKind::CategoryView, "shoes", 1, None, 1);
        let context = ShopperContext::new(&model, &history);
        assert!(context.category_affinity(0) > context.category_affinity(1));
    }
}
