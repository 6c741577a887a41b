//! Integration tests of the `aisle` binary, one test binary (linked once) with one module per
//! subcommand or topic, and the helpers they share.
mod abandon;
mod audit;
mod bad_input;
mod build;
mod catalog;
mod collect;
mod collector;
mod dayone;
mod ga4;
mod import;
mod nightly;
mod report;
mod shopify_orders;

use std::path::{Path, PathBuf};
use std::process::Command;

/// The result of one `aisle` run.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// The `aisle` binary with arguments, not yet run.
pub fn aisle_command(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_aisle"));
    command.args(args);
    command
}

/// Asserts a run's exit code, that nothing panicked, and that its stderr holds every
/// fragment, showing stderr when not.
pub fn check(run: &Run, code: i32, fragments: &[&str]) {
    assert_eq!(run.code, code, "stderr: {}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    contains_all(&run.stderr, fragments);
}

/// Asserts that `text` holds every fragment, showing it when not.
pub fn contains_all(text: &str, fragments: &[&str]) {
    for fragment in fragments {
        assert!(
            text.contains(fragment),
            "{text}\nshould contain {fragment:?}"
        );
    }
}

/// Runs `aisle` with arguments.
pub fn aisle(args: &[&str]) -> Run {
    let output = aisle_command(args).output().expect("the aisle binary runs");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// A fixture's path.
pub fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
        .display()
        .to_string()
}

/// A path inside a temporary directory, as a string.
pub fn temp_path(dir: &tempfile::TempDir, name: &str) -> String {
    PathBuf::from(dir.path()).join(name).display().to_string()
}

/// Writes a file into a temporary directory and returns its path.
pub fn temp_file(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let path = temp_path(dir, name);
    std::fs::write(&path, text).unwrap();
    path
}

/// Runs `aisle build --catalog <catalog> [--events <events>] --out <out>` and any further
/// arguments.
pub fn build(catalog: &str, events: Option<impl AsRef<str>>, out: &str, more: &[&str]) -> Run {
    let mut args = vec!["build", "--catalog", catalog];
    if let Some(events) = &events {
        args.extend(["--events", events.as_ref()]);
    }
    args.extend(["--out", out]);
    args.extend(more);
    aisle(&args)
}

/// The bundle the manifest in `out` names, decoded, with its model version cleared (it names
/// the input bytes, which differ when the same events come in another order or form).
pub fn built_wire(out: &str) -> aisle::bundle::BundleWire {
    let manifest: aisle::manifest::Manifest =
        serde_json::from_str(&std::fs::read_to_string(format!("{out}/manifest.json")).unwrap())
            .unwrap();
    let mut wire = aisle::bundle::format::decode(
        &std::fs::read(format!("{out}/{}", manifest.bundle)).unwrap(),
    )
    .unwrap();
    wire.model_version.clear();
    wire
}

/// Imports the rees46 fixture into `dir`, returning (catalog, events).
pub fn rees46_fixture(dir: &tempfile::TempDir) -> (String, String) {
    let (catalog, events) = (temp_path(dir, "c.csv"), temp_path(dir, "e.ndjson"));
    let run = aisle(&[
        "import",
        "rees46",
        "--input",
        &fixture("rees46-head.csv"),
        "--catalog-out",
        &catalog,
        "--events-out",
        &events,
    ]);
    check(&run, 0, &[]);
    (catalog, events)
}
