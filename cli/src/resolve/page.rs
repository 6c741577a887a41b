//! `aisle audit --page`: the product ids on a saved category page, found as the script tag
//! finds them in the browser (`src/web/dom.rs`), and resolved against the catalog.
//!
//! The rules are the browser's: every element matching the grid selector is a grid; each of
//! a grid's element children that matches the card selector, or else contains an element
//! that does (the first one), is a product slot; the card's id attribute, trimmed, is the
//! product id. Children without a card (banners, pagers) are not products. The page's
//! `data-category` and `data-product` are read from the script tag that carries them.
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use anyhow::{bail, Context};
use scraper::{ElementRef, Html, Selector};
use serde::Serialize;

use super::{IdResolver, Resolution, ResolutionCounter};
use crate::catalog::Product;

/// The card attribute holding the product id when the script tag names none
/// (`data-item-id`'s default in `www/loader/aisle.js`).
pub const DEFAULT_ID_ATTRIBUTE: &str = "data-product-id";

/// The selectors of the script tag (`data-grid`, `data-item`, `data-item-id`).
#[derive(Clone, Debug)]
pub struct PageSelectors {
    pub grid: String,
    pub item: String,
    pub id_attribute: String,
}

/// What the page holds and how much of it the catalog knows.
#[derive(Clone, Debug, Serialize)]
pub struct PageReport {
    pub page: String,
    pub grids: usize,
    /// Grid children that are product slots.
    pub cards: usize,
    /// Cards without the id attribute (or with an empty one): they keep their slot.
    pub cards_without_id: usize,
    /// Other grid children (banners, pagers, tiles): they never move.
    pub other_children: usize,
    /// How the cards' ids resolve.
    pub resolution: Resolution,
    /// The script tag's `data-category`, if any.
    pub category: Option<String>,
    /// Whether the catalog knows that category (`None` without one).
    pub category_known: Option<bool>,
    /// The catalog category most of the page's resolved products are in.
    pub products_mostly_in: Option<String>,
}

fn selector(text: &str, option: &str) -> anyhow::Result<Selector> {
    Selector::parse(text)
        .map_err(|error| anyhow::anyhow!("{option} {text:?} is not a valid CSS selector: {error}"))
}

/// Reads a saved page and reports its grids against the catalog.
pub fn audit_page(
    path: &Path,
    selectors: &PageSelectors,
    products: &[Product],
    resolver: &IdResolver,
) -> anyhow::Result<PageReport> {
    let html =
        std::fs::read(path).with_context(|| format!("cannot read page {}", path.display()))?;
    let html = String::from_utf8_lossy(&html);
    let grid = selector(&selectors.grid, "--grid")?;
    let item = selector(&selectors.item, "--item")?;
    let document = Html::parse_document(&html);
    let mut report = PageReport {
        page: path.display().to_string(),
        grids: 0,
        cards: 0,
        cards_without_id: 0,
        other_children: 0,
        resolution: Resolution::default(),
        category: None,
        category_known: None,
        products_mostly_in: None,
    };
    let mut counter = ResolutionCounter::default();
    let mut categories: BTreeMap<&str, usize> = BTreeMap::new();
    for grid in document.select(&grid) {
        report.grids += 1;
        for child in grid.children().filter_map(ElementRef::wrap) {
            let card = if item.matches(&child) {
                Some(child)
            } else {
                child.select(&item).next()
            };
            let Some(card) = card else {
                report.other_children += 1;
                continue;
            };
            report.cards += 1;
            let id = card
                .value()
                .attr(&selectors.id_attribute)
                .map(str::trim)
                .filter(|id| !id.is_empty());
            let Some(id) = id else {
                report.cards_without_id += 1;
                continue;
            };
            let found = resolver.resolve(id);
            counter.add(id, found.map(|(_, how)| how));
            if let Some((index, _)) = found {
                *categories
                    .entry(products[index as usize].category.as_str())
                    .or_insert(0) += 1;
            }
        }
    }
    if report.grids == 0 {
        bail!(
            "{}: --grid {:?} matches nothing on the page",
            report.page,
            selectors.grid
        );
    }
    report.resolution = counter.finish();
    let script = selector("script[data-category]", "")?;
    report.category = document
        .select(&script)
        .find_map(|s| s.value().attr("data-category"))
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty());
    let known: BTreeSet<&str> = products.iter().map(|p| p.category.as_str()).collect();
    report.category_known = report.category.as_deref().map(|c| known.contains(c));
    report.products_mostly_in = categories
        .into_iter()
        .filter(|(c, _)| !c.is_empty())
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0)))
        .map(|(c, _)| c.to_string());
    Ok(report)
}

