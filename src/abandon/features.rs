//! What the browser can see about a cart at the moment it is scored, as numbers.
//!
//! Every feature is computed from the shopper's [`History`] (and, when given, the bundle's
//! catalog) up to `now_ms` and nothing later, so training replays the same function over past
//! events and cannot peek at the future. Counts, amounts and durations are log-scaled
//! (`ln(1 + x)`) and capped, so a hostile cart (huge quantities, absurd prices) stays finite.
#![forbid(unsafe_code)]

use alloc::vec::Vec;

use crate::bundle::Model;
use crate::history::{ActionKind, History};

/// Units per line counted at most; a theme reporting more is not believed.
const MAX_UNITS_PER_LINE: u32 = 10_000;
/// Cart value counted at most, in the shop's currency.
const MAX_CART_VALUE: f64 = 1.0e9;
const MINUTE_MS: f64 = 60_000.0;

/// One input of the abandon model. The names are stored in the bundle; never rename one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Feature {
    /// `ln(1 + lines in the cart)`.
    CartLines,
    /// `ln(1 + units in the cart)`.
    CartUnits,
    /// `ln(1 + value of the priced lines)`.
    CartValue,
    /// Share of cart lines without a price, 0..=1.
    CartUnpricedShare,
    /// Mean price band of the cart's products within their categories, -1 (cheapest) ..= 1
    /// (dearest); 0 when no band is known.
    PriceVsCategory,
    /// `ln(1 + minutes since the last add to cart)`.
    MinutesSinceLastAdd,
    /// `ln(1 + actions recorded after the last add to cart)`.
    ActionsSinceLastAdd,
    /// `ln(1 + product views and grid clicks in this session)`.
    SessionViews,
    /// `ln(1 + distinct products touched in this session)`.
    SessionDistinctProducts,
    /// Distinct categories viewed in this session (`ln(1 + n)`).
    SessionCategories,
    /// `ln(1 + removes from the cart in this session)`.
    SessionRemoves,
    /// `ln(1 + minutes since this session started)`: the dwell.
    SessionMinutes,
    /// 1 when this is not the visitor's first session.
    ReturningVisitor,
    /// 1 when the kept history holds a purchase from an earlier session.
    PreviousPurchase,
    /// Sine of the local hour on the 24 h circle; 0 when the hour is unknown.
    HourSin,
    /// Cosine of the local hour on the 24 h circle; 0 when the hour is unknown.
    HourCos,
    /// 1 on Saturday and Sunday, 0 on other days and when the day is unknown.
    Weekend,
}

/// How many features there are.
pub const FEATURE_COUNT: usize = 17;

impl Feature {
    /// Every feature, in a fixed order.
    pub const ALL: [Feature; FEATURE_COUNT] = [
        Feature::CartLines,
        Feature::CartUnits,
        Feature::CartValue,
        Feature::CartUnpricedShare,
        Feature::PriceVsCategory,
        Feature::MinutesSinceLastAdd,
        Feature::ActionsSinceLastAdd,
        Feature::SessionViews,
        Feature::SessionDistinctProducts,
        Feature::SessionCategories,
        Feature::SessionRemoves,
        Feature::SessionMinutes,
        Feature::ReturningVisitor,
        Feature::PreviousPurchase,
        Feature::HourSin,
        Feature::HourCos,
        Feature::Weekend,
    ];

    /// The stable name stored in the bundle and shown as a reason.
    pub fn name(self) -> &'static str {
        match self {
            Feature::CartLines => "cart_lines",
            Feature::CartUnits => "cart_units",
            Feature::CartValue => "cart_value",
            Feature::CartUnpricedShare => "cart_unpriced_share",
            Feature::PriceVsCategory => "price_vs_category",
            Feature::MinutesSinceLastAdd => "minutes_since_last_add",
            Feature::ActionsSinceLastAdd => "actions_since_last_add",
            Feature::SessionViews => "session_views",
            Feature::SessionDistinctProducts => "session_distinct_products",
            Feature::SessionCategories => "session_categories",
            Feature::SessionRemoves => "session_removes",
            Feature::SessionMinutes => "session_minutes",
            Feature::ReturningVisitor => "returning_visitor",
            Feature::PreviousPurchase => "previous_purchase",
            Feature::HourSin => "hour_sin",
            Feature::HourCos => "hour_cos",
            Feature::Weekend => "weekend",
        }
    }

    /// The feature with this stored name.
    pub fn from_name(name: &str) -> Option<Feature> {
        Feature::ALL.iter().copied().find(|f| f.name() == name)
    }

    fn slot(self) -> usize {
        self as usize
    }
}

