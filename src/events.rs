//! The event schema (version [`EVENT_SCHEMA_VERSION`]): what the plugin emits, what
//! `aisle collect` stores, what `aisle build` learns from and what `aisle report` reads.
//!
//! One event is one JSON object: common fields plus a `type` and its own fields.
//! `{"v":1,"id":"…","ts":1700000000000,"visitor":"…","session":"…","type":"product_view","product":"123"}`
//!
//! Versioning: a new `type` (or a new optional field) is added without changing `v`, so every
//! log written before it still reads; a reader older than the type counts such a line as
//! malformed and goes on. `v` changes only when an existing field changes meaning.
#![forbid(unsafe_code)]

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

/// The schema version written in every event's `v`.
pub const EVENT_SCHEMA_VERSION: u32 = 1;

/// One event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Schema version.
    pub v: u32,
    /// Unique id, so duplicates can be dropped.
    pub id: String,
    /// When it happened on the device, ms since the Unix epoch.
    pub ts: u64,
    /// First-party visitor id.
    pub visitor: String,
    /// Session id (the visitor's session number, or a dataset's session id).
    pub session: String,
    /// The visitor's arm in each running experiment, experiment key to arm key.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub arms: BTreeMap<String, String>,
    /// What happened.
    #[serde(flatten)]
    pub body: EventBody,
}

/// One purchased product.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LineItem {
    /// Product id.
    pub product: String,
    /// Units bought.
    #[serde(default = "one")]
    pub quantity: u32,
    /// Unit price, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price: Option<f64>,
}

fn one() -> u32 {
    1
}

/// What happened, by `type`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventBody {
    /// A product page was opened.
    ProductView {
        /// Product id.
        product: String,
    },
    /// A category page was opened.
    CategoryView {
        /// Category id as the catalog names it.
        category: String,
    },
    /// A product in a grid was clicked.
    GridClick {
        /// Product id.
        product: String,
        /// Zero-based position in the grid as shown.
        position: u32,
    },
    /// A product was added to the cart.
    AddToCart {
        /// Product id.
        product: String,
        /// Units added.
        #[serde(default = "one")]
        quantity: u32,
        /// Unit price, when the theme reports it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        price: Option<f64>,
    },
    /// A product was removed from the cart (quantity 0: the whole line).
    RemoveFromCart {
        /// Product id.
        product: String,
        /// Units removed.
        #[serde(default)]
        quantity: u32,
    },
    /// The shopper started checkout with these products in the cart (GA4's
    /// `begin_checkout`; added to schema v1 without a version change, see the module docs).
    BeginCheckout {
        /// Cart total, when known.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        value: Option<f64>,
        /// ISO 4217 currency of `value`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        currency: Option<String>,
        /// Products in the cart.
        #[serde(default)]
        items: Vec<LineItem>,
    },
    /// An order was placed.
    Purchase {
        /// The shop's order id.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        order_id: Option<String>,
        /// Order total, when known.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        revenue: Option<f64>,
        /// ISO 4217 currency of `revenue`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        currency: Option<String>,
        /// Products bought.
        #[serde(default)]
        items: Vec<LineItem>,
    },
    /// A grid was rendered in an experiment arm.
    Exposure {
        /// Experiment key.
        experiment: String,
        /// Arm actually shown.
        arm: String,
        /// Model version of the bundle used.
        bundle_version: String,
        /// Which grid (page path and grid index).
        grid: String,
        /// Product ids in the order shown.
        shown: Vec<String>,
        /// In the control arm: the order the treatment would have shown.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        treatment: Option<Vec<String>>,
        /// True when the personalized order differs from the shop's.
        changed: bool,
    },
    /// The cart-abandon risk was scored.
    AbandonScore {
        /// Probability that the cart is abandoned.
        score: f64,
        /// Names of the features that pushed the score most.
        reasons: Vec<String>,
        /// Suggested wait before a nudge.
        nudge_delay_ms: u64,
    },
    /// Something failed; the shop's order was kept.
    Error {
        /// Stable machine-readable code, for example `bundle_checksum`.
        code: String,
        /// Human-readable detail.
        message: String,
    },
}

impl EventBody {
    /// The `type` tag.
    pub fn type_name(&self) -> &'static str {
        match self {
            EventBody::ProductView { .. } => "product_view",
            EventBody::CategoryView { .. } => "category_view",
            EventBody::GridClick { .. } => "grid_click",
            EventBody::AddToCart { .. } => "add_to_cart",
            EventBody::RemoveFromCart { .. } => "remove_from_cart",
            EventBody::BeginCheckout { .. } => "begin_checkout",
            EventBody::Purchase { .. } => "purchase",
            EventBody::Exposure { .. } => "exposure",
            EventBody::AbandonScore { .. } => "abandon_score",
            EventBody::Error { .. } => "error",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(json: &str, expected: EventBody) {
        let event: Event = serde_json::from_str(json).unwrap();
        assert_eq!(event.body, expected);
        let again: Event = serde_json::from_str(&serde_json::to_string(&event).unwrap()).unwrap();
        assert_eq!(again, event);
    }

    const HEAD: &str = r#""v":1,"id":"e1","ts":5,"visitor":"v","session":"1""#;

    #[test]
    fn events_parse_and_round_trip() {
        check(
            &format!(r#"{{{HEAD},"type":"product_view","product":"p1"}}"#),
            EventBody::ProductView {
                product: "p1".into(),
            },
        );
        check(
            &format!(r#"{{{HEAD},"type":"add_to_cart","product":"p1"}}"#),
            EventBody::AddToCart {
                product: "p1".into(),
                quantity: 1,
                price: None,
            },
        );
        check(
            &format!(
                r#"{{{HEAD},"type":"purchase","order_id":"o1","revenue":9.5,"currency":"EUR","items":[{{"product":"p1"}}]}}"#
            ),
            EventBody::Purchase {
                order_id: Some("o1".into()),
                revenue: Some(9.5),
                currency: Some("EUR".into()),
                items: vec![LineItem {
                    product: "p1".into(),
                    quantity: 1,
                    price: None,
                }],
            },
        );
    }

    #[test]
    fn begin_checkout_parses_beside_older_lines() {
        check(
            &format!(
                r#"{{{HEAD},"type":"begin_checkout","value":19.0,"currency":"EUR","items":[{{"product":"p1","quantity":2,"price":9.5}}]}}"#
            ),
            EventBody::BeginCheckout {
                value: Some(19.0),
                currency: Some("EUR".into()),
                items: vec![LineItem {
                    product: "p1".into(),
                    quantity: 2,
                    price: Some(9.5),
                }],
            },
        );
        // A line written before the type existed still reads with the same `v`.
        check(
            &format!(r#"{{{HEAD},"type":"remove_from_cart","product":"p1"}}"#),
            EventBody::RemoveFromCart {
                product: "p1".into(),
                quantity: 0,
            },
        );
    }

    #[test]
    fn unknown_types_are_errors() {
        assert!(
            serde_json::from_str::<Event>(&format!(r#"{{{HEAD},"type":"teleport"}}"#)).is_err()
        );
        assert!(serde_json::from_str::<Event>(r#"{"type":"product_view","product":"p"}"#).is_err());
    }
}
