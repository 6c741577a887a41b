//! Reading and writing catalogs: aisle's own catalog CSV, and a Shopify product export
//! accepted as it is.
//!
//! aisle's CSV has the columns `id,title,category,price,brand` and optionally
//! `category_title,color,size,material,in_stock,url,image`, in any order. A Shopify export is
//! recognised by its `Handle` and `Variant Price` columns; its variant rows fold into one
//! product per handle. Rows that cannot be used are skipped and counted, never dropped
//! silently; a file that cannot be read at all is an error naming the file and line.
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use anyhow::{bail, Context};
use serde::Serialize;

/// Columns aisle's catalog CSV must have.
pub const REQUIRED_COLUMNS: [&str; 5] = ["id", "title", "category", "price", "brand"];
/// Columns aisle's catalog CSV may have.
pub const OPTIONAL_COLUMNS: [&str; 7] = [
    "category_title",
    "color",
    "size",
    "material",
    "in_stock",
    "url",
    "image",
];

/// One product of the catalog.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Product {
    /// The id the shop's grid uses for this product.
    pub id: String,
    /// Every other id the shop uses for this same product (Shopify handle, product id, variant
    /// ids and SKUs, WooCommerce post id and SKU, GA4 channel ids), resolved to `id`.
    pub aliases: Vec<String>,
    /// Display title.
    pub title: String,
    /// Category id or path; grids are per category.
    pub category: String,
    /// A friendly category name, when the category is an opaque id.
    pub category_title: Option<String>,
    /// Unit price, when known.
    pub price: Option<f64>,
    /// Brand or vendor.
    pub brand: Option<String>,
    /// Colour(s), `|`-separated.
    pub color: Option<String>,
    /// Size(s), `|`-separated.
    pub size: Option<String>,
    /// Material(s), `|`-separated.
    pub material: Option<String>,
    /// Whether the product can be bought now.
    pub in_stock: Option<bool>,
    /// Product page URL.
    pub url: Option<String>,
    /// Image URL.
    pub image: Option<String>,
}

/// Which kind of file a catalog came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CatalogFormat {
    /// aisle's own CSV.
    Aisle,
    /// A Shopify product export.
    Shopify,
}

/// Everything that was odd about a catalog file, with counts.
#[derive(Clone, Debug, Default, Serialize)]
pub struct CatalogIssues {
    /// Data rows read (variant rows included for Shopify).
    pub rows: usize,
    /// Columns the reader does not know; they are ignored.
    pub unknown_columns: Vec<String>,
    /// Rows with a different number of fields than the header, skipped (line numbers).
    pub malformed_lines: Vec<u64>,
    /// Rows without an id, skipped (line numbers).
    pub missing_id_lines: Vec<u64>,
    /// Ids that appear on more than one row; the first row wins (id, line of the repeat).
    pub duplicate_ids: Vec<(String, u64)>,
    /// Prices that are not a non-negative number; the product keeps no price (line numbers).
    pub bad_price_lines: Vec<u64>,
    /// `in_stock` values that are not a boolean; the product keeps no stock flag (line numbers).
    pub bad_stock_lines: Vec<u64>,
}

impl CatalogIssues {
    /// One line per kind of problem, for warnings on stderr.
    pub fn warnings(&self, path: &Path) -> Vec<String> {
        let file = path.display();
        let mut out = Vec::new();
        if !self.unknown_columns.is_empty() {
            out.push(format!(
                "{file}: ignored {} unknown column(s): {}",
                self.unknown_columns.len(),
                self.unknown_columns.join(", ")
            ));
        }
        let mut lines = |what: &str, lines: &[u64]| {
            if !lines.is_empty() {
                out.push(format!(
                    "{file}: {} {what} (lines {})",
                    lines.len(),
                    first_lines(lines)
                ));
            }
        };
        lines("malformed row(s) skipped", &self.malformed_lines);
        lines("row(s) without an id skipped", &self.missing_id_lines);
        lines(
            "price(s) that are not a non-negative number, kept without price",
            &self.bad_price_lines,
        );
        lines(
            "in_stock value(s) that are not true/false, kept without stock",
            &self.bad_stock_lines,
        );
        if !self.duplicate_ids.is_empty() {
            let sample: Vec<String> = self
                .duplicate_ids
                .iter()
                .take(5)
                .map(|(id, line)| format!("{id:?} at line {line}"))
                .collect();
            out.push(format!(
                "{file}: {} duplicate id(s), first row kept: {}",
                self.duplicate_ids.len(),
                sample.join(", ")
            ));
        }
        out
    }
}

