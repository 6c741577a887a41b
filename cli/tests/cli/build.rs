//! `aisle build`.
use crate::{aisle, fixture, temp_path};

/// Imports the rees46 fixture into `dir`, returning (catalog, events).
pub fn rees46_fixture(dir: &tempfile::TempDir) -> (String, String) {
    let (catalog, events) = (temp_path(dir, "c.csv"), temp_path(dir, "e.ndjson"));
    let run = aisle(&["import", "rees46", "--input", &fixture("rees46-head.csv"), "--catalog-out", &catalog, "--events-out", &events]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    (catalog, events)
}

fn files(dir: &str) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .map(|e| (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).unwrap()))
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
        let run = aisle(&["build", "--catalog", &catalog, "--events", &events, "--out", out]);
        assert_eq!(run.code, 0, "{}", run.stderr);
    }
    let written = files(&first);
    assert_eq!(written, files(&second));
    let names: Vec<&str> = written.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names.len(), 2);
    let bundle = names[0];
    assert!(bundle.starts_with("bundle-") && bundle.ends_with(".bin") && bundle.len() == "bundle-.bin".len() + 16, "{bundle}");
    let manifest: aisle::manifest::Manifest = serde_json::from_slice(&written[1].1).unwrap();
    assert_eq!(manifest.bundle, bundle);
    assert!(!manifest.kill_switch);
    let model = aisle::bundle::Model::from_bytes(&written[0].1).unwrap();
    assert_eq!(model.model_version, manifest.model_version);
    assert!(model.index_of("1307067").is_some());
}
