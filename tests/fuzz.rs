//! Property and mutation fuzzing of the decoders that read untrusted input: the bundle
//! (`Model::from_bytes`), the stored history (`StoredHistory::from_bytes` + `History::restore`)
//! and events (`serde_json::from_str::<Event>`). Bundle payloads and histories are also read
//! with the `postcard` crate, which must accept and read exactly what the hand-made reader does.
//!
//! Each target starts from valid seeds and mutates them (bit flips, byte edits, truncation,
//! splices, varint length bombs; bundle payloads get their header fixed up so mutations reach
//! the payload decoder and the validation behind the checksum). Whatever decodes is then used
//! the way the browser uses it (rank, restore, re-encode), and must not panic either.
//!
//! Deterministic by default (fixed seed, `AISLE_FUZZ_ITERS` inputs per target, 10,000 unless
//! set), so CI runs a bounded, reproducible slice. Longer runs with fresh seeds:
//! `bash fuzz/run.sh 600` (ten minutes, release build with overflow checks on). A panic is
//! saved to `tests/fuzz-crashers/<target>/` and fails the test; `crashers_are_replayed`
//! replays every file there on every run.
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use aisle::bundle::format::{decode_payload, encode, BundleWire, HEADER_LEN};
use aisle::bundle::{
    pack_aliases, pack_attribute, pack_neighbours, pack_u16, Model, ScoringWeights, NO_ATTRIBUTE,
    NO_BRAND,
};
use aisle::events::Event;
use aisle::history::{
    ActionKind, History, HistoryConfig, HistoryError, StoredHistory, HISTORY_FORMAT_VERSION,
    MAX_CART_LINES, MAX_ID_LEN,
};
use aisle::rank::{order_by_scores, score, ShopperContext};

/// splitmix64: small, fast and deterministic.
struct Random(u64);

impl Random {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }
}

