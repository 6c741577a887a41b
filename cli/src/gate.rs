//! The publish gate of `aisle build`: the manifest only moves to a new bundle that ranks no
//! worse than the bundle it names now.
//!
//! The build writes its bundle next to the manifest (content-addressed, so nothing is ever
//! overwritten) and its manifest into a staging directory. When a manifest already names a
//! live bundle, the gate tests the new build against it on held-out days, with the protocol of
//! `aisle evaluate`: the held-out days are the newest `--gate-days` days of the events, and
//! never days the live bundle learned from (only events newer than its `built_at`). The new
//! build's recipe (same catalog, same settings) is trained again on the events before those
//! days alone, so neither side has seen the test; sessions that straddle the cut are left out.
//! For every next-item target of a held-out session, both bundles rank the target's category
//! grid (the catalog's order where they tie); the difference in reciprocal rank is averaged
//! with a 95% bootstrap interval over sessions. When the whole interval is below zero, the new
//! build is worse beyond its interval: the manifest stays as it is and `aisle build` exits
//! with [`EXIT_NOT_PUBLISHED`]. `--force` publishes without the test. Every publish is
//! recorded next to the manifest for `aisle rollback`.
use std::collections::HashSet;
use std::io::{BufWriter, Write};
use std::path::Path;

use aisle::bundle::Model;
use aisle::events::Event;
use anyhow::{bail, Context};
use clap::Args;
use serde::Deserialize;

use crate::build::{BuildArgs, BuildInputs};
use crate::catalog::Catalog;
use crate::dates::DAY_MS;
use crate::evaluate::methods::{Bundle, Method};
use crate::evaluate::metrics::{bootstrap, Estimate};
use crate::evaluate::protocol::{index_by_id, score_target, targets, Shop};
use crate::rollback::{publish, read_bundle, read_manifest, Published};
use crate::spill::TempDir;
use crate::text_input::for_each_line;
use crate::train::TrainConfig;

/// `aisle build`'s exit code when the manifest was left unchanged (the new bundle ranked
/// worse than the live one beyond its interval, or could not be compared with it).
pub const EXIT_NOT_PUBLISHED: i32 = 4;

/// Bootstrap resamples of the gate's interval (as `aisle evaluate`'s default).
const RESAMPLES: usize = 1000;

/// The gate's arguments of `aisle build`.
#[derive(Args, Clone, Debug)]
pub struct GateArgs {
    /// Point the manifest at the new bundle without comparing it with the live one.
    #[arg(long)]
    pub force: bool,
    /// Held-out days of the gate: the newest this many days of the events (only events newer
    /// than the live bundle's are ever used).
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u64).range(1..))]
    pub gate_days: u64,
}

/// What the gate decided.
#[derive(Clone, Debug)]
pub struct Verdict {
    /// Whether the manifest moves to the new bundle.
    pub publish: bool,
    /// One sentence: what was compared and what came out.
    pub summary: String,
}

