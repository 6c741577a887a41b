//! `aisle`: the operator's command line. Each subcommand lives in its own module.
mod abandon;
mod build;

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
    /// Evaluate the cart-abandon model offline (time split, bootstrap intervals).
    EvaluateAbandon(abandon::evaluate::EvaluateAbandonArgs),
}

fn main() {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Build(args) => build::run(args),
        Command::EvaluateAbandon(args) => abandon::evaluate::run(args),
    };
    if let Err(error) = result {
        eprintln!("aisle: error: {error:#}");
        std::process::exit(1);
    }
}
