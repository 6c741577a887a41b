//! Generates a synthetic shop for benchmarks: a catalog CSV of N products and an NDJSON
//! stream of M events (aisle event schema v1) from realistic, interleaved shopper sessions.
//!
//! `cargo run --release -p aisle-cli --example generate_shop -- --products 10000 --events 1000000 --out DIR`
//! writes `DIR/catalog.csv` and `DIR/events.ndjson`, streaming (memory does not grow with M).
//! The same arguments give the same bytes (splitmix64 seeded by `--seed`).
//!
//! The model of a shop:
//! - Categories and brands: about one category per 200 products and one brand per 40; a
//!   category's brands are a handful of neighbours. Category sizes and traffic follow Zipf laws.
//! - Prices: a log-normal base price per category, each product log-normal around it.
//! - Popularity: within a category, product `k` (in catalog order) is drawn with weight
//!   `1/(k+1)^1.1`; products near each other in a category are "related" (a shopper who views
//!   one often views a neighbour next), which is the co-view structure `aisle build` learns.
//! - Visitors: 30% of sessions are returning visitors (same visitor id, next session number,
//!   the same favourite category); every visitor gets the default experiment's arm in `arms`.
//! - A session: often a category view and a grid exposure, then a geometric number of product
//!   views (mean 6), each sometimes preceded by a grid click; 8% of views add to the cart;
//!   40% of sessions with a cart end in a purchase of it. Events are 5–120 s apart.
//! - Sessions overlap in time (arrivals are a Poisson process over 30 days), and the stream is
//!   written in time order, as `aisle collect` would have received it (`received` a moment
//!   after `ts`). 0.2% of lines are sent twice (at-least-once delivery).
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use aisle::assign::assign;
use aisle::manifest::{default_experiment, DEFAULT_EXPERIMENT_KEY};
use aisle_cli::random::SplitMix64;
use clap::Parser;

/// Arguments.
#[derive(Parser)]
struct Args {
    /// Products in the catalog.
    #[arg(long, default_value_t = 10_000)]
    products: usize,
    /// Event lines to write.
    #[arg(long, default_value_t = 1_000_000)]
    events: u64,
    /// Output directory (catalog.csv and events.ndjson).
    #[arg(long)]
    out: PathBuf,
    /// Random seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Days the events span.
    #[arg(long, default_value_t = 30)]
    days: u64,
}

const START_MS: u64 = 1_767_225_600_000; // 2026-01-01T00:00:00Z
const MEAN_EVENTS_PER_SESSION: f64 = 8.0;
const RETURNING_SHARE: f64 = 0.3;
const ADD_TO_CART: f64 = 0.08;
const BUY_CART: f64 = 0.4;
const DUPLICATE_SHARE: f64 = 0.002;

/// The CLI's seeded SplitMix64 stream, with the draws the shop model needs.
struct Random(SplitMix64);

impl Random {
    fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }
    fn unit(&mut self) -> f64 {
        self.0.unit()
    }
    fn below(&mut self, n: usize) -> usize {
        self.0.below(n.max(1))
    }
    /// A standard normal draw (Box–Muller).
    fn normal(&mut self) -> f64 {
        let u = self.unit().max(1e-12);
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * self.unit()).cos()
    }
    fn exponential(&mut self, mean: f64) -> f64 {
        -mean * (1.0 - self.unit()).max(1e-12).ln()
    }
}

/// Draws indices with Zipf weights `1/(k+1)^s` by binary search on the cumulative weights.
struct Zipf {
    cumulative: Vec<f64>,
}

impl Zipf {
    fn new(n: usize, s: f64) -> Zipf {
        let mut total = 0.0;
        let cumulative = (0..n.max(1))
            .map(|k| {
                total += 1.0 / ((k + 1) as f64).powf(s);
                total
            })
            .collect();
        Zipf { cumulative }
    }
    fn draw(&self, random: &mut Random) -> usize {
        let target = random.unit() * self.cumulative.last().copied().unwrap_or(1.0);
        self.cumulative
            .partition_point(|&c| c < target)
            .min(self.cumulative.len() - 1)
    }
}

struct Product {
    id: String,
    price: f64,
}

struct Shop {
    categories: Vec<Vec<Product>>,
    category_traffic: Zipf,
    product_popularity: Vec<Zipf>,
}

