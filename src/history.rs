//! The shopper's recent actions: the last N of them with time stamps, sessions split after
//! 30 idle minutes, the cart they imply, and the versioned form they take in storage.
//!
//! The history is the only state aisle keeps about a shopper. It never reads a clock itself:
//! every call takes `now_ms` (milliseconds since the Unix epoch) from the caller.
#![forbid(unsafe_code)]

use alloc::string::String;
use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

use crate::postcard_reader::Reader;

/// The version of [`StoredHistory`], defined with the defaults the loader shares.
pub use crate::defaults::HISTORY_FORMAT_VERSION;

/// Longest product or category id kept. Longer ids are cut so storage stays size-capped.
pub const MAX_ID_LEN: usize = 96;

/// Most actions a history may be configured to keep.
pub const MAX_CAPACITY: usize = 100;

/// Most cart lines kept; a theme that reports more gets the oldest lines dropped.
pub const MAX_CART_LINES: usize = 50;

/// Most return gaps remembered for the visitor's own return pattern.
pub const MAX_RETURN_GAPS: usize = 8;

/// What the shopper did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ActionKind {
    /// Opened a product page.
    #[serde(rename = "v")]
    ProductView,
    /// Clicked a product in a category grid.
    #[serde(rename = "c")]
    GridClick,
    /// Added a product to the cart.
    #[serde(rename = "a")]
    AddToCart,
    /// Removed a product from the cart.
    #[serde(rename = "r")]
    RemoveFromCart,
    /// Bought (the id is a product id; one action per purchased product).
    #[serde(rename = "p")]
    Purchase,
    /// Opened a category page (the id is a category id).
    #[serde(rename = "g")]
    CategoryView,
}

impl ActionKind {
    /// Parses the names used by the JS API and the event schema.
    pub fn from_name(name: &str) -> Option<ActionKind> {
        Some(match name {
            "view" | "product_view" => ActionKind::ProductView,
            "click" | "grid_click" => ActionKind::GridClick,
            "add" | "add_to_cart" => ActionKind::AddToCart,
            "remove" | "remove_from_cart" => ActionKind::RemoveFromCart,
            "purchase" => ActionKind::Purchase,
            "category" | "category_view" => ActionKind::CategoryView,
            _ => return None,
        })
    }

    /// The name used in the event schema.
    pub fn name(self) -> &'static str {
        match self {
            ActionKind::ProductView => "product_view",
            ActionKind::GridClick => "grid_click",
            ActionKind::AddToCart => "add_to_cart",
            ActionKind::RemoveFromCart => "remove_from_cart",
            ActionKind::Purchase => "purchase",
            ActionKind::CategoryView => "category_view",
        }
    }

    /// The one-letter name the stored history uses (its serde name; a test keeps them equal),
    /// for the readable history the page shows without serde's JSON writer.
    pub fn short_name(self) -> &'static str {
        match self {
            ActionKind::ProductView => "v",
            ActionKind::GridClick => "c",
            ActionKind::AddToCart => "a",
            ActionKind::RemoveFromCart => "r",
            ActionKind::Purchase => "p",
            ActionKind::CategoryView => "g",
        }
    }

    /// True when the id names a product (every kind but a category view).
    pub fn is_about_product(self) -> bool {
        self != ActionKind::CategoryView
    }
}

/// One thing the shopper did, as stored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Action {
    /// What happened.
    #[serde(rename = "k")]
    pub kind: ActionKind,
    /// Product id, or category id for a category view.
    #[serde(rename = "i")]
    pub id: String,
    /// When, in milliseconds since the Unix epoch.
    #[serde(rename = "t")]
    pub at_ms: u64,
    /// The session number this action belongs to (counts up from 1 per visitor).
    #[serde(rename = "s", default)]
    pub session: u32,
}

/// One line of the cart the history implies.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CartLine {
    /// Product id.
    #[serde(rename = "i")]
    pub id: String,
    /// Units in the cart; always at least 1.
    #[serde(rename = "q")]
    pub quantity: u32,
    /// Unit price as the theme reported it, if it did and it was a sane number.
    #[serde(rename = "p", default)]
    pub unit_price: Option<f32>,
    /// When this line was last added to.
    #[serde(rename = "t")]
    pub added_at_ms: u64,
}

