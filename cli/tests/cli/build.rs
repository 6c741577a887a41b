//! `aisle build`.
use aisle_cli::random::SplitMix64;

use crate::{aisle, build, built_wire, check, rees46_fixture, temp_path};

fn files(dir: &str) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

#[test]
fn build_writes_a_content_named_bundle_and_its_manifest_identically_twice() {
    let dir = tempfile::tempdir().unwrap();
    let (catalog, events) = rees46_fixture(&dir);
    let (first, second) = (temp_path(&dir, "out1"), temp_path(&dir, "out2"));
    for out in [&first, &second] {
        check(&build(&catalog, Some(&events), out, &[]), 0, &[]);
    }
    let written = files(&first);
    assert_eq!(written, files(&second));
    let names: Vec<&str> = written.iter().map(|(n, _)| n.as_str()).collect();
    // The bundle, the publish history `aisle rollback` reads, the manifest.
    assert_eq!(names[1..], ["manifest-history.json", "manifest.json"]);
    let bundle = names[0];
    assert!(
        bundle.starts_with("bundle-")
            && bundle.ends_with(".bin")
            && bundle.len() == "bundle-.bin".len() + 16,
        "{bundle}"
    );
    let manifest: aisle::manifest::Manifest = serde_json::from_slice(&written[2].1).unwrap();
    assert_eq!(manifest.bundle, bundle);
    assert!(!manifest.kill_switch);
    let model = aisle::bundle::Model::from_bytes(&written[0].1).unwrap();
    assert_eq!(model.model_version, manifest.model_version);
    assert!(model.index_of("1307067").is_some());
}

/// The build groups each visitor's events itself: lines in any order (a collector's order
/// of receipt, logs concatenated) give the same model as lines in time order, and repeated
/// deliveries change nothing. Only the temporary files' directory is gone afterwards.
#[test]
fn a_shuffled_log_with_repeated_lines_builds_the_same_model() {
    let dir = tempfile::tempdir().unwrap();
    let (catalog, events) = (temp_path(&dir, "c.csv"), temp_path(&dir, "e.ndjson"));
    let run = aisle(&[
        "generate",
        "--products",
        "400",
        "--per-category",
        "40",
        "--sessions",
        "1000",
        "--seed",
        "3",
        "--catalog-out",
        &catalog,
        "--events-out",
        &events,
    ]);
    check(&run, 0, &[]);
    let text = std::fs::read_to_string(&events).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    let repeated: Vec<&str> = lines.iter().step_by(50).copied().collect();
    lines.extend(repeated);
    // Fisher-Yates, seeded: the same shuffle on every run.
    let mut random = SplitMix64::new(7);
    for i in (1..lines.len()).rev() {
        lines.swap(i, random.below(i + 1));
    }
    let shuffled = crate::temp_file(&dir, "shuffled.ndjson", &(lines.join("\n") + "\n"));
    let (sorted_out, shuffled_out) = (
        temp_path(&dir, "out-sorted"),
        temp_path(&dir, "out-shuffled"),
    );
    check(&build(&catalog, Some(&events), &sorted_out, &[]), 0, &[]);
    check(
        &build(&catalog, Some(&shuffled), &shuffled_out, &[]),
        0,
        &[],
    );
    let expected = built_wire(&sorted_out);
    assert!(expected.abandon.is_some() && !expected.neighbours.is_empty());
    assert_eq!(built_wire(&shuffled_out), expected);
    let left: Vec<String> = std::fs::read_dir(&shuffled_out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left.len(), 3, "bundle, history, manifest: {left:?}");
}
