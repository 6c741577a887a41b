//! `aisle collect`: a small HTTP endpoint for the plugin's beacons. It validates each batch,
//! appends the valid events durably to `<dir>/events-YYYY-MM-DD.ndjson` (UTC day of receipt)
//! and only then answers 2xx, so a crash or `kill -9` loses nothing it acknowledged.
mod server;
pub mod validate;
mod writer;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use clap::Args;
use std::io::Write;

/// Arguments of `aisle collect`.
#[derive(Args)]
pub struct CollectArgs {
    /// Address to listen on; port 0 picks a free port (the address is printed on stdout).
    #[arg(long, default_value = "127.0.0.1:8787")]
    pub listen: SocketAddr,
    /// Directory of the event files (created if missing).
    #[arg(long)]
    pub dir: PathBuf,
    /// A shop origin allowed to post from a browser, e.g. `https://shop.example` (repeatable).
    #[arg(long = "allow-origin")]
    pub allow_origins: Vec<String>,
    /// Largest request body, bytes.
    #[arg(long, default_value_t = validate::Limits::default().max_body_bytes)]
    pub max_body_bytes: usize,
    /// Largest single event, bytes.
    #[arg(long, default_value_t = validate::Limits::default().max_event_bytes)]
    pub max_event_bytes: usize,
    /// Most events in one request.
    #[arg(long, default_value_t = validate::Limits::default().max_events)]
    pub max_events: usize,
}

pub fn run(args: CollectArgs) -> anyhow::Result<()> {
    std::fs::create_dir_all(&args.dir)
        .with_context(|| format!("creating event directory {}", args.dir.display()))?;
    for origin in &args.allow_origins {
        if origin.ends_with('/')
            || !(origin.starts_with("https://") || origin.starts_with("http://"))
        {
            anyhow::bail!("--allow-origin {origin:?}: give a scheme and host without a path, e.g. https://shop.example");
        }
    }
    let limits = validate::Limits {
        max_body_bytes: args.max_body_bytes,
        max_event_bytes: args.max_event_bytes,
        max_events: args.max_events,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let writer_stats = Arc::new(writer::WriterStats::default());
    let (writer, writer_thread) = writer::start(args.dir.clone(), writer_stats.clone());
    let state = Arc::new(server::AppState {
        allowed_origins: args.allow_origins.clone(),
        limits,
        writer,
        metrics: server::Metrics::default(),
        writer_stats,
    });
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .with_context(|| format!("listening on {}", args.listen))?;
        let address = listener.local_addr()?;
        println!(
            "aisle collect: listening on http://{address}/e, writing to {}",
            args.dir.display()
        );
        std::io::stdout().flush()?;
        axum::serve(listener, server::router(state))
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .context("serving")
    })?;
    // The router (and its writer handles) is gone: the writer drains and stops.
    drop(runtime);
    writer_thread
        .join()
        .map_err(|_| anyhow::anyhow!("the event writer panicked"))?;
    Ok(())
}
