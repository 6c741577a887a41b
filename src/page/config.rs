//! What the loader tells the page session at start: the script tag's settings and what only
//! the browser knows (the visitor id it keeps, a random nonce, the path, the time zone). One
//! JSON object; a missing field takes its default, and unreadable JSON means all defaults
//! (the loader writes it, so that is a bug, not a page's input).
#![forbid(unsafe_code)]

use alloc::string::String;

use crate::json_read::Value;

/// The loader's start settings (`www/loader/engine.js` `startEngine`).
#[derive(Clone, Debug, Default)]
pub struct PageConfig {
    /// On a product page: the product shown.
    pub product: Option<String>,
    /// On a category page: the category shown.
    pub category: Option<String>,
    /// How many actions to keep ([`crate::defaults::HISTORY_SIZE`] when absent).
    pub history_size: Option<usize>,
    /// QA override of the arm (`?aisle_arm=`).
    pub arm: Option<String>,
    /// Show `[data-aisle-abandon]` elements when the abandon risk reaches this (off when None).
    pub abandon_threshold: Option<f64>,
    /// Why `data-item-id-pattern` did not compile (the loader then ranks nothing).
    pub item_id_pattern_error: Option<String>,
    /// The visitor id the loader keeps in storage (a new one is random).
    pub visitor: String,
    /// Random hex from the browser's `crypto`, new on every page: the prefix of this page's
    /// event ids (a counter follows it).
    pub nonce: String,
    /// `location.pathname`, for the exposure's grid key.
    pub path: String,
    /// `Date.getTimezoneOffset()`: minutes to add to local time to get UTC.
    pub tz_offset: f64,
}

impl PageConfig {
    /// The settings in `value`, camelCase keys as above; a missing or mistyped field (or
    /// anything but an object) takes its default. Read field by field, not by a serde derive:
    /// this object is the loader's own, and the derive cost the wasm 2 KB gzip.
    pub fn from_value(value: &Value) -> PageConfig {
        let text = |key: &str| {
            value
                .get(key)
                .and_then(Value::as_str)
                .filter(|t| !t.is_empty())
                .map(String::from)
        };
        let number = |key: &str| value.get(key).and_then(Value::as_f64);
        PageConfig {
            product: text("product"),
            category: text("category"),
            history_size: number("historySize")
                .filter(|n| *n >= 1.0)
                .map(|n| n as usize),
            arm: text("arm"),
            abandon_threshold: number("abandonThreshold").filter(|t| (0.0..=1.0).contains(t)),
            item_id_pattern_error: text("itemIdPatternError"),
            visitor: text("visitor").unwrap_or_default(),
            nonce: text("nonce").unwrap_or_default(),
            path: text("path").unwrap_or_default(),
            tz_offset: number("tzOffset").unwrap_or(0.0),
        }
    }
}
