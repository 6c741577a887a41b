//! The arm a visitor sees on this page: the manifest's experiments decided for the visitor
//! (`assign::decide`, GrowthBook-compatible hashing) with the QA override applied, reduced to
//! what the page needs: whether to personalize, what to log, and the arms every event carries.
#![forbid(unsafe_code)]

use alloc::string::String;
use alloc::vec::Vec;

use crate::assign;
use crate::manifest::Manifest;

/// Arm key when no experiment decides and the grid is personalized.
pub const PERSONALIZED: &str = "personalized";
/// Arm key when no experiment decides and the grid keeps the shop's order.
pub const OUTSIDE: &str = "outside";

/// The arm this visitor sees.
#[derive(Clone, Debug, PartialEq)]
pub struct ArmChoice {
    /// Experiment key, empty when no experiment runs.
    pub experiment: String,
    /// Arm key.
    pub arm: String,
    /// True when this arm shows the personalized order.
    pub personalized: bool,
    /// False for QA-forced visits: they log no exposures and carry no arms in events.
    pub tracked: bool,
    /// Experiment key to arm key, for every event's `arms`.
    pub event_arms: Vec<(String, String)>,
}

impl Default for ArmChoice {
    /// Before the manifest is read: personalized, outside any experiment.
    fn default() -> ArmChoice {
        ArmChoice {
            experiment: String::new(),
            arm: PERSONALIZED.into(),
            personalized: true,
            tracked: true,
            event_arms: Vec::new(),
        }
    }
}

impl ArmChoice {
    /// True when this visit logs exposures: an experiment decides and the arm was not forced.
    pub fn logs_exposures(&self) -> bool {
        self.tracked && !self.experiment.is_empty()
    }
}

/// The visitor's arm from the manifest's experiments, with a QA override
/// (`?aisle_arm=experiment:arm`) applied; an unreadable override is ignored. QA-forced visits
/// are not tracked.
pub fn choose_arm(manifest: &Manifest, visitor: &str, qa_override: Option<&str>) -> ArmChoice {
    let overrides = qa_override
        .and_then(|value| assign::parse_override(value).ok())
        .unwrap_or_default();
    let decision = assign::decide(
        &manifest.experiments,
        visitor,
        &overrides,
        manifest.kill_switch,
    );
    let deciding = decision.assignments.iter().find(|a| a.in_experiment());
    ArmChoice {
        experiment: deciding.map(|a| a.experiment.clone()).unwrap_or_default(),
        arm: deciding.and_then(|a| a.arm_key.clone()).unwrap_or_else(|| {
            if decision.personalized {
                PERSONALIZED.into()
            } else {
                OUTSIDE.into()
            }
        }),
        personalized: decision.personalized,
        tracked: deciding.map(|a| a.track).unwrap_or(true),
        event_arms: decision.event_arm_list(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::{default_experiment, MANIFEST_VERSION};

    fn manifest(experiments: Vec<crate::manifest::ExperimentConfig>) -> Manifest {
        Manifest {
            manifest_version: MANIFEST_VERSION,
            bundle: "b.bin".into(),
            model_version: "m".into(),
            kill_switch: false,
            experiments,
        }
    }

    /// The visitor ids the browser suite uses (tests/e2e/harness.mjs `visitorInArm`) for the
    /// default 50/50 experiment, found by the same hash.
    fn visitor(n: u32) -> String {
        alloc::format!("{n:032x}")
    }

    #[test]
    fn no_experiment_means_personalized_and_nothing_logged() {
        let choice = choose_arm(&manifest(Vec::new()), &visitor(1), None);
        assert_eq!(choice, ArmChoice::default());
        assert!(!choice.logs_exposures());
    }

    #[test]
    fn the_default_experiment_splits_visitors_and_logs_them() {
        let choices: Vec<ArmChoice> = (1..200)
            .map(|n| choose_arm(&manifest(vec![default_experiment()]), &visitor(n), None))
            .collect();
        for choice in &choices {
            assert!(choice.logs_exposures());
            assert_eq!(
                choice.personalized,
                choice.arm == "personalized",
                "{choice:?}"
            );
            assert_eq!(
                choice.event_arms,
                [(choice.experiment.clone(), choice.arm.clone())]
            );
        }
        let holdout = choices.iter().filter(|c| !c.personalized).count();
        assert!(
            (60..140).contains(&holdout),
            "{holdout} of 199 in the holdout"
        );
    }

    #[test]
    fn a_qa_override_forces_the_arm_and_is_not_tracked() {
        let experiment = default_experiment();
        let forced = alloc::format!("{}:holdout", experiment.key);
        for n in 1..20 {
            let choice = choose_arm(
                &manifest(vec![experiment.clone()]),
                &visitor(n),
                Some(&forced),
            );
            assert_eq!(choice.arm, "holdout");
            assert!(!choice.personalized);
            assert!(!choice.logs_exposures());
        }
    }

    #[test]
    fn an_unreadable_override_is_ignored() {
        let plain = choose_arm(&manifest(vec![default_experiment()]), &visitor(7), None);
        let with_junk = choose_arm(
            &manifest(vec![default_experiment()]),
            &visitor(7),
            Some(":"),
        );
        assert_eq!(plain, with_junk);
    }
}
