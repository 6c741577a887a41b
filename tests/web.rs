//! Browser tests of the web edge (`src/web/`), run by wasm-bindgen-test in headless Chromium:
//! storage with and without a working localStorage, grid scanning and node moves, the JS
//! conversions, the engine end to end on a real DOM, and the shared assignment vectors
//! evaluated by the shipped wasm.
#![cfg(target_arch = "wasm32")]

use aisle::bundle::format::{encode, BundleWire, ScoringWeights};
use aisle::bundle::{pack_neighbours, pack_u16, NO_BRAND};
use aisle::web::api::AisleEngine;
use aisle::web::convert::{manifest_from_js, JsObject};
use aisle::web::dom::{apply_order, children, Selectors};
use aisle::web::storage::Storage;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;
use web_sys::Element;

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

fn selectors() -> Selectors {
    Selectors {
        grid: ".t-grid".into(),
        item: ".t-card".into(),
        id_attribute: "data-product-id".into(),
        id_pattern: None,
    }
}

/// Builds `<ul class="t-grid">` with cards for `ids` ("*" makes a promo tile) in the body.
fn grid(ids: &[&str]) -> Element {
    let doc = document();
    let grid = doc.create_element("ul").unwrap();
    grid.set_class_name("t-grid");
    for id in ids {
        let li = doc.create_element("li").unwrap();
        if *id == "*" {
            li.set_class_name("promo");
        } else {
            li.set_class_name("t-card");
            li.set_attribute("data-product-id", id).unwrap();
        }
        li.set_text_content(Some(id));
        grid.append_child(&li).unwrap();
    }
    doc.body().unwrap().append_child(&grid).unwrap();
    grid
}

fn shown(grid: &Element) -> Vec<String> {
    let nodes = grid.children();
    (0..nodes.length())
        .map(|i| nodes.item(i).unwrap().text_content().unwrap())
        .collect()
}

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
fn children_mark_products_and_promos() {
    let grid = grid(&["a", "*", "b"]);
    let found = children(&grid, &selectors());
    let ids: Vec<Option<String>> = found.iter().map(|c| c.product_id.clone()).collect();
    assert_eq!(ids, vec![Some("a".into()), None, Some("b".into())]);
    grid.remove();
}

#[wasm_bindgen_test]
fn apply_order_moves_products_around_a_promo() {
    let grid = grid(&["a", "b", "*", "c"]);
    let found = children(&grid, &selectors());
    let moved = apply_order(&grid, &found, &[2, 0, 1]);
    assert_eq!(shown(&grid), ["c", "a", "*", "b"]);
    assert!(moved > 0);
    let again = children(&grid, &selectors());
    assert_eq!(
        apply_order(&grid, &again, &[0, 1, 2]),
        0,
        "nothing moves when all is in place"
    );
    grid.remove();
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
        product_brand: pack_u16(&[NO_BRAND; 4]),
        popularity: vec![10, 20, 200, 255],
        price_band: vec![0; 4],
        neighbours,
        neighbour_weights,
        neighbour_weight_bits: 2,
        weights: ScoringWeights::default(),
        abandon: None,
    })
}

fn engine_config(product: Option<&str>) -> JsValue {
    JsObject::new()
        .set("grid", ".t-grid")
        .set("item", ".t-card")
        .set("itemId", "data-product-id")
        .set_some("product", product)
        .into_js()
}

fn manifest_without_experiments() -> JsValue {
    JsObject::new()
        .set("manifest_version", 1)
        .set("bundle", "bundle.bin")
        .set("experiments", js_sys::Array::new())
        .into_js()
}

#[wasm_bindgen_test]
fn the_engine_reorders_a_real_grid_from_the_history() {
    web_sys::window()
        .unwrap()
        .local_storage()
        .unwrap()
        .unwrap()
        .clear()
        .unwrap();
    let grid = grid(&["c", "a", "*", "x", "d", "b"]);
    let engine = AisleEngine::new(engine_config(Some("a")));
    assert_eq!(
        engine
            .use_manifest(manifest_without_experiments())
            .as_deref(),
        Some("bundle.bin")
    );
    assert!(engine.load_bundle(&bundle_bytes()));
    assert_eq!(engine.apply(None), 1);
    // Viewing shoe a puts shoes first, a's neighbour b before it (a was seen); the promo and
    // the unknown x keep their slots.
    let order = shown(&grid);
    assert_eq!(order[2], "*");
    assert_eq!(order[3], "x");
    let products: Vec<&str> = order
        .iter()
        .filter(|s| *s != "*" && *s != "x")
        .map(|s| s.as_str())
        .collect();
    assert!(
        products[..2].iter().all(|p| *p == "a" || *p == "b"),
        "shoes first: {products:?}"
    );
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
    grid.remove();
}

#[wasm_bindgen_test]
fn a_damaged_bundle_is_refused_and_the_grid_stays() {
    let grid = grid(&["c", "a", "d", "b"]);
    let engine = AisleEngine::new(engine_config(Some("a")));
    engine.use_manifest(manifest_without_experiments());
    let mut bytes = bundle_bytes();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    assert!(!engine.load_bundle(&bytes));
    assert_eq!(engine.apply(None), 0);
    assert_eq!(shown(&grid), ["c", "a", "d", "b"]);
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
    grid.remove();
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
