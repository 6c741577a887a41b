//! `aisle import rees46`: the REES46 "eCommerce behavior data from multi category store" CSV
//! (`event_time,event_type,product_id,category_id,category_code,brand,price,user_id,user_session`)
//! into a catalog and events.
//!
//! Products take the category id as their category (it is never empty, unlike the code) and
//! the last segment of the category code as its friendly title. Titles are made from brand,
//! that segment and the product id ("Samsung smartphone 1004856"), since the data has none.
//! With `--categories-top`, it writes the excerpt the demo store uses: the categories (with a
//! category code) that have the most distinct products with price and brand, the products of
//! each with the most events, and every event of those products.
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use aisle::events::{Event, EventBody, LineItem, EVENT_SCHEMA_VERSION};
use anyhow::{bail, Context};
use clap::Args;

use super::write_import;
use crate::catalog::{first_lines, parse_price, Product};
use crate::dates::parse_date_time;

/// Arguments of `aisle import rees46`.
#[derive(Args)]
pub struct Rees46Args {
    /// The dataset's events CSV.
    #[arg(long)]
    pub input: PathBuf,
    /// Where to write the catalog CSV.
    #[arg(long)]
    pub catalog_out: PathBuf,
    /// Where to write the events NDJSON.
    #[arg(long)]
    pub events_out: PathBuf,
    /// Keep only this many categories: those with a category code and the most distinct
    /// products that have a price and a brand.
    #[arg(long)]
    pub categories_top: Option<usize>,
    /// With `--categories-top`: most products kept per category (those with the most events).
    #[arg(long, default_value_t = 40)]
    pub per_category: usize,
    /// With `--categories-top`: categories with fewer qualifying products are passed over.
    #[arg(long, default_value_t = 24)]
    pub min_per_category: usize,
}

/// Column names the input must have.
const COLUMNS: [&str; 9] = [
    "event_time",
    "event_type",
    "product_id",
    "category_id",
    "category_code",
    "brand",
    "price",
    "user_id",
    "user_session",
];

/// One usable row of the input.
struct Row {
    line: u64,
    ts: u64,
    kind: String,
    product: String,
    category_id: String,
    category_code: String,
    brand: String,
    price: Option<f64>,
    user: String,
    session: String,
}

/// The parsed input and what was skipped.
struct Input {
    rows: Vec<Row>,
    malformed_lines: Vec<u64>,
    unknown_types: BTreeMap<String, usize>,
}

pub fn run(args: Rees46Args) -> anyhow::Result<()> {
    let mut rows = read_rows(&args.input)?;
    if let Some(top) = args.categories_top {
        let kept = demo_products(&rows, top, args.per_category, args.min_per_category);
        if kept.is_empty() {
            bail!(
                "{}: no category has {} products with price and brand",
                args.input.display(),
                args.min_per_category
            );
        }
        rows.retain(|row| kept.contains(&row.product));
    }
    let products = catalog(&rows);
    let events = events(&rows);
    write_import(&args.catalog_out, &products, &args.events_out, &events)
}

/// Reads the events CSV into a catalog and events, warning on stderr about the rows it skips,
/// counted by reason.
pub fn read_rees46(path: &Path) -> anyhow::Result<(Vec<Product>, Vec<Event>)> {
    let rows = read_rows(path)?;
    Ok((catalog(&rows), events(&rows)))
}

/// The usable rows, after warning about the skipped ones.
fn read_rows(path: &Path) -> anyhow::Result<Vec<Row>> {
    let input = read_input(path)?;
    if !input.malformed_lines.is_empty() {
        eprintln!(
            "aisle: warning: {}: {} malformed row(s) skipped (lines {})",
            path.display(),
            input.malformed_lines.len(),
            first_lines(&input.malformed_lines)
        );
    }
    for (kind, count) in &input.unknown_types {
        eprintln!(
            "aisle: warning: {}: {count} row(s) of unknown event_type {kind:?} skipped",
            path.display()
        );
    }
    Ok(input.rows)
}

fn read_input(path: &Path) -> anyhow::Result<Input> {
    let file = path.display();
    let (mut reader, header) = crate::text_input::open_csv(path, b',', &COLUMNS)?;
    let position = |name: &str| header.iter().position(|h| h.trim() == name);
    let missing: Vec<&str> = COLUMNS
        .iter()
        .copied()
        .filter(|c| position(c).is_none())
        .collect();
    if !missing.is_empty() {
        bail!("{file}: line 1: missing column(s) {}", missing.join(", "));
    }
    let at: Vec<usize> = COLUMNS
        .iter()
        .map(|c| position(c).expect("checked above"))
        .collect();
    let mut input = Input {
        rows: Vec::new(),
        malformed_lines: Vec::new(),
        unknown_types: BTreeMap::new(),
    };
    for record in reader.records() {
        let record = record.with_context(|| format!("{file}: cannot read a row"))?;
        let line = record.position().map_or(0, |p| p.line());
        let field = |i: usize| record.get(at[i]).map(str::trim);
        let (Some(time), Some(kind), Some(product), Some(session)) =
            (field(0), field(1), field(2), field(8))
        else {
            input.malformed_lines.push(line);
            continue;
        };
        let Some(ts) = parse_date_time(time) else {
            input.malformed_lines.push(line);
            continue;
        };
        if product.is_empty() || session.is_empty() {
            input.malformed_lines.push(line);
            continue;
        }
        if !matches!(kind, "view" | "cart" | "remove_from_cart" | "purchase") {
            *input.unknown_types.entry(kind.to_string()).or_insert(0) += 1;
            continue;
        }
        input.rows.push(Row {
            line,
            ts,
            kind: kind.to_string(),
            product: product.to_string(),
            category_id: field(3).unwrap_or_default().to_string(),
            category_code: field(4).unwrap_or_default().to_string(),
            brand: field(5).unwrap_or_default().to_string(),
            price: field(6).and_then(parse_price).filter(|p| *p > 0.0),
            user: field(7).unwrap_or_default().to_string(),
            session: session.to_string(),
        });
    }
    Ok(input)
}

