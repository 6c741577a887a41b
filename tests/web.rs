//! Browser tests of the web edge (`src/web/`), run by wasm-bindgen-test in headless Chromium:
//! storage with and without a working localStorage, the JS conversions, the engine's grid
//! plans through its JS API, and the shared assignment vectors evaluated by the shipped wasm.
//! Reading grids and moving nodes is the loader's job (`www/loader/`), tested end to end by
//! `tests/e2e/`.
#![cfg(target_arch = "wasm32")]

use aisle::bundle::format::{encode, BundleWire, ScoringWeights};
use aisle::bundle::{pack_neighbours, pack_u16};
use aisle::web::api::AisleEngine;
use aisle::web::convert::{manifest_from_js, JsObject};
use aisle::web::storage::Storage;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn storage_round_trips_through_local_storage() {
    let storage = Storage::default();
    assert!(storage.set("test-key", "hello"));
    assert_eq!(storage.get("test-key").as_deref(), Some("hello"));
    let raw = web_sys::window()
        .unwrap()
        .local_storage()
        .unwrap()
        .unwrap()
        .get_item("aisle:v1:test-key")
        .unwrap();
    assert_eq!(
        raw.as_deref(),
        Some("hello"),
        "keys are namespaced and versioned"
    );
    storage.remove("test-key");
    assert_eq!(storage.get("test-key"), None);
}

#[wasm_bindgen_test]
fn oversized_values_stay_in_memory() {
    let storage = Storage::default();
    let big = "x".repeat(aisle::web::storage::MAX_VALUE_BYTES + 1);
    assert!(!storage.set("big", &big));
    assert_eq!(storage.get("big").map(|v| v.len()), Some(big.len()));
    assert!(storage.is_memory_only());
}

#[wasm_bindgen_test]
fn manifest_errors_name_the_field() {
    let check =
        |value: JsValue, expected: &str| assert_eq!(manifest_from_js(&value).err(), Some(expected));
    check(JsValue::from_str("nope"), "manifest is not a JSON object");
    check(
        JsObject::new().set("bundle", "b.bin").into_js(),
        "manifest_version is missing",
    );
    check(
        JsObject::new().set("manifest_version", 1).into_js(),
        "bundle is missing",
    );
    let ok = manifest_from_js(
        &JsObject::new()
            .set("manifest_version", 1)
            .set("bundle", "b.bin")
            .into_js(),
    )
    .unwrap();
    assert_eq!(
        ok.experiments.len(),
        1,
        "no experiments field runs the default holdout"
    );
    let none = JsObject::new()
        .set("manifest_version", 1)
        .set("bundle", "b.bin")
        .set("experiments", js_sys::Array::new());
    assert!(manifest_from_js(&none.into_js())
        .unwrap()
        .experiments
        .is_empty());
}

/// Two shoes (a, b) and two hats (c, d); hats are more popular.
fn bundle_bytes() -> Vec<u8> {
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

fn engine_config(product: Option<&str>) -> JsValue {
    JsObject::new().set_some("product", product).into_js()
}

/// A grid's ids as the loader reads them, all fresh; the engine's plan for them.
fn plan(engine: &AisleEngine, ids: &[&str]) -> Option<Vec<u32>> {
    let ids: Vec<String> = ids.iter().map(|id| String::from(*id)).collect();
    let fresh = vec![1u8; ids.len()];
    engine.plan_grid(ids, &fresh, 0, false, None)
}

fn manifest_without_experiments() -> JsValue {
    JsObject::new()
        .set("manifest_version", 1)
        .set("bundle", "bundle.bin")
        .set("experiments", js_sys::Array::new())
        .into_js()
}

#[wasm_bindgen_test]
fn the_engine_plans_a_grid_from_the_history() {
    web_sys::window()
        .unwrap()
        .local_storage()
        .unwrap()
        .unwrap()
        .clear()
        .unwrap();
    let engine = AisleEngine::new(engine_config(Some("a")));
    assert_eq!(
        plan(&engine, &["c", "a"]),
        None,
        "no bundle yet: not ranked"
    );
    assert_eq!(
        engine
            .use_manifest(manifest_without_experiments())
            .as_deref(),
        Some("bundle.bin")
    );
    assert!(engine.load_bundle(&bundle_bytes()));
    let ids = ["c", "a", "x", "d", "b"];
    let order = plan(&engine, &ids).expect("ranked");
    // Viewing shoe a puts shoes first; the unknown x keeps its slot.
    let shown: Vec<&str> = order.iter().map(|&i| ids[i as usize]).collect();
    assert_eq!(shown[2], "x");
    assert!(
        shown[..2].iter().all(|p| *p == "a" || *p == "b"),
        "shoes first: {shown:?}"
    );
    engine.finish_pass(1, false);
    let events: js_sys::Array = engine.take_events().dyn_into().unwrap();
    let types: Vec<String> = events
        .iter()
        .map(|e| {
            js_sys::Reflect::get(&e, &"type".into())
                .unwrap()
                .as_string()
                .unwrap()
        })
        .collect();
    assert_eq!(
        types,
        ["product_view"],
        "no experiment runs, so no exposure is logged"
    );
}

#[wasm_bindgen_test]
fn a_damaged_bundle_is_refused_and_the_grid_stays() {
    let engine = AisleEngine::new(engine_config(Some("a")));
    engine.use_manifest(manifest_without_experiments());
    let mut bytes = bundle_bytes();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    assert!(!engine.load_bundle(&bytes));
    assert_eq!(plan(&engine, &["c", "a", "d", "b"]), None, "not ranked");
    let status = engine.status();
    let errors: js_sys::Array = js_sys::Reflect::get(&status, &"errors".into())
        .unwrap()
        .dyn_into()
        .unwrap();
    assert!(errors
        .get(0)
        .as_string()
        .unwrap()
        .starts_with("bundle_checksum"));
}

#[wasm_bindgen_test]
fn garbage_in_storage_starts_a_fresh_history() {
    let local = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    for garbage in ["%%%not base64", "AAAA", "{\"v\":1}"] {
        local.set_item("aisle:v1:history", garbage).unwrap();
        let engine = AisleEngine::new(engine_config(Some("a")));
        let history = engine.history();
        let actions: js_sys::Array = js_sys::Reflect::get(&history, &"a".into())
            .unwrap()
            .dyn_into()
            .unwrap();
        assert_eq!(
            actions.length(),
            1,
            "only this page's view is kept for {garbage:?}"
        );
    }
    local.clear().unwrap();
}

/// The language-agnostic vectors, evaluated by the wasm exactly as the browser ships it.
#[wasm_bindgen_test]
fn assignment_vectors_hold_in_the_browser() {
    let vectors = js_sys::JSON::parse(include_str!("vectors/assignment.json")).unwrap();
    let cases: js_sys::Array = js_sys::Reflect::get(&vectors, &"hash".into())
        .unwrap()
        .dyn_into()
        .unwrap();
    assert!(cases.length() > 10);
    for case in cases.iter() {
        let get = |k: &str| js_sys::Reflect::get(&case, &k.into()).unwrap();
        let seed = get("seed").as_string().unwrap();
        let value = get("value").as_string().unwrap();
        let version = get("version").as_f64().unwrap() as u32;
        let expected = get("expected").as_f64();
        assert_eq!(
            aisle::web::api::assignment_hash(&seed, &value, version),
            expected,
            "hash({seed:?}, {value:?}, v{version})"
        );
    }
}
