//! The connection pool, `DbPool::run` (the one place diesel meets async), and migrations.

pub mod backend;
pub mod schema;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use anyhow::Context;
use diesel::connection::SimpleConnection;
use diesel::r2d2::{ManageConnection, Pool, PooledConnection};
use diesel::RunQueryDsl;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::config::{DatabaseUrl, PoolSettings};

pub use backend::{DbConnection, Kind};

/// `INSERT INTO table (columns) VALUES (...)`, written as the row:
/// `insert_row!(sessions: id, user_id, created_at = at)` — a column alone
/// takes the variable of its name. The statement, to `.execute(conn)` or
/// `.returning(...)`.
macro_rules! insert_row {
    ($table:ident: $($column:ident $(= $value:expr)?),+ $(,)?) => {
        diesel::insert_into($table::table)
            .values(($($table::$column.eq($crate::db::insert_row!(@value $column $(, $value)?)),)+))
    };
    (@value $column:ident) => { $column };
    (@value $column:ident, $value:expr) => { $value };
}
pub(crate) use insert_row;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

pub type PooledConn = PooledConnection<Manager>;

/// Opens connections of the configured kind only: a wrong PostgreSQL
/// password fails at once with its own message instead of being retried as
/// a SQLite path.
#[derive(Debug)]
pub struct Manager {
    url: DatabaseUrl,
    wait: std::time::Duration,
}

impl ManageConnection for Manager {
    type Connection = DbConnection;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<DbConnection, Self::Error> {
        backend::connect(&self.url, self.wait).map_err(diesel::r2d2::Error::ConnectionError)
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), Self::Error> {
        conn.batch_execute("SELECT 1")
            .map_err(diesel::r2d2::Error::QueryError)
    }

    /// A connection left inside a transaction (a panic unwound through
    /// one) is closed rather than reused: it would hold SQLite's write lock
    /// and make every later write wait and fail.
    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        use diesel::r2d2::R2D2Connection;
        match conn {
            DbConnection::Sqlite(c) => c.is_broken(),
            DbConnection::Postgresql(c) => c.is_broken(),
        }
    }
}

/// Why the pool could not run a piece of work: no connection (or turn to
/// write) in time, the blocking task failed, or the query did. Callers
/// choose their own error type `E` (the HTTP layer's `ApiError`), which
/// converts from this.
#[derive(Debug, thiserror::Error)]
pub enum PoolError {
    #[error("the database is unavailable: {0}")]
    Unavailable(anyhow::Error),
    #[error("a database task failed: {0}")]
    Failed(anyhow::Error),
    #[error(transparent)]
    Query(#[from] diesel::result::Error),
}

/// The pool, whose work returns errors of the caller's type `E`.
pub struct DbPool<E> {
    pool: Pool<Manager>,
    kind: Kind,
    /// SQLite has one writer at a time; writers queue here, in order, rather
    /// than in SQLite's busy handler, whose back-off sleeps made p99 latency
    /// of concurrent writes climb past a second. PostgreSQL needs no queue.
    writer: Option<Arc<tokio::sync::Semaphore>>,
    /// What readers cached is valid only at the generation it was read at.
    /// It moves on whenever the newest content change (`changes.id`) seen
    /// by this node differs from the one seen before: after this node's
    /// writes that recorded one, and when `watch_changes` sees another
    /// node's (or a restored database's, whose ids may be lower).
    generation: Arc<AtomicU64>,
    /// The newest change id seen.
    seen_change: Arc<AtomicU64>,
    /// One permit per pooled connection, taken before a blocking thread is:
    /// requests beyond the pool wait here as parked tasks, not as blocking
    /// threads asleep in the pool's lock (at 64 connections that thrashing
    /// cost a third of the throughput of cache-missing reads).
    turns: Arc<tokio::sync::Semaphore>,
    /// How long a request waits for a connection before `503`.
    wait: std::time::Duration,
    /// When a write last committed (Unix milliseconds): writes flow.
    last_write: Arc<AtomicU64>,
    /// Told when the generation moves.
    changed: Arc<tokio::sync::Notify>,
    error: std::marker::PhantomData<fn() -> E>,
}

impl<E> Clone for DbPool<E> {
    fn clone(&self) -> Self {
        Self {
            pool: self.pool.clone(),
            kind: self.kind,
            writer: self.writer.clone(),
            generation: self.generation.clone(),
            seen_change: self.seen_change.clone(),
            turns: self.turns.clone(),
            wait: self.wait,
            last_write: self.last_write.clone(),
            changed: self.changed.clone(),
            error: std::marker::PhantomData,
        }
    }
}

fn unix_millis() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

impl<E> DbPool<E>
where
    E: From<PoolError> + From<diesel::result::Error> + std::fmt::Display + Send + 'static,
{
    /// Opens (creating when missing) the database, runs pending migrations and
    /// builds the pool.
    pub fn connect(url: &DatabaseUrl, settings: &PoolSettings) -> anyhow::Result<Self> {
        let kind = match url {
            DatabaseUrl::Sqlite(path) => {
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).with_context(|| {
                        format!("creating the database folder {}", dir.display())
                    })?;
                }
                Kind::Sqlite
            }
            DatabaseUrl::Postgres(_) => Kind::Postgres,
        };
        let mut first = backend::connect(url, settings.timeout)
            .with_context(|| format!("connecting to {url}"))?;
        if kind == Kind::Sqlite {
            // WAL is a property of the file: set it once, before the pool opens more.
            first
                .batch_execute("PRAGMA journal_mode = WAL;")
                .context("switching SQLite to WAL mode")?;
        }
        run_migrations(&mut first)?;
        let latest = latest_change(&mut first).context("reading the newest change")?;
        drop(first);

