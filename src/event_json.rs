//! An [`Event`] in its one JSON shape, written without serde's serializer (its `flatten` and
//! internally tagged enum cost the wasm several KB; see docs/performance.md). What it writes
//! is what `serde_json` reads back into the same `Event`: the native tests check that for every
//! variant, and `tests/vectors/events.json` pins the exact text both here and in the browser.
#![forbid(unsafe_code)]

use crate::events::{Event, EventBody, LineItem};
use alloc::string::String;

use crate::json::Json;

/// An event's common fields, borrowed: what [`write_event_parts`] writes before `arms`.
pub struct EventHead<'a> {
    /// Schema version.
    pub v: u32,
    /// Unique id.
    pub id: &'a str,
    /// Device time, ms since the Unix epoch.
    pub ts: u64,
    /// First-party visitor id.
    pub visitor: &'a str,
    /// Session id.
    pub session: &'a str,
}

/// Appends `event` as one JSON object: the common fields, `arms` when not empty, `type`,
/// then the body's fields in the schema's order; absent options are left out.
pub fn write_event(json: &mut Json, event: &Event) {
    let head = EventHead {
        v: event.v,
        id: &event.id,
        ts: event.ts,
        visitor: &event.visitor,
        session: &event.session,
    };
    write_event_parts(json, &head, event.arms.iter(), &event.body);
}

/// [`write_event`] from the event's parts, `arms` in experiment-key order, each key once (as
/// `Event::arms` iterates). The page writes its events from these, with its arms as a sorted
/// list (`Decision::event_arm_list`): building an `Event` would bring the `BTreeMap`'s code
/// into the wasm (2,506 B gzip, docs/performance.md "Issue 12, branch `slim`").
pub fn write_event_parts<'a>(
    json: &mut Json,
    head: &EventHead,
    arms: impl ExactSizeIterator<Item = (&'a String, &'a String)>,
    body: &EventBody,
) {
    json.open_object()
        .field_uint("v", u64::from(head.v))
        .field_str("id", head.id)
        .field_uint("ts", head.ts)
        .field_str("visitor", head.visitor)
        .field_str("session", head.session);
    if arms.len() > 0 {
        json.key("arms").open_object();
        for (experiment, arm) in arms {
            json.field_str(experiment, arm);
        }
        json.close_object();
    }
    json.field_str("type", body.type_name());
    write_body(json, body);
    json.close_object();
}

fn write_body(json: &mut Json, body: &EventBody) {
    match body {
        EventBody::ProductView { product } => {
            json.field_str("product", product);
        }
        EventBody::CategoryView { category } => {
            json.field_str("category", category);
        }
        EventBody::GridClick { product, position } => {
            json.field_str("product", product)
                .field_uint("position", u64::from(*position));
        }
        EventBody::AddToCart {
            product,
            quantity,
            price,
        } => {
            json.field_str("product", product)
                .field_uint("quantity", u64::from(*quantity));
            optional_number(json, "price", *price);
        }
        EventBody::RemoveFromCart { product, quantity } => {
            json.field_str("product", product)
                .field_uint("quantity", u64::from(*quantity));
        }
        EventBody::Purchase {
            order_id,
            revenue,
            currency,
            items,
        } => {
            if let Some(order_id) = order_id {
                json.field_str("order_id", order_id);
            }
            optional_number(json, "revenue", *revenue);
            if let Some(currency) = currency {
                json.field_str("currency", currency);
            }
            write_line_items(json, items);
        }
        EventBody::BeginCheckout {
            value,
            currency,
            items,
        } => {
            optional_number(json, "value", *value);
            if let Some(currency) = currency {
                json.field_str("currency", currency);
            }
            write_line_items(json, items);
        }
        EventBody::Exposure {
            experiment,
            arm,
            bundle_version,
            grid,
            shown,
            treatment,
            changed,
        } => {
            json.field_str("experiment", experiment)
                .field_str("arm", arm)
                .field_str("bundle_version", bundle_version)
                .field_str("grid", grid)
                .field_strings("shown", shown);
            if let Some(treatment) = treatment {
                json.field_strings("treatment", treatment);
            }
            json.field_bool("changed", *changed);
        }
        EventBody::AbandonScore {
            score,
            reasons,
            nudge_delay_ms,
        } => {
            json.field_number("score", *score)
                .field_strings("reasons", reasons)
                .field_uint("nudge_delay_ms", *nudge_delay_ms);
        }
        EventBody::Error { code, message } => {
            json.field_str("code", code).field_str("message", message);
        }
    }
}

fn write_line_items(json: &mut Json, items: &[LineItem]) {
    json.key("items").open_array();
    for item in items {
        write_line_item(json, item);
    }
    json.close_array();
}

fn write_line_item(json: &mut Json, item: &LineItem) {
    json.open_object()
        .field_str("product", &item.product)
        .field_uint("quantity", u64::from(item.quantity));
    optional_number(json, "price", item.price);
    json.close_object();
}

fn optional_number(json: &mut Json, key: &str, value: Option<f64>) {
    if let Some(value) = value.filter(|v| v.is_finite()) {
        json.field_number(key, value);
    }
}