/// The history as it is written to storage: postcard bytes (`to_bytes`), kept in localStorage
/// as base64 text (`crate::base64`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoredHistory {
    /// [`HISTORY_FORMAT_VERSION`] at the time of writing.
    pub v: u32,
    /// Actions, oldest first.
    pub a: Vec<Action>,
    /// Current session number.
    pub s: u32,
    /// When the current session started.
    pub ss: u64,
    /// When the shopper was last active.
    pub la: u64,
    /// When this visitor was first seen.
    pub fs: u64,
    /// The cart.
    #[serde(default)]
    pub c: Vec<CartLine>,
    /// Gaps between the end of one session and the start of the next, newest last.
    #[serde(default)]
    pub g: Vec<u64>,
}

/// Settings for a history.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HistoryConfig {
    /// How many actions to keep (default 20, at most [`MAX_CAPACITY`]).
    pub capacity: usize,
    /// Idle time after which the next action opens a new session (default 30 minutes).
    pub session_idle_ms: u64,
}

impl Default for HistoryConfig {
    fn default() -> Self {
        HistoryConfig {
            capacity: crate::defaults::HISTORY_SIZE,
            session_idle_ms: 30 * 60 * 1000,
        }
    }
}

/// Why a stored history could not be used.
#[derive(Debug, Clone, PartialEq)]
pub enum HistoryError {
    /// Written by a different format version.
    WrongVersion { found: u32, expected: u32 },
    /// The bytes do not decode as a stored history.
    Unreadable,
}

impl HistoryError {
    /// The message shown to people (the `Display` form), built without `core::fmt` so the
    /// wasm can report it without carrying the formatting machinery.
    pub fn message(&self) -> String {
        use crate::text::{concat, decimal};
        match self {
            HistoryError::WrongVersion { found, expected } => concat(&[
                "stored history has format version ",
                &decimal(u64::from(*found)),
                ", this build reads version ",
                &decimal(u64::from(*expected)),
            ]),
            HistoryError::Unreadable => String::from("stored history is unreadable"),
        }
    }
}

impl core::fmt::Display for HistoryError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for HistoryError {}

impl StoredHistory {
    /// The compact binary form written to storage (postcard; the version comes first).
    pub fn to_bytes(&self) -> Vec<u8> {
        write_stored(
            self.v,
            self.a.iter(),
            [self.s.into(), self.ss, self.la, self.fs],
            &self.c,
            &self.g,
        )
    }

    /// Reads the binary form. A different version is reported as such, before the rest of
    /// the bytes are trusted; anything else malformed is [`HistoryError::Unreadable`].
    pub fn from_bytes(bytes: &[u8]) -> Result<StoredHistory, HistoryError> {
        let mut reader = Reader::new(bytes);
        let version = reader.u32();
        if reader.finish(()).is_err() {
            return Err(HistoryError::Unreadable);
        }
        if version != HISTORY_FORMAT_VERSION {
            return Err(HistoryError::WrongVersion {
                found: version,
                expected: HISTORY_FORMAT_VERSION,
            });
        }
        let mut reader = Reader::new(bytes);
        let stored = read_stored(&mut reader);
        match reader.finish(stored) {
            Ok((stored, true)) => Ok(stored),
            _ => Err(HistoryError::Unreadable),
        }
    }
}

/// [`StoredHistory`]'s postcard bytes from its parts (`times`: `s`, `ss`, `la`, `fs`), so a
/// [`History`] writes them without building one. Postcard's layout written by hand, as
/// [`crate::postcard_reader`] reads it: the `postcard` crate's serializer and the copy into a
/// `StoredHistory` cost the wasm 286 B gzip. The tests and `tests/fuzz.rs` hold the bytes to
/// the crate's.
fn write_stored<'a>(
    version: u32,
    actions: impl ExactSizeIterator<Item = &'a Action>,
    times: [u64; 4],
    cart: &[CartLine],
    gaps: &[u64],
) -> Vec<u8> {
    use crate::bundle::format::put_varint;
    fn put_text(out: &mut Vec<u8>, text: &str) {
        put_varint(out, text.len() as u64);
        out.extend_from_slice(text.as_bytes());
    }
    let mut out = Vec::new();
    put_varint(&mut out, u64::from(version));
    put_varint(&mut out, actions.len() as u64);
    for action in actions {
        // A unit enum is its variant's index, in declaration order.
        put_varint(&mut out, action.kind as u64);
        put_text(&mut out, &action.id);
        put_varint(&mut out, action.at_ms);
        put_varint(&mut out, u64::from(action.session));
    }
    for time in times {
        put_varint(&mut out, time);
    }
    put_varint(&mut out, cart.len() as u64);
    for line in cart {
        put_text(&mut out, &line.id);
        put_varint(&mut out, u64::from(line.quantity));
        match line.unit_price {
            None => out.push(0),
            Some(price) => {
                out.push(1);
                out.extend_from_slice(&price.to_le_bytes());
            }
        }
        put_varint(&mut out, line.added_at_ms);
    }
    put_varint(&mut out, gaps.len() as u64);
    for &gap in gaps {
        put_varint(&mut out, gap);
    }
    out
}

