//! `aisle build`.
use crate::{aisle, fixture, temp_path};

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
    assert_eq!(run.code, 0, "{}", run.stderr);
    (catalog, events)
}

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
        let run = aisle(&[
            "build",
            "--catalog",
            &catalog,
            "--events",
            &events,
            "--out",
            out,
        ]);
        assert_eq!(run.code, 0, "{}", run.stderr);
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

/// The bundle a build writes to `out`, decoded, with its model version cleared (it names the
/// input bytes, which differ when the same events come in another order).
fn built_wire(catalog: &str, events: &str, out: &str) -> aisle::bundle::BundleWire {
    let run = aisle(&[
        "build",
        "--catalog",
        catalog,
        "--events",
        events,
        "--out",
        out,
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
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
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = std::fs::read_to_string(&events).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    let repeated: Vec<&str> = lines.iter().step_by(50).copied().collect();
    lines.extend(repeated);
    // Fisher-Yates with SplitMix64, seeded: the same shuffle on every run.
    let mut state = 7u64;
    for i in (1..lines.len()).rev() {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        lines.swap(i, ((z ^ (z >> 31)) % (i as u64 + 1)) as usize);
    }
    let shuffled = crate::temp_file(&dir, "shuffled.ndjson", &(lines.join("\n") + "\n"));
    let (sorted_out, shuffled_out) = (
        temp_path(&dir, "out-sorted"),
        temp_path(&dir, "out-shuffled"),
    );
    let expected = built_wire(&catalog, &events, &sorted_out);
    assert!(expected.abandon.is_some() && !expected.neighbours.is_empty());
    assert_eq!(built_wire(&catalog, &shuffled, &shuffled_out), expected);
    let left: Vec<String> = std::fs::read_dir(&shuffled_out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left.len(), 3, "bundle, history, manifest: {left:?}");
}
