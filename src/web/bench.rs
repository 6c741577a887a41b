//! Micro-benchmarks of the core inside the browser's wasm engine, for `npm run bench`
//! (`scripts/bench.mjs`). Only compiled with the `bench` feature, so the shipped wasm never
//! carries them. Each function runs its loop inside the wasm and returns milliseconds per
//! operation measured with `performance.now()`.

use std::hint::black_box;

use wasm_bindgen::prelude::*;

use crate::bundle::Model;
use crate::history::{ActionKind, History, HistoryConfig};
use crate::rank::{order_by_scores, score, ShopperContext};

#[wasm_bindgen]
extern "C" {
    /// `performance.now()`.
    #[wasm_bindgen(js_namespace = performance)]
    fn now() -> f64;
}

/// Decoding and validating a bundle (`Model::from_bytes`), ms per decode; NaN when the bytes
/// are not a bundle.
#[wasm_bindgen(js_name = benchDecode)]
pub fn bench_decode(bytes: &[u8], iterations: u32) -> f64 {
    if Model::from_bytes(bytes).is_err() {
        return f64::NAN;
    }
    let started = now();
    for _ in 0..iterations {
        let _ = black_box(Model::from_bytes(black_box(bytes)));
    }
    (now() - started) / f64::from(iterations.max(1))
}

/// A shopper with `actions` recent actions spread over the catalog (views, a click, an add).
fn shopper(model: &Model, actions: usize) -> History {
    let mut history = History::new(HistoryConfig::default(), 1_700_000_000_000);
    let len = model.len().max(1);
    for k in 0..actions {
        let product = model.product_id(((k * 7919 + 13) % len) as u32).to_string();
        let kind = match k % 10 {
            7 => ActionKind::GridClick,
            9 => ActionKind::AddToCart,
            _ => ActionKind::ProductView,
        };
        history.record(
            kind,
            &product,
            1,
            Some(20.0),
            1_700_000_000_000 + k as u64 * 30_000,
        );
    }
    history
}

/// The product ids of a grid of `size` cards: products of the bundle at a fixed stride,
/// every twentieth card unknown to the bundle (as in a real grid with new products).
fn grid_ids(model: &Model, size: usize) -> Vec<String> {
    let len = model.len().max(1);
    let stride = (len / size.max(1)).max(1);
    (0..size)
        .map(|slot| {
            if slot % 20 == 19 {
                format!("new-{slot}")
            } else {
                model.product_id(((slot * stride) % len) as u32).to_string()
            }
        })
        .collect()
}

/// Reranking a grid of `size` cards for a shopper with a 20-action history: look up each id,
/// score it, compute the order (what the page does per grid, without the DOM). ms per rerank;
/// NaN when the bytes are not a bundle.
#[wasm_bindgen(js_name = benchRank)]
pub fn bench_rank(bytes: &[u8], size: u32, iterations: u32) -> f64 {
    let Ok(model) = Model::from_bytes(bytes) else {
        return f64::NAN;
    };
    let context = ShopperContext::new(&model, &shopper(&model, 20));
    let ids = grid_ids(&model, size as usize);
    let started = now();
    for _ in 0..iterations {
        let scores: Vec<Option<f32>> = ids
            .iter()
            .map(|id| {
                model
                    .index_of(black_box(id))
                    .map(|p| score(&model, &context, p))
            })
            .collect();
        black_box(order_by_scores(&scores));
    }
    (now() - started) / f64::from(iterations.max(1))
}

/// Folding a 20-action history into the shopper context (done when the bundle loads and
/// after every tracked action). ms per fold; NaN when the bytes are not a bundle.
#[wasm_bindgen(js_name = benchContext)]
pub fn bench_context(bytes: &[u8], iterations: u32) -> f64 {
    let Ok(model) = Model::from_bytes(bytes) else {
        return f64::NAN;
    };
    let history = shopper(&model, 20);
    let started = now();
    for _ in 0..iterations {
        black_box(ShopperContext::new(&model, black_box(&history)));
    }
    (now() - started) / f64::from(iterations.max(1))
}
