//! `aisle build`: catalog [+ events] → `bundle-<hash>.bin` + `manifest.json`.
//!
//! The bundle file is named after the first 16 hex digits of its SHA-256, so it can be cached
//! forever; the manifest points at it. The same inputs give byte-identical files: the build
//! time is the newest event's time and every map is ordered. The event log is streamed
//! (`crate::spill`): memory holds the catalog and the model, whatever the log's size. Without
//! events (day one), or when no event names a catalog product, the bundle is catalog-only
//! (see `crate::train`); the manifest still carries the holdout experiment, so the A/B test
//! runs from the first day.
use std::path::{Path, PathBuf};

use aisle::bundle::format::encode;
use aisle::bundle::Model;
use aisle::manifest::{Manifest, MANIFEST_VERSION};
use anyhow::{bail, Context};
use clap::Args;
use sha2::{Digest, Sha256};

use crate::abandon::sample::AbandonSample;
use crate::catalog::{load_catalog, Catalog, CatalogInputArgs, Product};
use crate::event_log::{EventIssues, Session, SessionSource};
use crate::resolve::{IdResolver, Resolution, ResolutionCounter};
use crate::spill::{self, sessions::SessionSorter, TempDir};
use crate::train::{fit::fit, layout, train, TrainConfig};

/// Arguments of `aisle build`.
#[derive(Args)]
pub struct BuildArgs {
    /// Catalog: aisle's CSV, a Shopify product export or products.json, or a WooCommerce
    /// product export.
    #[arg(long)]
    pub catalog: PathBuf,
    /// Mapping file, id map, products to include: see `aisle audit`.
    #[command(flatten)]
    pub catalog_input: CatalogInputArgs,
    /// Events NDJSON (aisle event schema v1): files, and directories such as `aisle collect`'s
    /// (daily `events-YYYY-MM-DD.ndjson`, gzipped or not); imported history may sit beside them.
    /// Without any (day one), the bundle is built from the catalog alone: it personalizes from
    /// the shopper's session only.
    #[arg(long, num_args = 1..)]
    pub events: Vec<PathBuf>,
    /// The session table of `sql/ga4_sessions.sql`, run in BigQuery and exported as CSV or
    /// newline-delimited JSON (gzipped or not): read as events beside `--events` (the query's
    /// date range is its window; `--since` does not cut it).
    #[arg(long, num_args = 1..)]
    pub ga4_sessions: Vec<PathBuf>,
    /// Only collected day files of this window: `28d` (the newest day and the 27 before it) or
    /// a first day `2024-01-31`. Files without a day in their name are read whole.
    #[arg(long, value_parser = crate::event_log::parse_since)]
    pub since: Option<crate::event_log::Since>,
    #[command(flatten)]
    pub gate: crate::gate::GateArgs,
    /// Output directory (created if missing). While it runs, the build also keeps its
    /// temporary files here (about a third of the event log's size), removed at the end.
    #[arg(long)]
    pub out: PathBuf,
    /// Neighbours kept per product.
    #[arg(long, default_value_t = crate::train::neighbours::DEFAULT_NEIGHBOURS)]
    pub neighbours: usize,
    /// Neighbours weaker than this share of a product's strongest are dropped.
    #[arg(long, default_value_t = crate::train::neighbours::MIN_RELATIVE_WEIGHT)]
    pub min_relative_weight: f32,
    /// Bits per neighbour weight in the bundle: 1, 2, 4 or 8.
    #[arg(long, default_value_t = crate::train::DEFAULT_WEIGHT_BITS, value_parser = parse_weight_bits)]
    pub weight_bits: u8,
    /// Share of visitors in the holdout arm (the shop's order) of the manifest's experiment
    /// `aisle-rerank`; 0 writes no experiment (everybody personalized). 0.05–0.1 suits a
    /// long-running holdout.
    #[arg(long, default_value_t = 0.5, value_parser = parse_share)]
    pub holdout: f64,
    /// Train the abandon model on sessions that end near the end of the log too (use when
    /// the log holds whole sessions, as exported datasets do; a live shop's log does not).
    #[arg(long)]
    pub keep_open_sessions: bool,
}

/// Parses `--holdout`: a share in 0..1.
pub fn parse_share(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(share) if (0.0..1.0).contains(&share) => Ok(share),
        _ => Err(format!(
            "{text:?} is not a share from 0 up to (not including) 1"
        )),
    }
}

