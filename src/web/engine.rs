//! The page-side engine: holds the shopper's history, the bundle and the arm, reranks every
//! grid the page shows (now and as grids appear or grow), and records what happened.
//!
//! Re-entrancy: events reach the page's listeners only after the engine's state is released,
//! so a listener that calls back into aisle cannot trip a `RefCell` borrow.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, MutationObserver, MutationObserverInit, MutationRecord};

use crate::assign;
use crate::bundle::{BundleError, Model};
use crate::events::{EventBody, LineItem};
use crate::history::{ActionKind, History, HistoryConfig, StoredHistory};
use crate::manifest::{Manifest, MANIFEST_VERSION};
use crate::rank::{order_by_scores, score, ShopperContext};
use crate::text::{concat, decimal};

use super::convert::{self, JsObject};
use super::debug;
use super::dom::{self, Selectors};
use super::emit;
use super::onsite;
use super::storage::Storage;

impl PageConfig {
    /// Reads the loader's config object; missing fields take their defaults.
    pub fn from_js(value: &JsValue) -> PageConfig {
        PageConfig {
            grid: convert::string_field(value, "grid").unwrap_or_default(),
            item: convert::string_field(value, "item").unwrap_or_default(),
            item_id: convert::string_field(value, "itemId").unwrap_or_default(),
            item_id_pattern: convert::field(value, "itemIdPattern")
                .and_then(|p| p.dyn_into::<js_sys::RegExp>().ok()),
            item_id_pattern_error: convert::string_field(value, "itemIdPatternError"),
            product: convert::string_field(value, "product").filter(|p| !p.is_empty()),
            category: convert::string_field(value, "category").filter(|c| !c.is_empty()),
            history_size: convert::number_field(value, "historySize").map(|n| n as usize),
            debug: convert::bool_field(value, "debug").unwrap_or(false),
            started_at: convert::number_field(value, "startedAt").unwrap_or(0.0),
            arm: convert::string_field(value, "arm").filter(|a| !a.is_empty()),
            abandon_threshold: convert::number_field(value, "abandonThreshold")
                .filter(|t| (0.0..=1.0).contains(t)),
        }
    }
}

/// What the loader passes from the script tag's data attributes.
#[derive(Clone, Debug, Default)]
pub struct PageConfig {
    /// CSS selector of product grids.
    pub grid: String,
    /// CSS selector of product cards.
    pub item: String,
    /// Attribute of a card (or of an element inside it) holding its product id.
    pub item_id: String,
    /// `data-item-id-pattern`, compiled by the loader: reads the id out of the attribute.
    pub item_id_pattern: Option<js_sys::RegExp>,
    /// Why `data-item-id-pattern` did not compile; no grid is ranked then.
    pub item_id_pattern_error: Option<String>,
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
}

/// The arm this visitor sees.
#[derive(Clone, Debug, PartialEq)]
pub struct ArmChoice {
    /// Experiment key, empty when no experiment runs.
    pub experiment: String,
    /// Arm key.
    pub arm: String,
    /// True when this arm shows the personalized order.
    pub personalized: bool,
    /// False for QA-forced visits: they log no exposures and carry no arms in events.
    pub tracked: bool,
    /// Experiment key to arm key, for every event's `arms`.
    pub event_arms: Vec<(String, String)>,
}

