//! Telling the page what aisle did: `CustomEvent`s on `document` (names start with `aisle:`)
//! that a theme can listen to. Values cross as plain JSON-compatible objects.

use serde::Serialize;
use wasm_bindgen::JsValue;

/// Converts a Rust value into a plain JS object (maps become objects, not `Map`s).
pub fn to_js<T: Serialize + ?Sized>(value: &T) -> JsValue {
    value.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).unwrap_or(JsValue::NULL)
}

/// Dispatches `name` on `document` with `detail`. Listener errors stay the listener's.
pub fn dispatch(name: &str, detail: &JsValue) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    let init = web_sys::CustomEventInit::new();
    init.set_detail(detail);
    if let Ok(event) = web_sys::CustomEvent::new_with_event_init_dict(name, &init) {
        let _ = document.dispatch_event(&event);
    }
}