/// Up to five line numbers, then an ellipsis.
pub fn first_lines(lines: &[u64]) -> String {
    let mut text: Vec<String> = lines.iter().take(5).map(u64::to_string).collect();
    if lines.len() > 5 {
        text.push("…".into());
    }
    text.join(", ")
}

/// A catalog read from a file.
#[derive(Clone, Debug)]
pub struct Catalog {
    /// Products in file order, ids unique.
    pub products: Vec<Product>,
    /// What kind of file it was.
    pub format: CatalogFormat,
    /// What was odd about it.
    pub issues: CatalogIssues,
}

/// Reads a catalog, detecting aisle's CSV or a Shopify export from the header.
pub fn read_catalog(path: &Path) -> anyhow::Result<Catalog> {
    let bytes =
        std::fs::read(path).with_context(|| format!("cannot read catalog {}", path.display()))?;
    read_catalog_bytes(&bytes, path)
}

/// Reads a catalog from bytes; `path` only names the file in messages.
pub fn read_catalog_bytes(bytes: &[u8], path: &Path) -> anyhow::Result<Catalog> {
    let file = path.display();
    if bytes.iter().all(u8::is_ascii_whitespace) {
        bail!(
            "{file}: the catalog is empty (expected a header line with {})",
            REQUIRED_COLUMNS.join(",")
        );
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let bytes = without_carriage_returns(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(bytes.as_slice());
    let header: Vec<String> = reader
        .headers()
        .with_context(|| format!("{file}: line 1: cannot read the header"))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let columns = Columns::new(&header);
    if columns.has("Handle") && columns.has("Variant Price") {
        read_shopify(reader, &columns, path)
    } else {
        read_aisle(reader, &columns, path)
    }
}

/// The bytes with every `\r` before a `\n` removed. The csv crate reports line numbers one
/// short after CRLF line ends; with LF only, the lines in messages are right.
pub fn without_carriage_returns(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    for (i, &b) in bytes.iter().enumerate() {
        if !(b == b'\r' && bytes.get(i + 1) == Some(&b'\n')) {
            out.push(b);
        }
    }
    out
}

/// A reader that drops `\r` bytes, for streaming CSV files with CRLF line ends (see
/// [`without_carriage_returns`]). Data files never need a bare `\r` inside a field.
pub struct DropCarriageReturns<R>(pub R);

impl<R: std::io::Read> std::io::Read for DropCarriageReturns<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        loop {
            let n = self.0.read(buf)?;
            if n == 0 {
                return Ok(0);
            }
            let mut kept = 0;
            for i in 0..n {
                if buf[i] != b'\r' {
                    buf[kept] = buf[i];
                    kept += 1;
                }
            }
            if kept > 0 {
                return Ok(kept);
            }
        }
    }
}

/// Header names to positions.
struct Columns {
    names: Vec<String>,
    by_name: BTreeMap<String, usize>,
}

impl Columns {
    fn new(header: &[String]) -> Columns {
        let mut by_name = BTreeMap::new();
        for (i, name) in header.iter().enumerate() {
            by_name.entry(name.clone()).or_insert(i);
        }
        Columns {
            names: header.to_vec(),
            by_name,
        }
    }

    fn has(&self, name: &str) -> bool {
        self.by_name.contains_key(name)
    }

    /// The trimmed, non-empty value of a column in a record.
    fn get<'r>(&self, record: &'r csv::StringRecord, name: &str) -> Option<&'r str> {
        let value = record.get(*self.by_name.get(name)?)?.trim();
        (!value.is_empty()).then_some(value)
    }
}

