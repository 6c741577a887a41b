//! What the page session shows of itself, as JSON: `aisle.status()`, `aisle.history()`, the
//! install check, and the debug view's per-card scores. The loader parses these small objects
//! and adds what only it knows (whether storage is refused, the card nodes).
#![forbid(unsafe_code)]

use alloc::string::String;
use alloc::vec::Vec;

use crate::history::{History, HISTORY_FORMAT_VERSION};
use crate::json::Json;

use super::Page;

/// How many distinct ids not in the bundle the install check names.
const UNRECOGNISED_SHOWN: usize = 5;

impl Page {
    /// A snapshot for `aisle.status()` and the debug view. `install_ids` are the product ids
    /// the loader's install reading found (`grids` and `cards` its counts): the check says how
    /// many the bundle knows, and names the first few it does not.
    pub fn status(&self, grids: u32, cards: u32, install_ids: &[String]) -> String {
        let mut json = Json::new(self.numbers.write);
        json.open_object();
        if let Some(model) = &self.model {
            json.field_str("modelVersion", &model.model_version);
        }
        json.field_uint(
            "productsInBundle",
            self.model.as_ref().map(|m| m.len()).unwrap_or(0) as u64,
        )
        .field_str("experiment", &self.arm.experiment)
        .field_str("arm", &self.arm.arm)
        .field_bool("personalized", self.arm.personalized)
        .field_str("visitor", &self.config.visitor)
        .field_uint("gridsRanked", u64::from(self.grids_ranked));
        if let Some(ms) = self.first_reorder_ms {
            json.field_number("firstReorderMs", ms);
        }
        json.field_strings("errors", &self.errors);
        json.key("install");
        self.install_check(&mut json, grids, cards, install_ids);
        json.key("history");
        write_history(&mut json, &self.history);
        json.close_object();
        json.finish()
    }

    /// The history as a readable object (`{v, a: [{k, i, t, s}], s, ss, la, fs, c, g}`).
    pub fn history_json(&self) -> String {
        let mut json = Json::new(self.numbers.write);
        write_history(&mut json, &self.history);
        json.finish()
    }

    /// The last grid planned, for the debug view's badges: `{scores, order, personalized}`,
    /// `scores[i]` null when the bundle does not know product `i`.
    pub fn last_plan(&self) -> Option<String> {
        let (plan, personalized) = self.last_plan.as_ref()?;
        let mut json = Json::new(self.numbers.write);
        json.open_object().key("scores").open_array();
        for score in &plan.scores {
            json.number(score.map(f64::from).unwrap_or(f64::NAN));
        }
        json.close_array().key("order").open_array();
        for &slot in &plan.order {
            json.uint(slot as u64);
        }
        json.close_array()
            .field_bool("personalized", *personalized)
            .close_object();
        Some(json.finish())
    }

    fn install_check(&self, json: &mut Json, grids: u32, cards: u32, ids: &[String]) {
        let mut recognised = 0u64;
        let mut unrecognised: Vec<&str> = Vec::new();
        for id in ids {
            match self.model.as_ref().map(|m| m.index_of(id).is_some()) {
                Some(true) => recognised += 1,
                Some(false)
                    if unrecognised.len() < UNRECOGNISED_SHOWN
                        && !unrecognised.contains(&id.as_str()) =>
                {
                    unrecognised.push(id)
                }
                _ => {}
            }
        }
        json.open_object()
            .field_uint("grids", u64::from(grids))
            .field_uint("cards", u64::from(cards))
            .field_uint("ids", ids.len() as u64);
        if self.model.is_some() {
            json.field_uint("recognised", recognised);
        }
        json.field_strings("unrecognised", &unrecognised)
            .close_object();
    }
}

fn write_history(json: &mut Json, history: &History) {
    json.open_object()
        .field_uint("v", u64::from(HISTORY_FORMAT_VERSION))
        .key("a")
        .open_array();
    for action in history.actions() {
        json.open_object()
            .field_str("k", action.kind.short_name())
            .field_str("i", &action.id)
            .field_uint("t", action.at_ms)
            .field_uint("s", u64::from(action.session))
            .close_object();
    }
    json.close_array()
        .field_uint("s", u64::from(history.session()))
        .field_uint("ss", history.session_started_ms())
        .field_uint("la", history.last_active_ms())
        .field_uint("fs", history.first_seen_ms())
        .key("c")
        .open_array();
    for line in history.cart() {
        json.open_object()
            .field_str("i", &line.id)
            .field_uint("q", u64::from(line.quantity));
        if let Some(price) = line.unit_price {
            json.field_number("p", f64::from(price));
        }
        json.field_uint("t", line.added_at_ms).close_object();
    }
    json.close_array().key("g").open_array();
    for &gap in history.return_gaps_ms() {
        json.uint(gap);
    }
    json.close_array().close_object();
}
