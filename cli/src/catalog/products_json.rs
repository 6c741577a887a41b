//! A Shopify shop's `products.json`: the storefront's public `https://<shop>/products.json`
//! (`products[].id, handle, title, vendor, product_type, tags[], variants[].id, sku, price,
//! available, option1..3, options[].name/values, images[].src`) or the Admin API's
//! `products.json` (tags as one comma-separated string, a `status`).
//!
//! It is the one file a merchant has that holds Shopify's numeric product and variant ids,
//! the ids Dawn prints on cards and GA4 channel ids (`shopify_US_<product id>_<variant id>`)
//! carry. It is read as a catalog of its own, or folded into a CSV export's products by
//! handle (`--ids`): the product id, the variant ids and the SKUs become aliases.
use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{bail, Context};
use serde::Deserialize;

use super::csv_input::{self, normalize_id};
use super::sources::{split_tags, AttributeSources};
use super::{
    add_value, lower_price, Catalog, CatalogFormat, CatalogIssues, Exclusion, Product, ReadOptions,
};

#[derive(Deserialize)]
struct ProductsFile {
    products: Vec<serde_json::Value>,
}

#[derive(Deserialize)]
struct JsonProduct {
    id: serde_json::Value,
    handle: String,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    vendor: Option<String>,
    #[serde(default)]
    product_type: Option<String>,
    #[serde(default)]
    tags: Option<serde_json::Value>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    variants: Vec<JsonVariant>,
    #[serde(default)]
    options: Vec<JsonOption>,
    #[serde(default)]
    images: Vec<JsonImage>,
}

#[derive(Deserialize)]
struct JsonVariant {
    id: serde_json::Value,
    #[serde(default)]
    sku: Option<String>,
    #[serde(default)]
    price: Option<serde_json::Value>,
    #[serde(default)]
    available: Option<bool>,
    #[serde(default)]
    option1: Option<String>,
    #[serde(default)]
    option2: Option<String>,
    #[serde(default)]
    option3: Option<String>,
}

#[derive(Deserialize)]
struct JsonOption {
    name: String,
}

#[derive(Deserialize)]
struct JsonImage {
    src: String,
}

/// An id written as a JSON number or string, as text.
fn id_text(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::String(s) => Some(normalize_id(s)).filter(|s| !s.is_empty()),
        _ => None,
    }
}

/// Tags as an array (storefront) or a comma-separated string (Admin API).
fn tags(value: &Option<serde_json::Value>) -> Vec<String> {
    match value {
        Some(serde_json::Value::Array(items)) => items
            .iter()
            .filter_map(|t| t.as_str())
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .collect(),
        Some(serde_json::Value::String(text)) => split_tags(text),
        _ => Vec::new(),
    }
}

/// Parses the file: its products, and the ones that could not be read (position, reason).
fn parse(bytes: &[u8], path: &Path) -> anyhow::Result<(Vec<JsonProduct>, Vec<String>)> {
    let file = path.display();
    let products: ProductsFile = serde_json::from_slice(bytes).with_context(|| {
        format!("{file}: not a Shopify products.json (expected {{\"products\": [...]}})")
    })?;
    let mut read = Vec::new();
    let mut unreadable = Vec::new();
    for (position, value) in products.products.into_iter().enumerate() {
        match serde_json::from_value::<JsonProduct>(value) {
            Ok(product) => read.push(product),
            Err(error) => unreadable.push(format!("products[{position}]: {error}")),
        }
    }
    Ok((read, unreadable))
}