/// Writes the catalog and returns the shop to sample sessions from.
fn write_catalog(args: &Args, random: &mut Random) -> std::io::Result<Shop> {
    let category_count = (args.products / 200)
        .clamp(4, 2000)
        .min(args.products.max(1));
    let brand_count = (args.products / 40).clamp(3, 20_000);
    let category_size = Zipf::new(category_count, 0.8);
    let mut categories: Vec<Vec<Product>> = (0..category_count).map(|_| Vec::new()).collect();
    let base_price: Vec<f64> = (0..category_count)
        .map(|_| (3.5 + 1.2 * random.normal()).exp())
        .collect();
    let mut out = BufWriter::new(std::fs::File::create(args.out.join("catalog.csv"))?);
    writeln!(out, "id,title,category,price,brand,category_title")?;
    for index in 0..args.products {
        // Every category gets at least one product; the rest follow the size law.
        let category = if index < category_count {
            index
        } else {
            category_size.draw(random)
        };
        let brand = (category * 7 + Zipf::new(8, 1.0).draw(random)) % brand_count;
        let price = (base_price[category] * (0.5 * random.normal()).exp() * 100.0).round() / 100.0;
        let id = format!("{}", 100_000 + index * 7 + random.below(7));
        writeln!(out, "{id},Product {index},cat-{category:04},{price:.2},brand-{brand:05},Category {category}")?;
        categories[category].push(Product { id, price });
    }
    out.flush()?;
    let product_popularity = categories.iter().map(|c| Zipf::new(c.len(), 1.1)).collect();
    Ok(Shop {
        categories,
        category_traffic: Zipf::new(category_count, 1.0),
        product_popularity,
    })
}

/// A session in progress.
struct Session {
    visitor: String,
    number: u32,
    arm: String,
    category: usize,
    views_left: u32,
    started: bool,
    last_product: Option<usize>,
    cart: Vec<(usize, usize)>,
    /// Events decided but not yet written (one action can be two events: click then view).
    queue: Vec<String>,
}

struct Visitor {
    id: String,
    sessions: u32,
    favourite: usize,
    arm: String,
}

struct Writer {
    out: BufWriter<std::fs::File>,
    written: u64,
    next_id: u64,
}

impl Writer {
    fn write(
        &mut self,
        random: &mut Random,
        ts: u64,
        session: &Session,
        body: &str,
    ) -> std::io::Result<()> {
        self.next_id += 1;
        let received = ts + 200 + random.below(3000) as u64;
        let line = format!(
            r#"{{"v":1,"id":"g{}","ts":{ts},"received":{received},"visitor":"{}","session":"{}","arms":{{"{DEFAULT_EXPERIMENT_KEY}":"{}"}},{body}}}"#,
            self.next_id, session.visitor, session.number, session.arm
        );
        writeln!(self.out, "{line}")?;
        self.written += 1;
        if random.unit() < DUPLICATE_SHARE {
            writeln!(self.out, "{line}")?;
            self.written += 1;
        }
        Ok(())
    }
}

fn pick_product(shop: &Shop, session: &Session, random: &mut Random) -> (usize, usize) {
    let category = if random.unit() < 0.8 {
        session.category
    } else {
        shop.category_traffic.draw(random)
    };
    let size = shop.categories[category].len();
    if let (Some(last), true) = (
        session.last_product,
        category == session.category && random.unit() < 0.5,
    ) {
        // A related product: a near neighbour in the category's list.
        let offset = 1 + random.below(3);
        let index = if random.unit() < 0.5 {
            last + offset
        } else {
            last + size - offset % size.max(1)
        };
        return (category, index % size.max(1));
    }
    (category, shop.product_popularity[category].draw(random))
}

/// Decides the next events of a session into its queue; false when the session is over.
fn advance(shop: &Shop, session: &mut Session, random: &mut Random) -> bool {
    if !session.started {
        session.started = true;
        let category = &shop.categories[session.category];
        if random.unit() < 0.6 {
            session.queue.push(format!(
                r#""type":"category_view","category":"cat-{:04}""#,
                session.category
            ));
        }
        if !category.is_empty() {
            let shown: Vec<String> = category
                .iter()
                .take(12)
                .map(|p| format!("\"{}\"", p.id))
                .collect();
            let changed = random.unit() < 0.6;
            session.queue.push(format!(
                r#""type":"exposure","experiment":"{DEFAULT_EXPERIMENT_KEY}","arm":"{}","bundle_version":"bench","grid":"/c/cat-{:04}#0","shown":[{}],"changed":{changed}"#,
                session.arm,
                session.category,
                shown.join(",")
            ));
        }
        return true;
    }
    if session.views_left > 0 {
        session.views_left -= 1;
        let (category, index) = pick_product(shop, session, random);
        let Some(product) = shop.categories[category].get(index) else {
            return true;
        };
        if random.unit() < 0.3 {
            session.queue.push(format!(
                r#""type":"grid_click","product":"{}","position":{}"#,
                product.id,
                random.below(24)
            ));
        }
        session.queue.push(format!(
            r#""type":"product_view","product":"{}""#,
            product.id
        ));
        if category == session.category {
            session.last_product = Some(index);
        }
        if random.unit() < ADD_TO_CART {
            session.queue.push(format!(
                r#""type":"add_to_cart","product":"{}","quantity":1,"price":{:.2}"#,
                product.id, product.price
            ));
            session.cart.push((category, index));
        }
        return true;
    }
    if !session.cart.is_empty() && random.unit() < BUY_CART {
        let items: Vec<String> = session
            .cart
            .iter()
            .map(|&(c, i)| {
                format!(
                    r#"{{"product":"{}","quantity":1,"price":{:.2}}}"#,
                    shop.categories[c][i].id, shop.categories[c][i].price
                )
            })
            .collect();
        let revenue: f64 = session
            .cart
            .iter()
            .map(|&(c, i)| shop.categories[c][i].price)
            .sum();
        session.queue.push(format!(
            r#""type":"purchase","order_id":"o{}-{}","revenue":{revenue:.2},"currency":"USD","items":[{}]"#,
            session.visitor,
            session.number,
            items.join(",")
        ));
        session.cart.clear();
        return true;
    }
    false
}