/// The feature values of one cart at one moment, plus what the nudge timing needs.
#[derive(Clone, Debug, PartialEq)]
pub struct AbandonFeatures {
    values: [f32; FEATURE_COUNT],
    cart_lines: usize,
    own_return_gap_ms: Option<u64>,
}

impl AbandonFeatures {
    /// Computes the features at `now_ms` from the history and, when given, the bundle's
    /// catalog (categories and price bands). `local_hour` is 0..=23 and `weekday` counts from
    /// 0 = Sunday to 6 = Saturday, as JavaScript's `Date.getHours()` and `Date.getDay()`
    /// give them; any other value means "unknown" and those features stay 0. A `now_ms`
    /// earlier than the history's own times is treated as "no time passed".
    pub fn from_history(
        history: &History,
        model: Option<&Model>,
        now_ms: u64,
        local_hour: u8,
        weekday: u8,
    ) -> AbandonFeatures {
        let mut features = AbandonFeatures {
            values: [0.0; FEATURE_COUNT],
            cart_lines: history.cart().len(),
            own_return_gap_ms: None,
        };
        features.add_cart(history, model);
        features.add_session(history, model, now_ms);
        features.add_clock(local_hour, weekday);
        features.own_return_gap_ms = median_of_at_least_two(history.return_gaps_ms());
        features
    }

    /// Builds features from raw values in [`Feature::ALL`] order (for tests and tools).
    /// Non-finite values become 0.
    pub fn from_values(
        values: [f32; FEATURE_COUNT],
        cart_lines: usize,
        own_return_gap_ms: Option<u64>,
    ) -> AbandonFeatures {
        let values = values.map(|v| if v.is_finite() { v } else { 0.0 });
        AbandonFeatures {
            values,
            cart_lines,
            own_return_gap_ms,
        }
    }

    /// The value of one feature.
    pub fn get(&self, feature: Feature) -> f32 {
        self.values[feature.slot()]
    }

    /// All values in [`Feature::ALL`] order.
    pub fn values(&self) -> &[f32; FEATURE_COUNT] {
        &self.values
    }

    /// Number of cart lines (0: nothing to score).
    pub fn cart_lines(&self) -> usize {
        self.cart_lines
    }

    /// The median idle gap before the visitor's past returns, when at least two were seen.
    pub fn own_return_gap_ms(&self) -> Option<u64> {
        self.own_return_gap_ms
    }

    fn set(&mut self, feature: Feature, value: f32) {
        self.values[feature.slot()] = if value.is_finite() { value } else { 0.0 };
    }

    fn add_cart(&mut self, history: &History, model: Option<&Model>) {
        let cart = history.cart();
        let mut units = 0u64;
        let mut value = 0f64;
        let mut unpriced = 0usize;
        let mut band_sum = 0f32;
        let mut band_count = 0usize;
        for line in cart {
            let quantity = line.quantity.min(MAX_UNITS_PER_LINE);
            units += u64::from(quantity);
            match line.unit_price.filter(|p| p.is_finite() && *p >= 0.0) {
                Some(price) => value += f64::from(quantity) * f64::from(price),
                None => unpriced += 1,
            }
            let band = model
                .and_then(|m| m.index_of(&line.id).map(|index| m.price_band(index)))
                .unwrap_or(0);
            if band > 0 {
                band_sum += (f32::from(band) - 128.0) / 127.0;
                band_count += 1;
            }
        }
        self.set(Feature::CartLines, ln_1p(cart.len() as f64));
        self.set(Feature::CartUnits, ln_1p(units as f64));
        self.set(Feature::CartValue, ln_1p(value.min(MAX_CART_VALUE)));
        if !cart.is_empty() {
            self.set(
                Feature::CartUnpricedShare,
                unpriced as f32 / cart.len() as f32,
            );
        }
        if band_count > 0 {
            self.set(Feature::PriceVsCategory, band_sum / band_count as f32);
        }
    }

