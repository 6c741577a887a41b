//! The page-side engine: holds the shopper's history, the bundle and the arm, plans each grid
//! the loader reads out of the page (`crate::plan`), and records what happened. The loader
//! (`www/loader/grids.js`) finds the grids, reads their ids and moves the nodes: reading
//! 5,000 cards through web-sys took 235-386 ms, the same read in JS 6-10 ms.
//!
//! Re-entrancy: events reach the page's listeners only after the engine's state is released,
//! so a listener that calls back into aisle cannot trip a `RefCell` borrow.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;

use crate::arm::{choose_arm, ArmChoice};
use crate::bundle::{BundleError, Model};
use crate::events::{EventBody, LineItem};
use crate::history::{ActionKind, History, HistoryConfig, StoredHistory};
use crate::manifest::{Manifest, MANIFEST_VERSION};
use crate::plan::plan_grid;
use crate::rank::ShopperContext;
use crate::text::{concat, decimal};

use super::convert::{self, JsObject};
use super::debug;
use super::emit;
use super::onsite;
use super::storage::Storage;

impl PageConfig {
    /// Reads the loader's config object; missing fields take their defaults.
    pub fn from_js(value: &JsValue) -> PageConfig {
        PageConfig {
            product: convert::string_field(value, "product").filter(|p| !p.is_empty()),
            category: convert::string_field(value, "category").filter(|c| !c.is_empty()),
            history_size: convert::number_field(value, "historySize").map(|n| n as usize),
            debug: convert::bool_field(value, "debug").unwrap_or(false),
            started_at: convert::number_field(value, "startedAt").unwrap_or(0.0),
            arm: convert::string_field(value, "arm").filter(|a| !a.is_empty()),
            item_id_pattern_error: convert::string_field(value, "itemIdPatternError"),
            abandon_threshold: convert::number_field(value, "abandonThreshold")
                .filter(|t| (0.0..=1.0).contains(t)),
        }
    }
}

/// What the loader passes from the script tag's data attributes.
#[derive(Clone, Debug, Default)]
pub struct PageConfig {
    /// On a product page: the product shown.
    pub product: Option<String>,
    /// On a category page: the category shown.
    pub category: Option<String>,
    /// How many actions to keep.
    pub history_size: Option<usize>,
    /// Show the debug view.
    pub debug: bool,
    /// `performance.now()` when the script tag started.
    pub started_at: f64,
    /// QA override of the arm (`?aisle_arm=`).
    pub arm: Option<String>,
    /// Show `[data-aisle-abandon]` elements when the abandon risk reaches this (off when None).
    pub abandon_threshold: Option<f64>,
    /// Why `data-item-id-pattern` did not compile (the loader compiles it and ranks nothing).
    pub item_id_pattern_error: Option<String>,
}

