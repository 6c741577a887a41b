//! aisle's own catalog CSV: the columns `id,title,category,price,brand` and optionally
//! `aliases,category_title,color,size,material,in_stock,url,image`, in any order. `aliases`
//! is the product's other ids, `|`-separated.
use std::collections::BTreeSet;
use std::path::Path;

use anyhow::bail;

use super::csv_input::{self, Columns, Rows};
use super::{Catalog, CatalogFormat, CatalogIssues, Product, OPTIONAL_COLUMNS, REQUIRED_COLUMNS};

fn same_name(name: &str) -> &str {
    name
}

/// Reads the rows after the header.
pub fn read(reader: csv::Reader<&[u8]>, header: &[String], path: &Path) -> anyhow::Result<Catalog> {
    let columns = Columns::new(header, same_name);
    let missing: Vec<&str> = REQUIRED_COLUMNS
        .iter()
        .copied()
        .filter(|c| !columns.has(c))
        .collect();
    if !missing.is_empty() {
        bail!(
            "{}: line 1: missing column(s) {} (an aisle catalog needs {}; a Shopify export needs Handle; a WooCommerce export needs ID, Type, SKU and Parent)",
            path.display(),
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
    let mut rows = Rows::new(reader, &columns, path);
    while let Some(row) = rows.next_row(&mut issues) {
        let (record, line) = row?;
        let Some(id) = columns.get(&record, "id").map(csv_input::normalize_id) else {
            issues.missing_id_lines.push(line);
            continue;
        };
        if !seen.insert(id.clone()) {
            issues.duplicate_ids.push((id, line));
            continue;
        }
        let text = |name: &str| columns.get(&record, name).map(str::to_string);
        let price = columns
            .get(&record, "price")
            .and_then(|value| issues.read_value(line, "price", value, csv_input::parse_price));
        let in_stock = columns
            .get(&record, "in_stock")
            .and_then(|value| issues.read_value(line, "in_stock", value, csv_input::parse_bool));
        let mut product = Product {
            id,
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
        };
        for alias in columns
            .get(&record, "aliases")
            .into_iter()
            .flat_map(|a| a.split('|'))
        {
            product.add_alias(alias);
        }
        products.push(product);
    }
    Ok(Catalog::plain(
        products,
        columns.names.clone(),
        CatalogFormat::Aisle,
        issues,
    ))
}

#[cfg(test)]
mod tests {
    use super::super::{read_catalog_bytes, BadValue};
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
        assert_eq!(
            catalog.issues.bad_values,
            [BadValue {
                line: 5,
                column: "price".into(),
                value: "cheap".into()
            }]
        );
        assert_eq!(catalog.issues.malformed_lines, [6]);
        assert_eq!(catalog.issues.rows, 5);
    }

    #[test]
    fn windows_1252_files_from_spreadsheets_are_read_and_said() {
        let bytes =
            b"id;title;category;price;brand\r\nrobe;Robe d'\xe9t\xe9;Robes;89,00 \x80;Atelier\r\n";
        let catalog = read_catalog_bytes(bytes, Path::new("export.csv")).unwrap();
        let robe = &catalog.products[0];
        assert_eq!(
            (robe.title.as_str(), robe.price),
            ("Robe d'été", Some(89.0))
        );
        assert_eq!(catalog.issues.encoding.as_deref(), Some("windows-1252"));
        assert!(catalog.issues.warnings(Path::new("export.csv"))[0]
            .starts_with("export.csv: not UTF-8, read as windows-1252"));
    }

    #[test]
    fn aliases_survive_a_write_and_a_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("catalog.csv");
        let products = vec![Product {
            id: "robe-lin".into(),
            aliases: vec!["7520917291110".into(), "RL-S".into()],
            title: "Robe".into(),
            category: "Robes".into(),
            ..Product::default()
        }];
        super::super::write_catalog(&path, &products).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.starts_with("id,title,category,price,brand,aliases\n"),
            "{text}"
        );
        assert_eq!(check(&text, &["robe-lin"]).products, products);
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
    fn line_numbers_are_right_with_crlf_line_ends() {
        let catalog = check(
            "id,title,category,price,brand\r\na,A,c,1,b\r\nbad\r\nc,C,c,1,b\r\nbad2\n",
            &["a", "c"],
        );
        assert_eq!(catalog.issues.malformed_lines, [3, 5]);
    }

    #[test]
    fn semicolon_files_with_a_bom_and_decimal_commas() {
        let catalog = check(
            "\u{feff}id;title;category;price;brand\r\na;A;c;\"1.234,50 €\";b\r\n",
            &["a"],
        );
        assert_eq!(catalog.products[0].price, Some(1234.5));
        assert_eq!(catalog.issues.delimiter.as_deref(), Some("semicolon"));
    }
}
