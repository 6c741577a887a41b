//! The grid plan: from the model, the shopper's context and a grid's product ids (in the
//! shop's order), the order to show, whether it differs from the shop's, and the exposure to
//! log. The browser edge only reads the ids out of the page and moves the nodes; the offline
//! evaluation ranks through the same `rank` scoring, so what is evaluated is what ships.
#![forbid(unsafe_code)]

use alloc::string::String;
use alloc::vec::Vec;

use crate::arm::ArmChoice;
use crate::bundle::Model;
use crate::events::EventBody;
use crate::rank::{order_by_scores, score, ShopperContext};

/// Most bytes of ids (as JSON text) in each of an exposure's lists: `shown`, and
/// `treatment` in the holdout. Both together stay well inside the 16 KB a collector takes per
/// event (`aisle collect`'s `max_event_bytes`); a 5,000-card grid logs its leading slots, which
/// hold everything a shopper sees first. `changed` always speaks for the whole grid.
pub const EXPOSURE_IDS_BYTES: usize = 6 * 1024;

/// What to do with one grid.
#[derive(Clone, Debug, PartialEq)]
pub struct GridPlan {
    /// Per product in the shop's order: its score, `None` when the bundle does not know it or
    /// it was placed earlier (a grid that grew keeps the cards the shopper already saw).
    pub scores: Vec<Option<f32>>,
    /// The personalized order: `order[slot]` is the shop-order index shown in `slot`.
    pub order: Vec<usize>,
    /// True when `order` differs from the shop's.
    pub changed: bool,
}

/// Plans one grid. `fresh[i]` is false for products placed by an earlier pass (they keep
/// their slots); a missing entry counts as fresh.
pub fn plan_grid<S: AsRef<str>>(
    model: &Model,
    context: &ShopperContext,
    ids: &[S],
    fresh: &[bool],
) -> GridPlan {
    let scores: Vec<Option<f32>> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            if fresh.get(i).copied().unwrap_or(true) {
                model
                    .index_of(id.as_ref())
                    .map(|product| score(model, context, product))
            } else {
                None
            }
        })
        .collect();
    let order = order_by_scores(&scores);
    let changed = order.iter().enumerate().any(|(slot, &item)| slot != item);
    GridPlan {
        scores,
        order,
        changed,
    }
}

impl GridPlan {
    /// The exposure this grid logs for `arm`, or `None` when the visit logs none (no
    /// experiment, or the arm forced for QA). `personalized` says whether the page shows the
    /// plan's order; when it does not, the event carries the order the treatment would have
    /// shown, so lift can be read on the grids that were actually affected.
    pub fn exposure(
        &self,
        arm: &ArmChoice,
        personalized: bool,
        bundle_version: &str,
        grid: String,
        ids: &[String],
    ) -> Option<EventBody> {
        if !arm.logs_exposures() {
            return None;
        }
        let treatment = leading_ids(self.order.iter().map(|&i| &ids[i]));
        let (shown, treatment) = if personalized {
            (treatment, None)
        } else {
            (leading_ids(ids.iter()), Some(treatment))
        };
        Some(EventBody::Exposure {
            experiment: arm.experiment.clone(),
            arm: arm.arm.clone(),
            bundle_version: bundle_version.into(),
            grid,
            shown,
            treatment,
            changed: self.changed,
        })
    }
}

