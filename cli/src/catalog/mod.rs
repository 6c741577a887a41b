//! Catalogs: every export a shop already has, read into one in-memory shape ([`Product`]).
//!
//! Readers: aisle's own CSV (`aisle_csv`), a Shopify product export (`shopify`, both header
//! dialects), a Shopify storefront `/products.json` (`products_json`, as a catalog or as the
//! id map beside a CSV), and WooCommerce's built-in product CSV export (`woocommerce`). The
//! format is detected from the file. All of them tolerate a BOM, CRLF line ends, quoted
//! newlines and semicolon-separated files (`csv_input`). Rows that cannot be used are
//! skipped and counted by reason, products a shop does not show (drafts, archived products,
//! gift cards) are left out and counted, never dropped silently; a file that cannot be read
//! at all is an error naming the file and line. A mapping file (`mapping`) says where
//! attributes live when the export keeps them elsewhere (tags, options in other languages,
//! other columns); `propose` finds such places for the audit.
pub mod aisle_csv;
pub mod csv_input;
pub mod fill;
pub mod mapping;
pub mod products_json;
pub mod propose;
pub mod shopify;
pub mod sources;
pub mod woocommerce;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use serde::Serialize;

pub use csv_input::parse_price;
pub use sources::AttributeSources;

/// Columns aisle's catalog CSV must have.
pub const REQUIRED_COLUMNS: [&str; 5] = ["id", "title", "category", "price", "brand"];
/// Columns aisle's catalog CSV may have. `aliases` holds the product's other ids,
/// `|`-separated.
pub const OPTIONAL_COLUMNS: [&str; 8] = [
    "aliases",
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

impl Product {
    /// Adds an alias unless it is the id or already there.
    pub fn add_alias(&mut self, alias: &str) {
        let alias = csv_input::normalize_id(alias);
        if !alias.is_empty() && alias != self.id && !self.aliases.contains(&alias) {
            self.aliases.push(alias);
        }
    }
}

/// Which kind of file a catalog came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CatalogFormat {
    /// aisle's own CSV.
    Aisle,
    /// A Shopify product export (CSV).
    Shopify,
    /// A Shopify storefront `/products.json` (or the Admin API's `products.json`).
    ShopifyProductsJson,
    /// WooCommerce's product CSV export.
    WooCommerce,
}

impl CatalogFormat {
    /// A name for people.
    pub fn describe(self) -> &'static str {
        match self {
            CatalogFormat::Aisle => "aisle CSV",
            CatalogFormat::Shopify => "Shopify product export",
            CatalogFormat::ShopifyProductsJson => "Shopify products.json",
            CatalogFormat::WooCommerce => "WooCommerce product export",
        }
    }
}

/// Why a product of the export is left out of the catalog by default.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Exclusion {
    /// Shopify `Status` draft, WooCommerce `Published` -1 (draft) or 2 (pending review).
    Draft,
    /// Shopify `Status` archived.
    Archived,
    /// Not on the online store: Shopify `Published` FALSE, WooCommerce private (0).
    Unpublished,
    /// Shopify `Gift Card` TRUE: not a product a grid should rank.
    GiftCard,
}

impl Exclusion {
    pub fn name(self) -> &'static str {
        match self {
            Exclusion::Draft => "draft",
            Exclusion::Archived => "archived",
            Exclusion::Unpublished => "unpublished",
            Exclusion::GiftCard => "gift-card",
        }
    }
}

/// A value that is not what its column holds; the product keeps no value for it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BadValue {
    pub line: u64,
    pub column: String,
    pub value: String,
}