/// The products of the demo excerpt: see the module doc.
fn demo_products(
    rows: &[Row],
    top: usize,
    per_category: usize,
    min_per_category: usize,
) -> BTreeSet<String> {
    let mut qualifying: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    let mut event_count: BTreeMap<&str, usize> = BTreeMap::new();
    for row in rows {
        *event_count.entry(&row.product).or_insert(0) += 1;
        if !row.category_code.is_empty() && !row.brand.is_empty() && row.price.is_some() {
            qualifying
                .entry(&row.category_id)
                .or_default()
                .insert(&row.product);
        }
    }
    let mut categories: Vec<(&str, BTreeSet<&str>)> = qualifying
        .into_iter()
        .filter(|(_, products)| products.len() >= min_per_category)
        .collect();
    categories.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(b.0)));
    let mut kept = BTreeSet::new();
    for (_, products) in categories.into_iter().take(top) {
        let mut products: Vec<&str> = products.into_iter().collect();
        products.sort_by(|a, b| event_count[b].cmp(&event_count[a]).then(a.cmp(b)));
        kept.extend(products.into_iter().take(per_category).map(String::from));
    }
    kept
}

/// One product per id, with the attributes of its latest row that has them (prices move).
fn catalog(rows: &[Row]) -> Vec<Product> {
    let mut products: BTreeMap<&str, Product> = BTreeMap::new();
    for row in rows {
        let product = products.entry(&row.product).or_insert_with(|| Product {
            id: row.product.clone(),
            ..Product::default()
        });
        if !row.category_id.is_empty() {
            product.category = row.category_id.clone();
        }
        if !row.category_code.is_empty() {
            product.category_title = Some(category_title(&row.category_code));
        }
        if !row.brand.is_empty() {
            product.brand = Some(row.brand.clone());
        }
        if row.price.is_some() {
            product.price = row.price;
        }
    }
    let mut products: Vec<Product> = products.into_values().collect();
    for product in &mut products {
        product.title = title(product);
    }
    products
}

/// The last segment of a category code, capitalised: `electronics.audio.headphone` → `Headphone`.
fn category_title(code: &str) -> String {
    capitalise(&code.rsplit('.').next().unwrap_or(code).replace('_', " "))
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// "Samsung smartphone 1004856", "Samsung item 1004856" or "Item 1004856".
fn title(product: &Product) -> String {
    let kind = product
        .category_title
        .as_deref()
        .map_or("item".to_string(), str::to_lowercase);
    match &product.brand {
        Some(brand) => format!("{} {kind} {}", capitalise(brand), product.id),
        None => format!("{} {}", capitalise(&kind), product.id),
    }
}

fn events(rows: &[Row]) -> Vec<Event> {
    rows.iter()
        .map(|row| {
            let product = row.product.clone();
            let body = match row.kind.as_str() {
                "view" => EventBody::ProductView { product },
                "cart" => EventBody::AddToCart {
                    product,
                    quantity: 1,
                    price: row.price,
                },
                "remove_from_cart" => EventBody::RemoveFromCart {
                    product,
                    quantity: 1,
                },
                _ => EventBody::Purchase {
                    order_id: None,
                    revenue: row.price,
                    currency: None,
                    items: vec![LineItem {
                        product,
                        quantity: 1,
                        price: row.price,
                    }],
                },
            };
            Event {
                v: EVENT_SCHEMA_VERSION,
                id: format!("rees46-{}", row.line),
                ts: row.ts,
                visitor: if row.user.is_empty() {
                    row.session.clone()
                } else {
                    row.user.clone()
                },
                session: row.session.clone(),
                arms: BTreeMap::new(),
                body,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_title(brand: Option<&str>, code: Option<&str>, expected: &str) {
        let product = Product {
            id: "7".into(),
            brand: brand.map(String::from),
            category_title: code.map(category_title),
            ..Product::default()
        };
        assert_eq!(title(&product), expected);
    }

    #[test]
    fn titles_come_from_brand_and_category() {
        check_title(
            Some("samsung"),
            Some("electronics.smartphone"),
            "Samsung smartphone 7",
        );
        check_title(Some("apple"), None, "Apple item 7");
        check_title(None, Some("computers.notebook"), "Notebook 7");
        check_title(None, None, "Item 7");
        assert_eq!(
            category_title("appliances.environment.water_heater"),
            "Water heater"
        );
    }
}
