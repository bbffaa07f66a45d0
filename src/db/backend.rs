//! The few places where SQLite and PostgreSQL differ, and nothing else.

use diesel::dsl::sql;
use diesel::sql_types::{Bool, Double, Text};

use super::schema::articles;

/// The connection type the whole crate is written against.
pub type DbConnection = diesel::SqliteConnection;
pub type Db = diesel::sqlite::Sqlite;

/// Runs `f` in a transaction that takes the write lock up front, so two
/// concurrent writers queue (busy_timeout) instead of failing on upgrade.
pub fn write_transaction<T, E, F>(conn: &mut DbConnection, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    conn.immediate_transaction(f)
}

/// Turns a reader's search text into an FTS5 query that cannot be a syntax
/// error: each word becomes a quoted term (all must match), the last one a
/// prefix so that search-as-you-type works. `None` when nothing searchable is left.
pub fn fts_query(q: &str) -> Option<String> {
    let words: Vec<&str> = q
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(16)
        .collect();
    let (last, rest) = words.split_last()?;
    let mut query: Vec<String> = rest.iter().map(|w| format!("\"{w}\"")).collect();
    query.push(format!("\"{last}\"*"));
    Some(query.join(" "))
}

/// `articles.id` is among the full-text matches of `fts`.
pub fn matches_fulltext(
    fts: String,
) -> Box<dyn diesel::BoxableExpression<articles::table, Db, SqlType = Bool>> {
    Box::new(
        sql::<Bool>("articles.id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ")
            .bind::<Text, _>(fts)
            .sql(")"),
    )
}

/// The relevance of an article for `fts`, lower is better (FTS5's bm25), with
/// the title weighted above the excerpt and the excerpt above the body.
pub fn fulltext_rank(
    fts: String,
) -> Box<dyn diesel::BoxableExpression<articles::table, Db, SqlType = Double>> {
    Box::new(sql::<Double>(
        "(SELECT bm25(articles_fts, 10.0, 4.0, 1.0) FROM articles_fts WHERE articles_fts MATCH ",
    )
    .bind::<Text, _>(fts)
    .sql(" AND articles_fts.rowid = articles.id)"))
}

#[cfg(test)]
mod tests {
    use super::fts_query;

    #[test]
    fn search_text_becomes_a_safe_fts_query() {
        assert_eq!(
            fts_query("back pain").as_deref(),
            Some("\"back\" \"pain\"*")
        );
        assert_eq!(
            fts_query("\"); DROP TABLE x; --").as_deref(),
            Some("\"DROP\" \"TABLE\" \"x\"*")
        );
        assert_eq!(fts_query("posture*").as_deref(), Some("\"posture\"*"));
        assert_eq!(fts_query("  -- ** "), None);
    }
}
