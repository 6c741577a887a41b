//! The offline protocol: time split, next-item targets, grids, and where a method puts the
//! target.
//!
//! Sessions are split at a cut time: sessions that end before it train, sessions that start
//! at or after it test, and the few that straddle it are left out (counted), so no test event
//! ever informs training. A target is every product interaction of a test session after the
//! first whose product differs from the product interacted with just before (a repeat of the
//! same product is a page reload or an add from the product page, not a choice in a grid),
//! and whose product is in the catalog.
use std::collections::HashMap;

use serde::Serialize;

use crate::catalog::Product;
use crate::evaluate::methods::{Method, Query};
use crate::evaluate::metrics::values;
use crate::event_log::{Interaction, Session};

/// Sessions split by time.
pub struct Split {
    pub train: Vec<Session>,
    pub test: Vec<Session>,
    /// Sessions that start before the cut and end after it, left out.
    pub straddling: usize,
    /// The cut, ms since the Unix epoch.
    pub cut_ms: u64,
}

/// Splits sessions (ordered by start) so that about `test_fraction` of them test.
pub fn time_split(sessions: &[Session], test_fraction: f64) -> Split {
    let mut starts: Vec<u64> = sessions.iter().map(Session::start_ms).collect();
    starts.sort_unstable();
    let at = ((starts.len() as f64) * (1.0 - test_fraction.clamp(0.0, 1.0))).floor() as usize;
    let cut_ms = starts.get(at).copied().unwrap_or(u64::MAX);
    let mut split = Split {
        train: Vec::new(),
        test: Vec::new(),
        straddling: 0,
        cut_ms,
    };
    for session in sessions {
        let end = session.interactions.last().map_or(0, |i| i.ts);
        if end < cut_ms {
            split.train.push(session.clone());
        } else if session.start_ms() >= cut_ms {
            split.test.push(session.clone());
        } else {
            split.straddling += 1;
        }
    }
    split
}

/// Catalog indices and the shop's default order.
pub struct Shop<'a> {
    pub products: &'a [Product],
    pub index_by_id: HashMap<&'a str, u32>,
    /// Per product, its category's index in `grids`.
    pub category: Vec<u32>,
    /// Per category, its products in the shop's order (train popularity, then catalog order).
    pub grids: Vec<Vec<u32>>,
    /// All products in the shop's order.
    pub all: Vec<u32>,
}

impl<'a> Shop<'a> {
    /// Orders products by the number of product interactions in `train`, most first, ties in
    /// catalog order.
    pub fn new(products: &'a [Product], train: &[Session]) -> Shop<'a> {
        let index_by_id = index_by_id(products);
        let mut count = vec![0u64; products.len()];
        for session in train {
            count_product_interactions(&index_by_id, session, &mut count);
        }
        Shop::from_counts(products, index_by_id, &count)
    }

    /// Orders products by `count` (product interactions per catalog index), most first, ties
    /// in catalog order.
    pub fn from_counts(
        products: &'a [Product],
        index_by_id: HashMap<&'a str, u32>,
        count: &[u64],
    ) -> Shop<'a> {
        let mut all: Vec<u32> = (0..products.len() as u32).collect();
        all.sort_by(|&a, &b| count[b as usize].cmp(&count[a as usize]).then(a.cmp(&b)));
        let mut names: Vec<&str> = products.iter().map(|p| p.category.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        let category: Vec<u32> = products
            .iter()
            .map(|p| {
                names
                    .binary_search(&p.category.as_str())
                    .expect("every category is listed") as u32
            })
            .collect();
        let mut grids = vec![Vec::new(); names.len()];
        for &p in &all {
            grids[category[p as usize] as usize].push(p);
        }
        Shop {
            products,
            index_by_id,
            category,
            grids,
            all,
        }
    }

    /// The grid (shop order) of a product's category.
    pub fn grid_of(&self, product: u32) -> &[u32] {
        &self.grids[self.category[product as usize] as usize]
    }
}

/// Catalog index by product id.
pub fn index_by_id(products: &[Product]) -> HashMap<&str, u32> {
    products
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id.as_str(), i as u32))
        .collect()
}

/// Adds a session's product interactions on catalog products to `count` (per catalog index).
pub fn count_product_interactions(
    index_by_id: &HashMap<&str, u32>,
    session: &Session,
    count: &mut [u64],
) {
    for action in session
        .interactions
        .iter()
        .filter(|a| a.kind.is_about_product())
    {
        if let Some(&p) = index_by_id.get(action.id.as_str()) {
            count[p as usize] += 1;
        }
    }
}

/// One next-item prediction to make.
#[derive(Clone, Debug)]
pub struct Target {
    /// Index of the session in the test list.
    pub session: usize,
    /// The interactions before the target.
    pub prefix_len: usize,
    /// The product to predict (catalog index).
    pub product: u32,
}

/// Counts of what became a target and what did not.
#[derive(Clone, Debug, Default, Serialize)]
pub struct TargetStats {
    pub sessions: usize,
    pub sessions_with_targets: usize,
    pub targets: usize,
    pub repeats_skipped: usize,
    pub not_in_catalog_skipped: usize,
    pub targets_unseen_in_training: usize,
}

