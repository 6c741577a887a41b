//! WooCommerce's built-in product CSV export (Products → Export; `WC_Product_CSV_Exporter`):
//! `ID,Type,SKU,…,Name,Published,…,In stock?,Stock,…,Sale price,Regular price,Categories,
//! Tags,…,Images,…,Parent,…,Attribute 1 name,Attribute 1 value(s),Attribute 1 visible,
//! Attribute 1 global,…`.
//!
//! The exporter writes one row per product and one per variation; variations fold into their
//! parent (`Parent` is the parent's SKU, or `id:<post id>` when it has none). The product's id
//! is its post `ID`, what the Storefront theme prints in `data-product_id`; its SKU and its
//! variations' ids and SKUs are aliases. Lists are joined with `, ` and a comma inside a value
//! is written `\,`; categories are paths `Clothing > Tshirts`; `Published` is 1 (published),
//! 0 (private), -1 (draft) or 2 (pending); `In stock?` is 1, 0 or `backorder`; values that
//! start with `=`, `+`, `-` or `@` get a `'` in front (against CSV injection). Prices are in
//! the shop's decimal format (`wc_format_localized_price`).
use std::collections::BTreeMap;
use std::path::Path;

use super::csv_input::{self, normalize_id, Columns, Rows};
use super::sources::{AttributeSources, ExtraColumns};
use super::{
    add_value, lower_price, Catalog, CatalogFormat, CatalogIssues, Exclusion, Product, ReadOptions,
};

/// Whether a header is a WooCommerce product export's.
pub fn recognizes(header: &[String]) -> bool {
    let has = |name: &str| header.iter().any(|h| h == name);
    has("ID") && has("Type") && has("SKU") && (has("Parent") || has("Regular price"))
}

/// The exporter's default columns (`get_default_column_names`); any other column (plugins'
/// columns, `Meta: …`) may hold attributes and is kept as an attribute source.
const DEFAULT_COLUMNS: [&str; 40] = [
    "ID",
    "Type",
    "SKU",
    "GTIN, UPC, EAN, or ISBN",
    "Name",
    "Published",
    "Is featured?",
    "Visibility in catalog",
    "Short description",
    "Description",
    "Date sale price starts",
    "Date sale price ends",
    "Tax status",
    "Tax class",
    "In stock?",
    "Stock",
    "Low stock amount",
    "Backorders allowed?",
    "Sold individually?",
    "Allow customer reviews?",
    "Purchase note",
    "Sale price",
    "Regular price",
    "Categories",
    "Tags",
    "Shipping class",
    "Images",
    "Download limit",
    "Download expiry days",
    "Parent",
    "Grouped products",
    "Upsells",
    "Cross-sells",
    "External URL",
    "Button text",
    "Position",
    "Cost of goods",
    "Weight",
    "Length",
    "Width",
];

fn is_attribute_column(name: &str) -> bool {
    let base = name.split(" (").next().unwrap_or(name);
    !DEFAULT_COLUMNS.contains(&name)
        && !DEFAULT_COLUMNS.contains(&base)
        && base != "Height"
        && !name.starts_with("Attribute ")
        && !name.starts_with("Download ")
}

fn same_name(name: &str) -> &str {
    name
}

/// A value as the exporter escaped it, unescaped: the `'` put before `=`, `+`, `-`, `@`.
fn unescape(value: &str) -> &str {
    match value.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@']) => rest,
        _ => value,
    }
}

/// Splits a list the exporter joined with `, `, where a comma inside a value is `\,`.
pub fn split_list(text: &str) -> Vec<String> {
    let mut values = Vec::new();
    let mut current = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&',') => {
                current.push(',');
                chars.next();
            }
            ',' => values.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    values.push(current);
    values
        .into_iter()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .collect()
}

/// One row of the export, read.
struct Row {
    line: u64,
    id: String,
    is_variation: bool,
    sku: Option<String>,
    parent: Option<String>,
    published: Option<String>,
    product: Product,
    source: AttributeSources,
}

