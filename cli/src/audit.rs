//! `aisle audit`: the catalog health report to read before switching personalization on.
//!
//! It prints the coverage of each attribute the model uses or could use, the rows that could
//! not be used (duplicate ids, missing ids, malformed rows, bad prices), and, given events,
//! how many of the products shoppers touched are missing from the catalog. Anything below the
//! threshold (95% by default) is flagged.
//!
//! Below the threshold, it looks where the attribute may live in the export (tags with a
//! common prefix, options in other languages, other columns: `crate::catalog::propose`) and
//! proposes a mapping with the coverage it would reach; `--propose-map` prints it as a
//! mapping file for `--map`. Products the shop does not show (drafts, archived, gift cards)
//! and rows that could not be used are counted by reason.
//!
//! Exit codes, for CI: 0 all checks pass; 1 the files cannot be read at all (error message);
//! [`EXIT_FLAGGED`] (3) a check is flagged. (2 is left to usage errors.) Attributes the model
//! needs (`--require`, default category, price, brand) flag the audit when below threshold;
//! the others are marked low in the report but do not change the exit code.
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use serde::Serialize;

use crate::catalog::mapping::Mapping;
use crate::catalog::propose::{proposal_toml, propose, Proposal};
use crate::catalog::{load_catalog, CatalogFormat, CatalogInputArgs, Product};
use crate::event_log::{read_events, sessions};
use crate::resolve::page::{audit_page, PageReport, PageSelectors};
use crate::resolve::{IdResolver, Resolution, ResolutionCounter};

/// The exit code of a flagged audit.
pub const EXIT_FLAGGED: i32 = 3;

/// Arguments of `aisle audit`.
#[derive(Args)]
pub struct AuditArgs {
    /// Catalog: aisle's CSV, a Shopify product export or products.json, or a WooCommerce
    /// product export.
    #[arg(long)]
    pub catalog: PathBuf,
    #[command(flatten)]
    pub input: CatalogInputArgs,
    /// Print only the proposed mapping file (TOML) on stdout, for
    /// `aisle audit … --propose-map > catalog-map.toml`.
    #[arg(long)]
    pub propose_map: bool,
    /// Events NDJSON, to check that the products shoppers touched are in the catalog.
    #[arg(long)]
    pub events: Option<PathBuf>,
    /// Coverage below this percentage is flagged.
    #[arg(long, default_value_t = 95.0)]
    pub threshold: f64,
    /// Attributes whose low coverage fails the audit (comma-separated).
    #[arg(long, value_delimiter = ',', default_value = "category,price,brand")]
    pub require: Vec<String>,
    /// Also write the report as JSON to this file.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// A saved category page (HTML): how many of its cards' ids name a catalog product, and
    /// whether its `data-category` is a catalog category. Needs --grid and --item.
    #[arg(long, requires_all = ["grid", "item"])]
    pub page: Option<PathBuf>,
    /// With --page: the script tag's `data-grid` selector.
    #[arg(long)]
    pub grid: Option<String>,
    /// With --page: the script tag's `data-item` selector.
    #[arg(long)]
    pub item: Option<String>,
    /// With --page: the script tag's `data-item-id` attribute.
    #[arg(long, default_value = crate::resolve::page::DEFAULT_ID_ATTRIBUTE)]
    pub item_id: String,
    /// With --page: the script tag's `data-item-id-pattern` (the id is its first capture group).
    #[arg(long)]
    pub item_id_pattern: Option<String>,
}

/// Attributes whose coverage is reported.
pub const ATTRIBUTES: [&str; 8] = [
    "title", "category", "price", "brand", "color", "size", "material", "in_stock",
];

/// One attribute's coverage.
#[derive(Clone, Debug, Serialize)]
pub struct Coverage {
    pub attribute: String,
    pub products_with_it: usize,
    pub percent: f64,
    /// Below the threshold.
    pub low: bool,
    /// Required and low: fails the audit.
    pub flagged: bool,
}

/// How the events match the catalog.
#[derive(Clone, Debug, Serialize)]
pub struct EventCoverage {
    pub product_actions: usize,
    pub actions_on_catalog_products: usize,
    pub percent_of_actions: f64,
    pub distinct_products: usize,
    pub distinct_missing_from_catalog: usize,
    /// Up to ten of the missing ids, those with the most actions first.
    pub missing_examples: Vec<String>,
    pub catalog_products_never_seen: usize,
    /// How the events' product ids resolve (product ids, aliases, Shopify channel ids).
    pub id_resolution: Resolution,
    pub malformed_lines: usize,
    pub duplicate_events: usize,
    pub out_of_order_events: usize,
    pub flagged: bool,
}

