//! The model version names every input that shapes the bundle: the same inputs give the same
//! version, any different input a different one.
use std::collections::BTreeMap;

use crate::{build, check, fixture, proposed_map, temp_file, temp_path};

const SHOPIFY: &str = "shopify-products-fr.csv";

/// Two days of collected views keyed by handle, in `aisle collect`'s daily files.
fn collected(dir: &tempfile::TempDir) -> String {
    let days = temp_path(dir, "collected");
    std::fs::create_dir_all(&days).unwrap();
    let handles = [
        "robe-lin-manches-courtes",
        "chemise-lin-homme",
        "foulard-soie",
    ];
    for (day, date) in ["2023-11-14", "2023-11-15"].iter().enumerate() {
        let mut lines = String::new();
        for visitor in 0..4u64 {
            for (step, handle) in handles.iter().enumerate() {
                let ts = 1_699_920_000_000
                    + day as u64 * 86_400_000
                    + visitor * 3_600_000
                    + step as u64 * 60_000;
                lines += &format!(
                    "{{\"v\":1,\"id\":\"d{day}v{visitor}s{step}\",\"ts\":{ts},\"visitor\":\"v{visitor}\",\"session\":\"d{day}\",\"type\":\"product_view\",\"product\":\"{handle}\"}}\n"
                );
            }
        }
        std::fs::write(format!("{days}/events-{date}.ndjson"), lines).unwrap();
    }
    days
}

fn version(dir: &tempfile::TempDir, name: &str, extra: &[&str]) -> String {
    let out = temp_path(dir, name);
    check(&build(&fixture(SHOPIFY), None::<&str>, &out, extra), 0, &[]);
    let manifest: aisle::manifest::Manifest =
        serde_json::from_str(&std::fs::read_to_string(format!("{out}/manifest.json")).unwrap())
            .unwrap();
    manifest.model_version
}

#[test]
fn the_same_inputs_give_the_same_version_and_any_other_input_another() {
    let dir = tempfile::tempdir().unwrap();
    let events = collected(&dir);
    let map = proposed_map(&dir);
    let fill = temp_file(
        &dir,
        "gaps.csv",
        "id,title,category,price,brand\nrobe-lin-manches-courtes,,Robes,,\n",
    );
    let ids = fixture("shopify-products.json");
    let base = ["--events", events.as_str()];
    let variants: Vec<(&str, Vec<&str>)> = vec![
        ("base", base.to_vec()),
        ("catalog only", vec![]),
        ("--map", [&base[..], &["--map", &map]].concat()),
        ("--ids", [&base[..], &["--ids", &ids]].concat()),
        ("--fill", [&base[..], &["--fill", &fill]].concat()),
        ("--since 1d", [&base[..], &["--since", "1d"]].concat()),
        (
            "--weight-bits 4",
            [&base[..], &["--weight-bits", "4"]].concat(),
        ),
        (
            "--neighbours 5",
            [&base[..], &["--neighbours", "5"]].concat(),
        ),
        (
            "--keep-open-sessions",
            [&base[..], &["--keep-open-sessions"]].concat(),
        ),
    ];
    let mut seen: BTreeMap<String, &str> = BTreeMap::new();
    for (n, (name, extra)) in variants.iter().enumerate() {
        let version = version(&dir, &format!("site{n}"), extra);
        assert!(version.starts_with("aisle-1-"), "{version}");
        if let Some(other) = seen.insert(version.clone(), name) {
            panic!("{name} and {other} share the version {version}");
        }
    }
    // The same inputs again, into another directory: the same version.
    assert_eq!(
        version(&dir, "again", &base),
        *seen.iter().find(|(_, n)| **n == "base").unwrap().0
    );
}
