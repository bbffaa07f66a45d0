//! The command line: `serve` (the default), `migrate` and `openapi`.

use std::io::Write;

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::app::{serve, AppState};
use crate::config::Config;
use crate::db::{DbPool, PoolError};

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
    /// Write a complete JSON backup (content, users with password hashes) to standard output.
    Export,
    /// Load a backup made by `export` into this database, in one transaction.
    Import {
        /// The backup file (`-` for standard input).
        file: std::path::PathBuf,
        /// Replace whatever content the database holds.
        #[arg(long)]
        replace: bool,
    },
    /// Add synthetic articles for measuring at scale.
    Seed {
        /// How many articles to add.
        #[arg(long)]
        synthetic: usize,
    },
    /// Manage accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account; the password is read from standard input.
    Create {
        #[arg(long)]
        email: String,
        /// author, editor or admin.
        #[arg(long, value_parser = ["author", "editor", "admin"])]
        role: String,
        /// The display name (default: the part of the email before @).
        #[arg(long)]
        name: Option<String>,
        /// Read the password from standard input (the only way: never on the command line).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
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
            DbPool::<PoolError>::connect(&config.database_url, &single_connection())?;
            tracing::info!("migrations are up to date");
            Ok(())
        }
        Command::User {
            command:
                UserCommand::Create {
                    email,
                    role,
                    name,
                    password_stdin: _,
                },
        } => {
            let config = Config::from_env()?;
            let mut password = String::new();
            std::io::stdin()
                .read_line(&mut password)
                .context("reading the password from standard input")?;
            let password = password.trim_end_matches(['\n', '\r']);
            let role = crate::content::user::Role::parse(&role).context("unknown role")?;
            let db = DbPool::<PoolError>::connect(&config.database_url, &single_connection())?;
            let mut conn = db.get()?;
            let id = crate::auth::create_user_blocking(
                &mut conn,
                &email,
                name.as_deref(),
                role,
                password,
            )
            .map_err(|e| match e.downcast_ref::<diesel::result::Error>() {
                Some(diesel::result::Error::DatabaseError(
                    diesel::result::DatabaseErrorKind::UniqueViolation,
                    _,
                )) => anyhow::anyhow!("an account with this email already exists"),
                _ => e,
            })?;
            tracing::info!(id, role = role.as_str(), "created the account");
            Ok(())
        }
        Command::Serve => {
            let config = Config::from_env()?;
            run_server(config)
        }
        Command::Seed { synthetic } => {
            let config = Config::from_env()?;
            let db = DbPool::<PoolError>::connect(&config.database_url, &single_connection())?;
            let mut conn = db.get()?;
            crate::synthetic::seed(&mut conn, synthetic)?;
            crate::db::backend::refresh_statistics(&mut conn)?;
            tracing::info!(articles = synthetic, "seeded synthetic articles");
            Ok(())
        }
        Command::Export => {
            let config = Config::from_env()?;
            let db = DbPool::<PoolError>::connect(&config.database_url, &single_connection())?;
            let mut conn = db.get()?;
            let (store, runtime) = media_store(&config)?;
            let fetch = |hash: &str, file: &str| -> anyhow::Result<Option<Vec<u8>>> {
                let found = runtime.block_on(store.get(hash, file))?;
                Ok(found.map(|bytes| bytes.to_vec()))
            };
            let stdout = std::io::stdout().lock();
            crate::backup::export(&mut conn, &mut std::io::BufWriter::new(stdout), &fetch)
        }
        Command::Import { file, replace } => {
            let config = Config::from_env()?;
            let text = if file.as_os_str() == "-" {
                std::io::read_to_string(std::io::stdin()).context("reading standard input")?
            } else {
                std::fs::read_to_string(&file)
                    .with_context(|| format!("reading {}", file.display()))?
            };
            let backup: crate::backup::Backup =
                serde_json::from_str(&text).context("parsing the backup")?;
            let db = DbPool::<PoolError>::connect(&config.database_url, &single_connection())?;
            let mut conn = db.get()?;
            let (store, runtime) = media_store(&config)?;
            let put = |hash: &str, file: &str, bytes: Vec<u8>| -> anyhow::Result<()> {
                Ok(runtime.block_on(store.put(hash, file, bytes))?)
            };
            let rows = crate::backup::import(&mut conn, &backup, replace, &put)?;
            crate::db::backend::refresh_statistics(&mut conn)?;
            tracing::info!(rows, database = %config.database_url, "imported the backup");
            Ok(())
        }
    }
}

fn run_server(config: Config) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    // Each connection is a file descriptor; the soft limit is often 1,024,
    // far below what the hard limit allows. Slow clients that hold
    // connections should meet the request deadlines, not this limit.
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) => tracing::debug!(limit, "open files allowed"),
        Err(e) => tracing::warn!(error = %e, "could not raise the open-files limit"),
    }
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

/// The media store of the configuration, and a runtime to call it from
/// the one-shot commands.
fn media_store(config: &Config) -> anyhow::Result<(crate::media::Store, tokio::runtime::Runtime)> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting a runtime for the media store")?;
    let store =
        crate::media::Store::open(&config.media.store).context("opening the media store")?;
    Ok((store, runtime))
}

/// Pool settings for one-shot commands.
fn single_connection() -> crate::config::PoolSettings {
    crate::config::PoolSettings {
        size: 1,
        min_idle: 1,
        timeout: std::time::Duration::from_secs(10),
    }
}