/// Everything that was odd about a catalog file, with counts.
#[derive(Clone, Debug, Default, Serialize)]
pub struct CatalogIssues {
    /// Data rows read (variant rows included).
    pub rows: usize,
    /// The field delimiter when it was not a comma (`semicolon`, `tab`).
    pub delimiter: Option<String>,
    /// The text encoding when the file was not UTF-8 (`windows-1252`).
    pub encoding: Option<String>,
    /// Columns the reader does not know; they are ignored (aisle CSV only: exports have
    /// many columns aisle does not need).
    pub unknown_columns: Vec<String>,
    /// Rows with a different number of fields than the header, skipped (line numbers).
    pub malformed_lines: Vec<u64>,
    /// Rows without an id, skipped (line numbers).
    pub missing_id_lines: Vec<u64>,
    /// Ids that appear on more than one row; the first row wins (id, line of the repeat).
    pub duplicate_ids: Vec<(String, u64)>,
    /// WooCommerce variations whose parent is not in the file, skipped (line numbers).
    pub orphan_variation_lines: Vec<u64>,
    /// Prices, stock flags and quantities that cannot be read; the product keeps no value.
    pub bad_values: Vec<BadValue>,
    /// Products left out, by reason (see `--include`).
    pub excluded: BTreeMap<Exclusion, usize>,
    /// Other ids that name more than one product (a SKU used twice, a SKU equal to another
    /// product's id): id and the products that claimed it. They are no product's alias.
    pub ambiguous_aliases: Vec<(String, Vec<String>)>,
    /// Notes from the id map (`--ids`): handles it names that the catalog lacks, and so on.
    pub id_map_notes: Vec<String>,
}

impl CatalogIssues {
    /// Notes a value its column cannot hold.
    pub fn bad_value(&mut self, line: u64, column: &str, value: &str) {
        self.bad_values.push(BadValue {
            line,
            column: column.to_string(),
            value: value.to_string(),
        });
    }

    /// Reads a value with `parse`; one it cannot read is noted as a bad value of its column.
    pub fn read_value<T>(
        &mut self,
        line: u64,
        column: &str,
        value: &str,
        parse: impl FnOnce(&str) -> Option<T>,
    ) -> Option<T> {
        let parsed = parse(value);
        if parsed.is_none() {
            self.bad_value(line, column, value);
        }
        parsed
    }

    /// Rows skipped because they could not be used, by reason.
    pub fn dropped_rows(&self) -> Vec<(&'static str, usize)> {
        [
            ("malformed rows", self.malformed_lines.len()),
            ("rows without an id", self.missing_id_lines.len()),
            ("duplicate ids", self.duplicate_ids.len()),
            (
                "variations without their parent",
                self.orphan_variation_lines.len(),
            ),
        ]
        .into_iter()
        .filter(|(_, count)| *count > 0)
        .collect()
    }

