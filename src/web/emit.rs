//! Telling the page what aisle did: `CustomEvent`s on `document` (names start with `aisle:`)
//! that a theme can listen to. Details are plain objects built by `convert`.

use wasm_bindgen::JsValue;

/// Dispatches `name` on `document` with `detail`. Listener errors stay the listener's.
pub fn dispatch(name: &str, detail: &JsValue) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let init = web_sys::CustomEventInit::new();
    init.set_detail(detail);
    if let Ok(event) = web_sys::CustomEvent::new_with_event_init_dict(name, &init) {
        let _ = document.dispatch_event(&event);
    }
}
