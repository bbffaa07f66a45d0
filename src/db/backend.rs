//! The few places where SQLite and PostgreSQL differ, and nothing else:
//! the connection enum, connection set-up, and full-text search.

use std::sync::Arc;

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
pub const CHANGES_LOCK: i64 = 0x636c_696e_6963_01;

/// Makes content writers take turns from here to their commit (PostgreSQL;
/// SQLite writers always do), so changes commit in the order of their ids.
pub fn lock_changes(conn: &mut DbConnection) -> diesel::QueryResult<()> {
    if let DbConnection::Postgresql(pg) = conn {
        use diesel::RunQueryDsl;
        diesel::sql_query(format!("SELECT pg_advisory_xact_lock({CHANGES_LOCK})")).execute(pg)?;
    }
    Ok(())
}

/// Whether no content writer is between recording its change and its
/// commit; when true, none can start until this transaction ends. A
/// boolean from the server, never an error text. SQLite: always (its
/// writers are one at a time; a write made first in the transaction holds
/// its lock).
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
                "SELECT pg_try_advisory_xact_lock({CHANGES_LOCK}) AS taken"
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
        Error::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => true,
        // SQLite's fixed (never translated) texts for SQLITE_BUSY and
        // SQLITE_LOCKED; PostgreSQL's lock_timeout (55P03), in English only:
        // diesel does not expose the SQLSTATE.
        Error::DatabaseError(_, info) => {
            let message = info.message();
            message == "database is locked"
                || message.starts_with("database table is locked")
                || message == "canceling statement due to lock timeout"
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

/// A reader's search text reduced to plain words (at most 16): nothing in it
/// can be query syntax on either backend. `None` when no word is left.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SearchWords {
    words: Vec<String>,
    /// On SQLite, every indexed term the last word starts, when looked up
    /// (`prefix_terms`): the same matches as the prefix.
    last_terms: Option<Arc<[String]>>,
}

/// Longest expansion of a prefix worth testing term by term.
const MAX_PREFIX_TERMS: usize = 32;

/// What a last word expands to (`prefix_terms`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PrefixTerms {
    /// Every indexed term it starts (at least one).
    Terms(Arc<[String]>),
    /// None, or more than are worth testing one by one: keep the prefix.
    Keep,
}

impl SearchWords {
    /// How many words (never zero).
    pub fn word_count(&self) -> usize {
        self.words.len()
    }

    pub fn parse(q: &str) -> Option<Self> {
        let words: Vec<String> = q
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .take(16)
            .map(str::to_lowercase)
            .collect();
        (!words.is_empty()).then_some(Self {
            words,
            last_terms: None,
        })
    }

    /// The last word, when FTS5 indexes it as typed (ASCII letters and
    /// digits; its tokenizer folds anything else) and it is long enough to
    /// start few terms: what `prefix_terms` can expand.
    pub fn expandable_prefix(&self) -> Option<&str> {
        let last = self.words.last()?;
        (self.last_terms.is_none()
            && last.len() >= 3
            && last.bytes().all(|b| b.is_ascii_alphanumeric()))
        .then_some(last.as_str())
    }

    /// These words with the last standing for exactly `terms`, every
    /// indexed term it starts: the same matches, but testing one article is
    /// a seek per term instead of FTS5 merging the prefix's doclists.
    pub fn with_last_terms(&self, terms: Arc<[String]>) -> Self {
        Self {
            words: self.words.clone(),
            last_terms: Some(terms),
        }
    }

    /// How many index terms a test of one article looks up.
    fn terms_tested(&self) -> usize {
        self.words.len() - 1 + self.last_terms.as_ref().map_or(1, |t| t.len())
    }

    /// FTS5: every word must match, the last one as a prefix (or as one of
    /// the terms it starts).
    fn fts5(&self) -> String {
        let (last, init) = self.words.split_last().expect("never empty");
        let mut parts: Vec<String> = init.iter().map(|w| format!("\"{w}\"")).collect();
        parts.push(match &self.last_terms {
            Some(terms) => format!(
                "({})",
                terms
                    .iter()
                    .map(|t| format!("\"{t}\""))
                    .collect::<Vec<_>>()
                    .join(" OR ")
            ),
            None => format!("\"{last}\"*"),
        });
        parts.join(" ")
    }