/// [`StoredHistory`] as postcard lays it out (read by hand: see [`crate::postcard_reader`]).
fn read_stored(r: &mut Reader) -> StoredHistory {
    StoredHistory {
        v: r.u32(),
        a: r.seq(read_action),
        s: r.u32(),
        ss: r.u64(),
        la: r.u64(),
        fs: r.u64(),
        c: r.seq(read_cart_line),
        g: r.seq(Reader::u64),
    }
}

fn read_action(r: &mut Reader) -> Action {
    // A unit enum is its variant's index, in declaration order.
    let kind = match r.u32() {
        0 => ActionKind::ProductView,
        1 => ActionKind::GridClick,
        2 => ActionKind::AddToCart,
        3 => ActionKind::RemoveFromCart,
        4 => ActionKind::Purchase,
        5 => ActionKind::CategoryView,
        _ => {
            r.refuse();
            ActionKind::ProductView
        }
    };
    Action {
        kind,
        id: r.string(),
        at_ms: r.u64(),
        session: r.u32(),
    }
}

fn read_cart_line(r: &mut Reader) -> CartLine {
    CartLine {
        id: r.string(),
        quantity: r.u32(),
        unit_price: r.option(Reader::f32),
        added_at_ms: r.u64(),
    }
}

/// The shopper's recent actions and the state derived from them.
#[derive(Clone, Debug, PartialEq)]
pub struct History {
    config: HistoryConfig,
    /// Oldest first. A `Vec`, not a `VecDeque`: at most [`MAX_CAPACITY`] actions, so dropping
    /// the oldest is a short move, and the ring buffer's code cost the wasm 505 B gzip.
    actions: Vec<Action>,
    session: u32,
    session_started_ms: u64,
    last_active_ms: u64,
    first_seen_ms: u64,
    cart: Vec<CartLine>,
    return_gaps_ms: Vec<u64>,
}

impl History {
    /// An empty history for a visitor seen for the first time at `now_ms`.
    pub fn new(config: HistoryConfig, now_ms: u64) -> History {
        let capacity = config.capacity.clamp(1, MAX_CAPACITY);
        History {
            config: HistoryConfig { capacity, ..config },
            actions: Vec::with_capacity(capacity),
            session: 1,
            session_started_ms: now_ms,
            last_active_ms: now_ms,
            first_seen_ms: now_ms,
            cart: Vec::new(),
            return_gaps_ms: Vec::new(),
        }
    }

    /// Rebuilds a history from storage, repairing what a hand-edited or truncated entry may
    /// hold: over-long ids are cut, empty ids dropped, extra actions trimmed, times that run
    /// backwards clamped forward.
    pub fn restore(stored: StoredHistory, config: HistoryConfig) -> Result<History, HistoryError> {
        if stored.v != HISTORY_FORMAT_VERSION {
            return Err(HistoryError::WrongVersion {
                found: stored.v,
                expected: HISTORY_FORMAT_VERSION,
            });
        }
        let mut history = History::new(config, stored.fs);
        let mut clock = 0u64;
        for mut action in stored.a {
            if action.id.is_empty() {
                continue;
            }
            truncate_id(&mut action.id);
            clock = clock.max(action.at_ms);
            action.at_ms = clock;
            history.push_action(action);
        }
        history.session = stored.s.max(1);
        history.session_started_ms = stored.ss;
        history.last_active_ms = stored.la.max(clock);
        history.first_seen_ms = stored.fs.min(history.session_started_ms);
        // In place (`retain_mut`): `into_iter().filter().map().collect()` brought the wasm
        // in-place-collect code per element type (here and for an order's items: 300 B gzip).
        history.cart = stored.c;
        history.cart.retain_mut(|line| {
            truncate_id(&mut line.id);
            line.unit_price = line.unit_price.filter(|p| p.is_finite() && *p >= 0.0);
            !line.id.is_empty() && line.quantity > 0
        });
        history.cart.truncate(MAX_CART_LINES);
        history.return_gaps_ms = stored.g;
        keep_newest(&mut history.return_gaps_ms, MAX_RETURN_GAPS);
        Ok(history)
    }