/// Builds into `args.out`, then points the manifest at the new bundle if the gate lets it.
/// Returns the exit code: 0 when published, [`EXIT_NOT_PUBLISHED`] when not.
pub fn build_and_publish(
    args: &BuildArgs,
    catalog: &Catalog,
    config: &TrainConfig,
    abandon: &crate::abandon::AbandonTrainingConfig,
) -> anyhow::Result<i32> {
    let out = &args.out;
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    // No events (day one): a catalog-only bundle.
    let events = if args.events.is_empty() {
        None
    } else {
        Some(crate::event_log::gather(&args.events, args.since, out)?)
    };
    for note in events.iter().flat_map(|e| &e.notes) {
        eprintln!("aisle: events: {note}");
    }
    let staging = TempDir::create(out.join(format!(".aisle-staging-{}", std::process::id())))?;
    let inputs = BuildInputs {
        catalog,
        catalog_path: &args.catalog,
        events_path: events.as_ref().map(|e| e.path()),
    };
    let output = crate::build::build(
        &inputs,
        config,
        staging.path(),
        crate::build::experiments_for_holdout(args.holdout),
        abandon,
    )?;
    let bundle_path = out.join(&output.bundle_name);
    if !bundle_path.exists() {
        std::fs::rename(staging.path().join(&output.bundle_name), &bundle_path)
            .with_context(|| format!("cannot write {}", bundle_path.display()))?;
    }
    eprintln!(
        "aisle: wrote {} ({} bytes) to {}",
        output.bundle_name,
        output.bundle_len,
        out.display()
    );
    let mut manifest = read_manifest(&staging.path().join("manifest.json"))?;
    let manifest_path = out.join("manifest.json");
    let live = if manifest_path.exists() {
        Some(read_manifest(&manifest_path)?)
    } else {
        None
    };
    let verdict = match &live {
        None => Verdict {
            publish: true,
            summary: "no manifest yet: the first bundle is published".into(),
        },
        Some(live) => {
            // The kill switch is the operator's: a nightly build never turns it off.
            manifest.kill_switch = live.kill_switch;
            if live.bundle == output.bundle_name {
                Verdict {
                    publish: true,
                    summary: "the new bundle is the live bundle (same bytes)".into(),
                }
            } else if args.gate.force {
                Verdict {
                    publish: true,
                    summary: "--force: published without comparing".into(),
                }
            } else {
                check(
                    &out.join(&live.bundle),
                    &inputs,
                    config,
                    abandon,
                    args.gate.gate_days,
                    staging.path(),
                )?
            }
        }
    };
    if !verdict.publish {
        eprintln!(
            "aisle: NOT PUBLISHED: {}. {} still names {}; the new {} stays next to it (aisle rollback --manifest {} --to {} publishes it by hand, or rebuild with --force)",
            verdict.summary,
            manifest_path.display(),
            live.as_ref().map_or("", |l| l.bundle.as_str()),
            output.bundle_name,
            manifest_path.display(),
            output.bundle_name
        );
        return Ok(EXIT_NOT_PUBLISHED);
    }
    let entry = Published {
        bundle: output.bundle_name.clone(),
        model_version: manifest.model_version.clone(),
        by: if args.gate.force {
            "build --force"
        } else {
            "build"
        }
        .into(),
        gate: Some(verdict.summary.clone()),
    };
    publish(&manifest_path, &manifest, entry)?;
    eprintln!(
        "aisle: published: {} now names {} ({})",
        manifest_path.display(),
        output.bundle_name,
        verdict.summary
    );
    Ok(0)
}

/// Only the time of an event line.
#[derive(Deserialize)]
struct Time {
    ts: u64,
}

/// Compares the new build's recipe with the live bundle on held-out days (see the module).
pub fn check(
    live_path: &Path,
    inputs: &BuildInputs,
    config: &TrainConfig,
    abandon: &crate::abandon::AbandonTrainingConfig,
    gate_days: u64,
    work: &Path,
) -> anyhow::Result<Verdict> {
    let refuse = |summary: String| {
        Ok(Verdict {
            publish: false,
            summary,
        })
    };
    let live = match read_bundle(live_path) {
        Ok(live) => live,
        Err(error) => {
            return refuse(format!(
                "the live bundle cannot be compared with: {error:#}"
            ))
        }
    };
    let Some(events_path) = inputs.events_path else {
        // Nothing to test on. A catalog-only bundle replaces another freely (the catalog
        // changed; nothing learned is lost), never one learned from events.
        return Ok(Verdict {
            publish: live.trained_sessions == 0,
            summary: if live.trained_sessions == 0 {
                "no events: a catalog-only bundle replaces a catalog-only bundle".into()
            } else {
                format!(
                    "no events: a catalog-only bundle would replace one learned from {} sessions",
                    live.trained_sessions
                )
            },
        });
    };
    let newest = newest_time(events_path)?;
    let cut = (newest + 1)
        .saturating_sub(gate_days * DAY_MS)
        .max(live.built_at_ms + 1);
    if cut > newest {
        return refuse(format!(
            "no events newer than the live bundle's (it learned from events up to {}): nothing to test the new bundle on",
            format_time(live.built_at_ms)
        ));
    }
    let train_path = work.join("gate-train.ndjson");
    let (held_out, straddling_keys) = split_at(events_path, cut, &train_path)?;
    eprintln!(
        "aisle: gate: training the new build's recipe on the events before {} to compare it with the live bundle on the {} events after",
        format_time(cut),
        held_out.len()
    );
    let candidate_out = work.join("gate-candidate");
    let candidate = crate::build::build(
        &BuildInputs {
            events_path: Some(&train_path),
            ..*inputs
        },
        config,
        &candidate_out,
        Vec::new(),
        abandon,
    )
    .context("gate: training on the events before the held-out days")?;
    let candidate = read_bundle(&candidate_out.join(&candidate.bundle_name))?;
    let mut test = crate::event_log::sessions(&held_out);
    let before = test.len();
    test.retain(|s| !straddling_keys.contains(&(s.visitor.clone(), s.session.clone())));
    let straddling = before - test.len();
    Ok(compare(
        &live,
        &candidate,
        inputs.catalog,
        &test,
        straddling,
        cut,
    ))
}