    /// tsquery: the same semantics, `a & b & c:*`.
    fn tsquery(&self) -> String {
        let last = self.words.len() - 1;
        self.words
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

/// How a filtered public list is driven. SQLite's planner cannot tell how
/// selective a tag or a search is and walks the sort index either way: a tag
/// on one article in 100,000 then tests all of them. PostgreSQL's generic
/// plan for a prepared search does the same. The list counts its matches
/// first (`meta.total`), so it can choose. On PostgreSQL the first two forms
/// are one plan (its planner walks well); collecting fetches the ids first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Drive {
    /// Walk the sort index and test each article (`EXISTS`): dense matches
    /// with a cheap test.
    Probe,
    /// Collect the matches into a set once (`IN`), then walk the sort index
    /// testing membership: dense matches whose test is dear (a prefix).
    Walk,
    /// Collect the matches, look each up and sort them (`IN`, the sort
    /// index disabled): few matches.
    Collect,
}

/// What one filter costs, in microseconds, measured at 100,000 articles
/// (SQLite 3.53, this repository's 2-core machine).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct FilterCost {
    /// Testing one article (`EXISTS`).
    pub test: f64,
    /// Collecting one match into a set.
    pub collect: f64,
}

impl FilterCost {
    pub const TAG: FilterCost = FilterCost {
        test: 0.9,
        collect: 0.4,
    };

    /// A full-text test costs 11 µs a term; a last word taken as a prefix
    /// makes FTS5 merge every term it starts, about 1 ms a test, unless it
    /// was expanded to those terms.
    pub fn fulltext(words: &SearchWords) -> FilterCost {
        let prefix = if words.last_terms.is_some() {
            0.0
        } else {
            1000.0
        };
        FilterCost {
            test: 11.0 * words.terms_tested() as f64 + prefix,
            collect: 0.1,
        }
    }

    pub fn plus(self, other: FilterCost) -> FilterCost {
        FilterCost {
            test: self.test + other.test,
            collect: self.collect + other.collect,
        }
    }
}

impl Drive {
    /// The cheapest drive for a page ending at `window` when `matches` of
    /// about `articles` match. Walking the index meets a match every
    /// `articles / matches` rows; looking up and sorting one costs 3.5 µs,
    /// a membership test 0.1 µs.
    pub fn choose(window: i64, articles: i64, matches: i64, cost: FilterCost) -> Drive {
        let matches = matches.max(1) as f64;
        let walked = window as f64 * articles as f64 / matches;
        let probe = walked * cost.test;
        let walk = matches * cost.collect + walked * 0.1;
        let collect = matches * (cost.collect + 3.5);
        if probe <= walk && probe <= collect {
            Drive::Probe
        } else if walk <= collect {
            Drive::Walk
        } else {
            Drive::Collect
        }
    }
}

/// Every term the SQLite full-text index holds that starts with `prefix`
/// (a word `SearchWords::expandable_prefix` gave). Reads the index's
/// vocabulary (`articles_fts_terms`), which counts each term's documents on
/// the way: ~8 ms for a term in 100,000 articles, so callers remember the
/// answer until the next write.
pub fn prefix_terms(conn: &mut DbConnection, prefix: &str) -> diesel::QueryResult<PrefixTerms> {
    use diesel::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Term {
        #[diesel(sql_type = Text)]
        term: String,
    }
    let DbConnection::Sqlite(sqlite) = conn else {
        return Ok(PrefixTerms::Keep);
    };
    let terms: Vec<Term> = diesel::sql_query(
        "SELECT term FROM articles_fts_terms WHERE term >= ? AND term < ? ORDER BY term LIMIT ?",
    )
    .bind::<Text, _>(prefix)
    // U+10FFFF sorts after every character a term can continue with.
    .bind::<Text, _>(format!("{prefix}\u{10FFFF}"))
    .bind::<diesel::sql_types::BigInt, _>(MAX_PREFIX_TERMS as i64 + 1)
    .load(sqlite)?;
    Ok(match terms.len() {
        1..=MAX_PREFIX_TERMS => PrefixTerms::Terms(terms.into_iter().map(|t| t.term).collect()),
        _ => PrefixTerms::Keep,
    })
}

