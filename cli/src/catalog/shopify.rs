//! A Shopify product export (Products → Export, CSV), in either header dialect: the classic
//! one (`Handle,Title,Body (HTML),…,Variant SKU,…,Variant Price,…,Gift Card,…,Status`) and
//! the one Shopify's admin writes since 2024 (`Title,URL handle,Description,…,SKU,…,Price,…`).
//!
//! One product per handle: the first row of a handle carries the product's columns, the
//! following rows its other variants (and extra images). The product's id is its handle;
//! every variant SKU becomes an alias. The export has no product or variant ids: those come
//! from the storefront's `products.json` (`--ids`, see `products_json`). Drafts, archived
//! products, products hidden from the online store and gift cards are left out unless
//! included, and counted. Option names other than Color/Colour/Size/Material, tags and
//! `Google Shopping / …` and metafield columns are kept as attribute sources for the audit's
//! proposals and the mapping file.
use std::collections::BTreeMap;
use std::path::Path;

use super::csv_input::{self, Columns, Rows};
use super::sources::{split_tags, AttributeSources, ExtraColumns};
use super::{
    add_value, lower_price, Catalog, CatalogFormat, CatalogIssues, Exclusion, Product, ReadOptions,
};

/// The newer dialect's column names, onto the classic ones this reader uses.
fn canonical(name: &str) -> &str {
    match name {
        "URL handle" => "Handle",
        "Description" => "Body (HTML)",
        "Product category" => "Product Category",
        "Published on online store" => "Published",
        "SKU" => "Variant SKU",
        "Price" => "Variant Price",
        "Inventory quantity" => "Variant Inventory Qty",
        "Product image URL" => "Image Src",
        "Gift card" => "Gift Card",
        "Option1 name" => "Option1 Name",
        "Option1 value" => "Option1 Value",
        "Option2 name" => "Option2 Name",
        "Option2 value" => "Option2 Value",
        "Option3 name" => "Option3 Name",
        "Option3 value" => "Option3 Value",
        other => other,
    }
}

/// Whether a header is a Shopify product export's.
pub fn recognizes(header: &[String]) -> bool {
    header
        .iter()
        .any(|h| canonical(h) == "Handle" || h == "Handle")
}

const OPTION_COLUMNS: [(&str, &str); 3] = [
    ("Option1 Name", "Option1 Value"),
    ("Option2 Name", "Option2 Value"),
    ("Option3 Name", "Option3 Value"),
];

/// Whether a column may hold an attribute the default reading does not use.
fn is_attribute_column(name: &str) -> bool {
    name.starts_with("Google Shopping /")
        || name.contains("metafield")
        || name.contains("Metafield")
}

/// The attribute an English option name holds, read without a mapping.
fn default_option_attribute(name: &str) -> Option<&'static str> {
    match name.to_lowercase().as_str() {
        "color" | "colour" => Some("color"),
        "size" => Some("size"),
        "material" => Some("material"),
        _ => None,
    }
}

/// Per handle while reading: its position among kept products (None when left out) and its
/// option names.
struct HandleState {
    index: Option<usize>,
    option_names: [Option<String>; 3],
}

/// Reads the rows after the header.
pub fn read(
    reader: csv::Reader<&[u8]>,
    header: &[String],
    path: &Path,
    options: &ReadOptions,
) -> anyhow::Result<Catalog> {
    let columns = Columns::new(header, canonical);
    let attribute_columns = ExtraColumns::new(header, is_attribute_column);
    let mut issues = CatalogIssues::default();
    let mut products: Vec<Product> = Vec::new();
    let mut sources: Vec<AttributeSources> = Vec::new();
    let mut by_handle: BTreeMap<String, HandleState> = BTreeMap::new();
    let mut last_handle: Option<String> = None;
    let mut rows = Rows::new(reader, &columns, path);
    while let Some(row) = rows.next_row(&mut issues) {
        let (record, line) = row?;
        let Some(handle) = columns.get(&record, "Handle") else {
            issues.missing_id_lines.push(line);
            continue;
        };
        if !by_handle.contains_key(handle) {
            let state = first_row(&columns, &record, handle, options, &mut issues);
            if let Some(product) = state.1 {
                products.push(product);
                sources.push(AttributeSources {
                    tags: columns
                        .get(&record, "Tags")
                        .map(split_tags)
                        .unwrap_or_default(),
                    ..AttributeSources::default()
                });
            }
            let index = state.0.then(|| products.len() - 1);
            let option_names =
                OPTION_COLUMNS.map(|(name, _)| columns.get(&record, name).map(str::to_string));
            by_handle.insert(
                handle.to_string(),
                HandleState {
                    index,
                    option_names,
                },
            );
        } else if last_handle.as_deref() != Some(handle) {
            // A handle that comes back after other handles: Shopify never writes that.
            issues.duplicate_ids.push((handle.to_string(), line));
            continue;
        }
        last_handle = Some(handle.to_string());
        let state = &by_handle[handle];
        let Some(index) = state.index else {
            continue;
        };
        let (product, source) = (&mut products[index], &mut sources[index]);
        read_variant_row(&columns, &record, line, state, product, source, &mut issues);
        attribute_columns.add_to(&record, source, |value| value);
    }
    Ok(Catalog {
        products,
        sources,
        columns: columns.names.clone(),
        format: CatalogFormat::Shopify,
        issues,
    })
}

