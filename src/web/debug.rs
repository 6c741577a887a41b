//! The debug view (`?aisle_debug=1`) and the status snapshot behind it: each card's score,
//! the history, the bundle version and the arm. Written with `textContent` only.

use serde::Serialize;
use wasm_bindgen::JsCast;
use web_sys::Element;

use crate::history::StoredHistory;

use super::dom::Child;

/// What `aisle.status()` returns.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Status {
    pub model_version: Option<String>,
    pub products_in_bundle: usize,
    pub experiment: String,
    pub arm: String,
    pub visitor: String,
    pub storage_memory_only: bool,
    pub grids_ranked: u32,
    pub first_reorder_ms: Option<f64>,
    pub errors: Vec<String>,
    pub history: StoredHistory,
}

/// The detail of `aisle:reordered`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Reordered {
    pub grids: u32,
    pub ms: f64,
    pub arm: String,
    pub personalized: bool,
}

/// Class of the score badge added to each card in debug mode.
pub const SCORE_CLASS: &str = "aisle-debug-score";

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
            Some(score) => format!("aisle {:.3} · rank {}{}", score, rank_of[index] + 1, if personalized { "" } else { " (holdout)" }),
            None => "aisle: not in bundle".to_string(),
        };
        let badge = match card.query_selector(&format!(".{SCORE_CLASS}")).ok().flatten() {
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
