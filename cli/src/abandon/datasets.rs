//! Small private readers that turn the public datasets (and aisle's own NDJSON events) into
//! [`Event`]s plus a catalog [`Model`] for the abandon model's training and evaluation.
//!
//! The catalog built here only carries what abandon features read: product ids, categories
//! and price bands (price rank within the category, 1 = cheapest ..= 255 = dearest).
use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use aisle::bundle::{pack_neighbours, pack_u16, BundleWire, Model, NO_BRAND};
use aisle::events::{Event, EventBody, LineItem, EVENT_SCHEMA_VERSION};
use anyhow::{bail, Context, Result};

/// Events and the catalog they refer to.
pub struct Dataset {
    /// Events in file order.
    pub events: Vec<Event>,
    /// Catalog with categories and price bands, when the data has them.
    pub catalog: Option<Model>,
}

/// Reads aisle's own events, one JSON object per line; blank lines are skipped.
pub fn read_ndjson_events(path: &Path) -> Result<Vec<Event>> {
    let file = File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut events = Vec::new();
    for (number, line) in BufReader::new(file).lines().enumerate() {
        let line = line.with_context(|| format!("{}:{}: reading", path.display(), number + 1))?;
        if line.trim().is_empty() {
            continue;
        }
        let event: Event = serde_json::from_str(&line)
            .with_context(|| format!("{}:{}: not an aisle event", path.display(), number + 1))?;
        events.push(event);
    }
    Ok(events)
}

/// Reads REES46 `events.csv` (`event_time,event_type,product_id,category_id,category_code,
/// brand,price,user_id,user_session`). Visitor = `user_id`, session = `user_session`; `cart`
/// becomes an add of one unit at the row's price, `purchase` an order of that one product.
pub fn read_rees46(path: &Path) -> Result<Dataset> {
    let mut reader =
        csv::Reader::from_path(path).with_context(|| format!("opening {}", path.display()))?;
    let headers = reader
        .headers()
        .with_context(|| format!("{}: reading the header", path.display()))?
        .clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .with_context(|| format!("{}: no column {name:?}", path.display()))
    };
    let (time, kind, product, category, price, user, session) = (
        column("event_time")?,
        column("event_type")?,
        column("product_id")?,
        column("category_id")?,
        column("price")?,
        column("user_id")?,
        column("user_session")?,
    );
    let mut events = Vec::new();
    let mut catalog: BTreeMap<String, (String, Option<f64>)> = BTreeMap::new();
    for (number, record) in reader.records().enumerate() {
        let line = number + 2;
        let record = record.with_context(|| format!("{}:{line}: reading", path.display()))?;
        let field = |i: usize| record.get(i).unwrap_or("");
        let ts = parse_utc_time(field(time))
            .with_context(|| format!("{}:{line}: event_time {:?}", path.display(), field(time)))?;
        let product_id = field(product).to_string();
        let unit_price = match field(price) {
            "" => None,
            text => Some(
                text.parse::<f64>()
                    .with_context(|| format!("{}:{line}: price {text:?}", path.display()))?,
            ),
        };
        catalog.insert(
            product_id.clone(),
            (field(category).to_string(), unit_price),
        );
        let body = match field(kind) {
            "view" => EventBody::ProductView {
                product: product_id,
            },
            "cart" => EventBody::AddToCart {
                product: product_id,
                quantity: 1,
                price: unit_price,
            },
            "remove_from_cart" => EventBody::RemoveFromCart {
                product: product_id,
                quantity: 0,
            },
            "purchase" => EventBody::Purchase {
                order_id: None,
                revenue: unit_price,
                currency: None,
                items: vec![LineItem {
                    product: product_id,
                    quantity: 1,
                    price: unit_price,
                }],
            },
            other => bail!("{}:{line}: unknown event_type {other:?}", path.display()),
        };
        events.push(event(events.len(), ts, field(user), field(session), body));
    }
    let products: Vec<(String, String, Option<f64>)> = catalog
        .into_iter()
        .map(|(id, (category, price))| (id, category, price))
        .collect();
    Ok(Dataset {
        events,
        catalog: Some(catalog_model(&products)?),
    })
}

