//! The few places where SQLite and PostgreSQL differ, and nothing else:
//! the connection enum, connection set-up, and full-text search.

use diesel::connection::SimpleConnection;
use diesel::dsl::sql;
use diesel::sql_types::{Bool, Double, Text};
use diesel::Connection;

use super::schema::articles;

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

/// Opens one connection of the kind the URL names.
pub fn connect(url: &crate::config::DatabaseUrl) -> diesel::ConnectionResult<DbConnection> {
    use crate::config::DatabaseUrl;
    match url {
        DatabaseUrl::Sqlite(path) => {
            let mut conn = diesel::SqliteConnection::establish(&path.to_string_lossy())?;
            // busy_timeout first, so the others never fail on a busy file.
            conn.batch_execute(
                "PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; \
                 PRAGMA cache_size = -16000; PRAGMA mmap_size = 268435456;",
            )
            .map_err(|e| diesel::ConnectionError::BadConnection(e.to_string()))?;
            Ok(DbConnection::Sqlite(conn))
        }
        DatabaseUrl::Postgres(url) => Ok(DbConnection::Postgresql(
            diesel::PgConnection::establish(url.expose())?,
        )),
    }
}

/// Runs `f` in a transaction. On SQLite writers are already queued one at a
/// time by `DbPool::write`; on PostgreSQL conditional updates on `version`
/// decide between concurrent writers. The content version moves first, so
/// its row stays locked until commit: whoever stores derived data checks it
/// (`content_version_unless_writing`) and backs off while a write is open.
pub fn write_transaction<T, E, F>(conn: &mut DbConnection, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    conn.transaction(|conn| {
        bump_content_version(conn)?;
        f(conn)
    })
}

/// Every committed write moves the content version on, in the same
/// transaction, so every node's response cache can tell it is stale.
fn bump_content_version(conn: &mut DbConnection) -> diesel::QueryResult<()> {
    use super::schema::content_version::dsl::{content_version, version};
    use diesel::{ExpressionMethods, RunQueryDsl};
    diesel::update(content_version)
        .set(version.eq(version + 1))
        .execute(conn)?;
    Ok(())
}

/// The current content version (see `bump_content_version`).
pub fn content_version(conn: &mut DbConnection) -> diesel::QueryResult<i64> {
    use super::schema::content_version::dsl::{content_version, version};
    use diesel::{QueryDsl, RunQueryDsl};
    content_version.select(version).first(conn)
}

/// The content version, or `None` while a write transaction holds it. Inside
/// a transaction that then stores derived data: on PostgreSQL the row is
/// share-locked (`NOWAIT`), so no write can commit between this check and
/// the commit; SQLite allows one writer at a time, and a write committed
/// since this transaction's snapshot makes its own write fail.
pub fn content_version_unless_writing(conn: &mut DbConnection) -> diesel::QueryResult<Option<i64>> {
    use diesel::RunQueryDsl;
    match conn {
        DbConnection::Postgresql(pg) => {
            #[derive(diesel::QueryableByName)]
            struct Row {
                #[diesel(sql_type = diesel::sql_types::BigInt)]
                version: i64,
            }
            let row = diesel::sql_query("SELECT version FROM content_version FOR SHARE NOWAIT")
                .get_result::<Row>(pg);
            match row {
                Ok(row) => Ok(Some(row.version)),
                // 55P03 lock_not_available: a writer holds it.
                Err(diesel::result::Error::DatabaseError(_, info))
                    if info.message().contains("could not obtain lock") =>
                {
                    Ok(None)
                }
                Err(e) => Err(e),
            }
        }
        DbConnection::Sqlite(_) => content_version(conn).map(Some),
    }
}

/// Locks one row until the transaction ends, so concurrent writers of the
/// same item take turns on PostgreSQL (a writer sending `If-Match: *` then
/// sees the other's change instead of losing to it). SQLite writers are
/// already one at a time.
pub fn lock_row(conn: &mut DbConnection, table: &'static str, id: i32) -> diesel::QueryResult<()> {
    if let DbConnection::Postgresql(pg) = conn {
        use diesel::RunQueryDsl;
        diesel::sql_query(format!("SELECT 1 FROM {table} WHERE id = $1 FOR UPDATE"))
            .bind::<diesel::sql_types::Integer, _>(id)
            .execute(pg)?;
    }
    Ok(())
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

/// A reader's search text reduced to plain words (at most 16): nothing in it
/// can be query syntax on either backend. `None` when no word is left.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SearchWords(Vec<String>);

impl SearchWords {
    pub fn parse(q: &str) -> Option<Self> {
        let words: Vec<String> = q
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .take(16)
            .map(str::to_lowercase)
            .collect();
        (!words.is_empty()).then_some(Self(words))
    }

    /// FTS5: every word must match, the last one as a prefix.
    fn fts5(&self) -> String {
        let last = self.0.len() - 1;
        self.0
            .iter()
            .enumerate()
            .map(|(i, w)| {
                if i == last {
                    format!("\"{w}\"*")
                } else {
                    format!("\"{w}\"")
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// tsquery: the same semantics, `a & b & c:*`.
    fn tsquery(&self) -> String {
        let last = self.0.len() - 1;
        self.0
            .iter()
            .enumerate()
            .map(|(i, w)| {
                if i == last {
                    format!("'{w}':*")
                } else {
                    format!("'{w}'")
                }
            })
            .collect::<Vec<_>>()
            .join(" & ")
    }
}

type ArticleExpr<ST> = Box<dyn diesel::BoxableExpression<articles::table, Db, SqlType = ST>>;

/// `articles.id` is among the full-text matches of `words`.
pub fn matches_fulltext(kind: Kind, words: &SearchWords) -> ArticleExpr<Bool> {
    match kind {
        Kind::Sqlite => Box::new(
            sql::<Bool>("articles.id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ")
                .bind::<Text, _>(words.fts5())
                .sql(")"),
        ),
        Kind::Postgres => Box::new(
            sql::<Bool>("articles.search @@ to_tsquery('simple', ")
                .bind::<Text, _>(words.tsquery())
                .sql(")"),
        ),
    }
}

/// The relevance of an article for `words`, lower is better on both backends,
/// with the title weighted above the excerpt and the excerpt above the body.
pub fn fulltext_rank(kind: Kind, words: &SearchWords) -> ArticleExpr<Double> {
    match kind {
        Kind::Sqlite => Box::new(
            sql::<Double>(
                "(SELECT bm25(articles_fts, 10.0, 4.0, 1.0) FROM articles_fts WHERE articles_fts MATCH ",
            )
            .bind::<Text, _>(words.fts5())
            .sql(" AND articles_fts.rowid = articles.id)"),
        ),
        Kind::Postgres => Box::new(
            sql::<Double>("(-ts_rank(articles.search, to_tsquery('simple', ")
                .bind::<Text, _>(words.tsquery())
                .sql("))::float8)"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::SearchWords;

    #[test]
    fn search_text_becomes_safe_queries_for_both_backends() {
        let w = SearchWords::parse("Back pain").unwrap();
        assert_eq!(w.fts5(), "\"back\" \"pain\"*");
        assert_eq!(w.tsquery(), "'back' & 'pain':*");
        let hostile = SearchWords::parse("\"); DROP TABLE x; -- ' &|!:*").unwrap();
        assert_eq!(hostile.fts5(), "\"drop\" \"table\" \"x\"*");
        assert_eq!(hostile.tsquery(), "'drop' & 'table' & 'x':*");
        assert_eq!(SearchWords::parse("  -- ** "), None);
    }
}
