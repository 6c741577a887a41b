//! `aisle`: the operator's command line. Each subcommand lives in its own module.

use aisle_cli::{
    abandon, audit, build, collect, evaluate, generate, import, inspect, report, rollback,
};
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
    /// Turn a catalog and past events into a bundle, and point the manifest at it when it ranks
    /// no worse than the live bundle (exit code 4 when the manifest was left unchanged).
    Build(build::BuildArgs),
    /// Point the manifest back at an earlier bundle (the previous one by default).
    Rollback(rollback::RollbackArgs),
    /// Check a catalog's health (exit code 3 when a check is flagged).
    Audit(audit::AuditArgs),
    /// Measure offline how much better the bundle ranks than the shop's order and baselines.
    Evaluate(evaluate::EvaluateArgs),
    /// Evaluate the cart-abandon model offline (time split, bootstrap intervals).
    EvaluateAbandon(abandon::evaluate::EvaluateAbandonArgs),
    /// Write a synthetic catalog and events of any size (for size and speed measurements).
    Generate(generate::GenerateArgs),
    /// Show what a bundle holds and where its bytes go.
    Inspect(inspect::InspectArgs),
    /// Convert a public dataset into a catalog CSV and an events NDJSON.
    Import(import::ImportArgs),
    /// Receive the plugin's event beacons and append them durably to daily NDJSON files.
    Collect(collect::CollectArgs),
    /// Per-arm A/B results from event files, as CSV and a self-contained HTML report.
    Report(report::ReportArgs),
}

fn main() {
    let cli = Cli::parse();
    // Ok carries the exit code: commands like audit exit non-zero without an error.
    let result = match cli.command {
        Command::Build(args) => build::run(args),
        Command::Rollback(args) => rollback::run(args).map(|()| 0),
        Command::Audit(args) => audit::run(args),
        Command::Evaluate(args) => evaluate::run(args).map(|()| 0),
        Command::EvaluateAbandon(args) => abandon::evaluate::run(args).map(|()| 0),
        Command::Import(args) => import::run(args).map(|()| 0),
        Command::Collect(args) => collect::run(args).map(|()| 0),
        Command::Report(args) => report::run(args).map(|()| 0),
        Command::Generate(args) => generate::run(args).map(|()| 0),
        Command::Inspect(args) => inspect::run(args).map(|()| 0),
    };
    match result {
        Ok(code) => std::process::exit(code),
        Err(error) => {
            eprintln!("aisle: error: {error:#}");
            std::process::exit(1);
        }
    }
}