/// Reads the DIGINETICA sample: product views from `sample_train-item-views.csv`, purchases of
/// the same sessions from `train-purchases.csv`, categories from `product-categories.csv`.
/// Times are the session's date (UTC midnight) plus `timeframe`, so the hour of day is not
/// known. Visitor = `user_id` when given, otherwise the session.
pub fn read_diginetica(dir: &Path) -> Result<Dataset> {
    let views_path = dir.join("sample_train-item-views.csv");
    let mut visitor_of_session: HashMap<String, String> = HashMap::new();
    let mut events = Vec::new();
    let mut items: BTreeMap<String, String> = BTreeMap::new();
    for (line, record) in semicolon_records(
        &views_path,
        &["session_id", "user_id", "item_id", "timeframe", "eventdate"],
    )? {
        let [session, user, item, timeframe, date] = record;
        let ts = diginetica_time(&date, &timeframe)
            .with_context(|| format!("{}:{line}: time", views_path.display()))?;
        let visitor = if user == "NA" {
            format!("s{session}")
        } else {
            format!("u{user}")
        };
        visitor_of_session.insert(session.clone(), visitor.clone());
        items.insert(item.clone(), String::new());
        events.push(event(
            events.len(),
            ts,
            &visitor,
            &session,
            EventBody::ProductView { product: item },
        ));
    }
    let purchases_path = dir.join("train-purchases.csv");
    for (line, record) in semicolon_records(
        &purchases_path,
        &[
            "sessionId",
            "userId",
            "timeframe",
            "eventdate",
            "ordernumber",
            "itemId",
        ],
    )? {
        let [session, _user, timeframe, date, order, item] = record;
        let Some(visitor) = visitor_of_session.get(&session).cloned() else {
            continue;
        };
        let ts = diginetica_time(&date, &timeframe)
            .with_context(|| format!("{}:{line}: time", purchases_path.display()))?;
        let items_bought = vec![LineItem {
            product: item,
            quantity: 1,
            price: None,
        }];
        let body = EventBody::Purchase {
            order_id: Some(order),
            revenue: None,
            currency: None,
            items: items_bought,
        };
        events.push(event(events.len(), ts, &visitor, &session, body));
    }
    let categories_path = dir.join("product-categories.csv");
    for (_, record) in semicolon_records(&categories_path, &["itemId", "categoryId"])? {
        let [item, category] = record;
        if let Some(slot) = items.get_mut(&item) {
            *slot = category;
        }
    }
    let products: Vec<(String, String, Option<f64>)> = items
        .into_iter()
        .map(|(id, category)| {
            (
                id,
                if category.is_empty() {
                    "unknown".into()
                } else {
                    category
                },
                None,
            )
        })
        .collect();
    Ok(Dataset {
        events,
        catalog: Some(catalog_model(&products)?),
    })
}

fn event(index: usize, ts: u64, visitor: &str, session: &str, body: EventBody) -> Event {
    Event {
        v: EVENT_SCHEMA_VERSION,
        id: format!("e{index}"),
        ts,
        visitor: visitor.to_string(),
        session: session.to_string(),
        arms: BTreeMap::new(),
        body,
    }
}

/// Rows of a `;`-separated file with the expected header, as (line number, fields).
fn semicolon_records<const N: usize>(
    path: &Path,
    header: &[&str; N],
) -> Result<Vec<(usize, [String; N])>> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_path(path)
        .with_context(|| format!("opening {}", path.display()))?;
    let found: Vec<String> = reader
        .headers()
        .with_context(|| format!("{}: reading the header", path.display()))?
        .iter()
        .map(String::from)
        .collect();
    if found != header.as_slice() {
        bail!(
            "{}: expected columns {header:?}, found {found:?}",
            path.display()
        );
    }
    let mut rows = Vec::new();
    for (number, record) in reader.records().enumerate() {
        let line = number + 2;
        let record = record.with_context(|| format!("{}:{line}: reading", path.display()))?;
        let fields: [String; N] = std::array::from_fn(|i| record.get(i).unwrap_or("").to_string());
        rows.push((line, fields));
    }
    Ok(rows)
}

