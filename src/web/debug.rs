//! The debug view (`?aisle_debug=1`) and the status snapshot behind it: each card's score,
//! the history, the bundle version and the arm. Written with `textContent` only.

use wasm_bindgen::JsCast;
use web_sys::Element;

use super::dom::Child;
use crate::text::{concat, decimal};

/// Class of the score badge added to each card in debug mode.
pub const SCORE_CLASS: &str = "aisle-debug-score";
const SCORE_SELECTOR: &str = ".aisle-debug-score";

/// Puts a badge with the score and the personalized rank on every product card.
pub fn mark_scores(products: &[&Child], treatment: &[usize], scores: &[Option<f32>], personalized: bool) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    let mut rank_of = vec![0usize; treatment.len()];
    for (slot, &item) in treatment.iter().enumerate() {
        rank_of[item] = slot;
    }
    for (index, child) in products.iter().enumerate() {
        let Some(card) = &child.card else { continue };
        let text = match scores.get(index).copied().flatten() {
            Some(score) => concat(&[
                "aisle ",
                &fixed(f64::from(score), 3),
                " · rank ",
                &decimal(rank_of[index] as u64 + 1),
                if personalized { "" } else { " (holdout)" },
            ]),
            None => String::from("aisle: not in bundle"),
        };
        let badge = match card.query_selector(SCORE_SELECTOR).ok().flatten() {
            Some(badge) => badge,
            None => match document.create_element("small") {
                Ok(badge) => {
                    badge.set_class_name(SCORE_CLASS);
                    let _ = card.append_child(&badge);
                    badge
                }
                Err(_) => continue,
            },
        };
        badge.set_text_content(Some(&text));
    }
}

/// Shows (or refreshes) the fixed debug panel with the status as readable text.
pub fn show_panel(lines: &[String]) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    let Some(body) = document.body() else { return };
    let panel: Element = match document.get_element_by_id("aisle-debug") {
        Some(panel) => panel,
        None => {
            let Ok(panel) = document.create_element("pre") else { return };
            panel.set_id("aisle-debug");
            if let Some(style) = panel.dyn_ref::<web_sys::HtmlElement>().map(|p| p.style()) {
                for (name, value) in [
                    ("position", "fixed"), ("right", "8px"), ("bottom", "8px"), ("max-width", "420px"),
                    ("max-height", "45vh"), ("overflow", "auto"), ("background", "rgba(20,20,20,.92)"),
                    ("color", "#e8e8e8"), ("font", "12px/1.4 ui-monospace,monospace"), ("padding", "10px"),
                    ("border-radius", "6px"), ("z-index", "2147483647"), ("white-space", "pre-wrap"),
                ] {
                    let _ = style.set_property(name, value);
                }
            }
            let _ = body.append_child(&panel);
            panel
        }
    };
    panel.set_text_content(Some(&lines.join("\n")));
}

/// `value` with `digits` decimals, formatted by JS (`toFixed`) so the wasm carries no float
/// formatting code.
pub fn fixed(value: f64, digits: u8) -> String {
    js_sys::Number::from(value).to_fixed(digits).map(String::from).unwrap_or_default()
}