/// The verdict from ranking the held-out sessions' targets with both bundles.
fn compare(
    live: &Model,
    candidate: &Model,
    catalog: &Catalog,
    test: &[crate::event_log::Session],
    straddling: usize,
    cut: u64,
) -> Verdict {
    let products = &catalog.products;
    let shop = Shop::from_counts(products, index_by_id(products), &vec![0; products.len()]);
    let (targets, _) = targets(&shop, test, &vec![true; products.len()]);
    let days = format!(
        "held out from {} ({} sessions, {straddling} straddling the cut left out)",
        format_time(cut),
        test.len()
    );
    if targets.is_empty() {
        return Verdict {
            publish: false,
            summary: format!("{days}: no next-item targets to compare the bundles on"),
        };
    }
    let mut methods = [Bundle::new(live, &shop), Bundle::new(candidate, &shop)];
    let mut per_method: [Vec<[f64; 5]>; 2] = [Vec::new(), Vec::new()];
    let mut scores = Vec::new();
    {
        let [live_method, candidate_method] = &mut methods;
        let mut method_refs: [&mut dyn Method; 2] = [live_method, candidate_method];
        for (number, target) in targets.iter().enumerate() {
            score_target(
                &shop,
                test,
                target,
                number,
                &mut method_refs,
                &mut per_method,
                &mut scores,
            );
        }
    }
    let sessions: Vec<usize> = targets.iter().map(|t| t.session).collect();
    let difference: Vec<[f64; 5]> = per_method[1]
        .iter()
        .zip(&per_method[0])
        .map(|(new, old)| std::array::from_fn(|m| new[m] - old[m]))
        .collect();
    let estimate = |values: &[[f64; 5]]| -> Estimate {
        bootstrap(values, &sessions, test.len(), RESAMPLES, 1)[0]
    };
    let (old, new, delta) = (
        estimate(&per_method[0]),
        estimate(&per_method[1]),
        estimate(&difference),
    );
    let worse = delta.high < 0.0;
    Verdict {
        publish: !worse,
        summary: format!(
            "{days}: MRR on {} targets: new {:.4}, live {:.4}, difference {:+.4} [95% {:+.4}, {:+.4}]{}",
            targets.len(),
            new.mean,
            old.mean,
            delta.mean,
            delta.low,
            delta.high,
            if worse {
                ": the new bundle ranks worse beyond its interval"
            } else {
                ": no worse than the live bundle"
            }
        ),
    }
}

