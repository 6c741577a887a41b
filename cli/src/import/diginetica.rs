//! `aisle import diginetica`: the CIKM Cup 2016 DIGINETICA files (`;`-separated) into a
//! catalog and events.
//!
//! Item views (`session_id;user_id;item_id;timeframe;eventdate`) become product views at
//! `eventdate` midnight UTC plus `timeframe` ms. Purchases
//! (`sessionId;userId;timeframe;eventdate;ordernumber;itemId`) become one purchase event per
//! order, by the visitor of its session in the views file (a session is one visitor's, even
//! where the purchases file gives a user id the views did not), and are kept only for sessions
//! present in the views file (the purchases file covers
//! the full dataset, the views file may be a sample); the rest are counted. The catalog holds
//! the items seen in the kept events, with their category from the categories file. The data
//! has no titles, prices or brands: titles are "Item <id>", price and brand stay empty.
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use aisle::events::{Event, EventBody, LineItem, EVENT_SCHEMA_VERSION};
use anyhow::{bail, Context};
use clap::Args;

use super::write_import;
use crate::catalog::{first_lines, Product};
use crate::dates::parse_date;

/// Arguments of `aisle import diginetica`.
#[derive(Args)]
pub struct DigineticaArgs {
    /// Item views (`train-item-views.csv` or its sample).
    #[arg(long)]
    pub views: PathBuf,
    /// Purchases (`train-purchases.csv`).
    #[arg(long)]
    pub purchases: Option<PathBuf>,
    /// Product categories (`product-categories.csv`).
    #[arg(long)]
    pub categories: PathBuf,
    /// Where to write the catalog CSV.
    #[arg(long)]
    pub catalog_out: PathBuf,
    /// Where to write the events NDJSON.
    #[arg(long)]
    pub events_out: PathBuf,
}

/// A `;`-separated file's rows as field vectors with line numbers, after checking its header.
struct Table {
    rows: Vec<(u64, Vec<String>)>,
    malformed_lines: Vec<u64>,
}

fn read_table(path: &Path, columns: &[&str]) -> anyhow::Result<Table> {
    let file = path.display();
    let (mut reader, header) = crate::text_input::open_csv(path, b';', columns)?;
    if header.len() != columns.len() || header.iter().zip(columns).any(|(h, c)| h.trim() != *c) {
        bail!(
            "{file}: line 1: expected the columns {}, found {}",
            columns.join(";"),
            header.join(";")
        );
    }
    let mut table = Table {
        rows: Vec::new(),
        malformed_lines: Vec::new(),
    };
    for record in reader.records() {
        let record = record.with_context(|| format!("{file}: cannot read a row"))?;
        let line = record.position().map_or(0, |p| p.line());
        if record.len() != columns.len() {
            table.malformed_lines.push(line);
            continue;
        }
        table
            .rows
            .push((line, record.iter().map(|f| f.trim().to_string()).collect()));
    }
    Ok(table)
}

fn warn_malformed(path: &Path, lines: &[u64]) {
    if !lines.is_empty() {
        eprintln!(
            "aisle: warning: {}: {} malformed row(s) skipped (lines {})",
            path.display(),
            lines.len(),
            first_lines(lines)
        );
    }
}

pub fn run(args: DigineticaArgs) -> anyhow::Result<()> {
    let (products, events) =
        read_diginetica(&args.views, args.purchases.as_deref(), &args.categories)?;
    write_import(&args.catalog_out, &products, &args.events_out, &events)
}

