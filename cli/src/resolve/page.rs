//! `aisle audit --page`: the product ids on a saved category page, found as the script tag
//! finds them in the browser (`src/web/dom.rs`), and resolved against the catalog.
//!
//! The rules are the browser's (`docs/themes.md`): every element matching the grid selector is
//! a grid; each of a grid's element children that matches the card selector, or else contains
//! an element that does (the first one), is a product slot. The id is the card's id attribute
//! (through `data-item-id-pattern` when given: its first capture group, or the whole match),
//! trimmed; when the card has none, the elements inside it that carry the attribute, where
//! repeats of one id are fine and two different ids are a conflict (the browser then keeps
//! the whole grid in the shop's order). Children without a card (banners, pagers) are not
//! products. The page's `data-category` is read from the script tag that carries it.
//!
//! The pattern is a JavaScript regular expression in the browser and a `regex` crate one here:
//! the two agree on the patterns themes need (anchors, classes, groups, `\d`), not on
//! look-around or back-references, which `regex` refuses with a clear error.
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use anyhow::{bail, Context};
use regex::Regex;
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
    /// `data-item-id-pattern`, if the tag has one.
    pub id_pattern: Option<String>,
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
    /// Cards holding two different ids (first two shown): their grid keeps the shop's order.
    pub conflicts: Vec<(String, String)>,
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
    let holder = selector(&format!("[{}]", selectors.id_attribute), "--item-id")?;
    let pattern = match &selectors.id_pattern {
        None => None,
        Some(text) => Some(Regex::new(text).with_context(|| {
            format!("--item-id-pattern {text:?} is not a regular expression aisle can read")
        })?),
    };
    let reader = IdReader {
        attribute: &selectors.id_attribute,
        pattern: pattern.as_ref(),
        holder: &holder,
    };
    let document = Html::parse_document(&html);
    let mut report = PageReport {
        page: path.display().to_string(),
        grids: 0,
        cards: 0,
        cards_without_id: 0,
        conflicts: Vec::new(),
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
            let id = match reader.card_id(card) {
                CardId::Found(id) => id,
                CardId::Missing => {
                    report.cards_without_id += 1;
                    continue;
                }
                CardId::Conflict(first, second) => {
                    report.conflicts.push((first, second));
                    continue;
                }
            };
            let id = id.as_str();
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

/// What a card says about its product id.
enum CardId {
    Found(String),
    Missing,
    Conflict(String, String),
}

/// Reads ids as `src/web/dom.rs` does.
struct IdReader<'a> {
    attribute: &'a str,
    pattern: Option<&'a Regex>,
    /// `[attribute]`: the elements inside a card that may hold the id.
    holder: &'a Selector,
}

impl IdReader<'_> {
    fn card_id(&self, card: ElementRef) -> CardId {
        if let Some(id) = self.id_in(card) {
            return CardId::Found(id);
        }
        let mut found: Option<String> = None;
        for element in card.select(self.holder) {
            let Some(id) = self.id_in(element) else {
                continue;
            };
            match &found {
                None => found = Some(id),
                Some(first) if *first != id => return CardId::Conflict(first.clone(), id),
                Some(_) => {}
            }
        }
        found.map_or(CardId::Missing, CardId::Found)
    }

    /// The id one element's attribute holds: the value, or what the pattern captures.
    fn id_in(&self, element: ElementRef) -> Option<String> {
        let value = element.value().attr(self.attribute)?;
        let id = match self.pattern {
            None => value,
            Some(pattern) => {
                let captures = pattern.captures(value)?;
                captures.get(1).or_else(|| captures.get(0))?.as_str()
            }
        };
        let id = id.trim();
        (!id.is_empty()).then(|| id.to_string())
    }
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
                "{}: no card carries the id attribute; check --item-id (and --item-id-pattern)",
                self.page
            ));
        }
        if let Some((first, second)) = self.conflicts.first() {
            flags.push(format!(
                "{}: {} card(s) hold two different ids (first: {first:?} and {second:?}); the browser keeps such a grid in the shop's order",
                self.page,
                self.conflicts.len()
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
            "\n## Saved page: {}\n\n{} grid(s), {} product card(s), {} card(s) without an id, {} card(s) with two ids, {} other child(ren) that never move.\n",
            self.page,
            self.grids,
            self.cards,
            self.cards_without_id,
            self.conflicts.len(),
            self.other_children
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
        scan_with(html, grid, item, "data-product-id", None)
    }

    fn scan_with(
        html: &str,
        grid: &str,
        item: &str,
        attribute: &str,
        pattern: Option<&str>,
    ) -> anyhow::Result<PageReport> {
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
            id_attribute: attribute.into(),
            id_pattern: pattern.map(String::from),
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
              <li class="card"><a data-product-id="b"></a><a data-product-id="b"></a></li>
              <li class="card"><a data-product-id="a"></a><a data-product-id="b"></a></li>
            </ul></body></html>"##;
        let report = scan(html, "#grid", ".card").unwrap();
        assert_eq!(
            (
                report.grids,
                report.cards,
                report.cards_without_id,
                report.other_children
            ),
            (1, 6, 1, 1)
        );
        assert_eq!(report.conflicts, [("a".to_string(), "b".to_string())]);
        let r = &report.resolution;
        assert_eq!((r.ids, r.resolved, r.by_alias), (4, 3, 1));
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

    /// Dawn's cards hold the product id only inside element ids (`docs/themes.md`).
    #[test]
    fn a_pattern_reads_ids_out_of_longer_values() {
        let html = r##"<ul id="product-grid">
            <li class="grid__item"><div class="card-wrapper">
              <a id="CardLink-template--1__product-grid-80a" href="#">A</a>
              <a id="CardLink-template--1__product-grid-80a" href="#" tabindex="-1">A</a>
              <span id="title-template--1__product-grid-80a">A</span>
            </div></li>
            <li class="grid__item"><a id="CardLink-template--1__product-grid-b" href="#">B</a></li>
          </ul>"##;
        let report = scan_with(
            html,
            "#product-grid",
            ".grid__item",
            "id",
            Some(r"^CardLink-.+-(\w+)$"),
        )
        .unwrap();
        assert_eq!((report.cards, report.resolution.resolved), (2, 2));
        assert!(report.conflicts.is_empty());
        let error =
            scan_with(html, "#product-grid", ".grid__item", "id", Some("(?<=x)a")).unwrap_err();
        assert!(format!("{error:#}")
            .contains("--item-id-pattern \"(?<=x)a\" is not a regular expression"));
    }

    #[test]
    fn selectors_that_are_wrong_are_named() {
        let error = scan("<ul id=g></ul>", "#nope", ".card").unwrap_err();
        assert!(format!("{error:#}").contains("--grid \"#nope\" matches nothing"));
        let error = scan("<ul id=g></ul>", "#g", "[[").unwrap_err();
        assert!(format!("{error:#}").contains("--item \"[[\" is not a valid CSS selector"));
    }
}