fn iterations() -> usize {
    std::env::var("AISLE_FUZZ_ITERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000)
}

fn seed() -> u64 {
    std::env::var("AISLE_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0xa15e)
}

fn crasher_dir(target: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("fuzz-crashers")
        .join(target)
}

/// FNV-1a of the input, to name a crasher file.
fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

// ---- the targets: each takes raw bytes and must never panic ----

/// A fuzz target: true when the input decoded (and was then used).
type Target = fn(&[u8]) -> bool;

/// A history that exercises the model: views, a click, a cart and a category view.
fn sample_history(model: &Model) -> History {
    let mut history = History::new(HistoryConfig::default(), 1_000);
    for index in 0..model.len().min(5) {
        history.record(
            ActionKind::ProductView,
            model.product_id(index as u32),
            1,
            None,
            2_000 + index as u64,
        );
    }
    if !model.is_empty() {
        history.record(
            ActionKind::AddToCart,
            model.product_id(0),
            2,
            Some(9.5),
            3_000,
        );
        history.record(
            ActionKind::GridClick,
            model.product_id((model.len() - 1) as u32),
            1,
            None,
            3_100,
        );
    }
    history.record(ActionKind::CategoryView, "shoes", 1, None, 3_200);
    history.record(ActionKind::ProductView, "not-in-the-bundle", 1, None, 3_300);
    history
}

/// Decodes bundle bytes; a bundle that decodes is ranked as the browser would rank it.
fn bundle_target(bytes: &[u8]) -> bool {
    if bytes.len() >= HEADER_LEN {
        payload_reads_as_postcard_reads_it(&bytes[HEADER_LEN..]);
    }
    let Ok(model) = Model::from_bytes(bytes) else {
        return false;
    };
    let context = ShopperContext::new(&model, &sample_history(&model));
    let mut ids: Vec<String> = (0..model.len().min(64))
        .map(|i| model.product_id(i as u32).to_string())
        .collect();
    ids.push("unknown".into());
    ids.extend(
        [
            "8000000",
            "SKU-3",
            "shopify_US_1_44000006",
            "shopify_US_8000000_9",
        ]
        .map(String::from),
    );
    let scores: Vec<Option<f32>> = ids
        .iter()
        .map(|id| model.index_of(id).map(|p| score(&model, &context, p)))
        .collect();
    let order = order_by_scores(&scores);
    let mut sorted = order.clone();
    sorted.sort_unstable();
    assert_eq!(
        sorted,
        (0..ids.len()).collect::<Vec<_>>(),
        "the order is a permutation"
    );
    for index in 0..model.len() as u32 {
        for (neighbour, weight) in model.neighbours(index) {
            assert!((neighbour as usize) < model.len() && (0.0..=1.0).contains(&weight));
        }
        let _ = model.category_name(model.category(index));
    }
    let _ = model.products_per_category();
    if let Some(abandon) = &model.abandon {
        let features = aisle::abandon::AbandonFeatures::from_history(
            &sample_history(&model),
            Some(&model),
            4_000,
            13,
            2,
        );
        if let Some(score) = abandon.score(&features) {
            assert!(
                (0.0..=1.0).contains(&score.probability),
                "probability {}",
                score.probability
            );
        }
    }
    true
}

/// The hand-made payload reader (`aisle::postcard_reader`) accepts exactly the payloads the
/// `postcard` crate accepts, and reads the same values (compared re-encoded: NaN weights).
fn payload_reads_as_postcard_reads_it(payload: &[u8]) {
    let ours = decode_payload(payload)
        .ok()
        .map(|wire| postcard::to_allocvec(&wire).unwrap());
    let theirs = match postcard::take_from_bytes::<BundleWire>(payload) {
        Ok((wire, [])) => Some(postcard::to_allocvec(&wire).unwrap()),
        _ => None,
    };
    assert_eq!(ours, theirs, "the payload reader and postcard disagree");
}

/// The same for stored histories: the version first, then the whole value.
fn history_reads_as_postcard_reads_it(bytes: &[u8]) {
    let ours =
        StoredHistory::from_bytes(bytes).map(|stored| postcard::to_allocvec(&stored).unwrap());
    let theirs = match postcard::take_from_bytes::<u32>(bytes) {
        Err(_) => Err(HistoryError::Unreadable),
        Ok((found, _)) if found != HISTORY_FORMAT_VERSION => Err(HistoryError::WrongVersion {
            found,
            expected: HISTORY_FORMAT_VERSION,
        }),
        Ok(_) => match postcard::take_from_bytes::<StoredHistory>(bytes) {
            Ok((stored, [])) => Ok(postcard::to_allocvec(&stored).unwrap()),
            _ => Err(HistoryError::Unreadable),
        },
    };
    assert_eq!(ours, theirs, "the history reader and postcard disagree");
}

/// Decodes stored-history bytes; a history that decodes is restored, used and written back.
fn history_target(bytes: &[u8]) -> bool {
    history_reads_as_postcard_reads_it(bytes);
    let Ok(stored) = StoredHistory::from_bytes(bytes) else {
        return false;
    };
    for capacity in [1, 20, 100, 1000] {
        let config = HistoryConfig {
            capacity,
            ..Default::default()
        };
        let Ok(mut history) = History::restore(stored.clone(), config) else {
            continue;
        };
        assert!(history.len() <= capacity.clamp(1, 100));
        assert!(history.cart().len() <= MAX_CART_LINES);
        assert!(history
            .actions()
            .all(|a| !a.id.is_empty() && a.id.len() <= MAX_ID_LEN));
        history.record(ActionKind::AddToCart, "p1", 3, Some(1.0), u64::MAX / 2);
        history.record(ActionKind::RemoveFromCart, "p1", 1, None, u64::MAX);
        history.touch(0);
        let bytes = history.to_stored().to_bytes();
        let theirs = postcard::to_allocvec(&history.to_stored()).unwrap();
        assert_eq!(bytes, theirs, "the history writer and postcard disagree");
        assert_eq!(history.to_bytes(), bytes);
        let again = StoredHistory::from_bytes(&bytes).expect("a written history reads back");
        assert_eq!(again, history.to_stored());
        let _ = ShopperContext::new(history_model(), &history);
    }
    true
}

/// The bundle histories are ranked against, decoded once.
fn history_model() -> &'static Model {
    static MODEL: std::sync::OnceLock<Model> = std::sync::OnceLock::new();
    MODEL.get_or_init(|| {
        Model::from_bytes(&encode(&seed_wire(12, true))).expect("the seed bundle decodes")
    })
}

/// Parses an event as `aisle collect`, `build` and `report` do; what parses round-trips.
fn event_target(bytes: &[u8]) -> bool {
    let text = String::from_utf8_lossy(bytes);
    let mut decoded = false;
    for parsed in [
        serde_json::from_str::<Event>(&text),
        serde_json::from_slice::<Event>(bytes),
    ] {
        let Ok(event) = parsed else { continue };
        decoded = true;
        let json = serde_json::to_string(&event).expect("an event serializes");
        let again: Event = serde_json::from_str(&json).expect("a serialized event parses");
        assert_eq!(again.body.type_name(), event.body.type_name());
        let first: serde_json::Value = serde_json::from_str(&json).expect("parses as a value");
        let second = serde_json::to_value(&again).expect("serializes as a value");
        assert!(
            same_json(&first, &second),
            "serialization is stable: {first} vs {second}"
        );
    }
    decoded
}

/// Equal JSON, except that floats may differ in the last bit: serde_json's default float
/// parser is not exactly round-trip (the `float_roundtrip` feature is); a price of
/// 1844677000044073709551615 comes back 1 ULP off (`tests/fuzz-crashers/event/crash-994a…`).
fn same_json(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::Value;
    match (a, b) {
        (Value::Number(x), Value::Number(y)) if x.is_f64() || y.is_f64() => {
            let (x, y) = (
                x.as_f64().unwrap_or(f64::NAN),
                y.as_f64().unwrap_or(f64::NAN),
            );
            x == y || (x - y).abs() <= 4.0 * f64::EPSILON * x.abs().max(y.abs())
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same_json(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_json(v, w)))
        }
        _ => a == b,
    }
}

