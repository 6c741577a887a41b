//! Runs the shared manifest and event vectors (`tests/vectors/manifest.json`, `events.json`)
//! natively, through `aisle::page::Page` and `aisle::manifest::parse` (the CLI's reader too).
//! `tests/web.rs` runs the same files through the wasm's `AisleEngine` in the browser, and
//! `tests/e2e/wasm-abi.test.mjs` through the shipped wasm's JavaScript interface.
#![cfg(not(target_arch = "wasm32"))]
#[path = "support/vectors.rs"]
mod vectors;

use aisle::events::Event;
use aisle::json::{rust_number_text, RUST_NUMBERS};
use aisle::json_read::{parse, rust_number_parse, Value};
use aisle::manifest::{Manifest, ManifestError};
use aisle::page::{Page, PageConfig};
use vectors::Driver;

/// The clock every native call sees (the events' `ts`).
const NOW_MS: u64 = 1_700_000_000_000;

struct Native(Page);

impl Driver for Native {
    fn use_manifest(&mut self, text: &str) -> Option<String> {
        self.0.use_manifest(parse(text, rust_number_parse), NOW_MS)
    }
    fn load_bundle(&mut self, bytes: &[u8]) -> bool {
        self.0.load_bundle(bytes, NOW_MS)
    }
    fn report_failure(&mut self, code: &str, message: &str) {
        self.0.report_failure(code, message, NOW_MS)
    }
    fn plan_grid(
        &mut self,
        ids: &str,
        fresh: &[u8],
        index: u32,
        leave_visible: bool,
    ) -> Option<Vec<u32>> {
        let ids: Vec<String> = serde_json::from_str(ids).unwrap();
        self.0.plan_grid(&ids, fresh, index, leave_visible, NOW_MS)
    }
    fn record_click(&mut self, id: &str, position: u32) {
        self.0.record_click(id, position, NOW_MS)
    }
    fn track(&mut self, kind: &str, id: &str, quantity: Option<u32>, price: Option<f64>) -> bool {
        self.0.track(kind, id, quantity.unwrap_or(1), price, NOW_MS)
    }
    fn purchase(&mut self, order: &str) -> bool {
        self.0.purchase(&read(order), NOW_MS)
    }
    fn take_events(&mut self) -> String {
        self.0.take_events()
    }
}

/// JSON text as the CLI reads it (null when it is not JSON).
fn read(text: &str) -> Value {
    parse(text, rust_number_parse).unwrap_or(Value::Null)
}

fn start(config: &str) -> Native {
    Native(Page::start(
        PageConfig::from_value(&read(config)),
        "",
        NOW_MS,
        RUST_NUMBERS,
    ))
}

/// A JSON value as `JSON.parse` hands it over: no integer/float distinction, so a whole number
/// (`1.0`) is the integer.
fn as_json_parse_reads(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value as Json;
    match value {
        Json::Number(n) => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0 => {
                Json::from(f as i64)
            }
            _ => Json::Number(n),
        },
        Json::Array(items) => Json::Array(items.into_iter().map(as_json_parse_reads).collect()),
        Json::Object(fields) => Json::Object(
            fields
                .into_iter()
                .map(|(key, value)| (key, as_json_parse_reads(value)))
                .collect(),
        ),
        other => other,
    }
}

