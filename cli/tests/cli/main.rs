//! Integration tests of the `aisle` binary, one test binary (linked once) with one module per
//! subcommand or topic, and the helpers they share.
mod abandon;
mod abandon_hint;
mod audit;
mod bad_input;
mod build;
mod catalog;
mod checkout;
mod collect;
mod collector;
mod dayone;
mod evaluate_alias;
mod ga4;
mod ga4_parquet;
mod ga4_sessions;
mod import;
mod model_version;
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

/// The bundle the manifest in `site` names, decoded, with its model version (a hash of the
/// input bytes) blanked: for comparing what two builds learned from inputs of different forms.
pub fn bundle_without_version(site: &str) -> aisle::bundle::format::BundleWire {
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{site}/manifest.json")).unwrap())
            .unwrap();
    let bytes = std::fs::read(format!("{site}/{}", manifest["bundle"].as_str().unwrap())).unwrap();
    let mut wire = aisle::bundle::format::decode(&bytes).unwrap();
    wire.model_version.clear();
    wire
}