// ---- seeds ----

/// A valid bundle wire with `products` products in a few categories and brands.
fn seed_wire(products: usize, abandon: bool) -> BundleWire {
    let ids: Vec<String> = (0..products).map(|i| format!("p{i}")).collect();
    let lists: Vec<Vec<(u32, u8)>> = (0..products)
        .map(|i| {
            (1..4)
                .map(|d| ((i + d) % products) as u32)
                .filter(|&n| n as usize != i)
                .map(|n| (n, 3))
                .collect()
        })
        .collect();
    let (neighbours, neighbour_weights) = pack_neighbours(&lists, 2);
    // Every third product has aliases: a Shopify product id, variant ids and a SKU.
    let aliases: Vec<Vec<String>> = (0..products)
        .map(|i| {
            if i % 3 == 0 {
                vec![
                    format!("{}", 8_000_000 + i),
                    format!("{}", 44_000_000 + i),
                    format!("SKU-{i}"),
                ]
            } else {
                Vec::new()
            }
        })
        .collect();
    let aliases = pack_aliases(&aliases);
    let categories: Vec<u16> = (0..products).map(|i| (i % 3) as u16).collect();
    BundleWire {
        model_version: "fuzz-1".into(),
        built_at_ms: 1_700_000_000_000,
        trained_sessions: products as u64,
        product_ids: ids.join("\n"),
        alias_ids: aliases.ids,
        alias_numbers: aliases.numbers,
        alias_counts: aliases.counts,
        color_names: vec!["red".into(), "navy".into()],
        product_color: pack_attribute(
            &(0..products)
                .map(|i| {
                    if i % 5 == 4 {
                        NO_ATTRIBUTE
                    } else {
                        (i % 2) as u16
                    }
                })
                .collect::<Vec<_>>(),
            &categories,
            3,
        ),
        size_names: vec!["S|M|L".into()],
        product_size: pack_attribute(
            &(0..products)
                .map(|i| if i % 2 == 0 { 0 } else { NO_ATTRIBUTE })
                .collect::<Vec<_>>(),
            &categories,
            3,
        ),
        category_names: vec!["shoes".into(), "hats".into(), "bags".into()],
        product_category: pack_u16(&categories),
        brand_names: vec!["acme".into(), "zenith".into()],
        product_brand: pack_attribute(
            &(0..products)
                .map(|i| if i % 4 == 3 { NO_BRAND } else { (i % 2) as u16 })
                .collect::<Vec<_>>(),
            &categories,
            3,
        ),
        popularity: (0..products).map(|i| (i * 37 % 256) as u8).collect(),
        price_band: (0..products).map(|i| (i % 5) as u8).collect(),
        neighbours,
        neighbour_weights,
        neighbour_weight_bits: 2,
        product_id_numbers: Vec::new(),
        weights: ScoringWeights::default(),
        abandon: abandon.then(|| aisle::abandon::AbandonModelWire {
            feature_names: aisle::abandon::Feature::ALL
                .iter()
                .take(4)
                .map(|f| f.name().to_string())
                .collect(),
            means: vec![0.5; 4],
            scales: vec![1.5; 4],
            coefficients: vec![0.3, -0.2, 0.1, 0.05],
            intercept: -0.4,
            calibration_slope: 1.1,
            calibration_intercept: 0.02,
            base_rate: 0.7,
            default_nudge_delay_ms: 3_600_000,
        }),
    }
}