/// The manifest's experiments for a holdout share (none for 0).
pub fn experiments_for_holdout(holdout: f64) -> Vec<aisle::manifest::ExperimentConfig> {
    if holdout <= 0.0 {
        return Vec::new();
    }
    let mut experiment = aisle::manifest::default_experiment();
    experiment.arms[0].weight = holdout;
    experiment.arms[1].weight = 1.0 - holdout;
    vec![experiment]
}

/// What a build wrote.
pub struct BuildOutput {
    /// The bundle file name.
    pub bundle_name: String,
    /// Bundle size in bytes.
    pub bundle_len: usize,
    /// True when no session taught the model anything (no events, or none on the catalog).
    pub catalog_only: bool,
    /// How the events' product ids resolved (`None` without events).
    pub event_ids: Option<crate::resolve::Resolution>,
}

/// Runs `aisle build`; the exit code says whether the manifest moved (see `crate::gate`).
pub fn run(mut args: BuildArgs) -> anyhow::Result<i32> {
    // The session table becomes one more events file, kept until the build is done.
    let _table = if args.ga4_sessions.is_empty() {
        None
    } else {
        std::fs::create_dir_all(&args.out)
            .with_context(|| format!("cannot create {}", args.out.display()))?;
        let temp = TempDir::create(
            args.out
                .join(format!(".aisle-ga4-sessions-{}", std::process::id())),
        )?;
        let events =
            crate::import::ga4_sessions::events_from_tables(&args.ga4_sessions, temp.path())?;
        args.events.push(events);
        Some(temp)
    };
    let catalog = load_catalog(&args.catalog, &args.catalog_input)?;
    warn_all(catalog.issues.warnings(&args.catalog));
    let config = TrainConfig {
        neighbours: crate::train::neighbours::NeighbourConfig {
            per_product: args.neighbours,
            min_relative_weight: args.min_relative_weight,
            ..Default::default()
        },
        neighbour_weight_bits: args.weight_bits,
        ..TrainConfig::default()
    };
    let abandon = crate::abandon::AbandonTrainingConfig {
        drop_open_sessions: !args.keep_open_sessions,
        ..Default::default()
    };
    crate::gate::build_and_publish(&args, &catalog, &config, &abandon)
}

/// Parses `--weight-bits`.
pub fn parse_weight_bits(text: &str) -> Result<u8, String> {
    match text.parse::<u8>() {
        Ok(bits) if aisle::bundle::WEIGHT_BITS.contains(&bits) => Ok(bits),
        _ => Err(format!("{text:?} is not one of 1, 2, 4, 8")),
    }
}

