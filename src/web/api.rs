//! The JavaScript API the loader wraps: one `AisleEngine` per page. Every method returns a
//! value instead of throwing; the loader still guards each call.

use serde::Deserialize;
use wasm_bindgen::prelude::*;

use crate::events::LineItem;

use super::engine::{Engine, PageConfig};

/// The engine as JavaScript sees it.
#[wasm_bindgen]
pub struct AisleEngine {
    engine: Engine,
}

/// An order as a theme reports it: `{orderId, revenue, currency, items: [{id, quantity, price}]}`.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct OrderInput {
    #[serde(alias = "order_id", alias = "id")]
    order_id: Option<String>,
    #[serde(alias = "value", alias = "total")]
    revenue: Option<f64>,
    currency: Option<String>,
    items: Vec<ItemInput>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ItemInput {
    #[serde(alias = "product", alias = "item_id")]
    id: String,
    quantity: Option<u32>,
    price: Option<f64>,
}

#[wasm_bindgen]
impl AisleEngine {
    /// Starts the engine with the script tag's settings; a malformed config means defaults.
    #[wasm_bindgen(constructor)]
    pub fn new(config: JsValue) -> AisleEngine {
        let config: PageConfig = serde_wasm_bindgen::from_value(config).unwrap_or_default();
        let engine = Engine::start(config);
        engine.refresh_debug_panel();
        AisleEngine { engine }
    }

    /// Takes the parsed manifest; returns the bundle URL to fetch, or undefined to stay off.
    #[wasm_bindgen(js_name = useManifest)]
    pub fn use_manifest(&self, manifest: JsValue) -> Option<String> {
        self.engine.use_manifest(manifest)
    }

    /// Takes the bundle bytes; false when they are refused (an `aisle:error` says why).
    #[wasm_bindgen(js_name = loadBundle)]
    pub fn load_bundle(&self, bytes: &[u8]) -> bool {
        self.engine.load_bundle(bytes)
    }

    /// Records a failure seen by the loader.
    #[wasm_bindgen(js_name = reportFailure)]
    pub fn report_failure(&self, code: &str, message: &str) {
        self.engine.report_failure(code, message);
        self.engine.refresh_debug_panel();
    }

    /// Reranks the page's grids and keeps watching for new ones; returns grids ranked.
    pub fn apply(&self) -> u32 {
        let ranked = self.engine.apply();
        self.engine.refresh_debug_panel();
        ranked
    }

    /// Records an action: `view`, `click`, `add_to_cart`, `remove_from_cart`, `purchase`, `category_view`.
    pub fn track(&self, kind: &str, id: &str, quantity: Option<u32>, price: Option<f64>) -> bool {
        let recorded = self.engine.track(kind, id, quantity.unwrap_or(1), price);
        self.engine.refresh_debug_panel();
        recorded
    }

    /// Records an order. False when the order could not be read.
    pub fn purchase(&self, order: JsValue) -> bool {
        let Ok(order) = serde_wasm_bindgen::from_value::<OrderInput>(order) else { return false };
        let items = order
            .items
            .into_iter()
            .filter(|item| !item.id.trim().is_empty())
            .map(|item| LineItem { product: item.id.trim().to_string(), quantity: item.quantity.unwrap_or(1).max(1), price: item.price.filter(|p| p.is_finite()) })
            .collect();
        self.engine.purchase(order.order_id, order.revenue, order.currency, items);
        self.engine.refresh_debug_panel();
        true
    }

    /// The shopper's history as stored.
    pub fn history(&self) -> JsValue {
        self.engine.history()
    }

    /// Bundle version, arm, errors, timings, history.
    pub fn status(&self) -> JsValue {
        self.engine.status()
    }

    /// Events recorded since the last call, for delivery.
    #[wasm_bindgen(js_name = takeEvents)]
    pub fn take_events(&self) -> JsValue {
        super::emit::to_js(&self.engine.take_events())
    }
}

/// The assignment hash, exposed so browser tests run the shared test vectors against the
/// shipped wasm.
#[wasm_bindgen(js_name = assignmentHash)]
pub fn assignment_hash(seed: &str, value: &str, version: u32) -> Option<f64> {
    crate::assign::hash(seed, value, version)
}