        let pool = Pool::builder()
            .max_size(settings.size)
            .min_idle(Some(settings.min_idle.min(settings.size)))
            .connection_timeout(settings.timeout)
            // A SQLite file handle cannot go stale; testing it with `SELECT 1`
            // at every checkout was a statement parse per request.
            .test_on_check_out(kind == Kind::Postgres)
            .build(Manager {
                url: url.clone(),
                wait: settings.timeout,
            })
            .context("building the connection pool")?;
        let writer = (kind == Kind::Sqlite).then(|| Arc::new(tokio::sync::Semaphore::new(1)));
        Ok(Self {
            pool,
            kind,
            writer,
            generation: Arc::new(AtomicU64::new(0)),
            seen_change: Arc::new(AtomicU64::new(latest as u64)),
            turns: Arc::new(tokio::sync::Semaphore::new(settings.size as usize)),
            wait: settings.timeout,
            last_write: Arc::new(AtomicU64::new(0)),
            changed: Arc::new(tokio::sync::Notify::new()),
            error: std::marker::PhantomData,
        })
    }

    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// Runs `f` with a pooled connection on the blocking thread pool.
    pub async fn run<T, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
    {
        let turn = tokio::time::timeout(self.wait, self.turns.clone().acquire_owned())
            .await
            .map_err(|_| unavailable::<E>(anyhow::anyhow!("no database connection free")))?
            .map_err(|e| unavailable::<E>(anyhow::anyhow!("connection queue: {e}")))?;
        let pool = self.pool.clone();
        actix_web::web::block(move || {
            let _turn = turn;
            let mut conn = pool
                .get()
                .map_err(|e| unavailable::<E>(anyhow::Error::new(e)))?;
            f(&mut conn)
        })
        .await
        // The task panicked (or the runtime is stopping): a bug, not a busy database.
        .map_err(|e| {
            E::from(PoolError::Failed(anyhow::anyhow!(
                "a database task failed: {e}"
            )))
        })?
    }

    /// Waits for this node's turn to write (SQLite has one writer at a
    /// time), at most the configured wait: then `503`, like a busy database.
    async fn writer_turn(&self) -> Result<Option<tokio::sync::SemaphorePermit<'_>>, E> {
        let Some(writer) = &self.writer else {
            return Ok(None);
        };
        match tokio::time::timeout(self.wait, writer.acquire()).await {
            Ok(Ok(permit)) => Ok(Some(permit)),
            Ok(Err(e)) => Err(unavailable(anyhow::anyhow!("writer queue: {e}"))),
            Err(_) => Err(unavailable(anyhow::anyhow!(
                "no turn to write within the wait"
            ))),
        }
    }

    /// Runs `f` in one write transaction: all of it or none of it. When it
    /// recorded a content change, this node's readers see it at once; when
    /// it did not (logins, sessions, accounts), their caches stay warm.
    pub async fn write<T, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
    {
        let _turn = self.writer_turn().await?;
        let last_write = self.last_write.clone();
        let pool = self.clone();
        self.run(move |conn| {
            let result = backend::transaction(conn, f)?;
            last_write.store(unix_millis(), Ordering::Relaxed);
            match latest_change(conn) {
                Ok(latest) => pool.saw_change(latest),
                // Committed all the same; the watcher catches up.
                Err(e) => tracing::warn!(error = %e, "could not read the newest change"),
            }
            Ok(result)
        })
        .await
    }

    /// Runs `f`, which stores data derived from content (not content: the
    /// generation does not move), only if no writer is queued on SQLite, so
    /// a read never waits behind writes. `None` when skipped.
    pub async fn store_derived<T, F>(&self, f: F) -> Result<Option<T>, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
    {
        let _turn = match &self.writer {
            Some(writer) => match writer.try_acquire() {
                Ok(permit) => Some(permit),
                Err(_) => return Ok(None),
            },
            None => None,
        };
        self.run(f).await.map(Some)
    }

    /// Takes in the changes made on connections of its own (start-up work
    /// such as loading the sample), before serving.
    pub fn catch_up(&self) -> anyhow::Result<()> {
        let mut conn = self.get()?;
        let latest = latest_change(&mut conn).context("reading the newest change")?;
        self.saw_change(latest);
        Ok(())
    }

    /// Moves the generation on when `latest` is not the change seen last.
    fn saw_change(&self, latest: i64) {
        if self.seen_change.swap(latest as u64, Ordering::AcqRel) != latest as u64 {
            self.generation.fetch_add(1, Ordering::AcqRel);
            self.changed.notify_one();
        }
    }

    /// Notified when content changed (here, or seen from another node):
    /// the webhook sender waits on it.
    pub fn changed(&self) -> Arc<tokio::sync::Notify> {
        self.changed.clone()
    }

    /// The content generation (see `generation`).
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Polls the change stream every `interval` and moves the generation
    /// on when another node (or an import) has changed content: one indexed
    /// query per interval, never one per request.
    pub async fn watch_changes(self, interval: std::time::Duration) {
        let mut ticker = tokio::time::interval(interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            match self.run(|conn| Ok(latest_change(conn)?)).await {
                Ok(latest) => self.saw_change(latest),
                Err(e) => tracing::warn!(error = %e, "could not read the change stream"),
            }
        }
    }

    /// A connection for start-up and command-line work (blocking).
    pub fn get(&self) -> anyhow::Result<PooledConn> {
        self.pool.get().context("taking a database connection")
    }

    /// Whether the database can serve: it answers a query that reads the
    /// migrated schema, and it can take writes now. `Err` says why not.
    pub async fn readiness(&self) -> Result<(), &'static str> {
        let answers = self
            .run(|conn| {
                conn.batch_execute("SELECT version FROM __diesel_schema_migrations LIMIT 1")
                    .map_err(|e| unavailable::<E>(e.into()))
            })
            .await;
        if answers.is_err() {
            return Err("the database does not answer");
        }
        // Our own writers take turns first, so this node's busy queue is not
        // mistaken for someone else's lock. When the queue does not move
        // within a second, writes are flowing if one committed just now;
        // otherwise they are stuck behind a lock.
        let _turn = match &self.writer {
            Some(writer) => {
                match tokio::time::timeout(std::time::Duration::from_secs(1), writer.acquire())
                    .await
                {
                    Ok(Ok(permit)) => Some(permit),
                    _ if unix_millis().saturating_sub(self.last_write.load(Ordering::Relaxed))
                        < 2_000 =>
                    {
                        return Ok(())
                    }
                    _ => return Err(WRITES_BLOCKED),
                }
            }
            None => None,
        };
        let wait = self.wait;
        match self
            .run(move |conn| Ok(backend::can_take_writes(conn, wait)?))
            .await
        {
            Ok(true) => Ok(()),
            Ok(false) => Err(WRITES_BLOCKED),
            Err(_) => Err("the database does not answer"),
        }
    }
}