/// Reads a handle's first row: (kept, the product when kept).
fn first_row(
    columns: &Columns,
    record: &csv::StringRecord,
    handle: &str,
    options: &ReadOptions,
    issues: &mut CatalogIssues,
) -> (bool, Option<Product>) {
    let flag = |name: &str| columns.get(record, name).and_then(csv_input::parse_bool);
    let status = columns
        .get(record, "Status")
        .map(|s| s.to_ascii_lowercase());
    let exclusion = match status.as_deref() {
        Some("draft") => Some(Exclusion::Draft),
        Some("archived") => Some(Exclusion::Archived),
        _ if flag("Gift Card") == Some(true) => Some(Exclusion::GiftCard),
        // An empty Published column publishes the product (Shopify's docs).
        _ if flag("Published") == Some(false) => Some(Exclusion::Unpublished),
        _ => None,
    };
    if let Some(reason) = exclusion {
        if !options.keeps(reason) {
            *issues.excluded.entry(reason).or_insert(0) += 1;
            return (false, None);
        }
    }
    let category = columns
        .get(record, "Type")
        .or_else(|| columns.get(record, "Product Category"))
        .unwrap_or_default();
    let product = Product {
        id: handle.to_string(),
        title: columns.get(record, "Title").unwrap_or_default().to_string(),
        category: category.to_string(),
        brand: columns.get(record, "Vendor").map(str::to_string),
        image: columns.get(record, "Image Src").map(str::to_string),
        url: Some(format!("/products/{handle}")),
        ..Product::default()
    };
    (true, Some(product))
}

/// Reads what a row adds to its product: SKU, price, option values, stock.
fn read_variant_row(
    columns: &Columns,
    record: &csv::StringRecord,
    line: u64,
    state: &HandleState,
    product: &mut Product,
    source: &mut AttributeSources,
    issues: &mut CatalogIssues,
) {
    if let Some(sku) = columns.get(record, "Variant SKU") {
        product.add_alias(sku);
    }
    if let Some(value) = columns.get(record, "Variant Price") {
        match csv_input::parse_price(value) {
            Some(price) => lower_price(&mut product.price, price),
            None => issues.bad_value(line, header_name(columns, "Variant Price"), value),
        }
    }
    for (slot, (_, value_column)) in OPTION_COLUMNS.iter().enumerate() {
        let (Some(name), Some(value)) = (
            state.option_names[slot].as_deref(),
            columns.get(record, value_column),
        ) else {
            continue;
        };
        if name == "Title" && value == "Default Title" {
            continue;
        }
        source.add_option(name, value);
        let field = match default_option_attribute(name) {
            Some("color") => &mut product.color,
            Some("size") => &mut product.size,
            Some("material") => &mut product.material,
            _ => continue,
        };
        add_value(field, value);
    }
    if let Some(quantity) = columns.get(record, "Variant Inventory Qty") {
        match quantity.parse::<i64>() {
            Ok(q) => product.in_stock = Some(product.in_stock.unwrap_or(false) || q > 0),
            Err(_) => issues.bad_value(
                line,
                header_name(columns, "Variant Inventory Qty"),
                quantity,
            ),
        }
    }
}

/// The header's own name of a canonical column, for messages.
fn header_name<'c>(columns: &'c Columns, canonical_name: &'c str) -> &'c str {
    columns
        .names
        .iter()
        .find(|n| canonical(n) == canonical_name)
        .map_or(canonical_name, String::as_str)
}

#[cfg(test)]
mod tests {
    use super::super::{read_catalog_bytes, read_catalog_bytes_with, BadValue};
    use super::*;

    fn read(text: &str) -> Catalog {
        read_catalog_bytes(text.as_bytes(), Path::new("products_export.csv")).unwrap()
    }

    fn ids(catalog: &Catalog) -> Vec<&str> {
        catalog.products.iter().map(|p| p.id.as_str()).collect()
    }

