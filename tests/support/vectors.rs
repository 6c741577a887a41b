//! The shared vector harness (`tests/vectors/manifest.json`, `events.json`), used natively
//! (`tests/page_vectors.rs`, over `aisle::page::Page`) and in the browser (`tests/web.rs`,
//! over the wasm's `AisleEngine`): one reading of the cases, two drivers. The shipped wasm's
//! JavaScript interface runs the same files in `tests/e2e/wasm-abi.test.mjs`.
#![allow(dead_code)] // each test crate uses its own part of it

use aisle::bundle::format::{encode, BundleWire, ScoringWeights};
use aisle::bundle::{pack_neighbours, pack_u16};
use serde_json::Value;

/// Two shoes (a, b) and two hats (c, d); hats are more popular. The bundle the vectors'
/// `loadBundle` calls load.
pub fn bundle_bytes() -> Vec<u8> {
    let (neighbours, neighbour_weights) =
        pack_neighbours(&[vec![(1, 3)], vec![(0, 3)], vec![], vec![]], 2);
    encode(&BundleWire {
        model_version: "web-test-1".into(),
        built_at_ms: 1,
        product_ids: "a\nb\nc\nd".into(),
        product_id_numbers: Vec::new(),
        category_names: vec!["shoes".into(), "hats".into()],
        product_category: pack_u16(&[0, 0, 1, 1]),
        brand_names: vec![],
        popularity: vec![10, 20, 200, 255],
        price_band: vec![0; 4],
        neighbours,
        neighbour_weights,
        neighbour_weight_bits: 2,
        weights: ScoringWeights::default(),
        abandon: None,
        ..BundleWire::default()
    })
}

/// One page session under test: the calls the loader makes.
pub trait Driver {
    fn use_manifest(&mut self, text: &str) -> Option<String>;
    fn load_bundle(&mut self, bytes: &[u8]) -> bool;
    fn report_failure(&mut self, code: &str, message: &str);
    fn plan_grid(
        &mut self,
        ids: &str,
        fresh: &[u8],
        index: u32,
        leave_visible: bool,
    ) -> Option<Vec<u32>>;
    fn record_click(&mut self, id: &str, position: u32);
    fn track(&mut self, kind: &str, id: &str, quantity: Option<u32>, price: Option<f64>) -> bool;
    fn purchase(&mut self, order: &str) -> bool;
    fn take_events(&mut self) -> String;
}

/// The manifest cases: `(name, text, expected)`, `expected` being `accepted`, `kill_switch`
/// or an error code.
pub fn manifest_cases() -> Vec<(String, String, String, Option<String>)> {
    let vectors: Value = serde_json::from_str(include_str!("../vectors/manifest.json")).unwrap();
    vectors["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|case| {
            (
                case["name"].as_str().unwrap().to_owned(),
                case["text"].as_str().unwrap().to_owned(),
                case["expected"].as_str().unwrap().to_owned(),
                case["bundle"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

/// The event cases: `(name, config JSON, calls, expected events as one JSON array text)`.
pub fn event_cases() -> Vec<(String, String, Vec<Value>, String)> {
    let vectors: Value = serde_json::from_str(include_str!("../vectors/events.json")).unwrap();
    vectors["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|case| {
            let events: Vec<&str> = case["events"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e.as_str().unwrap())
                .collect();
            (
                case["name"].as_str().unwrap().to_owned(),
                case["config"].to_string(),
                case["calls"].as_array().unwrap().clone(),
                format!("[{}]", events.join(",")),
            )
        })
        .collect()
}

/// Runs one case's calls (`["track", kind, id, quantity, price]`, `["recordClick", id,
/// position]`, `["purchase", order]`, `["reportFailure", code, message]`, `["useManifest",
/// text]`, `["loadBundle"]`, `["planGrid", ids, index, leaveVisible]`), then takes the events.
pub fn run_calls(driver: &mut impl Driver, calls: &[Value]) -> String {
    for call in calls {
        let args = call.as_array().unwrap();
        let text = |i: usize| args[i].as_str().unwrap();
        match text(0) {
            "track" => {
                driver.track(
                    text(1),
                    text(2),
                    args[3].as_u64().map(|q| q as u32),
                    args[4].as_f64(),
                );
            }
            "recordClick" => driver.record_click(text(1), args[2].as_u64().unwrap() as u32),
            "purchase" => {
                driver.purchase(&args[1].to_string());
            }
            "reportFailure" => driver.report_failure(text(1), text(2)),
            "useManifest" => {
                driver.use_manifest(text(1));
            }
            "loadBundle" => {
                assert!(driver.load_bundle(&bundle_bytes()));
            }
            "planGrid" => {
                let ids = args[1].to_string();
                let count = args[1].as_array().unwrap().len();
                driver.plan_grid(
                    &ids,
                    &vec![1; count],
                    args[2].as_u64().unwrap() as u32,
                    args[3].as_bool().unwrap(),
                );
            }
            other => panic!("unknown call {other} in tests/vectors/events.json"),
        }
    }
    driver.take_events()
}