fn read_aisle(
    mut reader: csv::Reader<&[u8]>,
    columns: &Columns,
    path: &Path,
) -> anyhow::Result<Catalog> {
    let file = path.display();
    let missing: Vec<&str> = REQUIRED_COLUMNS
        .iter()
        .copied()
        .filter(|c| !columns.has(c))
        .collect();
    if !missing.is_empty() {
        bail!(
            "{file}: line 1: missing column(s) {} (an aisle catalog needs {}; a Shopify export needs Handle and Variant Price)",
            missing.join(", "),
            REQUIRED_COLUMNS.join(",")
        );
    }
    let mut issues = CatalogIssues {
        unknown_columns: columns
            .names
            .iter()
            .filter(|n| {
                !REQUIRED_COLUMNS.contains(&n.as_str()) && !OPTIONAL_COLUMNS.contains(&n.as_str())
            })
            .cloned()
            .collect(),
        ..CatalogIssues::default()
    };
    let mut products = Vec::new();
    let mut seen = BTreeSet::new();
    for record in reader.records() {
        let record = record.with_context(|| format!("{file}: cannot read a row"))?;
        let line = record.position().map_or(0, |p| p.line());
        issues.rows += 1;
        if record.len() != columns.names.len() {
            issues.malformed_lines.push(line);
            continue;
        }
        let Some(id) = columns.get(&record, "id") else {
            issues.missing_id_lines.push(line);
            continue;
        };
        if !seen.insert(id.to_string()) {
            issues.duplicate_ids.push((id.to_string(), line));
            continue;
        }
        let text = |name: &str| columns.get(&record, name).map(str::to_string);
        let price = match columns.get(&record, "price") {
            None => None,
            Some(value) => match parse_price(value) {
                Some(price) => Some(price),
                None => {
                    issues.bad_price_lines.push(line);
                    None
                }
            },
        };
        let in_stock = match columns.get(&record, "in_stock") {
            None => None,
            Some(value) => match parse_bool(value) {
                Some(flag) => Some(flag),
                None => {
                    issues.bad_stock_lines.push(line);
                    None
                }
            },
        };
        products.push(Product {
            id: id.to_string(),
            title: text("title").unwrap_or_default(),
            category: text("category").unwrap_or_default(),
            category_title: text("category_title"),
            price,
            brand: text("brand"),
            color: text("color"),
            size: text("size"),
            material: text("material"),
            in_stock,
            url: text("url"),
            image: text("image"),
            aliases: Vec::new(),
        });
    }
    Ok(Catalog {
        products,
        format: CatalogFormat::Aisle,
        issues,
    })
}

/// Shopify columns aisle reads; all others are ignored without a warning (exports have many).
const SHOPIFY_OPTION_COLUMNS: [(&str, &str); 3] = [
    ("Option1 Name", "Option1 Value"),
    ("Option2 Name", "Option2 Value"),
    ("Option3 Name", "Option3 Value"),
];

/// Per handle: its position in the product list, the option names of its first row, and
/// whether any variant had stock.
type HandleState = (usize, [Option<String>; 3], Option<bool>);