    #[test]
    fn shopify_exports_fold_variants_into_one_product() {
        let text = "Handle,Title,Vendor,Type,Option1 Name,Option1 Value,Option2 Name,Option2 Value,Variant SKU,Variant Price,Variant Inventory Qty\n\
                    tee,Tee,Acme,Shirts,Color,Red,Size,M,T-R-M,20.00,0\n\
                    tee,,,,,Blue,,L,T-B-L,18.00,3\n\
                    cap,Cap,,Hats,Title,Default Title,,,CAP,5,0\n";
        let catalog = read(text);
        assert_eq!(ids(&catalog), ["tee", "cap"]);
        assert_eq!(catalog.format, CatalogFormat::Shopify);
        let tee = &catalog.products[0];
        assert_eq!(
            (
                tee.title.as_str(),
                tee.category.as_str(),
                tee.brand.as_deref()
            ),
            ("Tee", "Shirts", Some("Acme"))
        );
        assert_eq!(
            (tee.color.as_deref(), tee.size.as_deref()),
            (Some("Red|Blue"), Some("M|L"))
        );
        assert_eq!(tee.aliases, ["T-R-M", "T-B-L"]);
        assert_eq!((tee.price, tee.in_stock), (Some(18.0), Some(true)));
        assert_eq!(catalog.products[1].in_stock, Some(false));
        assert!(catalog.sources[1].options.is_empty());
    }

    #[test]
    fn drafts_archived_unpublished_and_gift_cards_are_left_out_and_counted() {
        let text = "Handle,Title,Published,Variant Price,Gift Card,Status\n\
                    a,A,TRUE,1,FALSE,active\n\
                    b,B,TRUE,1,FALSE,draft\n\
                    b,,,2,,\n\
                    c,C,FALSE,1,FALSE,archived\n\
                    d,D,TRUE,10,TRUE,active\n\
                    e,E,FALSE,1,FALSE,active\n\
                    f,F,,1,FALSE,active\n";
        let catalog = read(text);
        assert_eq!(ids(&catalog), ["a", "f"]);
        let excluded: Vec<(Exclusion, usize)> =
            catalog.issues.excluded.clone().into_iter().collect();
        assert_eq!(
            excluded,
            [
                (Exclusion::Draft, 1),
                (Exclusion::Archived, 1),
                (Exclusion::Unpublished, 1),
                (Exclusion::GiftCard, 1)
            ]
        );
        let options = ReadOptions {
            include: vec![Exclusion::Draft, Exclusion::GiftCard],
        };
        let all = read_catalog_bytes_with(text.as_bytes(), Path::new("x.csv"), &options).unwrap();
        assert_eq!(ids(&all), ["a", "b", "d", "f"]);
        assert_eq!(all.products[1].price, Some(1.0));
    }

    #[test]
    fn the_newer_header_dialect_reads_the_same() {
        let text = "Title,URL handle,Description,Vendor,Product category,Type,Tags,Published on online store,Status,SKU,Option1 name,Option1 value,Price,Inventory quantity,Gift card\n\
                    Mug,mug,\"<p>A mug,\nfor tea</p>\",Acme,,Kitchen,\"DEPT_Home, blue\",TRUE,active,MUG-1,Title,Default Title,\"9,50\",4,FALSE\n";
        let catalog = read(text);
        assert_eq!(ids(&catalog), ["mug"]);
        let mug = &catalog.products[0];
        assert_eq!(
            (mug.category.as_str(), mug.price, mug.in_stock),
            ("Kitchen", Some(9.5), Some(true))
        );
        assert_eq!(mug.aliases, ["MUG-1"]);
        assert_eq!(catalog.sources[0].tags, ["DEPT_Home", "blue"]);
    }

    #[test]
    fn a_sku_two_products_use_is_no_alias_and_is_reported() {
        let catalog = read(
            "Handle,Title,Variant SKU,Variant Price\n\
             tee,Tee,SKU-1,1\n\
             tee,,TEE-2,1\n\
             cap,Cap,SKU-1,1\n\
             hat,Hat,tee,1\n",
        );
        assert_eq!(catalog.products[0].aliases, ["TEE-2"]);
        assert!(catalog.products[1].aliases.is_empty());
        assert!(catalog.products[2].aliases.is_empty());
        assert_eq!(
            catalog.issues.ambiguous_aliases,
            [
                (
                    "SKU-1".to_string(),
                    vec!["tee".to_string(), "cap".to_string()]
                ),
                (
                    "tee".to_string(),
                    vec!["tee".to_string(), "hat".to_string()]
                )
            ]
        );
    }

    #[test]
    fn bad_prices_name_line_and_column() {
        let catalog = read("Handle,Title,Variant Price\na,A,cheap\n");
        assert_eq!(
            catalog.issues.bad_values,
            [BadValue {
                line: 2,
                column: "Variant Price".into(),
                value: "cheap".into()
            }]
        );
    }
}