/// Reads the views, purchases and categories files into a catalog and events (see the module
/// doc), warning on stderr about what it skips, counted by reason.
pub fn read_diginetica(
    views_path: &Path,
    purchases_path: Option<&Path>,
    categories_path: &Path,
) -> anyhow::Result<(Vec<Product>, Vec<Event>)> {
    let views = read_table(
        views_path,
        &["session_id", "user_id", "item_id", "timeframe", "eventdate"],
    )?;
    let mut malformed = views.malformed_lines.clone();
    let mut events = Vec::new();
    // The user of each session's last view: its purchases are that visitor's too.
    let mut user_of_session: BTreeMap<String, String> = BTreeMap::new();
    for (line, row) in &views.rows {
        let (session, user, item) = (&row[0], &row[1], &row[2]);
        let (Ok(timeframe), Some(date)) = (row[3].parse::<u64>(), parse_date(&row[4])) else {
            malformed.push(*line);
            continue;
        };
        if session.is_empty() || item.is_empty() {
            malformed.push(*line);
            continue;
        }
        user_of_session.insert(session.clone(), user.clone());
        events.push(event(
            format!("diginetica-view-{line}"),
            date + timeframe,
            user,
            session,
            EventBody::ProductView {
                product: item.clone(),
            },
        ));
    }
    warn_malformed(views_path, &malformed);

    if let Some(path) = purchases_path {
        let purchases = read_table(
            path,
            &[
                "sessionId",
                "userId",
                "timeframe",
                "eventdate",
                "ordernumber",
                "itemId",
            ],
        )?;
        let mut malformed = purchases.malformed_lines.clone();
        let mut orders: BTreeMap<(String, String), (u64, String, Vec<LineItem>)> = BTreeMap::new();
        let mut outside = 0usize;
        for (line, row) in &purchases.rows {
            let (session, order, item) = (&row[0], &row[4], &row[5]);
            let (Ok(timeframe), Some(date)) = (row[2].parse::<u64>(), parse_date(&row[3])) else {
                malformed.push(*line);
                continue;
            };
            let Some(user) = user_of_session.get(session) else {
                outside += 1;
                continue;
            };
            let entry = orders
                .entry((session.clone(), order.clone()))
                .or_insert_with(|| (date + timeframe, user.clone(), Vec::new()));
            entry.2.push(LineItem {
                product: item.clone(),
                quantity: 1,
                price: None,
            });
        }
        warn_malformed(path, &malformed);
        if outside > 0 {
            eprintln!("aisle: note: {}: {outside} purchase row(s) of sessions not in the views file left out", path.display());
        }
        for ((session, order), (ts, user, items)) in orders {
            let body = EventBody::Purchase {
                order_id: Some(order.clone()),
                revenue: None,
                currency: None,
                items,
            };
            events.push(event(
                format!("diginetica-order-{session}-{order}"),
                ts,
                &user,
                &session,
                body,
            ));
        }
    }
    events.sort_by(|a, b| a.ts.cmp(&b.ts).then_with(|| a.id.cmp(&b.id)));

    let mut items = BTreeSet::new();
    for event in &events {
        match &event.body {
            EventBody::ProductView { product } => {
                items.insert(product.clone());
            }
            EventBody::Purchase { items: lines, .. } => {
                items.extend(lines.iter().map(|l| l.product.clone()))
            }
            _ => {}
        }
    }
    let categories = read_table(categories_path, &["itemId", "categoryId"])?;
    warn_malformed(categories_path, &categories.malformed_lines);
    let category_of: BTreeMap<&str, &str> = categories
        .rows
        .iter()
        .filter(|(_, row)| items.contains(&row[0]))
        .map(|(_, row)| (row[0].as_str(), row[1].as_str()))
        .collect();
    let products: Vec<Product> = items
        .iter()
        .map(|id| Product {
            id: id.clone(),
            title: format!("Item {id}"),
            category: category_of
                .get(id.as_str())
                .map(|c| c.to_string())
                .unwrap_or_default(),
            ..Product::default()
        })
        .collect();
    let uncategorised = products.iter().filter(|p| p.category.is_empty()).count();
    if uncategorised > 0 {
        eprintln!(
            "aisle: warning: {uncategorised} item(s) have no category in {}",
            categories_path.display()
        );
    }
    Ok((products, events))
}

fn event(id: String, ts: u64, user: &str, session: &str, body: EventBody) -> Event {
    let visitor = if user.is_empty() || user == "NA" {
        format!("session-{session}")
    } else {
        user.to_string()
    };
    Event {
        v: EVENT_SCHEMA_VERSION,
        id,
        ts,
        visitor,
        session: session.to_string(),
        arms: BTreeMap::new(),
        body,
    }
}
