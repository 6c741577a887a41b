//! One page's session, as pure functions over strings and bytes: the shopper's history, the
//! manifest's arm, the bundle, each grid's plan, the cart score, and the events all of that
//! produces, in their one JSON shape. The browser edge (`src/web/`) only passes the loader's
//! strings and bytes in and the results out; the clock, randomness and storage stay in the
//! loader, so everything here runs (and is tested) natively.
//!
//! What the page must be told comes out as signals (`take_signals`): `[name, detail]` pairs,
//! the DOM events to dispatch (`aisle:event`, `aisle:error`, `aisle:reordered`...) and the
//! loader's own work (`save` the history, show the `abandon` elements).
#![forbid(unsafe_code)]

pub mod config;
pub mod report;

use alloc::string::String;
use alloc::vec::Vec;

use crate::arm::{choose_arm, ArmChoice};
use crate::bundle::{BundleError, Model};
use crate::defaults::OUTBOX_SIZE;
use crate::event_json::{write_event_parts, EventHead};
use crate::events::{EventBody, LineItem, EVENT_SCHEMA_VERSION};
use crate::history::{clean_id, ActionKind, History, HistoryConfig, StoredHistory};
use crate::json::{Json, Numbers};
use crate::json_read::{JsonError, Value};
use crate::manifest::Manifest;
use crate::plan::{plan_grid, GridPlan};
use crate::rank::ShopperContext;
use crate::text::{concat, decimal};

pub use config::PageConfig;

/// The signal that asks the loader to store the history (`history_text`).
pub const SAVE: &str = "save";
/// The signal that shows (`true`) or hides (`false`) the `[data-aisle-abandon]` elements.
pub const ABANDON_ELEMENTS: &str = "abandon";

/// An order as the loader hands it over (`aisle.purchase`, normalized by `www/loader/api.js`).
#[derive(Debug, Default)]
pub struct Order {
    /// The shop's order id.
    pub order_id: Option<String>,
    /// Order total.
    pub revenue: Option<f64>,
    /// ISO 4217 currency.
    pub currency: Option<String>,
    /// The lines bought: ids as the history keeps them (`clean_id`), lines without one left out.
    pub items: Vec<LineItem>,
}

impl Order {
    /// Reads `{order_id, revenue, currency, items: [{product, quantity, price}]}` (the event
    /// schema's names); None when `value` is not an object. Field by field, like the loader's
    /// settings (`config.rs`).
    pub fn from_value(value: &Value) -> Option<Order> {
        if !matches!(value, Value::Object(_)) {
            return None;
        }
        let text = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).map(String::from);
        let number = |v: &Value, key: &str| v.get(key).and_then(Value::as_f64);
        // A loop that also cleans the lines: an iterator chain and a second pass in place
        // cost the wasm 110 B gzip more.
        let mut items = Vec::new();
        for item in value.get("items").map(Value::items).unwrap_or_default() {
            let Some(product) = item.get("product").and_then(Value::as_str) else {
                continue;
            };
            let product = clean_id(product);
            if product.is_empty() {
                continue;
            }
            items.push(LineItem {
                product,
                quantity: number(item, "quantity")
                    .filter(|q| *q >= 1.0)
                    .map_or(1, |q| q.min(f64::from(u32::MAX)) as u32),
                price: number(item, "price").filter(|p| p.is_finite()),
            });
        }
        Some(Order {
            order_id: text(value, "order_id"),
            revenue: number(value, "revenue"),
            currency: text(value, "currency"),
            items,
        })
    }
}

