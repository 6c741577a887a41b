//! Filling a catalog's gaps from another source of product facts, such as the item table
//! `aisle import ga4 --catalog-out` writes from GA4's `items` (name, brand, category, price).
//!
//! A fill never overrides what the export says: it only sets a title, category, brand or
//! price the product lacks. Its rows find their product the way the bundle does (id, alias, or
//! a Shopify channel id); rows that name no product of the catalog are counted and named, not
//! added, because a product the shop no longer exports should not come back from old analytics.
use std::path::Path;

use anyhow::Context;

use super::{read_catalog, Catalog};
use crate::resolve::IdResolver;

/// Unmatched ids named in the note, at most.
const UNMATCHED_SHOWN: usize = 5;

/// What a fill changed, for the build's and the audit's output.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FillCounts {
    /// Rows read from the fill file.
    pub rows: usize,
    /// Fields set, by name (title, category, brand, price).
    pub titles: usize,
    pub categories: usize,
    pub brands: usize,
    pub prices: usize,
    /// Rows whose id names no product of the catalog.
    pub unmatched: Vec<String>,
}

/// Reads `path` (aisle's catalog columns) and fills the gaps of `catalog` from it; adds a note
/// to the catalog's issues saying what it did.
pub fn fill_gaps(catalog: &mut Catalog, path: &Path) -> anyhow::Result<FillCounts> {
    let source = read_catalog(path)
        .with_context(|| format!("cannot read the fill file {}", path.display()))?;
    let mut counts = FillCounts {
        rows: source.products.len(),
        ..FillCounts::default()
    };
    let targets: Vec<Option<u32>> = {
        let resolver = IdResolver::new(&catalog.products);
        source
            .products
            .iter()
            .map(|row| resolver.resolve(&row.id).map(|(index, _)| index))
            .collect()
    };
    for (row, target) in source.products.iter().zip(targets) {
        let Some(index) = target else {
            counts.unmatched.push(row.id.clone());
            continue;
        };
        let product = &mut catalog.products[index as usize];
        if product.title.trim().is_empty() && !row.title.trim().is_empty() {
            product.title = row.title.clone();
            counts.titles += 1;
        }
        if product.category.trim().is_empty() && !row.category.trim().is_empty() {
            product.category = row.category.clone();
            counts.categories += 1;
        }
        if product.brand.is_none() && row.brand.is_some() {
            product.brand = row.brand.clone();
            counts.brands += 1;
        }
        if product.price.is_none() && row.price.is_some() {
            product.price = row.price;
            counts.prices += 1;
        }
    }
    catalog.issues.id_map_notes.push(note(path, &counts));
    Ok(counts)
}

/// One line for the output: what was filled, and which ids matched nothing.
fn note(path: &Path, counts: &FillCounts) -> String {
    let mut line = format!(
        "{}: {} row(s) filled {} title(s), {} categorie(s), {} brand(s), {} price(s)",
        path.display(),
        counts.rows,
        counts.titles,
        counts.categories,
        counts.brands,
        counts.prices
    );
    if !counts.unmatched.is_empty() {
        let shown: Vec<&str> = counts
            .unmatched
            .iter()
            .take(UNMATCHED_SHOWN)
            .map(String::as_str)
            .collect();
        line.push_str(&format!(
            "; {} row(s) name no product of the catalog and were not used: {}{}",
            counts.unmatched.len(),
            shown.join(", "),
            if counts.unmatched.len() > UNMATCHED_SHOWN {
                ", …"
            } else {
                ""
            }
        ));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::read_catalog_bytes;
    use std::io::Write;

    fn catalog(text: &str) -> Catalog {
        read_catalog_bytes(text.as_bytes(), Path::new("catalog.csv")).unwrap()
    }

    #[test]
    fn gaps_are_filled_by_id_alias_or_channel_id_and_nothing_is_overridden() {
        let mut shop = catalog(
            "id,title,category,price,brand,aliases\n\
             tee,Tee,,,,4242|SKU-1\n\
             mug,Mug,kitchen,9.5,Acme,77\n",
        );
        let mut fill = tempfile::NamedTempFile::new().unwrap();
        write!(
            fill,
            "id,title,category,price,brand\n\
             SKU-1,T-shirt,apparel,19.9,Basic\n\
             shopify_US_77_900,Big mug,home,12,Other\n\
             gone,Old thing,misc,1,X\n"
        )
        .unwrap();
        let counts = fill_gaps(&mut shop, fill.path()).unwrap();
        let tee = &shop.products[0];
        assert_eq!(
            (
                tee.title.as_str(),
                tee.category.as_str(),
                tee.price,
                tee.brand.as_deref()
            ),
            ("Tee", "apparel", Some(19.9), Some("Basic"))
        );
        let mug = &shop.products[1];
        assert_eq!(
            (
                mug.title.as_str(),
                mug.category.as_str(),
                mug.price,
                mug.brand.as_deref()
            ),
            ("Mug", "kitchen", Some(9.5), Some("Acme"))
        );
        assert_eq!(
            (
                counts.rows,
                counts.titles,
                counts.categories,
                counts.brands,
                counts.prices
            ),
            (3, 0, 1, 1, 1)
        );
        assert_eq!(counts.unmatched, vec!["gone".to_string()]);
        let note = shop.issues.id_map_notes.last().unwrap();
        assert!(
            note.contains("1 row(s) name no product of the catalog and were not used: gone"),
            "{note}"
        );
    }
}
