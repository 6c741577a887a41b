//! The nightly loop: `aisle build` reads `aisle collect`'s day files over a window, the gate
//! refuses a deliberately worse bundle and accepts a better one, `aisle rollback` goes back.
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use aisle_cli::generate::{generate, GenerateArgs};

use crate::{aisle, check, temp_path, Run};

/// A shop of 150 products and about five and a half days of sessions, as `aisle collect` stores
/// them: one `events-YYYY-MM-DD.ndjson` per UTC day, each line with its `received` time.
fn day_files(dir: &Path) -> (String, BTreeMap<String, String>) {
    let args = GenerateArgs {
        products: 150,
        per_category: 15,
        sessions: 8000,
        seed: 7,
        catalog_out: dir.join("catalog.csv"),
        events_out: dir.join("unused.ndjson"),
    };
    let (products, events) = generate(&args);
    aisle_cli::catalog::write_catalog(&args.catalog_out, &products).unwrap();
    let mut days: BTreeMap<String, String> = BTreeMap::new();
    for event in events {
        let json = serde_json::to_string(&event).unwrap();
        let day = aisle_cli::dates::format_day(aisle_cli::dates::day_number(event.ts));
        let line = format!("{{\"received\":{},{}\n", event.ts + 400, &json[1..]);
        days.entry(day).or_default().push_str(&line);
    }
    (args.catalog_out.display().to_string(), days)
}

/// Copies one day into the collect directory, gzipped as a log rotation would leave it, or not.
fn collect(dir: &Path, day: &str, lines: &str, gzip: bool) {
    let name = format!("events-{day}.ndjson");
    if gzip {
        let file = std::fs::File::create(dir.join(format!("{name}.gz"))).unwrap();
        let mut encoder = flate2::write::GzEncoder::new(file, flate2::Compression::fast());
        encoder.write_all(lines.as_bytes()).unwrap();
        encoder.finish().unwrap();
    } else {
        std::fs::write(dir.join(name), lines).unwrap();
    }
}

fn build(catalog: &str, collected: &str, site: &str, extra: &[&str]) -> Run {
    let args = [
        "build",
        "--catalog",
        catalog,
        "--events",
        collected,
        "--since",
        "28d",
        "--gate-days",
        "1",
        "--out",
        site,
    ];
    aisle(&[&args[..], extra].concat())
}

fn live_bundle(site: &str) -> String {
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{site}/manifest.json")).unwrap())
            .unwrap();
    manifest["bundle"].as_str().unwrap().to_string()
}

fn written_bundle(run: &Run) -> String {
    let at = run
        .stderr
        .find("wrote bundle-")
        .expect("a bundle was written")
        + "wrote ".len();
    run.stderr[at..at + "bundle-0123456789abcdef.bin".len()].to_string()
}

/// A bundle that can barely rank: one neighbour per product, kept only when it is the
/// strongest, at one bit.
const WORSE: [&str; 6] = [
    "--neighbours",
    "1",
    "--min-relative-weight",
    "1.0",
    "--weight-bits",
    "1",
];

#[test]
fn nightly_loop_builds_gates_refuses_worse_accepts_better_and_rolls_back() {
    let dir = tempfile::tempdir().unwrap();
    let (catalog, days) = day_files(dir.path());
    let days: Vec<(&String, &String)> = days.iter().collect();
    assert!(days.len() >= 6, "{} days", days.len());
    let collected = temp_path(&dir, "collected");
    let site = temp_path(&dir, "site");
    std::fs::create_dir_all(&collected).unwrap();
    // A day from long ago that the 28-day window leaves out.
    collect(
        Path::new(&collected),
        "2023-09-01",
        "not even events\n",
        false,
    );
    for (i, (day, lines)) in days[..3].iter().enumerate() {
        collect(Path::new(&collected), day, lines, i == 0);
    }

    // Night 1: no manifest yet, the first bundle is published.
    let first = build(&catalog, &collected, &site, &[]);
    check(
        &first,
        0,
        &[
            "3 collected day file(s) from",
            "(1 older file(s) outside --since left out)",
        ],
    );
    let bundle_a = live_bundle(&site);
    assert_eq!(written_bundle(&first), bundle_a);

    // Night 2: one more day; a deliberately worse recipe is refused, the manifest stays.
    collect(Path::new(&collected), days[3].0, days[3].1, false);
    let worse = build(&catalog, &collected, &site, &WORSE);
    check(
        &worse,
        4,
        &[
            "NOT PUBLISHED",
            "the new bundle ranks worse beyond its interval",
        ],
    );
    assert_eq!(live_bundle(&site), bundle_a);
    let bundle_w = written_bundle(&worse);
    assert!(
        Path::new(&site).join(&bundle_w).exists(),
        "the refused bundle stays for inspection"
    );

    // The operator forces it out anyway (say, to test it live).
    let forced = build(
        &catalog,
        &collected,
        &site,
        &[&WORSE[..], &["--force"]].concat(),
    );
    check(&forced, 0, &[]);
    assert_eq!(live_bundle(&site), bundle_w);

    // Night 3: the usual recipe on one more day ranks better than the live (worse) bundle.
    collect(Path::new(&collected), days[4].0, days[4].1, true);
    let better = build(&catalog, &collected, &site, &[]);
    check(&better, 0, &["no worse than the live bundle"]);
    let difference = better
        .stderr
        .split("difference +")
        .nth(1)
        .expect("a positive difference");
    assert!(
        !difference.starts_with("0.0000"),
        "strictly better: {}",
        better.stderr
    );
    let bundle_b = written_bundle(&better);
    assert_eq!(live_bundle(&site), bundle_b);

    // Roll back: one command, the previous bundle; again: the one before it.
    let manifest = format!("{site}/manifest.json");
    let back = aisle(&["rollback", "--manifest", &manifest]);
    check(&back, 0, &[]);
    assert_eq!(live_bundle(&site), bundle_w);
    let again = aisle(&["rollback", "--manifest", &manifest]);
    check(&again, 0, &[]);
    assert_eq!(live_bundle(&site), bundle_a);
    let none = aisle(&["rollback", "--manifest", &manifest]);
    check(&none, 1, &["no bundle published before"]);
    // Or straight to a named bundle.
    let named = aisle(&["rollback", "--manifest", &manifest, "--to", &bundle_b]);
    check(&named, 0, &[]);
    assert_eq!(live_bundle(&site), bundle_b);
}

#[test]
fn rollback_refuses_a_bundle_the_plugin_would_refuse() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path();
    std::fs::write(
        site.join("manifest.json"),
        r#"{"manifest_version":1,"bundle":"bundle-a.bin","model_version":"m"}"#,
    )
    .unwrap();
    std::fs::write(site.join("bundle-b.bin"), b"AISLEBDL but cut short").unwrap();
    let manifest = site.join("manifest.json").display().to_string();
    let run = aisle(&["rollback", "--manifest", &manifest, "--to", "bundle-b.bin"]);
    check(
        &run,
        1,
        &["bundle-b.bin: not a bundle the plugin would load"],
    );
    assert!(std::fs::read_to_string(site.join("manifest.json"))
        .unwrap()
        .contains("bundle-a.bin"));
}
