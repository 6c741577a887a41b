//! `aisle build`: catalog + events → bundle + manifest.
use clap::Args;

/// Arguments of `aisle build`.
#[derive(Args)]
pub struct BuildArgs {
    /// Catalog CSV.
    #[arg(long)]
    pub catalog: std::path::PathBuf,
    /// Events NDJSON.
    #[arg(long)]
    pub events: std::path::PathBuf,
    /// Output directory.
    #[arg(long)]
    pub out: std::path::PathBuf,
}

pub fn run(_args: BuildArgs) -> anyhow::Result<()> {
    anyhow::bail!("not built yet")
}