    fn add_session(&mut self, history: &History, model: Option<&Model>, now_ms: u64) {
        let session = history.session();
        let mut views = 0usize;
        let mut removes = 0usize;
        let mut products: Vec<&str> = Vec::new();
        let mut categories: Vec<&str> = Vec::new();
        let mut previous_purchase = false;
        let mut actions_since_add = 0usize;
        let mut last_add_ms = None;
        for action in history.actions() {
            if action.kind == ActionKind::AddToCart {
                last_add_ms = Some(action.at_ms);
                actions_since_add = 0;
            } else {
                actions_since_add += 1;
            }
            if action.session != session {
                previous_purchase |= action.kind == ActionKind::Purchase;
                continue;
            }
            match action.kind {
                ActionKind::ProductView | ActionKind::GridClick => views += 1,
                ActionKind::RemoveFromCart => removes += 1,
                _ => {}
            }
            if action.kind == ActionKind::CategoryView {
                push_distinct(&mut categories, &action.id);
                continue;
            }
            push_distinct(&mut products, &action.id);
            if let Some(model) = model {
                if let Some(index) = model.index_of(&action.id) {
                    push_distinct(&mut categories, model.category_name(model.category(index)));
                }
            }
        }
        // When the add itself scrolled out of the kept actions, the cart still knows when.
        let last_add_ms =
            last_add_ms.or_else(|| history.cart().iter().map(|line| line.added_at_ms).max());
        if let Some(added) = last_add_ms {
            self.set(
                Feature::MinutesSinceLastAdd,
                ln_1p(now_ms.saturating_sub(added) as f64 / MINUTE_MS),
            );
            self.set(
                Feature::ActionsSinceLastAdd,
                ln_1p(actions_since_add as f64),
            );
        }
        self.set(Feature::SessionViews, ln_1p(views as f64));
        self.set(
            Feature::SessionDistinctProducts,
            ln_1p(products.len() as f64),
        );
        self.set(Feature::SessionCategories, ln_1p(categories.len() as f64));
        self.set(Feature::SessionRemoves, ln_1p(removes as f64));
        let dwell_ms = now_ms.saturating_sub(history.session_started_ms());
        self.set(Feature::SessionMinutes, ln_1p(dwell_ms as f64 / MINUTE_MS));
        self.set(
            Feature::ReturningVisitor,
            if session > 1 { 1.0 } else { 0.0 },
        );
        self.set(
            Feature::PreviousPurchase,
            if previous_purchase { 1.0 } else { 0.0 },
        );
    }

    fn add_clock(&mut self, local_hour: u8, weekday: u8) {
        if local_hour < 24 {
            let hour = usize::from(local_hour);
            self.set(Feature::HourSin, HOUR_SIN[hour]);
            self.set(Feature::HourCos, HOUR_SIN[(hour + 6) % 24]);
        }
        if weekday < 7 {
            self.set(
                Feature::Weekend,
                if weekday == 0 || weekday == 6 {
                    1.0
                } else {
                    0.0
                },
            );
        }
    }
}

/// `sin(2π·h/24)` for each hour h; `cos` is the same table six hours on. A table rather than
/// `f32::sin`: the hour is a whole number, and libm's sine would add kilobytes to the wasm.
const HOUR_SIN: [f32; 24] = [
    0.0,
    0.258_819,
    0.5,
    0.707_106_77,
    0.866_025_4,
    0.965_925_8,
    1.0,
    0.965_925_8,
    0.866_025_4,
    0.707_106_77,
    0.5,
    0.258_819,
    0.0,
    -0.258_819,
    -0.5,
    -0.707_106_77,
    -0.866_025_4,
    -0.965_925_8,
    -1.0,
    -0.965_925_8,
    -0.866_025_4,
    -0.707_106_77,
    -0.5,
    -0.258_819,
];

fn ln_1p(value: f64) -> f32 {
    if value.is_finite() && value > 0.0 {
        value.ln_1p() as f32
    } else {
        0.0
    }
}

fn push_distinct<'a>(seen: &mut Vec<&'a str>, id: &'a str) {
    if !seen.contains(&id) {
        seen.push(id);
    }
}

/// The median of the gaps (the lower middle for an even count), when there are at least two.
pub fn median_of_at_least_two(gaps: &[u64]) -> Option<u64> {
    if gaps.len() < 2 {
        return None;
    }
    // An insertion sort: there are at most a handful of gaps, and the standard sort's code
    // would weigh more in the wasm than the whole nudge logic.
    let mut sorted: Vec<u64> = Vec::with_capacity(gaps.len());
    for &gap in gaps {
        let at = sorted.iter().position(|&g| g > gap).unwrap_or(sorted.len());
        sorted.insert(at, gap);
    }
    Some(sorted[(sorted.len() - 1) / 2])
}

#[cfg(test)]
mod hour_table_tests {
    use super::HOUR_SIN;

    #[test]
    fn the_hour_table_is_the_sine() {
        for (hour, &value) in HOUR_SIN.iter().enumerate() {
            let angle = hour as f64 * core::f64::consts::TAU / 24.0;
            assert!((f64::from(value) - angle.sin()).abs() < 1e-6, "hour {hour}");
            let cos = HOUR_SIN[(hour + 6) % 24];
            assert!((f64::from(cos) - angle.cos()).abs() < 1e-6, "hour {hour}");
        }
    }
}