#[test]
fn manifest_vectors_hold() {
    let cases = vectors::manifest_cases();
    assert!(cases.len() >= 20);
    for (name, text, expected, bundle) in cases {
        let parsed = aisle::manifest::parse(&text, rust_number_parse);
        // The reader under it accepts exactly the JSON serde_json accepts.
        let ours = aisle::json_read::parse(&text, rust_number_parse).is_ok();
        let theirs = serde_json::from_str::<serde_json::Value>(&text).is_ok();
        assert_eq!(ours, theirs, "{name}: JSON syntax");
        // The field-by-field reader and serde's derive (over the JSON as `JSON.parse` reads it:
        // a field given twice counts once, the last) agree: the same manifest, or both refuse
        // (the version and the experiments are checked after the shape, by both).
        let theirs = serde_json::from_str::<serde_json::Value>(&text)
            .map(as_json_parse_reads)
            .and_then(serde_json::from_value::<Manifest>);
        match (&parsed, &theirs) {
            (Ok(ours), Ok(theirs)) => assert_eq!(ours, theirs, "{name}"),
            (Err(ManifestError::Json(_)), Err(_)) => {}
            (Err(ManifestError::Version(_) | ManifestError::Experiment(..)), Ok(_)) => {}
            (ours, theirs) => panic!("{name}: ours {ours:?}, serde's {theirs:?}"),
        }
        let outcome = match &parsed {
            Ok(manifest) if manifest.kill_switch => "kill_switch",
            Ok(_) => "accepted",
            Err(error) => error.code(),
        };
        assert_eq!(outcome, expected, "{name}: {parsed:?}");
        if let Ok(manifest) = &parsed {
            assert_eq!(
                bundle.as_deref().unwrap_or(&manifest.bundle),
                manifest.bundle,
                "{name}"
            );
        }
        // The page session: the bundle to fetch, or an error event with the same code.
        let mut page = start("{}");
        page.take_events();
        let fetched = page.use_manifest(&text);
        assert_eq!(fetched, bundle, "{name}");
        let events: Vec<Event> = serde_json::from_str(&page.take_events()).unwrap();
        let codes: Vec<&str> = events
            .iter()
            .filter_map(|e| match &e.body {
                aisle::events::EventBody::Error { code, .. } => Some(code.as_str()),
                _ => None,
            })
            .collect();
        let expected_codes: Vec<&str> = if outcome.starts_with("manifest_") {
            vec![outcome]
        } else {
            vec![]
        };
        assert_eq!(codes, expected_codes, "{name}");
    }
}

#[test]
fn event_vectors_hold() {
    let cases = vectors::event_cases();
    assert!(cases.len() >= 5);
    for (name, config, calls, expected) in cases {
        let actual = vectors::run_calls(&mut start(&config), &calls);
        assert_eq!(actual, expected, "{name}");
        // The text is the schema's: serde reads it back into events that write the same text.
        let events: Vec<Event> = serde_json::from_str(&actual).unwrap();
        let mut json = aisle::json::Json::new(rust_number_text);
        json.open_array();
        for event in &events {
            aisle::event_json::write_event(&mut json, event);
        }
        json.close_array();
        assert_eq!(json.finish(), actual, "{name}: round trip");
    }
}

/// Event types the page never emits (a checkout start comes from imports and collect) are
/// still written in the schema's one shape: serde reads the text back into the same event.
#[test]
fn events_the_page_does_not_emit_round_trip() {
    let line = r#"{"v":1,"id":"e1","ts":1,"visitor":"v","session":"s","type":"begin_checkout","value":19.5,"currency":"EUR","items":[{"product":"p1","quantity":2,"price":9.75}]}"#;
    let event: Event = serde_json::from_str(line).unwrap();
    let mut json = aisle::json::Json::new(rust_number_text);
    aisle::event_json::write_event(&mut json, &event);
    assert_eq!(json.finish(), line);
}

/// `tests/vectors/bundle.bin` is the bundle the vectors' `loadBundle` calls load
/// (`vectors::bundle_bytes`), as a file for the drivers that are not Rust: the shipped wasm
/// through its JavaScript interface (`tests/e2e/wasm-abi.test.mjs`).
/// `AISLE_WRITE_VECTORS=1 cargo test --test page_vectors` rewrites it.
#[test]
fn the_vectors_bundle_file_is_the_bundle_the_drivers_load() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/bundle.bin");
    if std::env::var_os("AISLE_WRITE_VECTORS").is_some() {
        std::fs::write(path, vectors::bundle_bytes()).unwrap();
    }
    assert_eq!(
        std::fs::read(path).unwrap(),
        vectors::bundle_bytes(),
        "tests/vectors/bundle.bin is out of date: AISLE_WRITE_VECTORS=1 cargo test --test page_vectors"
    );
}