    /// `self.to_stored().to_bytes()`, without the copy.
    pub fn to_bytes(&self) -> Vec<u8> {
        write_stored(
            HISTORY_FORMAT_VERSION,
            self.actions.iter(),
            [
                self.session.into(),
                self.session_started_ms,
                self.last_active_ms,
                self.first_seen_ms,
            ],
            &self.cart,
            &self.return_gaps_ms,
        )
    }

    /// The form written to storage.
    pub fn to_stored(&self) -> StoredHistory {
        StoredHistory {
            v: HISTORY_FORMAT_VERSION,
            a: self.actions.clone(),
            s: self.session,
            ss: self.session_started_ms,
            la: self.last_active_ms,
            fs: self.first_seen_ms,
            c: self.cart.clone(),
            g: self.return_gaps_ms.clone(),
        }
    }

    /// Records an action at `now_ms`. A clock that went backwards is treated as "no time
    /// passed". Add, remove and purchase also update the cart; `unit_price` is only used by
    /// adds and ignored unless it is a finite, non-negative number.
    pub fn record(
        &mut self,
        kind: ActionKind,
        id: &str,
        quantity: u32,
        unit_price: Option<f32>,
        now_ms: u64,
    ) {
        if id.is_empty() {
            return;
        }
        let now_ms = self.touch(now_ms);
        let mut id = String::from(id);
        truncate_id(&mut id);
        match kind {
            ActionKind::AddToCart => self.add_to_cart(&id, quantity.max(1), unit_price, now_ms),
            ActionKind::RemoveFromCart => self.remove_from_cart(&id, quantity),
            ActionKind::Purchase => self.cart.retain(|line| line.id != id),
            _ => {}
        }
        self.push_action(Action {
            kind,
            id,
            at_ms: now_ms,
            session: self.session,
        });
    }

    /// Starts a new session when the shopper was idle for longer than the configured time,
    /// and returns the clamped time. Call it when a page opens even if nothing is recorded.
    pub fn touch(&mut self, now_ms: u64) -> u64 {
        let now_ms = now_ms.max(self.last_active_ms);
        let idle = now_ms - self.last_active_ms;
        if idle > self.config.session_idle_ms {
            self.session = self.session.saturating_add(1);
            self.session_started_ms = now_ms;
            self.return_gaps_ms.push(idle);
            keep_newest(&mut self.return_gaps_ms, MAX_RETURN_GAPS);
        }
        self.last_active_ms = now_ms;
        now_ms
    }

    /// Empties the cart (for example when the theme reports an order without line items).
    pub fn clear_cart(&mut self) {
        self.cart.clear();
    }

    /// Actions, oldest first.
    pub fn actions(&self) -> impl DoubleEndedIterator<Item = &Action> + ExactSizeIterator {
        self.actions.iter()
    }

    /// Number of actions kept.
    pub fn len(&self) -> usize {
        self.actions.len()
    }

    /// True when nothing was recorded yet.
    pub fn is_empty(&self) -> bool {
        self.actions.is_empty()
    }

    /// The current cart.
    pub fn cart(&self) -> &[CartLine] {
        &self.cart
    }

    /// The current session number (1 for a first visit).
    pub fn session(&self) -> u32 {
        self.session
    }

    /// When the current session started.
    pub fn session_started_ms(&self) -> u64 {
        self.session_started_ms
    }

    /// When the shopper was last active.
    pub fn last_active_ms(&self) -> u64 {
        self.last_active_ms
    }

    /// When this visitor was first seen.
    pub fn first_seen_ms(&self) -> u64 {
        self.first_seen_ms
    }

    /// Idle gaps between past sessions, newest last.
    pub fn return_gaps_ms(&self) -> &[u64] {
        &self.return_gaps_ms
    }

    fn push_action(&mut self, action: Action) {
        if self.actions.len() == self.config.capacity {
            self.actions.remove(0);
        }
        self.actions.push(action);
    }

