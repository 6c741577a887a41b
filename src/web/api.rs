//! The page session API the loader drives (`www/loader/engine.js`, through the raw exports of
//! `super::abi` and `www/loader/wasm-abi.js`): one `AisleEngine` per page, a thin shell over
//! [`crate::page::Page`] with the browser's clock. Every method returns a value instead of
//! throwing; the loader still guards each call, and after each one takes the signals
//! (`takeSignals`) and dispatches them outside the engine. The browser tests (`tests/web.rs`)
//! call these methods directly.
#![forbid(unsafe_code)]

use super::host::{date_now, number_text};
use crate::json::Numbers;
use crate::json_read::Value;
use crate::page::{Page, PageConfig};
use crate::value_stream;

/// The browser's number conversion, for `crate::json`.
const NUMBERS: Numbers = Numbers { write: number_text };

fn now_ms() -> u64 {
    let now = date_now();
    if now.is_finite() && now > 0.0 {
        now as u64
    } else {
        0
    }
}

/// The page session as JavaScript sees it.
pub struct AisleEngine {
    page: Page,
}

/// A list of strings the loader sent (a value stream); empty when unreadable.
fn strings(stream: &[u8]) -> Vec<String> {
    let Ok(list) = value_stream::read(stream) else {
        return Vec::new();
    };
    list.items()
        .iter()
        .map(|item| String::from(item.as_str().unwrap_or_default()))
        .collect()
}

impl AisleEngine {
    /// Starts the page: `config` is the loader's settings (`crate::page::PageConfig`) as a
    /// value stream, `history` the stored history's text (empty for none).
    pub fn new(config: &[u8], history: &str) -> AisleEngine {
        let config = PageConfig::from_value(&value_stream::read(config).unwrap_or(Value::Null));
        AisleEngine {
            page: Page::start(config, history, now_ms(), NUMBERS),
        }
    }

    /// Takes `manifest.json` as `JSON.parse` read it (a value stream, or the reader's message);
    /// returns the bundle URL to fetch, or undefined to stay off.
    pub fn use_manifest(&mut self, json: &[u8]) -> Option<String> {
        self.page.use_manifest(value_stream::read(json), now_ms())
    }

    /// Takes the bundle bytes; false when they are refused (an `aisle:error` says why).
    pub fn load_bundle(&mut self, bytes: &[u8]) -> bool {
        self.page.load_bundle(bytes, now_ms())
    }

    /// Records a failure seen by the loader.
    pub fn report_failure(&mut self, code: &str, message: &str) {
        self.page.report_failure(code, message, now_ms());
    }

    /// Records a misconfiguration the loader saw, once per page (`item_id_missing`...).
    pub fn report_once(&mut self, code: &str, message: &str) {
        self.page.report_once(code, message, now_ms());
    }

    /// Plans one grid: its products' ids (a list, as a value stream) in the shop's order,
    /// `fresh[i]` 0 for cards placed before, the grid's index, `leaveVisible` when the shop's
    /// order must stay.
    /// Returns the order to show (empty: nothing moves), or undefined when not ranked.
    pub fn plan_grid(
        &mut self,
        ids: &[u8],
        fresh: &[u8],
        index: u32,
        leave_visible: bool,
    ) -> Option<Vec<u32>> {
        self.page
            .plan_grid(&strings(ids), fresh, index, leave_visible, now_ms())
    }

    /// Ends a pass over the page's grids (`ranked` of them planned, `elapsedMs` since the
    /// script started).
    pub fn finish_pass(&mut self, ranked: u32, leave_visible: bool, elapsed_ms: f64) {
        self.page.finish_pass(ranked, leave_visible, elapsed_ms);
    }

    /// Records a click on a grid's product card: its id and 0-based position.
    pub fn record_click(&mut self, id: &str, position: u32) {
        self.page.record_click(id, position, now_ms());
    }

    /// Records an action: `view`, `click`, `add_to_cart`, `remove_from_cart`, `purchase`,
    /// `category_view`.
    pub fn track(
        &mut self,
        kind: &str,
        id: &str,
        quantity: Option<u32>,
        price: Option<f64>,
    ) -> bool {
        self.page
            .track(kind, id, quantity.unwrap_or(1), price, now_ms())
    }

    /// Records an order: `{order_id, revenue, currency, items: [{product, quantity, price}]}`
    /// as a value stream. False when it is not one.
    pub fn purchase(&mut self, order: &[u8]) -> bool {
        let order = value_stream::read(order).unwrap_or(Value::Null);
        self.page.purchase(&order, now_ms())
    }

    /// Scores the cart-abandon risk now: `{score, reasons, nudgeDelayMs}` as JSON, or
    /// undefined when withheld.
    pub fn score_cart(&mut self) -> Option<String> {
        self.page.score_cart(now_ms())
    }

    /// The JS kill switch: no grid is ranked from now on.
    pub fn disable(&mut self) {
        self.page.disable();
    }

    /// The shopper's history as a readable JSON object.
    pub fn history(&self) -> String {
        self.page.history_json()
    }

    /// The history's stored text, for localStorage.
    pub fn history_text(&self) -> String {
        self.page.history_text()
    }

    /// Bundle version, arm, errors, timings, history and the install check over the loader's
    /// reading (`grids`, `cards`, the ids as a value stream), as JSON.
    pub fn status(&self, grids: u32, cards: u32, ids: &[u8]) -> String {
        self.page.status(grids, cards, &strings(ids))
    }

    /// The last grid's plan for the debug view, as JSON.
    pub fn last_plan(&self) -> Option<String> {
        self.page.last_plan()
    }

    /// Events recorded since the last call, for delivery: a JSON array.
    pub fn take_events(&mut self) -> String {
        self.page.take_events()
    }

    /// What the page must be told since the last call: a JSON array of `[name, detail]`.
    pub fn take_signals(&mut self) -> String {
        self.page.take_signals()
    }
}

/// The assignment hash, exposed so browser tests run the shared test vectors against the
/// shipped wasm.
pub fn assignment_hash(seed: &str, value: &str, version: u32) -> Option<f64> {
    crate::assign::hash(seed, value, version)
}