/// The leading ids whose JSON text (quoted, escaped, comma-separated) fits in
/// [`EXPOSURE_IDS_BYTES`].
fn leading_ids<'a>(ids: impl Iterator<Item = &'a String>) -> Vec<String> {
    let mut budget = EXPOSURE_IDS_BYTES;
    let mut kept = Vec::new();
    for id in ids {
        let escaped: usize = id
            .bytes()
            .map(|b| match b {
                b'"' | b'\\' => 2,
                0..=0x1f => 6,
                _ => 1,
            })
            .sum();
        let Some(left) = budget.checked_sub(escaped + 3) else {
            break;
        };
        budget = left;
        kept.push(id.clone());
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bundle::format::encode;
    use crate::bundle::tests::tiny_wire;
    use crate::history::{ActionKind, History, HistoryConfig};
    use crate::rank::rank;

    fn model() -> Model {
        Model::from_bytes(&encode(&tiny_wire())).unwrap()
    }

    fn context_after_viewing(model: &Model, viewed: &[&str]) -> ShopperContext {
        let mut history = History::new(HistoryConfig::default(), 0);
        for (t, id) in viewed.iter().enumerate() {
            history.record(ActionKind::ProductView, id, 1, None, t as u64);
        }
        ShopperContext::new(model, &history)
    }

    fn tracked_arm(personalized: bool) -> ArmChoice {
        ArmChoice {
            experiment: "aisle-rerank".into(),
            arm: if personalized {
                "personalized"
            } else {
                "holdout"
            }
            .into(),
            personalized,
            tracked: true,
            event_arms: Vec::new(),
        }
    }

    /// The evaluation ranks with `rank::rank`; the page plans with `plan_grid`. For the same
    /// model, history and ids they give the same order, over every history the tiny bundle
    /// allows and grids with unknown ids among the known.
    #[test]
    fn the_page_and_the_evaluation_give_the_same_order() {
        let model = model();
        let histories: [&[&str]; 5] = [&[], &["a"], &["c"], &["b", "c"], &["c", "a", "zzz"]];
        let grids: [&[&str]; 4] = [&["a", "b", "c"], &["c", "x", "a", "b"], &["x", "y"], &[]];
        for viewed in histories {
            let context = context_after_viewing(&model, viewed);
            for ids in grids {
                let planned = plan_grid(&model, &context, ids, &[]);
                let evaluated = rank(&model, &context, ids);
                assert_eq!(planned.order, evaluated.order, "{viewed:?} {ids:?}");
                assert_eq!(planned.scores, evaluated.scores);
                assert_eq!(planned.changed, evaluated.changes_order());
            }
        }
    }

    #[test]
    fn cards_placed_earlier_keep_their_slots() {
        let model = model();
        let context = context_after_viewing(&model, &["c"]);
        // Hats (c) first once a hat was viewed, when all three are fresh...
        assert_eq!(
            plan_grid(&model, &context, &["a", "b", "c"], &[]).order,
            [2, 0, 1]
        );
        // ...but a and b were shown already: only c is placed, in its own slot.
        let grown = plan_grid(&model, &context, &["a", "b", "c"], &[false, false, true]);
        assert_eq!(grown.order, [0, 1, 2]);
        assert!(!grown.changed);
        assert_eq!(grown.scores[..2], [None, None]);
    }

    #[test]
    fn the_exposure_says_what_was_shown_and_what_the_treatment_was() {
        let model = model();
        let context = context_after_viewing(&model, &["c"]);
        let ids: Vec<String> = ["a", "b", "c"].map(String::from).to_vec();
        let plan = plan_grid(&model, &context, &ids, &[]);
        let shown_personalized = plan.exposure(&tracked_arm(true), true, "v1", "/c#0".into(), &ids);
        assert_eq!(
            shown_personalized,
            Some(EventBody::Exposure {
                experiment: "aisle-rerank".into(),
                arm: "personalized".into(),
                bundle_version: "v1".into(),
                grid: "/c#0".into(),
                shown: ["c", "a", "b"].map(String::from).to_vec(),
                treatment: None,
                changed: true,
            })
        );
        let Some(EventBody::Exposure {
            shown, treatment, ..
        }) = plan.exposure(&tracked_arm(false), false, "v1", "/c#0".into(), &ids)
        else {
            panic!("the holdout logs an exposure");
        };
        assert_eq!(shown, ids, "the holdout shows the shop's order");
        assert_eq!(treatment.unwrap(), ["c", "a", "b"]);
        assert_eq!(
            plan.exposure(&ArmChoice::default(), true, "v1", "/c#0".into(), &ids),
            None
        );
    }

    /// A 5,000-card grid's exposure (holdout: two lists) stays under the collector's 16 KB per
    /// event, with the leading slots in order, and `changed` for the whole grid.
    #[test]
    fn a_huge_grid_logs_its_leading_slots_within_the_event_limit() {
        let model = model();
        let context = context_after_viewing(&model, &["c"]);
        let mut ids: Vec<String> = (0..5000)
            .map(|i| alloc::format!("unknown-\"{i:06}\"-{}", "x".repeat(60)))
            .collect();
        ids.extend(["a", "b", "c"].map(String::from));
        let plan = plan_grid(&model, &context, &ids, &[]);
        assert!(plan.changed);
        let event = plan
            .exposure(&tracked_arm(false), false, "v1", "/c#0".into(), &ids)
            .unwrap();
        let json = serde_json::to_string(&event).unwrap();
        assert!(json.len() < 16 * 1024, "{} bytes", json.len());
        let EventBody::Exposure {
            shown, treatment, ..
        } = event
        else {
            unreachable!()
        };
        assert!(shown.len() > 50, "{} ids kept", shown.len());
        assert_eq!(shown[..], ids[..shown.len()]);
        assert_eq!(
            treatment.unwrap()[..],
            ids[..shown.len()],
            "the unknown ids lead in both orders"
        );
    }
}
