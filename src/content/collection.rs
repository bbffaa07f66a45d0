//! What the reusable collections share when written: re-rendering the articles that embed them.

use diesel::prelude::*;

use super::article::Article;
use crate::db::DbConnection;

/// Re-renders the bodies of these articles, so an embedded table shows a
/// massage type or treatment as it is now.
pub fn rerender_articles(conn: &mut DbConnection, article_ids: &[i32]) -> QueryResult<()> {
    for id in article_ids {
        Article::render_body(conn, *id)?;
    }
    Ok(())
}

/// `Stale` when the row exists at another version, `NotFound` when it is gone.
pub fn stale_or_missing(exists: bool, version: i32) -> super::ContentError {
    if exists {
        super::ContentError::Stale(version)
    } else {
        super::ContentError::Db(diesel::result::Error::NotFound)
    }
}