/// Everything the engine knows. Only touched through [`Engine`].
pub struct State {
    config: PageConfig,
    storage: Storage,
    history: History,
    visitor: String,
    model: Option<Model>,
    context: Option<ShopperContext>,
    manifest: Option<Manifest>,
    arm: ArmChoice,
    grids_ranked: u32,
    first_reorder_ms: Option<f64>,
    errors: Vec<String>,
    outbox: Vec<QueuedEvent>,
    next_event: u32,
    pending: Vec<(&'static str, JsValue)>,
    disabled: bool,
    storage_fallback_reported: bool,
    /// In debug mode: cards ranked since the debug view was last sent (see `debug`).
    debug_cards: Vec<JsValue>,
    /// The install check's last reading of the page (see `debug::install_check`).
    install: debug::InstallReading,
}

/// The engine behind `window.aisle`.
#[derive(Clone)]
pub struct Engine {
    state: Rc<RefCell<State>>,
}

const HISTORY_KEY: &str = "history";
const VISITOR_KEY: &str = "visitor";

impl Engine {
    /// Starts on page load: restores the history, records this page's view.
    pub fn start(config: PageConfig) -> Engine {
        let storage = Storage::default();
        let now = now_ms();
        let history_config = HistoryConfig {
            capacity: config.history_size.unwrap_or(20),
            ..Default::default()
        };
        let mut errors = Vec::new();
        let history = match storage
            .get(HISTORY_KEY)
            .map(|raw| parse_history(&raw, history_config))
        {
            Some(Ok(history)) => history,
            Some(Err(reason)) => {
                errors.push(reason);
                History::new(history_config, now)
            }
            None => History::new(history_config, now),
        };
        let visitor = match storage.get(VISITOR_KEY).filter(|v| is_visitor_id(v)) {
            Some(id) => id,
            None => {
                let id = random_hex(16);
                storage.set(VISITOR_KEY, &id);
                id
            }
        };
        let state = State {
            arm: ArmChoice::default(),
            config,
            storage,
            history,
            visitor,
            model: None,
            context: None,
            manifest: None,
            grids_ranked: 0,
            first_reorder_ms: None,
            errors: Vec::new(),
            outbox: Vec::new(),
            next_event: 0,
            pending: Vec::new(),
            disabled: false,
            storage_fallback_reported: false,
            debug_cards: Vec::new(),
            install: Default::default(),
        };
        let engine = Engine {
            state: Rc::new(RefCell::new(state)),
        };
        engine.with_state(|s| {
            for reason in errors {
                s.report_error("history_unreadable", &reason);
            }
            if let Some(reason) = s.config.item_id_pattern_error.clone() {
                s.report_error("item_id_pattern_invalid", &reason);
            }
            s.history.touch(now);
            if let Some(category) = s.config.category.clone() {
                s.record(ActionKind::CategoryView, &category, 1, None);
            }
            if let Some(product) = s.config.product.clone() {
                s.record(ActionKind::ProductView, &product, 1, None);
            }
            s.save_history();
        });
        engine
    }

    /// Takes the manifest (already parsed from JSON). Returns the bundle URL to fetch, or
    /// None when aisle must stay off (kill switch, bad manifest).
    pub fn use_manifest(&self, manifest: JsValue) -> Option<String> {
        self.with_state(|s| {
            let manifest: Manifest = match convert::manifest_from_js(&manifest) {
                Ok(m) => m,
                Err(error) => {
                    s.report_error("manifest_invalid", error);
                    return None;
                }
            };
            if manifest.manifest_version != MANIFEST_VERSION {
                s.report_error("manifest_version", "manifest_version is not 1");
                return None;
            }
            if manifest.kill_switch {
                s.pending.push((
                    "aisle:disabled",
                    JsObject::new().set("reason", "kill_switch").into_js(),
                ));
                return None;
            }
            s.arm = choose_arm(&manifest, &s.visitor, s.config.arm.as_deref());
            let bundle = manifest.bundle.clone();
            s.manifest = Some(manifest);
            Some(bundle)
        })
    }

    /// Takes the bundle bytes. False (with an error event) when they are refused.
    pub fn load_bundle(&self, bytes: &[u8]) -> bool {
        self.with_state(|s| match Model::from_bytes(bytes) {
            Ok(model) => {
                s.context = Some(ShopperContext::new(&model, &s.history));
                s.model = Some(model);
                // A shopper who arrives with a cart (or added to it before the bundle came)
                // gets a score now.
                if !s.history.cart().is_empty() {
                    s.score_cart();
                }
                true
            }
            Err(error) => {
                s.report_error(bundle_error_code(&error), &error.message());
                false
            }
        })
    }

    /// Records a failure the loader saw (network, timeout, CSP).
    pub fn report_failure(&self, code: &str, message: &str) {
        self.with_state(|s| s.report_error(code, message));
    }

    /// Records a misconfiguration the loader saw (a selector, an id attribute), once per page
    /// however often the page is read again.
    pub fn report_once(&self, code: &str, message: &str) {
        self.with_state(|s| {
            let line = concat(&[code, ": ", message]);
            if !s.errors.contains(&line) {
                s.report_error(code, message);
            }
        });
    }