fn read_shopify(
    mut reader: csv::Reader<&[u8]>,
    columns: &Columns,
    path: &Path,
) -> anyhow::Result<Catalog> {
    let file = path.display();
    let mut issues = CatalogIssues::default();
    let mut products: Vec<Product> = Vec::new();
    let mut by_handle: BTreeMap<String, HandleState> = BTreeMap::new();
    let mut last_handle: Option<String> = None;
    for record in reader.records() {
        let record = record.with_context(|| format!("{file}: cannot read a row"))?;
        let line = record.position().map_or(0, |p| p.line());
        issues.rows += 1;
        if record.len() != columns.names.len() {
            issues.malformed_lines.push(line);
            continue;
        }
        let Some(handle) = columns.get(&record, "Handle") else {
            issues.missing_id_lines.push(line);
            continue;
        };
        let is_first_row = !by_handle.contains_key(handle);
        if is_first_row {
            let category = columns
                .get(&record, "Type")
                .or_else(|| columns.get(&record, "Product Category"))
                .unwrap_or_default();
            let option_names = SHOPIFY_OPTION_COLUMNS
                .map(|(name, _)| columns.get(&record, name).map(|n| n.to_ascii_lowercase()));
            products.push(Product {
                id: handle.to_string(),
                title: columns
                    .get(&record, "Title")
                    .unwrap_or_default()
                    .to_string(),
                category: category.to_string(),
                brand: columns.get(&record, "Vendor").map(str::to_string),
                image: columns.get(&record, "Image Src").map(str::to_string),
                ..Product::default()
            });
            by_handle.insert(handle.to_string(), (products.len() - 1, option_names, None));
        } else if last_handle.as_deref() != Some(handle) {
            // A handle that comes back after other handles: Shopify never writes that.
            issues.duplicate_ids.push((handle.to_string(), line));
            continue;
        }
        last_handle = Some(handle.to_string());
        let (index, option_names, stock) = by_handle.get_mut(handle).expect("inserted above");
        let product = &mut products[*index];
        if let Some(value) = columns.get(&record, "Variant Price") {
            match parse_price(value) {
                Some(price) => {
                    product.price = Some(product.price.map_or(price, |p: f64| p.min(price)))
                }
                None => issues.bad_price_lines.push(line),
            }
        }
        for (slot, (_, value_column)) in SHOPIFY_OPTION_COLUMNS.iter().enumerate() {
            let (Some(name), Some(value)) = (
                option_names[slot].as_deref(),
                columns.get(&record, value_column),
            ) else {
                continue;
            };
            let field = match name {
                "color" | "colour" => &mut product.color,
                "size" => &mut product.size,
                "material" => &mut product.material,
                _ => continue,
            };
            add_value(field, value);
        }
        if let Some(quantity) = columns.get(&record, "Variant Inventory Qty") {
            match quantity.parse::<i64>() {
                Ok(q) => *stock = Some(stock.unwrap_or(false) || q > 0),
                Err(_) => issues.bad_stock_lines.push(line),
            }
        }
        product.in_stock = *stock;
    }
    Ok(Catalog {
        products,
        format: CatalogFormat::Shopify,
        issues,
    })
}

/// Adds a value to a `|`-separated list unless it is already there.
fn add_value(field: &mut Option<String>, value: &str) {
    match field {
        None => *field = Some(value.to_string()),
        Some(list) => {
            if !list.split('|').any(|v| v == value) {
                list.push('|');
                list.push_str(value);
            }
        }
    }
}

/// A non-negative finite price; tolerates a currency symbol or a thousands comma.
pub fn parse_price(value: &str) -> Option<f64> {
    let cleaned: String = value
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '.' || *c == '-')
        .collect();
    let price: f64 = cleaned.parse().ok()?;
    (price.is_finite() && price >= 0.0).then_some(price)
}

fn parse_bool(value: &str) -> Option<bool> {
    match value.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "y" | "in_stock" | "instock" => Some(true),
        "false" | "0" | "no" | "n" | "out_of_stock" | "outofstock" => Some(false),
        _ => None,
    }
}

