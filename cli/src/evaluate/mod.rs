//! `aisle evaluate`: the honest offline test of the bundle against the shop's order and the
//! standard session-based baselines.
//!
//! Sessions are split by time (`protocol`): the bundle is trained, and its weights fitted, on
//! the earlier sessions only. For each target of each later session, every method reranks the
//! grid of the target's category (shop order = train popularity) given the prefix, and the
//! target's rank gives MRR, NDCG@10 and HitRate@10; every method also ranks the whole catalog
//! for HR@20 and MRR@20, the standard next-item protocol. Intervals are 95% bootstrap
//! intervals over sessions (`metrics`). Output: a Markdown table and JSON (`report`).
pub mod methods;
pub mod metrics;
pub mod protocol;
pub mod report;

use std::path::PathBuf;

use aisle::bundle::format::encode;
use aisle::bundle::Model;
use anyhow::{bail, Context};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use crate::build::{report_resolution, warn_all};
use crate::catalog::{load_catalog, CatalogInputArgs};
use crate::event_log::{read_events, sessions};
use crate::import::ga4_sessions::events_from_tables;
use crate::resolve::{resolve_sessions, IdResolver};
use crate::spill::TempDir;
use crate::train::{fit::fit, train, TrainConfig};
use methods::{Bundle, ItemKnn, LastCategoryFirst, Method, Random, SessionIndex, ShopOrder, Vsknn};
use protocol::{score_target, targets, time_split, Shop};

/// Arguments of `aisle evaluate`.
#[derive(Args)]
pub struct EvaluateArgs {
    /// Catalog: aisle's CSV, a Shopify product export or products.json, or a WooCommerce
    /// product export, as `aisle build` reads it.
    #[arg(long)]
    pub catalog: PathBuf,
    /// Mapping file, id map, products to include, gap fills: as `aisle build`.
    #[command(flatten)]
    pub catalog_input: CatalogInputArgs,
    /// Events NDJSON; product ids are resolved through the catalog's aliases (SKUs, variant
    /// and channel ids) as `aisle build` resolves them.
    #[arg(
        long,
        required_unless_present = "ga4_sessions",
        conflicts_with = "ga4_sessions"
    )]
    pub events: Option<PathBuf>,
    /// Instead of `--events`: the session table of `sql/ga4_sessions.sql` exported from
    /// BigQuery as CSV or newline-delimited JSON, as `aisle build --ga4-sessions` reads it.
    #[arg(long, num_args = 1..)]
    pub ga4_sessions: Vec<PathBuf>,
    /// Name shown in the report's title.
    #[arg(long, default_value = "dataset")]
    pub name: String,
    /// Share of sessions (the latest) that test.
    #[arg(long, default_value_t = 0.2)]
    pub test_fraction: f64,
    /// Seed of the random baseline and of the bootstrap.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Bootstrap resamples.
    #[arg(long, default_value_t = 1000)]
    pub resamples: usize,
    /// Write the Markdown report here (it is also printed).
    #[arg(long)]
    pub markdown: Option<PathBuf>,
    /// Write the JSON report here.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// Neighbours kept per product in the bundle (as `aisle build --neighbours`).
    #[arg(long, default_value_t = crate::train::neighbours::DEFAULT_NEIGHBOURS)]
    pub neighbours: usize,
    /// Neighbours weaker than this share of a product's strongest are dropped.
    #[arg(long, default_value_t = crate::train::neighbours::MIN_RELATIVE_WEIGHT)]
    pub min_relative_weight: f32,
    /// Bits per neighbour weight in the bundle: 1, 2, 4 or 8.
    #[arg(long, default_value_t = crate::train::DEFAULT_WEIGHT_BITS, value_parser = crate::build::parse_weight_bits)]
    pub weight_bits: u8,
}

