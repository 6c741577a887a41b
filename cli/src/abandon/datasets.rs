//! The data the abandon model trains and is evaluated on, read by the readers every other
//! command uses, with the same strictness: REES46 and DIGINETICA by `aisle import`'s readers,
//! aisle's own NDJSON events by the event log's. Skipped rows are counted by reason on stderr.
//!
//! The catalog built here only carries what abandon features read: product ids, categories
//! and price bands (price rank within the category, 1 = cheapest ..= 255 = dearest).
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use aisle::bundle::{pack_neighbours, pack_u16, BundleWire, Model};
use aisle::events::Event;
use anyhow::{Context, Result};

use crate::catalog::Product;

/// Events and the catalog they refer to.
pub struct Dataset {
    /// Events in file order.
    pub events: Vec<Event>,
    /// Catalog with categories and price bands, when the data has them.
    pub catalog: Option<Model>,
}

/// Reads aisle's own events (NDJSON) as every command does: odd lines and duplicates are
/// skipped and counted on stderr, events are sorted by time.
pub fn read_ndjson_events(path: &Path) -> Result<Vec<Event>> {
    let log = crate::event_log::read_events(path)?;
    crate::build::warn_all(log.issues.warnings(path));
    Ok(log.events)
}

/// Reads REES46 `events.csv` with `aisle import rees46`'s reader.
pub fn read_rees46(path: &Path) -> Result<Dataset> {
    let (products, events) = crate::import::rees46::read_rees46(path)?;
    with_catalog(&products, events)
}

/// Reads the DIGINETICA sample in `dir` (`sample_train-item-views.csv`, `train-purchases.csv`,
/// `product-categories.csv`) with `aisle import diginetica`'s reader.
pub fn read_diginetica(dir: &Path) -> Result<Dataset> {
    let (products, events) = crate::import::diginetica::read_diginetica(
        &dir.join("sample_train-item-views.csv"),
        Some(&dir.join("train-purchases.csv")),
        &dir.join("product-categories.csv"),
    )?;
    with_catalog(&products, events)
}

/// The events with the catalog model of `products`; products without a category go into
/// one category "unknown".
fn with_catalog(products: &[Product], events: Vec<Event>) -> Result<Dataset> {
    let rows: Vec<(String, String, Option<f64>)> = products
        .iter()
        .map(|product| {
            let category = if product.category.is_empty() {
                "unknown".to_string()
            } else {
                product.category.clone()
            };
            (product.id.clone(), category, product.price)
        })
        .collect();
    Ok(Dataset {
        events,
        catalog: Some(catalog_model(&rows)?),
    })
}

/// A catalog-only [`Model`] from (product id, category, price) rows: no brands, popularity
/// or neighbours. Price band = 1 + 254 × (rank of the price within its category) / (n − 1).
pub fn catalog_model(products: &[(String, String, Option<f64>)]) -> Result<Model> {
    let mut category_index: BTreeMap<&str, u16> = BTreeMap::new();
    for (_, category, _) in products {
        let next = category_index.len();
        category_index
            .entry(category.as_str())
            .or_insert(u16::try_from(next).context("more than 65535 categories")?);
    }
    let mut prices_by_category: HashMap<&str, Vec<f64>> = HashMap::new();
    for (_, category, price) in products {
        if let Some(price) = price.filter(|p| p.is_finite() && *p >= 0.0) {
            prices_by_category.entry(category).or_default().push(price);
        }
    }
    for prices in prices_by_category.values_mut() {
        prices.sort_by(f64::total_cmp);
    }
    let band = |category: &str, price: Option<f64>| -> u8 {
        let (Some(price), Some(prices)) = (
            price.filter(|p| p.is_finite() && *p >= 0.0),
            prices_by_category.get(category),
        ) else {
            return 0;
        };
        if prices.len() < 2 {
            return 128;
        }
        let rank = prices.partition_point(|&p| p < price);
        (1 + rank * 254 / (prices.len() - 1)).min(255) as u8
    };
    let mut category_names = vec![String::new(); category_index.len()];
    for (name, &index) in &category_index {
        category_names[usize::from(index)] = name.to_string();
    }
    let (neighbours, neighbour_weights) = pack_neighbours(&vec![Vec::new(); products.len()], 2);
    let wire = BundleWire {
        model_version: "abandon-evaluation".into(),
        built_at_ms: 0,
        product_ids: products
            .iter()
            .map(|(id, _, _)| id.as_str())
            .collect::<Vec<_>>()
            .join("\n"),
        category_names,
        product_category: pack_u16(
            &products
                .iter()
                .map(|(_, c, _)| category_index[c.as_str()])
                .collect::<Vec<_>>(),
        ),
        brand_names: Vec::new(),
        popularity: vec![0; products.len()],
        price_band: products.iter().map(|(_, c, p)| band(c, *p)).collect(),
        neighbours,
        neighbour_weights,
        weights: Default::default(),
        abandon: None,
        ..Default::default()
    };
    Model::from_wire(wire).context("building the evaluation catalog")
}

#[cfg(test)]
mod tests {
    use super::*;
    use aisle::events::EventBody;

    #[test]
    fn rees46_rows_with_impossible_dates_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events.csv");
        std::fs::write(
            &path,
            "event_time,event_type,product_id,category_id,category_code,brand,price,user_id,user_session\n\
             2019-10-01 00:00:00 UTC,view,44600062,2103807459595387724,,shiseido,35.79,541312140,72d76fde-8bb3-4e00-8c23-a032dfed738c\n\
             2019-02-31 00:00:01 UTC,cart,3900821,2053013552326770905,appliances.environment.water_heater,aqua,33.20,554748717,9333dfbd-b87a-4708-9857-6336556b0fcc\n",
        )
        .unwrap();
        let dataset = read_rees46(&path).unwrap();
        assert_eq!(dataset.events.len(), 1, "the 2019-02-31 row is skipped");
        assert_eq!(
            dataset.events[0].body,
            EventBody::ProductView {
                product: "44600062".into()
            }
        );
    }

    #[test]
    fn price_bands_rank_within_the_category() {
        let rows: Vec<(String, String, Option<f64>)> = [
            ("a", "x", Some(1.0)),
            ("b", "x", Some(3.0)),
            ("c", "x", Some(2.0)),
            ("d", "y", Some(5.0)),
            ("e", "y", None),
        ]
        .iter()
        .map(|(id, c, p)| (id.to_string(), c.to_string(), *p))
        .collect();
        let model = catalog_model(&rows).unwrap();
        let band = |id: &str| model.price_band(model.index_of(id).unwrap());
        assert_eq!(
            [band("a"), band("c"), band("b"), band("d"), band("e")],
            [1, 128, 255, 128, 0]
        );
    }
}