/// Writes products as aisle's catalog CSV, with the optional columns any product uses.
pub fn write_catalog(path: &Path, products: &[Product]) -> anyhow::Result<()> {
    let mut writer = csv::Writer::from_path(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    let has = |f: fn(&Product) -> bool| products.iter().any(f);
    let optional: Vec<&str> = [
        ("category_title", has(|p| p.category_title.is_some())),
        ("color", has(|p| p.color.is_some())),
        ("size", has(|p| p.size.is_some())),
        ("material", has(|p| p.material.is_some())),
        ("in_stock", has(|p| p.in_stock.is_some())),
        ("url", has(|p| p.url.is_some())),
        ("image", has(|p| p.image.is_some())),
    ]
    .into_iter()
    .filter_map(|(name, used)| used.then_some(name))
    .collect();
    let mut header: Vec<&str> = REQUIRED_COLUMNS.to_vec();
    header.extend(&optional);
    writer.write_record(&header)?;
    for product in products {
        let mut row = vec![
            product.id.clone(),
            product.title.clone(),
            product.category.clone(),
            product.price.map(format_price).unwrap_or_default(),
            product.brand.clone().unwrap_or_default(),
        ];
        for name in &optional {
            row.push(match *name {
                "category_title" => product.category_title.clone().unwrap_or_default(),
                "color" => product.color.clone().unwrap_or_default(),
                "size" => product.size.clone().unwrap_or_default(),
                "material" => product.material.clone().unwrap_or_default(),
                "in_stock" => product.in_stock.map(|s| s.to_string()).unwrap_or_default(),
                "url" => product.url.clone().unwrap_or_default(),
                _ => product.image.clone().unwrap_or_default(),
            });
        }
        writer.write_record(&row)?;
    }
    writer
        .flush()
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// Prices with at most two decimals and no trailing zeros beyond them.
pub fn format_price(price: f64) -> String {
    format!("{price:.2}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> anyhow::Result<Catalog> {
        read_catalog_bytes(text.as_bytes(), Path::new("test.csv"))
    }

    fn check(text: &str, expected_ids: &[&str]) -> Catalog {
        let catalog = read(text).unwrap();
        assert_eq!(
            catalog
                .products
                .iter()
                .map(|p| p.id.as_str())
                .collect::<Vec<_>>(),
            expected_ids
        );
        catalog
    }

    fn check_error(text: &str, expected_fragment: &str) {
        let error = format!("{:#}", read(text).unwrap_err());
        assert!(
            error.contains(expected_fragment),
            "{error:?} should contain {expected_fragment:?}"
        );
    }

    #[test]
    fn aisle_catalogs_read_in_any_column_order() {
        let catalog = check(
            "brand,id,price,title,category,color\nacme,a,9.50,Shoe,shoes,red\n,b,,Hat,hats,\n",
            &["a", "b"],
        );
        assert_eq!(catalog.products[0].price, Some(9.5));
        assert_eq!(catalog.products[0].color.as_deref(), Some("red"));
        assert_eq!(catalog.products[1].brand, None);
        assert_eq!(catalog.format, CatalogFormat::Aisle);
    }

    #[test]
    fn bad_rows_are_counted_not_dropped_silently() {
        let catalog = check(
            "id,title,category,price,brand,extra\na,A,c,1,b,x\na,A2,c,1,b,x\n,B,c,1,b,x\nc,C,c,cheap,b,x\nd,D,c\n",
            &["a", "c"],
        );
        assert_eq!(catalog.issues.unknown_columns, ["extra"]);
        assert_eq!(catalog.issues.duplicate_ids, [("a".to_string(), 3)]);
        assert_eq!(catalog.issues.missing_id_lines, [4]);
        assert_eq!(catalog.issues.bad_price_lines, [5]);
        assert_eq!(catalog.issues.malformed_lines, [6]);
        assert_eq!(catalog.issues.rows, 5);
    }

    #[test]
    fn unusable_files_are_errors_naming_the_file() {
        check_error("", "test.csv: the catalog is empty");
        check_error("  \n", "the catalog is empty");
        check_error(
            "id,title\na,A\n",
            "test.csv: line 1: missing column(s) category, price, brand",
        );
    }

    #[test]
    fn shopify_exports_fold_variants_into_one_product() {
        let text = "Handle,Title,Vendor,Type,Option1 Name,Option1 Value,Option2 Name,Option2 Value,Variant Price,Variant Inventory Qty\n\
                    tee,Tee,Acme,Shirts,Color,Red,Size,M,20.00,0\n\
                    tee,,,,,Blue,,L,18.00,3\n\
                    cap,Cap,,Hats,Title,Default Title,,,5,0\n";
        let catalog = check(text, &["tee", "cap"]);
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
        assert_eq!((tee.price, tee.in_stock), (Some(18.0), Some(true)));
        assert_eq!(catalog.products[1].in_stock, Some(false));
    }

    #[test]
    fn line_numbers_are_right_with_crlf_line_ends() {
        let catalog = check(
            "id,title,category,price,brand\r\na,A,c,1,b\r\nbad\r\nc,C,c,1,b\r\nbad2\n",
            &["a", "c"],
        );
        assert_eq!(catalog.issues.malformed_lines, [3, 5]);
    }

    #[test]
    fn prices_tolerate_symbols() {
        assert_eq!(parse_price("$1,299.00"), Some(1299.0));
        assert_eq!(parse_price("-3"), None);
        assert_eq!(parse_price("free"), None);
    }
}