    fn add_to_cart(&mut self, id: &str, quantity: u32, unit_price: Option<f32>, now_ms: u64) {
        let unit_price = unit_price.filter(|p| p.is_finite() && *p >= 0.0);
        if let Some(line) = self.cart.iter_mut().find(|line| line.id == id) {
            line.quantity = line.quantity.saturating_add(quantity);
            line.unit_price = unit_price.or(line.unit_price);
            line.added_at_ms = now_ms;
            return;
        }
        if self.cart.len() == MAX_CART_LINES {
            self.cart.remove(0);
        }
        self.cart.push(CartLine {
            id: String::from(id),
            quantity,
            unit_price,
            added_at_ms: now_ms,
        });
    }

    /// Removes `quantity` units, or the whole line when `quantity` is 0 or covers it.
    fn remove_from_cart(&mut self, id: &str, quantity: u32) {
        if let Some(index) = self.cart.iter().position(|line| line.id == id) {
            let line = &mut self.cart[index];
            if quantity == 0 || quantity >= line.quantity {
                self.cart.remove(index);
            } else {
                line.quantity -= quantity;
            }
        }
    }
}

/// `id` cut to [`MAX_ID_LEN`] bytes on a character boundary: the form ids take everywhere
/// aisle keeps or sends them.
pub fn clean_id(id: &str) -> String {
    let mut id = String::from(id.trim());
    truncate_id(&mut id);
    id
}

fn truncate_id(id: &mut String) {
    if id.len() > MAX_ID_LEN {
        let mut end = MAX_ID_LEN;
        while !id.is_char_boundary(end) {
            end -= 1;
        }
        id.truncate(end);
    }
}