/// The article is among the full-text matches of `words`.
pub fn matches_fulltext(kind: Kind, words: &SearchWords, drive: Drive) -> ArticleExpr<Bool> {
    match (kind, drive) {
        (Kind::Sqlite, Drive::Probe) => Box::new(
            sql::<Bool>("EXISTS (SELECT 1 FROM articles_fts WHERE articles_fts MATCH ")
                .bind::<Text, _>(words.fts5())
                .sql(" AND articles_fts.rowid = articles.id)"),
        ),
        (Kind::Sqlite, _) => Box::new(
            sql::<Bool>("articles.id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ")
                .bind::<Text, _>(words.fts5())
                .sql(")"),
        ),
        (Kind::Postgres, _) => Box::new(
            sql::<Bool>("articles.search @@ to_tsquery('simple', ")
                .bind::<Text, _>(words.tsquery())
                .sql(")"),
        ),
    }
}

/// The article carries the tag `slug`.
pub fn has_tag(slug: &str, drive: Drive) -> ArticleExpr<Bool> {
    match drive {
        Drive::Walk | Drive::Collect => Box::new(
            sql::<Bool>(
                "articles.id IN (SELECT article_tags.article_id FROM article_tags \
                 JOIN tags ON tags.id = article_tags.tag_id WHERE tags.slug = ",
            )
            .bind::<Text, _>(slug.to_string())
            .sql(")"),
        ),
        Drive::Probe => Box::new(
            sql::<Bool>(
                "EXISTS (SELECT 1 FROM article_tags JOIN tags ON tags.id = article_tags.tag_id \
                 WHERE article_tags.article_id = articles.id AND tags.slug = ",
            )
            .bind::<Text, _>(slug.to_string())
            .sql(")"),
        ),
    }
}

/// Published and due at `now`. When collecting on SQLite, written with
/// unary `+` so the planner cannot walk the sort index instead.
pub fn public_at(
    kind: Kind,
    now: chrono::NaiveDateTime,
    drive: Drive,
) -> ArticleExpr<diesel::sql_types::Nullable<Bool>> {
    match (kind, drive) {
        (Kind::Sqlite, Drive::Collect) => Box::new(
            sql::<diesel::sql_types::Nullable<Bool>>(
                "+articles.status = 'published' AND +articles.published_at <= ",
            )
            .bind::<diesel::sql_types::Timestamp, _>(now),
        ),
        _ => Box::new(crate::content::article::is_public(now)),
    }
}

