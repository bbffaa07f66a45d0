//! The command line: `serve` (the default), `migrate` and `openapi`.

use std::io::Write;

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::app::{serve, AppState};
use crate::config::Config;
use crate::db::DbPool;

#[derive(Debug, Parser)]
#[command(
    name = "clinic-cms",
    version,
    about = "A headless CMS for a clinic's articles"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print the OpenAPI document.
    Openapi,
}

pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command.unwrap_or(Command::Serve) {
        Command::Openapi => {
            let mut out = std::io::stdout().lock();
            out.write_all(crate::openapi::document_json().as_bytes())?;
            out.flush()?;
            Ok(())
        }
        Command::Migrate => {
            let config = Config::from_env()?;
            DbPool::connect(&config.database_url, 1)?;
            tracing::info!("migrations are up to date");
            Ok(())
        }
        Command::Serve => {
            let config = Config::from_env()?;
            run_server(config)
        }
    }
}

fn run_server(config: Config) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let bind_addr = config.bind_addr;
    let state = AppState::prepare(config)?;
    let listener =
        std::net::TcpListener::bind(bind_addr).with_context(|| format!("binding {bind_addr}"))?;
    actix_web::rt::System::new().block_on(async move {
        // Polled once before saying so, so SIGTERM handling is in place by then.
        let server = actix_web::rt::spawn(serve(state, listener)?);
        actix_web::rt::task::yield_now().await;
        tracing::info!(
            address = %bind_addr,
            ready_ms = started.elapsed().as_millis() as u64,
            "clinic-cms is serving"
        );
        server.await.context("the server task")?.context("serving")
    })
}
