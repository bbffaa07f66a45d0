//! The few places where SQLite and PostgreSQL differ, and nothing else:
//! the connection enum, connection set-up, transactions and locks.

use diesel::connection::SimpleConnection;
use diesel::sql_types::Bool;
use diesel::Connection;

/// One connection type for the whole crate; the variant is chosen from the
/// URL scheme (never by trial, see `connect`).
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgresql(diesel::PgConnection),
    Sqlite(diesel::SqliteConnection),
}

pub type Db = MultiBackend;

/// Which database a connection talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Sqlite,
    Postgres,
}

impl Kind {
    pub fn of(conn: &DbConnection) -> Self {
        match conn {
            DbConnection::Sqlite(_) => Kind::Sqlite,
            DbConnection::Postgresql(_) => Kind::Postgres,
        }
    }
}

/// Opens one connection of the kind the URL names. On SQLite, `wait` is
/// how long a statement waits for another process's lock before failing
/// (`busy_timeout`; the request then gets `503`).
pub fn connect(
    url: &crate::config::DatabaseUrl,
    wait: std::time::Duration,
) -> diesel::ConnectionResult<DbConnection> {
    use crate::config::DatabaseUrl;
    match url {
        DatabaseUrl::Sqlite(path) => {
            let mut conn = diesel::SqliteConnection::establish(&path.to_string_lossy())?;
            // busy_timeout first, so the others never fail on a busy file.
            conn.batch_execute(&format!(
                "PRAGMA busy_timeout = {}; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; \
                 PRAGMA cache_size = -16000; PRAGMA mmap_size = 268435456;",
                wait.as_millis()
            ))
            .map_err(|e| diesel::ConnectionError::BadConnection(e.to_string()))?;
            Ok(DbConnection::Sqlite(conn))
        }
        DatabaseUrl::Postgres(url) => {
            let mut conn = diesel::PgConnection::establish(url.expose())?;
            // A statement waiting for another session's lock gives up after
            // the configured wait (the request gets 503), never hangs.
            conn.batch_execute(&format!("SET lock_timeout = {}", wait.as_millis()))
                .map_err(|e| diesel::ConnectionError::BadConnection(e.to_string()))?;
            Ok(DbConnection::Postgresql(conn))
        }
    }
}

/// Runs `f` in a transaction. On SQLite writers are already queued one at a
/// time by `DbPool::write`; on PostgreSQL conditional updates on `version`
/// decide between concurrent writers.
pub fn transaction<T, E, F>(conn: &mut DbConnection, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    conn.transaction(f)
}

/// An arbitrary key for the PostgreSQL advisory lock content writers hold
/// from recording their change to their commit.
pub const CHANGES_LOCK: i64 = 0x0063_6c69_6e69_6301;

/// Makes content writers take turns from here to their commit (PostgreSQL;
/// SQLite writers always do), so changes commit in the order of their ids.
pub fn lock_changes(conn: &mut DbConnection) -> diesel::QueryResult<()> {
    if let DbConnection::Postgresql(pg) = conn {
        use diesel::RunQueryDsl;
        let waited =
            diesel::sql_query(format!("SELECT pg_advisory_xact_lock({CHANGES_LOCK})")).execute(pg);
        lock_wait(waited)?;
    }
    Ok(())
}

/// A lock this server waits for that was not granted: past `lock_timeout`,
/// or the wait was cancelled. Reported as a serialization failure, which
/// `is_busy` takes as "busy, retry" — told apart by which statement
/// failed, never by the server's (translatable) message.
#[derive(Debug)]
struct LockNotGranted(String);

impl diesel::result::DatabaseErrorInformation for LockNotGranted {
    fn message(&self) -> &str {
        &self.0
    }
    fn details(&self) -> Option<&str> {
        None
    }
    fn hint(&self) -> Option<&str> {
        None
    }
    fn table_name(&self) -> Option<&str> {
        None
    }
    fn column_name(&self) -> Option<&str> {
        None
    }
    fn constraint_name(&self) -> Option<&str> {
        None
    }
    fn statement_position(&self) -> Option<i32> {
        None
    }
}

/// The result of a statement that only waits for a lock: any database
/// error of it means the lock was not granted in time.
fn lock_wait<T>(result: diesel::QueryResult<T>) -> diesel::QueryResult<T> {
    use diesel::result::{DatabaseErrorKind, Error};
    result.map_err(|e| match e {
        Error::DatabaseError(_, info) => Error::DatabaseError(
            DatabaseErrorKind::SerializationFailure,
            Box::new(LockNotGranted(info.message().to_string())),
        ),
        other => other,
    })
}

/// Whether no content writer is between recording its change and its
/// commit; when true, none can start until this transaction ends (other
/// stores of derived data may: the lock is taken shared). A boolean from
/// the server, never an error text. SQLite: always (its writers are one at
/// a time; a write made first in the transaction holds its lock).
pub fn no_change_committing(conn: &mut DbConnection) -> diesel::QueryResult<bool> {
    match conn {
        DbConnection::Postgresql(pg) => {
            use diesel::RunQueryDsl;
            #[derive(diesel::QueryableByName)]
            struct Row {
                #[diesel(sql_type = Bool)]
                taken: bool,
            }
            let row = diesel::sql_query(format!(
                "SELECT pg_try_advisory_xact_lock_shared({CHANGES_LOCK}) AS taken"
            ))
            .get_result::<Row>(pg)?;
            Ok(row.taken)
        }
        DbConnection::Sqlite(_) => Ok(true),
    }
}

