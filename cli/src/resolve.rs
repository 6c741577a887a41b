//! Which product an id names, by the rules the bundle applies in the browser
//! ([`aisle::bundle::Model::index_of`]): a product id, one of its aliases, or a Shopify channel
//! id `shopify_<country>_<product id>_<variant id>` whose variant or product id is one of
//! those. Also the resolution reports of `aisle build` and `aisle audit`: how many ids in the
//! events (or on a saved page, [`page`]) name a product, and which do not.
//!
//! Aliases that cannot be told apart are left out of the bundle and counted: an alias that is
//! another product's id, or that two products share (a SKU reused across products), names no
//! product rather than a wrong one.
pub mod page;

use std::collections::{BTreeMap, HashMap};

use aisle::bundle::id_index::shopify_channel_ids;
use serde::Serialize;

use crate::catalog::Product;
use crate::event_log::Session;

/// Unresolved ids named in a report, most frequent first.
pub const UNRESOLVED_SHOWN: usize = 10;
/// Distinct unresolved ids counted one by one; past this, they are only counted in total, so
/// memory stays bounded on a log full of junk ids.
const UNRESOLVED_TRACKED: usize = 100_000;

/// Aliases left out of the bundle, by reason.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct AliasIssues {
    /// Aliases that repeat their own product's id or an alias listed before (harmless).
    pub repeated: usize,
    /// Aliases that are another product's id, or that several products share; examples first.
    pub ambiguous: Vec<String>,
    /// Aliases a bundle cannot hold (empty, or with a line break).
    pub unusable: usize,
}

impl AliasIssues {
    /// Warnings for stderr; none when nothing that matters was left out.
    pub fn warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        if !self.ambiguous.is_empty() {
            out.push(format!(
                "{} alias(es) name more than one product and are left out of the bundle (they resolve to nothing): {}",
                self.ambiguous.len(),
                examples(&self.ambiguous)
            ));
        }
        if self.unusable > 0 {
            out.push(format!(
                "{} alias(es) are empty or hold a line break and are left out of the bundle",
                self.unusable
            ));
        }
        out
    }
}

fn examples(ids: &[String]) -> String {
    let mut shown: Vec<String> = ids.iter().take(5).map(|id| format!("{id:?}")).collect();
    if ids.len() > 5 {
        shown.push("…".into());
    }
    shown.join(", ")
}

/// Every product's aliases that the bundle can hold (catalog order), and what was left out.
pub fn bundle_aliases(products: &[Product]) -> (Vec<Vec<&str>>, AliasIssues) {
    let mut issues = AliasIssues::default();
    let ids: HashMap<&str, usize> = products
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id.as_str(), i))
        .collect();
    // Which products list each alias (products with the same alias twice count once).
    let mut owners: HashMap<&str, Vec<usize>> = HashMap::new();
    for (index, product) in products.iter().enumerate() {
        for alias in &product.aliases {
            let alias = alias.as_str();
            if alias.is_empty() || alias.contains('\n') {
                issues.unusable += 1;
                continue;
            }
            let list = owners.entry(alias).or_default();
            if list.last() == Some(&index) || ids.get(alias) == Some(&index) {
                issues.repeated += 1;
            } else {
                list.push(index);
            }
        }
    }
    let mut ambiguous: BTreeMap<&str, ()> = BTreeMap::new();
    let mut lists = vec![Vec::new(); products.len()];
    for (index, product) in products.iter().enumerate() {
        for alias in &product.aliases {
            let alias = alias.as_str();
            let Some(list) = owners.get(alias) else {
                continue;
            };
            let clear = list.len() == 1 && !ids.contains_key(alias);
            if clear && list[0] == index {
                if !lists[index].contains(&alias) {
                    lists[index].push(alias);
                }
            } else if !clear && list.contains(&index) {
                ambiguous.insert(alias, ());
            }
        }
    }
    issues.ambiguous = ambiguous.into_keys().map(String::from).collect();
    (lists, issues)
}

/// How an id resolved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resolved {
    /// It is a product id.
    ProductId,
    /// It is one of a product's aliases.
    Alias,
    /// It is a Shopify channel id whose variant or product id resolves.
    ChannelId,
}

/// Ids and aliases of a catalog, resolved as the bundle resolves them.
pub struct IdResolver<'c> {
    products: &'c [Product],
    /// Product id or alias → catalog index.
    by_name: HashMap<&'c str, (u32, Resolved)>,
    /// What was left out of the aliases.
    pub alias_issues: AliasIssues,
}