pub fn run(args: EvaluateArgs) -> anyhow::Result<()> {
    if !(0.0..1.0).contains(&args.test_fraction) || args.test_fraction == 0.0 {
        bail!(
            "--test-fraction must be between 0 and 1, not {}",
            args.test_fraction
        );
    }
    let catalog = load_catalog(&args.catalog, &args.catalog_input)?;
    warn_all(catalog.issues.warnings(&args.catalog));
    crate::build::check_catalog(&catalog)?;
    let temp;
    let events_path = match &args.events {
        Some(path) => path.clone(),
        None => {
            temp = TempDir::create(
                std::env::temp_dir().join(format!("aisle-evaluate-{}", std::process::id())),
            )?;
            events_from_tables(&args.ga4_sessions, temp.path())?
        }
    };
    let log = read_events(&events_path)?;
    warn_all(log.issues.warnings(&events_path));
    let mut all = sessions(&log.events);
    let resolver = IdResolver::new(&catalog.products);
    warn_all(resolver.alias_issues.warnings());
    report_resolution(&resolve_sessions(&mut all, &resolver));
    let split = time_split(&all, args.test_fraction);
    if split.train.is_empty() || split.test.is_empty() {
        bail!(
            "{}: {} sessions cannot be split into training and test sessions by time",
            events_path.display(),
            all.len()
        );
    }
    let products = &catalog.products;
    let shop = Shop::new(products, &split.train);

    let config = TrainConfig {
        model_version: "evaluate".into(),
        neighbour_weight_bits: args.weight_bits,
        neighbours: crate::train::neighbours::NeighbourConfig {
            per_product: args.neighbours,
            min_relative_weight: args.min_relative_weight,
            ..Default::default()
        },
        ..TrainConfig::default()
    };
    let (weights, fit_report) = fit(products, &split.train, &config)?;
    let now_ms = split
        .train
        .iter()
        .filter_map(|s| s.interactions.last())
        .map(|i| i.ts)
        .max()
        .unwrap_or(0);
    let wire = train(
        products,
        &split.train,
        now_ms,
        &TrainConfig { weights, ..config },
    )?;
    let bytes = encode(&wire);
    let model = Model::from_bytes(&bytes).context("the trained bundle does not decode")?;

    let index = SessionIndex::new(&shop, &split.train);
    let mut seen = vec![false; products.len()];
    for session in &index.sessions {
        for &p in session {
            seen[p as usize] = true;
        }
    }
    let (targets, stats) = targets(&shop, &split.test, &seen);
    if targets.is_empty() {
        bail!("the test sessions have no next-item targets (sessions need two different products)");
    }
    let mut methods: Vec<Box<dyn Method + '_>> = vec![
        Box::new(ShopOrder),
        Box::new(Random { seed: args.seed }),
        Box::new(LastCategoryFirst { shop: &shop }),
        Box::new(ItemKnn::new(&index)),
        Box::new(Vsknn {
            index: &index,
            k: 100,
            sample: 500,
        }),
        Box::new(Bundle::new(&model, &shop)),
    ];
    let progress = ProgressBar::new(targets.len() as u64);
    progress.set_style(
        ProgressStyle::with_template("evaluating {bar:40} {pos}/{len} targets {eta}")
            .expect("the template is valid"),
    );
    let mut per_method: Vec<Vec<[f64; 5]>> = vec![Vec::with_capacity(targets.len()); methods.len()];
    let mut grid_sizes = 0usize;
    let mut scores = Vec::new();
    let mut method_refs: Vec<&mut dyn Method> = methods
        .iter_mut()
        .map(|m| &mut **m as &mut dyn Method)
        .collect();
    for (number, target) in targets.iter().enumerate() {
        grid_sizes += score_target(
            &shop,
            &split.test,
            target,
            number,
            &mut method_refs,
            &mut per_method,
            &mut scores,
        );
        progress.inc(1);
    }
    progress.finish_and_clear();
    let session_of: Vec<usize> = targets.iter().map(|t| t.session).collect();
    let results: Vec<report::MethodResult> = methods
        .iter()
        .zip(&per_method)
        .map(|(method, values)| report::MethodResult {
            method: method.name().to_string(),
            estimates: metrics::bootstrap(
                values,
                &session_of,
                split.test.len(),
                args.resamples,
                args.seed,
            ),
        })
        .collect();
    let report = report::Report {
        name: args.name.clone(),
        catalog: args.catalog.display().to_string(),
        events: match &args.events {
            Some(path) => path.display().to_string(),
            None => join_paths(&args.ga4_sessions),
        },
        products: products.len(),
        categories: shop.grids.len(),
        train_sessions: split.train.len(),
        test_sessions: split.test.len(),
        straddling_sessions_left_out: split.straddling,
        cut_ms: split.cut_ms,
        targets: stats,
        mean_grid_size: grid_sizes as f64 / targets.len() as f64,
        bundle_bytes: bytes.len(),
        seed: args.seed,
        resamples: args.resamples,
        fit: fit_report,
        metrics: metrics::METRICS.iter().map(|m| m.to_string()).collect(),
        results,
    };
    let markdown = report::markdown(&report);
    print!("{markdown}");
    if let Some(path) = &args.markdown {
        std::fs::write(path, &markdown)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    if let Some(path) = &args.json {
        let mut text = serde_json::to_string_pretty(&report)?;
        text.push('\n');
        std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}

fn join_paths(paths: &[PathBuf]) -> String {
    let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    names.join(", ")
}
