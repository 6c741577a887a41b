//! The data behind the debug view (`?aisle_debug=1`). The wasm only gathers it: each ranked
//! card with its score and rank, and the status snapshot. `www/loader/aisle-debug.js`, which
//! the loader adds in debug mode only, draws the badges and the panel with `textContent`,
//! so the shipped wasm carries no drawing code.

use wasm_bindgen::JsValue;

use super::convert::JsObject;

/// Name of the DOM event that hands the debug view its data: the status plus `cards`.
pub const EVENT: &str = "aisle:debug";

/// Appends one `{card, score, rank, personalized}` per product card of a ranked grid
/// (`cards`, in the shop's order, as the loader found them) to `out`: `rank` is the 1-based
/// slot in the personalized order, `score` is absent when the bundle does not know the
/// product.
pub fn card_entries(
    cards: &js_sys::Array,
    treatment: &[usize],
    scores: &[Option<f32>],
    personalized: bool,
    out: &mut Vec<JsValue>,
) {
    let mut rank_of = vec![0u32; treatment.len()];
    for (slot, &item) in treatment.iter().enumerate() {
        rank_of[item] = slot as u32 + 1;
    }
    for (index, card) in cards.iter().enumerate().take(rank_of.len()) {
        let entry = JsObject::new()
            .set("card", card)
            .set_some("score", scores.get(index).copied().flatten())
            .set("rank", rank_of[index])
            .set("personalized", personalized);
        out.push(entry.into_js());
    }
}