fn diginetica_time(date: &str, timeframe: &str) -> Result<u64> {
    let offset: u64 = timeframe
        .parse()
        .with_context(|| format!("timeframe {timeframe:?}"))?;
    Ok(parse_date_ms(date)? + offset)
}

/// Parses `YYYY-MM-DD HH:MM:SS UTC` (REES46) into ms since the Unix epoch.
pub fn parse_utc_time(text: &str) -> Result<u64> {
    let text = text.strip_suffix(" UTC").unwrap_or(text);
    let (date, time) = text.split_once(' ').context("expected a date and a time")?;
    let parts: Vec<u64> = time
        .split(':')
        .map(|p| p.parse::<u64>())
        .collect::<Result<_, _>>()
        .context("time is not HH:MM:SS")?;
    let [hours, minutes, seconds] = parts[..] else {
        bail!("time is not HH:MM:SS")
    };
    if hours > 23 || minutes > 59 || seconds > 60 {
        bail!("time out of range");
    }
    Ok(parse_date_ms(date)? + ((hours * 60 + minutes) * 60 + seconds) * 1000)
}

/// Parses `YYYY-MM-DD` into ms since the Unix epoch at UTC midnight.
pub fn parse_date_ms(text: &str) -> Result<u64> {
    let parts: Vec<i64> = text
        .split('-')
        .map(|p| p.parse::<i64>())
        .collect::<Result<_, _>>()
        .with_context(|| format!("date {text:?}"))?;
    let [year, month, day] = parts[..] else {
        bail!("date {text:?} is not YYYY-MM-DD")
    };
    if !(1970..=9999).contains(&year) || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        bail!("date {text:?} out of range");
    }
    Ok(days_from_civil(year, month, day) as u64 * 86_400_000)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
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
        product_brand: pack_u16(&vec![NO_BRAND; products.len()]),
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

    #[test]
    fn parses_dates_and_times() {
        let check = |text: &str, expected: u64| assert_eq!(parse_utc_time(text).unwrap(), expected);
        check("1970-01-01 00:00:00 UTC", 0);
        check("2019-10-01 00:00:00 UTC", 1_569_888_000_000);
        check(
            "2019-10-01 02:49:58 UTC",
            1_569_888_000_000 + (2 * 3600 + 49 * 60 + 58) * 1000,
        );
        assert_eq!(parse_date_ms("2016-05-09").unwrap(), 1_462_752_000_000);
        for bad in [
            "2019-10-01",
            "2019-13-01 00:00:00 UTC",
            "x 00:00:00",
            "2019-10-01 25:00:00 UTC",
        ] {
            assert!(parse_utc_time(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn ndjson_events_are_read_and_bad_lines_named() {
        let dir = std::env::temp_dir().join(format!("aisle-abandon-ndjson-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let good = dir.join("good.ndjson");
        let head = r#""v":1,"id":"e","ts":5,"visitor":"v","session":"1""#;
        std::fs::write(&good, format!("{{{head},\"type\":\"add_to_cart\",\"product\":\"p\"}}\n\n{{{head},\"type\":\"product_view\",\"product\":\"q\"}}\n")).unwrap();
        let events = read_ndjson_events(&good).unwrap();
        assert_eq!(events.len(), 2);
        assert_eq!(
            events[1].body,
            EventBody::ProductView {
                product: "q".into()
            }
        );
        let bad = dir.join("bad.ndjson");
        std::fs::write(&bad, format!("{{{head},\"type\":\"product_view\",\"product\":\"q\"}}\n{{\"type\":\"teleport\"}}\n")).unwrap();
        let error = format!("{:#}", read_ndjson_events(&bad).unwrap_err());
        assert!(
            error.contains("bad.ndjson:2: not an aisle event"),
            "{error}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
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
