//! `aisle`: the operator's command line. Each subcommand lives in its own module.
mod build;
mod collect;
mod report;
mod utc;

use clap::{Parser, Subcommand};

/// The aisle operator's CLI.
#[derive(Parser)]
#[command(name = "aisle", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Turn a catalog and past events into a bundle and a manifest.
    Build(build::BuildArgs),
    /// Receive the plugin's event beacons and append them durably to daily NDJSON files.
    Collect(collect::CollectArgs),
    /// Per-arm A/B results from event files, as CSV and a self-contained HTML report.
    Report(report::ReportArgs),
}

fn main() {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Build(args) => build::run(args),
        Command::Collect(args) => collect::run(args),
        Command::Report(args) => report::run(args),
    };
    if let Err(error) = result {
        eprintln!("aisle: error: {error:#}");
        std::process::exit(1);
    }
}
