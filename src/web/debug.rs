//! The data behind the debug view (`?aisle_debug=1`). The wasm only gathers it: each ranked
//! card with its score and rank, and the status snapshot. `www/loader/aisle-debug.js`, which
//! the loader adds in debug mode only, draws the badges and the panel with `textContent`,
//! so the shipped wasm carries no drawing code.

use wasm_bindgen::JsValue;

use super::convert::JsObject;
use super::dom::Child;

/// Name of the DOM event that hands the debug view its data: the status plus `cards`.
pub const EVENT: &str = "aisle:debug";

/// Appends one `{card, score, rank, personalized}` per product card of a ranked grid to
/// `out`: `rank` is the 1-based slot in the personalized order, `score` is absent when the
/// bundle does not know the product.
pub fn card_entries(
    products: &[&Child],
    treatment: &[usize],
    scores: &[Option<f32>],
    personalized: bool,
    out: &mut Vec<JsValue>,
) {
    let mut rank_of = vec![0u32; treatment.len()];
    for (slot, &item) in treatment.iter().enumerate() {
        rank_of[item] = slot as u32 + 1;
    }
    for (index, child) in products.iter().enumerate() {
        let Some(card) = &child.card else { continue };
        let entry = JsObject::new()
            .set("card", card.clone())
            .set_some("score", scores.get(index).copied().flatten())
            .set("rank", rank_of[index])
            .set("personalized", personalized);
        out.push(entry.into_js());
    }
}