    /// Keeps the loader's latest install reading of the page, for `status().install`.
    pub fn note_install(&self, reading: debug::InstallReading) {
        self.with_state(|s| s.install = reading);
    }

    /// Plans one grid the loader read out of the page: `ids` are its products' ids in the
    /// shop's order, `fresh[i]` is 0 for cards placed by an earlier pass, `index` is the
    /// grid's place in the page. With `leave_visible` (the anti-flicker hide was released
    /// before the bundle came) the page keeps the shop's order, and the exposure says so.
    /// Returns the order to show (`order[slot]` = shop-order index), empty when nothing moves,
    /// or None when the grid is not ranked (no bundle yet, disabled). `cards` (debug mode
    /// only) are the product cards, for the debug view's badges.
    pub fn plan_grid(
        &self,
        ids: &[String],
        fresh: &[u8],
        index: u32,
        leave_visible: bool,
        cards: Option<js_sys::Array>,
    ) -> Option<Vec<u32>> {
        self.with_state(|s| s.plan_grid(ids, fresh, index, leave_visible, cards))
    }

    /// Ends a pass over the page's grids: the first pass that ranked a grid tells the page
    /// (`aisle:reordered`).
    pub fn finish_pass(&self, ranked: u32, leave_visible: bool) {
        self.with_state(|s| s.finish_pass(ranked, leave_visible));
    }

    /// Records a click on the product card in `position` (0-based among a grid's products).
    pub fn record_click(&self, id: &str, position: u32) {
        self.with_state(|s| s.record_click(id, position));
    }

    /// Records a shopper action reported by the theme. False for an unknown kind or empty id.
    pub fn track(&self, kind: &str, id: &str, quantity: u32, price: Option<f64>) -> bool {
        let Some(kind) = ActionKind::from_name(kind) else {
            return false;
        };
        if id.trim().is_empty() {
            return false;
        }
        self.with_state(|s| {
            s.record(kind, id.trim(), quantity, price);
            s.save_history();
            if let (Some(model), Some(_)) = (&s.model, &s.context) {
                s.context = Some(ShopperContext::new(model, &s.history));
            }
            if matches!(
                kind,
                ActionKind::AddToCart | ActionKind::RemoveFromCart | ActionKind::Purchase
            ) {
                s.score_cart();
            }
            true
        })
    }

    /// Scores the cart-abandon risk now (the loader calls this when the page is hidden; cart
    /// changes call it themselves). Returns `{score, reasons, nudgeDelayMs}`, or None when
    /// withheld (empty cart, no bundle or no abandon model in it).
    pub fn score_cart(&self) -> Option<JsValue> {
        self.with_state(|s| s.score_cart())
    }

    /// The JS kill switch: grids not ranked yet keep the shop's order from now on.
    pub fn disable(&self) {
        self.with_state(|s| {
            s.disabled = true;
            s.pending.push((
                "aisle:disabled",
                JsObject::new().set("reason", "api").into_js(),
            ));
        });
    }

    /// Records an order: one purchase action per line, the cart emptied.
    pub fn purchase(
        &self,
        order_id: Option<String>,
        revenue: Option<f64>,
        currency: Option<String>,
        items: Vec<LineItem>,
    ) {
        self.with_state(|s| {
            let now = s.history.touch(now_ms());
            for item in &items {
                s.history.record(
                    ActionKind::Purchase,
                    &item.product,
                    item.quantity,
                    None,
                    now,
                );
            }
            s.history.clear_cart();
            s.save_history();
            let revenue = revenue.filter(|r| r.is_finite());
            s.emit_event(EventBody::Purchase {
                order_id,
                revenue,
                currency,
                items,
            });
            s.score_cart();
        })
    }

    /// The stored form of the history, for the JS API and the debug view.
    pub fn history(&self) -> JsValue {
        self.with_state(|s| convert::history_to_js(&s.history.to_stored()))
    }

    /// A snapshot for the debug view and tests.
    pub fn status(&self) -> JsValue {
        self.with_state(|s| s.status().into_js())
    }

