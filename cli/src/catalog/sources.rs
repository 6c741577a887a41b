//! Where a product's attributes may live in a shop's export besides the columns aisle reads
//! by default: its tags, its named options (Shopify options, WooCommerce attributes) and
//! other columns (`Google Shopping / …`, metafields). The readers keep them so that the
//! audit can propose a mapping and a mapping file can apply one.
use serde::Serialize;

/// The raw places one product's attributes may live.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct AttributeSources {
    /// Tags, as written.
    pub tags: Vec<String>,
    /// Named options with one of their values (`("Taille", "M")`): Shopify options, or
    /// WooCommerce attributes. Repeated per value.
    pub options: Vec<(String, String)>,
    /// Other columns with a value: (column as written in the header, value).
    pub columns: Vec<(String, String)>,
}

impl AttributeSources {
    /// Adds a named option value unless the product has it already.
    pub fn add_option(&mut self, name: &str, value: &str) {
        if !self
            .options
            .iter()
            .any(|(n, v)| n.eq_ignore_ascii_case(name) && v == value)
        {
            self.options.push((name.to_string(), value.to_string()));
        }
    }

    /// Adds a column value unless the product has it already.
    pub fn add_column(&mut self, column: &str, value: &str) {
        if !self.columns.iter().any(|(c, v)| c == column && v == value) {
            self.columns.push((column.to_string(), value.to_string()));
        }
    }

    /// Values of the options with this name (case-insensitive).
    pub fn option_values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.options
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Values of a column.
    pub fn column_values<'a>(&'a self, column: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.columns
            .iter()
            .filter(move |(c, _)| c == column)
            .map(|(_, v)| v.as_str())
    }

    /// The rest of each tag that starts with `prefix` (case-insensitive), non-empty.
    pub fn tags_after<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.tags.iter().filter_map(move |tag| {
            let head = tag.get(..prefix.len())?;
            let rest = tag[prefix.len()..].trim();
            (head.eq_ignore_ascii_case(prefix) && !rest.is_empty()).then_some(rest)
        })
    }
}

/// Splits a tag list as Shopify exports write it (`"a, b, c"`).
pub fn split_tags(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

/// The columns of an export kept whole as attribute sources (`Google Shopping / …`,
/// metafields, a shop's own columns), by position in the header.
pub struct ExtraColumns<'h>(Vec<(usize, &'h String)>);

impl<'h> ExtraColumns<'h> {
    /// The header's columns that `keep` accepts.
    pub fn new(header: &'h [String], keep: fn(&str) -> bool) -> ExtraColumns<'h> {
        ExtraColumns(
            header
                .iter()
                .enumerate()
                .filter(|(_, name)| keep(name))
                .collect(),
        )
    }

    /// Adds a row's non-empty values of these columns to `source`, each through `clean`
    /// (an export's own escaping undone).
    pub fn add_to(
        &self,
        record: &csv::StringRecord,
        source: &mut AttributeSources,
        clean: fn(&str) -> &str,
    ) {
        for (position, column) in &self.0 {
            if let Some(value) = record
                .get(*position)
                .map(str::trim)
                .filter(|v| !v.is_empty())
            {
                source.add_column(column, clean(value));
            }
        }
    }
}