/// Everything one page knows.
pub struct Page {
    config: PageConfig,
    numbers: Numbers,
    history: History,
    model: Option<Model>,
    context: Option<ShopperContext>,
    manifest: Option<Manifest>,
    arm: ArmChoice,
    grids_ranked: u32,
    first_reorder_ms: Option<f64>,
    errors: Vec<String>,
    /// Events not yet taken by the loader, each as JSON text.
    outbox: Vec<String>,
    next_event: u32,
    signals: Vec<(&'static str, String)>,
    disabled: bool,
    /// The last grid's plan and whether it was shown personalized (the debug view's badges).
    last_plan: Option<(GridPlan, bool)>,
}

impl Page {
    /// Starts a page at `now_ms`: restores the stored history (`stored`: the text the loader
    /// kept, empty for none) and records this page's view. `numbers` are the host's number
    /// conversions (see `crate::json`).
    pub fn start(config: PageConfig, stored: &str, now_ms: u64, numbers: Numbers) -> Page {
        let defaults = HistoryConfig::default();
        let history_config = HistoryConfig {
            capacity: config.history_size.unwrap_or(defaults.capacity),
            ..defaults
        };
        let (history, unreadable) = match parse_history(stored, history_config) {
            Ok(history) => (history, None),
            Err(_) if stored.is_empty() => (History::new(history_config, now_ms), None),
            Err(reason) => (History::new(history_config, now_ms), Some(reason)),
        };
        let mut page = Page {
            config,
            numbers,
            history,
            model: None,
            context: None,
            manifest: None,
            arm: ArmChoice::default(),
            grids_ranked: 0,
            first_reorder_ms: None,
            errors: Vec::new(),
            outbox: Vec::new(),
            next_event: 0,
            signals: Vec::new(),
            disabled: false,
            last_plan: None,
        };
        if let Some(reason) = unreadable {
            page.report_error("history_unreadable", &reason, now_ms);
        }
        if let Some(reason) = page.config.item_id_pattern_error.clone() {
            page.report_error("item_id_pattern_invalid", &reason, now_ms);
        }
        page.history.touch(now_ms);
        if let Some(category) = page.config.category.clone() {
            page.record(ActionKind::CategoryView, &category, 1, None, now_ms);
        }
        if let Some(product) = page.config.product.clone() {
            page.record(ActionKind::ProductView, &product, 1, None, now_ms);
        }
        page.save_history();
        page
    }

    /// Reads `manifest.json` (its JSON as read: `json_read::parse` natively, `JSON.parse` in
    /// the browser; `crate::manifest::from_value`, as `aisle report` reads it). Returns the
    /// bundle URL to fetch, or None when aisle stays off (kill switch, refused manifest: an
    /// `aisle:error` says why).
    pub fn use_manifest(&mut self, json: Result<Value, JsonError>, now_ms: u64) -> Option<String> {
        let manifest = match crate::manifest::from_value(json) {
            Ok(manifest) => manifest,
            Err(error) => {
                let message = error.message(self.numbers.write);
                self.report_error(error.code(), &message, now_ms);
                return None;
            }
        };
        if manifest.kill_switch {
            self.signal_reason("aisle:disabled", "kill_switch");
            return None;
        }
        self.arm = choose_arm(&manifest, &self.config.visitor, self.config.arm.as_deref());
        let bundle = manifest.bundle.clone();
        self.manifest = Some(manifest);
        Some(bundle)
    }

    /// Takes the bundle bytes. False (with an error event) when they are refused.
    pub fn load_bundle(&mut self, bytes: &[u8], now_ms: u64) -> bool {
        match Model::from_bytes(bytes) {
            Ok(model) => {
                self.context = Some(ShopperContext::new(&model, &self.history));
                self.model = Some(model);
                // A shopper who arrives with a cart (or added to it before the bundle came)
                // gets a score now.
                if !self.history.cart().is_empty() {
                    self.score_cart(now_ms);
                }
                true
            }
            Err(error) => {
                self.report_error(bundle_error_code(&error), &error.message(), now_ms);
                false
            }
        }
    }

    /// Records a failure the loader saw (network, timeout, CSP, storage).
    pub fn report_failure(&mut self, code: &str, message: &str, now_ms: u64) {
        self.report_error(code, message, now_ms);
    }

    /// Records a misconfiguration the loader saw, once per page however often it is seen.
    pub fn report_once(&mut self, code: &str, message: &str, now_ms: u64) {
        let line = concat(&[code, ": ", message]);
        if !self.errors.contains(&line) {
            self.report_error(code, message, now_ms);
        }
    }

    /// Plans one grid the loader read out of the page: `ids` in the shop's order, `fresh[i]`
    /// 0 for cards placed by an earlier pass, `index` the grid's place in the page. With
    /// `leave_visible` (the hide was released before the bundle came) the page keeps the
    /// shop's order and the exposure says so. Returns the order to show (`order[slot]` =
    /// shop-order index), empty when nothing moves, None when the grid is not ranked.
    pub fn plan_grid(
        &mut self,
        ids: &[String],
        fresh: &[u8],
        index: u32,
        leave_visible: bool,
        now_ms: u64,
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
        let clean_ids: Vec<String> = ids.iter().map(|id| clean_id(id)).collect();
        let grid = concat(&[&self.config.path, "#", &decimal(u64::from(index))]);
        let exposure = plan.exposure(
            &self.arm,
            personalized,
            &model.model_version,
            grid,
            &clean_ids,
        );
        self.grids_ranked += 1;
        if let Some(exposure) = exposure {
            self.emit_event(exposure, now_ms);
        }
        let order = if personalized && plan.changed {
            plan.order.iter().map(|&i| i as u32).collect()
        } else {
            Vec::new()
        };
        self.last_plan = Some((plan, personalized));
        Some(order)
    }

