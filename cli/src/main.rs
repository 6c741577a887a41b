//! `aisle`: the operator's command line. Each subcommand lives in its own module.
mod build;
mod catalog;
mod event_log;
mod import;
mod train;

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
    /// Convert a public dataset into a catalog CSV and an events NDJSON.
    Import(import::ImportArgs),
}

fn main() {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Build(args) => build::run(args),
        Command::Import(args) => import::run(args),
    };
    if let Err(error) = result {
        eprintln!("aisle: error: {error:#}");
        std::process::exit(1);
    }
}
