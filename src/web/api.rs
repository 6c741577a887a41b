//! The JavaScript API the loader wraps: one `AisleEngine` per page. Every method returns a
//! value instead of throwing; the loader still guards each call.

use wasm_bindgen::prelude::*;

use crate::events::LineItem;

use super::convert::{array_field, number_field, string_field};
use super::engine::{Engine, PageConfig};

/// The engine as JavaScript sees it.
#[wasm_bindgen]
pub struct AisleEngine {
    engine: Engine,
}

#[wasm_bindgen]
impl AisleEngine {
    /// Starts the engine with the script tag's settings; a malformed config means defaults.
    #[wasm_bindgen(constructor)]
    pub fn new(config: JsValue) -> AisleEngine {
        let config = PageConfig::from_js(&config);
        let engine = Engine::start(config);
        engine.send_debug_view();
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
        self.engine.send_debug_view();
    }

    /// Plans one grid the loader read: its products' ids in the shop's order, `fresh[i]` 0
    /// for cards placed before, the grid's index in the page, `leaveVisible` when the shop's
    /// order must stay (the hide was released before the bundle came), and in debug mode the
    /// cards. Returns the order to show (empty: nothing moves), or undefined when not ranked.
    #[wasm_bindgen(js_name = planGrid)]
    pub fn plan_grid(
        &self,
        ids: Vec<String>,
        fresh: &[u8],
        index: u32,
        leave_visible: bool,
        cards: Option<js_sys::Array>,
    ) -> Option<Vec<u32>> {
        self.engine
            .plan_grid(&ids, fresh, index, leave_visible, cards)
    }

    /// Ends a pass over the page's grids (`ranked` of them were planned): the first one that
    /// ranked a grid dispatches `aisle:reordered`; the debug view gets its data.
    #[wasm_bindgen(js_name = finishPass)]
    pub fn finish_pass(&self, ranked: u32, leave_visible: bool) {
        self.engine.finish_pass(ranked, leave_visible);
        self.engine.send_debug_view();
    }

    /// Records a misconfiguration the loader saw, once per page (`item_id_missing`...).
    #[wasm_bindgen(js_name = reportOnce)]
    pub fn report_once(&self, code: &str, message: &str) {
        self.engine.report_once(code, message);
    }

    /// The loader's install reading of the page: grids and cards found, the ids they hold.
    #[wasm_bindgen(js_name = noteInstall)]
    pub fn note_install(&self, grids: u32, cards: u32, ids: Vec<String>) {
        self.engine
            .note_install(super::debug::InstallReading { grids, cards, ids });
    }

    /// Records a click on a grid's product card: its id and 0-based position among the
    /// grid's products.
    #[wasm_bindgen(js_name = recordClick)]
    pub fn record_click(&self, id: &str, position: u32) {
        self.engine.record_click(id, position);
    }

    /// Records an action: `view`, `click`, `add_to_cart`, `remove_from_cart`, `purchase`, `category_view`.
    pub fn track(&self, kind: &str, id: &str, quantity: Option<u32>, price: Option<f64>) -> bool {
        let recorded = self.engine.track(kind, id, quantity.unwrap_or(1), price);
        self.engine.send_debug_view();
        recorded
    }

    /// Records an order: `{orderId, revenue, currency, items: [{id, quantity, price}]}`
    /// (`order_id`, `value` and `product` are accepted too). False when it is not an object.
    pub fn purchase(&self, order: JsValue) -> bool {
        if !order.is_object() {
            return false;
        }
        let order_id = string_field(&order, "orderId").or_else(|| string_field(&order, "order_id"));
        let revenue = number_field(&order, "revenue").or_else(|| number_field(&order, "value"));
        let items = array_field(&order, "items")
            .iter()
            .filter_map(|item| {
                let id = string_field(item, "id").or_else(|| string_field(item, "product"))?;
                let id = id.trim();
                if id.is_empty() {
                    return None;
                }
                let quantity = number_field(item, "quantity")
                    .filter(|q| *q >= 1.0)
                    .map(|q| q.min(f64::from(u32::MAX)) as u32);
                Some(LineItem {
                    product: crate::history::clean_id(id),
                    quantity: quantity.unwrap_or(1),
                    price: number_field(item, "price"),
                })
            })
            .collect();
        self.engine
            .purchase(order_id, revenue, string_field(&order, "currency"), items);
        self.engine.send_debug_view();
        true
    }

    /// Scores the cart-abandon risk now: `{score, reasons, nudgeDelayMs}`, or undefined when
    /// withheld (empty cart, no model).
    #[wasm_bindgen(js_name = scoreCart)]
    pub fn score_cart(&self) -> Option<JsValue> {
        self.engine.score_cart()
    }

    /// The JS kill switch: no grid is ranked from now on.
    pub fn disable(&self) {
        self.engine.disable();
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
        self.engine.take_events().into()
    }
}

/// The assignment hash, exposed so browser tests run the shared test vectors against the
/// shipped wasm.
#[wasm_bindgen(js_name = assignmentHash)]
pub fn assignment_hash(seed: &str, value: &str, version: u32) -> Option<f64> {
    crate::assign::hash(seed, value, version)
}