fn bundle_seeds() -> Vec<Vec<u8>> {
    vec![
        encode(&seed_wire(3, false)),
        encode(&seed_wire(12, true)),
        encode(&seed_wire(40, false)),
        encode(&BundleWire::default()),
    ]
}

fn history_seeds() -> Vec<Vec<u8>> {
    let model = Model::from_bytes(&encode(&seed_wire(12, false))).expect("seed bundle");
    let mut long = sample_history(&model);
    for i in 0..30u64 {
        long.record(
            ActionKind::ProductView,
            &format!("p{i}"),
            1,
            None,
            10_000 + i * 3_600_000,
        );
    }
    vec![
        History::new(HistoryConfig::default(), 5)
            .to_stored()
            .to_bytes(),
        sample_history(&model).to_stored().to_bytes(),
        long.to_stored().to_bytes(),
    ]
}

fn event_seeds() -> Vec<Vec<u8>> {
    const HEAD: &str = r#""v":1,"id":"e1","ts":1700000000000,"visitor":"3f2a","session":"2","arms":{"aisle-rerank":"personalized"}"#;
    [
        r#""type":"product_view","product":"p1""#,
        r#""type":"category_view","category":"shoes""#,
        r#""type":"grid_click","product":"p1","position":3"#,
        r#""type":"add_to_cart","product":"p1","quantity":2,"price":19.99"#,
        r#""type":"remove_from_cart","product":"p1","quantity":0"#,
        r#""type":"begin_checkout","value":59.9,"currency":"EUR","items":[{"product":"p1","quantity":1,"price":59.9}]"#,
        r#""type":"purchase","order_id":"o1","revenue":59.9,"currency":"EUR","items":[{"product":"p1","quantity":1,"price":59.9}]"#,
        r#""type":"exposure","experiment":"aisle-rerank","arm":"holdout","bundle_version":"m1","grid":"/c/a#0","shown":["p1","p2"],"treatment":["p2","p1"],"changed":true"#,
        r#""type":"abandon_score","score":0.73,"reasons":["cart_value"],"nudge_delay_ms":3600000"#,
        r#""type":"error","code":"bundle_checksum","message":"bad \u00e9 \"quoted\"""#,
    ]
    .iter()
    .map(|body| format!("{{{HEAD},{body}}}").into_bytes())
    .collect()
}

// ---- mutation ----

/// Interesting values to write over bytes and varints.
const MAGIC_BYTES: [u8; 8] = [0x00, 0x01, 0x7f, 0x80, 0xff, 0xfe, b'\n', b'"'];
/// JSON fragments spliced into events.
const JSON_TOKENS: [&str; 16] = [
    "null",
    "true",
    "-1",
    "1e309",
    "18446744073709551616",
    "4294967296",
    "\"\"",
    "[]",
    "{}",
    "\"\\ud800\"",
    ",",
    ":",
    "\"type\"",
    "[[[[[[[[[[[[[[[[",
    "0.1e-400",
    "\"product_view\"",
];