impl<'c> IdResolver<'c> {
    pub fn new(products: &'c [Product]) -> IdResolver<'c> {
        let (aliases, alias_issues) = bundle_aliases(products);
        let mut by_name = HashMap::new();
        for (index, product) in products.iter().enumerate() {
            by_name.insert(product.id.as_str(), (index as u32, Resolved::ProductId));
        }
        for (index, list) in aliases.into_iter().enumerate() {
            for alias in list {
                by_name.insert(alias, (index as u32, Resolved::Alias));
            }
        }
        IdResolver {
            products,
            by_name,
            alias_issues,
        }
    }

    /// The catalog index of the product `id` names, and how it resolved.
    pub fn resolve(&self, id: &str) -> Option<(u32, Resolved)> {
        if let Some(&found) = self.by_name.get(id) {
            return Some(found);
        }
        let (product, variant) = shopify_channel_ids(id)?;
        let (index, _) = self
            .by_name
            .get(variant)
            .or_else(|| self.by_name.get(product))?;
        Some((*index, Resolved::ChannelId))
    }

    /// The catalog id of the product `id` names, or `id` itself when it names none.
    pub fn canonical<'s>(&'s self, id: &'s str) -> &'s str {
        match self.resolve(id) {
            Some((index, _)) => &self.products[index as usize].id,
            None => id,
        }
    }
}

/// Replaces every product id in sessions held in memory by the catalog id it names, as
/// [`crate::spill::add_sessions`] does for a streamed build, and counts the lookups.
pub fn resolve_sessions(sessions: &mut [Session], resolver: &IdResolver) -> Resolution {
    let mut counter = ResolutionCounter::default();
    for session in sessions {
        for interaction in &mut session.interactions {
            if interaction.kind.is_about_product() {
                let id = counter.canonical(resolver, &interaction.id);
                if id != interaction.id {
                    interaction.id = id.to_string();
                }
            }
        }
    }
    counter.finish()
}

/// How many ids resolved, and how; the unresolved ones with their counts.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Resolution {
    /// Ids looked up (every occurrence).
    pub ids: u64,
    /// Of those, ids that name a product.
    pub resolved: u64,
    pub by_product_id: u64,
    pub by_alias: u64,
    pub by_channel_id: u64,
    /// Distinct ids that name no product (at least this many, past the tracking limit).
    pub distinct_unresolved: usize,
    /// The most frequent unresolved ids and how often each was seen.
    pub top_unresolved: Vec<(String, u64)>,
}

impl Resolution {
    /// Share of ids that resolve, in percent (100 for no ids).
    pub fn percent_resolved(&self) -> f64 {
        if self.ids == 0 {
            100.0
        } else {
            100.0 * self.resolved as f64 / self.ids as f64
        }
    }

    /// One line: "N of M ids (P%) name a catalog product (…); unresolved: a ×3, b ×1".
    pub fn summary(&self, what: &str) -> String {
        let mut text = format!(
            "{} of {} {what} ({:.1}%) name a catalog product ({} by product id, {} by alias, {} by Shopify channel id)",
            self.resolved,
            self.ids,
            self.percent_resolved(),
            self.by_product_id,
            self.by_alias,
            self.by_channel_id
        );
        if self.distinct_unresolved > 0 {
            let shown: Vec<String> = self
                .top_unresolved
                .iter()
                .map(|(id, n)| format!("{id:?} ×{n}"))
                .collect();
            text += &format!(
                "; {} distinct id(s) name none, most frequent: {}",
                self.distinct_unresolved,
                shown.join(", ")
            );
        }
        text
    }

    /// The report as a Markdown section.
    pub fn markdown(&self, title: &str, what: &str) -> String {
        let mut out = format!("\n## {title}\n\n| {what} | count |\n|---|---:|\n");
        out += &format!("| looked up | {} |\n", self.ids);
        out += &format!(
            "| name a catalog product | {} ({:.1}%) |\n",
            self.resolved,
            self.percent_resolved()
        );
        out += &format!("| … by product id | {} |\n", self.by_product_id);
        out += &format!("| … by alias | {} |\n", self.by_alias);
        out += &format!("| … by Shopify channel id | {} |\n", self.by_channel_id);
        out += &format!(
            "| distinct ids naming none | {} |\n",
            self.distinct_unresolved
        );
        if !self.top_unresolved.is_empty() {
            out += "\nUnresolved, most frequent first:\n\n| id | count |\n|---|---:|\n";
            for (id, count) in &self.top_unresolved {
                out += &format!("| `{id}` | {count} |\n");
            }
        }
        out
    }
}

