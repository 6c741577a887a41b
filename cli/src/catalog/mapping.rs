//! The catalog mapping file (`--map catalog-map.toml`): where attributes live when an export
//! keeps them outside the columns aisle reads by default. `aisle audit --propose-map` writes
//! one; `audit` and `build` read it.
//!
//! ```toml
//! [category]
//! tag_prefix = "SUBDEPT_"          # the rest of a tag such as SUBDEPT_Robes
//!
//! [size]
//! option = ["Taille", "Grandeur"]  # Shopify option or WooCommerce attribute names
//!
//! [color]
//! tags = ["Black", "Brown", "Grey"] # tags that are themselves colours
//!
//! [material]
//! column = "Google Shopping / Custom Label 0"
//! ```
//!
//! Tables are attributes (`category`, `price`, `brand`, `color`, `size`, `material`); each
//! names one or more sources. A product takes the values its sources give (all of them for
//! colour, size and material, `|`-separated; the first for category and brand; the first
//! that reads as a price for price) and keeps what the export's own columns gave when its
//! sources give nothing. A source that names a column, option or
//! tag prefix the catalog does not have is an error naming the file, line and key.
use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{bail, Context};
use serde::{Deserialize, Serialize};

use super::{add_value, AttributeSources, Catalog, Product};

/// Attributes a mapping may fill.
pub const MAPPABLE: [&str; 6] = ["category", "price", "brand", "color", "size", "material"];

/// Where one attribute lives.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Rule {
    /// Tags that start with this (case-insensitive); the rest of the tag is the value.
    pub tag_prefix: Option<String>,
    /// Tags that are themselves values (`Black`, `Wood`), case-insensitive.
    pub tags: Vec<String>,
    /// Named options (Shopify) or attributes (WooCommerce), case-insensitive.
    pub option: Vec<String>,
    /// A column of the export, as written in its header.
    pub column: Option<String>,
}

impl Rule {
    /// The values this rule finds for one product.
    pub fn values<'a>(&'a self, source: &'a AttributeSources) -> Vec<&'a str> {
        let mut values: Vec<&str> = Vec::new();
        if let Some(prefix) = &self.tag_prefix {
            values.extend(source.tags_after(prefix));
        }
        values.extend(
            source
                .tags
                .iter()
                .filter(|tag| self.tags.iter().any(|t| t.eq_ignore_ascii_case(tag)))
                .map(String::as_str),
        );
        for name in &self.option {
            values.extend(source.option_values(name));
        }
        if let Some(column) = &self.column {
            // Shopify writes list metafields as `black; brown`.
            values.extend(
                source
                    .column_values(column)
                    .flat_map(|v| v.split(';'))
                    .map(str::trim)
                    .filter(|v| !v.is_empty()),
            );
        }
        values
    }

    /// Sets a product's attribute from its sources; false when they give nothing.
    pub fn apply(&self, attribute: &str, product: &mut Product, source: &AttributeSources) -> bool {
        let values = self.values(source);
        let Some(first) = values.first() else {
            return false;
        };
        match attribute {
            "category" => product.category = first.to_string(),
            "price" => match values.iter().find_map(|v| super::parse_price(v)) {
                Some(price) => product.price = Some(price),
                None => return false,
            },
            "brand" => product.brand = Some(first.to_string()),
            _ => {
                let field = match attribute {
                    "color" => &mut product.color,
                    "size" => &mut product.size,
                    _ => &mut product.material,
                };
                *field = None;
                for value in &values {
                    add_value(field, value);
                }
            }
        }
        true
    }

    /// The rule as a TOML table body.
    pub fn to_toml(&self) -> String {
        let quote = |s: &str| toml::Value::String(s.to_string()).to_string();
        let mut out = String::new();
        if let Some(prefix) = &self.tag_prefix {
            out += &format!("tag_prefix = {}\n", quote(prefix));
        }
        if !self.tags.is_empty() {
            let tags: Vec<String> = self.tags.iter().map(|t| quote(t)).collect();
            out += &format!("tags = [{}]\n", tags.join(", "));
        }
        if !self.option.is_empty() {
            let names: Vec<String> = self.option.iter().map(|o| quote(o)).collect();
            out += &format!("option = [{}]\n", names.join(", "));
        }
        if let Some(column) = &self.column {
            out += &format!("column = {}\n", quote(column));
        }
        out
    }
}