fn mutate(random: &mut Random, input: &[u8], seeds: &[Vec<u8>], json: bool) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..if random.chance(2) {
        1
    } else {
        1 + random.below(4)
    } {
        let len = out.len();
        match random.below(if json { 10 } else { 9 }) {
            0 if len > 0 => {
                let i = random.below(len);
                out[i] ^= 1 << random.below(8);
            }
            1 if len > 0 => {
                let i = random.below(len);
                out[i] = MAGIC_BYTES[random.below(MAGIC_BYTES.len())];
            }
            2 if len > 0 => {
                let i = random.below(len);
                out[i] = random.next_u64() as u8;
            }
            3 => out.truncate(random.below(len + 1)),
            4 if len > 0 => {
                let start = random.below(len);
                let end = (start + 1 + random.below(16)).min(len);
                out.drain(start..end);
            }
            5 => {
                let at = random.below(len + 1);
                let extra: Vec<u8> = (0..1 + random.below(8))
                    .map(|_| random.next_u64() as u8)
                    .collect();
                out.splice(at..at, extra);
            }
            6 if len > 0 => {
                // A varint length bomb: a huge count where a length may sit.
                let at = random.below(len);
                out.splice(at..at, [0xff, 0xff, 0xff, 0xff, 0x0f]);
            }
            7 => {
                // Splice with another seed.
                let other = &seeds[random.below(seeds.len())];
                let cut = random.below(len + 1);
                let from = random.below(other.len() + 1);
                out.truncate(cut);
                out.extend_from_slice(&other[from..]);
            }
            8 if len > 1 => {
                // Duplicate a chunk.
                let start = random.below(len);
                let end = (start + 1 + random.below(32)).min(len);
                let chunk = out[start..end].to_vec();
                let at = random.below(out.len() + 1);
                out.splice(at..at, chunk);
            }
            9 => {
                let token = JSON_TOKENS[random.below(JSON_TOKENS.len())].as_bytes();
                let at = random.below(len + 1);
                let end = (at + random.below(8)).min(len);
                out.splice(at..end, token.iter().copied());
            }
            _ => {}
        }
    }
    out
}

/// Edits fields of a valid bundle (lengths off by a little, random bytes in packed arrays,
/// odd ids and names, hostile numbers), then encodes it with a valid header.
fn mutate_bundle_fields(random: &mut Random, seeds: &[Vec<u8>]) -> Vec<u8> {
    let mut wire = aisle::bundle::format::decode(&seeds[random.below(seeds.len())])
        .expect("seed bundles decode");
    let count = wire.popularity.len();
    let noise = |n: usize, random: &mut Random| -> Vec<u8> {
        (0..n).map(|_| random.next_u64() as u8).collect()
    };
    for _ in 0..1 + random.below(2) {
        let resize = [0usize, 0, 0, 1, 2, 3][random.below(6)];
        let longer = random.chance(2);
        let size = |n: usize| {
            if longer {
                n + resize
            } else {
                n.saturating_sub(resize)
            }
        };
        match random.below(15) {
            10 => wire.product_color = noise(size(wire.product_color.len()), random),
            11 => wire.product_size = noise(size(wire.product_size.len()), random),
            12 => wire.alias_counts = noise(size(wire.alias_counts.len()), random),
            14 => wire.alias_numbers = noise(size(wire.alias_numbers.len()), random),
            13 => {
                wire.alias_ids = ["", "\n", "p0", "8000000\n8000000", "\n\n\n", "é\u{0}\n<b>"]
                    [random.below(6)]
                .repeat(1 + random.below(3))
            }
            0 => wire.product_category = noise(size(count * 2), random),
            1 => wire.product_brand = noise(size(wire.product_brand.len()), random),
            2 => wire.neighbours = noise(size(wire.neighbours.len()), random),
            3 => wire.neighbour_weights = noise(size(wire.neighbour_weights.len()), random),
            4 => wire.popularity = noise(size(count), random),
            5 => wire.price_band = noise(size(count), random),
            6 => {
                wire.product_ids = ["", "\n", "a\n", "a\nb\na", "\n\n\n", "é\u{0}\n<b>"]
                    [random.below(6)]
                .repeat(1 + random.below(3))
            }
            7 => wire.category_names.truncate(random.below(3)),
            8 => {
                let value =
                    [0.0, -3.0, f32::MIN_POSITIVE, 1e30, f32::NAN, f32::INFINITY][random.below(6)];
                match random.below(3) {
                    0 => wire.weights.recency_half_life = value,
                    1 => wire.weights.action_strength[random.below(6)] = value,
                    _ => wire.weights.neighbour = value,
                }
            }
            _ => {
                if let Some(abandon) = wire.abandon.as_mut() {
                    let value = [0.0, -1.0, f32::NAN, f32::INFINITY, 1e30][random.below(5)];
                    match random.below(4) {
                        0 => abandon.scales[0] = value,
                        1 => abandon
                            .feature_names
                            .push(["nope", "cart_value", ""][random.below(3)].into()),
                        2 => abandon.coefficients[random.below(4)] = value,
                        _ => abandon.default_nudge_delay_ms = [0, u64::MAX][random.below(2)],
                    }
                }
            }
        }
    }
    encode(&wire)
}

