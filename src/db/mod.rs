//! The connection pool, `DbPool::run` (the one place diesel meets async), and migrations.

pub mod backend;
pub mod schema;

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use diesel::connection::SimpleConnection;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool, PooledConnection};
use diesel::Connection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::config::DatabaseUrl;
use crate::error::ApiError;

pub use backend::DbConnection;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");

pub type PooledConn = PooledConnection<ConnectionManager<DbConnection>>;

#[derive(Clone)]
pub struct DbPool {
    pool: Pool<ConnectionManager<DbConnection>>,
    /// SQLite has one writer at a time; writers queue here, in order, rather
    /// than in SQLite's busy handler, whose back-off sleeps made p99 latency
    /// of concurrent writes climb past a second.
    writer: Arc<tokio::sync::Semaphore>,
}

/// Pragmas every SQLite connection needs; busy_timeout first so that setting
/// the others never fails with "database is locked" on a busy file.
#[derive(Debug)]
struct SqlitePragmas;

impl CustomizeConnection<DbConnection, diesel::r2d2::Error> for SqlitePragmas {
    fn on_acquire(&self, conn: &mut DbConnection) -> Result<(), diesel::r2d2::Error> {
        conn.batch_execute(
            "PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;",
        )
        .map_err(diesel::r2d2::Error::QueryError)
    }
}

impl DbPool {
    /// Opens (creating when missing) the database, runs pending migrations and
    /// builds the pool.
    pub fn connect(url: &DatabaseUrl, size: u32) -> anyhow::Result<Self> {
        let DatabaseUrl::Sqlite(path) = url;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("creating the database folder {}", dir.display()))?;
        }
        let url = path.to_string_lossy().into_owned();
        // WAL is a property of the file: set it once, before the pool opens more connections.
        let mut first = DbConnection::establish(&url)
            .with_context(|| format!("opening the SQLite database {url}"))?;
        first
            .batch_execute("PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL;")
            .context("switching SQLite to WAL mode")?;
        run_migrations(&mut first)?;
        drop(first);

        let pool = Pool::builder()
            .max_size(size)
            .connection_timeout(Duration::from_secs(5))
            .connection_customizer(Box::new(SqlitePragmas))
            .build(ConnectionManager::<DbConnection>::new(url))
            .context("building the connection pool")?;
        Ok(Self {
            pool,
            writer: Arc::new(tokio::sync::Semaphore::new(1)),
        })
    }

    /// Runs `f` with a pooled connection on the blocking thread pool.
    pub async fn run<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        actix_web::web::block(move || {
            let mut conn = pool
                .get()
                .map_err(|e| ApiError::Unavailable(anyhow::Error::new(e)))?;
            f(&mut conn)
        })
        .await
        .map_err(|e| ApiError::Unavailable(anyhow::anyhow!("blocking pool: {e}")))?
    }

    /// Runs `f` in one write transaction: all of it or none of it.
    pub async fn write<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let _turn = self
            .writer
            .acquire()
            .await
            .map_err(|e| ApiError::Unavailable(anyhow::anyhow!("writer queue: {e}")))?;
        self.run(move |conn| backend::write_transaction(conn, f))
            .await
    }

    /// A connection for start-up and command-line work (blocking).
    pub fn get(&self) -> anyhow::Result<PooledConn> {
        self.pool.get().context("taking a database connection")
    }

    /// True when the database answers a query that reads the migrated schema.
    pub async fn is_ready(&self) -> bool {
        self.run(|conn| {
            conn.batch_execute("SELECT version FROM __diesel_schema_migrations LIMIT 1")
                .map_err(|e| ApiError::Unavailable(e.into()))
        })
        .await
        .is_ok()
    }
}

/// Applies every pending embedded migration.
pub fn run_migrations(conn: &mut DbConnection) -> anyhow::Result<()> {
    let applied = conn
        .run_pending_migrations(SQLITE_MIGRATIONS)
        .map_err(|e| anyhow::anyhow!("running migrations: {e}"))?;
    for version in applied {
        tracing::info!(%version, "applied migration");
    }
    Ok(())
}
