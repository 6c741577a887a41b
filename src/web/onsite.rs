//! On-site actions a shop without an email tool can switch on: today, showing the merchant's
//! own `[data-aisle-abandon]` elements (a reminder, a coupon) when the cart looks at risk.

use wasm_bindgen::JsCast;
use web_sys::Element;

/// The on-site abandon action: shows or hides every `[data-aisle-abandon]` element of the
/// merchant's (by the `hidden` attribute only; its content is the merchant's).
pub fn show_abandon_elements(show: bool) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Ok(list) = document.query_selector_all("[data-aisle-abandon]") else {
        return;
    };
    for index in 0..list.length() {
        if let Some(element) = list.item(index).and_then(|n| n.dyn_into::<Element>().ok()) {
            let _ = if show {
                element.remove_attribute("hidden")
            } else {
                element.set_attribute("hidden", "")
            };
        }
    }
}