/// Edits one field of a valid stored history to an extreme value, then encodes it, so the
/// input decodes and `History::restore` sees hostile contents.
fn mutate_history_fields(random: &mut Random, seeds: &[Vec<u8>]) -> Vec<u8> {
    let mut stored = StoredHistory::from_bytes(&seeds[random.below(seeds.len())])
        .expect("seed histories decode");
    const TIMES: [u64; 5] = [0, 1, u64::MAX, u64::MAX / 2, 1_700_000_000_000];
    for _ in 0..1 + random.below(3) {
        let time = TIMES[random.below(TIMES.len())];
        match random.below(9) {
            0 => stored.s = [0, 1, u32::MAX][random.below(3)],
            1 => stored.ss = time,
            2 => stored.la = time,
            3 => stored.fs = time,
            4 => {
                stored.g = (0..random.below(40))
                    .map(|_| TIMES[random.below(TIMES.len())])
                    .collect()
            }
            5 => stored.a.push(aisle::history::Action {
                kind: [
                    ActionKind::ProductView,
                    ActionKind::Purchase,
                    ActionKind::CategoryView,
                ][random.below(3)],
                id: ["", "x", "é", &"long-id".repeat(40)][random.below(4)].to_string(),
                at_ms: time,
                session: [0, 1, u32::MAX][random.below(3)],
            }),
            6 => {
                for _ in 0..random.below(300) {
                    stored.a.push(aisle::history::Action {
                        kind: ActionKind::GridClick,
                        id: "p1".into(),
                        at_ms: time,
                        session: 1,
                    });
                }
            }
            7 => {
                for i in 0..random.below(120) {
                    stored.c.push(aisle::history::CartLine {
                        id: if i % 7 == 0 {
                            String::new()
                        } else {
                            format!("p{i}")
                        },
                        quantity: [0, 1, u32::MAX][random.below(3)],
                        unit_price: [
                            None,
                            Some(f32::NAN),
                            Some(-1.0),
                            Some(f32::INFINITY),
                            Some(9.5),
                        ][random.below(5)],
                        added_at_ms: time,
                    });
                }
            }
            _ => stored.a.reverse(),
        }
    }
    stored.to_bytes()
}

/// Replaces, removes or adds one field anywhere in a valid event, so the input is valid JSON
/// with hostile contents.
fn mutate_event_fields(random: &mut Random, seeds: &[Vec<u8>]) -> Vec<u8> {
    use serde_json::{json, Value};
    let mut value: Value =
        serde_json::from_slice(&seeds[random.below(seeds.len())]).expect("seed events parse");
    let replacement = |random: &mut Random| -> Value {
        match random.below(12) {
            0 => Value::Null,
            1 => json!(true),
            2 => json!(-1),
            3 => json!(u64::MAX),
            4 => json!(1.5e300),
            5 => json!(""),
            6 => json!("<img src=x onerror=alert(1)>\u{0}\u{202e}"),
            7 => json!([]),
            8 => json!({}),
            9 => json!(["a", 1, null]),
            10 => json!(4294967296u64),
            _ => json!("product_view"),
        }
    };
    for _ in 0..1 + random.below(2) {
        // Pick a random object or array inside the event, as a JSON pointer.
        let mut pointer = String::new();
        let mut node = &value;
        while random.chance(3) {
            let (step, child) = match node {
                Value::Object(map) if !map.is_empty() => {
                    let (key, child) = map
                        .iter()
                        .nth(random.below(map.len()))
                        .expect("key in range");
                    (key.replace('~', "~0").replace('/', "~1"), child)
                }
                Value::Array(items) if !items.is_empty() => {
                    let index = random.below(items.len());
                    (index.to_string(), &items[index])
                }
                _ => break,
            };
            if !(child.is_object() || child.is_array()) {
                break;
            }
            pointer = format!("{pointer}/{step}");
            node = child;
        }
        let Some(node) = value.pointer_mut(&pointer) else {
            continue;
        };
        let new_value = replacement(random);
        match node {
            Value::Object(map) if !map.is_empty() => {
                let key = map
                    .keys()
                    .nth(random.below(map.len()))
                    .cloned()
                    .expect("key in range");
                match random.below(3) {
                    0 => {
                        map.remove(&key);
                    }
                    1 => {
                        map.insert("extra".into(), new_value);
                    }
                    _ => {
                        map.insert(key, new_value);
                    }
                }
            }
            Value::Array(items) => items.push(new_value),
            _ => {}
        }
    }
    serde_json::to_vec(&value).expect("a Value serializes")
}

