//! `aisle rollback`: points the manifest back at an earlier bundle, in one command.
//!
//! Bundles are content-addressed and never deleted, so rolling back only rewrites
//! `manifest.json`. Every publish (by `aisle build` or by a rollback) is recorded in
//! `manifest-history.json` next to the manifest (the newest [`HISTORY_KEPT`] entries), which
//! is how "the previous bundle" is found. The bundle is read and checked, exactly as a browser
//! would, before the manifest names it.
use std::path::{Path, PathBuf};

use aisle::bundle::Model;
use aisle::manifest::Manifest;
use anyhow::{bail, Context};
use clap::Args;
use serde::{Deserialize, Serialize};

/// Entries kept in `manifest-history.json`.
pub const HISTORY_KEPT: usize = 20;
/// The history's file name, next to the manifest.
pub const HISTORY_FILE: &str = "manifest-history.json";

/// Arguments of `aisle rollback`.
#[derive(Args)]
pub struct RollbackArgs {
    /// The manifest to rewrite (the bundles sit next to it).
    #[arg(long)]
    pub manifest: PathBuf,
    /// The bundle to point at (`bundle-<hash>.bin`); default: the bundle published before the
    /// current one.
    #[arg(long)]
    pub to: Option<String>,
}

/// One publish: which bundle the manifest started naming, and how.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Published {
    /// The bundle file name.
    pub bundle: String,
    /// Its model version.
    pub model_version: String,
    /// `build`, `build --force` or `rollback`.
    pub by: String,
    /// What the gate found, when it ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gate: Option<String>,
}

/// The publish history next to `manifest` (empty when there is none yet).
pub fn read_history(manifest: &Path) -> anyhow::Result<Vec<Published>> {
    let path = history_path(manifest);
    match std::fs::read_to_string(&path) {
        Ok(text) => serde_json::from_str(&text)
            .with_context(|| format!("{}: not a publish history", path.display())),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(error) => Err(error).with_context(|| format!("cannot read {}", path.display())),
    }
}

fn history_path(manifest: &Path) -> PathBuf {
    manifest.with_file_name(HISTORY_FILE)
}

/// Reads a manifest.
pub fn read_manifest(path: &Path) -> anyhow::Result<Manifest> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    aisle::manifest::parse(&text, aisle::json_read::rust_number_parse)
        .with_context(|| format!("{}: not a manifest the plugin would read", path.display()))
}

/// Reads and checks a bundle the way the browser does.
pub fn read_bundle(path: &Path) -> anyhow::Result<Model> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    Model::from_bytes(&bytes).map_err(|error| {
        anyhow::anyhow!(
            "{}: not a bundle the plugin would load: {}",
            path.display(),
            error.message()
        )
    })
}

/// Writes `manifest` to `path` atomically (a temporary file renamed over it, so a host never
/// serves half a manifest) and records the publish in the history.
pub fn publish(path: &Path, manifest: &Manifest, entry: Published) -> anyhow::Result<()> {
    let mut text = serde_json::to_string_pretty(manifest)?;
    text.push('\n');
    let temporary = path.with_extension("json.tmp");
    std::fs::write(&temporary, text)
        .with_context(|| format!("cannot write {}", temporary.display()))?;
    std::fs::rename(&temporary, path)
        .with_context(|| format!("cannot replace {}", path.display()))?;
    let mut history = read_history(path)?;
    history.push(entry);
    let excess = history.len().saturating_sub(HISTORY_KEPT);
    history.drain(..excess);
    let mut text = serde_json::to_string_pretty(&history)?;
    text.push('\n');
    let history_path = history_path(path);
    std::fs::write(&history_path, text)
        .with_context(|| format!("cannot write {}", history_path.display()))
}

pub fn run(args: RollbackArgs) -> anyhow::Result<()> {
    let mut manifest = read_manifest(&args.manifest)?;
    let target = match args.to {
        Some(to) => to,
        None => previous_bundle(&read_history(&args.manifest)?, &manifest.bundle).with_context(
            || {
                format!(
                    "{}: no bundle published before {} in {HISTORY_FILE}; name one with --to bundle-<hash>.bin",
                    args.manifest.display(),
                    manifest.bundle
                )
            },
        )?,
    };
    if target.contains('/') || target.contains('\\') {
        bail!("--to names a bundle file next to the manifest, not a path: {target}");
    }
    let bundle_path = args.manifest.with_file_name(&target);
    let model = read_bundle(&bundle_path)?;
    let was = std::mem::replace(&mut manifest.bundle, target.clone());
    manifest.model_version = model.model_version.clone();
    publish(
        &args.manifest,
        &manifest,
        Published {
            bundle: target.clone(),
            model_version: model.model_version,
            by: "rollback".into(),
            gate: None,
        },
    )?;
    eprintln!(
        "aisle: {} now names {target} (model {}), was {was}",
        args.manifest.display(),
        manifest.model_version
    );
    Ok(())
}

/// The bundle published before `current`. The history reads as a stack: a build pushes its
/// bundle, a rollback pops back down to the bundle it named, so rolling back twice goes two
/// publishes back, not forth and back. A manifest edited by hand (its bundle not on top) goes
/// back to the newest published bundle.
fn previous_bundle(history: &[Published], current: &str) -> Option<String> {
    let mut stack: Vec<&str> = Vec::new();
    for entry in history {
        if entry.by == "rollback" {
            if let Some(at) = stack.iter().rposition(|b| *b == entry.bundle) {
                stack.truncate(at + 1);
                continue;
            }
        }
        if stack.last() != Some(&entry.bundle.as_str()) {
            stack.push(&entry.bundle);
        }
    }
    match stack.last() {
        Some(&top) if top != current => Some(top.to_string()),
        _ => stack.iter().rev().nth(1).map(|b| b.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(bundle: &str, by: &str) -> Published {
        Published {
            bundle: bundle.into(),
            model_version: "m".into(),
            by: by.into(),
            gate: None,
        }
    }

    fn check(history: &[(&str, &str)], current: &str, expected: Option<&str>) {
        let history: Vec<Published> = history.iter().map(|(b, by)| entry(b, by)).collect();
        assert_eq!(
            previous_bundle(&history, current).as_deref(),
            expected,
            "{history:?}"
        );
    }

    #[test]
    fn rolling_back_walks_down_the_publishes() {
        let built = [("a", "build"), ("b", "build"), ("c", "build")];
        check(&built, "c", Some("b"));
        check(
            &[built.as_slice(), &[("b", "rollback")]].concat(),
            "b",
            Some("a"),
        );
        check(
            &[built.as_slice(), &[("b", "rollback"), ("a", "rollback")]].concat(),
            "a",
            None,
        );
        check(
            &[built.as_slice(), &[("b", "rollback"), ("d", "build")]].concat(),
            "d",
            Some("b"),
        );
        check(&built, "hand-edited", Some("c"));
        check(&[("a", "build")], "a", None);
        check(&[], "a", None);
    }
}