/// The whole report.
#[derive(Clone, Debug, Serialize)]
pub struct AuditReport {
    pub catalog: String,
    pub format: CatalogFormat,
    pub threshold_percent: f64,
    pub products: usize,
    pub rows: usize,
    pub categories: usize,
    pub brands: usize,
    pub coverage: Vec<Coverage>,
    pub duplicate_ids: usize,
    pub rows_without_id: usize,
    pub malformed_rows: usize,
    pub orphan_variations: usize,
    pub bad_values: usize,
    /// Products left out (drafts, archived, unpublished, gift cards), by reason.
    pub excluded: BTreeMap<String, usize>,
    /// The field delimiter when it was not a comma.
    pub delimiter: Option<String>,
    /// The text encoding when the file was not UTF-8.
    pub encoding: Option<String>,
    /// Products with other ids (SKUs, variant ids, …), and how many ids those are.
    pub products_with_aliases: usize,
    pub aliases: usize,
    /// Ids that name more than one product (so none), with those products.
    pub ambiguous_ids: Vec<(String, Vec<String>)>,
    pub unknown_columns: Vec<String>,
    /// What the id map (`--ids`) could not match.
    pub id_map_notes: Vec<String>,
    /// Where attributes below the threshold may live, with the coverage they would reach.
    pub proposals: Vec<Proposal>,
    /// The proposed mapping file (the mapping in use plus the proposals).
    #[serde(skip)]
    pub proposal_toml: String,
    pub events: Option<EventCoverage>,
    /// The saved page's cards against the catalog (`--page`).
    pub page: Option<PageReport>,
    /// Why the audit is flagged; empty when it passes.
    pub flags: Vec<String>,
}

pub fn run(args: AuditArgs) -> anyhow::Result<i32> {
    let report = audit(&args)?;
    if args.propose_map {
        print!("{}", report.proposal_toml);
        return Ok(0);
    }
    print!("{}", markdown(&report));
    if let Some(path) = &args.json {
        let mut text = serde_json::to_string_pretty(&report)?;
        text.push('\n');
        std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(if report.flags.is_empty() {
        0
    } else {
        EXIT_FLAGGED
    })
}

fn has(product: &Product, attribute: &str) -> bool {
    match attribute {
        "title" => !product.title.is_empty(),
        "category" => !product.category.is_empty(),
        "price" => product.price.is_some(),
        "brand" => product.brand.is_some(),
        "color" => product.color.is_some(),
        "size" => product.size.is_some(),
        "material" => product.material.is_some(),
        _ => product.in_stock.is_some(),
    }
}

fn percent(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        100.0 * part as f64 / whole as f64
    }
}