    /// Events recorded and not yet delivered, removed from the outbox, in their JSON shape.
    pub fn take_events(&self) -> js_sys::Array {
        self.with_state(|s| {
            let outbox = std::mem::take(&mut s.outbox);
            outbox
                .iter()
                .map(|event| convert::event_to_js(&event.head(&s.visitor), &event.body))
                .collect()
        })
    }

    /// Runs `f` on the state, then dispatches the DOM events it queued, outside the borrow.
    /// A re-entrant call (a listener calling back) runs nothing and returns the default.
    fn with_state<T: Default>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        let (result, pending) = match self.state.try_borrow_mut() {
            Ok(mut state) => {
                let result = f(&mut state);
                (result, std::mem::take(&mut state.pending))
            }
            Err(_) => return T::default(),
        };
        for (name, detail) in pending {
            emit::dispatch(name, &detail);
        }
        result
    }
}

impl State {
    fn status(&self) -> JsObject {
        JsObject::new()
            .set_some(
                "modelVersion",
                self.model.as_ref().map(|m| m.model_version.as_str()),
            )
            .set(
                "productsInBundle",
                self.model.as_ref().map(|m| m.len()).unwrap_or(0) as u32,
            )
            .set("experiment", self.arm.experiment.as_str())
            .set("arm", self.arm.arm.as_str())
            .set("personalized", self.arm.personalized)
            .set("visitor", self.visitor.as_str())
            .set("storageMemoryOnly", self.storage.is_memory_only())
            .set("gridsRanked", self.grids_ranked)
            .set_some("firstReorderMs", self.first_reorder_ms)
            .set("errors", convert::string_array(&self.errors))
            .set(
                "install",
                debug::install_check(&self.install, self.model.as_ref()).into_js(),
            )
            .set("history", convert::history_to_js(&self.history.to_stored()))
    }

    fn record(&mut self, kind: ActionKind, id: &str, quantity: u32, price: Option<f64>) {
        let now = now_ms();
        let unit_price = price
            .filter(|p| p.is_finite() && *p >= 0.0)
            .map(|p| p as f32);
        let product = crate::history::clean_id(id);
        self.history
            .record(kind, &product, quantity, unit_price, now);
        let body = match kind {
            ActionKind::ProductView => EventBody::ProductView { product },
            ActionKind::CategoryView => EventBody::CategoryView { category: product },
            ActionKind::GridClick => return,
            ActionKind::AddToCart => EventBody::AddToCart {
                product,
                quantity: quantity.max(1),
                price: unit_price.map(f64::from),
            },
            ActionKind::RemoveFromCart => EventBody::RemoveFromCart { product, quantity },
            ActionKind::Purchase => EventBody::Purchase {
                order_id: None,
                revenue: None,
                currency: None,
                items: vec![LineItem {
                    product,
                    quantity: quantity.max(1),
                    price: unit_price.map(f64::from),
                }],
            },
        };
        self.emit_event(body);
    }

    fn record_click(&mut self, id: &str, position: u32) {
        let product = crate::history::clean_id(id);
        if product.is_empty() {
            return;
        }
        self.history
            .record(ActionKind::GridClick, &product, 1, None, now_ms());
        self.save_history();
        self.emit_event(EventBody::GridClick { product, position });
    }

    fn plan_grid(
        &mut self,
        ids: &[String],
        fresh: &[u8],
        index: u32,
        leave_visible: bool,
        cards: Option<js_sys::Array>,
    ) -> Option<Vec<u32>> {
        if self.disabled || !fresh.iter().any(|&f| f != 0) {
            return None;
        }
        let (Some(model), Some(context)) = (&self.model, &self.context) else {
            return None;
        };
        let fresh: Vec<bool> = fresh.iter().map(|&f| f != 0).collect();
        let plan = plan_grid(model, context, ids, &fresh);
        let personalized = self.arm.personalized && !leave_visible;
        if let Some(cards) = cards.filter(|_| self.config.debug) {
            debug::card_entries(
                &cards,
                &plan.order,
                &plan.scores,
                personalized,
                &mut self.debug_cards,
            );
        }
        let clean_ids: Vec<String> = ids.iter().map(|id| crate::history::clean_id(id)).collect();
        let exposure = plan.exposure(
            &self.arm,
            personalized,
            &model.model_version,
            grid_key(index),
            &clean_ids,
        );
        self.grids_ranked += 1;
        if let Some(exposure) = exposure {
            self.emit_event(exposure);
        }
        Some(if personalized && plan.changed {
            plan.order.iter().map(|&i| i as u32).collect()
        } else {
            Vec::new()
        })
    }