fn keep_newest(values: &mut Vec<u64>, max: usize) {
    if values.len() > max {
        let oldest_kept = values.len() - max;
        values.copy_within(oldest_kept.., 0);
        values.truncate(max);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: u64 = 60_000;

    #[test]
    fn short_names_are_the_serde_names() {
        use ActionKind::*;
        for kind in [
            ProductView,
            GridClick,
            AddToCart,
            RemoveFromCart,
            Purchase,
            CategoryView,
        ] {
            let serde_name = serde_json::to_string(&kind).unwrap();
            assert_eq!(serde_name, format!("\"{}\"", kind.short_name()));
        }
    }

    fn history() -> History {
        History::new(HistoryConfig::default(), 1_000_000)
    }

    #[test]
    fn keeps_only_the_last_n_actions() {
        let mut h = History::new(
            HistoryConfig {
                capacity: 3,
                ..Default::default()
            },
            0,
        );
        for (i, id) in ["a", "b", "c", "d", "e"].iter().enumerate() {
            h.record(ActionKind::ProductView, id, 1, None, i as u64);
        }
        let ids: Vec<&str> = h.actions().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, ["c", "d", "e"]);
    }

    #[test]
    fn a_new_session_starts_after_thirty_idle_minutes() {
        let mut h = history();
        h.record(ActionKind::ProductView, "a", 1, None, 1_000_000);
        h.record(
            ActionKind::ProductView,
            "b",
            1,
            None,
            1_000_000 + 29 * MINUTE,
        );
        assert_eq!(h.session(), 1);
        h.record(
            ActionKind::ProductView,
            "c",
            1,
            None,
            1_000_000 + 60 * MINUTE,
        );
        assert_eq!(h.session(), 2);
        assert_eq!(h.return_gaps_ms(), &[31 * MINUTE]);
        let sessions: Vec<u32> = h.actions().map(|a| a.session).collect();
        assert_eq!(sessions, [1, 1, 2]);
    }

    #[test]
    fn a_clock_that_runs_backwards_is_clamped() {
        let mut h = history();
        h.record(ActionKind::ProductView, "a", 1, None, 2_000_000);
        h.record(ActionKind::ProductView, "b", 1, None, 1_000);
        let times: Vec<u64> = h.actions().map(|a| a.at_ms).collect();
        assert_eq!(times, [2_000_000, 2_000_000]);
        assert_eq!(h.session(), 1);
    }

    #[test]
    fn the_cart_follows_adds_removes_and_purchases() {
        let mut h = history();
        h.record(ActionKind::AddToCart, "a", 2, Some(10.0), 1_000_001);
        h.record(ActionKind::AddToCart, "b", 1, Some(f32::NAN), 1_000_002);
        h.record(ActionKind::AddToCart, "a", 1, None, 1_000_003);
        assert_eq!(h.cart()[0].quantity, 3);
        assert_eq!(h.cart()[0].unit_price, Some(10.0));
        assert_eq!(h.cart()[1].unit_price, None);
        h.record(ActionKind::RemoveFromCart, "a", 1, None, 1_000_004);
        assert_eq!(h.cart()[0].quantity, 2);
        h.record(ActionKind::RemoveFromCart, "a", 0, None, 1_000_005);
        assert_eq!(h.cart().len(), 1);
        h.record(ActionKind::Purchase, "b", 1, None, 1_000_006);
        assert!(h.cart().is_empty());
    }

    #[test]
    fn stored_form_round_trips() {
        let mut h = history();
        h.record(ActionKind::CategoryView, "shoes", 1, None, 1_000_000);
        h.record(ActionKind::AddToCart, "a", 1, Some(5.0), 1_000_100);
        let restored = History::restore(h.to_stored(), HistoryConfig::default()).unwrap();
        assert_eq!(restored, h);
    }

    #[test]
    fn binary_form_round_trips_and_rejects_damage() {
        let mut h = history();
        h.record(ActionKind::AddToCart, "a", 2, Some(5.5), 1_000_100);
        h.record(ActionKind::AddToCart, "b", 1, None, 1_000_200);
        h.touch(9_000_000);
        let bytes = h.to_stored().to_bytes();
        assert_eq!(bytes, postcard::to_allocvec(&h.to_stored()).unwrap());
        assert_eq!(h.to_bytes(), bytes);
        assert_eq!(StoredHistory::from_bytes(&bytes), Ok(h.to_stored()));
        assert_eq!(
            StoredHistory::from_bytes(&bytes[..bytes.len() - 1]),
            Err(HistoryError::Unreadable)
        );
        assert_eq!(
            StoredHistory::from_bytes(&[]),
            Err(HistoryError::Unreadable)
        );
        assert_eq!(
            StoredHistory::from_bytes(&[7, 1, 2]),
            Err(HistoryError::WrongVersion {
                found: 7,
                expected: HISTORY_FORMAT_VERSION
            })
        );
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(
            StoredHistory::from_bytes(&longer),
            Err(HistoryError::Unreadable)
        );
    }

    #[test]
    fn messages_read_as_before() {
        assert_eq!(
            HistoryError::WrongVersion {
                found: 7,
                expected: 1
            }
            .to_string(),
            "stored history has format version 7, this build reads version 1"
        );
        assert_eq!(
            HistoryError::Unreadable.to_string(),
            "stored history is unreadable"
        );
    }

    #[test]
    fn restore_rejects_other_versions() {
        let mut stored = history().to_stored();
        stored.v = 0;
        assert_eq!(
            History::restore(stored, HistoryConfig::default()),
            Err(HistoryError::WrongVersion {
                found: 0,
                expected: HISTORY_FORMAT_VERSION
            })
        );
    }

    #[test]
    fn restore_repairs_garbage() {
        let long_id = "x".repeat(500);
        let stored = StoredHistory {
            v: HISTORY_FORMAT_VERSION,
            a: (0..300)
                .map(|i| Action {
                    kind: ActionKind::ProductView,
                    id: if i % 2 == 0 {
                        String::new()
                    } else {
                        long_id.clone()
                    },
                    at_ms: 300 - i,
                    session: 1,
                })
                .collect(),
            s: 0,
            ss: 5,
            la: 0,
            fs: 10,
            c: vec![CartLine {
                id: "a".into(),
                quantity: 0,
                unit_price: None,
                added_at_ms: 0,
            }],
            g: vec![1; 40],
        };
        let h = History::restore(stored, HistoryConfig::default()).unwrap();
        assert_eq!(h.len(), 20);
        assert!(h.actions().all(|a| a.id.len() == MAX_ID_LEN));
        let times: Vec<u64> = h.actions().map(|a| a.at_ms).collect();
        assert!(times.windows(2).all(|w| w[0] <= w[1]));
        assert!(h.cart().is_empty());
        assert_eq!(h.session(), 1);
        assert_eq!(h.return_gaps_ms().len(), MAX_RETURN_GAPS);
    }

    #[test]
    fn ids_are_cut_on_a_char_boundary() {
        let mut h = history();
        let id = "é".repeat(100);
        h.record(ActionKind::ProductView, &id, 1, None, 1_000_000);
        let kept = &h.actions().next().unwrap().id;
        assert!(kept.len() <= MAX_ID_LEN && kept.chars().all(|c| c == 'é'));
    }
}
