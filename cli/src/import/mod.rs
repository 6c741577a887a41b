//! `aisle import`: turns public datasets and what a shop already has (a GA4 BigQuery export,
//! a Shopify orders export) into aisle's catalog CSV and event NDJSON, so the same `build`,
//! `audit` and `evaluate` commands run on them as on events aisle collected itself.
pub mod diginetica;
pub mod ga4;
pub mod ga4_parquet;
pub mod ga4_sessions;
pub mod rees46;
pub mod shopify_orders;

use clap::{Args, Subcommand};

/// Arguments of `aisle import`.
#[derive(Args)]
pub struct ImportArgs {
    #[command(subcommand)]
    pub dataset: Dataset,
}

/// The datasets and exports aisle can import.
#[derive(Subcommand)]
pub enum Dataset {
    /// REES46 "eCommerce behavior data from multi category store" (events.csv).
    Rees46(rees46::Rees46Args),
    /// CIKM Cup 2016 DIGINETICA (item views, purchases, product categories).
    Diginetica(diginetica::DigineticaArgs),
    /// A GA4 BigQuery export as newline-delimited JSON (gzipped or not, sharded
    /// `events_YYYYMMDD` files) or Parquet: shopper actions into events, item details into a
    /// catalog-gap CSV.
    Ga4(ga4::Ga4Args),
    /// A Shopify orders export (orders_export.csv) as purchase history.
    ShopifyOrders(shopify_orders::ShopifyOrdersArgs),
}

pub fn run(args: ImportArgs) -> anyhow::Result<()> {
    match args.dataset {
        Dataset::Rees46(args) => rees46::run(args),
        Dataset::Diginetica(args) => diginetica::run(args),
        Dataset::Ga4(args) => ga4::run(args),
        Dataset::ShopifyOrders(args) => shopify_orders::run(args),
    }
}

/// Writes an import's catalog and events and says where they went.
pub fn write_import(
    catalog_out: &std::path::Path,
    products: &[crate::catalog::Product],
    events_out: &std::path::Path,
    events: &[aisle::events::Event],
) -> anyhow::Result<()> {
    crate::catalog::write_catalog(catalog_out, products)?;
    crate::event_log::write_events(events_out, events)?;
    eprintln!(
        "aisle: imported {} products into {} and {} events into {}",
        products.len(),
        catalog_out.display(),
        events.len(),
        events_out.display()
    );
    Ok(())
}
