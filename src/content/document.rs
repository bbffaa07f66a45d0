//! Stored public article documents: the finished response of
//! `GET /articles/{slug}`, kept in `article_documents` so a read without the
//! response cache is one indexed lookup. A content write forgets the
//! documents showing what it changed (`change::Change::record`); what only
//! time changes — a related article coming due — is checked here on read.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::article::{is_public, StoredStatus};
use crate::db::backend;
use crate::db::insert_row;
use crate::db::schema::{article_documents, articles};
use crate::db::DbConnection;

/// A stored response body and its strong ETag.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = article_documents)]
pub struct Document {
    pub etag: String,
    pub body: String,
    pub rendered_at: NaiveDateTime,
}

impl Document {
    /// The stored document of the article public under `slug` at `now`, if
    /// it is still current: no article has come due since it was rendered
    /// (one might be among its related articles). One statement, so one
    /// read transaction: the latest due time is one seek of the status and
    /// date index.
    pub fn find_current(
        conn: &mut DbConnection,
        slug: &str,
        now: NaiveDateTime,
    ) -> QueryResult<Option<Document>> {
        diesel::alias!(articles as due: Due);
        let latest_due = due
            .filter(due.field(articles::status).eq(StoredStatus::Published))
            .filter(due.field(articles::published_at).le(now))
            .select(diesel::dsl::max(due.field(articles::published_at)))
            .single_value();
        articles::table
            .inner_join(article_documents::table)
            .filter(articles::slug.eq(slug))
            .filter(is_public(now))
            .filter(article_documents::rendered_at.nullable().ge(latest_due))
            .select(Document::as_select())
            .first(conn)
            .optional()
    }

    /// Stores the document of `article_id` rendered at `rendered_at` from the
    /// content as of change `seen`, unless a change was committed since (or
    /// is being committed now): the document would already be stale.
    /// Returns whether it was stored.
    pub fn store(
        conn: &mut DbConnection,
        article_id: i32,
        seen: i64,
        rendered_at: NaiveDateTime,
        etag: &str,
        body: &str,
    ) -> QueryResult<bool> {
        let stored = conn.transaction(|conn| {
            // Nothing here waits: a writer holding the article, or between
            // its change and its commit, means the document would be stale.
            if !backend::hold_row_unless_locked(conn, "articles", article_id)?
                || !backend::no_change_committing(conn)?
            {
                return Err(diesel::result::Error::RollbackTransaction);
            }
            // A write first: on SQLite it takes the write lock, so no change
            // can commit between the check below and this commit.
            diesel::delete(article_documents::table.find(article_id)).execute(conn)?;
            if crate::db::latest_change(conn)? != seen {
                return Err(diesel::result::Error::RollbackTransaction);
            }
            insert_row!(article_documents: article_id, rendered_at, etag, body).execute(conn)
        });
        match stored {
            Ok(_) => Ok(true),
            Err(diesel::result::Error::RollbackTransaction) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// How many documents are stored (for tests and operators).
    pub fn count(conn: &mut DbConnection) -> QueryResult<i64> {
        article_documents::table.count().get_result(conn)
    }
}