fn main() -> std::io::Result<()> {
    let args = Args::parse();
    std::fs::create_dir_all(&args.out)?;
    let mut random = Random(SplitMix64::new(
        args.seed.wrapping_mul(0x2545_f491_4f6c_dd1d) ^ 0x5eed,
    ));
    let shop = write_catalog(&args, &mut random)?;
    let experiment = default_experiment();
    let span_ms = args.days * 86_400_000;
    let expected_sessions = (args.events as f64 / MEAN_EVENTS_PER_SESSION).max(1.0);
    let mean_gap_ms = span_ms as f64 / expected_sessions;

    let mut writer = Writer {
        out: BufWriter::with_capacity(
            1 << 20,
            std::fs::File::create(args.out.join("events.ndjson"))?,
        ),
        written: 0,
        next_id: 0,
    };
    // Sessions in progress, by the time of their next event (then by start order).
    let mut active: BinaryHeap<Reverse<(u64, u64)>> = BinaryHeap::new();
    let mut sessions: HashMap<u64, Session> = HashMap::new();
    let mut visitors: Vec<Visitor> = Vec::new();
    let mut next_arrival = START_MS as f64;
    let mut next_key = 0u64;
    while writer.written < args.events {
        let arrival = next_arrival as u64;
        if active.peek().is_none_or(|Reverse((ts, _))| arrival <= *ts) {
            // A session starts: a returning visitor or a new one.
            let visitor = if !visitors.is_empty() && random.unit() < RETURNING_SHARE {
                let index = visitors.len() - 1 - random.below(visitors.len().min(50_000));
                &mut visitors[index]
            } else {
                let id = format!("v{:07}{:04x}", visitors.len(), random.next_u64() & 0xffff);
                let arm = assign(&experiment, &id)
                    .arm_key
                    .unwrap_or_else(|| "outside".into());
                visitors.push(Visitor {
                    id,
                    sessions: 0,
                    favourite: shop.category_traffic.draw(&mut random),
                    arm,
                });
                visitors.last_mut().expect("just pushed")
            };
            visitor.sessions += 1;
            let category = if random.unit() < 0.7 {
                visitor.favourite
            } else {
                shop.category_traffic.draw(&mut random)
            };
            let views = 1 + random.exponential(5.0) as u32;
            let session = Session {
                visitor: visitor.id.clone(),
                number: visitor.sessions,
                arm: visitor.arm.clone(),
                category,
                views_left: views,
                started: false,
                last_product: None,
                cart: Vec::new(),
                queue: Vec::new(),
            };
            next_key += 1;
            sessions.insert(next_key, session);
            active.push(Reverse((arrival, next_key)));
            next_arrival += random.exponential(mean_gap_ms).max(1.0);
            continue;
        }
        let Some(Reverse((ts, key))) = active.pop() else {
            break;
        };
        let session = sessions.get_mut(&key).expect("active sessions are stored");
        if session.queue.is_empty() && !advance(&shop, session, &mut random) {
            sessions.remove(&key);
            continue;
        }
        if session.queue.is_empty() {
            active.push(Reverse((ts, key)));
            continue;
        }
        let body = session.queue.remove(0);
        writer.write(&mut random, ts, session, &body)?;
        let gap = 5_000 + random.below(115_000) as u64;
        active.push(Reverse((ts + gap, key)));
    }
    writer.out.flush()?;
    eprintln!(
        "generate_shop: {} products in {} categories, {} events from {} visitors to {}",
        args.products,
        shop.categories.len(),
        writer.written,
        visitors.len(),
        args.out.display()
    );
    Ok(())
}