/// The file as TOML sees it, with spans for messages.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    tag_prefix: Option<toml::Spanned<String>>,
    #[serde(default)]
    tags: Vec<toml::Spanned<String>>,
    #[serde(default)]
    option: Vec<toml::Spanned<String>>,
    column: Option<toml::Spanned<String>>,
}

/// A mapping file, read.
#[derive(Clone, Debug, Default)]
pub struct Mapping {
    /// Attribute → rule, in `MAPPABLE` order.
    pub rules: BTreeMap<String, Rule>,
    /// Attribute, key, value → line in the file, for messages.
    lines: BTreeMap<(String, &'static str, String), usize>,
}

impl Mapping {
    /// Reads and parses a mapping file.
    pub fn read(path: &Path) -> anyhow::Result<Mapping> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read mapping file {}", path.display()))?;
        Mapping::parse(&text, path)
    }

    /// Parses mapping text; `path` names the file in messages.
    pub fn parse(text: &str, path: &Path) -> anyhow::Result<Mapping> {
        let file = path.display();
        let line_of = |offset: usize| text[..offset.min(text.len())].matches('\n').count() + 1;
        let tables: BTreeMap<toml::Spanned<String>, RuleFile> =
            toml::from_str(text).map_err(|error| {
                let line = error.span().map_or(1, |span| line_of(span.start));
                anyhow::anyhow!("{file}: line {line}: {}", error.message())
            })?;
        let mut mapping = Mapping::default();
        for (attribute, rule) in tables {
            let line = line_of(attribute.span().start);
            let attribute = attribute.into_inner();
            if !MAPPABLE.contains(&attribute.as_str()) {
                bail!(
                    "{file}: line {line}: [{attribute}] is not an attribute a mapping fills (known: {})",
                    MAPPABLE.join(", ")
                );
            }
            let mut note = |key: &'static str, value: &toml::Spanned<String>| {
                mapping.lines.insert(
                    (attribute.clone(), key, value.get_ref().clone()),
                    line_of(value.span().start),
                );
                value.get_ref().clone()
            };
            let parsed = Rule {
                tag_prefix: rule.tag_prefix.as_ref().map(|v| note("tag_prefix", v)),
                tags: rule.tags.iter().map(|v| note("tags", v)).collect(),
                option: rule.option.iter().map(|v| note("option", v)).collect(),
                column: rule.column.as_ref().map(|v| note("column", v)),
            };
            if parsed == Rule::default() {
                bail!("{file}: line {line}: [{attribute}] names no source (tag_prefix, tags, option or column)");
            }
            mapping.rules.insert(attribute, parsed);
        }
        Ok(mapping)
    }

    /// Checks that every source the mapping names exists in the catalog.
    pub fn check(&self, catalog: &Catalog, path: &Path) -> anyhow::Result<()> {
        let file = path.display();
        for (attribute, rule) in &self.rules {
            let line = |key: &'static str, value: &str| {
                self.lines
                    .get(&(attribute.clone(), key, value.to_string()))
                    .copied()
                    .unwrap_or(1)
            };
            if let Some(column) = &rule.column {
                if !catalog.columns.iter().any(|c| c == column) {
                    bail!(
                        "{file}: line {}: [{attribute}] column = {column:?}: the catalog has no such column",
                        line("column", column)
                    );
                }
            }
            for option in &rule.option {
                if !catalog
                    .sources
                    .iter()
                    .any(|s| s.option_values(option).next().is_some())
                {
                    bail!(
                        "{file}: line {}: [{attribute}] option = {option:?}: no product has an option or attribute of that name",
                        line("option", option)
                    );
                }
            }
            for tag in &rule.tags {
                if !catalog
                    .sources
                    .iter()
                    .any(|s| s.tags.iter().any(|t| t.eq_ignore_ascii_case(tag)))
                {
                    bail!(
                        "{file}: line {}: [{attribute}] tags = {tag:?}: no product has that tag",
                        line("tags", tag)
                    );
                }
            }
            if let Some(prefix) = &rule.tag_prefix {
                if !catalog
                    .sources
                    .iter()
                    .any(|s| s.tags_after(prefix).next().is_some())
                {
                    bail!(
                        "{file}: line {}: [{attribute}] tag_prefix = {prefix:?}: no product has a tag that starts with it",
                        line("tag_prefix", prefix)
                    );
                }
            }
        }
        Ok(())
    }

    /// Applies the mapping to every product.
    pub fn apply(&self, catalog: &mut Catalog) {
        for (attribute, rule) in &self.rules {
            for (product, source) in catalog.products.iter_mut().zip(&catalog.sources) {
                rule.apply(attribute, product, source);
            }
        }
    }

    /// The mapping as a TOML file.
    pub fn to_toml(&self) -> String {
        let mut out = String::new();
        for attribute in MAPPABLE {
            if let Some(rule) = self.rules.get(attribute) {
                out += &format!("[{attribute}]\n{}\n", rule.to_toml());
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog() -> Catalog {
        let mut catalog = Catalog::plain(
            vec![Product::default(), Product::default()],
            vec!["Handle".into(), "Google Shopping / Custom Label 0".into()],
            super::super::CatalogFormat::Shopify,
            Default::default(),
        );
        catalog.sources[0].tags = vec!["DEPT_Femme".into(), "SUBDEPT_Robes".into()];
        catalog.sources[0].add_option("Taille", "S");
        catalog.sources[0].add_option("Taille", "M");
        catalog.sources[1].add_option("Grandeur", "XL");
        catalog.sources[1].add_column("Google Shopping / Custom Label 0", "lin; coton");
        catalog
    }

    fn check_error(text: &str, fragment: &str) {
        let result = Mapping::parse(text, Path::new("map.toml"))
            .and_then(|m| m.check(&catalog(), Path::new("map.toml")));
        let error = format!("{:#}", result.unwrap_err());
        assert!(
            error.contains(fragment),
            "{error:?} should contain {fragment:?}"
        );
    }

    #[test]
    fn a_mapping_fills_attributes_from_tags_options_and_columns() {
        let text = "[category]\ntag_prefix = \"subdept_\"\n\n[size]\noption = [\"Taille\", \"grandeur\"]\n\n[material]\ncolumn = \"Google Shopping / Custom Label 0\"\n";
        let mapping = Mapping::parse(text, Path::new("map.toml")).unwrap();
        let mut catalog = catalog();
        mapping.check(&catalog, Path::new("map.toml")).unwrap();
        mapping.apply(&mut catalog);
        let [a, b] = &catalog.products[..] else {
            panic!()
        };
        assert_eq!(
            (a.category.as_str(), a.size.as_deref()),
            ("Robes", Some("S|M"))
        );
        assert_eq!(
            (b.size.as_deref(), b.material.as_deref()),
            (Some("XL"), Some("lin|coton"))
        );
        assert_eq!(b.category, "");
        assert_eq!(
            Mapping::parse(&mapping.to_toml(), Path::new("m"))
                .unwrap()
                .rules,
            mapping.rules
        );
    }

    #[test]
    fn a_price_comes_from_the_first_value_that_reads_as_one() {
        let mut catalog = catalog();
        catalog.columns.push("Price / France".into());
        catalog.sources[0].add_column("Price / France", "sur demande");
        catalog.sources[0].add_column("Price / France", "1 234,50 €");
        let mapping =
            Mapping::parse("[price]\ncolumn = \"Price / France\"\n", Path::new("m")).unwrap();
        mapping.check(&catalog, Path::new("m")).unwrap();
        mapping.apply(&mut catalog);
        assert_eq!(catalog.products[0].price, Some(1234.5));
        assert_eq!(catalog.products[1].price, None);
    }

    #[test]
    fn sources_the_catalog_lacks_are_errors_naming_file_line_and_key() {
        check_error(
            "[size]\noption = [\"Taille\"]\n\n[material]\ncolumn = \"Fabric\"\n",
            "map.toml: line 5: [material] column = \"Fabric\": the catalog has no such column",
        );
        check_error(
            "[color]\noption = [\"Couleur\"]\n",
            "map.toml: line 2: [color] option = \"Couleur\": no product has",
        );
        check_error(
            "[category]\ntag_prefix = \"CAT_\"\n",
            "map.toml: line 2: [category] tag_prefix = \"CAT_\": no product has a tag",
        );
        check_error(
            "[color]\ntags = [\"Noir\"]\n",
            "map.toml: line 2: [color] tags = \"Noir\": no product has that tag",
        );
        check_error(
            "[in_stock]\ncolumn = \"x\"\n",
            "map.toml: line 1: [in_stock] is not an attribute",
        );
        check_error(
            "[size]\nopton = [\"x\"]\n",
            "map.toml: line 2: unknown field `opton`",
        );
        check_error("[size]\n", "map.toml: line 1: [size] names no source");
    }
}
