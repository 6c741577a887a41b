//! The data behind the debug view (`?aisle_debug=1`). The wasm only gathers it: each ranked
//! card with its score and rank, and the status snapshot. `www/loader/aisle-debug.js`, which
//! the loader adds in debug mode only, draws the badges and the panel with `textContent`,
//! so the shipped wasm carries no drawing code.

use wasm_bindgen::JsValue;

use crate::bundle::Model;

use super::convert::JsObject;
use super::dom::{self, Child, Selectors};

/// How many distinct ids not in the bundle the install check names.
const UNRECOGNISED_SHOWN: usize = 5;

/// The install check (`status().install`), read from the page as it is now: how many grids
/// and cards the selectors find, how many cards hold an id, how many of those ids the bundle
/// knows (`recognised`, once a bundle is loaded), and the first few it does not, so a wrong
/// selector or id attribute shows at once.
pub fn install_check(selectors: &Selectors, model: Option<&Model>) -> JsObject {
    let grids = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| dom::find_grids(&d, selectors).ok())
        .unwrap_or_default();
    let (mut cards, mut ids, mut recognised) = (0u32, 0u32, 0u32);
    let mut unrecognised: Vec<String> = Vec::new();
    for grid in &grids {
        for child in dom::children(grid, selectors) {
            cards += u32::from(child.card.is_some());
            let Some(id) = child.product_id else { continue };
            ids += 1;
            match model.map(|m| m.index_of(&id).is_some()) {
                Some(true) => recognised += 1,
                Some(false)
                    if unrecognised.len() < UNRECOGNISED_SHOWN && !unrecognised.contains(&id) =>
                {
                    unrecognised.push(id)
                }
                _ => {}
            }
        }
    }
    JsObject::new()
        .set("grids", grids.len() as u32)
        .set("cards", cards)
        .set("ids", ids)
        .set_some("recognised", model.map(|_| recognised))
        .set("unrecognised", super::convert::string_array(&unrecognised))
}

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