    fn finish_pass(&mut self, ranked: u32, leave_visible: bool) {
        if ranked == 0 || self.first_reorder_ms.is_some() {
            return;
        }
        let elapsed = performance_now() - self.config.started_at;
        self.first_reorder_ms = Some(elapsed);
        let detail = JsObject::new()
            .set("grids", ranked)
            .set("ms", elapsed)
            .set("arm", self.arm.arm.as_str())
            .set("personalized", self.arm.personalized && !leave_visible)
            .into_js();
        self.pending.push(("aisle:reordered", detail));
    }

    /// Scores the cart, tells the page (`aisle:abandon-risk`), records the event and runs the
    /// on-site action: elements marked `data-aisle-abandon` are shown at or above the
    /// merchant's threshold (`data-abandon-threshold`) and hidden below it.
    fn score_cart(&mut self) -> Option<JsValue> {
        let model = self.model.as_ref()?;
        let date = js_sys::Date::new_0();
        let hour = date.get_hours() as u8;
        let weekday = date.get_day() as u8;
        let scored = crate::abandon::score_cart(model, &self.history, now_ms(), hour, weekday);
        let threshold = self.config.abandon_threshold;
        let Some(scored) = scored else {
            if threshold.is_some() {
                onsite::show_abandon_elements(false);
            }
            return None;
        };
        let probability = f64::from(scored.probability);
        let reasons: Vec<String> = scored.reasons.iter().map(|&r| String::from(r)).collect();
        let detail = JsObject::new()
            .set("score", probability)
            .set("reasons", convert::string_array(&reasons))
            .set("nudgeDelayMs", scored.nudge_delay_ms as f64)
            .into_js();
        self.pending.push(("aisle:abandon-risk", detail.clone()));
        if let Some(threshold) = threshold {
            onsite::show_abandon_elements(probability >= threshold);
        }
        self.emit_event(EventBody::AbandonScore {
            score: probability,
            reasons,
            nudge_delay_ms: scored.nudge_delay_ms,
        });
        Some(detail)
    }

    fn save_history(&mut self) {
        let bytes = self.history.to_stored().to_bytes();
        if let Some(text) = to_base64(&bytes) {
            self.storage.set(HISTORY_KEY, &text);
        }
        self.report_storage_fallback();
    }

    /// Says once per page that the browser refused storage (the history now lives in memory).
    fn report_storage_fallback(&mut self) {
        if self.storage.is_memory_only() && !self.storage_fallback_reported {
            self.storage_fallback_reported = true;
            self.report_error(
                "storage_unavailable",
                "localStorage is refused or full; the history is kept in memory for this page",
            );
        }
    }

    fn report_error(&mut self, code: &str, message: &str) {
        self.errors.push(concat(&[code, ": ", message]));
        self.emit_event(EventBody::Error {
            code: String::from(code),
            message: String::from(message),
        });
    }

    /// Queues an event for delivery and for the page (`aisle:event`, plus `aisle:error`).
    fn emit_event(&mut self, body: EventBody) {
        self.next_event += 1;
        let event = QueuedEvent {
            id: concat(&[&random_hex(8), "-", &decimal(u64::from(self.next_event))]),
            ts: now_ms(),
            session: decimal(u64::from(self.history.session())),
            arms: self.arm.event_arms.clone(),
            body,
        };
        let detail = convert::event_to_js(&event.head(&self.visitor), &event.body);
        if matches!(event.body, EventBody::Error { .. }) {
            self.pending.push(("aisle:error", detail.clone()));
        }
        self.pending.push(("aisle:event", detail));
        if self.outbox.len() < 500 {
            self.outbox.push(event);
        }
    }
}

