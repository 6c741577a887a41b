//! An [`Event`] in its one JSON shape, written without serde's serializer (its `flatten` and
//! internally tagged enum cost the wasm several KB; see docs/performance.md). What it writes
//! is what `serde_json` reads back into the same `Event`: the native tests check that for every
//! variant, and `tests/vectors/events.json` pins the exact text both here and in the browser.
#![forbid(unsafe_code)]

use crate::events::{Event, EventBody, LineItem};
use crate::json::Json;

/// Appends `event` as one JSON object: the common fields, `arms` when not empty, `type`,
/// then the body's fields in the schema's order; absent options are left out.
pub fn write_event(json: &mut Json, event: &Event) {
    json.open_object()
        .field_uint("v", u64::from(event.v))
        .field_str("id", &event.id)
        .field_uint("ts", event.ts)
        .field_str("visitor", &event.visitor)
        .field_str("session", &event.session);
    if !event.arms.is_empty() {
        json.key("arms").open_object();
        for (experiment, arm) in &event.arms {
            json.field_str(experiment, arm);
        }
        json.close_object();
    }
    json.field_str("type", event.body.type_name());
    write_body(json, &event.body);
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
