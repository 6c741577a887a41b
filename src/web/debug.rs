//! The data behind the debug view (`?aisle_debug=1`). The wasm only gathers it: each ranked
//! card with its score and rank, and the status snapshot. `www/loader/aisle-debug.js`, which
//! the loader adds in debug mode only, draws the badges and the panel with `textContent`,
//! so the shipped wasm carries no drawing code.

use wasm_bindgen::JsValue;

use crate::bundle::Model;

use super::convert::JsObject;

/// How many distinct ids not in the bundle the install check names.
const UNRECOGNISED_SHOWN: usize = 5;

/// What the loader read of the page for the install check (`www/loader/grids.js`
/// `installReading`): grids and cards the selectors find, and the ids the cards hold.
#[derive(Clone, Debug, Default)]
pub struct InstallReading {
    /// Elements matching `data-grid`.
    pub grids: u32,
    /// Cards matching `data-item` inside them.
    pub cards: u32,
    /// The product ids read from those cards, in page order.
    pub ids: Vec<String>,
}

/// The install check (`status().install`): how many grids and cards the selectors find, how
/// many cards hold an id, how many of those ids the bundle knows (`recognised`, once a bundle
/// is loaded), and the first few it does not, so a wrong selector or id attribute shows at
/// once.
pub fn install_check(reading: &InstallReading, model: Option<&Model>) -> JsObject {
    let mut recognised = 0u32;
    let mut unrecognised: Vec<String> = Vec::new();
    for id in &reading.ids {
        match model.map(|m| m.index_of(id).is_some()) {
            Some(true) => recognised += 1,
            Some(false)
                if unrecognised.len() < UNRECOGNISED_SHOWN && !unrecognised.contains(id) =>
            {
                unrecognised.push(id.clone())
            }
            _ => {}
        }
    }
    JsObject::new()
        .set("grids", reading.grids)
        .set("cards", reading.cards)
        .set("ids", reading.ids.len() as u32)
        .set_some("recognised", model.map(|_| recognised))
        .set("unrecognised", super::convert::string_array(&unrecognised))
}

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
