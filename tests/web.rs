//! Browser tests of the page session API (`src/web/api.rs`, `AisleEngine`), run by
//! wasm-bindgen-test in headless Chromium: the shared manifest, event and assignment vectors
//! through the methods the loader's calls reach, and the engine's grid plans and refusals.
//! The core is built for wasm32 as it ships, but with the host functions through wasm-bindgen
//! (`--features wasm-bindgen-host`, src/web/host.rs), which its runner provides; the shipped
//! wasm's raw interface and its hand-written glue are tested in Node on `pkg/` itself
//! (`tests/e2e/wasm-abi.test.mjs`). Storage, the DOM and the signals' dispatch are the
//! loader's (`www/loader/`), tested end to end by `tests/e2e/`.
#![cfg(target_arch = "wasm32")]

#[path = "support/value_stream.rs"]
mod value_stream;
#[path = "support/vectors.rs"]
mod vectors;

use aisle::events::{Event, EventBody};
use aisle::web::api::AisleEngine;
use serde_json::Value;
use value_stream::stream;
use vectors::{bundle_bytes, Driver};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

struct Browser(AisleEngine);

impl Driver for Browser {
    fn use_manifest(&mut self, text: &str) -> Option<String> {
        self.0.use_manifest(&stream(text))
    }
    fn load_bundle(&mut self, bytes: &[u8]) -> bool {
        self.0.load_bundle(bytes)
    }
    fn report_failure(&mut self, code: &str, message: &str) {
        self.0.report_failure(code, message)
    }
    fn plan_grid(
        &mut self,
        ids: &str,
        fresh: &[u8],
        index: u32,
        leave_visible: bool,
    ) -> Option<Vec<u32>> {
        self.0.plan_grid(&stream(ids), fresh, index, leave_visible)
    }
    fn record_click(&mut self, id: &str, position: u32) {
        self.0.record_click(id, position)
    }
    fn track(&mut self, kind: &str, id: &str, quantity: Option<u32>, price: Option<f64>) -> bool {
        self.0.track(kind, id, quantity, price)
    }
    fn purchase(&mut self, order: &str) -> bool {
        self.0.purchase(&stream(order))
    }
    fn take_events(&mut self) -> String {
        self.0.take_events()
    }
}

fn engine(config: &str) -> AisleEngine {
    AisleEngine::new(&stream(config), "")
}

/// The codes of the error events taken from the engine's outbox (the outbox is emptied).
fn error_codes(engine: &mut AisleEngine) -> Vec<String> {
    let events: Vec<Event> = serde_json::from_str(&engine.take_events()).unwrap();
    events
        .into_iter()
        .filter_map(|e| match e.body {
            EventBody::Error { code, .. } => Some(code),
            _ => None,
        })
        .collect()
}

/// The events' text with every `"ts":` put to the native vectors' clock (the browser's own
/// clock wrote it).
fn with_vector_clock(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("\"ts\":") {
        out.push_str(&rest[..at + 5]);
        rest = &rest[at + 5..];
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        out.push_str("1700000000000");
        rest = &rest[digits..];
    }
    out.push_str(rest);
    out
}

#[wasm_bindgen_test]
fn manifest_vectors_hold_in_the_browser() {
    for (name, text, expected, bundle) in vectors::manifest_cases() {
        let mut engine = engine("{}");
        engine.take_events();
        assert_eq!(engine.use_manifest(&stream(&text)), bundle, "{name}");
        let codes = error_codes(&mut engine);
        let signals: Value = serde_json::from_str(&engine.take_signals()).unwrap();
        let disabled = signals
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s[0] == "aisle:disabled" && s[1]["reason"] == "kill_switch");
        let outcome = match codes.as_slice() {
            [] if disabled => "kill_switch",
            [] => "accepted",
            [code] => code.as_str(),
            more => panic!("{name}: {more:?}"),
        };
        assert_eq!(outcome, expected, "{name}");
    }
}

#[wasm_bindgen_test]
fn event_vectors_hold_in_the_browser() {
    for (name, config, calls, expected) in vectors::event_cases() {
        let actual = vectors::run_calls(&mut Browser(engine(&config)), &calls);
        assert_eq!(with_vector_clock(&actual), expected, "{name}");
    }
}