/// Rewrites a bundle's header so its length and checksum match the (mutated) payload, so
/// the mutation reaches the payload decoder instead of stopping at the checksum.
fn fix_header(bytes: &mut [u8]) {
    if bytes.len() < HEADER_LEN {
        return;
    }
    let payload_len = (bytes.len() - HEADER_LEN) as u32;
    let crc = crc32(&bytes[HEADER_LEN..]);
    bytes[12..16].copy_from_slice(&payload_len.to_le_bytes());
    bytes[16..20].copy_from_slice(&crc.to_le_bytes());
}

/// CRC-32 (IEEE), bitwise: the test does not depend on the crate it checks.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// Runs `target` on `input`; a panic saves the input as a crasher and returns its path.
fn run_one(name: &str, target: Target, input: &[u8]) -> Result<bool, PathBuf> {
    if let Ok(decoded) = catch_unwind(AssertUnwindSafe(|| target(input))) {
        return Ok(decoded);
    }
    let dir = crasher_dir(name);
    std::fs::create_dir_all(&dir).expect("create the crasher directory");
    let path = dir.join(format!("crash-{:016x}.bin", fnv(input)));
    std::fs::write(&path, input).expect("save the crasher");
    Err(path)
}

/// A mutator that builds a decodable input with hostile contents.
type Structured = fn(&mut Random, &[Vec<u8>]) -> Vec<u8>;

/// Runs the seeds and `iterations()` mutants of them through `target`; returns how many
/// mutants decoded (and so reached the checks behind the decoder).
fn fuzz(
    name: &str,
    target: Target,
    seeds: &[Vec<u8>],
    json: bool,
    header: bool,
    structured: Option<Structured>,
) -> usize {
    let mut random = Random(seed() ^ fnv(name.as_bytes()));
    let mut crashers = Vec::new();
    let mut corpus: Vec<Vec<u8>> = seeds.to_vec();
    for seed in seeds {
        crashers.extend(run_one(name, target, seed).err());
    }
    let mut decoded = 0;
    for _ in 0..iterations() {
        let base = corpus[random.below(corpus.len())].clone();
        let mut input = match (structured, random.chance(2)) {
            (Some(structured), true) => structured(&mut random, seeds),
            _ => mutate(&mut random, &base, seeds, json),
        };
        if header && !random.chance(8) {
            fix_header(&mut input);
        }
        match run_one(name, target, &input) {
            Ok(true) => decoded += 1,
            Ok(false) => {}
            Err(path) => crashers.push(path),
        }
        // Keep some mutants as new bases, so mutations stack up over the run.
        if random.chance(16) && corpus.len() < 256 {
            corpus.push(input);
        }
    }
    eprintln!(
        "fuzz {name}: {} inputs, {decoded} decoded, {} crashers",
        iterations(),
        crashers.len()
    );
    crashers.sort();
    crashers.dedup();
    assert!(
        crashers.is_empty(),
        "{name}: {} input(s) panicked, saved as {:?}",
        crashers.len(),
        &crashers[..crashers.len().min(5)]
    );
    decoded
}

#[test]
fn fuzz_bundle_decoder() {
    let seeds = bundle_seeds();
    for seed in &seeds {
        assert!(
            Model::from_bytes(seed).is_ok(),
            "every seed bundle is valid"
        );
    }
    let decoded = fuzz(
        "bundle",
        bundle_target,
        &seeds,
        false,
        true,
        Some(mutate_bundle_fields),
    );
    assert!(
        decoded > 0,
        "some mutants get past the decoder to the model checks"
    );
}

#[test]
fn fuzz_history_decoder() {
    let seeds = history_seeds();
    for seed in &seeds {
        assert!(
            StoredHistory::from_bytes(seed).is_ok(),
            "every seed history is valid"
        );
    }
    let decoded = fuzz(
        "history",
        history_target,
        &seeds,
        false,
        false,
        Some(mutate_history_fields),
    );
    assert!(decoded > 0, "some mutants decode and are restored");
}