impl PageReport {
    /// Problems that should flag the audit.
    pub fn flags(&self, threshold_percent: f64) -> Vec<String> {
        let mut flags = Vec::new();
        if self.cards == 0 {
            flags.push(format!(
                "{}: the grid has no child matching --item (or containing one)",
                self.page
            ));
        } else if self.cards_without_id == self.cards {
            flags.push(format!(
                "{}: no card carries the id attribute; check --item-id",
                self.page
            ));
        }
        if self.resolution.ids > 0 && self.resolution.percent_resolved() < threshold_percent {
            flags.push(format!(
                "{}: only {:.1}% of the page's product ids name a catalog product",
                self.page,
                self.resolution.percent_resolved()
            ));
        }
        if self.category_known == Some(false) {
            flags.push(format!(
                "{}: the page's data-category {:?} is not a catalog category, so aisle ignores it{}",
                self.page,
                self.category.as_deref().unwrap_or_default(),
                match &self.products_mostly_in {
                    Some(c) => format!(" (its products are mostly in {c:?})"),
                    None => String::new(),
                }
            ));
        }
        flags
    }

    /// The report as a Markdown section.
    pub fn markdown(&self) -> String {
        let mut out = format!(
            "\n## Saved page: {}\n\n{} grid(s), {} product card(s), {} card(s) without an id, {} other child(ren) that never move.\n",
            self.page, self.grids, self.cards, self.cards_without_id, self.other_children
        );
        match (&self.category, self.category_known) {
            (Some(c), Some(true)) => out += &format!("Page category {c:?}: a catalog category.\n"),
            (Some(c), _) => {
                out += &format!("Page category {c:?}: NOT a catalog category (ignored by aisle).\n")
            }
            (None, _) => out += "The page names no data-category.\n",
        }
        if let Some(c) = &self.products_mostly_in {
            out += &format!("Its products are mostly in the catalog category {c:?}.\n");
        }
        out + &self.resolution.markdown("Ids on the page", "card ids")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(html: &str, grid: &str, item: &str) -> anyhow::Result<PageReport> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("page.html");
        std::fs::write(&path, html).unwrap();
        let products: Vec<Product> = ["a", "b"]
            .iter()
            .map(|id| Product {
                id: id.to_string(),
                aliases: vec![format!("80{id}")],
                category: "shoes".into(),
                ..Product::default()
            })
            .collect();
        let resolver = IdResolver::new(&products);
        let selectors = PageSelectors {
            grid: grid.into(),
            item: item.into(),
            id_attribute: "data-product-id".into(),
        };
        audit_page(&path, &selectors, &products, &resolver)
    }

    #[test]
    fn cards_are_found_as_the_browser_finds_them() {
        let html = r##"<html><head><script data-category="frontpage" src="aisle.js"></script></head><body>
            <ul id="grid">
              <li class="grid__item"><div class="card" data-product-id=" 80a "><a href="#">A</a></div></li>
              <li class="banner">Sale</li>
              <li class="card" data-product-id="b"></li>
              <li><div class="card" data-product-id="zz"></div><div class="card" data-product-id="a"></div></li>
              <li><div class="card"></div></li>
            </ul></body></html>"##;
        let report = scan(html, "#grid", ".card").unwrap();
        assert_eq!(
            (
                report.grids,
                report.cards,
                report.cards_without_id,
                report.other_children
            ),
            (1, 4, 1, 1)
        );
        let r = &report.resolution;
        assert_eq!((r.ids, r.resolved, r.by_alias), (3, 2, 1));
        assert_eq!(r.top_unresolved, [("zz".to_string(), 1)]);
        assert_eq!(report.category.as_deref(), Some("frontpage"));
        assert_eq!(report.category_known, Some(false));
        assert_eq!(report.products_mostly_in.as_deref(), Some("shoes"));
        let flags = report.flags(95.0);
        assert!(
            flags
                .iter()
                .any(|f| f.contains("\"frontpage\" is not a catalog category")),
            "{flags:?}"
        );
    }

    #[test]
    fn selectors_that_are_wrong_are_named() {
        let error = scan("<ul id=g></ul>", "#nope", ".card").unwrap_err();
        assert!(format!("{error:#}").contains("--grid \"#nope\" matches nothing"));
        let error = scan("<ul id=g></ul>", "#g", "[[").unwrap_err();
        assert!(format!("{error:#}").contains("--item \"[[\" is not a valid CSS selector"));
    }
}