/// Reads the files and computes the report.
pub fn audit(args: &AuditArgs) -> anyhow::Result<AuditReport> {
    for attribute in &args.require {
        if !ATTRIBUTES.contains(&attribute.as_str()) {
            anyhow::bail!(
                "--require: unknown attribute {attribute:?} (known: {})",
                ATTRIBUTES.join(", ")
            );
        }
    }
    let catalog = load_catalog(&args.catalog, &args.input)?;
    let mapping = match &args.input.map {
        Some(path) => Mapping::read(path)?,
        None => Mapping::default(),
    };
    let proposals = propose(&catalog, args.threshold, &mapping);
    let proposal_toml = proposal_toml(&mapping, &proposals);
    let products = &catalog.products;
    let issues = &catalog.issues;
    let mut flags = Vec::new();
    let coverage: Vec<Coverage> = ATTRIBUTES
        .iter()
        .map(|&attribute| {
            let with = products.iter().filter(|p| has(p, attribute)).count();
            let pct = percent(with, products.len());
            let low = pct < args.threshold;
            let flagged = low && args.require.iter().any(|r| r == attribute);
            if flagged {
                flags.push(format!(
                    "{attribute} coverage {pct:.1}% is below {}%",
                    args.threshold
                ));
            }
            Coverage {
                attribute: attribute.to_string(),
                products_with_it: with,
                percent: pct,
                low,
                flagged,
            }
        })
        .collect();
    if products.len() < 2 {
        flags.push(format!(
            "the catalog has {} usable product(s); at least 2 are needed to reorder anything",
            products.len()
        ));
    }
    if !issues.duplicate_ids.is_empty() {
        flags.push(format!("{} duplicate id(s)", issues.duplicate_ids.len()));
    }
    if !issues.missing_id_lines.is_empty() {
        flags.push(format!(
            "{} row(s) without an id",
            issues.missing_id_lines.len()
        ));
    }
    if !issues.malformed_lines.is_empty() {
        flags.push(format!("{} malformed row(s)", issues.malformed_lines.len()));
    }
    if !issues.orphan_variation_lines.is_empty() {
        flags.push(format!(
            "{} variation(s) whose parent is not in the file",
            issues.orphan_variation_lines.len()
        ));
    }
    let resolver = IdResolver::new(products);
    let events = match &args.events {
        None => None,
        Some(path) => {
            let log = read_events(path)?;
            let mut actions_per_product: BTreeMap<String, usize> = BTreeMap::new();
            for session in sessions(&log.events) {
                for action in session
                    .interactions
                    .into_iter()
                    .filter(|a| a.kind.is_about_product())
                {
                    *actions_per_product.entry(action.id).or_insert(0) += 1;
                }
            }
            let product_actions: usize = actions_per_product.values().sum();
            let mut counter = ResolutionCounter::default();
            let mut seen = vec![false; products.len()];
            for (id, &n) in &actions_per_product {
                let found = resolver.resolve(id);
                for _ in 0..n {
                    counter.add(id, found.map(|(_, how)| how));
                }
                if let Some((index, _)) = found {
                    seen[index as usize] = true;
                }
            }
            let id_resolution = counter.finish();
            let on_catalog = id_resolution.resolved as usize;
            let mut missing: Vec<(&String, &usize)> = actions_per_product
                .iter()
                .filter(|(id, _)| resolver.resolve(id).is_none())
                .collect();
            missing.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
            let pct = percent(on_catalog, product_actions);
            let flagged = product_actions > 0 && pct < args.threshold;
            if flagged {
                flags.push(format!(
                    "only {pct:.1}% of product actions in the events name a catalog product"
                ));
            }
            if product_actions == 0 {
                flags.push("the events hold no product actions to learn from".to_string());
            }
            Some(EventCoverage {
                product_actions,
                actions_on_catalog_products: on_catalog,
                percent_of_actions: pct,
                distinct_products: actions_per_product.len(),
                distinct_missing_from_catalog: missing.len(),
                missing_examples: missing
                    .iter()
                    .take(10)
                    .map(|(id, _)| (*id).clone())
                    .collect(),
                catalog_products_never_seen: seen.iter().filter(|&&s| !s).count(),
                id_resolution,
                malformed_lines: log.issues.malformed_lines.count
                    + log.issues.wrong_version_lines.count,
                duplicate_events: log.issues.duplicates,
                out_of_order_events: log.issues.out_of_order,
                flagged,
            })
        }
    };
    let page = match &args.page {
        None => None,
        Some(path) => {
            let selectors = PageSelectors {
                grid: args.grid.clone().unwrap_or_default(),
                item: args.item.clone().unwrap_or_default(),
                id_attribute: args.item_id.clone(),
                id_pattern: args.item_id_pattern.clone(),
            };
            let report = audit_page(path, &selectors, products, &resolver)?;
            flags.extend(report.flags(args.threshold));
            Some(report)
        }
    };
    flags.extend(resolver.alias_issues.warnings());
    Ok(AuditReport {
        catalog: args.catalog.display().to_string(),
        format: catalog.format,
        threshold_percent: args.threshold,
        products: products.len(),
        rows: issues.rows,
        categories: products
            .iter()
            .filter(|p| !p.category.is_empty())
            .map(|p| &p.category)
            .collect::<BTreeSet<_>>()
            .len(),
        brands: products
            .iter()
            .filter_map(|p| p.brand.as_ref())
            .collect::<BTreeSet<_>>()
            .len(),
        coverage,
        duplicate_ids: issues.duplicate_ids.len(),
        rows_without_id: issues.missing_id_lines.len(),
        malformed_rows: issues.malformed_lines.len(),
        orphan_variations: issues.orphan_variation_lines.len(),
        bad_values: issues.bad_values.len(),
        excluded: issues
            .excluded
            .iter()
            .map(|(reason, n)| (reason.name().to_string(), *n))
            .collect(),
        delimiter: issues.delimiter.clone(),
        encoding: issues.encoding.clone(),
        products_with_aliases: products.iter().filter(|p| !p.aliases.is_empty()).count(),
        aliases: products.iter().map(|p| p.aliases.len()).sum(),
        ambiguous_ids: issues.ambiguous_aliases.clone(),
        unknown_columns: issues.unknown_columns.clone(),
        id_map_notes: issues.id_map_notes.clone(),
        proposals,
        proposal_toml,
        events,
        page,
        flags,
    })
}