/// Prints warnings on stderr.
pub fn warn_all(warnings: Vec<String>) {
    for warning in warnings {
        eprintln!("aisle: warning: {warning}");
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// What a bundle is built from.
pub struct BuildInputs<'a> {
    /// The catalog as read, with `--ids`, `--map`, `--fill` and `--include` applied.
    pub catalog: &'a Catalog,
    /// The event log (NDJSON) of the window, read in passes; `None` builds from the catalog
    /// alone.
    pub events_path: Option<&'a Path>,
}

/// An event log spilled to visitor files and cut into sessions.
struct SpilledEvents {
    visitors: spill::visitors::VisitorFiles,
    sessions: spill::sessions::SessionFile,
    newest_ms: u64,
    resolution: Resolution,
}

/// Whether a file holds anything but whitespace (read only up to its first other byte).
fn holds_anything(path: &Path) -> anyhow::Result<bool> {
    use std::io::Read;
    let mut file = std::fs::File::open(path)
        .with_context(|| format!("cannot read events {}", path.display()))?;
    let mut buffer = [0u8; 8192];
    loop {
        let n = file
            .read(&mut buffer)
            .with_context(|| format!("cannot read events {}", path.display()))?;
        if n == 0 {
            return Ok(false);
        }
        if buffer[..n].iter().any(|b| !b.is_ascii_whitespace()) {
            return Ok(true);
        }
    }
}

/// Spills the log into `temp`, cuts it into sessions with every product id resolved to the
/// catalog's, and warns about what was odd.
fn spill_events(
    path: &Path,
    temp: &Path,
    resolver: &IdResolver,
    hasher: &mut Sha256,
) -> anyhow::Result<SpilledEvents> {
    let visitors =
        spill::visitors::spill(path, temp, hasher, spill::visitors::INPUT_BYTES_PER_FILE)?;
    let mut sorter = SessionSorter::new(temp, spill::sessions::RUN_BYTES);
    let mut counter = ResolutionCounter::default();
    let summary = visitors.for_each_visitor(&mut |visitor, actions| {
        spill::add_sessions(visitor, actions, resolver, &mut counter, &mut sorter)
    })?;
    let sessions = sorter.finish()?;
    warn_all(
        EventIssues {
            duplicates: summary.duplicates,
            ..visitors.issues.clone()
        }
        .warnings(path),
    );
    let resolution = counter.finish();
    report_resolution(&resolution);
    Ok(SpilledEvents {
        visitors,
        sessions,
        newest_ms: summary.newest_ms,
        resolution,
    })
}

/// Says on stderr how the events' product ids resolved, and warns about those that name no
/// catalog product.
pub fn report_resolution(resolution: &Resolution) {
    eprintln!("aisle: {}", resolution.summary("product ids in the events"));
    if resolution.resolved < resolution.ids {
        eprintln!(
            "aisle: warning: {} product action(s) name products missing from the catalog; they are not learned from (aisle audit --events lists them)",
            resolution.ids - resolution.resolved
        );
    }
}

/// Checks the catalog can make a bundle, trains, and writes bundle and manifest into `out`.
/// The event log is streamed through a temporary directory in `out` (see `crate::spill`), so
/// memory holds the catalog and the model, not the log. `config.model_version` is replaced
/// by one naming everything that shapes the bundle ([`model_version_hasher`], then the event
/// log's length and bytes), so two different builds never share a version and the same
/// inputs always give the same one. Without events the bundle is catalog-only and built "at"
/// time 0 (no event gives a time; the clock would make builds differ).
pub fn build(
    inputs: &BuildInputs,
    config: &TrainConfig,
    out: &Path,
    experiments: Vec<aisle::manifest::ExperimentConfig>,
    abandon: &crate::abandon::AbandonTrainingConfig,
) -> anyhow::Result<BuildOutput> {
    let catalog = inputs.catalog;
    check_catalog(catalog)?;
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let temp = TempDir::create(out.join(format!(".aisle-build-{}", std::process::id())))?;

    let mut hasher = model_version_hasher(catalog, config, abandon)?;
    let resolver = IdResolver::new(&catalog.products);
    warn_all(resolver.alias_issues.warnings());
    let events = match inputs.events_path {
        Some(path) if holds_anything(path)? => {
            Some(spill_events(path, temp.path(), &resolver, &mut hasher)?)
        }
        Some(path) => {
            eprintln!(
                "aisle: note: {} holds no events; building from the catalog alone",
                path.display()
            );
            None
        }
        None => None,
    };
    let config = TrainConfig {
        model_version: format!("aisle-1-{}", &hex(&hasher.finalize())[..12]),
        ..config.clone()
    };
    let no_sessions: Vec<Session> = Vec::new();
    let sessions: &dyn SessionSource = match &events {
        Some(events) => &events.sessions,
        None => &no_sessions,
    };
    let now_ms = events.as_ref().map_or(0, |e| e.newest_ms);
    let weights = match &events {
        None => config.weights.clone(),
        Some(_) => {
            let (weights, fit_report) = fit(&catalog.products, sessions, &config)?;
            match &fit_report.kept_defaults {
                Some(why) => eprintln!("aisle: note: default scoring weights kept: {why}"),
                None => eprintln!(
                    "aisle: weights fitted on {} validation targets: MRR {:.4} (defaults {:.4})",
                    fit_report.validation_targets,
                    fit_report.validation_mrr_fitted,
                    fit_report.validation_mrr_default
                ),
            }
            weights
        }
    };
    let mut wire = train(
        &catalog.products,
        sessions,
        now_ms,
        &TrainConfig {
            weights,
            ..config.clone()
        },
    )?;
    if wire.trained_sessions == 0 {
        eprintln!(
            "aisle: catalog-only bundle: {}; it personalizes from the shopper's own session (categories, brands, colours, sizes, price bands of the products they look at), neighbours come from catalog similarity, and grids keep the shop's order until the shopper does something",
            if events.is_some() {
                "no event names a catalog product"
            } else {
                "built without events"
            }
        );
    } else {
        eprintln!("aisle: learned from {} sessions", wire.trained_sessions);
    }
    if let Some(events) = &events {
        wire.abandon = abandon_model(&wire, &events.visitors, now_ms, abandon)?;
    }
    drop(temp);
    let bytes = encode(&wire);
    // The bundle is read back exactly as a browser would, so a build never writes one the
    // plugin would refuse.
    Model::from_bytes(&bytes).context("the built bundle does not decode (a bug in aisle build)")?;
    let bundle_name = format!("bundle-{}.bin", &hex(&Sha256::digest(&bytes))[..16]);
    let bundle_path = out.join(&bundle_name);
    std::fs::write(&bundle_path, &bytes)
        .with_context(|| format!("cannot write {}", bundle_path.display()))?;
    let manifest = Manifest {
        manifest_version: MANIFEST_VERSION,
        bundle: bundle_name.clone(),
        model_version: wire.model_version.clone(),
        kill_switch: false,
        experiments,
    };
    let manifest_path = out.join("manifest.json");
    let mut text = serde_json::to_string_pretty(&manifest)?;
    text.push('\n');
    std::fs::write(&manifest_path, text)
        .with_context(|| format!("cannot write {}", manifest_path.display()))?;
    Ok(BuildOutput {
        bundle_name,
        bundle_len: bytes.len(),
        catalog_only: wire.trained_sessions == 0,
        event_ids: events.map(|e| e.resolution),
    })
}

/// A hasher holding what shapes a bundle besides the events: the products as read (so the
/// catalog file and every `--ids`, `--map`, `--fill` and `--include` that changed them) and
/// the training options, each as its length (8 bytes, little-endian) and bytes. The build
/// adds the event log of the window (`--since` changes which events it holds).
fn model_version_hasher(
    catalog: &Catalog,
    config: &TrainConfig,
    abandon: &crate::abandon::AbandonTrainingConfig,
) -> anyhow::Result<Sha256> {
    let options = format!(
        "{:?}\n{abandon:?}",
        TrainConfig {
            model_version: String::new(),
            ..config.clone()
        }
    );
    let mut hasher = Sha256::new();
    for part in [serde_json::to_vec(&catalog.products)?, options.into_bytes()] {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(&part);
    }
    Ok(hasher)
}

/// Trains the cart-abandon model on the log's cart sessions (see docs/abandon.md), replaying
/// the visitors one at a time into a bounded sample. A log too small for one gives a bundle
/// without it: the browser then withholds abandon scores.
fn abandon_model(
    wire: &aisle::bundle::BundleWire,
    visitors: &spill::visitors::VisitorFiles,
    now_ms: u64,
    config: &crate::abandon::AbandonTrainingConfig,
) -> anyhow::Result<Option<aisle::abandon::AbandonModelWire>> {
    let Ok(catalog) = Model::from_wire(wire.clone()) else {
        return Ok(None);
    };
    let mut sample = AbandonSample::new(config);
    visitors.for_each_visitor(&mut |visitor, actions| {
        sample.add_visitor(visitor, actions, Some(&catalog), &config.replay);
        Ok(())
    })?;
    Ok(
        match crate::abandon::train_on_sample(sample, now_ms, config) {
            Ok((model, report)) => {
                let sampled = if report.sessions_in_data > config.max_sessions {
                    format!(", sampled from {}", report.sessions_in_data)
                } else {
                    String::new()
                };
                eprintln!(
                "aisle: abandon model trained on {} cart sessions ({} abandoned, {} scoring moments{sampled})",
                report.sessions, report.abandoned_sessions, report.moments
            );
                Some(model)
            }
            Err(why) => {
                eprintln!("aisle: note: no abandon model in this bundle: {why:#}");
                None
            }
        },
    )
}

/// Reads one attribute of a product, as the bundle keeps it.
type AttributeOf = fn(&Product) -> Option<&str>;

/// Refuses catalogs a bundle cannot hold, warns about ones it cannot rank.
pub fn check_catalog(catalog: &Catalog) -> anyhow::Result<()> {
    let products = &catalog.products;
    if products.is_empty() {
        bail!("the catalog has no usable products; nothing to build");
    }
    if products.len() == 1 {
        eprintln!(
            "aisle: warning: the catalog has a single product; the bundle can never reorder a grid"
        );
    }
    let categories: std::collections::BTreeSet<&str> =
        products.iter().map(|p| p.category.as_str()).collect();
    if categories.len() > layout::MAX_CATEGORIES {
        bail!(
            "the catalog has {} categories; a bundle holds at most {}",
            categories.len(),
            layout::MAX_CATEGORIES
        );
    }
    let attributes: [(&str, AttributeOf); 3] = [
        ("brands", |p| p.brand.as_deref()),
        ("colours", layout::product_color),
        ("size ranges", layout::product_size),
    ];
    for (what, value) in attributes {
        let distinct: std::collections::BTreeSet<&str> =
            products.iter().filter_map(value).collect();
        if distinct.len() > layout::MAX_BRANDS {
            bail!(
                "the catalog has {} {what}; a bundle holds at most {}",
                distinct.len(),
                layout::MAX_BRANDS
            );
        }
    }
    if products.iter().any(|p| p.id.contains('\n')) {
        bail!("a product id contains a line break, which a bundle cannot hold");
    }
    Ok(())
}