/// An event waiting for delivery. It becomes a JS object of its own when the loader takes
/// it (after the page's listeners saw theirs), not while the grid is being ranked.
struct QueuedEvent {
    id: String,
    ts: u64,
    session: String,
    arms: Vec<(String, String)>,
    body: EventBody,
}

impl QueuedEvent {
    fn head<'a>(&'a self, visitor: &'a str) -> convert::EventHead<'a> {
        convert::EventHead {
            id: &self.id,
            ts: self.ts,
            visitor,
            session: &self.session,
            arms: &self.arms,
        }
    }
}

fn parse_history(raw: &str, config: HistoryConfig) -> Result<History, String> {
    let bytes = from_base64(raw).ok_or_else(|| String::from("stored history is not base64"))?;
    let stored = StoredHistory::from_bytes(&bytes).map_err(|e| e.message())?;
    History::restore(stored, config).map_err(|e| e.message())
}

/// Base64 through the browser's own `btoa`, so the wasm carries no codec.
fn to_base64(bytes: &[u8]) -> Option<String> {
    let binary: String = bytes.iter().map(|&b| char::from(b)).collect();
    web_sys::window()?.btoa(&binary).ok()
}

fn from_base64(text: &str) -> Option<Vec<u8>> {
    let binary = web_sys::window()?.atob(text).ok()?;
    // `atob` gives one char per byte, U+0000 to U+00FF.
    let mut bytes = Vec::with_capacity(binary.len());
    for c in binary.chars() {
        bytes.push(u8::try_from(u32::from(c)).ok()?);
    }
    Some(bytes)
}

fn bundle_error_code(error: &BundleError) -> &'static str {
    match error {
        BundleError::TooShort { .. } | BundleError::LengthMismatch { .. } => "bundle_truncated",
        BundleError::BadMagic => "bundle_not_aisle",
        BundleError::UnsupportedVersion { .. } => "bundle_version",
        BundleError::ChecksumMismatch { .. } => "bundle_checksum",
        BundleError::Malformed(_) => "bundle_malformed",
    }
}

fn grid_key(index: u32) -> String {
    let path = web_sys::window()
        .and_then(|w| w.location().pathname().ok())
        .unwrap_or_default();
    concat(&[&path, "#", &decimal(u64::from(index))])
}

fn is_visitor_id(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    let now = js_sys::Date::now();
    if now.is_finite() && now > 0.0 {
        now as u64
    } else {
        0
    }
}

fn performance_now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or(0.0)
}

/// `bytes` random bytes from `crypto.getRandomValues`, as lowercase hex.
pub fn random_hex(bytes: usize) -> String {
    let mut buffer = vec![0u8; bytes];
    let filled = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .map(|c| c.get_random_values_with_u8_array(&mut buffer).is_ok())
        .unwrap_or(false);
    if !filled {
        // No Web Crypto (very old browsers): Math.random is enough for event ids.
        for byte in buffer.iter_mut() {
            *byte = (js_sys::Math::random() * 256.0) as u8;
        }
    }
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut hex = String::with_capacity(bytes * 2);
    for byte in buffer {
        hex.push(char::from(HEX[usize::from(byte >> 4)]));
        hex.push(char::from(HEX[usize::from(byte & 15)]));
    }
    hex
}

impl Engine {
    /// In debug mode (`?aisle_debug=1`), hands the debug view its data: `aisle:debug` with
    /// the status and the cards ranked since the last time (`www/loader/aisle-debug.js` draws
    /// them). Does nothing otherwise.
    pub fn send_debug_view(&self) {
        self.with_state(|s| {
            if s.config.debug {
                let cards: js_sys::Array = s.debug_cards.drain(..).collect();
                let detail = s.status().set("cards", cards).into_js();
                s.pending.push((debug::EVENT, detail));
            }
        })
    }
}