/// Everything the engine knows. Only touched through [`Engine`].
pub struct State {
    config: PageConfig,
    selectors: Selectors,
    storage: Storage,
    history: History,
    visitor: String,
    model: Option<Model>,
    context: Option<ShopperContext>,
    manifest: Option<Manifest>,
    arm: ArmChoice,
    placed: js_sys::WeakSet,
    grids_ranked: u32,
    first_reorder_ms: Option<f64>,
    errors: Vec<String>,
    outbox: Vec<QueuedEvent>,
    next_event: u32,
    pending: Vec<(&'static str, JsValue)>,
    leave_visible: bool,
    disabled: bool,
    storage_fallback_reported: bool,
    /// `grid, item`: what an added node must match (or hold) to be worth a re-rank.
    watched_selector: String,
    /// In debug mode: cards ranked since the debug view was last sent (see `debug`).
    debug_cards: Vec<JsValue>,
}

/// The engine behind `window.aisle`.
#[derive(Clone)]
pub struct Engine {
    state: Rc<RefCell<State>>,
    observer: Rc<RefCell<Option<MutationObserver>>>,
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
        let selectors = Selectors {
            grid: config.grid.clone(),
            item: config.item.clone(),
            id_attribute: if config.item_id.is_empty() {
                "data-product-id".into()
            } else {
                config.item_id.clone()
            },
            id_pattern: config.item_id_pattern.clone(),
        };
        let watched_selector = concat(&[&selectors.grid, ", ", &selectors.item]);
        let state = State {
            arm: ArmChoice {
                experiment: String::new(),
                arm: "personalized".into(),
                personalized: true,
                tracked: true,
                event_arms: Default::default(),
            },
            config,
            selectors,
            storage,
            history,
            visitor,
            model: None,
            context: None,
            manifest: None,
            placed: js_sys::WeakSet::new(),
            grids_ranked: 0,
            first_reorder_ms: None,
            errors: Vec::new(),
            outbox: Vec::new(),
            next_event: 0,
            pending: Vec::new(),
            leave_visible: false,
            disabled: false,
            storage_fallback_reported: false,
            watched_selector,
            debug_cards: Vec::new(),
        };
        let engine = Engine {
            state: Rc::new(RefCell::new(state)),
            observer: Rc::new(RefCell::new(None)),
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

    /// Reranks every grid now and keeps watching the page for grids that appear or grow.
    /// With `leave_visible` (the bundle came after the anti-flicker hide was released), grids
    /// already on screen keep the shop's order, so nothing the shopper sees jumps; grids that
    /// appear later are still ranked. Returns how many grids were ranked.
    pub fn apply(&self, leave_visible: bool) -> u32 {
        let ranked = self.with_state(|s| {
            s.leave_visible = leave_visible;
            let ranked = s.rank_all_grids();
            s.leave_visible = false;
            ranked
        });
        self.observe();
        ranked
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

    /// Watches the document for grids and cards added later (infinite scroll, filters, SPA
    /// navigation). Our own moves are taken back out of the queue, so they never re-trigger.
    fn observe(&self) {
        if self.observer.borrow().is_some() {
            return;
        }
        let engine = self.clone();
        let callback = Closure::<dyn FnMut(js_sys::Array, MutationObserver)>::new(
            move |records: js_sys::Array, observer: MutationObserver| {
                let relevant = engine.with_state(|s| s.touches_a_grid(&records));
                if relevant {
                    engine.with_state(|s| s.rank_all_grids());
                    let _ = observer.take_records();
                    engine.send_debug_view();
                }
            },
        );
        let Ok(observer) = MutationObserver::new(callback.as_ref().unchecked_ref()) else {
            return;
        };
        callback.forget();
        let options = MutationObserverInit::new();
        options.set_child_list(true);
        options.set_subtree(true);
        if let Some(root) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
        {
            let _ = observer.observe_with_options(&root, &options);
        }
        *self.observer.borrow_mut() = Some(observer);
        self.listen_for_clicks();
    }

    /// Records clicks on product cards inside grids.
    fn listen_for_clicks(&self) {
        let engine = self.clone();
        let on_click = Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
            let Some(target) = event.target().and_then(|t| t.dyn_into::<Element>().ok()) else {
                return;
            };
            engine.with_state(|s| s.record_click(&target));
        });
        if let Some(document) = web_sys::window().and_then(|w| w.document()) {
            let _ = document.add_event_listener_with_callback_and_bool(
                "click",
                on_click.as_ref().unchecked_ref(),
                true,
            );
        }
        on_click.forget();
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
                debug::install_check(&self.selectors, self.model.as_ref()).into_js(),
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

    fn record_click(&mut self, target: &Element) {
        let Ok(Some(card)) = target.closest(&self.selectors.item) else {
            return;
        };
        let Ok(Some(grid)) = card.closest(&self.selectors.grid) else {
            return;
        };
        let children = dom::children(&grid, &self.selectors);
        let products = children.iter().filter(|c| c.product_id.is_some());
        let Some((position, child)) = products
            .enumerate()
            .find(|(_, c)| c.node.contains(Some(card.as_ref())))
        else {
            return;
        };
        let product = crate::history::clean_id(child.product_id.as_deref().unwrap_or_default());
        self.history
            .record(ActionKind::GridClick, &product, 1, None, now_ms());
        self.save_history();
        self.emit_event(EventBody::GridClick {
            product,
            position: position as u32,
        });
    }

    fn touches_a_grid(&self, records: &js_sys::Array) -> bool {
        let watched = &self.watched_selector;
        records
            .iter()
            .filter_map(|r| r.dyn_into::<MutationRecord>().ok())
            .any(|record| {
                let added = record.added_nodes();
                (0..added.length())
                    .filter_map(|i| added.item(i))
                    .filter_map(|n| n.dyn_into::<Element>().ok())
                    .any(|el| {
                        el.matches(&watched).unwrap_or(false)
                            || el.query_selector(&watched).ok().flatten().is_some()
                    })
            })
    }

    /// Ranks the products of every grid that aisle has not placed yet. Cards already placed
    /// keep their slots, so a grid that grows only orders its new cards, and nothing the
    /// shopper already saw jumps.
    fn rank_all_grids(&mut self) -> u32 {
        let Some(document) = web_sys::window().and_then(|w| w.document()) else {
            return 0;
        };
        if self.disabled
            || self.model.is_none()
            || self.selectors.grid.is_empty()
            || self.selectors.item.is_empty()
            || self.config.item_id_pattern_error.is_some()
        {
            return 0;
        }
        if document.query_selector(&self.selectors.item).is_err() {
            self.report_error_once("selector_invalid", "data-item is not a valid CSS selector");
            return 0;
        }
        let grids = match dom::find_grids(&document, &self.selectors) {
            Ok(grids) => grids,
            Err(()) => {
                self.report_error("selector_invalid", "data-grid is not a valid CSS selector");
                return 0;
            }
        };
        let mut ranked = 0;
        for (index, grid) in grids.iter().enumerate() {
            if self.rank_grid(grid, index) {
                ranked += 1;
            }
        }
        if ranked > 0 && self.first_reorder_ms.is_none() {
            let elapsed = performance_now() - self.config.started_at;
            self.first_reorder_ms = Some(elapsed);
            let detail = JsObject::new()
                .set("grids", ranked)
                .set("ms", elapsed)
                .set("arm", self.arm.arm.as_str())
                .set("personalized", self.arm.personalized && !self.leave_visible)
                .into_js();
            self.pending.push(("aisle:reordered", detail));
        }
        ranked
    }

    fn rank_grid(&mut self, grid: &Element, index: usize) -> bool {
        let children = dom::children(grid, &self.selectors);
        if !self.ids_readable(&children, index) {
            return false;
        }
        let (Some(model), Some(context)) = (&self.model, &self.context) else {
            return false;
        };
        let products: Vec<&dom::Child> =
            children.iter().filter(|c| c.product_id.is_some()).collect();
        let fresh: Vec<bool> = products
            .iter()
            .map(|c| !self.placed.has(c.node.as_ref()))
            .collect();
        if !fresh.iter().any(|&f| f) {
            return false;
        }
        let scores: Vec<Option<f32>> = products
            .iter()
            .zip(&fresh)
            .map(|(c, &is_fresh)| {
                let id = c.product_id.as_deref().unwrap_or_default();
                if is_fresh {
                    model.index_of(id).map(|p| score(model, context, p))
                } else {
                    None
                }
            })
            .collect();
        let treatment = order_by_scores(&scores);
        let ids: Vec<String> = products
            .iter()
            .map(|c| crate::history::clean_id(c.product_id.as_deref().unwrap_or_default()))
            .collect();
        let changed = treatment
            .iter()
            .enumerate()
            .any(|(slot, &item)| slot != item);
        let treatment_ids: Vec<String> = treatment.iter().map(|&i| ids[i].clone()).collect();
        let personalized = self.arm.personalized && !self.leave_visible;
        if personalized && changed {
            dom::apply_order(grid, &children, &treatment);
        }
        for child in &products {
            self.placed.add(child.node.as_ref());
        }
        if self.config.debug {
            debug::card_entries(
                &products,
                &treatment,
                &scores,
                personalized,
                &mut self.debug_cards,
            );
        }
        self.grids_ranked += 1;
        // Exposures belong to an experiment: none when no experiment runs or the arm was
        // forced for QA.
        if !self.arm.tracked || self.arm.experiment.is_empty() {
            return true;
        }
        let shown = if personalized {
            treatment_ids.clone()
        } else {
            ids
        };
        let body = EventBody::Exposure {
            experiment: self.arm.experiment.clone(),
            arm: self.arm.arm.clone(),
            bundle_version: model.model_version.clone(),
            grid: grid_key(index),
            shown,
            treatment: if personalized {
                None
            } else {
                Some(treatment_ids)
            },
            changed,
        };
        self.emit_event(body);
        true
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

    /// False (with an `aisle:error`, once) when the grid's cards cannot be read safely: a card
    /// holds two different ids, or the grid has cards and none holds an id. The grid then
    /// keeps the shop's order.
    fn ids_readable(&mut self, children: &[dom::Child], grid_index: usize) -> bool {
        let grid = concat(&[
            "grid ",
            &decimal(grid_index as u64 + 1),
            " (data-grid \"",
            &self.selectors.grid,
            "\")",
        ]);
        if let Some((first, second)) = children.iter().find_map(|c| c.conflict.as_ref()) {
            let message = concat(&[
                "a card in ",
                &grid,
                " holds two product ids, \"",
                first,
                "\" and \"",
                second,
                "\" (data-item-id \"",
                &self.selectors.id_attribute,
                "\"",
                &self.pattern_note(),
                "); the grid keeps the shop's order",
            ]);
            self.report_error_once("item_id_conflict", &message);
            return false;
        }
        let cards = children.iter().filter(|c| c.card.is_some()).count();
        if cards > 0 && children.iter().all(|c| c.product_id.is_none()) {
            let message = concat(&[
                "none of the ",
                &decimal(cards as u64),
                " cards (data-item \"",
                &self.selectors.item,
                "\") in ",
                &grid,
                " holds a product id in attribute \"",
                &self.selectors.id_attribute,
                "\"",
                &self.pattern_note(),
                ", on the card or inside it",
            ]);
            self.report_error_once("item_id_missing", &message);
            return false;
        }
        true
    }

    /// ` matching data-item-id-pattern /…/` when a pattern is set, for error messages.
    fn pattern_note(&self) -> String {
        match &self.selectors.id_pattern {
            Some(pattern) => concat(&[
                " matching data-item-id-pattern /",
                &String::from(pattern.source()),
                "/",
            ]),
            None => String::new(),
        }
    }

    /// Reports a misconfiguration once per page, however often the observer re-scans.
    fn report_error_once(&mut self, code: &str, message: &str) {
        let line = concat(&[code, ": ", message]);
        if !self.errors.contains(&line) {
            self.report_error(code, message);
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

/// The visitor's arm from the manifest's experiments (GrowthBook-compatible hashing), with a
/// QA override (`?aisle_arm=experiment:arm`) applied. QA-forced visits are not tracked.
fn choose_arm(manifest: &Manifest, visitor: &str, qa_override: Option<&str>) -> ArmChoice {
    let overrides = qa_override
        .and_then(|value| assign::parse_override(value).ok())
        .unwrap_or_default();
    let decision = assign::decide(
        &manifest.experiments,
        visitor,
        &overrides,
        manifest.kill_switch,
    );
    let deciding = decision.assignments.iter().find(|a| a.in_experiment());
    ArmChoice {
        experiment: deciding.map(|a| a.experiment.clone()).unwrap_or_default(),
        arm: deciding.and_then(|a| a.arm_key.clone()).unwrap_or_else(|| {
            if decision.personalized {
                "personalized".into()
            } else {
                "outside".into()
            }
        }),
        personalized: decision.personalized,
        tracked: deciding.map(|a| a.track).unwrap_or(true),
        event_arms: decision.event_arm_list(),
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

fn grid_key(index: usize) -> String {
    let path = web_sys::window()
        .and_then(|w| w.location().pathname().ok())
        .unwrap_or_default();
    concat(&[&path, "#", &decimal(index as u64)])
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
