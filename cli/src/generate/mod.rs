//! `aisle generate`: a synthetic shop (catalog and sessions) of any size, for measuring bundle
//! size and decode/rerank speed at scales the public datasets do not reach.
//!
//! Deterministic for a seed. Each category's products sit on a ring of "similar" products
//! (think sizes of one shoe or models of one phone line); a session picks a category by a
//! Zipf-like popularity, wanders along its ring in small steps, sometimes jumps, sometimes
//! moves to another category, and adds to cart or buys now and then. Ids are random 7-digit
//! numbers, as in real shops, so they compress like real ids.
//!
//! [`ab_stream`] generates an A/B event stream with its ground truth, for the report's tests.
pub mod ab_stream;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use aisle::events::{Event, EventBody, LineItem, EVENT_SCHEMA_VERSION};
use clap::Args;

use crate::catalog::{write_catalog, Product};
use crate::event_log::write_events;
use crate::random::splitmix64;

/// Arguments of `aisle generate`.
#[derive(Args)]
pub struct GenerateArgs {
    /// Number of products.
    #[arg(long, default_value_t = 10_000)]
    pub products: usize,
    /// Products per category.
    #[arg(long, default_value_t = 100)]
    pub per_category: usize,
    /// Number of sessions.
    #[arg(long, default_value_t = 40_000)]
    pub sessions: usize,
    /// Seed.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Where to write the catalog CSV.
    #[arg(long)]
    pub catalog_out: PathBuf,
    /// Where to write the events NDJSON.
    #[arg(long)]
    pub events_out: PathBuf,
}

/// A seeded SplitMix64 stream.
struct Stream(u64);

impl Stream {
    fn next(&mut self) -> u64 {
        self.0 = splitmix64(self.0);
        self.0
    }
    /// Uniform in `0..n` (n > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    /// Uniform in 0..1.
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

pub fn run(args: GenerateArgs) -> anyhow::Result<()> {
    let (products, events) = generate(&args);
    write_catalog(&args.catalog_out, &products)?;
    write_events(&args.events_out, &events)?;
    eprintln!(
        "aisle: generated {} products and {} events",
        products.len(),
        events.len()
    );
    Ok(())
}

/// Generates the catalog and the events.
pub fn generate(args: &GenerateArgs) -> (Vec<Product>, Vec<Event>) {
    let mut rng = Stream(args.seed);
    let per_category = args.per_category.max(1);
    let categories = args.products.div_ceil(per_category).max(1);
    let brands = (args.products / 30).max(1);
    let mut ids = BTreeSet::new();
    let mut products = Vec::with_capacity(args.products);
    for i in 0..args.products {
        let id = loop {
            let candidate = 1_000_000 + rng.below(9_000_000);
            if ids.insert(candidate) {
                break candidate;
            }
        };
        let category = i / per_category;
        let base_price = 10.0 * (1.0 + (category % 17) as f64);
        products.push(Product {
            id: id.to_string(),
            title: format!("Product {id}"),
            category: format!("category-{category:04}"),
            price: Some((base_price * (0.5 + 2.0 * rng.unit()) * 100.0).round() / 100.0),
            brand: Some(format!(
                "brand-{:04}",
                (category * 7 + rng.below(12)) % brands
            )),
            ..Product::default()
        });
    }
    let mut events = Vec::new();
    let start_ms: u64 = 1_700_000_000_000;
    for s in 0..args.sessions {
        let visitor = format!("visitor-{}", rng.below(args.sessions / 2 + 1));
        let session = format!("session-{s}");
        let mut ts = start_ms + (s as u64) * 60_000 + rng.below(60_000) as u64;
        // Zipf-like: low category numbers are popular.
        let mut category = ((categories as f64).powf(rng.unit()) - 1.0) as usize % categories;
        let mut position = rng.below(per_category);
        let length = 2 + rng.below(15);
        let mut cart: BTreeMap<usize, ()> = BTreeMap::new();
        for step in 0..length {
            let roll = rng.unit();
            if step > 0 {
                if roll < 0.05 {
                    category = rng.below(categories);
                    position = rng.below(per_category);
                } else if roll < 0.15 {
                    position = rng.below(per_category);
                } else {
                    let delta = 1 + rng.below(4);
                    position = if rng.below(2) == 0 {
                        position + delta
                    } else {
                        position + per_category - delta
                    } % per_category;
                }
            }
            let index = (category * per_category + position).min(args.products - 1);
            let product = products[index].id.clone();
            ts += 5_000 + rng.below(120_000) as u64;
            let mut push = |ts: u64, body: EventBody| {
                events.push(Event {
                    v: EVENT_SCHEMA_VERSION,
                    id: format!("g{}", events.len()),
                    ts,
                    visitor: visitor.clone(),
                    session: session.clone(),
                    arms: BTreeMap::new(),
                    body,
                })
            };
            push(
                ts,
                EventBody::ProductView {
                    product: product.clone(),
                },
            );
            if rng.unit() < 0.06 {
                ts += 3_000;
                push(
                    ts,
                    EventBody::AddToCart {
                        product,
                        quantity: 1,
                        price: products[index].price,
                    },
                );
                cart.insert(index, ());
            }
        }
        if !cart.is_empty() && rng.unit() < 0.4 {
            ts += 60_000;
            let items = cart
                .keys()
                .map(|&i| LineItem {
                    product: products[i].id.clone(),
                    quantity: 1,
                    price: products[i].price,
                })
                .collect();
            events.push(Event {
                v: EVENT_SCHEMA_VERSION,
                id: format!("g{}", events.len()),
                ts,
                visitor,
                session,
                arms: BTreeMap::new(),
                body: EventBody::Purchase {
                    order_id: None,
                    revenue: None,
                    currency: None,
                    items,
                },
            });
        }
    }
    events.sort_by_key(|e| e.ts);
    (products, events)
}