/// The targets of test sessions.
pub fn targets(shop: &Shop, test: &[Session], train_seen: &[bool]) -> (Vec<Target>, TargetStats) {
    let mut targets = Vec::new();
    let mut stats = TargetStats {
        sessions: test.len(),
        ..TargetStats::default()
    };
    for (s, session) in test.iter().enumerate() {
        let before = targets.len();
        let mut unseen = 0;
        session_targets(
            &shop.index_by_id,
            session,
            &mut stats,
            |prefix_len, product| {
                if !train_seen[product as usize] {
                    unseen += 1;
                }
                targets.push(Target {
                    session: s,
                    prefix_len,
                    product,
                });
            },
        );
        stats.targets_unseen_in_training += unseen;
        if targets.len() > before {
            stats.sessions_with_targets += 1;
        }
    }
    stats.targets = targets.len();
    (targets, stats)
}

/// Calls `each(prefix_len, product)` for every target of one test session, in order, and
/// counts what was skipped into `stats`.
pub fn session_targets(
    index_by_id: &HashMap<&str, u32>,
    session: &Session,
    stats: &mut TargetStats,
    mut each: impl FnMut(usize, u32),
) {
    let mut previous: Option<&str> = None;
    for (t, action) in session.interactions.iter().enumerate() {
        if !action.kind.is_about_product()
            || action.kind == aisle::history::ActionKind::RemoveFromCart
        {
            continue;
        }
        let Some(prev) = previous.replace(action.id.as_str()) else {
            continue;
        };
        if prev == action.id {
            stats.repeats_skipped += 1;
            continue;
        }
        let Some(&product) = index_by_id.get(action.id.as_str()) else {
            stats.not_in_catalog_skipped += 1;
            continue;
        };
        each(t, product);
    }
}

/// The prefix of a target as catalog indices of its product interactions, oldest first.
pub fn prefix_products(shop: &Shop, prefix: &[Interaction]) -> Vec<u32> {
    prefix
        .iter()
        .filter(|a| {
            a.kind.is_about_product() && a.kind != aisle::history::ActionKind::RemoveFromCart
        })
        .filter_map(|a| shop.index_by_id.get(a.id.as_str()).copied())
        .collect()
}

/// Ranks one target with every method, in the target's category grid and in the whole
/// catalog, and appends each method's metric values to its results. `aisle evaluate` and the
/// publish gate score targets through this one function. Returns the grid's size.
pub fn score_target(
    shop: &Shop,
    sessions: &[Session],
    target: &Target,
    number: usize,
    methods: &mut [&mut dyn Method],
    per_method: &mut [Vec<[f64; 5]>],
    scores: &mut Vec<f32>,
) -> usize {
    let prefix = &sessions[target.session].interactions[..target.prefix_len];
    let products_before = prefix_products(shop, prefix);
    let query = Query {
        prefix,
        products: &products_before,
        target_number: number as u64,
    };
    let grid = shop.grid_of(target.product);
    let in_grid = grid
        .iter()
        .position(|&p| p == target.product)
        .expect("the grid holds the target");
    let in_catalog = shop
        .all
        .iter()
        .position(|&p| p == target.product)
        .expect("the catalog holds the target");
    for (method, results) in methods.iter_mut().zip(per_method.iter_mut()) {
        method.scores(&query, grid, scores);
        let grid_rank = rank_of(scores, in_grid);
        method.scores(&query, &shop.all, scores);
        results.push(values(grid_rank, rank_of(scores, in_catalog)));
    }
    grid.len()
}

/// A score as ranking compares it: non-finite scores rank last.
pub fn rank_key(score: f32) -> f32 {
    if score.is_finite() {
        score
    } else {
        f32::MIN
    }
}

/// The 1-based rank of `candidates[target]` after sorting by score, highest first, ties and
/// non-finite scores kept in candidate order exactly as [`aisle::rank::order_by_scores`] does.
pub fn rank_of(scores: &[f32], target: usize) -> usize {
    let mine = rank_key(scores[target]);
    let mut rank = 1;
    for (i, &s) in scores.iter().enumerate() {
        let s = rank_key(s);
        if s > mine || (s == mine && i < target) {
            rank += 1;
        }
    }
    rank
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rank_of_agrees_with_the_browser_order() {
        let cases: [&[f32]; 4] = [
            &[1.0, 3.0, 2.0],
            &[0.0, 0.0, 0.0],
            &[f32::NAN, 0.5, f32::INFINITY, 0.5],
            &[2.0],
        ];
        for scores in cases {
            let options: Vec<Option<f32>> = scores.iter().map(|&s| Some(s)).collect();
            let order = aisle::rank::order_by_scores(&options);
            for target in 0..scores.len() {
                let expected = order.iter().position(|&i| i == target).unwrap() + 1;
                assert_eq!(
                    rank_of(scores, target),
                    expected,
                    "{scores:?} target {target}"
                );
            }
        }
    }

    fn session(id: &str, times: &[u64]) -> Session {
        Session {
            visitor: "v".into(),
            session: id.into(),
            interactions: times
                .iter()
                .map(|&ts| Interaction {
                    ts,
                    kind: aisle::history::ActionKind::ProductView,
                    id: "p".into(),
                })
                .collect(),
        }
    }

    #[test]
    fn the_split_never_lets_a_test_event_into_training() {
        let sessions = [
            session("a", &[1, 2]),
            session("b", &[3, 9]),
            session("c", &[5, 6]),
            session("d", &[7, 8]),
            session("e", &[10]),
        ];
        let split = time_split(&sessions, 0.4);
        assert_eq!(split.cut_ms, 7);
        let names = |list: &[Session]| list.iter().map(|s| s.session.clone()).collect::<Vec<_>>();
        assert_eq!(names(&split.train), ["a", "c"]);
        assert_eq!(names(&split.test), ["d", "e"]);
        assert_eq!(split.straddling, 1);
    }
}