#[test]
fn fuzz_event_parser() {
    let seeds = event_seeds();
    for seed in &seeds {
        assert!(
            serde_json::from_slice::<Event>(seed).is_ok(),
            "every seed event is valid: {}",
            String::from_utf8_lossy(seed)
        );
    }
    let decoded = fuzz(
        "event",
        event_target,
        &seeds,
        true,
        false,
        Some(mutate_event_fields),
    );
    assert!(decoded > 0, "some mutants parse and round-trip");
}

/// Random bundle wires with inconsistent fields, properly encoded: every one must be refused
/// or decode into a model that ranks without panicking.
#[test]
fn random_bundle_wires_never_panic() {
    let mut random = Random(seed() ^ 0x77);
    let seeds = bundle_seeds();
    let mut crashers = Vec::new();
    for _ in 0..iterations() {
        crashers.extend(
            run_one(
                "bundle",
                bundle_target,
                &mutate_bundle_fields(&mut random, &seeds),
            )
            .err(),
        );
    }
    assert!(
        crashers.is_empty(),
        "random wires panicked, saved as {crashers:?}"
    );
}

/// Every file under `tests/fuzz-crashers/<target>/` (crashers found so far and hand-written
/// hostile inputs) runs through its target without panicking.
#[test]
fn crashers_are_replayed() {
    let targets: [(&str, Target); 3] = [
        ("bundle", bundle_target),
        ("history", history_target),
        ("event", event_target),
    ];
    let mut replayed = 0;
    for (name, target) in targets {
        let Ok(entries) = std::fs::read_dir(crasher_dir(name)) else {
            continue;
        };
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file())
            .collect();
        paths.sort();
        for path in paths {
            let input = std::fs::read(&path).expect("read a crasher");
            let outcome = catch_unwind(AssertUnwindSafe(|| target(&input)));
            assert!(outcome.is_ok(), "{} panics again", path.display());
            replayed += 1;
        }
    }
    assert!(
        replayed >= 3,
        "the hand-written hostile inputs are there ({replayed} replayed)"
    );
}

/// Hostile inputs that decode to errors, with the error they must give.
#[test]
fn hostile_inputs_are_refused_with_the_right_error() {
    use aisle::bundle::BundleError;
    use aisle::history::HistoryError;
    // A payload claiming a 4-billion-element product-id string.
    let mut bomb = encode(&seed_wire(3, false));
    bomb.truncate(HEADER_LEN); // the model_version length prefix is the first payload byte
    bomb.extend_from_slice(&[0xff, 0xff, 0xff, 0xff, 0x0f]);
    fix_header(&mut bomb);
    assert_eq!(
        Model::from_bytes(&bomb).err(),
        Some(BundleError::Malformed("payload does not decode"))
    );
    // Hand-made bundles of format 3, each broken in one packed section
    // (`tests/fuzz-crashers/bundle/`), give the error that names it.
    for (file, error) in [
        (
            "alias-number-truncated-varint.bin",
            "a packed number list ends early",
        ),
        ("alias-number-gap-overflow.bin", "an alias number overflows"),
        (
            "brand-local-index-out-of-range.bin",
            "brand index out of range",
        ),
        (
            "brand-list-truncated.bin",
            "a packed number list ends early",
        ),
        ("neighbour-gap-overflow.bin", "neighbour index overflows"),
    ] {
        let bytes = std::fs::read(crasher_dir("bundle").join(file)).expect("read a crasher");
        assert_eq!(
            Model::from_bytes(&bytes).err(),
            Some(BundleError::Malformed(error)),
            "{file}"
        );
    }
    // A history of another version, and one claiming a huge action count.
    assert_eq!(
        StoredHistory::from_bytes(&[0]).err(),
        Some(HistoryError::WrongVersion {
            found: 0,
            expected: 1
        })
    );
    assert_eq!(
        StoredHistory::from_bytes(&[1, 0xff, 0xff, 0xff, 0xff, 0x0f]).err(),
        Some(HistoryError::Unreadable)
    );
    assert_eq!(
        StoredHistory::from_bytes(&[]).err(),
        Some(HistoryError::Unreadable)
    );
    // JSON nested deeper than the parser's limit is an error, not a stack overflow.
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(serde_json::from_str::<Event>(&deep).is_err());
}
