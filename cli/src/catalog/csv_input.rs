//! The CSV plumbing every catalog reader shares: the delimiter a spreadsheet chose, header
//! names to positions, and the values (prices in the shop's locale, booleans) as exports
//! write them.
use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context;

use super::CatalogIssues;

/// The field delimiter of a CSV file, sniffed from its header line: the most frequent of
/// comma, semicolon and tab outside quotes. European spreadsheets save "CSV" with semicolons
/// because the comma is their decimal separator.
pub fn sniff_delimiter(bytes: &[u8]) -> u8 {
    let mut counts = [(b',', 0usize), (b';', 0), (b'\t', 0)];
    let mut quoted = false;
    for &byte in bytes {
        match byte {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => break,
            _ if !quoted => {
                for (delimiter, count) in counts.iter_mut() {
                    if byte == *delimiter {
                        *count += 1;
                    }
                }
            }
            _ => {}
        }
    }
    // Ties go to the comma (first in the list): `max_by_key` keeps the last maximum, so the
    // list is searched in reverse.
    counts
        .iter()
        .rev()
        .max_by_key(|(_, count)| *count)
        .map_or(b',', |(delimiter, _)| *delimiter)
}

/// A name for a delimiter in messages.
pub fn delimiter_name(delimiter: u8) -> &'static str {
    match delimiter {
        b';' => "semicolon",
        b'\t' => "tab",
        _ => "comma",
    }
}

/// A CSV reader over bytes already freed of their BOM and CRLF line ends.
pub fn reader(bytes: &[u8], delimiter: u8) -> csv::Reader<&[u8]> {
    crate::text_input::csv_builder(delimiter).from_reader(bytes)
}

/// Header names to positions.
pub struct Columns {
    /// The header as written (trimmed).
    pub names: Vec<String>,
    by_name: BTreeMap<String, usize>,
}

impl Columns {
    /// Reads the header; `canonical` renames columns (one export's dialects onto one set of
    /// names).
    pub fn new(header: &[String], canonical: fn(&str) -> &str) -> Columns {
        let mut by_name = BTreeMap::new();
        for (i, name) in header.iter().enumerate() {
            by_name.entry(canonical(name).to_string()).or_insert(i);
        }
        Columns {
            names: header.to_vec(),
            by_name,
        }
    }

    pub fn has(&self, name: &str) -> bool {
        self.by_name.contains_key(name)
    }

    /// The trimmed, non-empty value of a column in a record.
    pub fn get<'r>(&self, record: &'r csv::StringRecord, name: &str) -> Option<&'r str> {
        let value = record.get(*self.by_name.get(name)?)?.trim();
        (!value.is_empty()).then_some(value)
    }
}

/// The header of a reader, trimmed.
pub fn header(reader: &mut csv::Reader<&[u8]>) -> csv::Result<Vec<String>> {
    Ok(reader
        .headers()?
        .iter()
        .map(|h| h.trim().to_string())
        .collect())
}

/// The data rows of a catalog file after its header, as every CSV reader walks them.
pub struct Rows<'a> {
    records: csv::StringRecordsIntoIter<&'a [u8]>,
    width: usize,
    path: &'a Path,
}

impl<'a> Rows<'a> {
    pub fn new(reader: csv::Reader<&'a [u8]>, columns: &Columns, path: &'a Path) -> Rows<'a> {
        Rows {
            records: reader.into_records(),
            width: columns.names.len(),
            path,
        }
    }

    /// The next usable row and the line it starts on. Every row counts in `issues.rows`; a
    /// row with another number of fields than the header is listed in
    /// `issues.malformed_lines` and passed over (its fields cannot be matched to columns).
    /// A row the CSV reader cannot read at all is an error naming the file.
    pub fn next_row(
        &mut self,
        issues: &mut CatalogIssues,
    ) -> Option<anyhow::Result<(csv::StringRecord, u64)>> {
        for record in self.records.by_ref() {
            let record = match record {
                Ok(record) => record,
                Err(error) => {
                    let file = self.path.display();
                    return Some(Err(error).with_context(|| format!("{file}: cannot read a row")));
                }
            };
            let line = record.position().map_or(0, |p| p.line());
            issues.rows += 1;
            if record.len() != self.width {
                issues.malformed_lines.push(line);
                continue;
            }
            return Some(Ok((record, line)));
        }
        None
    }
}

