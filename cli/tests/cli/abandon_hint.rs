//! `aisle evaluate-abandon` names the likely fix when an exported log seems to hold open sessions.
use crate::{aisle, fixture};

#[test]
fn too_few_sessions_on_an_exported_log_names_keep_open_sessions() {
    let data = fixture("rees46-carts.csv");
    let args = [
        "evaluate-abandon",
        "--dataset",
        "rees46",
        "--data",
        &data,
        "--replicates",
        "50",
    ];
    let run = aisle(&args);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("only 2 usable sessions with a cart"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("the likely fix is --keep-open-sessions"),
        "{}",
        run.stderr
    );
    let fixed = aisle(&[&args[..], &["--keep-open-sessions"]].concat());
    assert_eq!(fixed.code, 0, "{}", fixed.stderr);
}