    /// Ends a pass over the page's grids, `elapsed_ms` after the script started: the first
    /// pass that ranked a grid tells the page (`aisle:reordered`).
    pub fn finish_pass(&mut self, ranked: u32, leave_visible: bool, elapsed_ms: f64) {
        if ranked == 0 || self.first_reorder_ms.is_some() {
            return;
        }
        self.first_reorder_ms = Some(elapsed_ms);
        let mut json = Json::new(self.numbers.write);
        json.open_object()
            .field_uint("grids", u64::from(ranked))
            .field_number("ms", elapsed_ms)
            .field_str("arm", &self.arm.arm)
            .field_bool("personalized", self.arm.personalized && !leave_visible)
            .close_object();
        self.signals.push(("aisle:reordered", json.finish()));
    }

    /// Records a click on the product card in `position` (0-based among a grid's products).
    pub fn record_click(&mut self, id: &str, position: u32, now_ms: u64) {
        let product = clean_id(id);
        if product.is_empty() {
            return;
        }
        self.history
            .record(ActionKind::GridClick, &product, 1, None, now_ms);
        self.save_history();
        self.emit_event(EventBody::GridClick { product, position }, now_ms);
    }

    /// Records a shopper action reported by the theme (`ActionKind::from_name`). False for an
    /// unknown kind or an empty id.
    pub fn track(
        &mut self,
        kind: &str,
        id: &str,
        quantity: u32,
        price: Option<f64>,
        now_ms: u64,
    ) -> bool {
        let Some(kind) = ActionKind::from_name(kind) else {
            return false;
        };
        if id.trim().is_empty() {
            return false;
        }
        self.record(kind, id.trim(), quantity, price, now_ms);
        self.save_history();
        if let (Some(model), Some(_)) = (&self.model, &self.context) {
            self.context = Some(ShopperContext::new(model, &self.history));
        }
        if matches!(
            kind,
            ActionKind::AddToCart | ActionKind::RemoveFromCart | ActionKind::Purchase
        ) {
            self.score_cart(now_ms);
        }
        true
    }

    /// Records an order (`Order`'s fields): one purchase action per line, the cart emptied.
    /// False when the value is not an order.
    pub fn purchase(&mut self, order: &Value, now_ms: u64) -> bool {
        let Some(order) = Order::from_value(order) else {
            return false;
        };
        let now = self.history.touch(now_ms);
        let items = order.items;
        for item in &items {
            self.history.record(
                ActionKind::Purchase,
                &item.product,
                item.quantity,
                None,
                now,
            );
        }
        self.history.clear_cart();
        self.save_history();
        self.emit_event(
            EventBody::Purchase {
                order_id: order.order_id,
                revenue: order.revenue.filter(|r| r.is_finite()),
                currency: order.currency,
                items,
            },
            now_ms,
        );
        self.score_cart(now_ms);
        true
    }

    /// Scores the cart-abandon risk now: `{score, reasons, nudgeDelayMs}` (also sent as
    /// `aisle:abandon-risk`, and logged as an event), or None when withheld (empty cart, no
    /// bundle or no abandon model in it). The hour and weekday are the shopper's local ones.
    pub fn score_cart(&mut self, now_ms: u64) -> Option<String> {
        let model = self.model.as_ref()?;
        let local_ms = now_ms as f64 - self.config.tz_offset * 60_000.0;
        let local_ms = if local_ms.is_finite() && local_ms > 0.0 {
            local_ms as u64
        } else {
            now_ms
        };
        let hour = (local_ms / 3_600_000 % 24) as u8;
        // 1970-01-01 was a Thursday; 0 is Sunday, as `Date.getDay` counts.
        let weekday = ((local_ms / 86_400_000 + 4) % 7) as u8;
        let scored = crate::abandon::score_cart(model, &self.history, now_ms, hour, weekday);
        let threshold = self.config.abandon_threshold;
        let Some(scored) = scored else {
            if threshold.is_some() {
                self.signals.push((ABANDON_ELEMENTS, String::from("false")));
            }
            return None;
        };
        let probability = f64::from(scored.probability);
        let reasons: Vec<String> = scored.reasons.iter().map(|&r| String::from(r)).collect();
        let mut json = Json::new(self.numbers.write);
        json.open_object()
            .field_number("score", probability)
            .field_strings("reasons", &reasons)
            .field_uint("nudgeDelayMs", scored.nudge_delay_ms)
            .close_object();
        let detail = json.finish();
        self.signals.push(("aisle:abandon-risk", detail.clone()));
        if let Some(threshold) = threshold {
            let show = if probability >= threshold {
                "true"
            } else {
                "false"
            };
            self.signals.push((ABANDON_ELEMENTS, String::from(show)));
        }
        self.emit_event(
            EventBody::AbandonScore {
                score: probability,
                reasons,
                nudge_delay_ms: scored.nudge_delay_ms,
            },
            now_ms,
        );
        Some(detail)
    }

