//! Converting between core types and plain JS values by hand. A generic serializer
//! (serde-wasm-bindgen) cost more wasm than the whole core; these few shapes are all we need.
//! Reading is lenient: a missing or mistyped field is `None`, and the caller decides.

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use crate::events::{EventBody, LineItem, EVENT_SCHEMA_VERSION};
use crate::history::StoredHistory;
use crate::manifest::{ArmConfig, ExperimentConfig, Manifest, NamespaceRange};

/// A plain JS object under construction.
#[derive(Default)]
pub struct JsObject(Object);

impl JsObject {
    /// `{}`.
    pub fn new() -> JsObject {
        JsObject(Object::new())
    }

    /// Sets `key` to any value.
    pub fn set(self, key: &str, value: impl Into<JsValue>) -> JsObject {
        self.set_value(key, value.into())
    }

    /// The one copy of the setter: kept out of line, since the objects aisle builds have
    /// dozens of fields and an inlined copy per field costs the wasm kilobytes.
    #[inline(never)]
    fn set_value(self, key: &str, value: JsValue) -> JsObject {
        let _ = Reflect::set(&self.0, &JsValue::from_str(key), &value);
        self
    }

    /// Sets `key` when `value` is `Some`.
    pub fn set_some<V: Into<JsValue>>(self, key: &str, value: Option<V>) -> JsObject {
        match value {
            Some(value) => self.set(key, value),
            None => self,
        }
    }

    /// The finished value.
    pub fn into_js(self) -> JsValue {
        self.0.into()
    }
}

/// A JS array of strings.
pub fn string_array(values: &[String]) -> JsValue {
    values
        .iter()
        .map(|v| JsValue::from_str(v))
        .collect::<Array>()
        .into()
}

/// `value[key]`, when `value` is an object that has it.
pub fn field(value: &JsValue, key: &str) -> Option<JsValue> {
    if !value.is_object() {
        return None;
    }
    Reflect::get(value, &JsValue::from_str(key))
        .ok()
        .filter(|v| !v.is_undefined() && !v.is_null())
}

/// A string field (numbers are accepted and written in decimal by JS: Shopify ids are numbers).
pub fn string_field(value: &JsValue, key: &str) -> Option<String> {
    let v = field(value, key)?;
    if let Some(text) = v.as_string() {
        return Some(text);
    }
    let number = v.as_f64().filter(|n| n.is_finite())?;
    js_sys::Number::from(number)
        .to_string_with_radix(10)
        .ok()
        .map(String::from)
}

/// A field that must be a string (the manifest's names and URLs): anything else is absent.
pub fn text_field(value: &JsValue, key: &str) -> Option<String> {
    field(value, key)?.as_string()
}

/// A finite number field.
pub fn number_field(value: &JsValue, key: &str) -> Option<f64> {
    field(value, key)?.as_f64().filter(|n| n.is_finite())
}

/// A boolean field.
pub fn bool_field(value: &JsValue, key: &str) -> Option<bool> {
    field(value, key)?.as_bool()
}

/// The elements of an array field.
pub fn array_field(value: &JsValue, key: &str) -> Vec<JsValue> {
    field(value, key)
        .and_then(|v| v.dyn_into::<Array>().ok())
        .map(|a| a.iter().collect())
        .unwrap_or_default()
}

/// Reads `manifest.json` (already parsed by the browser). Errors name the field.
pub fn manifest_from_js(value: &JsValue) -> Result<Manifest, &'static str> {
    if !value.is_object() {
        return Err("manifest is not a JSON object");
    }
    let manifest_version =
        number_field(value, "manifest_version").ok_or("manifest_version is missing")? as u32;
    let kill_switch = bool_field(value, "kill_switch").unwrap_or(false);
    let bundle = text_field(value, "bundle").unwrap_or_default();
    if bundle.is_empty() && !kill_switch {
        return Err("bundle is missing");
    }
    // A manifest without `experiments` runs the default 50/50 holdout; `[]` runs none.
    let experiments = match field(value, "experiments") {
        None => vec![crate::manifest::default_experiment()],
        Some(_) => {
            let mut experiments = Vec::new();
            for experiment in array_field(value, "experiments") {
                experiments.push(experiment_from_js(&experiment)?);
            }
            experiments
        }
    };
    Ok(Manifest {
        manifest_version,
        bundle,
        model_version: text_field(value, "model_version").unwrap_or_default(),
        kill_switch,
        experiments,
    })
}

fn experiment_from_js(value: &JsValue) -> Result<ExperimentConfig, &'static str> {
    let key = text_field(value, "key").ok_or("experiments[].key is missing")?;
    let mut arms = Vec::new();
    for arm in array_field(value, "arms") {
        arms.push(ArmConfig {
            key: text_field(&arm, "key").ok_or("experiments[].arms[].key is missing")?,
            weight: number_field(&arm, "weight").ok_or("experiments[].arms[].weight is missing")?,
            personalized: bool_field(&arm, "personalized").unwrap_or(false),
        });
    }
    if arms.is_empty() {
        return Err("experiments[].arms is empty");
    }
    let namespace = field(value, "namespace").map(|ns| NamespaceRange {
        id: text_field(&ns, "id").unwrap_or_default(),
        start: number_field(&ns, "start").unwrap_or(0.0),
        end: number_field(&ns, "end").unwrap_or(1.0),
    });
    let experiment = ExperimentConfig {
        key,
        seed: text_field(value, "seed"),
        hash_version: number_field(value, "hash_version")
            .map(|v| v as u32)
            .unwrap_or(2),
        coverage: number_field(value, "coverage").unwrap_or(1.0),
        arms,
        namespace,
        personalize_outside: bool_field(value, "personalize_outside").unwrap_or(false),
    };
    experiment
        .validate()
        .map_err(|_| "experiments[] is not valid (see docs/ab-testing.md)")?;
    Ok(experiment)
}