/// One page of the public articles matching `words` (and carrying `tag`),
/// most relevant first: the full-text index ranks its matches once, where a
/// rank per article in `ORDER BY` ran the search again for every match.
pub fn relevance_page(
    conn: &mut DbConnection,
    words: &SearchWords,
    tag: Option<&str>,
    now: chrono::NaiveDateTime,
    limit: i64,
    offset: i64,
) -> diesel::QueryResult<Vec<i32>> {
    use diesel::sql_types::{BigInt, Integer, Timestamp};
    use diesel::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Id {
        #[diesel(sql_type = Integer)]
        id: i32,
    }
    let tagged = "articles.id IN (SELECT article_tags.article_id FROM article_tags \
                  JOIN tags ON tags.id = article_tags.tag_id WHERE tags.slug = ";
    let tag_clause = |n: &str| match tag {
        Some(_) => format!(" AND {tagged}{n})"),
        None => String::new(),
    };
    let ids: Vec<Id> = match conn {
        DbConnection::Sqlite(c) => {
            let query = diesel::sql_query(format!(
                // CROSS JOIN keeps FTS5 outside: one search, ranked once.
                "SELECT articles.id AS id FROM articles_fts \
                 CROSS JOIN articles ON articles.id = articles_fts.rowid \
                 WHERE articles_fts MATCH ? AND articles.status = 'published' \
                 AND articles.published_at <= ?{} \
                 ORDER BY bm25(articles_fts, 10.0, 4.0, 1.0), articles.published_at DESC, \
                 articles.id DESC LIMIT ? OFFSET ?",
                tag_clause("?")
            ))
            .into_boxed()
            .bind::<Text, _>(words.fts5())
            .bind::<Timestamp, _>(now);
            let query = match tag {
                Some(tag) => query.bind::<Text, _>(tag.to_string()),
                None => query,
            };
            query
                .bind::<BigInt, _>(limit)
                .bind::<BigInt, _>(offset)
                .load(c)?
        }
        DbConnection::Postgresql(c) => {
            let (limit_n, offset_n) = if tag.is_some() { (4, 5) } else { (3, 4) };
            let query = diesel::sql_query(format!(
                "SELECT id FROM articles WHERE search @@ to_tsquery('simple', $1) \
                 AND status = 'published' AND published_at <= $2{} \
                 ORDER BY ts_rank(search, to_tsquery('simple', $1)) DESC, published_at DESC, \
                 id DESC LIMIT ${limit_n} OFFSET ${offset_n}",
                tag_clause("$3")
            ))
            .into_boxed()
            .bind::<Text, _>(words.tsquery())
            .bind::<Timestamp, _>(now);
            let query = match tag {
                Some(tag) => query.bind::<Text, _>(tag.to_string()),
                None => query,
            };
            query
                .bind::<BigInt, _>(limit)
                .bind::<BigInt, _>(offset)
                .load(c)?
        }
    };
    Ok(ids.into_iter().map(|row| row.id).collect())
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
    use std::sync::Arc;

    use super::{Drive, FilterCost, SearchWords};

    #[test]
    fn each_filter_is_driven_the_cheapest_way() {
        let words = SearchWords::parse("posture").unwrap();
        let search = FilterCost::fulltext(&words);
        // 100,000 articles, a first page (window 21).
        assert_eq!(
            Drive::choose(21, 100_000, 7_500, FilterCost::TAG),
            Drive::Probe
        );
        assert_eq!(
            Drive::choose(21, 100_000, 1, FilterCost::TAG),
            Drive::Collect
        );
        assert_eq!(Drive::choose(21, 100_000, 100_000, search), Drive::Walk);
        assert_eq!(Drive::choose(21, 100_000, 30, search), Drive::Collect);
        // The prefix expanded to its terms is cheap to test one by one.
        let terms: Arc<[String]> = vec!["posture".to_string(), "postures".to_string()].into();
        let expanded = FilterCost::fulltext(&words.with_last_terms(terms));
        assert_eq!(Drive::choose(21, 100_000, 100_000, expanded), Drive::Probe);
        // A deep offset page tests thousands of articles: a set is cheaper.
        assert_eq!(
            Drive::choose(4_000, 100_000, 7_500, FilterCost::TAG),
            Drive::Walk
        );
    }

    #[test]
    fn search_text_becomes_safe_queries_for_both_backends() {
        let w = SearchWords::parse("Back pain").unwrap();
        assert_eq!(w.fts5(), "\"back\" \"pain\"*");
        assert_eq!(w.tsquery(), "'back' & 'pain':*");
        let hostile = SearchWords::parse("\"); DROP TABLE x; -- ' &|!:*").unwrap();
        assert_eq!(hostile.fts5(), "\"drop\" \"table\" \"x\"*");
        assert_eq!(hostile.tsquery(), "'drop' & 'table' & 'x':*");
        assert_eq!(SearchWords::parse("  -- ** "), None);
        let terms: Arc<[String]> = vec!["pain".to_string(), "pains".to_string()].into();
        let expanded = w.with_last_terms(terms);
        assert_eq!(expanded.fts5(), "\"back\" (\"pain\" OR \"pains\")");
        assert_eq!(expanded.tsquery(), w.tsquery());
        assert_eq!(expanded.expandable_prefix(), None, "expanded once");
        assert_eq!(w.expandable_prefix(), Some("pain"));
        assert_eq!(SearchWords::parse("ca").unwrap().expandable_prefix(), None);
        assert_eq!(
            SearchWords::parse("café").unwrap().expandable_prefix(),
            None
        );
    }
}