/// True when the database refused for now rather than for good: SQLite
/// busy past `busy_timeout` (another process holds the write lock), or a
/// PostgreSQL serialization failure; the client may retry.
pub fn is_busy(e: &diesel::result::Error) -> bool {
    use diesel::result::{DatabaseErrorKind, Error};
    match e {
        // PostgreSQL's serialization failures, and the locks this server
        // waits for that were not granted (`lock_wait`).
        Error::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => true,
        // SQLite's fixed (never translated) texts for SQLITE_BUSY and
        // SQLITE_LOCKED.
        Error::DatabaseError(_, info) => {
            let message = info.message();
            message == "database is locked" || message.starts_with("database table is locked")
        }
        _ => false,
    }
}

/// Whether a write could start now. SQLite: the write lock can be taken
/// within a second (`BEGIN IMMEDIATE`, rolled back at once; `wait` is the
/// connection's usual `busy_timeout`, restored after); PostgreSQL: the
/// server is not a read-only standby and the session is not read-only.
pub fn can_take_writes(
    conn: &mut DbConnection,
    wait: std::time::Duration,
) -> diesel::QueryResult<bool> {
    match conn {
        DbConnection::Sqlite(c) => {
            c.batch_execute("PRAGMA busy_timeout = 1000")?;
            let taken = c.batch_execute("BEGIN IMMEDIATE");
            let released = match &taken {
                Ok(()) => c.batch_execute("ROLLBACK"),
                Err(_) => Ok(()),
            };
            c.batch_execute(&format!("PRAGMA busy_timeout = {}", wait.as_millis()))?;
            released?;
            match taken {
                Ok(()) => Ok(true),
                Err(e) if is_busy(&e) => Ok(false),
                Err(e) => Err(e),
            }
        }
        DbConnection::Postgresql(pg) => {
            use diesel::RunQueryDsl;
            #[derive(diesel::QueryableByName)]
            struct Row {
                #[diesel(sql_type = Bool)]
                writable: bool,
            }
            let row = diesel::sql_query(
                "SELECT NOT pg_is_in_recovery() \
                 AND current_setting('transaction_read_only') = 'off' AS writable",
            )
            .get_result::<Row>(pg)?;
            Ok(row.writable)
        }
    }
}

/// Locks one row until the transaction ends, so concurrent writers of the
/// same item take turns on PostgreSQL (a writer sending `If-Match: *` then
/// sees the other's change instead of losing to it). SQLite writers are
/// already one at a time.
pub fn lock_row(conn: &mut DbConnection, table: &'static str, id: i32) -> diesel::QueryResult<()> {
    wait_for_row(conn, table, id, "UPDATE")
}

/// Holds one row against change until the transaction ends, waiting for
/// a writer that has it: what is decided from the row (a login checked
/// against a password) then either comes before the change, which sees
/// its result, or after it, and sees the change.
pub fn share_row(conn: &mut DbConnection, table: &'static str, id: i32) -> diesel::QueryResult<()> {
    wait_for_row(conn, table, id, "SHARE")
}

fn wait_for_row(
    conn: &mut DbConnection,
    table: &'static str,
    id: i32,
    strength: &'static str,
) -> diesel::QueryResult<()> {
    if let DbConnection::Postgresql(pg) = conn {
        use diesel::RunQueryDsl;
        let waited = diesel::sql_query(format!(
            "SELECT 1 FROM {table} WHERE id = $1 FOR {strength}"
        ))
        .bind::<diesel::sql_types::Integer, _>(id)
        .execute(pg);
        lock_wait(waited)?;
    }
    Ok(())
}

/// Holds the row of `table` with `id` against deletion and key changes
/// until the transaction ends, unless a writer has it locked: then `false`
/// at once (PostgreSQL; SQLite: always `true`). A store of derived data
/// takes this before anything else, so it never waits on a writer holding
/// the row while the writer waits on it.
pub fn hold_row_unless_locked(
    conn: &mut DbConnection,
    table: &'static str,
    id: i32,
) -> diesel::QueryResult<bool> {
    match conn {
        DbConnection::Postgresql(pg) => {
            use diesel::RunQueryDsl;
            let held = diesel::sql_query(format!(
                "SELECT 1 FROM {table} WHERE id = $1 FOR KEY SHARE SKIP LOCKED"
            ))
            .bind::<diesel::sql_types::Integer, _>(id)
            .execute(pg)?;
            Ok(held > 0)
        }
        DbConnection::Sqlite(_) => Ok(true),
    }
}

/// After rows were inserted with their own ids (an import), PostgreSQL's
/// sequences must continue after the largest; SQLite's AUTOINCREMENT does.
pub fn reset_id_sequences(conn: &mut DbConnection, tables: &[&str]) -> diesel::QueryResult<()> {
    if let DbConnection::Postgresql(pg) = conn {
        for table in tables {
            pg.batch_execute(&format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
            ))?;
        }
    }
    Ok(())
}

/// After a bulk load (seed, import): PostgreSQL plans from statistics that
/// autovacuum refreshes only later, and until then picks nested loops that
/// made a tag filter over 100,000 fresh articles 10× slower. SQLite's plans
/// here do not use statistics (see `Drive`), so it is left without them.
pub fn refresh_statistics(conn: &mut DbConnection) -> diesel::QueryResult<()> {
    if let DbConnection::Postgresql(pg) = conn {
        pg.batch_execute("ANALYZE")?;
    }
    Ok(())
}