/// The history as a readable object (`{v, a: [{k, i, t, s}], s, ss, la, fs, c: [...], g}`).
pub fn history_to_js(stored: &StoredHistory) -> JsValue {
    let actions: Array = stored
        .a
        .iter()
        .map(|a| {
            let kind = match a.kind {
                crate::history::ActionKind::ProductView => "v",
                crate::history::ActionKind::GridClick => "c",
                crate::history::ActionKind::AddToCart => "a",
                crate::history::ActionKind::RemoveFromCart => "r",
                crate::history::ActionKind::Purchase => "p",
                crate::history::ActionKind::CategoryView => "g",
            };
            JsObject::new()
                .set("k", kind)
                .set("i", a.id.as_str())
                .set("t", a.at_ms as f64)
                .set("s", a.session)
                .into_js()
        })
        .collect();
    let cart: Array = stored
        .c
        .iter()
        .map(|line| {
            JsObject::new()
                .set("i", line.id.as_str())
                .set("q", line.quantity)
                .set_some("p", line.unit_price)
                .set("t", line.added_at_ms as f64)
                .into_js()
        })
        .collect();
    let gaps: Array = stored
        .g
        .iter()
        .map(|&g| JsValue::from_f64(g as f64))
        .collect();
    JsObject::new()
        .set("v", stored.v)
        .set("a", actions)
        .set("s", stored.s)
        .set("ss", stored.ss as f64)
        .set("la", stored.la as f64)
        .set("fs", stored.fs as f64)
        .set("c", cart)
        .set("g", gaps)
        .into_js()
}

/// The fields every event carries besides its body (see [`crate::events::Event`]).
pub struct EventHead<'a> {
    /// Unique id.
    pub id: &'a str,
    /// When, ms since the Unix epoch.
    pub ts: u64,
    /// Visitor id.
    pub visitor: &'a str,
    /// Session number, in decimal.
    pub session: &'a str,
    /// Experiment key to arm key, sorted by experiment key (omitted when empty).
    pub arms: &'a [(String, String)],
}

/// One event in the schema's JSON shape (see `crate::events`).
pub fn event_to_js(head: &EventHead, body: &EventBody) -> JsValue {
    let object = JsObject::new()
        .set("v", EVENT_SCHEMA_VERSION)
        .set("id", head.id)
        .set("ts", head.ts as f64)
        .set("visitor", head.visitor)
        .set("session", head.session);
    let object = if head.arms.is_empty() {
        object
    } else {
        let mut arms = JsObject::new();
        for (experiment, arm) in head.arms {
            arms = arms.set(experiment, arm.as_str());
        }
        object.set("arms", arms.into_js())
    };
    body_fields(object.set("type", body.type_name()), body).into_js()
}

fn body_fields(object: JsObject, body: &EventBody) -> JsObject {
    match body {
        EventBody::ProductView { product } => object.set("product", product.as_str()),
        EventBody::CategoryView { category } => object.set("category", category.as_str()),
        EventBody::GridClick { product, position } => object
            .set("product", product.as_str())
            .set("position", *position),
        EventBody::AddToCart {
            product,
            quantity,
            price,
        } => object
            .set("product", product.as_str())
            .set("quantity", *quantity)
            .set_some("price", *price),
        EventBody::RemoveFromCart { product, quantity } => object
            .set("product", product.as_str())
            .set("quantity", *quantity),
        // Not emitted by the browser (the loader does not see checkout); converted so that
        // every schema event has one JS shape.
        EventBody::BeginCheckout {
            value,
            currency,
            items,
        } => object
            .set_some("value", *value)
            .set_some("currency", currency.as_deref())
            .set(
                "items",
                items.iter().map(line_item_to_js).collect::<Array>(),
            ),
        EventBody::Purchase {
            order_id,
            revenue,
            currency,
            items,
        } => object
            .set_some("order_id", order_id.as_deref())
            .set_some("revenue", *revenue)
            .set_some("currency", currency.as_deref())
            .set(
                "items",
                items.iter().map(line_item_to_js).collect::<Array>(),
            ),
        EventBody::Exposure {
            experiment,
            arm,
            bundle_version,
            grid,
            shown,
            treatment,
            changed,
        } => object
            .set("experiment", experiment.as_str())
            .set("arm", arm.as_str())
            .set("bundle_version", bundle_version.as_str())
            .set("grid", grid.as_str())
            .set("shown", string_array(shown))
            .set_some("treatment", treatment.as_deref().map(string_array))
            .set("changed", *changed),
        EventBody::AbandonScore {
            score,
            reasons,
            nudge_delay_ms,
        } => object
            .set("score", *score)
            .set("reasons", string_array(reasons))
            .set("nudge_delay_ms", *nudge_delay_ms as f64),
        EventBody::Error { code, message } => object
            .set("code", code.as_str())
            .set("message", message.as_str()),
    }
}

fn line_item_to_js(item: &LineItem) -> JsValue {
    JsObject::new()
        .set("product", item.product.as_str())
        .set("quantity", item.quantity)
        .set_some("price", item.price)
        .into_js()
}