/// Reads the rows after the header.
pub fn read(
    reader: csv::Reader<&[u8]>,
    header: &[String],
    path: &Path,
    options: &ReadOptions,
) -> anyhow::Result<Catalog> {
    let columns = Columns::new(header, same_name);
    let attribute_slots: Vec<(String, String)> = (1..)
        .map(|n| {
            (
                format!("Attribute {n} name"),
                format!("Attribute {n} value(s)"),
            )
        })
        .take_while(|(name, _)| columns.has(name))
        .collect();
    let extra_columns = ExtraColumns::new(header, is_attribute_column);
    let mut issues = CatalogIssues::default();
    let mut rows = Vec::new();
    let mut records = Rows::new(reader, &columns, path);
    while let Some(row) = records.next_row(&mut issues) {
        let (record, line) = row?;
        let get = |name: &str| columns.get(&record, name).map(unescape);
        let Some(id) = get("ID").map(normalize_id) else {
            issues.missing_id_lines.push(line);
            continue;
        };
        let types = split_list(get("Type").unwrap_or_default());
        let price = get("Regular price").and_then(|value| {
            issues.read_value(line, "Regular price", value, csv_input::parse_price)
        });
        let in_stock = get("In stock?").and_then(|value| {
            issues.read_value(line, "In stock?", value, |value| match value {
                "backorder" => Some(true),
                _ => csv_input::parse_bool(value),
            })
        });
        let category = get("Categories")
            .map(split_list)
            .and_then(|paths| paths.into_iter().next())
            .unwrap_or_default();
        let mut product = Product {
            id: id.clone(),
            title: get("Name").unwrap_or_default().to_string(),
            category,
            price,
            in_stock,
            image: get("Images").and_then(|i| split_list(i).into_iter().next()),
            ..Product::default()
        };
        let mut source = AttributeSources {
            tags: get("Tags").map(split_list).unwrap_or_default(),
            ..AttributeSources::default()
        };
        for (name_column, value_column) in &attribute_slots {
            let (Some(name), Some(values)) = (get(name_column), get(value_column)) else {
                continue;
            };
            for value in split_list(values) {
                source.add_option(name, &value);
                let field = match name.to_lowercase().as_str() {
                    "color" | "colour" => &mut product.color,
                    "size" => &mut product.size,
                    "material" => &mut product.material,
                    "brand" => &mut product.brand,
                    _ => continue,
                };
                add_value(field, &value);
            }
        }
        extra_columns.add_to(&record, &mut source, unescape);
        rows.push(Row {
            line,
            id,
            is_variation: types.iter().any(|t| t == "variation"),
            sku: get("SKU").map(str::to_string),
            parent: get("Parent").map(str::to_string),
            published: get("Published").map(str::to_string),
            product,
            source,
        });
    }
    let (products, sources) = fold_variations(rows, options, &mut issues);
    Ok(Catalog {
        products,
        sources,
        columns: columns.names.clone(),
        format: CatalogFormat::WooCommerce,
        issues,
    })
}

/// Keeps parents (products that are not variations) and folds each variation into its
/// parent: its id and SKU become aliases, its price, stock and attribute values join the
/// parent's.
fn fold_variations(
    rows: Vec<Row>,
    options: &ReadOptions,
    issues: &mut CatalogIssues,
) -> (Vec<Product>, Vec<AttributeSources>) {
    let mut products = Vec::new();
    let mut sources = Vec::new();
    // Parent key (`id:<n>` and SKU) → index among kept products, or None when left out.
    let mut parents: BTreeMap<String, Option<usize>> = BTreeMap::new();
    let mut variations = Vec::new();
    for mut row in rows {
        if row.is_variation {
            variations.push(row);
            continue;
        }
        let key = format!("id:{}", row.id);
        if parents.contains_key(&key) {
            issues.duplicate_ids.push((row.id, row.line));
            continue;
        }
        let exclusion = match row.published.as_deref() {
            Some("-1") | Some("2") => Some(Exclusion::Draft),
            Some("0") => Some(Exclusion::Unpublished),
            _ => None,
        };
        let index = match exclusion.filter(|r| !options.keeps(*r)) {
            Some(reason) => {
                *issues.excluded.entry(reason).or_insert(0) += 1;
                None
            }
            None => {
                if let Some(sku) = &row.sku {
                    row.product.add_alias(sku);
                }
                products.push(row.product);
                sources.push(row.source);
                Some(products.len() - 1)
            }
        };
        parents.insert(key, index);
        if let Some(sku) = row.sku {
            parents.entry(sku).or_insert(index);
        }
    }
    for row in variations {
        let parent = row.parent.as_deref().and_then(|p| parents.get(p));
        let index = match parent {
            None => {
                issues.orphan_variation_lines.push(row.line);
                continue;
            }
            // The parent was left out and counted; its variations go with it.
            Some(None) => continue,
            Some(Some(index)) => *index,
        };
        let (product, source) = (&mut products[index], &mut sources[index]);
        product.add_alias(&row.id);
        if let Some(sku) = &row.sku {
            product.add_alias(sku);
        }
        if let Some(price) = row.product.price {
            lower_price(&mut product.price, price);
        }
        if let Some(in_stock) = row.product.in_stock {
            product.in_stock = Some(product.in_stock.unwrap_or(false) || in_stock);
        }
        for (field, value) in [
            (&mut product.color, &row.product.color),
            (&mut product.size, &row.product.size),
            (&mut product.material, &row.product.material),
        ] {
            for value in value.iter().flat_map(|v| v.split('|')) {
                add_value(field, value);
            }
        }
        for (name, value) in &row.source.options {
            source.add_option(name, value);
        }
        for (column, value) in &row.source.columns {
            source.add_column(column, value);
        }
    }
    (products, sources)
}