/// Counts lookups into a [`Resolution`].
#[derive(Default)]
pub struct ResolutionCounter {
    resolution: Resolution,
    unresolved: HashMap<String, u64>,
    untracked: bool,
}

impl ResolutionCounter {
    /// Counts one lookup of `id` that gave `found`.
    pub fn add(&mut self, id: &str, found: Option<Resolved>) {
        let r = &mut self.resolution;
        r.ids += 1;
        match found {
            Some(how) => {
                r.resolved += 1;
                *match how {
                    Resolved::ProductId => &mut r.by_product_id,
                    Resolved::Alias => &mut r.by_alias,
                    Resolved::ChannelId => &mut r.by_channel_id,
                } += 1;
            }
            None => {
                if let Some(count) = self.unresolved.get_mut(id) {
                    *count += 1;
                } else if self.unresolved.len() < UNRESOLVED_TRACKED {
                    self.unresolved.insert(id.to_string(), 1);
                } else {
                    self.untracked = true;
                }
            }
        }
    }

    /// Resolves `id` with `resolver`, counts it, and gives the catalog id (or `id`).
    pub fn canonical<'s>(&mut self, resolver: &'s IdResolver, id: &'s str) -> &'s str {
        let found = resolver.resolve(id);
        self.add(id, found.map(|(_, how)| how));
        resolver.canonical(id)
    }

    /// The counts, with the [`UNRESOLVED_SHOWN`] most frequent unresolved ids (ties by id).
    pub fn finish(mut self) -> Resolution {
        let mut unresolved: Vec<(String, u64)> = self.unresolved.into_iter().collect();
        unresolved.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        self.resolution.distinct_unresolved = unresolved.len();
        if self.untracked {
            // At least one more: the report says "at least".
            self.resolution.distinct_unresolved += 1;
        }
        unresolved.truncate(UNRESOLVED_SHOWN);
        self.resolution.top_unresolved = unresolved;
        self.resolution
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn product(id: &str, aliases: &[&str]) -> Product {
        Product {
            id: id.into(),
            aliases: aliases.iter().map(|a| a.to_string()).collect(),
            ..Product::default()
        }
    }

    #[test]
    fn aliases_that_name_two_products_are_left_out_and_counted() {
        let products = [
            product("tee", &["8001", "44001", "SKU-1", "tee", "SKU-1", "shared"]),
            product("cap", &["8002", "shared", "tee", "", "a\nb"]),
            product("8001x", &[]),
        ];
        let (lists, issues) = bundle_aliases(&products);
        assert_eq!(lists[0], ["8001", "44001", "SKU-1"]);
        assert_eq!(lists[1], ["8002"]);
        assert_eq!(issues.ambiguous, ["shared", "tee"]);
        assert_eq!((issues.repeated, issues.unusable), (2, 2));
    }

    #[test]
    fn ids_resolve_like_the_bundle() {
        let products = [
            product("tee", &["8001", "44001"]),
            product("cap", &["8002"]),
        ];
        let resolver = IdResolver::new(&products);
        let check = |id: &str, expected: Option<(u32, Resolved)>| {
            assert_eq!(resolver.resolve(id), expected, "{id}");
        };
        check("tee", Some((0, Resolved::ProductId)));
        check("44001", Some((0, Resolved::Alias)));
        check("shopify_US_8002_99", Some((1, Resolved::ChannelId)));
        check("shopify_US_8009_44001", Some((0, Resolved::ChannelId)));
        check("shopify_US_8009_99", None);
        assert_eq!(resolver.canonical("8002"), "cap");
        assert_eq!(resolver.canonical("nope"), "nope");
    }

    #[test]
    fn counts_name_the_most_frequent_unresolved_ids() {
        let products = [product("tee", &["8001"])];
        let resolver = IdResolver::new(&products);
        let mut counter = ResolutionCounter::default();
        for id in ["tee", "8001", "x", "y", "y", "shopify_GB_8001_1", "z"] {
            counter.canonical(&resolver, id);
        }
        let r = counter.finish();
        assert_eq!((r.ids, r.resolved), (7, 3));
        assert_eq!((r.by_product_id, r.by_alias, r.by_channel_id), (1, 1, 1));
        assert_eq!(r.distinct_unresolved, 3);
        assert_eq!(
            r.top_unresolved,
            [
                ("y".to_string(), 2),
                ("x".to_string(), 1),
                ("z".to_string(), 1)
            ]
        );
        assert!(r.summary("ids").contains("3 of 7 ids (42.9%)"));
    }
}