    /// The JS kill switch: grids not ranked yet keep the shop's order from now on.
    pub fn disable(&mut self) {
        self.disabled = true;
        self.signal_reason("aisle:disabled", "api");
    }

    /// The history's stored form as text (what the `save` signal asks the loader to keep).
    pub fn history_text(&self) -> String {
        crate::base64::encode(&self.history.to_bytes())
    }

    /// Events recorded and not yet taken, removed from the outbox: a JSON array.
    pub fn take_events(&mut self) -> String {
        let mut json = Json::new(self.numbers.write);
        json.open_array();
        for event in self.outbox.drain(..) {
            json.raw(&event);
        }
        json.close_array();
        json.finish()
    }

    /// What the page must be told since the last call: a JSON array of `[name, detail]`.
    pub fn take_signals(&mut self) -> String {
        let mut json = Json::new(self.numbers.write);
        json.open_array();
        for (name, detail) in self.signals.drain(..) {
            json.open_array().string(name).raw(&detail).close_array();
        }
        json.close_array();
        json.finish()
    }

    fn record(
        &mut self,
        kind: ActionKind,
        id: &str,
        quantity: u32,
        price: Option<f64>,
        now_ms: u64,
    ) {
        // The event carries the price as reported; the history keeps it as an f32.
        let price = price.filter(|p| p.is_finite() && *p >= 0.0);
        let product = clean_id(id);
        self.history
            .record(kind, &product, quantity, price.map(|p| p as f32), now_ms);
        let body = match kind {
            ActionKind::ProductView => EventBody::ProductView { product },
            ActionKind::CategoryView => EventBody::CategoryView { category: product },
            ActionKind::GridClick => return,
            ActionKind::AddToCart => EventBody::AddToCart {
                product,
                quantity: quantity.max(1),
                price,
            },
            ActionKind::RemoveFromCart => EventBody::RemoveFromCart { product, quantity },
            ActionKind::Purchase => EventBody::Purchase {
                order_id: None,
                revenue: None,
                currency: None,
                items: alloc::vec![LineItem {
                    product,
                    quantity: quantity.max(1),
                    price,
                }],
            },
        };
        self.emit_event(body, now_ms);
    }

    fn save_history(&mut self) {
        self.signals.push((SAVE, String::from("null")));
    }

    fn signal_reason(&mut self, name: &'static str, reason: &str) {
        let mut json = Json::new(self.numbers.write);
        json.open_object()
            .field_str("reason", reason)
            .close_object();
        self.signals.push((name, json.finish()));
    }

    fn report_error(&mut self, code: &str, message: &str, now_ms: u64) {
        self.errors.push(concat(&[code, ": ", message]));
        self.emit_event(
            EventBody::Error {
                code: String::from(code),
                message: String::from(message),
            },
            now_ms,
        );
    }

    /// Writes the event (`crate::events::Event` in its JSON shape), queues it for delivery and
    /// for the page (`aisle:event`, plus `aisle:error` for errors).
    fn emit_event(&mut self, body: EventBody, now_ms: u64) {
        self.next_event += 1;
        let id = concat(&[
            &self.config.nonce,
            "-",
            &decimal(u64::from(self.next_event)),
        ]);
        let session = decimal(u64::from(self.history.session()));
        let head = EventHead {
            v: EVENT_SCHEMA_VERSION,
            id: &id,
            ts: now_ms,
            visitor: &self.config.visitor,
            session: &session,
        };
        let arms = self
            .arm
            .event_arms
            .iter()
            .map(|(experiment, arm)| (experiment, arm));
        let mut json = Json::new(self.numbers.write);
        write_event_parts(&mut json, &head, arms, &body);
        let text = json.finish();
        if matches!(body, EventBody::Error { .. }) {
            self.signals.push(("aisle:error", text.clone()));
        }
        self.signals.push(("aisle:event", text.clone()));
        if self.outbox.len() < OUTBOX_SIZE {
            self.outbox.push(text);
        }
    }
}

fn parse_history(raw: &str, config: HistoryConfig) -> Result<History, String> {
    let bytes =
        crate::base64::decode(raw).ok_or_else(|| String::from("stored history is not base64"))?;
    let stored = StoredHistory::from_bytes(&bytes).map_err(|e| e.message())?;
    History::restore(stored, config).map_err(|e| e.message())
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