#[cfg(test)]
mod tests {
    use super::super::read_catalog_bytes;
    use super::*;

    const HEADER: &str = "ID,Type,SKU,Name,Published,\"In stock?\",Stock,\"Regular price\",Categories,Tags,Images,Parent,\"Attribute 1 name\",\"Attribute 1 value(s)\",\"Attribute 1 visible\",\"Attribute 1 global\"\n";

    fn read(rows: &str) -> Catalog {
        read_catalog_bytes(format!("{HEADER}{rows}").as_bytes(), Path::new("wc.csv")).unwrap()
    }

    #[test]
    fn variations_fold_into_their_parent_by_sku_or_post_id() {
        let catalog = read(
            "44,variable,woo-vneck-tee,\"V-Neck T-Shirt\",1,1,,,\"Clothing > Tshirts\",,https://x/v.jpg,,Color,\"Blue, Green\",1,1\n\
             45,simple,,Beanie,1,0,,\"18,00\",\"Clothing > Accessories, Sale\",\"warm, wool\",,,Couleur,Rouge,1,0\n\
             76,variation,woo-vneck-tee-blue,\"V-Neck - Blue\",1,1,,20,,,,woo-vneck-tee,Color,Blue,,1\n\
             77,variation,,\"V-Neck - Green\",1,0,,15,,,,id:44,Color,Green,,1\n\
             78,variation,x,Orphan,1,1,,15,,,,id:99,Color,Green,,1\n",
        );
        assert_eq!(catalog.format, CatalogFormat::WooCommerce);
        let tee = &catalog.products[0];
        assert_eq!(tee.id, "44");
        assert_eq!(
            tee.aliases,
            ["woo-vneck-tee", "76", "woo-vneck-tee-blue", "77"]
        );
        assert_eq!(
            (tee.category.as_str(), tee.price, tee.in_stock),
            ("Clothing > Tshirts", Some(15.0), Some(true))
        );
        assert_eq!(tee.color.as_deref(), Some("Blue|Green"));
        let beanie = &catalog.products[1];
        assert_eq!(
            (
                beanie.category.as_str(),
                beanie.price,
                beanie.color.as_deref()
            ),
            ("Clothing > Accessories", Some(18.0), None)
        );
        assert_eq!(catalog.sources[1].tags, ["warm", "wool"]);
        assert_eq!(
            catalog.sources[1].options,
            [("Couleur".to_string(), "Rouge".to_string())]
        );
        assert_eq!(catalog.issues.orphan_variation_lines, [6]);
    }

    #[test]
    fn drafts_and_private_products_are_left_out_with_their_variations() {
        let catalog = read(
            "1,simple,a,A,-1,1,,1,c,,,,,,,\n\
             2,variable,b,B,0,1,,,c,,,,,,,\n\
             3,variation,b-1,B1,0,1,,1,,,,b,,,,\n\
             4,simple,d,D,1,1,,1,c,,,,,,,\n",
        );
        assert_eq!(catalog.products.len(), 1);
        assert_eq!(catalog.issues.excluded[&Exclusion::Draft], 1);
        assert_eq!(catalog.issues.excluded[&Exclusion::Unpublished], 1);
        assert!(catalog.issues.orphan_variation_lines.is_empty());
    }

    #[test]
    fn lists_keep_escaped_commas_and_values_lose_the_injection_quote() {
        assert_eq!(split_list("a\\, b, c"), ["a, b", "c"]);
        assert_eq!(unescape("'-5%"), "-5%");
        assert_eq!(unescape("'quoted"), "'quoted");
    }
}