/// The report as Markdown.
pub fn markdown(report: &AuditReport) -> String {
    let mut out = String::new();
    let format = report.format.describe();
    out += &format!("# Catalog audit: {}\n\n", report.catalog);
    out += &format!(
        "{} products ({format}, {} rows), {} categories, {} brands. Threshold {}%.\n\n",
        report.products, report.rows, report.categories, report.brands, report.threshold_percent
    );
    out += "| attribute | products with it | coverage | status |\n|---|---:|---:|---|\n";
    for c in &report.coverage {
        let status = if c.flagged {
            "FLAG (required)"
        } else if c.low {
            "low"
        } else {
            "ok"
        };
        out += &format!(
            "| {} | {} | {:.1}% | {status} |\n",
            c.attribute, c.products_with_it, c.percent
        );
    }
    out += "\n| rows check | count |\n|---|---:|\n";
    out += &format!("| duplicate ids | {} |\n| rows without id | {} |\n| malformed rows | {} |\n| variations without their parent | {} |\n| unreadable values (kept without them) | {} |\n", report.duplicate_ids, report.rows_without_id, report.malformed_rows, report.orphan_variations, report.bad_values);
    out += &format!(
        "| ids naming more than one product | {} |\n",
        report.ambiguous_ids.len()
    );
    for (reason, count) in &report.excluded {
        out += &format!("| left out: {reason} | {count} |\n");
    }
    out += &format!(
        "\nOther ids (SKUs, variant ids, …): {} on {} products.\n",
        report.aliases, report.products_with_aliases
    );
    if let Some(delimiter) = &report.delimiter {
        out += &format!("Field delimiter: {delimiter}.\n");
    }
    if let Some(encoding) = &report.encoding {
        out += &format!("Not UTF-8: read as {encoding}; check accented names.\n");
    }
    if !report.ambiguous_ids.is_empty() {
        let sample: Vec<String> = report
            .ambiguous_ids
            .iter()
            .take(10)
            .map(|(id, products)| format!("{id} ({})", products.join(", ")))
            .collect();
        out += &format!(
            "Ids that name more than one product resolve to none: {}\n",
            sample.join(", ")
        );
    }
    for note in &report.id_map_notes {
        out += &format!("Id map: {note}\n");
    }
    if !report.excluded.is_empty() {
        let reasons: Vec<&str> = report.excluded.keys().map(String::as_str).collect();
        out += &format!(
            "Left-out products are not in the bundle; keep them with --include {}.\n",
            reasons.join(",")
        );
    }
    if !report.proposals.is_empty() {
        out += "\n## Proposed mapping\n\n| attribute | found in | coverage now | with it | e.g. |\n|---|---|---:|---:|---|\n";
        for p in &report.proposals {
            out += &format!(
                "| {} | {} | {:.1}% | {:.1}% | {} |\n",
                p.attribute,
                p.source,
                p.percent_before,
                p.percent_after,
                p.examples.join(", ")
            );
        }
        out += &format!(
            "\nAccept it: `aisle audit --catalog {} --propose-map > catalog-map.toml`, check it, then pass `--map catalog-map.toml` to `aisle audit` and `aisle build`.\n",
            report.catalog
        );
    }
    if !report.unknown_columns.is_empty() {
        out += &format!("\nIgnored columns: {}\n", report.unknown_columns.join(", "));
    }
    if let Some(e) = &report.events {
        out += "\n| events check | value |\n|---|---:|\n";
        out += &format!("| product actions | {} |\n", e.product_actions);
        out += &format!(
            "| on catalog products | {} ({:.1}%){} |\n",
            e.actions_on_catalog_products,
            e.percent_of_actions,
            if e.flagged { " FLAG" } else { "" }
        );
        out += &format!(
            "| distinct products in events | {} |\n",
            e.distinct_products
        );
        out += &format!(
            "| of which missing from the catalog | {} |\n",
            e.distinct_missing_from_catalog
        );
        out += &format!(
            "| catalog products never seen in events | {} |\n",
            e.catalog_products_never_seen
        );
        out += &format!("| malformed event lines | {} |\n| duplicate events | {} |\n| events out of time order | {} |\n", e.malformed_lines, e.duplicate_events, e.out_of_order_events);
        if !e.missing_examples.is_empty() {
            out += &format!(
                "\nMissing from the catalog (most actions first): {}\n",
                e.missing_examples.join(", ")
            );
        }
        out += &e
            .id_resolution
            .markdown("Product ids in the events", "product actions");
    }
    if let Some(page) = &report.page {
        out += &page.markdown();
    }
    if report.flags.is_empty() {
        out += "\nResult: PASS\n";
    } else {
        out += "\nResult: FLAGGED\n";
        for flag in &report.flags {
            out += &format!("- {flag}\n");
        }
    }
    out
}