/// The pool's "busy" error, as the caller's type.
fn unavailable<E: From<PoolError>>(e: anyhow::Error) -> E {
    E::from(PoolError::Unavailable(e))
}

/// The newest content change committed (`changes.id`; 0 before any).
pub fn latest_change(conn: &mut DbConnection) -> diesel::QueryResult<i64> {
    use diesel::QueryDsl;
    schema::changes::table
        .select(diesel::dsl::max(schema::changes::id))
        .first::<Option<i64>>(conn)
        .map(|id| id.unwrap_or(0))
}

const WRITES_BLOCKED: &str =
    "the database cannot take writes now (locked by another process, or read-only)";

/// An arbitrary key for the PostgreSQL advisory lock that makes concurrent
/// `migrate` runs (several nodes starting at once) take turns.
const MIGRATION_LOCK: i64 = 0x636c_696e_6963;

/// Applies every pending embedded migration of the connection's backend.
pub fn run_migrations(conn: &mut DbConnection) -> anyhow::Result<()> {
    let applied = match conn {
        DbConnection::Sqlite(c) => c
            .run_pending_migrations(SQLITE_MIGRATIONS)
            .map(|v| v.iter().map(ToString::to_string).collect::<Vec<_>>()),
        DbConnection::Postgresql(c) => {
            diesel::sql_query(format!("SELECT pg_advisory_lock({MIGRATION_LOCK})"))
                .execute(c)
                .context("taking the migration lock")?;
            let result = c
                .run_pending_migrations(POSTGRES_MIGRATIONS)
                .map(|v| v.iter().map(ToString::to_string).collect::<Vec<_>>());
            diesel::sql_query(format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})"))
                .execute(c)
                .context("releasing the migration lock")?;
            result
        }
    }
    .map_err(|e| anyhow::anyhow!("running migrations: {e}"))?;
    for version in applied {
        tracing::info!(%version, "applied migration");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A panic inside a write transaction used to put the connection back in
    /// the pool with the transaction open: SQLite's write lock stayed held and
    /// every later write failed after `busy_timeout`.
    #[actix_web::test]
    async fn a_panic_inside_a_write_leaves_no_lock_behind() {
        let dir = tempfile::tempdir().unwrap();
        let url = DatabaseUrl::Sqlite(dir.path().join("panic.db"));
        let settings = PoolSettings {
            size: 1,
            min_idle: 0,
            timeout: std::time::Duration::from_secs(1),
        };
        let pool = DbPool::<PoolError>::connect(&url, &settings).unwrap();
        let panicked = pool
            .write(|conn| -> Result<(), PoolError> {
                latest_change(conn)?;
                panic!("a bug inside a transaction")
            })
            .await;
        assert!(matches!(panicked, Err(PoolError::Failed(_))));
        pool.write(|conn| {
            conn.batch_execute(
                "INSERT INTO changes (kind, action, at) VALUES ('site', 'updated', '2026-11-26 00:00:00')",
            )
            .map_err(PoolError::Query)
        })
        .await
        .expect("the next write works");
        assert_eq!(
            pool.generation(),
            1,
            "this node sees its own change at once"
        );
        // … and is committed: another connection sees it (a connection left
        // in the panicked transaction would have made it a savepoint of that
        // transaction, never committed).
        let other = DbPool::<PoolError>::connect(&url, &settings).unwrap();
        let seen = other.run(|conn| Ok(latest_change(conn)?)).await.unwrap();
        assert_eq!(seen, 2);
    }
}