/// `2024-01-31 23:59 UTC`.
fn format_time(ms: u64) -> String {
    jiff::Timestamp::from_millisecond(ms as i64)
        .map(|t| t.strftime("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_else(|_| ms.to_string())
}

/// The newest event time of a log (lines that are not events are the build's to report).
fn newest_time(path: &Path) -> anyhow::Result<u64> {
    let mut newest = 0;
    for_each_line(path, |_, line| {
        if let Some(time) = line.ok().and_then(|l| serde_json::from_str::<Time>(l).ok()) {
            newest = newest.max(time.ts);
        }
        Ok(())
    })?;
    Ok(newest)
}

/// A session's (visitor, session) ids.
type SessionKey = (String, String);

/// Writes the lines of the log before `cut` to `train` and returns the events at or after it,
/// with the (visitor, session) keys seen in the day before the cut: sessions that straddle it.
fn split_at(
    path: &Path,
    cut: u64,
    train: &Path,
) -> anyhow::Result<(Vec<Event>, HashSet<SessionKey>)> {
    let out = std::fs::File::create(train)
        .with_context(|| format!("cannot create {}", train.display()))?;
    let mut out = BufWriter::with_capacity(1 << 20, out);
    let (mut held_out, mut straddling) = (Vec::new(), HashSet::new());
    for_each_line(path, |number, line| {
        let Ok(line) = line else {
            bail!("{}: line {number}: not UTF-8", path.display());
        };
        match serde_json::from_str::<Event>(line) {
            Ok(event) if event.ts >= cut => held_out.push(event),
            Ok(event) => {
                if event.ts + DAY_MS >= cut {
                    straddling.insert((event.visitor.clone(), event.session.clone()));
                }
                writeln!(out, "{line}")?;
            }
            // Not an event: the training build counts and reports it.
            Err(_) => writeln!(out, "{line}")?,
        }
        Ok(())
    })?;
    out.flush()
        .with_context(|| format!("cannot write {}", train.display()))?;
    Ok((held_out, straddling))
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    /// An event line as the collector writes it.
    fn event(id: &str, ts: u64, visitor: &str) -> String {
        format!(
            r#"{{"v":1,"id":"{id}","ts":{ts},"visitor":"{visitor}","session":"s-{visitor}","type":"product_view","product":"p1"}}"#
        )
    }

    /// Writes `lines` gzipped, with a byte-order mark and CRLF line ends, as a log resaved on
    /// Windows and compressed for storage.
    fn windows_gz_log(path: &Path, lines: &[String]) {
        let mut gz = flate2::write::GzEncoder::new(
            std::fs::File::create(path).unwrap(),
            flate2::Compression::default(),
        );
        gz.write_all(b"\xEF\xBB\xBF").unwrap();
        for line in lines {
            write!(gz, "{line}\r\n").unwrap();
        }
        gz.finish().unwrap();
    }

    #[test]
    fn a_gzipped_crlf_log_with_a_bom_splits_at_the_cut() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("events.ndjson.gz");
        let cut = 10 * DAY_MS;
        // Line 1 (behind the BOM) is the newest event: an imported log need not be sorted.
        let lines = vec![
            event("late", cut + 5_000, "a"),
            event("old", cut - 2 * DAY_MS, "b"),
            event("near", cut - 1_000, "c"),
            "not an event".to_string(),
            event("after", cut, "d"),
        ];
        windows_gz_log(&log, &lines);
        assert_eq!(newest_time(&log).unwrap(), cut + 5_000);
        let train = dir.path().join("train.ndjson");
        let (held_out, straddling) = split_at(&log, cut, &train).unwrap();
        let held_out_ids: Vec<&str> = held_out.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(held_out_ids, ["late", "after"]);
        assert_eq!(
            straddling,
            HashSet::from([("c".to_string(), "s-c".to_string())])
        );
        // The training log is plain LF text without the BOM, in the log's order.
        assert_eq!(
            std::fs::read_to_string(&train).unwrap(),
            format!("{}\n{}\nnot an event\n", lines[1], lines[2])
        );
    }

    #[test]
    fn a_line_that_is_not_utf8_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("events.ndjson");
        let mut bytes = format!("{}\r\n", event("e1", 1, "a")).into_bytes();
        bytes.extend_from_slice(b"\xff\xfe\r\n");
        std::fs::write(&log, bytes).unwrap();
        let error = split_at(&log, 1, &dir.path().join("train.ndjson")).unwrap_err();
        assert!(
            format!("{error:#}").ends_with("events.ndjson: line 2: not UTF-8"),
            "{error:#}"
        );
    }
}