    /// One line per kind of problem, for warnings on stderr.
    pub fn warnings(&self, path: &Path) -> Vec<String> {
        let file = path.display();
        let mut out = Vec::new();
        if let Some(encoding) = &self.encoding {
            out.push(format!(
                "{file}: not UTF-8, read as {encoding} (what spreadsheets save as plain \"CSV\"); check accented names"
            ));
        }
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
            "variation(s) whose parent is not in the file skipped",
            &self.orphan_variation_lines,
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
        let mut by_column: BTreeMap<&str, Vec<&BadValue>> = BTreeMap::new();
        for bad in &self.bad_values {
            by_column.entry(&bad.column).or_default().push(bad);
        }
        for (column, bad) in by_column {
            let sample: Vec<String> = bad
                .iter()
                .take(5)
                .map(|b| format!("line {} {:?}", b.line, b.value))
                .collect();
            out.push(format!(
                "{file}: {} value(s) in column {column:?} cannot be read, kept without it: {}",
                bad.len(),
                sample.join(", ")
            ));
        }
        if !self.excluded.is_empty() {
            let counts: Vec<String> = self
                .excluded
                .iter()
                .map(|(reason, n)| format!("{n} {}", reason.name()))
                .collect();
            out.push(format!(
                "{file}: left out {} (include them with --include {})",
                counts.join(", "),
                self.excluded
                    .keys()
                    .map(|r| r.name())
                    .collect::<Vec<_>>()
                    .join(",")
            ));
        }
        if !self.ambiguous_aliases.is_empty() {
            let sample: Vec<String> = self
                .ambiguous_aliases
                .iter()
                .take(5)
                .map(|(alias, products)| format!("{alias:?} ({})", products.join(", ")))
                .collect();
            out.push(format!(
                "{file}: {} id(s) name more than one product and resolve to none: {}",
                self.ambiguous_aliases.len(),
                sample.join(", ")
            ));
        }
        for note in &self.id_map_notes {
            out.push(note.clone());
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
    /// Where each product's attributes may live besides the columns read by default,
    /// parallel to `products`.
    pub sources: Vec<AttributeSources>,
    /// The file's columns as written (empty for JSON).
    pub columns: Vec<String>,
    /// What kind of file it was.
    pub format: CatalogFormat,
    /// What was odd about it.
    pub issues: CatalogIssues,
}

impl Catalog {
    /// A catalog with no attribute sources (aisle's CSV).
    fn plain(
        products: Vec<Product>,
        columns: Vec<String>,
        format: CatalogFormat,
        issues: CatalogIssues,
    ) -> Catalog {
        Catalog {
            sources: vec![AttributeSources::default(); products.len()],
            products,
            columns,
            format,
            issues,
        }
    }
}

/// The options every command that reads a catalog takes besides `--catalog`.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct CatalogInputArgs {
    /// A mapping file (TOML) saying where attributes live in this export: tags with a
    /// prefix, options in other languages, other columns. `aisle audit --propose-map`
    /// writes one.
    #[arg(long)]
    pub map: Option<PathBuf>,
    /// A Shopify `products.json` (from `https://<shop>/products.json`) whose product and
    /// variant ids become aliases of the catalog's products (matched by handle).
    #[arg(long)]
    pub ids: Option<PathBuf>,
    /// Keep products a shop does not show, left out by default (comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub include: Vec<Exclusion>,
    /// Fill the catalog's gaps (title, category, brand, price) from another catalog file,
    /// such as the item table `aisle import ga4 --catalog-out` writes; never overrides the
    /// export. Repeatable.
    #[arg(long)]
    pub fill: Vec<PathBuf>,
}

/// What the readers keep that shops normally hide.
#[derive(Clone, Debug, Default)]
pub struct ReadOptions {
    /// Reasons of exclusion to ignore.
    pub include: Vec<Exclusion>,
}

impl ReadOptions {
    /// Whether a product with this reason is kept.
    pub fn keeps(&self, reason: Exclusion) -> bool {
        self.include.contains(&reason)
    }
}

/// Reads a catalog with its id map and mapping file, as `audit` and `build` do.
pub fn load_catalog(path: &Path, input: &CatalogInputArgs) -> anyhow::Result<Catalog> {
    let options = ReadOptions {
        include: input.include.clone(),
    };
    let mut catalog = read_catalog_with(path, &options)?;
    if let Some(ids) = &input.ids {
        products_json::fold_ids(&mut catalog, ids)?;
        drop_ambiguous_aliases(&mut catalog);
    }
    if let Some(map) = &input.map {
        let mapping = mapping::Mapping::read(map)?;
        mapping.check(&catalog, map)?;
        mapping.apply(&mut catalog);
    }
    for fill in &input.fill {
        fill::fill_gaps(&mut catalog, fill)?;
    }
    Ok(catalog)
}

/// Reads a catalog, detecting its format, with the default options.
pub fn read_catalog(path: &Path) -> anyhow::Result<Catalog> {
    read_catalog_with(path, &ReadOptions::default())
}

/// Reads a catalog, detecting its format.
pub fn read_catalog_with(path: &Path, options: &ReadOptions) -> anyhow::Result<Catalog> {
    let bytes =
        std::fs::read(path).with_context(|| format!("cannot read catalog {}", path.display()))?;
    read_catalog_bytes_with(&bytes, path, options)
}

/// Reads a catalog from bytes; `path` only names the file in messages.
pub fn read_catalog_bytes(bytes: &[u8], path: &Path) -> anyhow::Result<Catalog> {
    read_catalog_bytes_with(bytes, path, &ReadOptions::default())
}

/// Reads a catalog from bytes with options; `path` only names the file in messages.
pub fn read_catalog_bytes_with(
    bytes: &[u8],
    path: &Path,
    options: &ReadOptions,
) -> anyhow::Result<Catalog> {
    let file = path.display();
    let bytes = crate::text_input::without_bom(bytes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        bail!(
            "{file}: the catalog is empty (expected a header line with {})",
            REQUIRED_COLUMNS.join(",")
        );
    }
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{') {
        let mut catalog = products_json::read_catalog(bytes, path, options)?;
        drop_ambiguous_aliases(&mut catalog);
        return Ok(catalog);
    }
    let decoded;
    let (bytes, encoding) = if std::str::from_utf8(bytes).is_ok() {
        (bytes, None)
    } else {
        // Spreadsheets on Windows save plain "CSV" in the ANSI code page; for the languages
        // shops write in here, that is Windows-1252 (with the € sign at 0x80).
        let encoding = encoding_rs::WINDOWS_1252;
        decoded = encoding.decode_without_bom_handling(bytes).0.into_owned();
        (decoded.as_bytes(), Some(encoding))
    };
    let bytes = crate::text_input::crlf_as_lf(bytes);
    let delimiter = csv_input::sniff_delimiter(&bytes);
    let mut reader = csv_input::reader(&bytes, delimiter);
    let header = csv_input::header(&mut reader)
        .with_context(|| format!("{file}: line 1: cannot read the header"))?;
    let mut catalog = if woocommerce::recognizes(&header) {
        woocommerce::read(reader, &header, path, options)?
    } else if shopify::recognizes(&header) {
        shopify::read(reader, &header, path, options)?
    } else {
        aisle_csv::read(reader, &header, path)?
    };
    if delimiter != b',' {
        catalog.issues.delimiter = Some(csv_input::delimiter_name(delimiter).to_string());
    }
    catalog.issues.encoding = encoding.map(|e| e.name().to_ascii_lowercase());
    drop_ambiguous_aliases(&mut catalog);
    Ok(catalog)
}

/// Removes aliases that would resolve to more than one product: an id claimed by two
/// products, or one product's alias that is another product's id. They are recorded in
/// `issues.ambiguous_aliases`, not dropped silently.
pub fn drop_ambiguous_aliases(catalog: &mut Catalog) {
    let mut claims: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for product in &catalog.products {
        claims.entry(&product.id).or_default().push(&product.id);
        for alias in &product.aliases {
            claims.entry(alias).or_default().push(&product.id);
        }
    }
    let ambiguous: BTreeMap<String, Vec<String>> = claims
        .into_iter()
        .filter(|(_, products)| products.len() > 1)
        .map(|(id, products)| {
            let mut products: Vec<String> = products.iter().map(|p| p.to_string()).collect();
            products.dedup();
            (id.to_string(), products)
        })
        .filter(|(_, products)| products.len() > 1)
        .collect();
    if ambiguous.is_empty() {
        return;
    }
    for product in &mut catalog.products {
        product.aliases.retain(|a| !ambiguous.contains_key(a));
    }
    catalog.issues.ambiguous_aliases.extend(ambiguous);
}

/// Adds a value to a `|`-separated list unless it is already there.
pub fn add_value(field: &mut Option<String>, value: &str) {
    let value = value.trim();
    if value.is_empty() {
        return;
    }
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

/// Keeps the lower of a known price and a new one.
pub fn lower_price(price: &mut Option<f64>, new: f64) {
    *price = Some(price.map_or(new, |p| p.min(new)));
}

/// Writes products as aisle's catalog CSV, with the optional columns any product uses.
pub fn write_catalog(path: &Path, products: &[Product]) -> anyhow::Result<()> {
    let mut writer = csv::Writer::from_path(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    let has = |f: fn(&Product) -> bool| products.iter().any(f);
    let optional: Vec<&str> = [
        ("aliases", has(|p| !p.aliases.is_empty())),
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
                "aliases" => product.aliases.join("|"),
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