/// The language-agnostic assignment vectors, evaluated by the wasm exactly as it ships.
#[wasm_bindgen_test]
fn assignment_vectors_hold_in_the_browser() {
    let vectors: Value = serde_json::from_str(include_str!("vectors/assignment.json")).unwrap();
    let cases = vectors["hash"].as_array().unwrap();
    assert!(cases.len() > 10);
    for case in cases {
        let seed = case["seed"].as_str().unwrap();
        let value = case["value"].as_str().unwrap();
        let version = case["version"].as_u64().unwrap() as u32;
        assert_eq!(
            aisle::web::api::assignment_hash(seed, value, version),
            case["expected"].as_f64(),
            "hash({seed:?}, {value:?}, v{version})"
        );
    }
}

const NO_EXPERIMENTS: &str =
    r#"{"manifest_version":1,"bundle":"bundle.bin","model_version":"web-test-1","experiments":[]}"#;

fn plan(engine: &mut AisleEngine, ids: &[&str]) -> Option<Vec<u32>> {
    let fresh = vec![1u8; ids.len()];
    engine.plan_grid(
        &stream(&serde_json::to_string(ids).unwrap()),
        &fresh,
        0,
        false,
    )
}

#[wasm_bindgen_test]
fn the_engine_plans_a_grid_from_the_history() {
    let mut engine = engine(r#"{"product":"a"}"#);
    assert_eq!(
        plan(&mut engine, &["c", "a"]),
        None,
        "no bundle yet: not ranked"
    );
    assert_eq!(
        engine.use_manifest(&stream(NO_EXPERIMENTS)).as_deref(),
        Some("bundle.bin")
    );
    assert!(engine.load_bundle(&bundle_bytes()));
    let ids = ["c", "a", "x", "d", "b"];
    let order = plan(&mut engine, &ids).expect("ranked");
    // Viewing shoe a puts shoes first; the unknown x keeps its slot.
    let shown: Vec<&str> = order.iter().map(|&i| ids[i as usize]).collect();
    assert_eq!(shown[2], "x");
    assert!(
        shown[..2].iter().all(|p| *p == "a" || *p == "b"),
        "shoes first: {shown:?}"
    );
    engine.finish_pass(1, false, 12.5);
    let events: Vec<Event> = serde_json::from_str(&engine.take_events()).unwrap();
    let types: Vec<&str> = events.iter().map(|e| e.body.type_name()).collect();
    assert_eq!(
        types,
        ["product_view"],
        "no experiment runs, so no exposure is logged"
    );
    let signals: Value = serde_json::from_str(&engine.take_signals()).unwrap();
    let reordered = signals
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s[0] == "aisle:reordered")
        .expect("aisle:reordered");
    assert_eq!(reordered[1]["ms"], 12.5);
}

#[wasm_bindgen_test]
fn a_damaged_bundle_is_refused_and_the_grid_stays() {
    let mut engine = engine(r#"{"product":"a"}"#);
    engine.use_manifest(&stream(NO_EXPERIMENTS));
    let mut bytes = bundle_bytes();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    assert!(!engine.load_bundle(&bytes));
    assert_eq!(plan(&mut engine, &["c", "a", "d", "b"]), None, "not ranked");
    let status: Value = serde_json::from_str(&engine.status(0, 0, &stream("[]"))).unwrap();
    assert!(status["errors"][0]
        .as_str()
        .unwrap()
        .starts_with("bundle_checksum"));
}

#[wasm_bindgen_test]
fn garbage_in_storage_starts_a_fresh_history() {
    for garbage in ["%%%not base64", "AAAA", "{\"v\":1}"] {
        let mut engine = AisleEngine::new(&stream(r#"{"product":"a"}"#), garbage);
        let history: Value = serde_json::from_str(&engine.history()).unwrap();
        assert_eq!(
            history["a"].as_array().unwrap().len(),
            1,
            "only this page's view is kept for {garbage:?}"
        );
        let codes = error_codes(&mut engine);
        assert_eq!(codes, ["history_unreadable"], "{garbage:?}");
    }
}

#[wasm_bindgen_test]
fn the_stored_history_round_trips() {
    let mut first = engine(r#"{"product":"a"}"#);
    first.track("add_to_cart", "b", Some(2), Some(19.99));
    let stored = first.history_text();
    let second = AisleEngine::new(&stream(r#"{"category":"shoes"}"#), &stored);
    let history: Value = serde_json::from_str(&second.history()).unwrap();
    let kinds: Vec<&str> = history["a"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["k"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["v", "a", "g"]);
    assert_eq!(history["c"][0]["i"], "b");
    assert_eq!(history["c"][0]["q"], 2);
}