/// A non-negative finite price, as shops write them: with a currency symbol or code before
/// or after (`$1,299.00`, `1.234,50 €`, `CHF 1'234.50`), with the thousands and decimal
/// separators of the shop's locale. When a price has both `.` and `,`, the last one is the
/// decimal separator; a lone separator followed by exactly three digits groups thousands
/// (`1.234` is 1234: shops do not price in thousandths); otherwise it is the decimal one.
pub fn parse_price(value: &str) -> Option<f64> {
    let kept: String = value
        .chars()
        .filter(|c| !c.is_alphabetic() && !is_currency_symbol(*c))
        .filter(|c| !c.is_whitespace() && *c != '\'' && *c != '\u{2019}')
        .collect();
    if kept.is_empty() || kept.starts_with('-') || !kept.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    if !kept
        .chars()
        .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
    {
        return None;
    }
    let last_dot = kept.rfind('.');
    let last_comma = kept.rfind(',');
    let decimal = match (last_dot, last_comma) {
        (Some(dot), Some(comma)) => Some(if dot > comma { '.' } else { ',' }),
        (Some(_), None) => lone_separator_decimal(&kept, '.'),
        (None, Some(_)) => lone_separator_decimal(&kept, ','),
        (None, None) => None,
    };
    let mut number = String::with_capacity(kept.len());
    for c in kept.chars() {
        if c.is_ascii_digit() {
            number.push(c);
        } else if Some(c) == decimal {
            number.push('.');
        }
    }
    let price: f64 = number.parse().ok()?;
    price.is_finite().then_some(price)
}

/// Whether the only kind of separator in a number is its decimal separator.
fn lone_separator_decimal(number: &str, separator: char) -> Option<char> {
    let count = number.matches(separator).count();
    let digits_after = number.len() - number.rfind(separator)? - 1;
    (count == 1 && digits_after != 3).then_some(separator)
}

fn is_currency_symbol(c: char) -> bool {
    matches!(
        c,
        '$' | '€' | '£' | '¥' | '₹' | '₩' | '₽' | '₺' | '₫' | '₪' | '₱' | '¢'
    )
}

/// A boolean as exports write them (`TRUE`, `1`, `yes`, `instock`, …).
pub fn parse_bool(value: &str) -> Option<bool> {
    match value.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "y" | "in_stock" | "instock" => Some(true),
        "false" | "0" | "no" | "n" | "out_of_stock" | "outofstock" => Some(false),
        _ => None,
    }
}

/// An id as text, whether a file wrote it as a number or a string: surrounding space
/// trimmed, a spreadsheet's `123.0` turned back into `123`.
pub fn normalize_id(value: &str) -> String {
    let value = value.trim();
    match value.strip_suffix(".0") {
        Some(integer) if !integer.is_empty() && integer.bytes().all(|b| b.is_ascii_digit()) => {
            integer.to_string()
        }
        _ => value.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_in_every_locale() {
        let cases: [(&str, Option<f64>); 16] = [
            ("19.00", Some(19.0)),
            ("$1,299.00", Some(1299.0)),
            ("1.234,50 €", Some(1234.5)),
            ("1 234,50 €", Some(1234.5)),
            ("1\u{a0}234,50\u{a0}€", Some(1234.5)),
            ("CHF 1'234.50", Some(1234.5)),
            ("12,5", Some(12.5)),
            ("1.234", Some(1234.0)),
            ("1,234", Some(1234.0)),
            ("0.5", Some(0.5)),
            ("EUR 7", Some(7.0)),
            ("1.234.567,8", Some(1234567.8)),
            ("-3", None),
            ("free", None),
            ("", None),
            ("12-3", None),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_price(text), expected, "{text:?}");
        }
    }

    #[test]
    fn delimiters_are_sniffed_from_the_header_outside_quotes() {
        assert_eq!(sniff_delimiter(b"a,b,c\n1;2;3;4;5\n"), b',');
        assert_eq!(sniff_delimiter(b"Handle;Title;\"Body, (HTML)\"\n"), b';');
        assert_eq!(sniff_delimiter(b"a\tb\tc\n"), b'\t');
        assert_eq!(sniff_delimiter(b"id\n"), b',');
    }

    #[test]
    fn ids_written_as_numbers_or_strings_are_one_id() {
        assert_eq!(normalize_id(" 7520917291110 "), "7520917291110");
        assert_eq!(normalize_id("123.0"), "123");
        assert_eq!(normalize_id("v1.0"), "v1.0");
    }
}