/// Reads `products.json` as a catalog.
pub fn read_catalog(bytes: &[u8], path: &Path, options: &ReadOptions) -> anyhow::Result<Catalog> {
    let file = path.display();
    let (json_products, unreadable) = parse(bytes, path)?;
    if let Some(first) = unreadable.first() {
        bail!(
            "{file}: {} product(s) cannot be read, first: {first}",
            unreadable.len()
        );
    }
    let mut issues = CatalogIssues {
        rows: json_products.len(),
        ..CatalogIssues::default()
    };
    let mut products = Vec::new();
    let mut sources = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for (position, json) in json_products.iter().enumerate() {
        let exclusion = match json.status.as_deref() {
            Some("draft") => Some(Exclusion::Draft),
            Some("archived") => Some(Exclusion::Archived),
            _ => None,
        };
        if let Some(reason) = exclusion.filter(|r| !options.keeps(*r)) {
            *issues.excluded.entry(reason).or_insert(0) += 1;
            continue;
        }
        let handle = json.handle.trim();
        if handle.is_empty() {
            issues.missing_id_lines.push(position as u64 + 1);
            continue;
        }
        if !seen.insert(handle.to_string()) {
            issues
                .duplicate_ids
                .push((handle.to_string(), position as u64 + 1));
            continue;
        }
        let mut product = Product {
            id: handle.to_string(),
            title: json.title.clone().unwrap_or_default(),
            category: json.product_type.clone().unwrap_or_default(),
            brand: json.vendor.clone().filter(|v| !v.is_empty()),
            image: json.images.first().map(|i| i.src.clone()),
            url: Some(format!("/products/{handle}")),
            ..Product::default()
        };
        let mut source = AttributeSources {
            tags: tags(&json.tags),
            ..AttributeSources::default()
        };
        add_ids(&mut product, json);
        for variant in &json.variants {
            if let Some(price) = &variant.price {
                let text = match price {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                match csv_input::parse_price(&text) {
                    Some(price) => lower_price(&mut product.price, price),
                    None => issues.bad_value(position as u64 + 1, "variants[].price", &text),
                }
            }
            if let Some(available) = variant.available {
                product.in_stock = Some(product.in_stock.unwrap_or(false) || available);
            }
            let values = [&variant.option1, &variant.option2, &variant.option3];
            for (option, value) in json.options.iter().zip(values) {
                let Some(value) = value.as_deref().filter(|v| !v.is_empty()) else {
                    continue;
                };
                if option.name == "Title" && value == "Default Title" {
                    continue;
                }
                source.add_option(&option.name, value);
                let field = match option.name.to_lowercase().as_str() {
                    "color" | "colour" => &mut product.color,
                    "size" => &mut product.size,
                    "material" => &mut product.material,
                    _ => continue,
                };
                add_value(field, value);
            }
        }
        products.push(product);
        sources.push(source);
    }
    Ok(Catalog {
        products,
        sources,
        columns: Vec::new(),
        format: CatalogFormat::ShopifyProductsJson,
        issues,
    })
}

/// Adds a JSON product's ids to a product: product id, variant ids, SKUs.
fn add_ids(product: &mut Product, json: &JsonProduct) {
    if let Some(id) = id_text(&json.id) {
        product.add_alias(&id);
    }
    for variant in &json.variants {
        if let Some(id) = id_text(&variant.id) {
            product.add_alias(&id);
        }
        if let Some(sku) = variant.sku.as_deref().filter(|s| !s.trim().is_empty()) {
            product.add_alias(sku);
        }
    }
}

/// Folds a `products.json`'s ids into a catalog keyed by handle (`--ids`). Handles the file
/// names that the catalog lacks, and catalog products the file lacks, are counted in
/// `issues.id_map_notes`.
pub fn fold_ids(catalog: &mut Catalog, path: &Path) -> anyhow::Result<()> {
    let file = path.display();
    let bytes = std::fs::read(path).with_context(|| format!("cannot read id map {file}"))?;
    let (json_products, unreadable) = parse(&bytes, path)?;
    let by_handle: BTreeMap<&str, usize> = catalog
        .products
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id.as_str(), i))
        .collect();
    let mut matched = vec![false; catalog.products.len()];
    let mut additions = Vec::new();
    let mut not_in_catalog = Vec::new();
    for json in &json_products {
        match by_handle.get(json.handle.trim()) {
            Some(&index) => {
                matched[index] = true;
                additions.push((index, json));
            }
            None => not_in_catalog.push(json.handle.clone()),
        }
    }
    for (index, json) in additions {
        add_ids(&mut catalog.products[index], json);
    }
    let notes = &mut catalog.issues.id_map_notes;
    if !unreadable.is_empty() {
        notes.push(format!(
            "{file}: {} product(s) cannot be read and give no ids, first: {}",
            unreadable.len(),
            unreadable[0]
        ));
    }
    if !not_in_catalog.is_empty() {
        notes.push(format!(
            "{file}: {} handle(s) are not in the catalog (left out there, or a different shop?): {}",
            not_in_catalog.len(),
            not_in_catalog.iter().take(5).cloned().collect::<Vec<_>>().join(", ")
        ));
    }
    let without: Vec<&str> = catalog
        .products
        .iter()
        .zip(&matched)
        .filter(|(_, m)| !**m)
        .map(|(p, _)| p.id.as_str())
        .collect();
    if !without.is_empty() {
        notes.push(format!(
            "{file}: {} catalog product(s) have no Shopify ids (not on the storefront: drafts, unpublished?): {}",
            without.len(),
            without.iter().take(5).copied().collect::<Vec<_>>().join(", ")
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::read_catalog_bytes;
    use super::*;

    const STOREFRONT: &str = r#"{"products":[{"id":7520917291110,"title":"Robe lin","handle":"robe-lin","body_html":"<p>Lin</p>","vendor":"Atelier","product_type":"","tags":["DEPT_Femme","SUBDEPT_Robes"],"variants":[{"id":42288416063590,"title":"S","option1":"S","option2":null,"option3":null,"sku":"RL-S","requires_shipping":true,"taxable":true,"featured_image":null,"available":false,"price":"89.00","grams":300,"compare_at_price":null,"position":1,"product_id":7520917291110},{"id":"42288416096358","title":"M","option1":"M","option2":null,"option3":null,"sku":"RL-M","available":true,"price":"79.00","position":2,"product_id":7520917291110}],"images":[{"id":1,"src":"https://cdn.shopify.com/robe.jpg","position":1}],"options":[{"name":"Taille","position":1,"values":["S","M"]}]}]}"#;

    #[test]
    fn a_storefront_products_json_is_a_catalog_with_every_id() {
        let catalog =
            read_catalog_bytes(STOREFRONT.as_bytes(), Path::new("products.json")).unwrap();
        assert_eq!(catalog.format, CatalogFormat::ShopifyProductsJson);
        let robe = &catalog.products[0];
        assert_eq!(robe.id, "robe-lin");
        assert_eq!(
            robe.aliases,
            [
                "7520917291110",
                "42288416063590",
                "RL-S",
                "42288416096358",
                "RL-M"
            ]
        );
        assert_eq!((robe.price, robe.in_stock), (Some(79.0), Some(true)));
        assert_eq!(robe.size, None);
        assert_eq!(
            catalog.sources[0].options,
            [
                ("Taille".to_string(), "S".to_string()),
                ("Taille".into(), "M".into())
            ]
        );
        assert_eq!(catalog.sources[0].tags, ["DEPT_Femme", "SUBDEPT_Robes"]);
    }

    #[test]
    fn not_a_products_json_is_an_error_naming_the_file() {
        let error = read_catalog_bytes(b"{\"items\": []}", Path::new("p.json")).unwrap_err();
        assert!(format!("{error:#}").contains("p.json: not a Shopify products.json"));
    }
}
